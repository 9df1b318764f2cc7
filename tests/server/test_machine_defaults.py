"""Defaults for machines: the exact Accept headers real clients send, on the dataset description, thing IRIs,
documents, the ontology and named graphs, against the real server. A client that names no preference
(curl, python-requests: ``*/*``; urllib: no Accept at all) is a program and gets Turtle; RDF clients get an
RDF format they asked for; browsers (text/html first) get pages.

The headers are the clients' own: recorded on this machine from curl 7.88, rdflib 7.6's ``Graph.parse``,
raptor 2.0.15's ``rapper``, python-requests and urllib (``test_the_table_is_what_the_installed_clients_send``
records them again, so the table cannot drift from them), Comunica 3's (actor-http-fetch, as its trace log
prints it), and the navigation headers of Chromium and Firefox (Chromium's is exercised for real by
tests/browser/test_browser_pages.py, which opens ``/id/…`` pages)."""
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from rdflib import Graph, URIRef

BASE = "https://w3id.org/apg-kg/"
RDFLIB = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
          "application/n-quads, application/trix, application/trig")
RAPPER_GUESS = ("application/rdf+xml, text/rdf;q=0.6, application/n-triples, text/plain;q=0.1, text/turtle, "
                "application/x-turtle, application/turtle, text/n3;q=0.3, text/rdf+n3;q=0.3, "
                "application/rdf+n3;q=0.3, application/x-trig, application/rss;q=0.8, "
                "application/rss+xml;q=0.8, "
                "text/rss;q=0.8, application/xml;q=0.3, text/xml;q=0.3, application/atom+xml;q=0.3, "
                "text/html;q=0.2, application/xhtml+xml;q=0.4, text/html;q=0.6, application/xhtml+xml;q=0.8, "
                "application/json;q=0.1, text/json;q=0.1, text/x-nquads, */*;q=0.1")
COMUNICA = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
            "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,"
            "image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,application/xhtml+xml;q=0.18,"
            "application/json;q=0.135,text/shaclc;q=0.1,text/shaclc-ext;q=0.05")

# client: (Accept header or None for none, what a document answers it)
CLIENTS = {
    "curl": ("*/*", "text/turtle"),
    "python-requests": ("*/*", "text/turtle"),
    "urllib": (None, "text/turtle"),
    "rdflib Graph.parse": (RDFLIB, "text/turtle"),
    "rapper (its default RDF/XML parser)": ("application/rdf+xml, text/rdf;q=0.6, */*;q=0.1",
                                            "application/rdf+xml"),
    "rapper -g": (RAPPER_GUESS, "text/turtle"),
    "rapper -i turtle": ("text/turtle, application/x-turtle, application/turtle, text/n3;q=0.3, "
                         "text/rdf+n3;q=0.3, application/rdf+n3;q=0.3, */*;q=0.1", "text/turtle"),
    "rapper -i ntriples": ("application/n-triples, text/plain;q=0.1, */*;q=0.1", "application/n-triples"),
    "Comunica": (COMUNICA, "application/ld+json"),  # no N-Quads/TriG for one resource: its next choice
    "Chromium": ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
                 "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7", "text/html"),
    "Firefox": ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
}
PARSERS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
           "application/ld+json": "json-ld"}

# path: (the IRI the answer must describe, where a browser lands)
PATHS = {
    "/.well-known/void": (BASE + "dataset", "/"),
    "/dataset": (BASE + "dataset", "/"),
    "/id/person/khrushchev": (BASE + "id/person/khrushchev", "/doc/person/khrushchev"),
    "/id/source/lvwiki/s32": (BASE + "id/source/lvwiki/s32", "/doc/source/lvwiki/s32"),
    "/doc/event/presidium-session-1957-06": (BASE + "id/event/presidium-session-1957-06",
                                             "/doc/event/presidium-session-1957-06"),
    "/ontology": (BASE + "ontology", "/ontology"),
}


