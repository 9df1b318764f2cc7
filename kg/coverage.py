"""Provenance coverage: which statements (fact nodes) cite each sentence, and which cite none; and how many
factual triples have statement-level provenance (a reifier with sentence and words, ``kg.provenance``)."""
from collections import defaultdict

from rdflib import Graph
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from .namespaces import APG, OA, SCHEMA
from .provenance import factual, without_provenance

# Resources that describe the sources themselves, or the graph's own editorial work, not facts taken from
# them.
_NOT_FACTS = {APG.Sentence, SCHEMA.Article, DCTERMS.BibliographicResource, SKOS.ConceptScheme, OA.Annotation,
              OA.SpecificResource, OA.TextQuoteSelector, OA.TextPositionSelector}


def coverage(data: Graph, provenance: Graph | None = None, missing: list | None = None) -> dict:
    """``missing``: without_provenance(data, provenance), when the caller has it already."""
    sentences = {s: str(data.value(s, APG.sentenceId)) for s in data.subjects(RDF.type, APG.Sentence)}
    facts = {s for s in data.subjects(RDF.type, None)} - {
        s for t in _NOT_FACTS for s in data.subjects(RDF.type, t)}
    cited = defaultdict(list)
    uncited = []
    for node in sorted(facts):
        sources = [o for o in data.objects(node, PROV.wasDerivedFrom) if o in sentences]
        if not sources:
            uncited.append(str(node))
        for s in sources:
            cited[sentences[s]].append(str(node))
    order = sorted(sentences.values(),
                   key=lambda sid: (sid[0] != "s", int(sid[1:]) if sid[1:].isdigit() else 0))
    out = {"sentences": {sid: sorted(cited.get(sid, [])) for sid in order}, "uncited": uncited,
           "facts": len(facts), "factual_triples": sum(1 for _ in factual(data))}
    if provenance is not None:
        out["without_statement_provenance"] = [" ".join(t.n3() for t in triple)
                                               for triple in (without_provenance(data, provenance)
                                                              if missing is None else missing)]
    return out


def coverage_text(cov: dict) -> str:
    body = [sid for sid in cov["sentences"] if sid.startswith("s")]
    covered = [sid for sid in body if cov["sentences"][sid]]
    lines = [f"sentences cited: {len(covered)}/{len(body)}; statements: {cov['facts']}; "
             f"uncited statements: {len(cov['uncited'])}"]
    if "without_statement_provenance" in cov:
        lines.append(f"factual triples: {cov['factual_triples']}; without statement-level provenance: "
                     f"{len(cov['without_statement_provenance'])}")
        lines += [f"    {t}" for t in cov["without_statement_provenance"]]
    lines.append("")
    for sid, nodes in cov["sentences"].items():
        lines.append(f"{sid}: {len(nodes)}")
        lines += [f"    {n}" for n in nodes]
    lines.append("uncited:")
    lines += [f"    {n}" for n in cov["uncited"]]
    return "\n".join(lines) + "\n"
