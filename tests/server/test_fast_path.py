"""The fast path for ``GET /sparql?query=`` (server/endpoint/fastpath.py) gives the answer Flask gives.

Two real servers over the same build, the session one (fast path on, the default) and one with
``APG_FAST_PATH=0``, get the same matrix of requests over plain HTTP; every answer must have the same status,
headers (the Date value aside) and body. In-process tests show that the fast path really answers (the view is
not called), that it leaves to Flask what it does not do, that it stays off for an app with request hooks it
does not know, and that its query-string decoder reads what Werkzeug reads.
"""
import gzip
import http.client
import re
import secrets
from urllib.parse import parse_qsl, quote, unquote_to_bytes, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from liveserver import MAX_QUERY_LENGTH, TIMEOUT, WORKERS, clean_env, start, stop

from server import create_app
from server.endpoint import fastpath
from server.endpoint.pool import get_pool

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
DATA = "https://w3id.org/apg-kg/graph/data"
SELECT = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label LIMIT 5"
JSON, XML, TTL = "application/sparql-results+json", "application/sparql-results+xml", "text/turtle"


@pytest.fixture(scope="module")
def flask_only(dist, tmp_path_factory):
    """The session server's settings, with the fast path off."""
    log = tmp_path_factory.mktemp("flask-only") / "serve.log"
    srv = start(dist, log, args=["--max-query-length", str(MAX_QUERY_LENGTH)],
                env=clean_env(APG_WORKERS=WORKERS, APG_TIMEOUT=TIMEOUT, APG_MAX_RESULT_BYTES=1_000_000,
                              APG_FAST_PATH=0))
    yield srv
    stop(srv)
    assert "Traceback" not in srv.log_text()


def q(text: str) -> str:
    return quote(text, safe="")


def _matrix() -> list[tuple[str, str, dict]]:
    tag = secrets.token_hex(4)  # fresh texts: neither server's answer cache has seen them

    def sel(extra=""):
        return q(f"{SELECT} # fast path {tag} {extra}")

    cases = [
        (f"query={sel()}", {}),
        (f"query={sel('accept')}", {"Accept": JSON}),
        (f"query={sel('csv')}", {"Accept": "text/csv"}),
        (f"query={sel('q')}", {"Accept": "text/csv;q=0.5, application/sparql-results+xml"}),
        (f"query={sel('star')}", {"Accept": "*/*"}),
        (f"query={sel('406')}", {"Accept": "image/png"}),
        (f"query={sel('html')}", {"Accept": "text/html"}),
        (f"query={sel('fmt')}&format=xml", {}),
        (f"query={sel('fmt-ttl')}&format=ttl", {}),
        (f"query={sel('fmt-html')}&format=html", {}),
        (f"query={sel('fmt-media')}&format=text/tab-separated-values", {"Accept": JSON}),
        (f"query={sel('identity')}", {"Accept-Encoding": "identity"}),
        (f"query={sel('gzip')}", {"Accept-Encoding": "gzip"}),
        (f"query={sel('gzip-q0')}", {"Accept-Encoding": "gzip;q=0"}),
        (f"query={sel('etag')}", {"If-None-Match": '"abc"'}),
        (f"query={sel('range')}", {"Range": "bytes=0-10"}),
        (f"query={sel('dataset')}&default-graph-uri={q(DATA)}&named-graph-uri={q(DATA)}", {}),
        (f"default-graph-uri={q(DATA)}&query={sel('dataset first')}", {"Accept": XML}),
        (f"query={sel('bad graph')}&default-graph-uri=not-an-iri", {}),
        (f"query={sel('plus').replace('%20', '+')}", {}),
        (f"query={sel('other param')}&timeout=5&=x&flag", {}),
        (f"query=%EF%BB%BF{sel('bom')}", {}),
        (f"query={q('ASK { ?s ?p ?o } # ' + tag)}", {"Accept": XML}),
        (f"query={q('CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3 # ' + tag)}", {"Accept": TTL}),
        (f"query={q('CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3 # nt ' + tag)}&format=nt", {}),
        (f"query={q('DESCRIBE <https://w3id.org/apg-kg/id/person/molotov> # ' + tag)}", {}),
        (f"query={q('SELECT ?x WHERE { ?x ex:p 1 } # ' + tag)}", {}),  # unknown prefix
        (f"query={q('SELEC * # ' + tag)}", {}),  # syntax error
        (f"query={q('SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } } # ' + tag)}", {}),
        (f"query={q('{' * 100 + '}' * 100)}", {}),  # nested too deeply
        (f"query={q(CARTESIAN + ' # ' + tag)}", {}),  # runs out of time: 503
        ("query=", {}),
        ("query=%20%0A", {}),
        (f"query={q('ASK {} #' + 'x' * MAX_QUERY_LENGTH)}", {}),  # 413
        (f"query={sel('one')}&query={sel('two')}", {}),
        (f"query={sel('update')}&update={q('DROP ALL')}", {}),
        ("update=" + q("DROP ALL"), {}),
        (f"query={sel('invalid utf-8')}%FF", {}),
        ("query=ASK%20%7B%7D&format=%C3%28", {}),
        ("", {}),  # the service description
        ("", {"Accept": "text/html"}),  # the query page
        ("query=" + q('SELECT ?s WHERE { ?s rdfs:label "Молотов"@ru } # ' + tag), {}),
    ]
    out = [("GET", "/sparql?" + qs if qs else "/sparql", h) for qs, h in cases]
    out += [("HEAD", f"/sparql?query={sel('head')}", {}), ("GET", f"/sparql/?query={sel('slash')}", {}),
            ("POST", f"/sparql?query={sel('post')}", {"Content-Length": "0"}),
            ("OPTIONS", f"/sparql?query={sel('options')}", {"Access-Control-Request-Method": "GET"})]
    return out


