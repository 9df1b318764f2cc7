"""Incremental rebuilds: SHACL and OWL RL redone only around the triples that changed since the last build.

``apg build --cache DIR`` (``kg.pipeline.build(cache=…)``, fast engines) keeps, after each build, its dumps
written in parts (kg.parts; hard links in ``dist/``) with their indexes, a pyoxigraph store on disk of data,
ontology and provenance (``store/``, one named graph each), the SHACL results and the inferred triples,
under a key: the hash of the code (kg/*.py), the shapes, the ontology and the base IRI. The next build with
the same key finds Δ, the triples added or removed, from the parts' keys: the lines of its data and
provenance parts the last build's N-Triples lack, against those of the last build's parts it lacks; it
brings the kept store up to date with Δ (the state is removed first: a build that fails then leaves a cache
that makes the next build full).

**SHACL is local.** Every shape here reads, from its focus node, only the triples of nodes it reaches in at
most two steps, each either forward (to an object) or backward along ``rdf:subject`` (the reifiers of the
node's triples: apgsh:provenance) or ``oa:hasSelector`` (the words of a selector: the WordsShape); the paths
are single predicates, the SPARQL constraints and targets join only through such steps, and the ontology
(sh:class) does not change between two builds with the same key. So a focus node's results can change only
if a Δ triple's subject is within those steps of it: the affected focus nodes are the nodes reached from Δ's
subjects by REACH reversed steps (over the new graph and the removed triples); they are validated again on
the triples of every node within REACH steps of them (plus the ontology), the others keep their results.
REACH is 3, one more than the shapes need. A shape added later that joins farther (a global uniqueness
check, a longer path) changes the shapes' hash, hence the key: the first build is full, and REACH must be
checked against the new shape.

**OWL RL is local** (kg.fastowl): every conclusion is about the subject of its premise triple, or (range,
sub-property) its object, and only rdf:type objects are classes, whose axioms are in the ontology. So the
inferred triples about a node (rdf:type: its subject; others: subject and object) are derived from the
data triples about that node; those about the nodes of Δ are derived again from their triples, the others
kept. An inconsistency found there fails the build (a full build would report it too, with any others).

**Dumps**: every piece of every dump whose part is unchanged is copied from the kept files (its bytes and
its gzip bytes, kg.parts.Kept), the others are serialised and compressed. **Outputs derived from the whole
graph** (the search index, the coverage, the metadata graph's figures) are used again while Δ touches none of
their inputs, and the factual triples without provenance are looked for only where Δ could have made them
(``unsupported``). Here the facts and the graph are rebuilt in full; kg.rebuild rebuilds only the records
an edit concerns when it can (kg.fragments), and comes here when it cannot. The output is byte-identical to
a full build's (tests/test_incremental.py).
"""
import hashlib
import os
import pickle
import shutil
import threading
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import OWL, PROV, RDF, RDFS, SH, SKOS

from . import fastowl, fastshacl, parts
from .dist import content_labels
from .namespaces import APG, OA
from .provenance import NOT_FACTUAL
from .reasoning import InconsistencyError, keep
from .resources import shapes_dir

FORMAT = 4  # of the kept state
REACH = 3
_BACK = (ox.NamedNode(str(RDF.subject)), ox.NamedNode(str(OA.hasSelector)))  # the backward steps
_KEPT = ("data.nt", "provenance.nt")  # in dist/, with every other dump written in parts
STORED = ("data", "ontology", "provenance")  # the graphs SHACL reads, in the kept store
# derived from the whole graph, used again while Δ spares their inputs
KEPT_FILES = ("search.sqlite", "mixnmatch.tsv", "linkset-wikidata.nt", "linkset-dbpedia.nt",
              "shacl-report.ttl", "shacl-report.txt")
_GRAPH = "urn:apg-kg:cache:"  # the kept store's graph names


