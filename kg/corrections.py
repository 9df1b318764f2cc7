"""The editorial corrections of the built graph (``apg:Correction``), for ``apg corrections``: what the source
says, what the graph records instead, why, on what evidence, and what it applies to."""
import json

from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from .namespaces import APG, OA


def _en(g: Graph, node, prop) -> str:
    values = list(g.objects(node, prop))
    return str(next((v for v in values if getattr(v, "language", None) == "en"), values[0] if values else ""))


def list_corrections(data: Graph) -> list[dict]:
    out = []
    for node in sorted(set(data.subjects(RDF.type, APG.Correction))):
        words = data.value(node, OA.hasTarget)
        sentence = data.value(words, OA.hasSource)
        evidence = []
        for ev in sorted(data.objects(node, APG.evidence)):
            if (ev, RDF.type, APG.Sentence) in data:
                quoted = [str(data.value(sel, OA.exact)) for w in data.objects(node, APG.evidenceWords)
                          if data.value(w, OA.hasSource) == ev for sel in data.objects(w, OA.hasSelector)
                          if data.value(sel, OA.exact) is not None]
                evidence.append({"sentence": str(data.value(ev, APG.sentenceId)), "iri": str(ev),
                                 "words": quoted})
            else:
                evidence.append({"citation": str(data.value(ev, DCTERMS.bibliographicCitation)),
                                 "iri": str(ev)})
        kind = "factual" if (node, RDF.type, APG.FactualCorrection) in data else "normalisation"
        value = data.value(node, APG.correctedValue if kind == "factual" else APG.normalisedText)
        source_value = data.value(node, APG.sourceValue)
        out.append({
            "iri": str(node),
            "kind": kind,
            "label": _en(data, node, RDFS.label),
            "sentence": str(data.value(sentence, APG.sentenceId)),
            "source_reading": str(data.value(node, APG.sourceReading)),
            "source_value": str(source_value) if source_value is not None else None,
            "graph_value": str(value),
            "applies_to": sorted(str(o) for o in data.objects(node, APG.corrects)),
            "statements": sorted(str(o) for o in data.objects(node, APG.correctsStatement)),
            "reason": _en(data, node, SKOS.editorialNote),
            "evidence": evidence,
        })
    return sorted(out, key=lambda c: (c["kind"] != "factual", c["sentence"], c["iri"]))


def report_text(corrections: list[dict]) -> str:
    lines = []
    for kind, title in (("factual", "Factual corrections"),
                        ("normalisation", "Typo normalisations in labels")):
        rows = [c for c in corrections if c["kind"] == kind]
        lines.append(f"{title}: {len(rows)}")
        for c in rows:
            lines.append(f"  {c['label']}")
            lines.append(f"    source reads: {c['source_reading']!r}"
                         + (f" ({c['source_value']})" if c["source_value"] else ""))
            recorded = "graph records" if kind == "factual" else "labels write"
            lines.append(f"    {recorded}: {c['graph_value']!r}")
            lines.append(f"    applies to: {', '.join(c['applies_to'])}")
            lines.append(f"    reason: {c['reason']}")
            for ev in c["evidence"]:
                if "citation" in ev:
                    lines.append(f"    evidence: {ev['citation']} <{ev['iri']}>")
                else:
                    lines.append(f"    evidence: {ev['sentence']} {' / '.join(repr(w) for w in ev['words'])}")
            lines.append(f"    <{c['iri']}>")
        lines.append("")
    return "\n".join(lines)


def report_json(corrections: list[dict]) -> str:
    return json.dumps(corrections, ensure_ascii=False, indent=2) + "\n"
