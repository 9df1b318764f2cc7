"""Footnotes: which words of which sentence state each statement a page shows, read from the provenance graph.

Every factual triple of the data graph has a reifier in the named graph ``{base}graph/provenance`` (RDF 1.1
rendering: ``rdf:subject`` / ``rdf:predicate`` / ``rdf:object``), derived from its sentence(s) and pointing at
the words there (``oa:TextQuoteSelector`` for the words, ``oa:TextPositionSelector`` for where they stand, in
code points of the sentence's ``rdf:value``). A page collects the reifiers of its statements with constant
queries (the resource and the graph bound through substitutions), numbers the distinct words it cites, and
each statement row links to its notes; a note shows the Latvian sentence with the words marked, its English
gloss (``apg:gloss``, a translation) where the build has one, and links to the sentence's page.
"""

from __future__ import annotations

from . import queries
from .views import Labeller, labelled_values, select, store_memo

# The words that state triples: a page's statements (?s or ?o bound), a sentence's (?sentence bound).
_WORDS_QUERY = queries.load("statement-words")
# The sentences' texts, ids and glosses: read once per store (a served store never changes), as
# views.store_memo does for labels.
_SENTENCES_QUERY = queries.load("sentences")


def provenance_graph(store) -> str | None:
    graph = store.manifest.get("graphs", {}).get("provenance")
    return graph["iri"] if graph else None


def sentences(store) -> dict[str, dict]:
    """sentence IRI -> {text, lang, sid, gloss}: the store's sentences (once per store)."""
    memo = store_memo(store)
    if "sentences" not in memo:
        found: dict[str, dict] = {}
        for row in select(store, _SENTENCES_QUERY):
            entry = found.setdefault(row["sentence"].value, {
                "text": row["text"].value, "lang": row["text"].language or "lv",
                "sid": row["sid"].value if row["sid"] else None, "gloss": None})
            if row["gloss"] is not None and entry["gloss"] is None:
                entry["gloss"] = {"text": row["gloss"].value, "lang": row["gloss"].language or "en"}
        memo["sentences"] = found
    return memo["sentences"]


def split(text: str, start: int, end: int, exact: str) -> tuple[str, str, str]:
    """The sentence as (before, words, after) around the words at [start, end) (code points). Should the
    offsets not hold the words (they always do in a checked build), the words' first occurrence is used."""
    if text[start:end] != exact and exact in text:
        start = text.index(exact)
        end = start + len(exact)
    return text[:start], text[start:end], text[end:]


class Footnotes:
    """The notes of one page: numbered in the order the page first cites them, one per distinct words."""

    def __init__(self, store, lab: Labeller):
        self.store, self.lab = store, lab
        self.graph = provenance_graph(store)
        self.notes: list[dict] = []
        self._number: dict[tuple, dict] = {}
        self._by_triple: dict[tuple[str, str, str], list[dict]] = {}
        self._loaded: set[tuple[str, str]] = set()

    def _load(self, **given) -> None:
        key = next(iter(given.items()))
        if self.graph is None or key in self._loaded:
            return
        self._loaded.add(key)
        for row in select(self.store, _WORDS_QUERY, prov=self.graph, **given):
            triple = (str(row["s"]), str(row["p"]), str(row["o"]))
            words = (row["sentence"].value, int(row["start"].value), int(row["end"].value))
            found = self._by_triple.setdefault(triple, [])
            if not any(w["words"] == words for w in found):
                found.append({"words": words, "row": row})
        for found in self._by_triple.values():
            found.sort(key=lambda w: w["words"])

    def _note(self, words: tuple, row) -> dict:
        note = self._number.get(words)
        if note is None:
            sentence, start, end = words
            known = sentences(self.store).get(sentence, {})
            text = known.get("text", row["exact"].value)
            before, exact, after = split(text, start, end, row["exact"].value)
            note = {
                "n": len(self.notes) + 1,
                "sentence": self.lab.link(sentence),
                "id": known.get("sid") or sentence.rsplit("/", 1)[-1],
                "lang": known.get("lang", "lv"),
                "before": before,
                "exact": exact,
                "after": after,
                "start": start,
                "end": end,
                "gloss": known.get("gloss"),
            }
            self._number[words] = note
            self.notes.append(note)
        return note

    def cite(self, s: str, p: str, o: str) -> list[dict]:
        """The notes of the triple (terms in N-Triples form), numbering new ones."""
        return [self._note(w["words"], w["row"]) for w in self._by_triple.get((s, p, o), [])]

    def outgoing(self, subject: str, rows: list[dict]) -> None:
        """Attach ``notes`` to each value of property rows about ``subject`` (views._properties)."""
        self._load(s=subject)
        for row in rows:
            for value in row["values"]:
                p = f"<{row['property']['iri']}>"
                value["notes"] = self.cite(f"<{subject}>", p, value.get("term", ""))

    def incoming(self, obj: str, rows: list[dict]) -> None:
        """Attach ``notes`` to each value (a subject) of property rows pointing at ``obj``."""
        self._load(o=obj)
        for row in rows:
            for value in row["values"]:
                value["notes"] = self.cite(value.get("term", ""), f"<{row['property']['iri']}>", f"<{obj}>")


def sentence_statements(store, iri: str, lab: Labeller) -> list[dict]:
    """Every statement derived from the sentence: subject, property, value (as views.labelled_values), the
    words (exact, start, end), in the order of the words in the sentence."""
    graph = provenance_graph(store)
    if graph is None:
        return []
    rows = select(store, _WORDS_QUERY, prov=graph, sentence=iri)
    lab.fetch({r["s"].value for r in rows} | {r["p"].value for r in rows})
    out = []
    for r in rows:
        out.append(
            {
                "subject": lab.link(r["s"].value),
                "property": lab.link(r["p"].value),
                "value": labelled_values(lab, [r["o"]], r["p"].value)[0],
                "exact": r["exact"].value,
                "start": int(r["start"].value),
                "end": int(r["end"].value),
            }
        )
    out.sort(key=lambda e: (e["start"], e["end"], e["subject"]["label"], e["property"]["label"],
                            e["value"].get("label") or e["value"].get("text") or ""))
    return out


def marked(text: str, spans: list[tuple[int, int]]) -> list[dict]:
    """The text in pieces ``{text, mark}``: the union of ``spans`` (code points) marked, the rest not."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, at = [], 0
    for start, end in merged:
        if start > at:
            pieces.append({"text": text[at:start], "mark": False})
        pieces.append({"text": text[start:end], "mark": True})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "mark": False})
    return pieces