def key(base: str, ontology_file: Path) -> str:
    """What the kept results depend on besides the graphs: the code, the shapes, the ontology, the base."""
    h = hashlib.sha256(f"{FORMAT} {base}".encode())
    here = Path(__file__).resolve().parent
    for f in [*sorted(here.glob("*.py")), *sorted(Path(shapes_dir()).glob("*.ttl")), Path(ontology_file)]:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


class Cache:
    def __init__(self, path: Path, key: str):
        self.path, self.key = Path(path), key

    def load(self) -> dict | None:
        """The last build's state, if it was made under the same key (else None: build in full)."""
        try:
            state = pickle.loads((self.path / "state.pickle").read_bytes())
            token = state.pop("records", None)
            if token is not None:  # the part Pickled wrote beside it, the same save's
                data = (self.path / "records.pickle").read_bytes()
                if hashlib.sha256(data).hexdigest() != token:
                    return None
                state.update(pickle.loads(data))
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            return None
        if state.get("key") != self.key or not (self.path / "store").is_dir() or not all(
                (self.path / "dist" / n).is_file() for n in (*_KEPT, *state.get("parts", ()), *KEPT_FILES)):
            return None
        return state

    def kept_file(self, name: str) -> bytes | None:
        """A file of KEPT_FILES as the last build wrote it."""
        try:
            return (self.path / "dist" / name).read_bytes()
        except OSError:
            return None

    def kept(self, state: dict | None) -> parts.Kept:
        """The last build's dumps, as pieces to copy (kg.parts)."""
        return parts.Kept(self.path / "dist", state["parts"]) if state else parts.Kept()

    def save(self, out: Path, indexes: dict, results: list, shapes: Graph, inferred: Graph,
             ontology: Graph, tables=None, derived: dict | None = None) -> None:
        """Keep this build's state; ``indexes``: its dumps written in parts (kg.parts), hard-linked here with
        their gzip copies for the next build to copy pieces from (and the files of KEPT_FILES);
        ``derived``: what the outputs derived from the whole graph were made of (Derived)."""
        self.path.mkdir(parents=True, exist_ok=True)
        if tables is None:  # kg.fastowl's closed ontology: the key covers the ontology
            tables = fastowl.Tables(ontology)
            tables.schema_inferred = set(tables.schema_inferred)
        state = {"key": self.key, "results": portable(results, shapes),
                 "inferred": _lines(inferred), "tables": tables, "parts": indexes, **(derived or {})}
        (self.path / "state.pickle").unlink(missing_ok=True)  # no state while the files change
        kept = self.path / "dist"
        shutil.rmtree(kept, ignore_errors=True)
        kept.mkdir()
        files = [f for n in sorted({*_KEPT, *indexes}) for f in (n, f"{n}.gz")] + list(KEPT_FILES)
        for file in files:  # hard links to the dumps (a copy across file systems)
            try:
                os.link(out / file, kept / file)
            except OSError:
                shutil.copyfile(out / file, kept / file)
        records = state.pop("records", None)  # a Pickled: written beside the state (records.pickle)
        if records is not None:
            data, state["records"] = records.result()
            tmp = self.path / "records.pickle.tmp"
            tmp.write_bytes(data)
            tmp.replace(self.path / "records.pickle")
        tmp = self.path / "state.pickle.tmp"
        tmp.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(self.path / "state.pickle")

    def delta(self, state: dict, triples: dict, keyed: dict | None = None) -> dict:
        """{graph: (added, removed)} pyoxigraph triples of data and provenance against the last build: the
        lines of this build's parts (kg.parts) whose keys the last build's N-Triples dumps lack, against
        those of its parts this build lacks. No whole graph is compared. ``keyed``: {graph:
        kg.parts.keyed(its triples)}, if the caller has them."""
        kept, delta = self.kept(state), {}
        for name in STORED:
            if name == "ontology":  # under the same key the ontology is the same
                continue
            file = f"{name}.nt"
            rows = state["parts"][file]
            old_keys, new_keys, old, new = {r[0] for r in rows}, set(), set(), set()
            for _, nt, k in (keyed or {}).get(name) or parts.keyed(triples[name]):
                new_keys.add(k)
                if k not in old_keys:
                    new.update(nt.splitlines())
            for row in rows:
                if row[0] not in new_keys:
                    old.update(kept.read(file, row)[0].splitlines())
            delta[name] = (_parse(new - old), _parse(old - new))
        return delta

    def store(self, delta: dict) -> ox.Store:
        """The last build's store (STORED, one named graph each, kept on disk) brought up to this build by
        Δ. The state goes first: a build that fails after this leaves a cache that makes a full build."""
        store = self.open_store()
        self.update(store, delta)
        return store

    def open_store(self) -> ox.Store:
        return ox.Store(str(self.path / "store"))

    def update(self, store: ox.Store, delta: dict) -> None:
        (self.path / "state.pickle").unlink(missing_ok=True)
        for name, (added, removed) in delta.items():
            g = ox.NamedNode(f"{_GRAPH}{name}")
            for t in removed:
                store.remove(ox.Quad(t.subject, t.predicate, t.object, g))
            store.extend([ox.Quad(t.subject, t.predicate, t.object, g) for t in added])

    def save_store(self, triples: dict) -> None:
        """The store of a full build, for the next one to update (Cache.store)."""
        self.path.mkdir(parents=True, exist_ok=True)
        (self.path / "state.pickle").unlink(missing_ok=True)
        shutil.rmtree(self.path / "store", ignore_errors=True)
        store = ox.Store(str(self.path / "store"))
        for name in STORED:
            g = ox.NamedNode(f"{_GRAPH}{name}")
            store.bulk_extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples[name])
        store.flush()
        del store


