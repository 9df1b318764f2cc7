"""Lookup from identifiers others use, and the identity links as their own downloads, against the real server:
``/lookup?uri=`` in every form a Wikidata or DBpedia identifier is written, the linkset files (equal to the
graph's owl:sameAs links, described in VoID and DCAT, listed in the manifest) and the Mix'n'match catalogue.
Expected links come from the verified rows of the reference table, never from the code under test."""
import csv
import io
import json

import pytest
import requests
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, OWL, RDF

from kg.links import load_links

BASE = "https://w3id.org/apg-kg/"
VOID = "http://rdfs.org/ns/void#"
KHRUSHCHEV = "/id/person/khrushchev"

FOUND = [
    ("http://www.wikidata.org/entity/Q35314", KHRUSHCHEV),
    ("https://www.wikidata.org/entity/Q35314", KHRUSHCHEV),
    ("wd:Q35314", KHRUSHCHEV),
    ("Q35314", KHRUSHCHEV),
    ("q35314", KHRUSHCHEV),
    (" Q35314 ", KHRUSHCHEV),
    ("https://www.wikidata.org/wiki/Q35314", KHRUSHCHEV),
    ("https://m.wikidata.org/wiki/Q35314", KHRUSHCHEV),
    ("https://www.wikidata.org/wiki/Special:EntityData/Q35314.json", KHRUSHCHEV),
    ("http://dbpedia.org/resource/Nikita_Khrushchev", KHRUSHCHEV),
    ("https://dbpedia.org/page/Nikita_Khrushchev", KHRUSHCHEV),
    ("dbr:Nikita_Khrushchev", KHRUSHCHEV),
    ("http://dbpedia.org/resource/Nikita%20Khrushchev", KHRUSHCHEV),
    ("Q842008", "/id/organization/presidium"),
    ("http://dbpedia.org/resource/Kliment_Voroshilov", "/id/person/voroshilov"),  # DBpedia
    ("Q186185", "/id/person/voroshilov"),  # verified in this revision of the reference table
    ("http://www.wikidata.org/entity/Q133356", "/id/place/ukraine"),  # the Ukrainian SSR, verified
    (BASE + "id/person/molotov", "/id/person/molotov"),  # our own IRI
]
UNKNOWN = [
    "Q1",  # a real item (the universe), linked to nothing here
    "Q1376528",  # Kirichenko's candidate item: not verified in the reference table, so not published
    "http://www.wikidata.org/entity/Q19777",  # the wrong Khrushchev of machine-written files
    "http://dbpedia.org/resource/Nobody_Here",
    "http://viaf.org/viaf/12345",
    BASE + "id/person/nobody",
]
MALFORMED = ["", "Khrushchev", "Q", "Q0", "Q12x", "wd:Khrushchev", "hello world", "Q35314 Q855", "<Q35314>"]


@pytest.mark.parametrize("given,path", FOUND)
def test_lookup_answers_303_to_our_resource(server, given, path):
    resp = requests.get(server.url + "/lookup", params={"uri": given}, allow_redirects=False, timeout=30)
    assert resp.status_code == 303, resp.text
    assert resp.headers["Location"] == path
    assert resp.text.strip().endswith(BASE + path[1:]) and "\n" not in resp.text.strip()
    # followed, it lands on the resource's description
    doc = requests.get(server.url + "/lookup", params={"uri": given}, headers={"Accept": "text/turtle"},
                       timeout=30)
    assert (URIRef(BASE + path[1:]), None, None) in Graph().parse(data=doc.content, format="turtle")


@pytest.mark.parametrize("given", UNKNOWN)
def test_unknown_identifier_is_404_one_line(server, given):
    resp = requests.get(server.url + "/lookup", params={"uri": given}, allow_redirects=False, timeout=30)
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text.strip().count("\n") == 0 and "no resource of this dataset is linked to" in resp.text


@pytest.mark.parametrize("given", MALFORMED)
def test_malformed_identifier_is_400_one_line(server, given):
    resp = requests.get(server.url + "/lookup", params={"uri": given}, allow_redirects=False, timeout=30)
    assert resp.status_code == 400 and resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text.strip().count("\n") == 0
    assert requests.get(server.url + "/lookup", timeout=30).status_code == 400  # no uri at all


def test_every_verified_wikidata_row_looks_up(server, dist):
    data = Graph().parse(dist / "data.nt", format="nt")
    verified = [r for r in load_links() if r["status"] == "verified" and r["wikidata"]]
    published = {str(o) for o in data.objects(None, OWL.sameAs)}
    rows = [r for r in verified if f"http://www.wikidata.org/entity/{r['wikidata']}" in published]
    assert len(rows) >= 10
    for row in rows:
        resp = requests.get(server.url + "/lookup", params={"uri": row["wikidata"]}, allow_redirects=False,
                            timeout=30)
        assert resp.status_code == 303 and resp.headers["Location"].endswith("/" + row["key"]), row


