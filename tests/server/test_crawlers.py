"""Pages that crawlers and citers understand, over HTTP against the real server: every page of the sitemap
answers, embeds schema.org JSON-LD that rdflib parses, links its RDF variants, and says how to cite it; the
JSON-LD of every person, organisation and event states what the graph states (names, other names, sameAs,
dates), and the landing page's is the dataset of the metadata graph; robots.txt and sitemap.xml follow their
protocols."""
import csv
import re
from importlib.resources import files
from xml.etree import ElementTree

import pytest
import requests
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

SDO = Namespace("http://schema.org/")
APG = Namespace("https://w3id.org/apg-kg/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
BASE = "https://w3id.org/apg-kg/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
HTML = {"Accept": "text/html"}
XHTML = {"h": "http://www.w3.org/1999/xhtml"}
# schema.org property of the JSON-LD -> the graph's property it must agree with
AGREE = ((SDO.name, RDFS.label), (SDO.alternateName, SKOS.altLabel), (SDO.sameAs, OWL.sameAs),
         (SDO.startDate, SDO.startDate), (SDO.endDate, SDO.endDate))
LINKS = files("kg") / "source" / "wikidata-links.tsv"  # the only source of identity links
_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def graphs(dist):
    ds = Dataset()
    ds.parse(dist / "dataset.nq", format="nquads")
    default = Graph()
    for name in ("data", "ontology"):
        for t in ds.graph(URIRef(BASE + f"graph/{name}")):
            default.add(t)
    return default, ds.graph(URIRef(BASE + "graph/metadata"))


@pytest.fixture(scope="module")
def sitemap(server) -> list[tuple[str, str]]:
    resp = requests.get(server.url + "/sitemap.xml", timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/xml; charset=utf-8"
    root = ElementTree.fromstring(resp.content)
    assert root.tag == SITEMAP + "urlset"
    out = []
    for url in root:
        assert url.tag == SITEMAP + "url"
        assert [c.tag for c in url] == [SITEMAP + "loc", SITEMAP + "lastmod"]
        out.append((url.find(SITEMAP + "loc").text, url.find(SITEMAP + "lastmod").text))
    return out


def _jsonld(page_url: str) -> tuple[Graph, ElementTree.Element, str]:
    resp = requests.get(page_url, headers=HTML, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html; charset=utf-8", page_url
    scripts = _SCRIPT.findall(resp.text)
    assert len(scripts) == 1, page_url
    return (Graph().parse(data=scripts[0], format="json-ld", publicID=page_url),
            ElementTree.fromstring(resp.content), resp.text)


def _things(default: Graph, *classes) -> list[URIRef]:
    """Resources of the data whose type is one of ``classes`` or a subclass of one."""
    found = set()
    for cls in classes:
        for sub in default.transitive_subjects(RDFS.subClassOf, cls):
            found |= {s for s in default.subjects(RDF.type, sub) if str(s).startswith(BASE + "id/")}
    return sorted(found)


def test_sitemap_lists_every_page_with_the_build_date(server, sitemap, graphs):
    default, meta = graphs
    date = str(meta.value(URIRef(BASE + "dataset"), DCTERMS.modified))
    assert date and {lastmod for _, lastmod in sitemap} == {date}
    locs = [loc for loc, _ in sitemap]
    assert len(locs) == len(set(locs)) and all(loc.startswith(server.url + "/") for loc in locs)
    people = _things(default, FOAF.Person)
    assert people and {server.url + "/doc/" + str(p)[len(BASE + "id/"):] for p in people} <= set(locs)
    assert server.url + "/" in locs and server.url + "/fragments" in locs


def test_every_page_of_the_sitemap_is_described_linked_and_citable(server, sitemap, graphs):
    version = requests.get(server.url + "/download/manifest.json", timeout=30).json()["version"]
    date = sitemap[0][1]
    for loc, _ in sitemap:
        if loc == server.url + "/ontology":
            continue  # the build's generated ontology documentation (kg/ontology_docs.py), not a site page
        described, page, _ = _jsonld(loc)
        assert len(described) > 0, loc
        alternates = page.findall(".//h:head/h:link[@rel='alternate']", XHTML)
        assert alternates and all(a.get("type") and a.get("href") for a in alternates), loc
        cite = page.find(".//h:aside[@id='cite']", XHTML)
        line = cite.find(".//h:span[@id='cite-line']", XHTML).text
        bibtex = cite.find(".//h:pre[@id='cite-bibtex']/h:code", XHTML).text
        assert version in line and date in line and f"version = {{{version}}}" in bibtex, loc
        if "/doc/" in loc:
            iri = BASE + "id/" + loc.split("/doc/", 1)[1]
            assert line.endswith(iri) and f"url = {{{iri}}}" in bibtex


@pytest.mark.parametrize("kind, classes, schema_type", [
    ("person", (FOAF.Person,), SDO.Person),
    ("organisation", (ORG.Organization,), SDO.Organization),
    ("event", (APG.Event,), SDO.Event),
])
def test_jsonld_states_what_the_graph_states(server, graphs, kind, classes, schema_type):
    default, _ = graphs
    with open(LINKS, encoding="utf-8") as f:
        verified = {f"http://www.wikidata.org/entity/{row['wikidata']}"
                    for row in csv.DictReader(f, delimiter="\t") if row["status"] == "verified"}
    things = _things(default, *classes)
    assert things
    for thing in things:
        described, _, _ = _jsonld(server.url + "/doc/" + str(thing)[len(BASE + "id/"):])
        assert (thing, RDF.type, schema_type) in described, thing
        for ours, theirs in AGREE:
            assert set(described.objects(thing, ours)) == set(default.objects(thing, theirs)), (thing, ours)
        wikidata = {str(o) for o in described.objects(thing, SDO.sameAs) if "wikidata" in str(o)}
        assert wikidata <= verified, thing


def test_landing_page_describes_the_dataset(server, graphs):
    _, meta = graphs
    ds = URIRef(BASE + "dataset")
    described, _, _ = _jsonld(server.url + "/")
    assert (ds, RDF.type, SDO.Dataset) in described
    assert set(described.objects(ds, SDO.name)) == set(meta.objects(ds, DCTERMS.title))
    assert described.value(ds, SDO.version) == meta.value(ds, DCTERMS.hasVersion)
    assert described.value(ds, SDO.dateModified) == meta.value(ds, DCTERMS.modified)
    assert described.value(ds, SDO.license) == meta.value(ds, DCTERMS.license)
    creator = described.value(ds, SDO.creator)
    assert str(described.value(creator, SDO.name)) == str(meta.value(ds, DCTERMS.creator))
    downloads = {described.value(d, SDO.contentUrl) for d in described.objects(ds, SDO.distribution)
                 if (d, RDF.type, SDO.DataDownload) in described}
    assert downloads == {meta.value(d, DCAT.downloadURL) for d in meta.objects(ds, DCAT.distribution)}
    assert len(downloads) > 10


def test_robots_allow_pages_and_name_the_sitemap(server):
    resp = requests.get(server.url + "/robots.txt", timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    rules = [line.split(":", 1) for line in resp.text.splitlines() if line and not line.startswith("#")]
    rules = [(k.strip().lower(), v.strip()) for k, v in rules]
    assert ("user-agent", "*") in rules and ("allow", "/") in rules
    assert ("sitemap", server.url + "/sitemap.xml") in rules
    disallowed = [v for k, v in rules if k == "disallow"]
    for path in ("/", "/doc/person/khrushchev", "/download/dataset.nq", "/sparql", "/fragments", "/dataset"):
        assert not any(path.startswith(d) for d in disallowed), path
    assert any("/sparql?query=x".startswith(d) for d in disallowed)
