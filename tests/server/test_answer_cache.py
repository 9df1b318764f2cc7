"""The per-worker answer cache in front of Flask (server/cache.py): LRU by bytes, never a stale or foreign
answer, and really used: a repeated query is answered from memory, not evaluated again.

What shows a cache hit from outside is a query whose every evaluation differs (``STRUUID()``): on a one-worker
server (so both requests reach the same cache) the repeated request gets the first answer back while the cache
is on, and a new one when it is off (``APG_ANSWER_CACHE_BYTES=0``)."""
import pytest
import requests
from liveserver import clean_env, start, stop

from server.cache import AnswerCache

FRESH_EVERY_TIME = "SELECT (STRUUID() AS ?u) WHERE {}"


@pytest.fixture(scope="module", params=["on", "off"])
def one_worker(request, dist, tmp_path_factory):
    env = {"APG_WORKERS": 1, **({"APG_ANSWER_CACHE_BYTES": 0} if request.param == "off" else {})}
    srv = start(dist, tmp_path_factory.mktemp(f"cache-{request.param}") / "serve.log", env=clean_env(**env))
    yield request.param, srv
    stop(srv)
    assert "Traceback" not in srv.log_text()


def _app(body: bytes, headers=None):
    calls = []

    def app(environ, start_response):
        calls.append(environ["PATH_INFO"])
        start_response("200 OK", headers or [("ETag", '"t"'), ("Cache-Control", "public, max-age=1"),
                                             ("Content-Length", str(len(body)))])
        return [body]

    return app, calls


def _get(cache, path, **env):
    seen = {}
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", **env}
    body = b"".join(cache(environ, lambda status, headers, exc=None: seen.update(status=status)))
    return seen["status"], body


def test_lru_eviction_by_bytes():
    app, calls = _app(b"x" * 9)
    cache = AnswerCache(app, 100)
    for path in ["/a", "/b", "/a"] + [f"/k{i}" for i in range(20)] + ["/b"]:
        _get(cache, path)
    assert cache.size <= 100
    assert calls.count("/a") == 1  # the second /a was a hit
    assert calls.count("/b") == 2  # evicted by the twenty others, then asked again


def test_large_streamed_private_and_conditional_answers_are_not_kept():
    big, calls = _app(b"x" * 11)
    cache = AnswerCache(big, 100)
    _get(cache, "/big"), _get(cache, "/big")
    assert calls == ["/big", "/big"]
    private, calls = _app(b"x", [("ETag", '"t"'), ("Cache-Control", "no-store"), ("Content-Length", "1")])
    cache = AnswerCache(private, 100)
    _get(cache, "/p"), _get(cache, "/p")
    assert calls == ["/p", "/p"]
    small, calls = _app(b"x" * 5)
    cache = AnswerCache(small, 100)
    assert _get(cache, "/c", HTTP_IF_NONE_MATCH='"t"')[0].startswith("200")  # the app's own 304 logic decides
    assert _get(cache, "/c", HTTP_IF_NONE_MATCH='"t"')[0].startswith("304")  # a hit: same validator
    assert _get(cache, "/c", HTTP_ACCEPT="text/csv") == ("200 OK", b"x" * 5)  # another Accept: another entry
    assert calls == ["/c", "/c"]


def test_repeated_query_same_answer_and_format_respected(server):
    q = "SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> } ORDER BY ?s"
    first = requests.get(server.endpoint, params={"query": q}, headers={"Accept": "text/csv"}, timeout=30)
    again = requests.get(server.endpoint, params={"query": q}, headers={"Accept": "text/csv"}, timeout=30)
    as_json = requests.get(server.endpoint, params={"query": q},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert first.content == again.content and first.headers["ETag"] == again.headers["ETag"]
    assert as_json.headers["Content-Type"].startswith("application/sparql-results+json")
    assert len(as_json.json()["results"]["bindings"]) == 17


def _uuid(srv, accept="application/sparql-results+json") -> str:
    resp = requests.get(srv.endpoint, params={"query": FRESH_EVERY_TIME}, headers={"Accept": accept},
                        timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["results"]["bindings"][0]["u"]["value"]


def test_a_repeated_query_is_answered_from_the_cache(one_worker):
    cache, srv = one_worker
    first, again = _uuid(srv), _uuid(srv)
    assert len(first) == 36 and len(again) == 36
    if cache == "on":
        assert again == first  # not evaluated again
    else:
        assert again != first  # evaluated each time: the check above can tell a hit from a miss
    # another format is another answer (its own cache entry), never the JSON one re-labelled
    assert _uuid(srv, "application/sparql-results+json, text/csv;q=0.1") != first
