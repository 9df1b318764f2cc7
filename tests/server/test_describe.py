"""DESCRIBE = symmetric concise bounded description: the algorithm on a small graph with blank-node
structures, the DESCRIBE → SELECT rewrite, and DESCRIBE forms (variables, *, FROM) through the real server."""
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic
from sparqlhttp import graph_from_oxigraph, graph_from_response, scbd_expected, send

from server.describe import scbd, select_for


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

EX = "http://example.org/"


def n(local):
    return ox.NamedNode(EX + local)


def test_scbd_follows_blank_nodes_both_ways():
    b1, b2, c, d = ox.BlankNode("b1"), ox.BlankNode("b2"), ox.BlankNode("c"), ox.BlankNode("d")
    g = n("g")
    triples = [
        (n("a"), n("p"), b1), (b1, n("q"), b2), (b2, n("r"), ox.Literal("x")),  # outgoing, closed over blanks
        (c, n("s"), n("a")), (d, n("t"), c), (n("e"), n("u"), d),  # incoming, closed over blank subjects
        (c, n("other"), ox.Literal("not part of it")),  # outgoing of an incoming blank node: left out
        (n("z"), n("p"), n("a")), (n("z"), n("q"), ox.Literal("not part of it")),  # an IRI's other triples
        (n("a"), n("label"), ox.Literal("a", language="en")),
    ]
    store = ox.Store()
    store.extend([ox.Quad(*t, g) for t in triples])
    store.add(ox.Quad(n("a"), n("elsewhere"), n("x"), n("other-graph")))
    got = scbd(store, [n("a")], [g])
    expected = {ox.Triple(*t) for t in triples if not (isinstance(t[2], ox.Literal) and
                                                       t[2].value == "not part of it")}
    assert set(got) == expected and len(got) == len(expected)
    assert scbd(store, [n("nothing")], [g]) == []
    assert {t.predicate for t in scbd(store, [n("a")], [g, n("other-graph")])} >= {n("elsewhere")}


@pytest.mark.parametrize("query,select,variables", [
    ("PREFIX ex: <http://x/>\n# DESCRIBE in a comment\nDESCRIBE ex:a ?x <b> WHERE { ?x ?p ?o } LIMIT 2",
     "PREFIX ex: <http://x/>\n# DESCRIBE in a comment\nSELECT ?x  WHERE { ?x ?p ?o } LIMIT 2", ["x"]),
    ("describe*{?s ?p ?o}", "SELECT * {?s ?p ?o}", None),
    ("BASE <http://b/> DESCRIBE $y ?z FROM <g> WHERE { ?y ?p ?z } ORDER BY ?y",
     "BASE <http://b/> SELECT ?y ?z FROM <g> WHERE { ?y ?p ?z } ORDER BY ?y", ["y", "z"]),
])
def test_describe_head_becomes_select(query, select, variables):
    got, names = select_for(query)
    assert " ".join(got.split()) == " ".join(select.split()) and names == variables


@pytest.fixture(scope="module")
def rdflib_dataset(dist):
    ds = Dataset()
    ds.parse(dist / "dataset.nq", format="nquads")
    return ds


def test_describe_variables_star_and_from(server, oracle, rdflib_dataset):
    default = oracle.manifest["default_graph"]
    persons = "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } ORDER BY ?p LIMIT 2"
    first_two = [URIRef(s["p"].value) for s in oracle.query(persons)]
    expected = Graph()
    for p in first_two:
        expected += scbd_expected(rdflib_dataset, default, p)
    for q in ("DESCRIBE ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } ORDER BY ?p LIMIT 2",
              "DESCRIBE * WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } ORDER BY ?p LIMIT 2"):
        r = send(server.endpoint, "GET", q, headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, r.text
        assert isomorphic(graph_from_response(r.content, "nt"), expected)
    # FROM picks the graph the description is taken from
    metadata = oracle.manifest["graphs"]["metadata"]["iri"]
    dataset_iri = oracle.manifest["base"] + "dataset"
    r = send(server.endpoint, "POST-form", f"DESCRIBE <{dataset_iri}> FROM <{metadata}>",
             headers={"Accept": "text/turtle"})
    got = graph_from_response(r.content, "ttl")
    assert len(got) > 10 and isomorphic(got, scbd_expected(rdflib_dataset, [metadata], URIRef(dataset_iri)))
    # pyoxigraph's own DESCRIBE (outgoing only) is a strict subset of the answer
    own = graph_from_oxigraph(oracle.store.query(f"DESCRIBE <{first_two[0]}>",
                                                 default_graph=oracle.default_graph))
    full = scbd_expected(rdflib_dataset, default, first_two[0])
    assert set(own) < set(full)