class Pickled:
    """A dict pickled on a thread of its own (the biggest part of the state, while the dumps are written:
    they wait on the disk, not on the interpreter); ``result()``: (its pickle, that pickle's SHA-256). The
    caller must not change the dict meanwhile."""

    def __init__(self, value: dict):
        self.value, self.answer = value, None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            data = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
            self.answer = (data, hashlib.sha256(data).hexdigest())
        except BaseException as exc:  # noqa: BLE001 (raised again by result())
            self.answer = exc

    def result(self) -> tuple[bytes, str]:
        self.thread.join()
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


def _parse(lines: set) -> list:
    return list(ox.parse(b"\n".join(sorted(lines)) + b"\n", format=ox.RdfFormat.N_TRIPLES)) if lines else []


def _lines(triples) -> list:
    """Triples as the state keeps the inferred ones: their N-Triples text (kg.fragments.Lines), sorted."""
    from .fragments import Lines

    if triples and isinstance(next(iter(triples)), str):
        return sorted(triples)
    lines = Lines()
    return sorted(lines(t) for t in triples)


def _rdflib_lines(lines) -> list:
    """N-Triples texts (kg.fragments.Lines) as rdflib triples."""
    if not lines:
        return []
    return [tuple(fastshacl.to_rdflib(x) for x in (t.subject, t.predicate, t.object)) for t in ox.parse(
        "".join(f"{line} .\n" for line in lines).encode(), format=ox.RdfFormat.N_TRIPLES)]


def shape_labels(shapes: Graph) -> dict:
    """content_labels of a shapes graph, made once per graph (validate and save both need them)."""
    labels = getattr(shapes, "_content_labels", None)
    if labels is None:
        labels = shapes._content_labels = content_labels(shapes)
    return labels


def portable(results: list, shapes: Graph) -> list:
    """fastshacl results as the state keeps them (_portable), in a stable order."""
    labels = shape_labels(shapes)
    return sorted((_portable(r, labels) for r in results), key=repr)


def _portable(result: tuple, labels: dict) -> tuple:
    """A fastshacl result with the shapes graph's blank nodes (its source shape and constraint) by their
    content labels: the next build parses the shapes again, with other blank node ids."""
    *head, shape, constraint, messages = result
    return (*head, labels.get(shape, shape), labels.get(constraint, constraint), messages)


def _local(result: tuple, nodes: dict) -> tuple:
    *head, shape, constraint, messages = result
    return (*head, nodes.get(shape, shape), nodes.get(constraint, constraint), messages)


