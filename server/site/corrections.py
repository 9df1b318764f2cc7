"""Editorial corrections as pages show them: every ``apg:Correction`` of the data graph (factual corrections
and typo normalisations), with the source's words (marked in their sentence), what the graph records instead,
the reason, the evidence with its bibliographic citation, and what it applies to (``apg:corrects``).

Collected with constant queries (the corrected resource bound through substitutions), like
server/site/views.py.
"""

from __future__ import annotations

from . import queries
from .footnotes import split
from .views import APG, Labeller, literal_view, select

_ALL = queries.load("corrections-all")
_OF = queries.load("corrections-of")
_DETAILS = queries.load("correction-details")
_WORDS = queries.load("correction-words")
_EVIDENCE = queries.load("correction-evidence")


def corrections(store, lab: Labeller, corrected: str | None = None) -> list[dict]:
    """All corrections (``corrected`` None) or those that correct ``corrected``: link, kind ("factual" |
    "normalisation"), source_reading, corrected (the value or normalised text), note (the reason, in the page
    language or English), words (the source's words in their sentence: sentence link, id, before/exact/after),
    evidence [{link, citation, sentence}] and corrects (links). Factual corrections first."""
    found = select(store, _OF, this=corrected) if corrected else select(store, _ALL)
    out = []
    for c in dict.fromkeys(row["c"].value for row in found):
        by_p: dict[str, list] = {}
        for row in select(store, _DETAILS, c=c):
            by_p.setdefault(row["p"].value, []).append(row["o"])
        words = select(store, _WORDS, c=c)
        evidence = select(store, _EVIDENCE, c=c)
        lab.fetch([c, *(t.value for t in by_p.get(APG + "corrects", [])), *(r["e"].value for r in evidence)])
        types = {t.value for t in by_p.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])}
        corrected_value = by_p.get(APG + "correctedValue") or by_p.get(APG + "normalisedText") or []
        out.append(
            {
                "link": lab.link(c),
                "kind": "factual" if APG + "FactualCorrection" in types else "normalisation",
                "source_reading": lab.text(by_p.get(APG + "sourceReading", [])),
                "corrected": literal_view(corrected_value[0]) if corrected_value else None,
                "note": lab.text(by_p.get("http://www.w3.org/2004/02/skos/core#editorialNote", [])),
                "words": [_words(lab, w) for w in words],
                "evidence": sorted(
                    (
                        {
                            "link": lab.link(r["e"].value),
                            "citation": r["citation"].value if r["citation"] else None,
                            "sentence": r["sid"].value if r["sid"] else None,
                        }
                        for r in evidence
                    ),
                    key=lambda e: (e["sentence"] is None, e["link"]["label"]),
                ),
                "corrects": sorted(
                    (lab.link(t.value) for t in by_p.get(APG + "corrects", [])), key=lambda v: v["label"]
                ),
            }
        )
    out.sort(key=lambda c: (c["kind"] != "factual", c["link"]["iri"]))
    return out


def _words(lab: Labeller, row) -> dict:
    before, exact, after = split(row["text"].value, int(row["start"].value), int(row["end"].value),
                                 row["exact"].value)
    return {
        "sentence": lab.link(row["sentence"].value),
        "id": row["sid"].value if row["sid"] else row["sentence"].value.rsplit("/", 1)[-1],
        "lang": row["text"].language or "lv",
        "before": before,
        "exact": exact,
        "after": after,
    }
