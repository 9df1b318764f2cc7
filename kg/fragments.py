"""The data graph as per-record fragments, so that a rebuild rebuilds only the records an edit concerns.

A build with a cache (kg.incremental) notes, for each fact record, its **fragment**: the data triples its
builder added, its statements (factual triple -> the keys of the quotes that state it: kg.quotes) and the
records it **read** while it was checked and built: the ids it refers to (their kinds and IRIs), their spans
and names, the correction of one of its fields, and for a field copied from another record (a holding's
organisation) that record's own reads. A fragment is a function of its record, the records it read, the
sources, the words table, the links file and the code: the last three and the sources are the ``world``,
the code is in the cache key. Triples no record added (the sources', the topic scheme's, the identity
links') are the fragments ``@sources`` (the world's) and ``@global`` (made again each time).

So the next build finds the records whose content changed (``changed``), rebuilds those and the ones that
read one (``dirty``; a correction also when one of the records it corrects is rebuilt: it reads their
statements), and takes Δ of the data graph from their old and new fragments with a count per triple of the
fragments that hold it; Δ of the provenance graph from the statements whose quotes changed. Nothing else
is built.
"""
import hashlib
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from . import provenance
from .dist import to_oxigraph
from .fastshacl import to_rdflib

GLOBAL, SOURCES = "@global", "@sources"
_MISSING = object()


class Trace:
    """Which records are read while one is checked or built: ``record(id)`` opens its set of reads."""

    def __init__(self):
        self.stack: list[tuple[str, set]] = []

    @contextmanager
    def record(self, rid: str):
        seen: set = set()
        self.stack.append((rid, seen))
        try:
            yield seen
        finally:
            self.stack.pop()

    @property
    def current(self) -> str:
        return self.stack[-1][0] if self.stack else GLOBAL

    def read(self, rid) -> None:
        if self.stack:
            self.stack[-1][1].add(rid)

    def read_all(self, ids) -> None:
        if self.stack:
            self.stack[-1][1].update(ids)


class _Traced(dict):
    """A dict whose successful lookups are reads of the record that owns the key (or, ``by_value``, of
    the record found)."""

    def _seen(self, key, value) -> None:
        self.trace.read(value.id if self.by_value else self.owner.get(key, key))

    def __getitem__(self, key):
        value = dict.__getitem__(self, key)
        self._seen(key, value)
        return value

    def get(self, key, default=None):
        value = dict.get(self, key, _MISSING)
        if value is _MISSING:
            return default
        self._seen(key, value)
        return value

    def __contains__(self, key) -> bool:
        found = dict.__contains__(self, key)
        if found:
            self._seen(key, dict.__getitem__(self, key))
        return found


def traced(data: dict, trace: Trace, owner: dict | None = None, by_value: bool = False) -> dict:
    d = _Traced(data)
    d.trace, d.owner, d.by_value = trace, owner or {}, by_value
    return d


class Recording:
    """The graph the builders add to (``Context.graph``): each triple also noted under the record being
    built (``Trace.current``); ``graph`` None keeps only the notes (a rebuild of a few records)."""

    def __init__(self, graph, trace: Trace):
        self.graph, self.trace, self.by = graph, trace, {}

    def add(self, triple) -> None:
        if self.graph is not None:
            self.graph.add(triple)
        self.by.setdefault(self.trace.current, []).append(triple)


# ------------------------------------------------------------------------------------------- fingerprints
def world(sources_dir: Path) -> str:
    """What every fragment depends on besides its records and the code: the sources, the words table and
    the links file."""
    from .links import LINKS_FILE
    from .quotes import WORDS_FILE

    h = hashlib.sha256()
    for f in [*sorted(Path(sources_dir).rglob("*")), Path(WORDS_FILE), Path(LINKS_FILE)]:
        if f.is_file():
            h.update(str(f.relative_to(f.anchor)).encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(rec) -> str:
    return hashlib.sha256(f"{rec.file}\0{rec.kind}\0".encode() + rec.model.model_dump_json().encode()
                          ).hexdigest()


def file_hashes(facts_dir: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(facts_dir).glob("*.yaml"))}