# ------------------------------------------------------------------- the outputs derived from the whole graph
# Each is used again, as the last build made it, while Δ touches none of its inputs (the predicates below, and
# for the metadata graph's figures the sets of subjects and predicates); else it is made again in full.
SEARCH_INPUTS = frozenset(str(p) for p in (RDFS.label, SKOS.altLabel, RDF.value, APG.gloss, RDF.type))
COVERAGE_INPUTS = frozenset(str(p) for p in (RDF.type, PROV.wasDerivedFrom, APG.sentenceId))
STATS_INPUTS = frozenset(str(p) for p in (RDF.type, OWL.sameAs))


def touches(triples, predicates: frozenset) -> bool:
    """Has a triple (a pyoxigraph triple or quad, or an rdflib one) one of these predicates (IRIs)?"""
    return any((t.predicate.value if isinstance(t, ox.Triple | ox.Quad) else str(t[1])) in predicates
               for t in triples)


def _rdflib(t) -> tuple:
    return tuple(fastshacl.to_rdflib(x) for x in (t.subject, t.predicate, t.object))


def same_stats(data: Graph, added: list, removed: list) -> bool:
    """Does Δ (of the data graph, pyoxigraph triples) leave kg.metadata.data_stats as they were: no rdf:type
    or owl:sameAs triple, no subject or predicate that comes or goes?"""
    if touches((*added, *removed), STATS_INPUTS):
        return False
    new = {_rdflib(t) for t in added}
    for s, p, _ in new:  # each was there before: a triple of its that Δ did not add
        if all(t in new for t in data.triples((s, None, None))) or \
                all(t in new for t in data.triples((None, p, None))):
            return False
    for t in removed:  # each is still there
        s, p, _ = _rdflib(t)
        if (s, None, None) not in data or (None, p, None) not in data:
            return False
    return True


def coverage_again(cov: dict, data: Graph, added: list, removed: list) -> dict | None:
    """kg.coverage.coverage of the data graph from the last build's, where Δ (of the data graph) touches no
    type, citation or sentence: only the count of factual triples changes (those of a cited subject whose
    predicate is not in NOT_FACTUAL). None where Δ touches more."""
    if touches((*added, *removed), COVERAGE_INPUTS):
        return None
    change = 0
    for sign, triples in ((1, added), (-1, removed)):
        for t in triples:
            s, p, _ = _rdflib(t)
            if p not in NOT_FACTUAL and (s, PROV.wasDerivedFrom, None) in data:
                change += sign
    return {**cov, "factual_triples": cov["factual_triples"] + change}


