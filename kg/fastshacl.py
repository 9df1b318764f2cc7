"""SHACL validation at scale: the shapes of ``shapes/`` compiled to SPARQL queries that pyoxigraph evaluates.

pySHACL stays the reference engine (kg.validation, the real graph); this engine gives the same results — the
same focus nodes, paths, values, severities, source shapes, constraint components and messages, and a report
graph isomorphic to pySHACL's (tests/test_scale.py) — in a fraction of the time on large graphs, because every
constraint is one query over the whole store (Rust) instead of a Python loop per focus node.

How a shape is evaluated: its focus nodes (sh:targetClass through rdf:type/rdfs:subClassOf*,
sh:targetSubjectsOf, SPARQL targets) are one set; each constraint is one query that finds every (node, value)
pair that breaks it, over the whole graph, and the pairs whose node is a focus node are the results. Counting
constraints (sh:minCount, sh:maxCount, sh:qualifiedMin/MaxCount) count per node in one grouped query.
SHACL-SPARQL constraints run their SELECT with ``$this`` free: the solutions whose ``$this`` is a focus node
are exactly those of the query with ``$this`` pre-bound, for these queries (each starts from a triple pattern
on ``$this`` and only joins and filters from it). So nothing is split per entity: cross-entity constraints (a
class check on the object, the session dates of an event, the vote counts, the reifier of a triple) see the
whole graph. sh:datatype is checked on the rdflib graphs (the store reads xsd:positiveInteger as xsd:integer).

Only the SHACL features the shapes use are compiled; any other (a property path that is not an IRI, sh:node,
sh:in, sh:hasValue, sh:closed …) raises Unsupported, and kg.validation falls back to pySHACL.
"""
import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD

from .dist import to_oxigraph

_COMPONENT = {name: SH[f"{name[0].upper()}{name[1:]}ConstraintComponent"] for name in (
    "minCount", "maxCount", "class", "datatype", "nodeKind", "pattern", "minLength", "languageIn",
    "uniqueLang", "or", "qualifiedMinCount", "qualifiedMaxCount", "SPARQL")}
_COMPONENT["qualifiedMinCount"] = SH.QualifiedMinCountConstraintComponent
_COMPONENT["qualifiedMaxCount"] = SH.QualifiedMaxCountConstraintComponent
# shape predicates this engine reads; anything else in a shape is Unsupported
_KNOWN = {RDF.type, SH.targetClass, SH.targetSubjectsOf, SH.target, SH.property, SH.sparql, SH["or"],
          SH.severity, SH.message, SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind,
          SH.pattern, SH.flags, SH.minLength, SH.languageIn, SH.uniqueLang, SH.qualifiedValueShape,
          SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.name, SH.description, SH.deactivated}
_VALUE = {SH["class"], SH.datatype, SH.nodeKind, SH.pattern, SH.minLength, SH.languageIn, SH["or"]}
# XSD datatypes the store keeps as written (it reads xsd:positiveInteger &c. as xsd:integer)
_PRIMITIVE = {XSD[n] for n in ("string", "boolean", "decimal", "integer", "float", "double", "date",
                               "dateTime", "gYear", "gYearMonth", "gMonthDay", "anyURI", "language")}
_RDFS_SUB = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class Unsupported(ValueError):
    """A shape uses a SHACL feature this engine does not compile."""


def load_store(graphs) -> ox.Store:
    """A pyoxigraph store (default graph) of rdflib graphs (or TripleSets), or of lists of pyoxigraph
    triples."""
    store = ox.Store()
    for g in graphs:
        if isinstance(g, list):
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object) for t in g)
        else:
            store.bulk_extend(ox.Quad(*(to_oxigraph(t) for t in triple)) for triple in g)
    return store


_NOT_EXISTS = re.compile(r"FILTER\s+NOT\s+EXISTS\s*\{([^{}]*)\}", re.IGNORECASE)
_VAR = re.compile(r"[?$](\w+)")


