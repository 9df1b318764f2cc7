"""Errors a person can act on (issue 11, item 8): this graph's prefixes predefined (and listed in the service
description, the query page and the README), unknown prefixes named, syntax errors at the line and column
of the text as sent, no lists of character classes."""
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import requests
from rdflib import Graph, Namespace, URIRef
from sparqlhttp import METHODS, one_line, send

from kg.namespaces import PREFIXES


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

BASE = "https://w3id.org/apg-kg/"
SH = Namespace("http://www.w3.org/ns/shacl#")
RDFS_SEE_ALSO = URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso")
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("method", METHODS)
def test_usual_prefixes_are_predefined(server, oracle, method):
    declared = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
    persons = "SELECT DISTINCT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> }"
    expected = {r["p"].value for r in oracle.query(persons)}
    for text in ("SELECT DISTINCT ?p WHERE { ?p a foaf:Person }",  # pyoxigraph's path; and rdflib's:
                 f"SELECT DISTINCT ?p FROM <{BASE}graph/data> WHERE {{ ?p a foaf:Person }}"):
        resp = send(server.endpoint, method, text)
        assert resp.status_code == 200, resp.text
        got = {b["p"]["value"] for b in resp.json()["results"]["bindings"]}
        assert got == expected and got
        resp = send(server.endpoint, method, declared + text)
        assert {b["p"]["value"] for b in resp.json()["results"]["bindings"]} == expected
    resp = send(server.endpoint, method,
                f"DESCRIBE ?p WHERE {{ ?p a foaf:Person FILTER(?p = <{BASE}id/person/khrushchev>) }}",
                headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200 and BASE + "id/person/khrushchev" in resp.text


def test_both_parsers_know_the_same_prefixes(server):
    """rdflib's own prologue knows 29 prefixes, its schema: being https://schema.org/: a DESCRIBE without
    WHERE (answered from rdflib's parse alone) must read them as pyoxigraph does, this graph's and no
    others."""
    resp = send(server.endpoint, "GET", "DESCRIBE schema:Place", headers={"Accept": "application/n-triples"})
    assert resp.status_code == 200 and "<http://schema.org/Place>" in resp.text, resp.text[:300]
    assert "unknown prefix 'sh:'" in one_line(send(server.endpoint, "GET", "DESCRIBE sh:NodeShape"), 400)


def test_a_declared_prefix_wins(server):
    resp = send(server.endpoint, "GET", "PREFIX foaf: <http://example.org/nothing#> ASK { ?p a foaf:Person }")
    assert resp.status_code == 200 and resp.json()["boolean"] is False


def test_service_description_declares_the_prefixes(server):
    resp = requests.get(server.endpoint, headers={"Accept": "text/turtle"}, timeout=30)
    g = Graph().parse(data=resp.text, format="turtle")
    declared = {str(p): str(ns) for d in g.objects(None, SH.declare)
                for p in g.objects(d, SH.prefix) for ns in g.objects(d, SH.namespace)}
    assert declared == PREFIXES
    node = URIRef(server.endpoint + "#prefixes")
    assert (URIRef(server.endpoint), RDFS_SEE_ALSO, node) in g and (node, SH.declare, None) in g


def test_query_page_and_readme_list_the_prefixes(server):
    page = requests.get(server.endpoint, params={"format": "html"}, timeout=30).text
    root = ET.fromstring(page)
    xhtml = "{http://www.w3.org/1999/xhtml}"
    details = next(e for e in root.iter(xhtml + "details") if e.get("id") == "prefixes")
    rows = {tuple("".join(td.itertext()) for td in tr.iter(xhtml + "td"))
            for tr in details.iter(xhtml + "tr")}
    assert rows == {(f"{p}:", ns) for p, ns in PREFIXES.items()}
    readme = README.read_text(encoding="utf-8")
    for prefix, namespace in PREFIXES.items():
        assert f"| `{prefix}:` | `{namespace}` |" in readme


@pytest.mark.parametrize("dataset", ["", f" FROM <{BASE}graph/data>"])  # pyoxigraph's path and rdflib's
def test_unknown_prefix_is_named_with_its_place(server, dataset):
    text = f"SELECT *{dataset} WHERE {{\n  ?s a ex:Person }}"
    message = one_line(send(server.endpoint, "GET", text), 400)
    expected = "400 Bad Request: unknown prefix 'ex:' at line 2, column 8: declare it"
    assert message.startswith(expected), message
    assert "foaf:" in message and "apg:" in message


def _col(text: str, token: str) -> str:
    offset = text.rindex(token)
    line = text.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


SYNTAX = [
    # (query, token the message must point at)
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}", "FILTER"),
    ("SELECT * FROM <x> WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n}", "FILTER"),
    # \u escapes before the error: rdflib expands them first; the column is still the text's as sent
    ("SELECT * WHERE { ?s ?p \"\\u00e9\\u00e9\\u00e9\" . ?s ?p ?o ) }", ")"),
    ("SELECT * FROM <x> WHERE { ?s ?p \"\\u00e9\\u00e9\" . ?s ?p ?o ) }", ")"),
    ("SELECT * WHERE { ?s ?p 'é' .\n ?s ?p ?o } LIMIT abc", "abc"),
    ("SELECT * WHERE { ?s <http://x/p>+* ?o }", "*"),
    ("SELEC * WHERE { ?s ?p ?o }", "SELEC"),
]