def unsupported(store: ox.Store, data: Graph, delta: dict) -> list:
    """kg.provenance.without_provenance of this build's graphs, from the last build's (none: it was built)
    and Δ (Cache.delta; ``store``: Cache.store, brought up to date). A factual triple can lack support now
    only if Δ added it, made it factual (its subject became cited) or touched the reifiers or words that
    supported it: those are looked at again. Candidates are taken from the rdflib data graph (the store
    gives xsd:nonNegativeInteger literals back as xsd:integer), their support from the store."""
    from .dist import to_oxigraph

    P = ox.NamedNode(f"{_GRAPH}provenance")  # noqa: N806
    rdf_s, rdf_p, rdf_o = (ox.NamedNode(str(x)) for x in (RDF.subject, RDF.predicate, RDF.object))
    derived, target, source = (ox.NamedNode(str(x))
                               for x in (PROV.wasDerivedFrom, OA.hasTarget, OA.hasSource))
    (added, _), (p_added, p_removed) = delta["data"], delta["provenance"]
    candidates = set()
    for t in added:
        r = _rdflib(t)
        if r[1] == PROV.wasDerivedFrom:  # a subject cited now: each of its triples may be factual now
            candidates.update(data.triples((r[0], None, None)))
        else:
            candidates.add(r)
    old = {}  # what the reifiers and words touched by Δ said before
    for t in p_removed:
        old.setdefault(t.subject, {}).setdefault(t.predicate, []).append(t.object)
    reifiers = set()
    for t in (*p_added, *p_removed):
        x = t.subject
        reifiers.add(x)  # x a reifier, or words that reifiers target (now or before)
        reifiers.update(q.subject for q in store.quads_for_pattern(None, target, x, P))
    for st, said in old.items():
        for w in said.get(target, ()):
            reifiers.add(st)
            reifiers.update(q.subject for q in store.quads_for_pattern(None, target, w, P))

    def values(x, p):
        return [q.object for q in store.quads_for_pattern(x, p, None, P)] + old.get(x, {}).get(p, [])

    for st in reifiers:  # every data triple of the subject and predicate a touched reifier is about
        for s in values(st, rdf_s):
            for p in values(st, rdf_p):
                candidates.update(data.triples((fastshacl.to_rdflib(s), fastshacl.to_rdflib(p), None)))

    def supported(r) -> bool:
        s, p, o = (to_oxigraph(x) for x in r)
        for q in store.quads_for_pattern(None, rdf_s, s, P):
            st = q.subject
            if ox.Quad(st, rdf_p, p, P) not in store or ox.Quad(st, rdf_o, o, P) not in store:
                continue
            sentences = {x.object for x in store.quads_for_pattern(st, derived, None, P)}
            if any(any(x.object in sentences for x in store.quads_for_pattern(w.object, source, None, P))
                   for w in store.quads_for_pattern(st, target, None, P)):
                return True
        return False

    return sorted(r for r in candidates if r[1] not in NOT_FACTUAL and r in data and
                  (r[0], PROV.wasDerivedFrom, None) in data and not supported(r))


# ---------------------------------------------------------------------------------------------- SHACL
def affected(store: ox.Store, added: list, removed: list) -> set:
    """The focus nodes whose results may differ: REACH reversed steps from the subjects of Δ."""
    gone_to, gone_back = {}, {}  # removed triples still count as steps (the old graph had them)
    for t in removed:
        gone_to.setdefault(t.object, set()).add(t.subject)
        if t.predicate in _BACK:
            gone_back.setdefault(t.subject, set()).add(t.object)
    seen = frontier = {t.subject for t in (*added, *removed)}
    for _ in range(REACH):
        nxt = set()
        for x in frontier:
            if isinstance(x, ox.Literal):
                continue
            nxt.update(q.subject for q in store.quads_for_pattern(None, None, x))  # x is an object
            nxt.update(gone_to.get(x, ()))
            for p in _BACK:
                nxt.update(q.object for q in store.quads_for_pattern(x, p, None))
            nxt.update(gone_back.get(x, ()))
        frontier = nxt - seen
        seen = seen | nxt
    return {x for x in seen if not isinstance(x, ox.Literal)}


def context(store: ox.Store, focus: set) -> set:
    """The nodes whose triples the focus nodes' shapes may read: REACH steps forward or back from them."""
    seen = frontier = set(focus)
    for _ in range(REACH):
        nxt = set()
        for x in frontier:
            nxt.update(q.object for q in store.quads_for_pattern(x, None, None)
                       if not isinstance(q.object, ox.Literal))
            for p in _BACK:
                nxt.update(q.subject for q in store.quads_for_pattern(None, p, x))
        frontier = nxt - seen
        seen = seen | nxt
    return seen


