"""The quote check: every factual field of every record carries the source's words that state it.

A record's ``quotes`` map a field path (``end``, ``participants``, ``counts.yes``; several at once as
``"member, organization"``) to ``{sentence: words}``. The check is mechanical, so that no record says more
than its sentences:

- the words occur exactly once in the cited sentence (the sentence is one of the record's ``cites``);
- every factual field with a value (``FACTUAL`` of its model in ``kg.schema``) has at least one quote, and
  every value of it (each element of a list) is supported by one of them;
- every quote supports at least one value of its field: a reference to a record contains a form of its name
  (``forms``) or a reference word documented for that sentence (``refs``), or, for a reference to an event as
  the session / whole it belongs to or the event it followed, comes from a sentence of that event's ``scene``
  or ``sequel``; a controlled value contains one of its words (``kg/source/words.yaml``); a date's quotes
  together contain its year, month and day (each quote at least one of them), or the source's own reading
  where the graph records a corrected value; a phrase (``time``, ``manner``) contains the Latvian words; a
  paraphrase (``pretext``, ``motion``, ``title``) contains every long word of the text in the sentence's
  language by its stem.

Records that name an entity (persons, organisations, places) are also checked to be named, by a form or a
documented reference word, in every sentence they cite. ``Quotes`` answers the builders which quotes support a
value: those become the statement-level provenance of the triple (``kg.provenance``).
"""
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import dates
from .facts import FactError, Record
from .schema import BOOL, COUNT, DATE, GIST, NUMBER, PHRASE, REF, ROLES, SCENE, SEQUEL, WORD, Effect, Quoted
from .sources import SOURCE_DIR, Source

WORDS_FILE = SOURCE_DIR / "words.yaml"
# the kinds of record whose every cited sentence must name them
NAMED = ("person", "organization", "place")
_WORD_TABLE = {"role": "roles", "began_by": "changes", "ended_by": "changes", "type": "effects",
               "result": "results"}


@dataclass(frozen=True)
class Quote:
    """Words of one sentence: the exact text and where it stands (code-point offsets)."""

    source: str
    sid: str
    text: str
    start: int
    sentence: str
    language: str

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def prefix(self, n: int = 32) -> str:
        return self.sentence[max(0, self.start - n):self.start]

    def suffix(self, n: int = 32) -> str:
        return self.sentence[self.end:self.end + n]