def minus(query: str) -> str:
    """``FILTER NOT EXISTS { triples }`` as ``MINUS { triples }`` where that means the same: the block is
    triple patterns only, and every variable it shares with the rest of the query is bound before it by
    the query's first triple pattern (so both forms remove exactly the rows the block matches). pyoxigraph
    evaluates NOT EXISTS once per row, starting wherever it likes (for ``?statement rdf:object ?value``, from
    every statement with that object: the cost grows with the square of the graph); MINUS once, in one
    hash join."""
    body = query[query.index("{") + 1:]
    first = re.match(r"\s*([?$]\w+)\s+([?$]?\S+)\s+([?$]\w+)\s*\.", body)
    if not first:
        return query
    bound = set(_VAR.findall(first.group(0)))

    def swap(m):
        inner = m.group(1)
        if "FILTER" in inner.upper() or "OPTIONAL" in inner.upper():
            return m.group(0)
        rest = query.replace(m.group(0), "")
        shared = set(_VAR.findall(inner)) & set(_VAR.findall(rest))
        return f"MINUS {{{inner}}}" if shared and shared <= bound else m.group(0)

    return _NOT_EXISTS.sub(swap, query)


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    dt = term.datatype.value
    return Literal(term.value, datatype=None if dt == str(XSD.string) else URIRef(dt))


def _iri(term) -> str:
    return f"<{term}>"


