"""The per-worker answer cache: LRU by bytes, never a stale or foreign answer."""
import requests

from server.cache import AnswerCache


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
