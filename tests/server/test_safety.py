"""Read-only and safe: SERVICE refused without any outbound connection, FROM/graph IRIs never fetched, updates
refused, runaway queries stopped (503) while other clients are served, size limits, and every failure a
one-line text/plain reason with a 4xx/503 status."""
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from liveserver import MAX_QUERY_LENGTH, MAX_RESULT_BYTES, TIMEOUT
from sparqlhttp import METHODS, send


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

DATA = "https://w3id.org/apg-kg/graph/data"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def assert_one_line_error(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.text)
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    text = resp.text
    assert text.endswith("\n") and "\n" not in text[:-1], text
    assert "Traceback" not in text
    assert resp.headers["Cache-Control"] == "no-store"
    return text


@pytest.fixture
def listener():
    """A local TCP server nobody should ever connect to."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.setblocking(False)
    yield sock, f"http://127.0.0.1:{sock.getsockname()[1]}/sparql"
    sock.close()


def assert_nobody_connected(sock):
    time.sleep(0.2)  # would-be connections from the server are synchronous; this is only slack
    with pytest.raises(BlockingIOError):
        conn, _ = sock.accept()
        conn.close()


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ ?a ?b ?c . filter exists {{ service <{url}> {{ ?s ?p ?o }} }} }} limit 1",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
    "SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "PREFIX x: <{url}#> SELECT * WHERE {{ SERVICE x:e {{ ?s ?p ?o }} }}",
    "ASK {{ OPTIONAL {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?x MINUS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    "DESCRIBE ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("method", METHODS)
def test_service_is_refused_and_never_contacted(server, listener, method):
    sock, url = listener
    for template in SERVICE_QUERIES:
        resp = send(server.endpoint, method, template.format(url=url))
        text = assert_one_line_error(resp, 400)
        assert "SERVICE" in text
    assert_nobody_connected(sock)


def test_dataset_iris_select_graphs_and_are_never_fetched(server, listener):
    sock, url = listener
    # FROM / FROM NAMED naming a URL: an empty graph, not a download.
    resp = send(server.endpoint, "GET", f"SELECT * FROM <{url}> FROM NAMED <{url}> WHERE {{ ?s ?p ?o }}",
                headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code == 200 and resp.json()["results"]["bindings"] == []
    resp = send(server.endpoint, "GET", "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }")
    assert resp.status_code == 200 and resp.json()["results"]["bindings"] == []
    # the same through the protocol parameters
    resp = send(server.endpoint, "POST-direct",
                "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }",
                params=[("default-graph-uri", url), ("named-graph-uri", url)])
    assert resp.status_code == 200 and resp.json()["results"]["bindings"] == []
    resp = send(server.endpoint, "GET", f"DESCRIBE <{DATA}> FROM <{url}>", headers={"Accept": "text/turtle"})
    assert resp.status_code == 200 and resp.text.strip() == ""
    assert_nobody_connected(sock)


def test_updates_are_refused(server, oracle):
    update = "INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }"
    r = requests.post(server.endpoint, data=update.encode(),
                      headers={"Content-Type": "application/sparql-update"}, timeout=10)
    assert "read-only" in assert_one_line_error(r, 403)
    r = requests.post(server.endpoint, data={"update": update}, timeout=10)
    assert "read-only" in assert_one_line_error(r, 403)
    r = requests.get(server.endpoint, params={"update": update}, timeout=10)
    assert "read-only" in assert_one_line_error(r, 403)
    # an update sent as a query is not a query
    assert_one_line_error(send(server.endpoint, "GET", update), 400)
    r = send(server.endpoint, "GET", "ASK { <urn:x:a> ?p ?o }")
    assert r.status_code == 200 and r.json()["boolean"] is False


def test_runaway_query_is_stopped_while_others_are_served(server):
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(send, server.endpoint, "GET", CARTESIAN)
        time.sleep(0.3)  # let it reach a worker first
        fast = send(server.endpoint, "GET", "ASK { ?s ?p ?o }")
        assert fast.status_code == 200 and fast.json()["boolean"] is True
        assert not slow.done(), "the runaway query should still run while the other client is answered"
        text = assert_one_line_error(slow.result(), 503)
    assert f"{TIMEOUT} s" in text
    # every worker still answers (the killed query process is replaced)
    for method in METHODS * 3:
        r = send(server.endpoint, method, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
        assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) > 1000


def test_runaway_construct_is_stopped(server):
    q = "CONSTRUCT { ?a ?b ?l } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l FILTER(?l = 1) }"
    assert_one_line_error(send(server.endpoint, "POST-form", q), 503)


@pytest.mark.parametrize("method", METHODS)
def test_oversize_query_413(server, method):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #" + "x" * MAX_QUERY_LENGTH
    text = assert_one_line_error(send(server.endpoint, method, query), 413)
    assert str(MAX_QUERY_LENGTH) in text
    # just under the limit is fine
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1 #"
    query += "x" * (MAX_QUERY_LENGTH - len(query))
    assert send(server.endpoint, method, query).status_code == 200


def test_oversize_result_refused(server):
    # 3000 fat rows (a sentence's text in each): about 1.5 MB, quick for every engine
    q = "SELECT * WHERE { ?s rdf:value ?v . ?a ?b ?c } LIMIT 3000"
    text = assert_one_line_error(send(server.endpoint, "GET", q), 503)
    assert str(MAX_RESULT_BYTES) in text


@pytest.mark.parametrize("method", METHODS)
def test_malformed_query_400_with_position(server, method):
    text = assert_one_line_error(send(server.endpoint, method, "SELECT * WHERE {\n  ?s ?p \n}"), 400)
    assert "line 2" in text and "column" in text
    text = assert_one_line_error(send(server.endpoint, method, "SELECT * WHERE { ?s ?p ?o"), 400)
    assert "line 1" in text
    text = assert_one_line_error(send(server.endpoint, method, "SELECT * WHERE { ?s ex:p ?o }"), 400)
    assert "ex" in text  # undeclared prefix


@pytest.mark.parametrize("query,accept,fmt", [
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "text/turtle", None),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "image/png, text/html;q=0.9", None),
    ("ASK {}", "application/ld+json", None),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "application/sparql-results+json", None),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "*/*;q=0", None),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", "*/*", "ttl"),
    ("DESCRIBE <urn:x:a>", "*/*", "bogus"),
])
def test_not_acceptable_406_lists_types(server, query, accept, fmt):
    params = [("format", fmt)] if fmt else []
    resp = send(server.endpoint, "GET", query, headers={"Accept": accept}, params=params)
    text = assert_one_line_error(resp, 406)
    listed = "application/sparql-results+json" if query.startswith(("SELECT", "ASK")) else "text/turtle"
    assert listed in text


def test_rdf_xml_refuses_unwritable_predicates(server):
    q = "CONSTRUCT { ?s <http://example.org/1> ?o } WHERE { ?s ?p ?o } LIMIT 1"
    assert "RDF/XML" in assert_one_line_error(send(server.endpoint, "GET", q,
                                                   headers={"Accept": "application/rdf+xml"}), 406)
    assert send(server.endpoint, "GET", q, headers={"Accept": "text/turtle"}).status_code == 200


def test_bad_requests_are_one_line(server):
    ep = server.endpoint
    plain = {"Content-Type": "text/plain"}
    direct = {"Content-Type": "application/sparql-query"}
    assert_one_line_error(requests.post(ep, data=b"ASK {}", headers=plain, timeout=10), 415)
    assert_one_line_error(requests.post(ep, timeout=10), 415)
    two = [("query", "ASK {}"), ("query", "ASK {}")]
    assert_one_line_error(requests.get(ep, params=two, timeout=10), 400)
    assert_one_line_error(requests.get(ep, params={"query": "  "}, timeout=10), 400)
    assert_one_line_error(requests.post(ep, data={"format": "json"}, timeout=10), 400)
    assert_one_line_error(requests.post(ep, data=b"ASK { \xff }", headers=direct, timeout=10), 400)
    nope = {"Content-Type": "application/sparql-query; charset=x-nope"}
    assert_one_line_error(requests.post(ep, data=b"ASK {}", headers=nope, timeout=10), 415)
    both = requests.post(ep + "?query=ASK%20%7B%7D", data=b"ASK {}", headers=direct, timeout=10)
    assert_one_line_error(both, 400)
    r = requests.put(ep, data=b"x", timeout=10)
    assert_one_line_error(r, 405)
    assert "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]
    assert_one_line_error(requests.get(server.url + "/nope", timeout=10), 404)
    # evaluation errors are the query's fault: 400 with pyoxigraph's reason
    text = assert_one_line_error(send(ep, "GET", "SELECT (<http://example.org/f>(1) AS ?x) WHERE {}"), 400)
    assert "http://example.org/f" in text
    # a byte order mark in front of a query is tolerated
    assert send(ep, "POST-direct", "\ufeffASK {}").status_code == 200
    # nesting deep enough to exhaust a parser's stack is refused before any parser
    # (server/endpoint/nesting.py)
    for depth in (600, 9000):
        deep = send(ep, "POST-direct", "SELECT * WHERE " + "{" * depth + "}" * depth)
        assert "nested too deeply" in assert_one_line_error(deep, 400)
    assert send(ep, "GET", "ASK {}").status_code == 200


@pytest.mark.parametrize("text,expected", [
    ("SELECT * WHERE { ?s ?p ?o }", False),
    ("ASK { ?s ?p 'Service' }", True),  # a literal is enough to take the parser's path
    ("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { \\U00000053ERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { \u017fERVICE <http://x/> { ?s ?p ?o } }", True),  # long s folds to s
    ("SELECT * FROM <http://x/> WHERE {}", True),
    ("describe <http://x/>", True),
    # pyoxigraph reads "trueSERVICE" as "true SERVICE": SERVICE is screened as a substring, never as a word
    ("SELECT * WHERE { ?s ?p trueSERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * WHERE { ?s ?p 1SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("ASK { ?s ?p ?o } #service", True),
    # FROM and DESCRIBE as parts of longer names do not force the slow parse
    ("SELECT * WHERE { ?s <http://www.w3.org/ns/prov#wasDerivedFrom> ?o }", False),
    ("# Who came from Moscow?\nSELECT ?from WHERE { ?from apg:fromOrganization 'from' }", False),
    ("SELECT (1 AS ?x)FROM <http://x/> WHERE {}", True),
    ("SELECT * # a comment with a quote \"\nFROM <http://x/> WHERE {}", True),
    ("PREFIX a: <http://x/#>DESCRIBE a:b", True),
])
def test_screen_for_the_parser_is_conservative(text, expected):
    from server.endpoint.query import needs_parse

    assert needs_parse(text) is expected
