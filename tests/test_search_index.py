"""kg/search_index.py: dist/search.sqlite is a real FTS5 index, built deterministically, listed in the
manifest, and it finds names in any spelling and the words of the source."""
import hashlib
import json
import sqlite3

import pytest

from kg import search_index
from kg.search_index import SearchIndex

BASE = "https://w3id.org/apg-kg/"


@pytest.fixture(scope="module")
def index(dist) -> SearchIndex:
    return SearchIndex((dist / search_index.FILE).read_bytes())


def test_the_build_writes_and_lists_the_index(dist):
    blob = (dist / search_index.FILE).read_bytes()
    entry = json.loads((dist / "manifest.json").read_text())["files"][search_index.FILE]
    assert entry["sha256"] == hashlib.sha256(blob).hexdigest()
    assert entry["media_type"] == "application/vnd.sqlite3"
    assert f"{entry['sha256']}  {search_index.FILE}" in (dist / "SHA256SUMS").read_text()


def test_same_graph_same_bytes(built, dist):
    again = search_index.build(built.data, built.inferred, BASE)
    assert again == search_index.build(built.data, built.inferred, BASE)
    assert again == (dist / search_index.FILE).read_bytes()


def test_it_is_fts5(dist, tmp_path):
    db = sqlite3.connect(dist / search_index.FILE)
    tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    assert "USING fts5" in tables["names"] and "trigram" in tables["names"]
    assert "USING fts5" in tables["words"] and "unicode61" in tables["words"]
    kinds = dict(db.execute("SELECT kind, COUNT(*) FROM entity GROUP BY kind").fetchall())
    assert set(kinds) == set(search_index.KIND_NAMES)
    assert kinds["person"] == 17 and kinds["sentence"] == 51 and kinds["place"] == 13


@pytest.mark.parametrize("query, iri", [
    ("Hrushchev", "id/person/khrushchev"),
    ("Хрущев", "id/person/khrushchev"),
    ("Mikojans", "id/person/mikoyan"),
    ("Президиум ЦК КПСС", "id/organization/presidium"),
])
def test_find_by_name(index, query, iri):
    assert index.find(query)[0].entity.iri == BASE + iri


def test_words_of_the_source_with_snippets(index):
    hits = index.word_hits("aviācijas")
    sentence = next(h for h in hits if h.entity.kind == "sentence")
    assert sentence.entity.iri == BASE + "id/source/lvwiki/s32"
    assert "\x02aviācijas\x03" in sentence.snippet
    gloss = index.word_hits("military aircraft")
    assert any(h.field == "gloss" and h.entity.iri == BASE + "id/source/lvwiki/s32" for h in gloss)


def test_types_include_superclasses(index):
    person = index.by_iri([BASE + "id/person/molotov"])[BASE + "id/person/molotov"]
    assert "http://xmlns.com/foaf/0.1/Person" in index.types_of([person.id])[person.id]
    sessions = index.with_types(["https://w3id.org/apg-kg/ontology#Event"])
    plenum = index.by_iri([BASE + "id/event/cc-plenum-1957-06"])[BASE + "id/event/cc-plenum-1957-06"]
    assert plenum.id in sessions  # an apg:Session is an apg:Event
