"""Real SPARQL clients against the real server: SPARQLWrapper (JSON, XML, CSV, TSV, Turtle, JSON-LD, RDF/XML;
GET and POST) and rdflib's SPARQLStore (GET, POST, form POST; default-graph-uri through a graph
identifier)."""
import csv
import io

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from sparqlhttp import graph_from_oxigraph
from SPARQLWrapper import CSV, GET, JSON, JSONLD, POST, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

FOAF_PERSON = "http://xmlns.com/foaf/0.1/Person"
SELECT = f"SELECT ?p WHERE {{ ?p a <{FOAF_PERSON}> }}"
CONSTRUCT = f"CONSTRUCT {{ ?p a <{FOAF_PERSON}> }} WHERE {{ ?p a <{FOAF_PERSON}> }}"
KHRUSHCHEV = "https://w3id.org/apg-kg/id/person/khrushchev"


@pytest.fixture(scope="module")
def persons(oracle):
    return {s["p"].value for s in oracle.query(SELECT)}


def wrapper(server, query, fmt, method):
    sw = SPARQLWrapper(server.endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    sw.setMethod(method)
    sw.setTimeout(30)
    return sw


def _read(sw):
    result = sw.query()
    try:
        return result.response.headers.get("Content-Type"), result.convert()
    finally:
        result.response.close()


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select(server, persons, method):
    ctype, data = _read(wrapper(server, SELECT, JSON, method))
    assert ctype == "application/sparql-results+json; charset=utf-8"
    assert {b["p"]["value"] for b in data["results"]["bindings"]} == persons

    ctype, doc = _read(wrapper(server, SELECT, XML, method))
    assert ctype == "application/sparql-results+xml; charset=utf-8"
    assert {u.firstChild.data for u in doc.getElementsByTagName("uri")} == persons

    ctype, data = _read(wrapper(server, SELECT, CSV, method))
    assert ctype == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert {r["p"] for r in rows} == persons

    ctype, data = _read(wrapper(server, SELECT, TSV, method))
    assert ctype == "text/tab-separated-values; charset=utf-8"
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == "?p" and {line.strip("<>") for line in lines[1:]} == persons


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_ask(server, method):
    _, data = _read(wrapper(server, f"ASK {{ <{KHRUSHCHEV}> a <{FOAF_PERSON}> }}", JSON, method))
    assert data["boolean"] is True
    _, doc = _read(wrapper(server, "ASK { <urn:x:none> ?p ?o }", XML, method))
    assert doc.getElementsByTagName("boolean")[0].firstChild.data == "false"


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("fmt,media_type,parser", [
    (TURTLE, "text/turtle", "turtle"),
    (JSONLD, "application/ld+json", None),
    (RDFXML, "application/rdf+xml", None),
])
def test_sparqlwrapper_construct(server, oracle, method, fmt, media_type, parser):
    ctype, data = _read(wrapper(server, CONSTRUCT, fmt, method))
    assert ctype == f"{media_type}; charset=utf-8"
    graph = Graph().parse(data=data, format=parser) if parser else data
    assert isomorphic(graph, graph_from_oxigraph(oracle.query(CONSTRUCT)))


@pytest.fixture(params=["GET", "POST", "POST_FORM"])
def sparqlstore(request, server):
    store = SPARQLStore(server.endpoint, method=request.param, returnFormat="xml")
    yield store
    store.close()


def test_sparqlstore_select_ask_construct(sparqlstore, oracle, persons):
    graph = Dataset(sparqlstore, default_union=True)  # queries go to the service's default dataset
    assert {str(row.p) for row in graph.query(SELECT)} == persons
    assert graph.query(f"ASK {{ <{KHRUSHCHEV}> a <{FOAF_PERSON}> }}").askAnswer is True
    got = Graph()
    for t in graph.query(CONSTRUCT):
        got.add(t)
    assert isomorphic(got, graph_from_oxigraph(oracle.query(CONSTRUCT)))
    labels = set(graph.objects(URIRef(KHRUSHCHEV), URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
    assert Literal("Nikita Khrushchev", lang="en") in labels


def test_sparqlstore_graph_identifier_is_default_graph_uri(sparqlstore, oracle):
    """A graph bound to a named graph makes SPARQLStore send default-graph-uri: only that graph answers."""
    ontology = oracle.manifest["graphs"]["ontology"]["iri"]
    data = oracle.manifest["graphs"]["data"]["iri"]
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for iri in (ontology, data):
        graph = Graph(sparqlstore, identifier=URIRef(iri))
        (n,) = next(iter(graph.query(q)))
        expected = next(iter(oracle.query(q, default_graph=[iri])))["n"].value
        assert int(n) == int(expected) > 100