# ------------------------------------------------------------------------------------------------ lines
class Lines:
    """rdflib triples -> their N-Triples text without " ." (``str`` of a pyoxigraph triple), each distinct
    term converted once."""

    def __init__(self):
        self.memo: dict = {}

    def term(self, t):
        found = self.memo.get(t)
        if found is None:
            found = self.memo[t] = to_oxigraph(t)
        return found

    def __call__(self, triple) -> str:
        term = self.term
        return str(ox.Triple(term(triple[0]), term(triple[1]), term(triple[2])))


def rdflib_triple(line: str) -> tuple:
    t = next(iter(ox.parse(line.encode() + b" .\n", format=ox.RdfFormat.N_TRIPLES)))
    return to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)


def fragments_of(recording: Recording, statements_by: dict, reads: dict, lines: Lines) -> dict:
    """{record id: (reads, data lines, {statement line: quote keys})} of what a build recorded."""
    out = {}
    for rid in {*recording.by, *statements_by, *reads}:
        data = tuple(sorted({lines(t) for t in recording.by.get(rid, ())}))
        stmts = {lines(t): tuple(sorted(keys)) for t, keys in statements_by.get(rid, {}).items()}
        out[rid] = (frozenset(reads.get(rid, ())), data, stmts)
    return out


def counts(fragments: dict) -> tuple[Counter, dict]:
    """(data line -> how many fragments hold it, statement line -> the fragments that state it)."""
    refs, stated = Counter(), {}
    for rid, (_, data, stmts) in fragments.items():
        refs.update(data)
        for line in stmts:
            stated.setdefault(line, set()).add(rid)
    return refs, {line: frozenset(ids) for line, ids in stated.items()}


def words_counts(fragments: dict, stated: dict) -> Counter:
    """quote key -> how many statements cite those words (each statement's keys: those of its fragments)."""
    out = Counter()
    for line, ids in stated.items():
        out.update(bucket(fragments, ids, line))
    return out


def bucket(fragments: dict, ids, line: str) -> frozenset:
    return frozenset(k for rid in ids for k in fragments[rid][2].get(line, ()))


# ----------------------------------------------------------------------------------------- what changed
def changed(state: dict, facts: dict, hashes: dict) -> set | None:
    """The ids of the records whose content changed since the last build (``hashes``: file_hashes); None
    if a record came or went (the registry, hence every reader of it, would change)."""
    out = set()
    ids = {rec.id for records in facts.values() for rec in records}
    if ids != state["fingerprints"].keys():
        return None
    for records in facts.values():
        for rec in records:
            if hashes.get(rec.file) != state["files"].get(rec.file) and \
                    fingerprint(rec) != state["fingerprints"][rec.id]:
                out.add(rec.id)
    return out


def dirty(state: dict, facts: dict, edited: set) -> set:
    """The records to rebuild: the edited ones, those that read one, the records an edited correction
    corrects (now or before), and the corrections that read a record rebuilt."""
    frags = state["fragments"]
    out = set(edited)
    for rid, (reads, _, _) in frags.items():
        if rid not in (GLOBAL, SOURCES) and reads & edited:
            out.add(rid)
    for rec in facts.get("corrections", []):
        if rec.id in edited:
            out.update(t.record for t in rec.model.applies_to)
            out.update(frags.get(rec.id, (frozenset(),))[0])
    for rec in facts.get("corrections", []):
        if frags.get(rec.id, (frozenset(),))[0] & out:
            out.add(rec.id)
    return out


class Statements(dict):
    """Context.statements while a few records are rebuilt: theirs, and (``in``) the kept ones some other
    record still states (a correction asks whether the records it corrects state a date)."""

    def __init__(self, stated: dict, rebuilt: set, lines: Lines):
        super().__init__()
        self.stated, self.rebuilt, self.lines = stated, rebuilt, lines

    def __contains__(self, triple) -> bool:
        if dict.__contains__(self, triple):
            return True
        ids = self.stated.get(self.lines(triple), frozenset())
        return bool(ids - self.rebuilt)


