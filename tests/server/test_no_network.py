"""No network for user queries, whatever the parsers think (server/endpoint/sandbox.py).

The query texts below differ only in characters where rdflib's and pyoxigraph's lexers have disagreed (CR, FF,
VT, U+2028/U+2029 in and around comments, strings, IRIs and keywords), plus SERVICE with a variable bound by
VALUES. For each one the test first establishes, in this process, whether pyoxigraph *without* the sandbox
would connect to a local listener ("live") and whether the text screen would have let it through; then it
sends every one to the real server and watches the listener: zero connections, and a 4xx for every live one,
never rows. The live queries that slip past the screen are what only the sandbox stops, so removing it fails
this test."""
import os
import socket

import pyoxigraph as ox
import pytest
from liveserver import Listener
from sparqlhttp import send

from server.endpoint import query, sandbox


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


SEPARATORS = ["\r", "\f", "\v", "\u2028", "\u2029", "\r\n", "\n"]
TEMPLATES = [
    "SELECT * WHERE {{ # x{sep} SERVICE <{url}> {{ ?a ?b ?c }}\n}}",  # a comment ended (or not) by sep
    "SELECT * WHERE {{ #{sep}SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
    "SELECT * WHERE {{ BIND('x{sep}' AS ?z) SERVICE <{url}> {{ ?a ?b ?c }} }}",  # sep inside a string
    "SELECT * WHERE {{ BIND(\"\"\"#{sep}\"\"\" AS ?z) SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{{sep}SERVICE{sep}<{url}>{sep}{{ ?a ?b ?c }} }}",  # sep as whitespace around the keyword
    "SELECT * WHERE {{ SERV{sep}ICE <{url}> {{ ?a ?b ?c }} }}",  # sep inside the keyword
    "SELECT * WHERE {{ SERVICE <{url}{sep}> {{ ?a ?b ?c }} }}",  # sep inside the IRI
    "SELECT * WHERE {{ ?s ?p true{sep}SERVICE <{url}> {{ ?a ?b ?c }} }}",
    "SELECT * WHERE {{ # \\u000a{sep} SERVICE <{url}> {{ ?a ?b ?c }}\n}}",
]
VALUES = ["SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?a ?b ?c }} }}",
          "SELECT * WHERE {{ BIND(<{url}> AS ?e) SERVICE ?e {{ ?a ?b ?c }} }}",
          "DESCRIBE ?a WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?a ?b ?c }} }}"]


def queries(url: str) -> list[str]:
    return [t.format(sep=sep, url=url) for t in TEMPLATES for sep in SEPARATORS] + [
        t.format(url=url) for t in VALUES]


def _connects_unsandboxed(text: str, listener: Listener) -> bool:
    before = listener.count
    try:
        result = ox.Store().query(text)
        if not isinstance(result, bool):
            list(result)
    except (SyntaxError, OSError, RuntimeError, ValueError):
        pass
    return listener.count > before


def _screen_misses(text: str) -> bool:
    """True if the text screen and rdflib's parse (server/endpoint/query.py) would have let the query
    through."""
    if not query.needs_parse(text):
        return True
    try:
        query.parse(text, None)
    except query.QueryError as exc:
        return "SERVICE" not in str(exc)
    return True


def test_differential_queries_make_no_connection(server, listener):
    texts = queries(listener.url)
    live = [t for t in texts if _connects_unsandboxed(t, listener)]
    slipping = [t for t in live if _screen_misses(t)]
    # The controls: these queries do reach the network when evaluated without the sandbox, and some of them
    # get past the screen (the CR-in-a-comment bypass among them), so only the sandbox stands in their way.
    assert len(live) >= len(TEMPLATES)
    assert any("\r" in t and "#" in t for t in slipping), "the CR-in-comment bypass should slip past"
    listener.count = 0
    for method in ("GET", "POST-form", "POST-direct"):
        for text in texts:
            resp = send(server.endpoint, method, text)
            if text in live:  # refused; the others (SERVICE commented out for both parsers) may answer
                assert 400 <= resp.status_code < 500, (resp.status_code, repr(text), resp.text)
            else:
                assert resp.status_code < 500, (resp.status_code, repr(text), resp.text)
            assert "Traceback" not in resp.text
    assert listener.count == 0, f"the server connected {listener.count} times"


def test_refusal_names_service(server, listener):
    """The evaluator's own attempt is refused with the same clear reason as a visible SERVICE."""
    hidden = f"SELECT * WHERE {{ # x\r SERVICE <{listener.url}> {{ ?a ?b ?c }}\n}}"
    visible = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?a ?b ?c }} }}"
    for text in (hidden, visible):
        resp = send(server.endpoint, "GET", text)
        assert resp.status_code == 400 and "SERVICE" in resp.text, resp.text
        assert resp.headers["Cache-Control"] == "no-store"
    assert listener.count == 0


def test_silent_service_answers_empty_without_connecting(server, listener):
    text = f"SELECT * WHERE {{ # x\r SERVICE SILENT <{listener.url}> {{ ?a ?b ?c }}\n}}"
    resp = send(server.endpoint, "GET", text, headers={"Accept": "application/sparql-results+json"})
    assert resp.status_code in (200, 400)
    if resp.status_code == 200:
        assert all(not b for b in resp.json()["results"]["bindings"])
    assert listener.count == 0


def test_sandbox_in_a_process():
    """The filter itself, outside the server: sockets refused, files still readable, pipes still work."""
    assert sandbox.supported()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            sandbox.deny_network()
            for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
                try:
                    socket.socket(family, socket.SOCK_STREAM).close()
                    code |= 1
                except PermissionError:
                    pass
            with open(__file__, "rb") as f:
                f.read(10)
            os.write(w, b"ok")
        except BaseException:
            code |= 4
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0 and os.read(r, 2) == b"ok"
    with socket.socket():  # this process is not affected
        pass
