"""Triple Pattern Fragments at /fragments, over HTTP against the real server: every page of a fragment,
walked by its hydra:next links, holds exactly the triples of the default graph (data + ontology, read here
with rdflib from the dump) that match the pattern; the counts, the search controls and the paging links are
those of the specification; every format parses; answers are cacheable; bad patterns get a one-line 400. Over
the embedded store and over each engine (the fragments are the store interface's ``match``)."""
from urllib.parse import quote
from xml.etree import ElementTree

import pytest
import requests
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import FOAF, RDF, RDFS, XSD
from sparqlhttp import one_line

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
VOID = Namespace("http://rdfs.org/ns/void#")
BASE = "https://w3id.org/apg-kg/"
KHRUSHCHEV = URIRef(BASE + "id/person/khrushchev")
TRIG = {"Accept": "application/trig"}

# (subject, predicate, object) as sent, and the rdflib terms they stand for (None: any)
PATTERNS = [
    ({"subject": str(KHRUSHCHEV)}, (KHRUSHCHEV, None, None)),
    ({"predicate": str(RDFS.label)}, (None, RDFS.label, None)),  # several pages
    ({"predicate": "rdf:type", "object": "foaf:Person"}, (None, RDF.type, FOAF.Person)),  # prefixed names
    ({"object": '"Nikita Khrushchev"@en'}, (None, None, Literal("Nikita Khrushchev", lang="en"))),
    ({"object": f'"1957-06-29"^^{XSD.date}'}, (None, None, Literal("1957-06-29", datatype=XSD.date))),
    ({"subject": f"<{KHRUSHCHEV}>", "predicate": "?p", "object": "_:o"}, (KHRUSHCHEV, None, None)),
    ({"predicate": str(RDFS.subClassOf)}, (None, RDFS.subClassOf, None)),  # the ontology graph's triples
    ({"subject": BASE + "id/person/nobody"}, (URIRef(BASE + "id/person/nobody"), None, None)),  # empty
    ({}, (None, None, None)),  # everything
]


# pyoxigraph's store (0.5) keeps the literals of xsd:integer's derived types as xsd:integer (the
# endpoint answers so too): the expected triples say what the store holds.
_INTEGERS = {XSD[t] for t in ("positiveInteger", "nonNegativeInteger", "negativeInteger",
                              "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong",
                              "unsignedInt", "unsignedShort", "unsignedByte")}


def _as_stored(term):
    if isinstance(term, Literal) and term.datatype in _INTEGERS:
        return Literal(str(term), datatype=XSD.integer)
    return term


@pytest.fixture
def server(any_server):
    return any_server


@pytest.fixture(scope="module")
def default_graph(dist) -> Graph:
    ds = Dataset()
    ds.parse(dist / "dataset.nq", format="nquads")
    union = Graph()
    for name in ("data", "ontology"):
        for s, p, o in ds.graph(URIRef(BASE + f"graph/{name}")):
            union.add((s, p, _as_stored(o)))
    return union


def _url(server, params: dict, page: int | None = None) -> str:
    items = [f"{k}={quote(v, safe='')}" for k, v in params.items()]
    if page:
        items.append(f"page={page}")
    return server.url + "/fragments" + ("?" + "&".join(items) if items else "")


def _get(url: str, headers=TRIG) -> tuple[Graph, Graph, requests.Response]:
    """The data (default graph) and the metadata (the named graph about the page) of a TriG fragment."""
    resp = requests.get(url, headers=headers, timeout=30)
    assert resp.status_code == 200, resp.text
    ds = Dataset()
    ds.parse(data=resp.content, format="trig")
    meta_name = URIRef(url + "#metadata")
    data, meta = Graph(), Graph()
    for s, p, o, g in ds.quads():
        assert str(g) in ("urn:x-rdflib:default", str(meta_name)), g
        (meta if g == meta_name else data).add((s, p, o))
    assert (meta_name, FOAF.primaryTopic, URIRef(url)) in meta
    return data, meta, resp


