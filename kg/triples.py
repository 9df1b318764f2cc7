"""A set of rdflib triples with the few lookups the build makes on a graph it only writes once.

The provenance graph is the build's biggest (2.6 triples for every data triple). As an rdflib ``Graph`` it
costs about 1 KiB a triple in rdflib's indexes and three times the time to add; the build only iterates it,
counts it, and asks for the (subject, object) pairs of a few predicates (kg.fastshacl's sh:datatype checks),
so a plain set serves it, with an index by predicate made on the first such question.
``graph()`` gives the rdflib Graph for callers that want one (the command line, the tests).
"""
from rdflib import Graph


class TripleSet(set):
    """rdflib (s, p, o) tuples; ``add`` and ``in`` as a set's, two lookups as a Graph's."""

    def __init__(self, triples=()):
        super().__init__(triples)
        self._by_p: dict | None = None  # predicate -> [triple], on first use
        self._by_s: dict | None = None  # subject -> [triple], on first use
        self._pairs_of: dict = {}  # predicate -> {subject: [object]}, for the predicates asked for

    def add(self, triple) -> None:
        self._by_p = self._by_s = None
        self._pairs_of.clear()
        super().add(triple)

    def update(self, *triples) -> None:
        self._by_p = self._by_s = None
        self._pairs_of.clear()
        super().update(*triples)

    def _pairs(self, predicate) -> dict:
        if self._by_p is None:  # one pass (predicates hash by their text, at C speed), references only
            self._by_p = {}
            for t in self:
                self._by_p.setdefault(t[1], []).append(t)
        if predicate not in self._pairs_of:
            pairs: dict = {}
            for s, _, o in self._by_p.get(predicate, ()):
                pairs.setdefault(s, []).append(o)
            self._pairs_of[predicate] = pairs
        return self._pairs_of[predicate]

    def about(self, subject) -> list:
        """The triples of ``subject`` (an index by subject, made on the first question)."""
        if self._by_s is None:
            self._by_s = {}
            for t in self:
                self._by_s.setdefault(t[0], []).append(t)
        return self._by_s.get(subject, [])

    def subject_objects(self, predicate):
        return ((s, o) for s, objects in self._pairs(predicate).items() for o in objects)

    def objects(self, subject, predicate):
        return iter(self._pairs(predicate).get(subject, ()))

    def graph(self) -> Graph:
        g = Graph()
        for triple in self:
            g.add(triple)
        return g