def _lit(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Engine:
    """The compiled shapes; ``validate(store)`` returns (conforms, results graph)."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes

    # ------------------------------------------------------------------ compiling a value condition
    def condition(self, shape, v: str = "?v") -> str:
        """A SPARQL expression true when the node in ``v`` conforms to the constraints of ``shape`` that
        concern the node itself (the members of sh:or, a sh:qualifiedValueShape)."""
        g = self.shapes
        for p in g.predicates(shape):
            if p not in _KNOWN:
                raise Unsupported(f"{p} in {shape}")
        path = g.value(shape, SH.path)
        if path is not None:  # a property shape inside a logical constraint: sh:minCount 1 on an IRI path
            if not isinstance(path, URIRef) or g.value(shape, SH.minCount) != Literal(1) or any(
                    (shape, p, None) in g for p in (SH.maxCount, SH["class"], SH.datatype, SH["or"],
                                                     SH.qualifiedValueShape, SH.sparql)):
                raise Unsupported(f"nested property shape {shape}")
            self._n = getattr(self, "_n", 0) + 1
            return f"EXISTS {{ {v} {_iri(path)} ?_n{self._n} }}"
        parts = [self.value_condition(shape, p, o, v) for p, o in sorted(g.predicate_objects(shape))
                 if p in _VALUE]
        parts += [self.condition(prop, v) for prop in g.objects(shape, SH.property)]
        return " && ".join(parts) or "true"

    def value_condition(self, shape, pred, obj, v: str = "?v") -> str:
        """The expression of one value constraint (sh:class, sh:datatype …) of ``shape`` on ``v``."""
        g = self.shapes
        if pred == SH["class"]:
            return f"EXISTS {{ {v} {_TYPE}/{_RDFS_SUB}* {_iri(obj)} }}"
        if pred == SH.datatype:  # the store keeps xsd:integer for derived integer types: those are checked
            if str(obj).startswith(str(XSD)) and obj not in _PRIMITIVE:  # on the rdflib graphs (validate)
                raise Unsupported(f"sh:datatype {obj} inside a logical constraint")
            return f"(isLiteral({v}) && DATATYPE({v}) = {_iri(obj)})"
        if pred == SH.nodeKind:
            test = {SH.IRI: "isIRI", SH.BlankNode: "isBlank", SH.Literal: "isLiteral"}.get(obj)
            if test is None:
                raise Unsupported(f"sh:nodeKind {obj}")
            return f"{test}({v})"
        if pred == SH.pattern:
            flags = g.value(shape, SH.flags)
            return f"(!isBlank({v}) && REGEX(STR({v}), {_lit(obj)}{', ' + _lit(flags) if flags else ''}))"
        if pred == SH.minLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(obj)})"
        if pred == SH.languageIn:
            tags = " || ".join(f"LANGMATCHES(LANG({v}), {_lit(t)})" for t in Collection(g, obj))
            return f"(LANG({v}) != \"\" && ({tags}))"
        if pred == SH["or"]:
            return "(" + " || ".join(self.condition(m, v) for m in Collection(g, obj)) + ")"
        raise Unsupported(str(pred))

    # ------------------------------------------------------------------ evaluating
    def validate(self, store: ox.Store, graphs: tuple[Graph, ...]) -> tuple[bool, Graph]:
        """``store``: the union of ``graphs`` (data, ontology, provenance), loaded; sh:datatype is checked on
        the graphs themselves, as pySHACL does (the literal's own datatype, and well-formed)."""
        self.store, self.graphs, self.results, self._counts = store, graphs, [], {}
        g = self.shapes
        node_shapes = {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.target)
                       for s in g.subjects(p, None)}
        for shape in sorted(node_shapes, key=str):
            if (shape, SH.deactivated, Literal(True)) in g:
                continue
            for p in g.predicates(shape):
                if p not in _KNOWN:
                    raise Unsupported(f"{p} in {shape}")
            focus = self.focus(shape)
            if not focus:
                continue
            severity = g.value(shape, SH.severity) or SH.Violation
            for lst in g.objects(shape, SH["or"]):  # node-level sh:or: the focus node is the value
                bad = self._node_or(list(Collection(g, lst)), focus)
                for f in sorted(bad, key=str):
                    self._result(f, None, f, severity, "or", shape)
            for prop in g.objects(shape, SH.property):
                self.property_shape(prop, focus)
            for constraint in g.objects(shape, SH.sparql):
                self.sparql(constraint, shape, None, focus, severity)
        conforms = not any(r[3] == SH.Violation for r in self.results)
        return conforms, self.report(conforms)

    def _node_or(self, members: list, focus: set) -> set:
        """The focus nodes that conform to none of ``members``."""
        paths = [self.shapes.value(m, SH.path) for m in members]
        if all(isinstance(p, URIRef) for p in paths):  # each "has a value for p" (condition checks that)
            for m in members:
                self.condition(m)
            have = set()
            for p in paths:
                have |= {s["s"] for s in self.store.query(f"SELECT DISTINCT ?s WHERE {{ ?s {_iri(p)} ?_o }}")}
            return focus - have
        cond = " || ".join(self.condition(m, "?this") for m in members)
        # a focus node with no triple of its own fails every EXISTS
        return self._nodes(f"SELECT ?this WHERE {{ ?this ?_p ?_o FILTER (!({cond})) }}", focus) | (
            focus - self._subjects())

    def _subjects(self) -> set:
        if "subjects" not in self._counts:
            self._counts["subjects"] = {s["s"] for s in self.store.query(
                "SELECT DISTINCT ?s WHERE { ?s ?p ?o }")}
        return self._counts["subjects"]

    def _nodes(self, query: str, within: set | None = None) -> set:
        out = {s["this"] for s in self.store.query(query)}
        return out & within if within is not None else out

    def prefixes(self, node) -> str:
        g, lines = self.shapes, []
        for decl_holder in g.objects(node, SH.prefixes):
            for decl in g.objects(decl_holder, SH.declare):
                lines.append(f"PREFIX {g.value(decl, SH.prefix)}: <{g.value(decl, SH.namespace)}>")
        return "\n".join(sorted(set(lines))) + "\n"

    def focus(self, shape) -> set:
        g, out = self.shapes, set()
        for cls in g.objects(shape, SH.targetClass):
            out |= self._nodes(f"SELECT DISTINCT ?this WHERE {{ ?this {_TYPE}/{_RDFS_SUB}* {_iri(cls)} }}")
        for p in g.objects(shape, SH.targetSubjectsOf):
            out |= self._nodes(f"SELECT DISTINCT ?this WHERE {{ ?this {_iri(p)} ?_o }}")
        for target in g.objects(shape, SH.target):
            if (target, RDF.type, SH.SPARQLTarget) not in g:
                raise Unsupported(f"target {target}")
            out |= self._nodes(minus(self.prefixes(target) + str(g.value(target, SH.select))))
        return out

    def _breaking(self, key, find) -> set:
        """The (node, value) pairs breaking one value constraint, over the whole graph, found once: a property
        shape that several node shapes share (apgsh:provenance, the labels) asks again for other focus
        nodes."""
        if key not in self._counts:
            self._counts[key] = find()
        return self._counts[key]

    def _count_breaks(self, path, comp, k: int, focus: set, cond: str | None = None) -> set:
        """The focus nodes whose number of distinct values of path (that meet cond) is below ``k``
        (comp "min") or above it ("max"). The store returns only the nodes past the bound (for a minimum:
        those that reach it, then the rest of the focus; for a minimum of 1 without counting), not a count
        per node: at scale, making a Python object of every node's count cost more than the query."""
        where = f"?this {_iri(path)} ?v" + (f" FILTER ({cond})" if cond else "")
        if comp == "min" and k <= 0:
            return set()
        if comp == "min" and k == 1:
            query = f"SELECT DISTINCT ?this WHERE {{ {where} }}"
        else:
            having = f">= {k}" if comp == "min" else f"> {k}"
            query = (f"SELECT ?this WHERE {{ {where} }} GROUP BY ?this "
                     f"HAVING (COUNT(DISTINCT ?v) {having})")
        if query not in self._counts:
            self._counts[query] = {s["this"] for s in self.store.query(query)}
        past = self._counts[query]
        return focus - past if comp == "min" else past & focus

    def property_shape(self, prop, focus: set) -> None:
        g = self.shapes
        for p in g.predicates(prop):
            if p not in _KNOWN:
                raise Unsupported(f"{p} in {prop}")
        path = g.value(prop, SH.path)
        if not isinstance(path, URIRef):
            raise Unsupported(f"sh:path {path!r} of {prop}: only IRI paths")
        severity = g.value(prop, SH.severity) or SH.Violation
        for comp, bound in ((SH.minCount, "min"), (SH.maxCount, "max")):
            for k in g.objects(prop, comp):
                for f in sorted(self._count_breaks(path, bound, int(k), focus), key=str):
                    self._result(f, path, None, severity, str(comp).rsplit("#", 1)[1], prop)
        qshape = g.value(prop, SH.qualifiedValueShape)
        if qshape is not None:
            cond = self.condition(qshape)
            for comp, bound in ((SH.qualifiedMinCount, "min"), (SH.qualifiedMaxCount, "max")):
                for k in g.objects(prop, comp):
                    for f in sorted(self._count_breaks(path, bound, int(k), focus, cond), key=str):
                        self._result(f, path, None, severity, str(comp).rsplit("#", 1)[1], prop)
        for dt in g.objects(prop, SH.datatype):
            bad = self._breaking(("datatype", path, dt), lambda dt=dt: {
                (to_oxigraph(this), this, v) for graph in self.graphs
                for this, v in graph.subject_objects(path) if not _has_datatype(v, dt)})
            for _, this, v in sorted((b for b in bad if b[0] in focus), key=lambda b: (b[1], b[2])):
                self._result(this, path, v, severity, "datatype", prop)
        for pred in sorted(set(g.predicates(prop)) & _VALUE - {SH.datatype}):
            for obj in g.objects(prop, pred):
                cond = self.value_condition(prop, pred, obj)
                query = f"SELECT ?this ?v WHERE {{ ?this {_iri(path)} ?v FILTER (!({cond})) }}"
                bad = self._breaking(query, lambda q=query: {
                    (r["this"], r["v"]) for r in self.store.query(q)})
                for this, v in sorted((b for b in bad if b[0] in focus), key=str):
                    self._result(this, path, v, severity, str(pred).rsplit("#", 1)[1], prop)
        for flag in g.objects(prop, SH.uniqueLang):
            if flag != Literal(True):
                continue
            rows = self.store.query(
                f"SELECT ?this ?l WHERE {{ ?this {_iri(path)} ?v BIND (LCASE(LANG(?v)) AS ?l) "
                "FILTER (?l != \"\") }"
                " GROUP BY ?this ?l HAVING (COUNT(DISTINCT ?v) > 1)")
            for this in sorted({s["this"] for s in rows} & focus, key=str):
                self._result(this, path, None, severity, "uniqueLang", prop)
        for constraint in g.objects(prop, SH.sparql):
            self.sparql(constraint, prop, path, focus, severity)

    def sparql(self, constraint, shape, path, focus: set, severity) -> None:
        g = self.shapes
        select = str(g.value(constraint, SH.select)).replace("$this", "?this")
        query = minus(self.prefixes(constraint) + select)
        # pySHACL writes a SPARQL constraint's message as plain text (it substitutes {$this}, {?value} …)
        message = [Literal(str(m)) for m in g.objects(constraint, SH.message)]
        seen = set()
        solutions = self.store.query(query)
        names = {v.value for v in solutions.variables}
        for s in solutions:
            this = s["this"]
            if this not in focus:
                continue
            this = to_rdflib(this)
            value = to_rdflib(s["value"]) if "value" in names and s["value"] is not None else None
            p = to_rdflib(s["path"]) if "path" in names and s["path"] is not None else path
            if isinstance(value, Literal) and value.datatype == XSD.integer and p is not None:
                value = self._original(this, p, value)
            if (this, p, value) in seen:
                continue
            seen.add((this, p, value))
            self._result(this, p, value, severity, "SPARQL", shape, constraint, message)

    def _original(self, this, path, value):
        """The literal as the graphs have it (the store reads xsd:positiveInteger &c. as xsd:integer)."""
        for graph in self.graphs:
            for o in graph.objects(this, path):
                if isinstance(o, Literal) and str(o) == str(value) and o.datatype is not None:
                    return o
        return value

    def _result(self, focus, path, value, severity, component, shape, constraint=None, messages=None):
        if messages is None:
            messages = list(self.shapes.objects(shape, SH.message))
        focus, value = (t if t is None or isinstance(t, URIRef | BNode | Literal) else to_rdflib(t)
                        for t in (focus, value))
        self.results.append((focus, path, value, severity, _COMPONENT[component], shape, constraint,
                             messages))

    # ------------------------------------------------------------------ the report, as pySHACL writes it
    def report(self, conforms: bool) -> Graph:
        out, g = Graph(), self.shapes
        report = BNode()
        out.add((report, RDF.type, SH.ValidationReport))
        out.add((report, SH.conforms, Literal(conforms)))
        copied = set()
        for focus, path, value, severity, component, shape, constraint, messages in self.results:
            r = BNode()
            out.add((report, SH.result, r))
            out.add((r, RDF.type, SH.ValidationResult))
            out.add((r, SH.focusNode, focus))
            if path is not None:
                out.add((r, SH.resultPath, path))
            if value is not None:
                out.add((r, SH.value, value))
            out.add((r, SH.resultSeverity, severity))
            out.add((r, SH.sourceConstraintComponent, component))
            out.add((r, SH.sourceShape, shape))
            if constraint is not None:
                out.add((r, SH.sourceConstraint, constraint))
            for m in messages or [Literal(f"{component.rsplit('#', 1)[1]} not met on {focus}")]:
                out.add((r, SH.resultMessage, m))
            for node in (shape, constraint):
                if isinstance(node, BNode) and node not in copied:
                    copied.add(node)
                    _copy_cbd(g, node, out)
        return out


def _has_datatype(v, dt) -> bool:
    """pySHACL's sh:datatype test: a literal of that datatype (rdf:langString: with a language tag;
    xsd:string: a plain literal) whose lexical form is well formed."""
    if not isinstance(v, Literal):
        return False
    if dt == RDF.langString:
        return v.language is not None
    if v.language is not None:
        return False
    ok = (v.datatype or XSD.string) == dt
    return ok and not getattr(v, "ill_typed", False)


def _copy_cbd(g: Graph, node, out: Graph) -> None:
    for s, p, o in g.triples((node, None, None)):
        out.add((s, p, o))
        if isinstance(o, BNode):
            _copy_cbd(g, o, out)