def validate(shapes: Graph, store: ox.Store, graphs: tuple, state: dict | None, added=(), removed=(),
             about=None):
    """(conforms, report graph, fastshacl results): in full without ``state``, else the kept results of the
    unaffected focus nodes and those of the affected ones, validated again on their context (``store``:
    the kept store brought up to date, Cache.store; ``graphs``: data, ontology, provenance). ``about(node)``:
    the node's triples in data and provenance with their terms as built (default: from ``graphs``); the store
    finds the context's nodes, but gives numbers back in a canonical datatype (xsd:nonNegativeInteger as
    xsd:integer), which sh:datatype would see."""
    engine = fastshacl.Engine(shapes)
    if state is None:
        conforms, report = engine.validate(store, graphs)
        return conforms, report, engine.results
    if about is None:
        data, prov = graphs[0], graphs[2]

        def about(x):
            return [*data.triples((x, None, None)), *prov.about(x)]
    focus = affected(store, added, removed)
    focus_rdflib = {fastshacl.to_rdflib(x) for x in focus}
    # the triples of the context's nodes, in whichever graph (data, provenance; the ontology is whole)
    sub = Graph()
    for x in context(store, focus):
        for t in about(fastshacl.to_rdflib(x)):
            sub.add(t)
    sub = (sub, graphs[1])
    engine.validate(fastshacl.load_store(sub), sub)
    labelled = {v: k for k, v in shape_labels(shapes).items()}
    kept = [_local(r, labelled) for r in state["results"] if r[0] not in focus_rdflib]
    engine.results = kept + [r for r in engine.results if r[0] in focus_rdflib]
    conforms = not any(r[3] == SH.Violation for r in engine.results)
    return conforms, engine.report(conforms), engine.results


# ---------------------------------------------------------------------------------------------- OWL RL
def _about(t) -> tuple:
    """The nodes an inferred (or data) triple is about: rdf:type, its subject; else subject and object."""
    s, p, o = t
    return (s,) if p == RDF.type or isinstance(o, Literal) else (s, o)


def infer(ontology: Graph, data: Graph, state: dict, added: list, removed: list) -> tuple[Graph, list]:
    """kg.fastowl.fast_infer's graph, from infer_delta: (the graph, its Δ as rdflib triples)."""
    now, gone = infer_delta(ontology, data, state, added, removed)
    lines = [x for x in state["inferred"] if x not in gone] + sorted(now)
    out = Graph()
    for t in _rdflib_lines(lines):
        out.add(t)
    return out, _rdflib_lines([*now, *gone])


def infer_delta(ontology: Graph, data, state: dict, added: list, removed: list) -> tuple[set, set]:
    """What OWL RL adds to and removes from the kept inferred triples (N-Triples text, kg.fragments.Lines):
    those not about a node of Δ stay, those about one are derived again from the data triples about it
    (``data``: a Graph, or anything with its ``triples`` and ``in``), and those the ontology alone entails
    are there where the data does not state them (as fast_infer)."""
    from .fragments import Lines

    changed = set()
    for t in (*added, *removed):
        changed.update(_about(tuple(fastshacl.to_rdflib(x) for x in (t.subject, t.predicate, t.object))))
    premises = Graph()
    for n in changed:
        for t in data.triples((n, None, None)):
            premises.add(t)
        for t in data.triples((None, None, n)):
            if t[1] != RDF.type:
                premises.add(t)
    fastowl.check_supported(ontology, premises)
    tables = state["tables"]
    derived, errors = fastowl.closure(tables, premises)
    if errors:
        raise InconsistencyError("; ".join(errors))
    before = _Before(set(ontology), data)
    lines = Lines()
    old = set(state["inferred"])
    schema = {t: lines(t) for t in tables.schema_inferred}
    nodes = {str(lines.term(n)) for n in changed}
    was = {x for x in old if any(n in nodes for n in _line_about(x))} | (set(schema.values()) & old)
    now = {lines(t) for t in keep(derived, before) if any(n in changed for n in _about(t))}
    now |= {x for t, x in schema.items() if t not in before}
    return now - old, was - now


def _line_about(line: str) -> tuple:
    """_about of a triple's N-Triples text: its subject, and its object unless a type or a literal."""
    s, p, o = line.split(" ", 2)
    return (s,) if p == _TYPE or o.startswith('"') else (s, o)


_TYPE = f"<{RDF.type}>"


class _Before:
    """kg.fastowl's ``before`` (the ontology and the data without identity links), without copying the
    data."""

    def __init__(self, ontology: set, data: Graph):
        self.ontology, self.data = ontology, data

    def __contains__(self, t) -> bool:
        return t in self.ontology or (t[1] != OWL.sameAs and t in self.data)
