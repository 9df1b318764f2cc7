"""The per-worker answer cache: LRU by bytes, never a stale or foreign answer, and really used: a repeated
query is answered from memory, not evaluated again.

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


def test_lru_eviction_by_bytes():
    cache = AnswerCache(100)
    cache.put("a", b"x" * 9, "text/plain")
    cache.put("b", b"y" * 9, "text/plain")
    assert cache.get("a") == (b"x" * 9, "text/plain")
    for i in range(20):
        cache.put(f"k{i}", b"z" * 9, "text/plain")
    assert cache.size <= 100
    assert cache.get("b") is None


def test_large_answers_are_not_kept():
    cache = AnswerCache(100)
    cache.put("big", b"x" * 11, "text/plain")
    assert cache.get("big") is None


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