def load_words(path: Path = WORDS_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def has(text: str, word: str) -> bool:
    """Does ``text`` contain ``word`` at the start of a word (case-insensitive)? A trailing ``$`` asks for the
    whole word; digits match as a whole number (6 is not in 56)."""
    whole = word.endswith("$")
    w = word[:-1] if whole else word
    if w.isdigit():
        return re.search(rf"(?<!\d){w}(?!\d)", text) is not None
    pattern = rf"(?<![^\W\d_]){re.escape(w)}" + (r"(?![^\W\d_])" if whole else "")
    return re.search(pattern, text, re.IGNORECASE) is not None


def _stems(text: str, n: int = 5) -> list[str]:
    return [w[:n] for w in re.findall(r"[^\W\d_]+", text) if len(w) >= n]


def _items(field: str, value) -> list[tuple[str, object]]:
    """(path, value) pairs of a field: one per element of a list, one per key of counts/votes."""
    if isinstance(value, dict) and field in ("counts", "votes"):
        return [(f"{field}.{k}", x) for k, v in value.items() for x in (v if isinstance(v, list) else [v])]
    if isinstance(value, list):
        return [(field, x) for x in value]
    return [(field, value)]


class Quotes:
    """Checks the quotes of all records at once (all errors in one report); then answers ``support``."""

    def __init__(self, facts: dict[str, list[Record]], sources: dict[str, Source], default_source: str,
                 words: dict | None = None, check=None, trace=None):
        """``check``: the ids of the records to check now (default: all); the others are checked when a
        builder first asks for their support (kg.fragments: a rebuild checks the records it rebuilds).
        ``trace``: a kg.fragments.Trace, told which records each check reads."""
        from .fragments import Trace, traced

        self.sources = sources
        self.default = default_source
        self.words = words if words is not None else load_words()
        self.trace = trace or Trace()
        self.records = traced({rec.id: rec for recs in facts.values() for rec in recs}, self.trace)
        self._support: dict[tuple, tuple[Quote, ...]] = {}
        self.errors: list[str] = []
        self.checked: dict[str, frozenset] = {}  # record id -> the records its check read
        # (record id, field) -> the correction whose value it records instead of the source's reading
        self.corrected = traced({(t.record, t.field): rec for rec in facts.get("corrections", [])
                                 for t in rec.model.applies_to if rec.model.kind == "FactualCorrection"},
                                self.trace, by_value=True)
        ids = set(dict.keys(self.records)) if check is None else set(check)
        reads: dict[str, set] = {}
        for rec in facts.get("corrections", []):  # the corrections first, then every record
            if rec.id in ids:
                with self.trace.record(rec.id) as seen:
                    self._check_correction(rec)
                reads[rec.id] = seen
        for rec in dict.values(self.records):
            if rec.id in ids:
                with self.trace.record(rec.id) as seen:
                    self._check_record(rec)
                self.checked[rec.id] = frozenset(seen | reads.get(rec.id, set()))
        if self.errors:
            raise FactError(f"{len(self.errors)} quote error(s):\n" + "\n".join(self.errors))

    def _check_one(self, rec: Record) -> None:
        with self.trace.record(rec.id) as seen:
            if rec.kind == "correction":
                self._check_correction(rec)
            self._check_record(rec)
        self.checked[rec.id] = frozenset(seen)

    def _check_record(self, rec: Record) -> None:
        where = rec.where()
        for cite in rec.model.cites:
            key = self._key(cite)
            if key[0] not in self.sources or key[1] not in self.sources[key[0]].sentences:
                self.errors.append(f"{where}: field cites: cites unknown sentence {cite!r}")
        self._check(rec, rec.model, where, rec.model.cites)
        for key in ("effects", "proposes"):
            for n, eff in enumerate(getattr(rec.model, key, None) or [], start=1):
                self._check(rec, eff, f"{where}: {key}[{n}]", eff.cites or rec.model.cites, (key, n))
        if rec.kind in NAMED:
            self._check_named(rec)

    # ------------------------------------------------------------------ answers
    def support(self, rec: Record, path: str, value, part: tuple | None = None) -> tuple[Quote, ...]:
        """The quotes that state ``value`` of field ``path`` of ``rec`` (of its effect ``part``)."""
        key = (rec.id, part, path, _hashable(value))
        if key not in self._support and rec.id not in self.checked:  # not checked yet (``check``)
            self._check_one(rec)
            if self.errors:
                raise FactError(f"{len(self.errors)} quote error(s):\n" + "\n".join(self.errors))
        if key not in self._support:
            raise FactError(f"{rec.where()}: field {path}: no checked quote for {value!r}")
        return self._support[key]

    # ------------------------------------------------------------------ checks
    def _key(self, cite: str) -> tuple[str, str]:
        source, _, sid = cite.rpartition(":")
        return (source or self.default, sid)

    def _quotes(self, obj: Quoted, where: str, cites) -> dict[str, list[Quote]]:
        out: dict[str, list[Quote]] = {}
        allowed = {self._key(c) for c in cites}
        spread = [(p.strip(), v) for key, v in obj.quotes.items() for p in key.split(",")]
        for path, by_sentence in spread:
            field = path.split(".")[0]
            if field not in obj.FACTUAL:
                self.errors.append(f"{where}: field quotes.{path}: {field!r} is not a factual field of this "
                                   f"kind (factual: {', '.join(sorted(obj.FACTUAL))})")
                continue
            if _value(obj, field) in (None, [], {}):
                self.errors.append(f"{where}: field quotes.{path}: the record gives no {field}")
                continue
            for cite, texts in by_sentence.items():
                key = self._key(cite)
                if key not in allowed:
                    self.errors.append(f"{where}: field quotes.{path}: quotes {cite}, which the record does "
                                       "not cite")
                    continue
                src = self.sources.get(key[0])
                if src is None or key[1] not in src.sentences:
                    self.errors.append(f"{where}: field quotes.{path}: unknown sentence {cite!r}")
                    continue
                sentence = src.sentences[key[1]]
                for text in [texts] if isinstance(texts, str) else texts:
                    n = sentence.count(text)
                    if n != 1:
                        what = "is not in" if n == 0 else f"occurs {n} times in"
                        self.errors.append(f"{where}: field quotes.{path}: {text!r} {what} {cite}"
                                           + ("; quote more words" if n > 1 else ""))
                        continue
                    quote = Quote(key[0], key[1], text, sentence.index(text), sentence, src.language(key[1]))
                    out.setdefault(path, []).append(quote)
        return out

    def _check(self, rec: Record, obj: Quoted, where: str, cites, part: tuple | None = None) -> None:
        quotes = self._quotes(obj, where, cites)
        for field, kind in obj.FACTUAL.items():
            value = _value(obj, field)
            if value in (None, [], {}):
                continue
            if field == "role" and value not in ROLES:
                kind = REF  # a rank record
            items = _items(field, value)
            paths = {p for p, _ in items}
            used: set[int] = set()
            missing: set[str] = set()
            failed: set[str] = set()  # paths with an unsupported value: that error says enough
            for path, item in items:
                qs = quotes.get(path, [])
                if not qs:
                    if path not in missing:
                        missing.add(path)
                        self.errors.append(f"{where}: field {path}: no quote states it (add quotes: {path}: "
                                           f"{{sentence: words}})")
                    continue
                if kind == DATE:
                    correction = self.corrected.get((rec.id, path)) if part is None else None
                    ok, err = self._date(qs, item, correction.model.source_reading if correction else None)
                    if err:
                        self.errors.append(f"{where}: field {path}: {err}")
                        failed.add(path)
                        continue
                else:
                    ok = [q for q in qs if self._supports(kind, field, path, q, item, obj)]
                    if not ok:
                        self.errors.append(f"{where}: field {path}: no quote states {_show(item)} "
                                           f"({'; '.join(repr(q.text) for q in qs)}){self._hint(kind, item)}")
                        failed.add(path)
                        continue
                used.update(id(q) for q in ok)
                self._support[(rec.id, part, path, _hashable(item))] = tuple(ok)
            for path, qs in quotes.items():
                if path.split(".")[0] != field or path in failed:
                    continue
                if path not in paths:
                    self.errors.append(f"{where}: field quotes.{path}: the record gives no {path}")
                    continue
                for q in qs:
                    if id(q) not in used:
                        values = ", ".join(_show(v) for p, v in items if p == path)
                        self.errors.append(f"{where}: field {path}: quote {q.text!r} ({q.sid}) states none "
                                           f"of its values ({values})")

    def _hint(self, kind: str, item) -> str:
        if kind in (REF, SCENE, SEQUEL) and isinstance(item, str) and item in self.records:
            target = self.records[item].model
            if not (target.forms or target.refs or getattr(target, "scene", None)):
                return f"; {item!r} documents no forms or refs"
        return ""

    def _ref(self, q: Quote, target: str, kind: str) -> bool:
        rec = self.records.get(target)
        if rec is None:
            return False
        m = rec.model
        words = list(m.forms) + [w for c, ws in m.refs.items() if self._key(c) == (q.source, q.sid)
                                 for w in ws]
        if any(has(q.text, w) for w in words):
            return True
        if kind == SCENE and (q.source, q.sid) in {self._key(c) for c in getattr(m, "scene", [])}:
            return True
        if kind == SEQUEL and (q.source, q.sid) in {self._key(c) for c in getattr(m, "sequel", [])}:
            return True
        return False

    def _supports(self, kind: str, field: str, path: str, q: Quote, item, obj) -> bool:
        if kind in (REF, SCENE, SEQUEL):
            return self._ref(q, item, kind)
        if kind == WORD:
            table = self.words[_WORD_TABLE["type" if isinstance(obj, Effect) and field == "type" else field]]
            return any(has(q.text, w) for w in table.get(item, []))
        if kind == NUMBER:
            return any(has(q.text, w) for w in self.words["numbers"].get(item, [str(item)]))
        if kind == COUNT:
            option = path.split(".", 1)[1]
            return (any(has(q.text, w) for w in self.words["numbers"].get(item, [str(item)]))
                    and any(has(q.text, w) for w in self.words["options"].get(option, [option])))
        if kind == BOOL:
            return any(has(q.text, w) for w in self.words["successful"].get(item, []))
        if kind == PHRASE:
            text = item.get(q.language)
            return bool(text) and text.casefold() in q.text.casefold()
        if kind == GIST:
            text = item.get(q.language)
            return bool(text) and all(has(q.text, stem) for stem in _stems(text))
        raise ValueError(f"unknown check {kind!r}")

    def _date(self, qs: list[Quote], value: str, reading: str | None):
        """A date's quotes together give its year, month and day; each gives at least one of them. Where the
        graph records a corrected value (kg/facts/corrections.yaml), one quote must be the source's own
        reading of it."""
        parsed = dates.parse(value)
        parts = value.split("-")
        need = {"year": parts[0]}
        if len(parts) >= 2:
            need["month"] = int(parts[1])
        if len(parts) == 3:
            need["day"] = int(parts[2])
        if reading is not None:
            if not any(reading in q.text for q in qs):
                return [], f"the source reads {reading!r} here (a correction): quote those words"
            return qs, None
        found, ok = set(), []
        for q in qs:
            got = {c for c, v in need.items() if self._component(q.text, c, v)}
            if not got:
                return [], f"quote {q.text!r} ({q.sid}) gives no part of {value} (year, month, day)"
            found |= got
            ok.append(q)
        missing = set(need) - found
        if missing:
            return [], f"the quotes do not give the {', '.join(sorted(missing))} of {value}"
        assert parsed  # parse() validated the value
        return ok, None

    def _component(self, text: str, component: str, value) -> bool:
        if component == "year":
            return has(text, value)
        if component == "month":
            return any(has(text, w) for w in self.words["months"][value])
        return has(text, str(value))

    def _check_correction(self, rec: Record) -> None:
        """A correction quotes the source's reading and its evidence exactly, and applies to fields that hold
        the corrected value (a date field with that value) or the normalised text (a Latvian label containing
        it)."""
        m, where = rec.model, rec.where()
        cites = {self._key(c) for c in m.cites}
        words = [("sentence", m.sentence, m.source_reading)]
        words += [(f"evidence[{n}]", e.sentence, e.quote) for n, e in enumerate(m.evidence, 1) if e.sentence]
        for field, cite, text in words:
            key = self._key(cite)
            if key not in cites:
                self.errors.append(f"{where}: field {field}: {cite} is not among the record's cites")
                continue
            sentence = self.sources.get(key[0]).sentences.get(key[1], "") if key[0] in self.sources else ""
            if sentence.count(text) != 1:
                self.errors.append(f"{where}: field {field}: {text!r} does not occur exactly once in {cite}")
        for n, target in enumerate(m.applies_to, 1):
            other = self.records.get(target.record)
            if other is None:
                self.errors.append(f"{where}: field applies_to[{n}]: unknown record {target.record!r}")
                continue
            if m.kind == "FactualCorrection":
                kind = other.model.FACTUAL.get(target.field)
                value = _value(other.model, target.field)
                if kind != DATE or value != m.corrected_value:
                    self.errors.append(f"{where}: field applies_to[{n}]: {target.record}.{target.field} is "
                                       f"{value!r}, not a date holding the corrected value "
                                       f"{m.corrected_value!r}")
            else:
                label = (other.model.label or {}).get("lv", "")
                if target.field != "label" or m.normalised not in label:
                    self.errors.append(f"{where}: field applies_to[{n}]: the Latvian label of "
                                       f"{target.record} does not contain the normalised text "
                                       f"{m.normalised!r}")

    def _check_named(self, rec: Record) -> None:
        m = rec.model
        for cite in m.cites:
            key = self._key(cite)
            src = self.sources.get(key[0])
            if src is None or key[1] not in src.sentences:
                continue  # the builders report unknown sentences
            text = src.sentences[key[1]]
            words = list(m.forms) + [w for c, ws in m.refs.items() if self._key(c) == key for w in ws]
            if not words:
                self.errors.append(f"{rec.where()}: field forms: no words by which the source names it")
                return
            if not any(has(text, w) for w in words):
                self.errors.append(f"{rec.where()}: field cites: {cite} does not name it "
                                   f"(forms {m.forms}; add a form, or a refs entry for {cite})")


def _value(obj, field: str):
    return getattr(obj, "in_" if field == "in" else field, None)


def _hashable(value):
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    if isinstance(value, list):
        return tuple(value)
    return value


def _show(value) -> str:
    if isinstance(value, dict):
        return repr(value.get("lv") or value.get("ru") or value)
    return repr(value)
