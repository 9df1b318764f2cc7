"""OWL 2 RL closure of ontology + data with owlrl; inconsistencies fail the build.

Only the new triples are kept (the ``inferred`` graph), minus what says nothing about this dataset: triples
about the RDF/RDFS/OWL/XSD vocabularies themselves, reflexive owl:sameAs, and ``rdf:type owl:Thing``.
"""
from owlrl.OWLRL import OWLRL_Semantics
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS, XSD

_BUILTIN = (str(RDF), str(RDFS), str(OWL), str(XSD))
_ERRNS = "http://www.daml.org/2002/03/agents/agent-ont#"


class InconsistencyError(ValueError):
    """The OWL 2 RL closure found the data inconsistent with the ontology."""


def infer(ontology: Graph, data: Graph) -> Graph:
    """Return the inferred triples as a new graph; raise InconsistencyError listing owlrl's messages."""
    work = Graph()
    for t in ontology:
        work.add(t)
    for s, p, o in data:
        # The external IRIs that owl:sameAs points to carry no triples here: reasoning over those links would
        # only copy every statement about an entity under its Wikidata and DBpedia names.
        if p == OWL.sameAs:
            continue
        work.add((s, p, o))
    before = set(work)
    semantics = OWLRL_Semantics(work, False, False, rdfs=False)
    semantics.closure()
    if semantics.error_messages:
        raise InconsistencyError("; ".join(sorted(semantics.error_messages)))
    return keep(work, before)


def keep(triples, before) -> Graph:
    """The new triples worth publishing: not in ``before``, not about the RDF/RDFS/OWL/XSD vocabularies, no
    literal subject, no reflexive owl:sameAs, no ``rdf:type owl:Thing``."""
    inferred = Graph()
    for s, p, o in triples:
        if (s, p, o) in before or isinstance(s, Literal):
            continue
        if str(s).startswith(_BUILTIN) or str(p).startswith(_ERRNS) or str(s).startswith(_ERRNS):
            continue
        if p == OWL.sameAs and s == o:
            continue
        if p == RDF.type and o == OWL.Thing:
            continue
        inferred.add((s, p, o))
    return inferred
