"""Statement-level provenance: for every factual triple of the data graph, which words of which sentence state
it.

Each factual triple ``s p o`` gets a reifier ``{base}id/statement/{hash}`` in the named graph
``{base}graph/provenance``. In RDF 1.2 it *reifies* the triple (``rdf:reifies <<( s p o )>>``); RDF 1.1 tools,
rdflib included, read the same reifier as a classic ``rdf:Statement`` (``rdf:subject`` / ``rdf:predicate`` /
``rdf:object``). Either way the reifier is a Web Annotation on the source's words:

    stmt  a oa:Annotation, rdf:Statement ; oa:motivatedBy oa:describing ;
          rdf:subject s ; rdf:predicate p ; rdf:object o ;          # RDF 1.1 rendering
          rdf:reifies <<( s p o )>> ;                               # RDF 1.2 dumps only
          prov:wasDerivedFrom sentence ; oa:hasTarget words .
    words a oa:SpecificResource ; oa:hasSource sentence ;           # {sentence}/words-{start}-{end}
          oa:hasSelector words/quote, words/position .
    words/quote    a oa:TextQuoteSelector ; oa:exact ; oa:prefix ; oa:suffix .
    words/position a oa:TextPositionSelector ; oa:start ; oa:end .   # code points, 0-based, end exclusive

A triple is factual unless its predicate is in ``NOT_FACTUAL``: types, labels, notes, the record-level
``prov:wasDerivedFrom``, identity links, the derived date bounds and the structural links the builders add
between a record and its sub-resources. ``shapes/violations.ttl`` holds the same list; the build fails when a
factual triple has no statement-level provenance.
"""
import hashlib
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from .namespaces import APG, OA, OPENGOV
from .triples import TripleSet

# Predicates whose triples are not statements of the source: what a thing is (types) and is called (labels,
# notes), where its record comes from, identity links (kg/source/wikidata-links.tsv), the bounds the build
# derives from dates, and the links from a record to the sub-resources the builders mint for it.
NOT_FACTUAL = frozenset({
    RDF.type, RDFS.label, SKOS.altLabel, SKOS.note, SKOS.editorialNote, SKOS.inScheme, APG.sourceReading,
    PROV.wasDerivedFrom, OWL.sameAs, DCTERMS.isReplacedBy, APG.notBefore, APG.notAfter,
    OPENGOV.motion, OPENGOV["count"], OPENGOV.vote, OPENGOV.voteEvent, APG.hasEffect, APG.proposes,
})
CONTEXT = 32  # characters of oa:prefix / oa:suffix


@dataclass(frozen=True)
class Words:
    """Words of a sentence as a resource: the sentence, its text, and where the words stand in it."""

    iri: URIRef
    sentence: URIRef
    text: str
    start: int
    end: int

    @property
    def exact(self) -> str:
        return self.text[self.start:self.end]

    @property
    def prefix(self) -> str:
        return self.text[max(0, self.start - CONTEXT):self.start]

    @property
    def suffix(self) -> str:
        return self.text[self.end:self.end + CONTEXT]


def from_quotes(statements: dict, iris) -> dict:
    """{triple: {key: kg.quotes.Quote}} (the builders' record) -> {triple: [Words]} in a stable order."""
    out = {}
    for triple, bucket in statements.items():
        out[triple] = [Words(iris.thing("source", q.source, q.sid, f"words-{q.start}-{q.end}"),
                             iris.source(q.source, q.sid), q.sentence, q.start, q.end)
                       for _, q in sorted(bucket.items())]
    return out


def statement_iri(namespace: str, triple) -> URIRef:
    """A stable IRI for a triple: 16 hex digits of the SHA-256 of its N-Triples form."""
    s, p, o = triple
    digest = hashlib.sha256(f"{s.n3()} {p.n3()} {o.n3()} .".encode()).hexdigest()[:16]
    return URIRef(f"{namespace}{digest}")


def factual(data: Graph):
    """The factual triples of a data graph: those of the things derived from sentences, minus NOT_FACTUAL."""
    things = set(data.subjects(PROV.wasDerivedFrom, None))
    for s, p, o in data:
        if s in things and p not in NOT_FACTUAL:
            yield s, p, o


