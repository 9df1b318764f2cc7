"""The protocol as a table: every method × query form × format, negotiated by Accept, by Accept with q-values,
and by format= (which must win over a conflicting Accept). Each answer is parsed back and compared with the
oracle: SELECT as the multiset of rows, ASK both true and false, CONSTRUCT and DESCRIBE as graphs
(isomorphism); and each is checked against a fact of the data that does not come from the oracle."""
import pytest
from rdflib import Dataset, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS
from sparqlhttp import (
    GRAPH_FORMATS,
    METHODS,
    RESULT_FORMATS,
    boolean_from_response,
    graph_from_oxigraph,
    graph_from_response,
    rows_from_oracle,
    rows_from_response,
    scbd_expected,
    send,
)


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

ID = "https://w3id.org/apg-kg/id/"
PREFIXES = ("PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?p ?label ?none WHERE { ?p a foaf:Person ; rdfs:label ?label "
                         "OPTIONAL { ?p <urn:x:nothing> ?none } }",
    "ASK": PREFIXES + f"ASK {{ <{ID}person/khrushchev> a foaf:Person }}",
    "ASK-false": PREFIXES + f"ASK {{ <{ID}person/khrushchev> a <http://www.w3.org/ns/org#Organization> }}",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?p rdfs:label ?l } WHERE { ?p a foaf:Person ; rdfs:label ?l }",
    "DESCRIBE": f"DESCRIBE <{ID}person/khrushchev>",
}
VARIABLES = ["p", "label", "none"]
ASK_ANSWERS = {"ASK": True, "ASK-false": False}
FORMS_FORMATS = [(form, fmt) for form in ("SELECT", *ASK_ANSWERS) for fmt in RESULT_FORMATS] + \
                [(form, fmt) for form in ("CONSTRUCT", "DESCRIBE") for fmt in GRAPH_FORMATS]
NEGOTIATION = ("accept", "accept-q", "format-param")

CASES = [pytest.param(method, form, fmt, how, id=f"{method}-{form}-{fmt}-{how}")
         for method in METHODS for form, fmt in FORMS_FORMATS for how in NEGOTIATION]


def _table(fmt):
    return RESULT_FORMATS if fmt in RESULT_FORMATS else GRAPH_FORMATS


def request_parts(fmt: str, how: str):
    """(headers, extra params) asking for ``fmt`` in the given way."""
    table = _table(fmt)
    media_type = table[fmt][0]
    other = next(table[f][0] for f in table if f != fmt)
    if how == "accept":
        return {"Accept": media_type}, []
    if how == "accept-q":  # the best acceptable offer beats a less wanted one and an unsupported type
        return {"Accept": f"{other};q=0.4, {media_type};q=0.9, text/html, */*;q=0.1"}, []
    return {"Accept": other}, [("format", fmt)]  # format= overrides Accept


@pytest.fixture(scope="module")
def rdflib_dataset(dist):
    ds = Dataset()
    ds.parse(dist / "dataset.nq", format="nquads")
    return ds


@pytest.mark.parametrize("method,form,fmt,how", CASES)
def test_matrix(server, oracle, rdflib_dataset, method, form, fmt, how):
    headers, params = request_parts(fmt, how)
    resp = send(server.endpoint, method, QUERIES[form], headers=headers, params=params)
    assert resp.status_code == 200, resp.text
    media_type = _table(fmt)[fmt][0]
    assert resp.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    if form == "SELECT":
        got = rows_from_response(resp.content, fmt, VARIABLES)
        expected = rows_from_oracle(oracle.query(QUERIES[form]), VARIABLES, fmt)
        assert got == expected and sum(got.values()) > 10
        khrushchev = ID + "person/khrushchev"
        if fmt == "csv":  # lexical forms only
            assert got[(khrushchev, "Nikita Khrushchev", "")] == 1
        else:
            assert got[(("uri", khrushchev), ("literal", "Nikita Khrushchev", "en", None), None)] == 1
    elif form in ASK_ANSWERS:
        expected = bool(oracle.query(QUERIES[form]))
        assert boolean_from_response(resp.content, fmt) is ASK_ANSWERS[form] is expected
    elif form == "CONSTRUCT":
        got = graph_from_response(resp.content, fmt)
        expected = graph_from_oxigraph(oracle.query(QUERIES[form]))
        assert len(got) > 10 and isomorphic(got, expected)
        label = (URIRef(ID + "person/khrushchev"), RDFS.label, Literal("Nikita Khrushchev", lang="en"))
        assert label in got
    else:
        got = graph_from_response(resp.content, fmt)
        expected = scbd_expected(rdflib_dataset, oracle.manifest["default_graph"],
                                 URIRef(f"{ID}person/khrushchev"))
        assert isomorphic(got, expected)
        # symmetric: both directions are there
        subjects = {str(s) for s in got.subjects()}
        objects = {str(o) for o in got.objects()}
        assert f"{ID}person/khrushchev" in subjects and f"{ID}person/khrushchev" in objects
        assert len(subjects) > 1