@pytest.mark.parametrize("text,token", SYNTAX)
def test_syntax_errors_point_into_the_text_as_sent(server, text, token):
    message = one_line(send(server.endpoint, "POST-direct", text), 400)
    assert f"at {_col(text, token)}" in message, message
    assert len(message) < 200


BAD = [
    "SELECT * WHERE { ?s ?p ?o", "SELECT * WHERE { ?s ?p ?o } GROUP BY",
    "CONSTRUCT { ?s ?p } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } VALUES ?x { 1 2", "SELECT * WHERE { ?s a foaf:Person } ORDER",
    "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?y", "DESCRIBE", "ASK { ?s ?p 1.2.3 }", "SELECT * WHERE { ?s ?p }",
    "SELECT * WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }", "SELECT * WHERE { ?s a <foo bar> }",
    "DESCRIBE ?x\nWHERE { ?x ?p ?o } GROUP BY ?p",
]


@pytest.mark.parametrize("text", BAD)
def test_no_token_soup(server, text):
    """No 600-character lists of character classes: at most a handful of things a person can type."""
    message = one_line(send(server.endpoint, "POST-direct", text), 400)
    assert len(message) < 220, message
    assert "..=" not in message and "\\u{" not in message and "[_]" not in message, message
    if "expected " in message:
        listed = message.split("expected ", 1)[1].replace(" or ", ", ").split(", ")
        assert len(listed) <= 7, message  # six, and "…"


def test_describe_errors_point_into_the_describe_query(server):
    text = "DESCRIBE ?x\nWHERE { ?x ?p ?o } GROUP BY ?p"  # evaluated as a rewritten SELECT
    message = one_line(send(server.endpoint, "GET", text), 400)
    assert "line 2, column 31" in message, message


def test_an_update_sent_as_a_query_says_so(server):
    message = one_line(send(server.endpoint, "GET", "INSERT DATA { <http://a> <http://b> <http://c> }"), 400)
    assert "SPARQL Update" in message and "read-only" in message


def test_a_broken_iri_is_named(server):
    message = one_line(send(server.endpoint, "GET", "SELECT * WHERE { ?s a <foo bar> }"), 400)
    assert "not a valid IRI: <foo bar>" in message


def test_a_dataset_parameter_that_is_no_iri_is_named(server):
    for name in ("default-graph-uri", "named-graph-uri"):
        resp = send(server.endpoint, "GET", "ASK {}", params=[(name, "not an iri")])
        assert f"{name} 'not an iri' is not an absolute IRI" in one_line(resp, 400)
