"""The search index: an SQLite database with two FTS5 full-text tables, built from the graph by ``apg build``
into ``dist/search.sqlite`` (listed in manifest.json like every file of the build), and read by the server
for the search box (server/site/search.py) and the reconciliation service (server/site/reconcile.py).

Tables (``TABLES``): ``entity`` (IRI and page kind of every named resource), ``name`` (its rdfs:label and
skos:altLabel literals, with language), ``type`` (its classes, superclasses included, from the data and the
OWL RL closure), ``names`` (FTS5, trigram tokenizer, over the phonetic keys of each name, kg/names.py: the
candidates for a misspelt or transliterated name are the names sharing key trigrams with it) and ``words``
(FTS5, unicode61 without diacritics, over every name and the text of the source sentences and their English
glosses, plain words and keys: word search, prefixes as you type, snippets).

Deterministic: rows are inserted in sorted order into an in-memory database, which is then optimised,
vacuumed and serialised; the same graph gives the same bytes (tests/test_search_index.py). Candidates come
from the index; kg/names.py scores them.
"""
from __future__ import annotations

import re
import sqlite3
import threading
from dataclasses import dataclass

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV, SKOS

from . import names
from .namespaces import APG, OPENGOV, ORG

FORMAT = 1  # PRAGMA user_version: the layout below
MEDIA_TYPE = "application/vnd.sqlite3"
FILE = "search.sqlite"

# Page kinds, in the order they are tried: the first class a resource has (directly or by subclass) wins. The
# same kinds, in the same order, as the site's pages (server/site/views.py KINDS). Places: the ontology does
# not make schema:City and schema:Country subclasses of schema:Place; every place is a prov:Location.
KINDS = (
    ("vote", str(OPENGOV.VoteEvent)),
    ("session", str(APG.Session)),
    ("speech", str(APG.SpeechAct)),
    ("event", str(APG.Event)),
    ("person", str(FOAF.Person)),
    ("decision", str(APG.Decision)),
    ("sentence", str(APG.Sentence)),
    ("claim", str(APG.Claim)),
    ("organization", str(ORG.Organization)),
    ("post", str(ORG.Post)),
    ("place", str(PROV.Location)),
    ("topic", str(SKOS.Concept)),
)
KIND_NAMES = tuple(k for k, _ in KINDS)

TABLES = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entity(id INTEGER PRIMARY KEY, iri TEXT UNIQUE NOT NULL, kind TEXT NOT NULL);
CREATE TABLE name(entity INTEGER NOT NULL REFERENCES entity(id), text TEXT NOT NULL, lang TEXT NOT NULL,
                  preferred INTEGER NOT NULL);
CREATE TABLE type(entity INTEGER NOT NULL REFERENCES entity(id), type TEXT NOT NULL);
CREATE INDEX type_by_type ON type(type, entity);
CREATE VIRTUAL TABLE names USING fts5(keys, entity UNINDEXED, tokenize='trigram');
CREATE VIRTUAL TABLE words USING fts5(text, keys, entity UNINDEXED, field UNINDEXED, lang UNINDEXED,
                                      tokenize='unicode61 remove_diacritics 2');