def delta(state: dict, new: dict) -> tuple[dict, Counter, dict, set, set]:
    """The fragments after replacing those in ``new`` (rebuilt records, ``@global``), the counts, and Δ of
    the data graph: (fragments, refs, stated, added lines, removed lines)."""
    frags = dict(state["fragments"])
    refs, stated = Counter(state["refs"]), dict(state["stated"])
    before = {line for rid in new for line in frags.get(rid, (None, (), None))[1]}
    for rid, frag in new.items():
        old = frags.get(rid)
        if old is not None:
            refs.subtract(old[1])
            for line in old[2]:
                stated[line] = stated[line] - {rid}
        refs.update(frag[1])
        for line in frag[2]:
            stated[line] = stated.get(line, frozenset()) | {rid}
        frags[rid] = frag
    touched = before | {line for frag in new.values() for line in frag[1]}
    added = {line for line in touched if refs[line] > 0 and state["refs"].get(line, 0) == 0}
    removed = {line for line in touched if refs[line] <= 0 and state["refs"].get(line, 0) > 0}
    for line in removed:
        del refs[line]
    stated = {line: ids for line, ids in stated.items() if ids}
    return frags, refs, stated, added, removed


def provenance_delta(state: dict, frags: dict, stated: dict, new: dict, iris, sources) -> tuple:
    """Δ of the provenance graph and of the RDF 1.2 reifier triples (lines), and the words counts after:
    the statements whose quotes changed are written again (kg.provenance's terms), words that no
    statement cites any more go, words cited for the first time come."""
    old_frags, old_stated = state["fragments"], state["stated"]
    lines = {line for rid in new for line in (*old_frags.get(rid, (None, None, {}))[2], *new[rid][2])}
    words = Counter(state["words"])
    old_triples, new_triples, old_reifies, new_reifies = set(), set(), set(), set()
    come, gone = set(), set()
    for line in sorted(lines):
        before = bucket(old_frags, old_stated.get(line, ()), line)
        after = bucket(frags, stated.get(line, ()), line)
        if before == after:
            continue
        triple = rdflib_triple(line)
        if before:
            old_triples |= _statement(triple, before, iris, sources)
            old_reifies.add(_reifier(triple, iris))
        if after:
            new_triples |= _statement(triple, after, iris, sources)
            new_reifies.add(_reifier(triple, iris))
        for k in before - after:
            words[k] -= 1
            if words[k] == 0:
                gone.add(k)
        for k in after - before:
            if words[k] == 0:
                come.add(k)
            words[k] += 1
    for k in gone - come:
        old_triples |= _words(k, iris, sources)
    for k in come - gone:
        new_triples |= _words(k, iris, sources)
    words = +words  # drop the zeros
    return (new_triples - old_triples, old_triples - new_triples,
            new_reifies - old_reifies, old_reifies - new_reifies, words)


def _word(key: tuple, iris, sources) -> provenance.Words:
    source, sid, start, end = key
    return provenance.Words(iris.thing("source", source, sid, f"words-{start}-{end}"),
                            iris.source(source, sid), sources[source].sentences[sid], start, end)


def _statement(triple, keys, iris, sources) -> set:
    """The lines of a statement's reifier (kg.provenance.rdf11 without its words' own triples)."""
    lines = Lines()
    return {lines(t) for t in provenance.statement_triples(
        provenance.statement_iri(iris.statements, triple), triple,
        [_word(k, iris, sources) for k in sorted(keys)])}


def _words(key, iris, sources) -> set:
    lines, out = Lines(), []
    provenance.add_words(_Sink(out), _word(key, iris, sources))
    return {lines(t) for t in out}


def _reifier(triple, iris) -> str:
    return str(provenance.reifier(iris.statements, triple))


class _Sink:
    def __init__(self, out: list):
        self.add = out.append
