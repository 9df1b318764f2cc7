"""Dereferencing and content negotiation of the published IRIs (Cool URIs, 303 variant), downloads, VoID/DCAT
and the ontology, against the real server: status, Location, Content-Type, and the parsed body."""
import gzip
import hashlib
import json
from html.parser import HTMLParser

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, OWL, RDF


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

BASE = "https://w3id.org/apg-kg/"
VOID = "http://rdfs.org/ns/void#"

# a person, an organ, a session, a vote, a decision, a sentence
THINGS = ["person/khrushchev", "organization/presidium", "event/presidium-session-1957-06",
          "vote/removal-vote-1957-06", "decision/plenum-resolution-1957-06-29", "source/lvwiki/s32"]
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
             "application/rdf+xml": "xml"}
# What a document answers when the client states no preference (``Accept: */*``, or no Accept header): Turtle
# (machines ask that way; tests/server/test_machine_defaults.py has the headers of real clients).
DEFAULT_DOCUMENT = ("text/turtle", "ttl")
EXTENSIONS = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
              "rdf": "application/rdf+xml", "html": "text/html"}


class _Html(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.scripts = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag in ("script", "img", "link", "iframe") and (a.get("src") or a.get("href")):
            self.scripts.append(a.get("src") or a.get("href"))


def _html(body: str) -> _Html:
    parser = _Html()
    parser.feed(body)
    parser.close()
    return parser


def _parse(resp: requests.Response, media_type: str) -> Graph:
    return Graph().parse(data=resp.content, format=RDF_TYPES[media_type], publicID=BASE)


@pytest.mark.parametrize("thing", THINGS)
@pytest.mark.parametrize("accept", [*RDF_TYPES, "text/html"])
def test_thing_iri_303_then_negotiated_document(server, thing, accept):
    resp = requests.get(f"{server.url}/id/{thing}", headers={"Accept": accept}, allow_redirects=False,
                        timeout=30)
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/doc/{thing}")
    doc = requests.get(server.url + f"/doc/{thing}", headers={"Accept": accept}, timeout=30)
    assert doc.status_code == 200
    assert doc.headers["Content-Type"] == f"{accept}; charset=utf-8"
    assert doc.headers["Content-Location"].startswith(f"/doc/{thing}.")
    assert "Accept" in doc.headers["Vary"]
    assert 'rel="license"' in doc.headers["Link"] and 'rel="alternate"' in doc.headers["Link"]
    if accept == "text/html":
        page = _html(doc.text)
        assert not [u for u in page.scripts if u.startswith(("http:", "https:", "//"))]
    else:
        g = _parse(doc, accept)
        assert (URIRef(BASE + "id/" + thing), None, None) in g


@pytest.mark.parametrize("ext,media_type", EXTENSIONS.items())
def test_explicit_extension_variants(server, ext, media_type):
    resp = requests.get(f"{server.url}/doc/person/khrushchev.{ext}", timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    if ext != "html":
        g = _parse(resp, media_type)
        me = URIRef(BASE + "id/person/khrushchev")
        assert (me, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q35314")) in g
        # symmetric description: incoming links come too (the vote of Khrushchev names him as voter)
        assert (None, URIRef("http://www.w3.org/ns/opengov#voter"), me) in g


def test_person_page_shows_labels_in_the_readers_language(server):
    lv = requests.get(f"{server.url}/doc/person/khrushchev", headers={"Accept": "text/html",
                                                                       "Accept-Language": "lv"}, timeout=30)
    assert "Ņikita Hruščovs" in lv.text
    ru = requests.get(f"{server.url}/doc/person/khrushchev?lang=ru", headers={"Accept": "text/html"},
                      timeout=30)
    assert "Хрущёв" in ru.text
    assert "<svg" in ru.text  # the timeline of posts


def test_unknown_iri_is_a_real_404(server):
    html = requests.get(f"{server.url}/id/person/nobody", headers={"Accept": "text/html"}, timeout=30)
    assert html.status_code == 404 and html.headers["Content-Type"].startswith("text/html")
    text = requests.get(f"{server.url}/id/person/nobody", headers={"Accept": "text/turtle"}, timeout=30)
    assert text.status_code == 404 and "\n" not in text.text.strip()
    assert requests.get(f"{server.url}/doc/person/nobody.ttl", timeout=30).status_code == 404
    assert requests.get(f"{server.url}/nowhere", timeout=30).status_code == 404


@pytest.mark.parametrize("accept", ["*/*", None])  # None: requests sends no Accept header at all
@pytest.mark.parametrize("thing", ["person/khrushchev", "event/presidium-session-1957-06"])
def test_document_without_a_preference_gets_the_default_variant(server, thing, accept):
    media_type, extension = DEFAULT_DOCUMENT
    resp = requests.get(f"{server.url}/id/{thing}", headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200 and resp.url == f"{server.url}/doc/{thing}"
    assert [r.status_code for r in resp.history] == [303]
    assert resp.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    assert resp.headers["Content-Location"] == f"/doc/{thing}.{extension}"
    if media_type == "text/html":
        assert "<h1" in resp.text
    else:
        assert (URIRef(BASE + "id/" + thing), None, None) in _parse(resp, media_type)


def test_no_acceptable_document_format_is_406(server):
    resp = requests.get(f"{server.url}/doc/person/khrushchev", headers={"Accept": "image/png"}, timeout=30)
    assert resp.status_code == 406


def test_303_keeps_the_language(server):
    resp = requests.get(f"{server.url}/id/person/khrushchev?lang=lv", allow_redirects=False, timeout=30)
    assert resp.headers["Location"].endswith("/doc/person/khrushchev?lang=lv")


# What Protégé sends: the OWL API's Accept header (DocumentSources), preferring RDF/XML.
OWLAPI_ACCEPT = "application/rdf+xml, application/xml; q=0.5, text/xml; q=0.3, */*; q=0.2"
ONTOLOGY_ACCEPTS = [*((t, t) for t in RDF_TYPES), (OWLAPI_ACCEPT, "application/rdf+xml"),
                    ("text/html", "text/html")]


@pytest.mark.parametrize("accept,media_type", ONTOLOGY_ACCEPTS)
def test_ontology_iri_dereferences(server, accept, media_type):
    resp = requests.get(f"{server.url}/ontology", headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(media_type)
    if media_type == "text/html":
        assert 'id="PostHolding"' in resp.text and "amata ieņemšana" in resp.text
    else:
        g = _parse(resp, media_type)
        assert (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) in g


@pytest.mark.parametrize("query,accept_language,lang,heading", [
    ("", "", "en", "Classes"), ("?lang=ru", "", "ru", "Классы"), ("", "lv, en;q=0.5", "lv", "Klases"),
    ("?lang=ru", "lv", "ru", "Классы"), ("?lang=de", "ru", "en", "Classes")])
def test_ontology_page_follows_the_language(server, query, accept_language, lang, heading):
    """/ontology for a browser: ?lang= first, then Accept-Language, as the other pages; the page says it."""
    headers = {"Accept": "text/html", **({"Accept-Language": accept_language} if accept_language else {})}
    for path in ("/ontology", "/ontology.html"):
        resp = requests.get(server.url + path + query, headers=headers, timeout=30)
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
        assert resp.headers["Content-Language"] == lang and "Accept-Language" in resp.headers["Vary"]
        assert f'<html lang="{lang}">' in resp.text and f">{heading}</h2>" in resp.text
        assert '<nav id="toc"' in resp.text and 'href="#PostHolding"' in resp.text


@pytest.mark.parametrize("accept,media_type", ONTOLOGY_ACCEPTS)
def test_ontology_version_iri_dereferences(server, dist, accept, media_type):
    ontology = Graph().parse(dist / "ontology.ttl")
    version = ontology.value(URIRef(BASE + "ontology"), OWL.versionIRI)
    assert str(version).startswith(BASE + "ontology/")
    resp = requests.get(server.url + "/" + str(version)[len(BASE):], headers={"Accept": accept}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith(media_type) and "Accept" in resp.headers["Vary"]
    if media_type == "text/html":
        assert 'id="PostHolding"' in resp.text
    else:
        g = _parse(resp, media_type)
        assert (URIRef(BASE + "ontology"), OWL.versionIRI, version) in g and len(g) == len(ontology)
    assert requests.get(f"{server.url}/ontology/0.0.0-none", timeout=30).status_code == 404


def test_named_graph_iri_gives_the_graph(server):
    resp = requests.get(f"{server.url}/graph/inferred", headers={"Accept": "application/n-triples"},
                        timeout=30)
    assert resp.status_code == 200
    assert len(Graph().parse(data=resp.text, format="nt")) > 100


@pytest.mark.parametrize("path", ["/.well-known/void", "/dataset"])
def test_void_and_dcat_description(server, dist, path):
    resp = requests.get(server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert resp.status_code == 200
    g = _parse(resp, "text/turtle")
    ds = URIRef(BASE + "dataset")
    assert (ds, RDF.type, URIRef(VOID + "Dataset")) in g and (ds, RDF.type, DCAT.Dataset) in g
    assert g.value(ds, URIRef(VOID + "sparqlEndpoint")) is not None
    assert g.value(ds, URIRef(VOID + "uriSpace")) is not None
    assert len(list(g.objects(ds, URIRef(VOID + "exampleResource")))) >= 3
    assert len(list(g.objects(ds, DCAT.distribution))) >= 20
    wikidata = URIRef(BASE + "dataset/linkset/wikidata")
    count = int(g.value(wikidata, URIRef(VOID + "triples")))
    data = Graph().parse(dist / "data.nt", format="nt")
    assert count == sum(1 for o in data.objects(None, OWL.sameAs) if "wikidata.org" in str(o))


def test_downloads_page_and_files(server, dist):
    page = requests.get(server.url + "/download", timeout=30)
    assert page.status_code == 200
    manifest = json.loads((dist / "manifest.json").read_text())
    hrefs = set(_html(page.text).links)
    for name in manifest["files"]:
        assert f"/download/{name}" in hrefs, name
    ttl = requests.get(server.url + "/download/data.ttl", timeout=30)
    assert ttl.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert hashlib.sha256(ttl.content).hexdigest() == manifest["files"]["data.ttl"]["sha256"]
    etag = ttl.headers["ETag"]
    assert requests.get(server.url + "/download/data.ttl", headers={"If-None-Match": etag},
                        timeout=30).status_code == 304
    part = requests.get(server.url + "/download/data.ttl", headers={"Range": "bytes=0-99"}, timeout=30)
    assert part.status_code == 206 and part.content == ttl.content[:100]
    gz = requests.get(server.url + "/download/data.ttl.gz", timeout=30, stream=True)
    assert gz.headers["Content-Type"] == "application/gzip"
    assert gzip.decompress(gz.raw.read()) == ttl.content
    gz.close()
    assert requests.get(server.url + "/download/..%2Fpyproject.toml", timeout=30).status_code == 404


def test_landing_page_links_to_a_person_a_session_the_ontology_and_downloads(server):
    resp = requests.get(server.url + "/", timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html; charset=utf-8"
    links = set(_html(resp.text).links)
    assert "/id/person/khrushchev" in links
    assert any(link.startswith("/id/event/") for link in links)
    assert "/ontology" in links and "/download" in links and "/sparql" in links
    assert "CC BY-SA 4.0" in resp.text
    for link in [link for link in links if link.startswith("/id/")][:40]:
        assert requests.get(server.url + link, timeout=30).status_code == 200, link


def test_every_resource_page_is_well_formed_and_every_svg_parses(request, server, dist):
    """Crawl every thing of the data graph: its HTML page parses as XML, and so does each inline SVG. Over an
    external engine, every fourth thing (Virtuoso takes about a second a page on a busy machine)."""
    import xml.etree.ElementTree as ET
    from concurrent.futures import ThreadPoolExecutor

    data = Graph().parse(dist / "data.nt", format="nt")
    things = sorted({str(s)[len(BASE) + 3:] for s in data.subjects()
                     if isinstance(s, URIRef) and str(s).startswith(BASE + "id/")})
    assert len(things) > 200
    sample = request.node.callspec.params.get("any_server", "embedded") != "embedded"
    if sample:
        things = things[::4]

    def fetch(path):
        with requests.Session() as s:
            return path, s.get(f"{server.url}/doc/{path}.html", timeout=60)

    svgs = 0
    with ThreadPoolExecutor(4) as pool:
        for path, resp in pool.map(fetch, things):
            assert resp.status_code == 200, path
            root = ET.fromstring(resp.content.replace(b"<!DOCTYPE html>", b""))
            for svg in root.iter("{http://www.w3.org/2000/svg}svg"):
                ET.fromstring(ET.tostring(svg))
                svgs += 1
    assert svgs >= (3 if sample else 10)


# The routes that once read the embedded pyoxigraph store directly, past the store interface (a 500 over an
# engine): a triple pattern, an identifier lookup, a part of the dataset description.
PAST_THE_INTERFACE = ["/fragments?predicate=rdf%3Atype&object=foaf%3APerson",
                      f"/fragments?subject={BASE}id/person/khrushchev", "/fragments?page=2",
                      "/lookup?uri=Q164348", "/lookup?uri=http://dbpedia.org/resource/Leonid_Brezhnev",
                      f"/lookup?uri={BASE}id/person/khrushchev", "/lookup?uri=Q1",
                      "/dataset/linkset/wikidata", "/dataset/class/apg-Claim", "/dataset/nothing"]


@pytest.mark.parametrize("path", PAST_THE_INTERFACE)
def test_fragments_lookup_and_dataset_parts_answer_as_over_the_embedded_store(server, embedded_server, path):
    headers = {"Accept": "application/n-triples"}
    got = requests.get(server.url + path, headers=headers, allow_redirects=False, timeout=60)
    want = requests.get(embedded_server.url + path, headers=headers, allow_redirects=False, timeout=60)
    assert got.status_code == want.status_code and got.status_code in (200, 303, 404), got.text[:300]
    assert got.headers.get("Location") == want.headers.get("Location")
    if want.status_code == 200:
        assert got.text.replace(server.url, "") == want.text.replace(embedded_server.url, "")
