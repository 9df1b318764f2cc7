"""HTTP manners: CORS (with preflight), gzip, ETag / If-None-Match, Cache-Control, Vary, HEAD and OPTIONS; the
health check; the Service Description; the dataset the protocol selects."""
import gzip
import http.client
import time
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from sparqlhttp import send


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
QUERY = "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> }"


def raw_get(server, path, headers):
    """A GET without any client-side decoding, to see the bytes and headers as sent."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()  # an email.message.Message: names case-insensitive
    finally:
        conn.close()


def test_healthz(server):
    r = requests.get(server.url + "/healthz", timeout=10)
    assert r.status_code == 200 and r.text.startswith("ok")


def test_cors_simple_and_preflight(server):
    r = send(server.endpoint, "GET", QUERY, headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in r.headers
    assert "ETag" in r.headers["Access-Control-Expose-Headers"]
    pre = requests.options(server.endpoint, timeout=10, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, accept"})
    assert pre.status_code == 204
    assert pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in pre.headers["Access-Control-Allow-Methods"]
    assert "content-type" in pre.headers["Access-Control-Allow-Headers"].lower()
    assert int(pre.headers["Access-Control-Max-Age"]) > 0
    assert "Access-Control-Allow-Credentials" not in pre.headers
    # errors carry CORS too, so browsers can read the reason
    err = send(server.endpoint, "GET", "SELECT * {", headers={"Origin": "https://example.org"})
    assert err.status_code == 400 and err.headers["Access-Control-Allow-Origin"] == "*"


def test_options_and_head(server):
    r = requests.options(server.endpoint, timeout=10)
    assert r.status_code == 204 and {"GET", "HEAD", "POST", "OPTIONS"} <= {
        m.strip() for m in r.headers["Allow"].split(",")}
    get = send(server.endpoint, "GET", QUERY, headers={"Accept-Encoding": "identity"})
    head = requests.head(server.endpoint, params={"query": QUERY}, headers={"Accept-Encoding": "identity"},
                         timeout=10)
    assert head.status_code == 200 and head.content == b""
    for h in ("Content-Type", "ETag", "Cache-Control", "Content-Length"):
        assert head.headers[h] == get.headers[h], h
    assert requests.head(server.endpoint, timeout=10).status_code == 200  # the service description


def test_gzip_when_accepted(server):
    path = "/sparql?" + urlencode({"query": QUERY})
    status, headers, body = raw_get(server, path, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    plain_status, plain_headers, plain = raw_get(server, path, {"Accept-Encoding": "identity"})
    assert plain_status == 200 and "Content-Encoding" not in plain_headers
    assert gzip.decompress(body) == plain
    assert int(headers["Content-Length"]) == len(body)
    assert headers["ETag"] != plain_headers["ETag"]  # a different representation, a different entity tag
    for h in (headers, plain_headers):
        assert {"accept", "accept-encoding"} <= {v.strip().lower() for v in h["Vary"].split(",")}


def test_etag_and_conditional_get(server):
    a = send(server.endpoint, "GET", QUERY)
    b = send(server.endpoint, "POST-form", QUERY)
    assert a.status_code == b.status_code == 200
    etag = a.headers["ETag"]
    assert etag.startswith('"') and etag == b.headers["ETag"]  # same dataset, same request, same tag
    assert a.headers["Cache-Control"] == "public, max-age=3600"
    assert send(server.endpoint, "GET", QUERY + " LIMIT 1").headers["ETag"] != etag
    assert send(server.endpoint, "GET", QUERY, headers={"Accept": "text/csv"}).headers["ETag"] != etag
    nm = send(server.endpoint, "GET", QUERY, headers={"If-None-Match": etag})
    assert nm.status_code == 304 and nm.content == b"" and nm.headers["ETag"] == etag
    assert nm.headers["Cache-Control"] == "public, max-age=3600"
    assert send(server.endpoint, "GET", QUERY, headers={"If-None-Match": '"other"'}).status_code == 200
    # a POST whose precondition fails is not performed
    assert send(server.endpoint, "POST-direct", QUERY, headers={"If-None-Match": etag}).status_code == 412
    sd = requests.get(server.endpoint, timeout=10)
    again = requests.get(server.endpoint, headers={"If-None-Match": sd.headers["ETag"]}, timeout=10)
    assert again.status_code == 304


def test_service_description(server, oracle):
    r = requests.get(server.endpoint, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/turtle; charset=utf-8"
    g = Graph().parse(data=r.content, format="turtle")
    service = URIRef(server.endpoint)
    assert (service, RDF.type, SD.Service) in g
    assert (service, SD.endpoint, service) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in g
    formats = set(g.objects(service, SD.resultFormat))
    assert {FORMATS[n] for n in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
                                 "SPARQL_Results_TSV", "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads",
                                 "TriG")} == formats
    dataset = g.value(service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    assert (dataset, RDFS.seeAlso, URIRef(server.url + "/.well-known/void")) in g
    assert g.value(dataset, SD.defaultGraph) is not None
    names = {str(g.value(ng, SD.name)) for ng in g.objects(dataset, SD.namedGraph)}
    assert names == {v["iri"] for v in oracle.manifest["graphs"].values()}
    for accept, parser in (("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"),
                           ("application/n-triples", "nt")):
        other = requests.get(server.endpoint, headers={"Accept": accept}, timeout=10)
        assert other.headers["Content-Type"] == f"{accept}; charset=utf-8"
        assert isomorphic(Graph().parse(data=other.content, format=parser), g)
    assert requests.get(server.endpoint, headers={"Accept": "application/sparql-results+json"},
                        timeout=10).status_code == 406


def _count(server, method, query, params=()):
    r = send(server.endpoint, method, query, params=params)
    assert r.status_code == 200, r.text
    return [b for b in r.json()["results"]["bindings"]]


@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_dataset_selection(server, oracle, method):
    graphs = {k: v["iri"] for k, v in oracle.manifest["graphs"].items()}
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    names = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

    def n(rows):
        return int(rows[0]["n"]["value"])

    def expected(q, **dataset):
        return next(iter(oracle.query(q, **dataset)))["n"].value

    # default dataset: data + ontology as default graph, every graph named
    assert n(_count(server, method, count)) == int(expected(count))
    assert {b["g"]["value"] for b in _count(server, method, names)} == set(graphs.values())
    # protocol default-graph-uri (repeatable) replaces the default graph ...
    rows = _count(server, method, count, [("default-graph-uri", graphs["inferred"]),
                                          ("default-graph-uri", graphs["metadata"])])
    assert n(rows) == int(expected(count, default_graph=[graphs["inferred"], graphs["metadata"]]))
    # ... and named-graph-uri alone leaves an empty default graph and only the named ones
    assert n(_count(server, method, count, [("named-graph-uri", graphs["metadata"])])) == 0
    rows = _count(server, method, names, [("named-graph-uri", graphs["metadata"])])
    assert {b["g"]["value"] for b in rows} == {graphs["metadata"]}
    # FROM / FROM NAMED in the query, overridden by the protocol
    q = f"SELECT (COUNT(*) AS ?n) FROM <{graphs['ontology']}> WHERE {{ ?s ?p ?o }}"
    assert n(_count(server, method, q)) == int(expected(count, default_graph=[graphs["ontology"]]))
    assert n(_count(server, method, q, [("default-graph-uri", graphs["data"])])) == \
        int(expected(count, default_graph=[graphs["data"]]))
    q = f"SELECT DISTINCT ?g FROM NAMED <{graphs['inferred']}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert {b["g"]["value"] for b in _count(server, method, q)} == {graphs["inferred"]}
    # an unknown graph is simply empty
    assert n(_count(server, method, count, [("default-graph-uri", "urn:x:unknown")])) == 0


def test_compressed_once_and_vary_everywhere(server):
    """Every compressible answer says Vary: Accept-Encoding (documents included), and a repeated request gets
    the very bytes compressed the first time: gzip stamps the time, so a recompression a second later would
    differ.
    One keep-alive connection, so both requests reach the same worker (the answer cache is per worker)."""
    parts = urlsplit(server.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)

    def get(path, headers):
        conn.request("GET", path, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()

    try:
        for path in ("/doc/person/khrushchev.ttl", "/doc/person/khrushchev.html",
                     "/doc/event/cc-plenum-1957-06.ttl",
                     "/sparql?" + urlencode({"query": QUERY + " # once"})):
            status, headers, body = get(path, {"Accept-Encoding": "gzip"})
            assert status == 200 and headers["Content-Encoding"] == "gzip", (path, status)
            assert "accept-encoding" in headers["Vary"].lower(), path
            assert headers["ETag"].endswith(':gzip"')
            time.sleep(1.1)
            assert get(path, {"Accept-Encoding": "gzip"})[2] == body, path
            plain = get(path, {})
            assert "Content-Encoding" not in plain[1] and gzip.decompress(body) == plain[2]
            assert "accept-encoding" in plain[1]["Vary"].lower()
    finally:
        conn.close()
