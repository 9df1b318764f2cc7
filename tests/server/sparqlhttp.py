"""Helpers for the server tests: send a query in each protocol way, and read answers back into comparable
values (rdflib parsers for results and graphs; nothing compares strings of serialised output)."""
import io
from collections import Counter
from urllib.parse import urlencode

import pyoxigraph as ox
import requests
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.query import Result

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
METHODS = ("GET", "POST-form", "POST-direct")

# format short name -> (media type, rdflib parser name)
RESULT_FORMATS = {
    "json": ("application/sparql-results+json", "json"),
    "xml": ("application/sparql-results+xml", "xml"),
    "csv": ("text/csv", "csv"),
    "tsv": ("text/tab-separated-values", "tsv"),
}
GRAPH_FORMATS = {
    "ttl": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdf": ("application/rdf+xml", "xml"),
    "nq": ("application/n-quads", "nquads"),
    "trig": ("application/trig", "trig"),
}


def send(endpoint: str, method: str, query: str, *, headers=None, params=(), timeout=30) -> requests.Response:
    """One query by GET, POST of a form, or POST of the query itself; params: extra (name, value) pairs."""
    headers = dict(headers or {})
    params = list(params)
    if method == "GET":
        return requests.get(endpoint, params=[("query", query), *params], headers=headers, timeout=timeout)
    if method == "POST-form":
        return requests.post(endpoint, data=[("query", query), *params], headers=headers, timeout=timeout)
    if method == "POST-direct":
        headers["Content-Type"] = "application/sparql-query"
        url = endpoint + ("?" + urlencode(params) if params else "")
        return requests.post(url, data=query.encode("utf-8"), headers=headers, timeout=timeout)
    raise ValueError(method)


def norm(term):
    """A comparable value for an rdflib or pyoxigraph term (blank nodes compare equal to each other)."""
    if term is None:
        return None
    if isinstance(term, (URIRef, ox.NamedNode)):
        return ("uri", str(term) if isinstance(term, URIRef) else term.value)
    if isinstance(term, (BNode, ox.BlankNode)):
        return ("bnode",)
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else None
        plain = datatype in (XSD_STRING, RDF_LANGSTRING)
        return ("literal", str(term), term.language, None if plain else datatype)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        return ("literal", term.value, term.language,
                None if datatype in (XSD_STRING, RDF_LANGSTRING) else datatype)
    raise TypeError(term)


def lexical(term):
    """What CSV keeps of a term: its lexical form (IRI or literal value)."""
    n = norm(term)
    return None if n is None or n[0] == "bnode" else n[1]


def rows_from_response(body: bytes, fmt: str, variables) -> Counter:
    """The multiset of solutions in an answer, each a tuple over ``variables``."""
    result = Result.parse(io.BytesIO(body), format=RESULT_FORMATS[fmt][1])
    pick = lexical if fmt == "csv" else norm
    out = Counter()
    for b in result.bindings:
        by_name = {str(k): v for k, v in b.items()}
        out[tuple(pick(by_name.get(v)) or ("" if fmt == "csv" else None) for v in variables)] += 1
    return out


def rows_from_oracle(solutions, variables, fmt: str = "json") -> Counter:
    pick = lexical if fmt == "csv" else norm
    out = Counter()
    for s in solutions:
        out[tuple(pick(s[v]) or ("" if fmt == "csv" else None) for v in variables)] += 1
    return out


def boolean_from_response(body: bytes, fmt: str) -> bool:
    if fmt in ("csv", "tsv"):  # not defined by the CSV/TSV spec: pyoxigraph writes the bare word
        return {b"true": True, b"false": False}[body.strip()]
    return Result.parse(io.BytesIO(body), format=RESULT_FORMATS[fmt][1]).askAnswer


def graph_from_response(body: bytes, fmt: str) -> Graph:
    """The triples of a graph answer (for N-Quads/TriG: of all its graphs, which must be the default one)."""
    parser = GRAPH_FORMATS[fmt][1]
    if fmt in ("nq", "trig"):
        ds = Dataset()
        ds.parse(data=body, format=parser)
        graphs = {str(q[3]) for q in ds.quads()}
        assert graphs <= {"urn:x-rdflib:default"}, graphs
        g = Graph()
        for s, p, o, _ in ds.quads():
            g.add((s, p, o))
        return g
    return Graph().parse(data=body, format=parser)


def graph_from_oxigraph(triples) -> Graph:
    return Graph().parse(data=ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES), format="nt")


def scbd_expected(dataset: Dataset, default_graphs, resource) -> Graph:
    """Independent symmetric CBD with rdflib: outgoing (closing over blank objects) + incoming (closing over
    blank subjects) in the merge of the default graphs."""
    union = Graph()
    for iri in default_graphs:
        for t in dataset.graph(iri):
            union.add(t)
    out = Graph()
    todo, seen = [resource], {resource}
    while todo:
        node = todo.pop()
        for t in union.triples((node, None, None)):
            out.add(t)
            if isinstance(t[2], BNode) and t[2] not in seen:
                seen.add(t[2])
                todo.append(t[2])
    todo, seen = [resource], {resource}
    while todo:
        node = todo.pop()
        for t in union.triples((None, None, node)):
            out.add(t)
            if isinstance(t[0], BNode) and t[0] not in seen:
                seen.add(t[0])
                todo.append(t[0])
    return out


def one_line(resp: requests.Response, status: int) -> str:
    """The text of a one-line text/plain error with ``status`` (never a traceback)."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = resp.text
    assert text.endswith("\n") and "\n" not in text[:-1], text
    assert "Traceback" not in text
    return text