def _get(url: str, accept: str | None) -> requests.Response:
    return requests.get(url, headers={"Accept": accept}, timeout=30)  # None: no Accept header at all


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("client", CLIENTS)
def test_each_client_gets_what_it_can_use(server, client, path):
    accept, expected = CLIENTS[client]
    about, page = PATHS[path]
    resp = _get(server.url + path, accept)
    assert resp.status_code == 200, (resp.status_code, resp.text[:200])
    media_type = resp.headers["Content-Type"].split(";")[0]
    if expected == "text/html":
        assert media_type == "text/html" and resp.url == server.url + page
        assert "<h1" in resp.text
        return
    assert media_type == expected, (client, path)
    g = Graph().parse(data=resp.content, format=PARSERS[media_type], publicID=server.url + path)
    assert (URIRef(about), None, None) in g


@pytest.mark.parametrize("client", ["curl", "urllib", "Chromium"])
def test_named_graph_default_is_rdf_and_browsers_go_to_the_downloads(server, client):
    accept, expected = CLIENTS[client]
    resp = _get(server.url + "/graph/ontology", accept)
    assert resp.status_code == 200
    if expected == "text/html":
        assert resp.url == server.url + "/download"
    else:
        assert resp.headers["Content-Type"] == "text/turtle; charset=utf-8"
        assert len(Graph().parse(data=resp.content, format="turtle")) > 100


@pytest.mark.parametrize("client", ["curl", "urllib", "rdflib Graph.parse"])
def test_unknown_iri_is_one_line_for_machines(server, client):
    accept, _ = CLIENTS[client]
    resp = _get(server.url + "/id/person/nobody", accept)
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("text/plain")
    assert resp.text.strip().count("\n") == 0


def test_unknown_iri_is_a_page_for_browsers(server):
    resp = _get(server.url + "/id/person/nobody", CLIENTS["Firefox"][0])
    assert resp.status_code == 404 and resp.headers["Content-Type"].startswith("text/html")


# ---------------------------------------------------------------- the table is the clients' own


class _Recorder(BaseHTTPRequestHandler):
    seen: dict = {}

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.seen[self.path] = self.headers.get("Accept")
        body = b"<urn:x:a> <urn:x:b> <urn:x:c> .\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/turtle")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def recorder():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.seen
    httpd.shutdown()
    httpd.server_close()


# The clients as their users run them; each asks for /{name}, and the recorder notes its Accept header.
_PYTHON = {
    "rdflib Graph.parse": "from rdflib import Graph; Graph().parse(URL)",
    "python-requests": "import requests; requests.get(URL, timeout=10)",
    "urllib": "import urllib.request; urllib.request.urlopen(URL, timeout=10).read()",
}
_COMMANDS = {
    "curl": ["curl", "-sS", "-o", "/dev/null"],
    "rapper (its default RDF/XML parser)": ["rapper", "-q", "-o", "ntriples"],
    "rapper -g": ["rapper", "-q", "-g", "-o", "ntriples"],
    "rapper -i turtle": ["rapper", "-q", "-i", "turtle", "-o", "ntriples"],
    "rapper -i ntriples": ["rapper", "-q", "-i", "ntriples", "-o", "ntriples"],
}


@pytest.mark.parametrize("client", [*_PYTHON, *_COMMANDS])
def test_the_table_is_what_the_installed_clients_send(recorder, client):
    url, seen = recorder
    name = "/" + str(list(CLIENTS).index(client))
    if client in _PYTHON:
        argv = [sys.executable, "-c", f"URL = {url + name!r}\n{_PYTHON[client]}"]
    else:
        if shutil.which(_COMMANDS[client][0]) is None:
            missing = f"{_COMMANDS[client][0]} is not installed (.ci/run installs it)"
            if os.environ.get("APG_REQUIRE_APACHE") == "1":  # .ci/run: the w3id tools must be there
                pytest.fail(missing)
            pytest.skip(missing)
        argv = [*_COMMANDS[client], url + name]
    # exit status aside (rapper's RDF/XML parser cannot read the recorder's Turtle): the request is what
    # counts; no proxy variables in the environment
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    subprocess.run(argv, capture_output=True, timeout=60, env=env)
    assert seen[name] == CLIENTS[client][0]