def _fetch(url: str, method: str, target: str, headers: dict):
    host = urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)  # no Accept-Encoding unless given
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        body = resp.read()
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() != "date"]
        if resp.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)  # the gzip header holds a time stamp
        netloc = host.netloc.encode()
        if netloc in body:  # the service description and the query page name the server, and so do their tags
            body = re.sub(rb"_:[0-9a-z]+", b"_:b", body.replace(netloc, b"server"))  # and blank nodes
            headers = [(k, v) for k, v in headers if k.lower() not in ("etag", "content-length")]
        return resp.status, headers, "date" in {k.lower() for k, _ in resp.getheaders()}, body
    finally:
        conn.close()


def test_both_paths_give_the_same_answers(server, flask_only):
    differences = []
    for method, target, headers in _matrix():
        fast = _fetch(server.url, method, target, headers)
        slow = _fetch(flask_only.url, method, target, headers)
        if fast != slow:
            differences.append(f"{method} {target[:120]} {headers}:\n  fast path {fast[:3]} {fast[3][:200]!r}"
                               f"\n  Flask     {slow[:3]} {slow[3][:200]!r}")
    assert not differences, "\n".join(differences)


@pytest.fixture
def app(dist):
    """An app in this process (its own query processes, closed afterwards), without the answer cache so that
    every request reaches the layers under test."""
    made = []

    def make(**config):
        made.append(create_app({"DIST": dist, "ANSWER_CACHE_BYTES": 0, **config}))
        return made[-1]

    yield make
    for a in made:
        get_pool(a).close(for_good=True)


def _broken_view():
    raise AssertionError("the view was called")


def _get(app, target: str, **headers):
    return app.test_client().get(target, headers=headers)


def test_query_answers_do_not_reach_the_view(app):
    served = app()
    served.view_functions["sparql.sparql"] = _broken_view
    target = "/sparql?query=" + q(SELECT)
    resp = _get(served, target, Accept=JSON)
    assert resp.status_code == 200 and resp.json["results"]["bindings"]
    # what the fast path leaves to Flask reaches the view
    assert _get(served, target, **{"Accept-Encoding": "gzip"}).status_code == 500
    assert _get(served, target, **{"If-None-Match": '"x"'}).status_code == 500
    assert _get(served, target + "&format=html").status_code == 500
    assert _get(served, "/sparql").status_code == 500


def test_errors_are_written_by_the_view_without_evaluating_again(app, monkeypatch):
    served = app()
    calls = []
    run = fastpath.sparql.run
    monkeypatch.setattr(fastpath.sparql, "run", lambda *a: calls.append(a) or run(*a))
    resp = _get(served, "/sparql?query=" + q("SELEC *"))
    assert resp.status_code == 400 and resp.text.startswith("400 Bad Request: query syntax error")
    assert len(calls) == 1


def test_off_when_switched_off_or_the_app_has_unknown_hooks(app):
    off = app(FAST_PATH=False)
    off.view_functions["sparql.sparql"] = _broken_view
    assert _get(off, "/sparql?query=" + q(SELECT)).status_code == 500

    hooked = app(FAST_PATH=False)

    @hooked.after_request
    def stamp(resp):
        resp.headers["X-Stamp"] = "1"
        return resp

    hooked.config["FAST_PATH"] = True
    assert fastpath.init_app(hooked) is None  # the hook would not run on the fast path
    assert _get(hooked, "/sparql?query=" + q(SELECT)).headers["X-Stamp"] == "1"


# -- the query-string decoder --------------------------------------------------------------------------------

_PIECES = st.lists(st.one_of(
    st.sampled_from(["%", "%2", "%41", "%e2%80%a8", "%C3%A9", "%zz", "%%41", "+", "=", "&", "&&", "%3D",
                     "%26", "%FF", "\r", "\n", "%0D", "query", "a"]),
    st.text(max_size=6)), max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(_PIECES)
def test_the_decoder_reads_what_werkzeug_reads(text):
    raw = text.encode("utf-8")
    assert fastpath.unquote_plus(raw) == unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        werkzeug = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        werkzeug = None
    try:
        ours = fastpath.parse_query_string(raw)
    except UnicodeDecodeError:
        ours = None
    assert ours == werkzeug