# ---------------------------------------------------------------- the linksets and the catalogue

LINKSETS = {"wikidata": "http://www.wikidata.org/entity/", "dbpedia": "http://dbpedia.org/resource/"}


@pytest.mark.parametrize("name", LINKSETS)
def test_linkset_download_is_the_graphs_links(server, dist, name):
    resp = requests.get(f"{server.url}/download/linkset-{name}.nt", timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/n-triples; charset=utf-8"
    got = Graph().parse(data=resp.content, format="nt")
    data = Graph().parse(dist / "data.nt", format="nt")
    expected = Graph()
    for s, o in data.subject_objects(OWL.sameAs):
        if str(o).startswith(LINKSETS[name]):
            expected.add((s, OWL.sameAs, o))
    assert len(got) > 5 and isomorphic(got, expected)
    manifest = json.loads((dist / "manifest.json").read_text())
    assert manifest["files"][f"linkset-{name}.nt"]["triples"] == len(expected)

    void = Graph().parse(data=requests.get(server.url + "/.well-known/void", timeout=30).content,
                         format="turtle")
    ls = URIRef(f"{BASE}dataset/linkset/{name}")
    dump = URIRef(f"{BASE}download/linkset-{name}.nt")
    assert (ls, RDF.type, URIRef(VOID + "Linkset")) in void
    assert (ls, URIRef(VOID + "linkPredicate"), OWL.sameAs) in void
    assert (ls, URIRef(VOID + "subjectsTarget"), URIRef(BASE + "dataset")) in void
    assert void.value(ls, URIRef(VOID + "objectsTarget")) is not None
    assert int(void.value(ls, URIRef(VOID + "triples"))) == len(expected)
    assert (ls, URIRef(VOID + "dataDump"), dump) in void and (ls, DCAT.distribution, dump) in void
    assert (dump, RDF.type, DCAT.Distribution) in void and (dump, DCAT.downloadURL, dump) in void
    n_triples = URIRef("https://www.iana.org/assignments/media-types/application/n-triples")
    assert (dump, DCAT.mediaType, n_triples) in void
    # the linkset's own IRI dereferences to the description that holds it
    resp = requests.get(f"{server.url}/dataset/linkset/{name}", headers={"Accept": "text/turtle"}, timeout=30)
    assert [r.status_code for r in resp.history] == [303] and resp.url == server.url + "/dataset"
    assert (ls, RDF.type, URIRef(VOID + "Linkset")) in Graph().parse(data=resp.content, format="turtle")
    assert requests.get(f"{server.url}/dataset/linkset/nowhere", timeout=30).status_code == 404


def test_mixnmatch_catalogue(server, dist):
    resp = requests.get(server.url + "/download/mixnmatch.tsv", timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/tab-separated-values")
    rows = list(csv.DictReader(io.StringIO(resp.text), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert list(rows[0]) == ["id", "name", "description", "type", "url", "q"]
    by_id = {r["id"]: r for r in rows}
    assert len(by_id) == len(rows) > 30
    k = by_id["person/khrushchev"]
    assert (k["name"], k["type"], k["q"]) == ("Nikita Khrushchev", "Q5", "Q35314")
    assert k["url"] == BASE + "id/person/khrushchev"
    assert by_id["organization/presidium"]["type"] == ""
    data = Graph().parse(dist / "data.nt", format="nt")
    verified = {r["key"]: r["wikidata"] for r in load_links() if r["status"] == "verified"}
    for row in rows:
        iri = URIRef(row["url"])
        assert (iri, None, None) in data, row  # every entry is a resource of the graph
        assert Literal(row["name"], lang="en") in set(data.objects(iri, URIRef(
            "http://www.w3.org/2000/01/rdf-schema#label"))), row
        if row["q"]:  # only from the verified list, and as the graph links it
            assert verified[row["id"].split("/", 1)[1]] == row["q"]
            assert (iri, OWL.sameAs, URIRef("http://www.wikidata.org/entity/" + row["q"])) in data
        assert row["type"] == ("Q5" if row["id"].startswith("person/") else "")
    assert by_id["person/kirichenko"]["q"] == ""  # a candidate: no match given
    assert by_id["person/bulganin"]["q"] == "Q48093"  # verified in this revision of the table
    void = Graph().parse(data=requests.get(server.url + "/dataset.ttl", timeout=30).content, format="turtle")
    assert (URIRef(BASE + "dataset"), DCAT.distribution, URIRef(BASE + "download/mixnmatch.tsv")) in void
