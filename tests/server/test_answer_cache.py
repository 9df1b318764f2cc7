"""The answer cache in front of Flask (server/cache.py): LRU by bytes, never a stale or foreign answer, and
repeated requests really are answered from it."""
import requests

from server.cache import AnswerCache


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