"""


def _kind(types: set[str]) -> str | None:
    return next((k for k, cls in KINDS if cls in types), None)


def _keys(text: str) -> str:
    return " ".join(names.prepare(text).keys)


def build(data: Graph, inferred: Graph, base: str) -> bytes:
    """The index of ``data`` (names, sentence texts and glosses; types completed by ``inferred``) as the
    bytes of an SQLite database."""
    rows: dict[str, dict] = {}
    fields = {RDFS.label: "label", SKOS.altLabel: "alt", RDF.value: "text", APG.gloss: "gloss"}  # once
    prefix = base + "id/"
    for p, field in fields.items():
        for s, o in data.subject_objects(p):
            if not isinstance(s, URIRef) or not isinstance(o, Literal) or not s.startswith(prefix):
                continue
            row = rows.setdefault(str(s), {"names": set(), "texts": set()})
            row["names" if field in ("label", "alt") else "texts"].add((field, o.language or "", str(o)))
    db = sqlite3.connect(":memory:")
    db.executescript(TABLES)
    db.execute(f"PRAGMA user_version = {FORMAT}")
    db.execute("INSERT INTO meta VALUES ('base', ?)", (base,))
    next_id = 1
    for iri in sorted(rows):
        types = sorted({str(t) for g in (data, inferred) for t in g.objects(URIRef(iri), RDF.type)
                        if isinstance(t, URIRef)})  # both graphs, not a copy of their union
        kind = _kind(set(types))
        if kind is None or not rows[iri]["names"]:
            continue
        eid, next_id = next_id, next_id + 1
        db.execute("INSERT INTO entity VALUES (?, ?, ?)", (eid, iri, kind))
        db.executemany("INSERT INTO type VALUES (?, ?)", [(eid, t) for t in types])
        for field, lang, text in sorted(rows[iri]["names"]):
            db.execute("INSERT INTO name VALUES (?, ?, ?, ?)", (eid, text, lang, int(field == "label")))
            db.execute("INSERT INTO names VALUES (?, ?)", (_keys(text), eid))
            db.execute("INSERT INTO words VALUES (?, ?, ?, ?, ?)", (text, _keys(text), eid, field, lang))
        for field, lang, text in sorted(rows[iri]["texts"]):
            db.execute("INSERT INTO words VALUES (?, ?, ?, ?, ?)", (text, _keys(text), eid, field, lang))
    for table in ("names", "words"):
        db.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
    db.commit()
    db.execute("VACUUM")
    blob = db.serialize()
    db.close()
    return blob


# ---------------------------------------------------------------- reading


@dataclass
class Entity:
    id: int
    iri: str
    kind: str
    names: list[tuple[str, str, bool]]  # (text, lang, preferred)


@dataclass
class Hit:
    entity: Entity
    score: float
    name: str | None  # the name that matched best


@dataclass
class WordHit:
    entity: Entity
    field: str  # label, alt, text (the sentence), gloss (its English translation)
    lang: str
    snippet: str  # the text with the matched words between \x02 and \x03
    rank: float


_QUOTE = re.compile(r'"')


def _phrase(term: str) -> str:
    return '"' + _QUOTE.sub('""', term) + '"'


def _trigrams(key: str) -> list[str]:
    return [key[i:i + 3] for i in range(len(key) - 2)]


class SearchIndex:
    """The index of one build, loaded into memory from the bytes of ``search.sqlite``. Thread-safe (one
    connection, one lock: every query takes milliseconds)."""

    def __init__(self, blob: bytes):
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._db.deserialize(blob)
        self._lock = threading.Lock()
        version = self._one("PRAGMA user_version")
        if version != FORMAT:
            raise ValueError(f"search index format {version}, expected {FORMAT}: rebuild with 'apg build'")
        self.base = self._one("SELECT value FROM meta WHERE key = 'base'")

    def _all(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _one(self, sql: str, params=()):
        rows = self._all(sql, params)
        return rows[0][0] if rows else None

    def entities(self, ids) -> dict[int, Entity]:
        ids = sorted(set(ids))
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        out = {i: Entity(i, iri, kind, []) for i, iri, kind in
               self._all(f"SELECT id, iri, kind FROM entity WHERE id IN ({marks})", ids)}
        for eid, text, lang, preferred in self._all(
                f"SELECT entity, text, lang, preferred FROM name WHERE entity IN ({marks}) "
                "ORDER BY entity, preferred DESC, lang, text", ids):
            out[eid].names.append((text, lang, bool(preferred)))
        return out

    def by_iri(self, iris) -> dict[str, Entity]:
        iris = list(dict.fromkeys(iris))
        if not iris:
            return {}
        rows = self._all(f"SELECT id FROM entity WHERE iri IN ({','.join('?' * len(iris))})", iris)
        return {e.iri: e for e in self.entities(r[0] for r in rows).values()}

    def with_types(self, types) -> set[int]:
        """Entities having any of ``types`` (class IRIs; subclasses count)."""
        types = list(types)
        return {r[0] for r in self._all(
            f"SELECT DISTINCT entity FROM type WHERE type IN ({','.join('?' * len(types))})", types)}

    def types_of(self, ids) -> dict[int, list[str]]:
        ids = sorted(set(ids))
        out: dict[int, list[str]] = {i: [] for i in ids}
        for eid, t in self._all(f"SELECT entity, type FROM type WHERE entity IN ({','.join('?' * len(ids))}) "
                                "ORDER BY entity, type", ids):
            out[eid].append(t)
        return out

    def type_counts(self) -> dict[str, int]:
        """Every class of an indexed entity (superclasses included) and how many entities have it."""
        return dict(self._all("SELECT type, COUNT(*) FROM type GROUP BY type ORDER BY type"))

    def all_ids(self) -> list[int]:
        return [r[0] for r in self._all("SELECT id FROM entity ORDER BY id")]

    def candidates(self, query: str, *, prefix: bool = False, limit: int = 200) -> list[int]:
        """Entities whose names share key trigrams with ``query``'s words, or contain its words (as a
        prefix for the last one with ``prefix``): the rows names.score then ranks."""
        q = names.prepare(query)
        grams = sorted({g for k in q.keys for g in _trigrams(k)})
        found: dict[int, None] = {}
        if grams:
            for (eid,) in self._all("SELECT entity FROM names WHERE names MATCH ? ORDER BY rank LIMIT ?",
                                    (" OR ".join(_phrase(g) for g in grams), limit)):
                found.setdefault(eid)
        match = self._words_match(query, prefix=prefix, any_word=True)
        if match:
            for (eid,) in self._all("SELECT entity FROM words WHERE words MATCH ? AND field IN "
                                    "('label', 'alt') ORDER BY rank LIMIT ?", (match, limit)):
                found.setdefault(eid)
        return list(found)

    def _words_match(self, query: str, *, prefix: bool, any_word: bool = False) -> str | None:
        """An FTS5 query for the words of ``query``: each word as typed or by its key (``keys`` column), all
        of them (``any_word``: any); the last one as a prefix with ``prefix``."""
        raw = [w for w in re.findall(r"\w+", query.casefold()) if len(w) > 1 or w.isdigit()]
        if not raw:
            return None
        parts = []
        for i, w in enumerate(raw):
            star = "*" if prefix and i == len(raw) - 1 else ""
            k = names.key(names.fold(w).replace(" ", "")) if names.fold(w) else ""
            alts = [f"text : {_phrase(w)}{star}"]
            if k and len(k) > 1:
                alts.append(f"keys : {_phrase(k)}{star if star else '*'}")
            parts.append("(" + " OR ".join(alts) + ")")
        return (" OR " if any_word else " AND ").join(parts)

    def word_hits(self, query: str, *, prefix: bool = False, limit: int = 50) -> list[WordHit]:
        """Rows of ``words`` holding every word of ``query`` (sentences, glosses, names), best first, with a
        snippet."""
        match = self._words_match(query, prefix=prefix)
        if match is None:
            return []
        rows = self._all("SELECT entity, field, lang, snippet(words, 0, char(2), char(3), '…', 16), rank "
                         "FROM words WHERE words MATCH ? ORDER BY rank LIMIT ?", (match, limit))
        ents = self.entities(r[0] for r in rows)
        return [WordHit(ents[eid], field, lang, snip, rank) for eid, field, lang, snip, rank in rows]

    def find(self, query: str, *, ids: set[int] | None = None, prefix: bool = False, whole: bool = True,
             limit: int = 10, threshold: float = 0.0) -> list[Hit]:
        """Entities for ``query`` by name, scored by kg/names.py, best first; ``ids``: only among these
        entities. An IRI of the graph as ``query`` finds its entity (score 100)."""
        query = query.strip()
        if query.startswith(("http://", "https://")):
            exact = self.by_iri([query])
            if exact:
                e = exact[query]
                if ids is None or e.id in ids:
                    return [Hit(e, 100.0, e.names[0][0] if e.names else None)]
                return []
        cand = self.candidates(query, prefix=prefix)
        if ids is not None:
            cand = [c for c in cand if c in ids]
        ents = self.entities(cand)
        q = names.prepare(query)
        hits = []
        for e in ents.values():
            s, which = names.best(q, (n for n, _, _ in e.names), prefix=prefix, whole=whole)
            if s >= threshold and which is not None:
                hits.append(Hit(e, s, which))
        hits.sort(key=lambda h: (-h.score, h.entity.kind != "person", len(h.name or ""), h.entity.iri))
        return hits[:limit]