# The terms rdf11() and add_words() write for every statement and words, looked up once: an rdflib
# namespace attribute is a Python call (a second of a 100x build went to those lookups).
_TYPE, _SUBJECT, _PREDICATE, _OBJECT = RDF.type, RDF.subject, RDF.predicate, RDF.object
_ANNOTATION, _STATEMENT, _MOTIVATED, _DESCRIBING = OA.Annotation, RDF.Statement, OA.motivatedBy, OA.describing
_DERIVED, _TARGET = PROV.wasDerivedFrom, OA.hasTarget
_SPECIFIC, _SOURCE, _SELECTOR = OA.SpecificResource, OA.hasSource, OA.hasSelector
_QUOTE, _EXACT, _PREFIX, _SUFFIX = OA.TextQuoteSelector, OA.exact, OA.prefix, OA.suffix
_POSITION, _START, _END, _COUNT = OA.TextPositionSelector, OA.start, OA.end, XSD.nonNegativeInteger


def rdf11(statements: dict, namespace: str) -> TripleSet:
    """The provenance graph, RDF 1.1 rendering, as a TripleSet (``.graph()`` for an rdflib Graph).
    ``statements``: {triple: iterable of Words}."""
    g = TripleSet()
    done = set()  # words cited by several statements are written once
    for triple, words in statements.items():
        g.update(statement_triples(statement_iri(namespace, triple), triple, words))
        for w in words:
            if w not in done:
                done.add(w)
                add_words(g, w)
    return g


def statement_triples(st: URIRef, triple, words) -> list:
    """A reifier's own triples (not its words')."""
    out = [(st, _TYPE, _ANNOTATION), (st, _TYPE, _STATEMENT), (st, _MOTIVATED, _DESCRIBING),
           (st, _SUBJECT, triple[0]), (st, _PREDICATE, triple[1]), (st, _OBJECT, triple[2])]
    for w in words:
        out.append((st, _DERIVED, w.sentence))
        out.append((st, _TARGET, w.iri))
    return out


def add_words(g, w: Words) -> None:
    """``g``: an rdflib Graph or a TripleSet."""
    quote, position = URIRef(f"{w.iri}/quote"), URIRef(f"{w.iri}/position")
    add = g.add
    add((w.iri, _TYPE, _SPECIFIC))
    add((w.iri, _SOURCE, w.sentence))
    add((w.iri, _SELECTOR, quote))
    add((w.iri, _SELECTOR, position))
    add((quote, _TYPE, _QUOTE))
    add((quote, _EXACT, Literal(w.exact)))
    add((quote, _PREFIX, Literal(w.prefix)))
    add((quote, _SUFFIX, Literal(w.suffix)))
    add((position, _TYPE, _POSITION))
    add((position, _START, Literal(w.start, datatype=_COUNT)))
    add((position, _END, Literal(w.end, datatype=_COUNT)))


def reifies(statements: dict, namespace: str) -> list[ox.Triple]:
    """The RDF 1.2 triples ``stmt rdf:reifies <<( s p o )>>`` (rdflib cannot hold triple terms; pyoxigraph
    can)."""
    return sorted((reifier(namespace, triple) for triple in statements), key=str)


REIFIES = ox.NamedNode(str(RDF) + "reifies")


def reifier(namespace: str, triple) -> ox.Triple:
    """``stmt rdf:reifies <<( s p o )>>`` of one factual triple."""
    from .dist import to_oxigraph

    return ox.Triple(to_oxigraph(statement_iri(namespace, triple)), REIFIES,
                     ox.Triple(*(to_oxigraph(t) for t in triple)))


def without_provenance(data: Graph, provenance) -> list[tuple]:
    """The factual triples of ``data`` that no reifier in ``provenance`` (a Graph or a TripleSet) ties to a
    sentence and its words."""
    wanted = {RDF.subject: {}, RDF.predicate: {}, RDF.object: {}, PROV.wasDerivedFrom: {}, OA.hasTarget: {},
              OA.hasSource: {}}
    for s, p, o in provenance:  # one pass; rdflib terms hash by their text
        by_s = wanted.get(p)
        if by_s is not None:
            by_s.setdefault(s, []).append(o)
    sources = {w: o[0] for w, o in wanted[OA.hasSource].items()}
    derived, targets = wanted[PROV.wasDerivedFrom], wanted[OA.hasTarget]
    supported = set()  # the triples some reifier derives from a sentence whose words it targets
    for st, subjects in wanted[RDF.subject].items():
        sentences = set(derived.get(st, ()))
        if not any(sources.get(t) in sentences for t in targets.get(st, ())):
            continue
        for s in subjects:
            for p in wanted[RDF.predicate].get(st, ()):
                for o in wanted[RDF.object].get(st, ()):
                    supported.add((s, p, o))
    return sorted(t for t in factual(data) if t not in supported)
