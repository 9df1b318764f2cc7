"""OWL 2 RL at scale: owlrl's closure of the ontology, then its instance rules compiled to lookup tables.

owlrl stays the reference reasoner (kg.reasoning, the real graph). It applies every rule to every triple until
nothing changes, in Python: 0.8 ms a triple. This ontology, though, says only rdfs:subClassOf,
rdfs:subPropertyOf, rdfs:domain, rdfs:range and owl:disjointWith (plus declarations and annotations), so over
the data only these OWL 2 RL rules can fire:

- prp-spo1 (s p o, p ⊑ q → s q o), prp-dom (→ s a C), prp-rng (→ o a C), cax-sco (x a C, C ⊑ D → x a D);
- cax-dw (x a C, x a D, C disjoint D → inconsistent), cls-nothing2, dt-not-type (a literal not in its
  datatype's lexical space → inconsistent), eq-ref (x sameAs x: dropped from the output anyway).

Every one of them concludes about a node of the triple it starts from: the rules are local to an entity and
its own triples, and none crosses to another entity (there are no owl:sameAs, inverse, symmetric, transitive,
functional or chain axioms). So: owlrl closes the ontology alone (the schema-level triples it infers, scm-*,
are the same with or without the data: the data says nothing about classes or properties, which is checked),
the closed subclass / subproperty / domain / range relations become dictionaries, and one pass over the data
triples applies them, in any order or split in any way, to the same fixed point owlrl reaches. The inferred
graph is filtered as kg.reasoning filters it. Anything else in the ontology, or schema vocabulary in the data,
raises Unsupported and kg.reasoning falls back to owlrl. tests/test_scale.py checks the two give the same
triples and the same inconsistency messages.
"""
from collections import defaultdict

from owlrl.DatatypeHandling import AltXSDToPYTHON
from owlrl.OWLRL import OWL_RL_Datatypes
from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from .reasoning import InconsistencyError, keep

# what the ontology may say about its classes and properties for this engine (besides annotations)
_SCHEMA = {RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.disjointWith}
_DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
                 RDFS.Datatype, RDFS.Class, RDF.Property}
_ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.versionIRI,
                OWL.imports}
_VOCABULARIES = (str(RDF), str(RDFS), str(OWL))


class Unsupported(ValueError):
    """The ontology or the data uses OWL 2 RL features the tables do not cover."""


def check_supported(ontology: Graph, data: Graph) -> None:
    """Unsupported if the ontology uses OWL 2 RL features the tables do not cover (also before an incremental
    derivation, kg/incremental.py)."""
    for s, p, o in ontology:
        if p == RDF.type:
            if str(o).startswith(_VOCABULARIES) and o not in _DECLARATIONS:
                raise Unsupported(f"{s} a {o}")
        elif str(p).startswith(_VOCABULARIES) and p not in _SCHEMA | _ANNOTATIONS:
            raise Unsupported(f"ontology axiom {p}")
    for s, p, o in data:
        if p == OWL.sameAs:
            continue  # kg.reasoning leaves identity links out of the closure
        if p == RDF.type and str(o).startswith(_VOCABULARIES):
            raise Unsupported(f"data types {s} as {o}")
        if p != RDF.type and str(p).startswith(_VOCABULARIES) and p not in (
                RDFS.label, RDFS.comment, RDFS.seeAlso, RDF.value, RDF.subject, RDF.predicate, RDF.object):
            raise Unsupported(f"data uses {p}")


def _closure(pairs: dict) -> dict:
    """Reflexive-transitive closure of {x: {y}}."""
    out = {}

    def up(x, seen):
        for y in pairs.get(x, ()):
            if y not in seen:
                seen.add(y)
                up(y, seen)
        return seen

    for x in pairs:
        out[x] = up(x, {x})
    return out


class Tables:
    """The closed schema of an ontology: what each property and class entails about its instances."""

    def __init__(self, ontology: Graph):
        closed = Graph()
        for t in ontology:
            closed.add(t)
        from owlrl.OWLRL import OWLRL_Semantics

        OWLRL_Semantics(closed, False, False, rdfs=False).closure()
        self.schema_inferred = keep(closed, set(ontology))  # what owlrl infers from the ontology alone
        sub, subp = defaultdict(set), defaultdict(set)
        for c, d in closed.subject_objects(RDFS.subClassOf):
            sub[c].add(d)
        for p, q in closed.subject_objects(RDFS.subPropertyOf):
            subp[p].add(q)
        self.supers = _closure(sub)
        self.superprops = _closure(subp)
        dom, rng = defaultdict(set), defaultdict(set)
        for p, c in closed.subject_objects(RDFS.domain):
            dom[p].add(c)
        for p, c in closed.subject_objects(RDFS.range):
            rng[p].add(c)
        self.domains = {p: self._types(set().union(*(dom.get(q, set()) for q in qs)))
                        for p, qs in self.superprops.items()}
        self.ranges = {p: self._types(set().union(*(rng.get(q, set()) for q in qs)))
                       for p, qs in self.superprops.items()}
        for p in set(dom) | set(rng):
            self.domains.setdefault(p, self._types(dom.get(p, set())))
            self.ranges.setdefault(p, self._types(rng.get(p, set())))
        self.disjoint = sorted(closed.subject_objects(OWL.disjointWith))

    def _types(self, classes: set) -> frozenset:
        return frozenset().union(*(self.supers.get(c, {c}) for c in classes)) if classes else frozenset()

    def types_of(self, cls) -> set:
        return self.supers.get(cls, {cls})


def closure(tables: Tables, data: Graph) -> tuple[set, list[str]]:
    """(every triple the rules derive from the data, inconsistency messages as owlrl words them)."""
    derived, types = set(), defaultdict(set)
    for s, p, o in data:
        if p == OWL.sameAs:
            continue
        for q in tables.superprops.get(p, (p,)):
            derived.add((s, q, o))
        for c in tables.domains.get(p, ()):
            types[s].add(c)
        if not isinstance(o, Literal):
            for c in tables.ranges.get(p, ()):
                types[o].add(c)
        if p == RDF.type:
            types[s] |= tables.types_of(o)
    for x, cs in types.items():
        for c in cs:
            derived.add((x, RDF.type, c))
    errors = set()
    for c1, c2 in tables.disjoint:
        for x, cs in types.items():
            if c1 in cs and c2 in cs:
                errors.add(f"Disjoint classes {c1} and {c2} have a common individual {x}")
    for x, cs in types.items():
        if OWL.Nothing in cs:
            errors.add(f"{x} is defined of type 'Nothing'")
    for o in set(data.objects()):
        if isinstance(o, Literal) and o.datatype in OWL_RL_Datatypes:
            try:
                AltXSDToPYTHON.get(o.datatype, str)(str(o))
            except ValueError:
                errors.add(f"Lexical value of the literal '{o}' does not match its datatype ({o.datatype})")
    return derived, sorted(errors)


def fast_infer(ontology: Graph, data: Graph, tables: Tables | None = None) -> Graph:
    """kg.reasoning.infer's answer, from the tables: the inferred graph, or InconsistencyError."""
    check_supported(ontology, data)
    tables = tables or Tables(ontology)
    derived, errors = closure(tables, data)
    if errors:
        raise InconsistencyError("; ".join(errors))
    before = set(ontology) | {t for t in data if t[1] != OWL.sameAs}
    out = keep(derived, before)
    for t in tables.schema_inferred:
        if t not in before:
            out.add(t)
    return out