@pytest.mark.parametrize("params, pattern", PATTERNS, ids=[str(p[0]) or "all" for p in PATTERNS])
def test_every_page_together_is_the_pattern_of_the_default_graph(server, default_graph, params, pattern):
    expected = set(default_graph.triples(pattern))
    url, seen, pages = _url(server, params), [], 0
    while url:
        data, meta, _ = _get(url)
        page = URIRef(url)
        assert int(meta.value(page, HYDRA.totalItems)) == len(expected)
        assert int(meta.value(page, VOID.triples)) == len(expected)
        assert int(meta.value(page, HYDRA.itemsPerPage)) == 100
        assert len(data) <= 100
        seen += list(data)
        pages += 1
        nxt = meta.value(page, HYDRA.next)
        if pages > 1:
            assert meta.value(page, HYDRA.previous) is not None
        url = str(nxt) if nxt is not None else None
    assert len(seen) == len(set(seen))  # no triple on two pages
    assert {(s, p, _as_stored(o)) for s, p, o in seen} == expected  # Virtuoso keeps the derived types
    assert pages == max(1, -(-len(expected) // 100))


def test_controls_are_the_hydra_search_template(server):
    url = _url(server, {"subject": str(KHRUSHCHEV)})
    _, meta, _ = _get(url)
    dataset = URIRef(server.url + "/fragments#dataset")
    assert (dataset, RDF.type, VOID.Dataset) in meta and (dataset, RDF.type, HYDRA.Collection) in meta
    assert (dataset, VOID.subset, URIRef(url)) in meta
    search = meta.value(dataset, HYDRA.search)
    assert str(meta.value(search, HYDRA.template)) == server.url + "/fragments{?subject,predicate,object}"
    assert meta.value(search, HYDRA.variableRepresentation) == HYDRA.ExplicitRepresentation
    mappings = {str(meta.value(m, HYDRA.variable)): meta.value(m, HYDRA.property)
                for m in meta.objects(search, HYDRA.mapping)}
    assert mappings == {"subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object}
    assert meta.value(URIRef(url), HYDRA.first) is not None
    assert meta.value(URIRef(url), HYDRA.next) is None  # 37 triples: one page


def test_the_interface_itself_is_the_first_page_of_everything(server, default_graph):
    data, meta, _ = _get(server.url + "/fragments")
    assert int(meta.value(URIRef(server.url + "/fragments"), HYDRA.totalItems)) == len(default_graph)
    assert len(data) == 100


def test_a_page_past_the_end_is_empty_with_its_controls(server):
    url = _url(server, {"subject": str(KHRUSHCHEV)}, page=5)
    data, meta, _ = _get(url)
    assert len(data) == 0
    assert int(meta.value(URIRef(url), HYDRA.totalItems)) == 37
    assert meta.value(URIRef(url), HYDRA.previous) is not None


@pytest.mark.parametrize("accept, media_type, parser", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/n-quads", "application/n-quads", "nquads"),
    ("application/trig", "application/trig", "trig"),
    ("*/*", "text/turtle", "turtle"),
    (None, "text/turtle", "turtle"),
])
def test_formats(server, accept, media_type, parser):
    url = _url(server, {"subject": str(KHRUSHCHEV)})
    resp = requests.get(url, headers={"Accept": accept} if accept else {}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    ds = Dataset()
    ds.parse(data=resp.content, format=parser)
    triples = {(s, p, o) for s, p, o, _ in ds.quads()}
    assert (KHRUSHCHEV, RDF.type, FOAF.Person) in triples
    assert any(p == HYDRA.totalItems and int(o) == 37 for _, p, o in triples)


def test_browsers_get_a_page_with_a_form(server):
    url = _url(server, {"predicate": str(RDFS.label)})
    resp = requests.get(url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/html; charset=utf-8"
    page = ElementTree.fromstring(resp.content)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    field = page.find(".//h:form[@id='pattern']//h:input[@name='predicate']", ns)
    assert field.get("value") == str(RDFS.label)
    assert len(page.findall(".//h:table[@id='triples']/h:tbody/h:tr", ns)) == 100
    assert page.find(".//h:a[@rel='next']", ns) is not None
    types = {e.get("type") for e in page.findall(".//h:head/h:link[@rel='alternate']", ns)}
    assert {"text/turtle", "application/trig", "application/ld+json"} <= types


def test_answers_are_cacheable(server):
    url = _url(server, {"subject": str(KHRUSHCHEV)})
    first = requests.get(url, headers=TRIG, timeout=30)
    assert "public" in first.headers["Cache-Control"] and first.headers["ETag"]
    assert "Accept" in first.headers["Vary"]
    again = requests.get(url, headers={**TRIG, "If-None-Match": first.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    other = requests.get(url, headers={"Accept": "text/turtle"}, timeout=30)
    assert other.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("query, says", [
    ("subject=not-an-iri", "absolute IRI"),
    ("subject=%22Khrushchev%22", "literal cannot be the subject"),
    ("predicate=%22x%22%40en", "literal cannot be the predicate"),
    ("object=%22unterminated", "no literal"),
    ("object=%22x%22%40not_a_tag", "no literal"),
    ("object=%22x%22%5E%5Enot-an-iri", "absolute IRI"),
    ("subject=http%3A%2F%2Fa%20b", "absolute IRI"),
    ("subject=http%3A%2F%2Fa&subject=http%3A%2F%2Fb", "once"),
    ("page=0", "page"),
    ("page=x", "page"),
    ("page=%D9%A3", "page"),  # a non-ASCII digit
    ("page=" + "9" * 5000, "page"),  # more digits than int() takes
    ("page=2000000", "page"),
    ("subject=http%3A%2F%2Fa%00", "absolute IRI"),
])
def test_bad_patterns_get_one_line(server, query, says):
    resp = requests.get(server.url + "/fragments?" + query, timeout=30)
    assert says in one_line(resp, 400)


def test_unknown_format_is_not_acceptable(server):
    one_line(requests.get(server.url + "/fragments?format=xls", timeout=30), 406)
    one_line(requests.get(server.url + "/fragments", headers={"Accept": "image/png"}, timeout=30), 406)
