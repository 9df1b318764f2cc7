"""A rebuild of only the records an edit concerns: ``apg build --cache`` after a build that kept fragments.

kg.fragments finds the records to rebuild and Δ of the data and provenance graphs without building the rest.
Δ then goes where kg.incremental takes it in a rebuild of the whole graph: the kept store, SHACL and OWL RL
around Δ, the factual triples Δ could leave without provenance, the coverage; the dumps of the data and
provenance graphs are the last build's parts with Δ applied (kg.parts.Patched), every other piece copied.
The outputs made from the whole graph are the last build's where Δ spares their inputs: the search index,
Mix'n'match catalogue, linksets, the metadata graph's figures; the ontology pages' usage counts move by Δ.

It declines (``rebuild`` returns None: the caller rebuilds the whole graph, kg.incremental) where that would
not be the same output: a record came or went, the sources, words or links changed, a record fails its
checks (the full build reports every error at once), or Δ touches a predicate those outputs read, or
makes a subject or predicate come or go. The output is byte-identical to a full build's
(tests/test_incremental.py).
"""
import time
from collections import Counter
from itertools import islice
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH

from . import fragments, incremental, linksets, parts, search_index
from .builders import Context, add_links, build_facts
from .coverage import coverage_text
from .dist import FORMAT_BY_EXTENSION, FORMATS, DistWriter, oxigraph_triples, to_oxigraph
from .facts import FactError, load_facts
from .fastshacl import to_rdflib
from .iris import Iris
from .links import load_links
from .metadata import metadata_graph, release_date
from .quotes import Quotes
from .sources import default_source, load_sources
from .validation import load_shapes, report_of

# what the outputs kept from the last build read (besides the registry, which must not change)
SPARED = frozenset({*incremental.SEARCH_INPUTS, *incremental.COVERAGE_INPUTS, *incremental.STATS_INPUTS,
                    str(DCTERMS.isReplacedBy), str(RDFS.label), str(OWL.sameAs)})
_DATA = ox.NamedNode("urn:apg-kg:cache:data")


def _parse(lines) -> list:
    if not lines:
        return []
    return list(ox.parse(b"".join(line.encode() + b" .\n" for line in sorted(lines)),
                         format=ox.RdfFormat.N_TRIPLES))


def _nt(lines) -> list[bytes]:
    """Lines of fragments (``str`` of a triple) as N-Triples lines (without the newline)."""
    return [line.encode() + b" ." for line in lines]


def _predicate(line: str) -> str:
    return line.split(" ", 2)[1][1:-1]


class DataView:
    """The data graph after Δ, for the lookups the steps after it make: a subject's triples from the dumps'
    parts with Δ applied (exact terms), objects and patterns without a subject from the kept store (its IRIs
    and strings are exact; it gives numbers back in a canonical datatype)."""

    def __init__(self, patched: parts.Patched, store: ox.Store, count: int, dist: Path):
        self.patched, self.store, self.count, self.dist = patched, store, count, dist
        self._graph = None

    def __len__(self) -> int:
        return self.count

    def _about(self, s) -> list:
        out = []
        for line in self.patched.lines(str(to_oxigraph(s)).encode()):
            t = next(iter(ox.parse(line + b"\n", format=ox.RdfFormat.N_TRIPLES)))
            out.append((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return out

    def _quads(self, s, p, o):
        terms = (None if x is None else to_oxigraph(x) for x in (s, p, o))
        return self.store.quads_for_pattern(*terms, _DATA)

    def triples(self, pattern):
        s, p, o = pattern
        if s is not None:
            return [t for t in self._about(s) if (p is None or t[1] == p) and (o is None or t[2] == o)]
        if o is not None and isinstance(o, Literal):
            raise NotImplementedError("a literal object without a subject")
        return ((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
                for q in self._quads(s, p, o))

    def __contains__(self, triple) -> bool:
        s, p, o = triple
        if s is not None:
            return bool(self.triples(triple))
        return next(iter(self._quads(s, p, o)), None) is not None

    def objects(self, s, p):
        return (to_rdflib(q.object) for q in self._quads(s, p, None))

    def value(self, s, p):
        return next(self.objects(s, p), None)

    def graph(self) -> Graph:
        """The whole data graph as an rdflib Graph (read from the data dump, on first use)."""
        if self._graph is None:
            g = Graph()
            for t in ox.parse(path=str(self.dist / "data.nt"), format=ox.RdfFormat.N_TRIPLES):
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
            self._graph = g
        return self._graph


def _stats_kept(store: ox.Store, patched: parts.Patched, added: list, removed: list) -> bool:
    """kg.incremental.same_stats from the kept store before Δ (``patched``: the data graph's parts after
    Δ): no subject or predicate comes or goes."""
    for t in added:  # each subject and predicate there before
        if next(iter(store.quads_for_pattern(t.subject, None, None, _DATA)), None) is None or \
                next(iter(store.quads_for_pattern(None, t.predicate, None, _DATA)), None) is None:
            return False
    new_p = {t.predicate for t in added}
    gone = Counter(t.predicate for t in removed)
    for t in removed:  # each still there: the subject in the parts after Δ (their terms are exact) ...
        if not patched.lines(str(t.subject).encode()):
            return False
    for p, n in gone.items():  # ... the predicate in more triples of the store than Δ removed (it gives
        # numbers back in a canonical datatype, which can only make two triples one: then it declines)
        left = islice(store.quads_for_pattern(None, p, None, _DATA), n + 1)
        if p not in new_p and sum(1 for _ in left) <= n:
            return False
    return True


def _usage(used: dict, added, removed) -> dict:
    """kg.ontology_docs.usage moved by Δ (rdflib triples)."""
    out = dict(used)
    for sign, triples in ((1, added), (-1, removed)):
        for _, p, o in triples:
            for term in {p, o}:
                if term in out:
                    out[term] += sign * ((p == term) + (o == term) + (p == RDF.type and o == term))
    return out


def rebuild(out, base, log, facts_dir, progress, sources_dir, cache: Path, undo, t0, engine="fast"):
    """The build of kg.pipeline, rebuilding only some records; None where it declines (module docstring)."""
    from .pipeline import (
        DERIVED_GRAPHS,
        FAST_ABOVE,
        ONTOLOGY_FILE,
        SOURCE_GRAPHS,
        BuildError,
        Built,
        graph_dumps,
        load_ontology,
    )

    kept = incremental.Cache(cache, incremental.key(base, ONTOLOGY_FILE))
    state = kept.load()
    if state is None or "fragments" not in state or (
            engine == "auto" and state["counts"]["data"] <= FAST_ABOVE):
        return None
    progress("facts")
    if state["world"] != fragments.world(sources_dir):
        return None
    iris = Iris(base)
    sources = load_sources(sources_dir)
    facts = load_facts(facts_dir, cache / "facts")
    hashes = fragments.file_hashes(facts_dir)
    edited = fragments.changed(state, facts, hashes)
    if edited is None:
        return None
    progress("graph")
    trace = fragments.Trace()
    recording = fragments.Recording(None, trace)
    ctx = Context(recording, iris, sources, default_source(sources).key, trace=trace)
    rebuilt = fragments.dirty(state, facts, edited)
    lines = fragments.Lines()
    ctx.statements = fragments.Statements(state["stated"], rebuilt, lines)
    links = load_links()
    try:
        ctx.quotes = Quotes(facts, sources, ctx.default_source, check=rebuilt, trace=trace)
        build_facts(ctx, facts, only=rebuilt)
        add_links(ctx, links)
    except FactError:
        return None  # the full build reports every error
    if dict(ctx.registry) != state["registry"]:
        return None
    reads = {rid: ctx.reads_by.get(rid, frozenset()) | ctx.quotes.checked.get(rid, frozenset())
             for rid in rebuilt}
    new = fragments.fragments_of(recording, ctx.statements_by, reads, lines)
    new.setdefault(fragments.GLOBAL, (frozenset(), (), {}))
    frags, refs, stated, added, removed = fragments.delta(state, new)
    if any(_predicate(line) in SPARED for line in (*added, *removed)):
        return None
    p_add, p_rem, r_add, r_rem, words = fragments.provenance_delta(state, frags, stated, new, iris, sources)
    delta = {"data": (_parse(added), _parse(removed)), "provenance": (_parse(p_add), _parse(p_rem))}
    store = kept.open_store()
    data_parts = parts.Patched(kept.kept(state), "data.nt", _nt(added), _nt(removed))
    if not _stats_kept(store, data_parts, *delta["data"]):
        del store
        return None
    counts0 = state["counts"]
    n_data = counts0["data"] + len(added) - len(removed)
    if engine == "auto" and n_data <= FAST_ABOVE:
        del store
        return None

    progress("SHACL")
    kept.update(store, delta)  # the state goes first: a failure from here makes the next build full
    writer = DistWriter(out)
    writer.kept = kept.kept(state)
    undo.append(writer.discard)
    view = DataView(data_parts, store, n_data, out)
    ontology = load_ontology()
    missing = incremental.unsupported(store, view, delta)
    cov = incremental.coverage_again(state["coverage"], view, *delta["data"])
    rd_added = [fragments.rdflib_triple(x) for x in added]
    rd_removed = [fragments.rdflib_triple(x) for x in removed]
    used = _usage(state["usage"], rd_added, rd_removed)
    links_report = _side_outputs(writer, ctx, ontology, used, cov, missing, kept, links)
    shapes = load_shapes()
    delta2 = tuple([t for d in delta.values() for t in d[i]] for i in (0, 1))
    prov_parts = parts.Patched(writer.kept, "provenance.nt", _nt(p_add), _nt(p_rem))
    prov_view = DataView(prov_parts, store, 0, out)
    conforms, shapes_report, engine_results = incremental.validate(
        shapes, store, (view, ontology, None), state, *delta2,
        about=lambda x: [*view.triples((x, None, None)), *prov_view.triples((x, None, None))])
    results = (engine_results, shapes)
    if not conforms:
        report = report_of(shapes_report, view)
        raise BuildError(f"SHACL found {len(report.violations)} violation(s):\n{report.text()}")
    # the same results as the last build's: its reports (their sentences come from prov:wasDerivedFrom and
    # apg:sentenceId, which Δ spares)
    same_report = incremental.portable(engine_results, shapes) == state["results"]
    files = (kept.kept_file("shacl-report.ttl"), kept.kept_file("shacl-report.txt")) if same_report else None
    shacl = Shacl(shapes_report, view, sum(1 for r in engine_results if r[3] == SH.Warning), files)
    progress("OWL RL")
    i_add, i_rem = incremental.infer_delta(ontology, view, state, *delta2)
    inferred = sorted([x for x in state["inferred"] if x not in i_rem] + list(i_add))  # N-Triples text
    n_reifiers = counts0["reifiers"] + len(r_add) - len(r_rem)
    counts = {"data": n_data, "ontology": len(ontology), "inferred": len(inferred),
              "provenance": counts0["provenance"] + len(p_add) - len(p_rem)}
    stats = state["stats"]
    metadata = metadata_graph(ctx.iris, view, counts, ctx.iris.source(ctx.default_source),
                              modified=release_date(ontology), stats=stats)
    counts["metadata"] = len(metadata)
    if missing:
        raise BuildError(f"{len(missing)} factual triple(s) without statement-level provenance: "
                         f"{missing[:3]}")

    progress("dumps")
    prints = {r.id: fragments.fingerprint(r) for recs in facts.values() for r in recs if r.id in edited}
    records = incremental.Pickled({
        "fragments": frags, "refs": refs, "stated": stated, "words": words,
        "fingerprints": {**state["fingerprints"], **prints}, "registry": state["registry"]})
    iri = {n: ctx.iris.graph(n) for n in (*SOURCE_GRAPHS, *DERIVED_GRAPHS)}
    single = [f for f in FORMATS if not f.dataset]
    rdf12_parts = parts.Patched(writer.kept, "provenance-rdf12.nt", _nt((*p_add, *r_add)),
                                _nt((*p_rem, *r_rem)))
    parts.write_graph(writer, "data", None, str(iri["data"]), single, block=("data.trig", "dataset.trig"),
                      parted=data_parts.parts, count=n_data)
    graph_dumps(writer, {"ontology": oxigraph_triples(ontology)}, iri)
    parts.write_graph(writer, "provenance", None, str(iri["provenance"]), single,
                      block=("provenance.trig", "dataset.trig"), parted=prov_parts.parts,
                      count=counts["provenance"])
    parts.write_graph(writer, "provenance-rdf12", None, str(iri["provenance"]),
                      [FORMAT_BY_EXTENSION[e] for e in ("ttl", "nt")],
                      block=("provenance-rdf12.trig", "dataset-rdf12.trig"), parted=rdf12_parts.parts,
                      count=counts["provenance"] + n_reifiers)
    inferred_parts = parts.Patched(writer.kept, "inferred.nt", _nt(i_add), _nt(i_rem))
    parts.write_graph(writer, "inferred", None, str(iri["inferred"]), single,
                      block=("inferred.trig", "dataset.trig"), parted=inferred_parts.parts,
                      count=len(inferred))
    graph_dumps(writer, {"metadata": oxigraph_triples(metadata)}, iri)
    from .pipeline import publish

    index = None
    if not any(_predicate(x) in incremental.SEARCH_INPUTS for x in (*i_add, *i_rem)):
        index = kept.kept_file(search_index.FILE)
    if index is None:  # an inferred name or type changed: the index of the whole graph
        view.dist = writer.stage
        index = search_index.build(view.graph(), _graph(inferred), base)
    publish(writer, iri, counts, n_reifiers, index, shacl, base, ctx, links_report, cov, missing)
    view.dist = out
    saved = {"stats": stats,
             "coverage": {k: v for k, v in cov.items() if k != "without_statement_provenance"},
             "records": records, "files": hashes, "world": state["world"], "usage": used,
             "counts": {**counts, "reifiers": n_reifiers}}
    kept.save(out, writer.indexes, *results, inferred, ontology, state["tables"], saved)
    log(f"built {out} in {time.perf_counter() - t0:.1f}s (rebuilt {len(rebuilt)} records): "
        + ", ".join(f"{n} {c}" for n, c in counts.items())
        + f"; SHACL 0 violations, {shacl.warning_count} warnings")
    return Built(view.graph, ontology, lambda: _graph(inferred), metadata, lambda: _provenance(out),
                 shacl.report, links_report, dict(ctx.registry), incremental=True,
                 pieces=tuple(writer.pieces), rebuilt=len(rebuilt))


class Shacl:
    """The SHACL outcome publish() writes: the report files (the kept ones, else made from the results graph)
    and the counts; ``report`` the kg.validation.Report, made on first use."""

    violation_count = 0

    def __init__(self, graph, data, warnings: int, files: tuple | None):
        self.graph, self.data, self.warning_count, self.files = graph, data, warnings, files
        self._report = None

    def report(self):
        if self._report is None:
            self._report = report_of(self.graph, self.data)
        return self._report


def _graph(lines) -> Graph:
    """A Graph of N-Triples texts (kg.fragments.Lines)."""
    g = Graph()
    for t in _parse(lines):
        g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return g


def _provenance(out: Path):
    from .triples import TripleSet

    return TripleSet((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                     for t in ox.parse(path=str(out / "provenance.nt"), format=ox.RdfFormat.N_TRIPLES))


def _side_outputs(writer, ctx, ontology, used, cov, missing, kept, links) -> dict:
    """kg.pipeline._side_outputs from what the last build kept: the linksets and the Mix'n'match catalogue
    (Δ spares their inputs), the ontology pages with usage moved by Δ."""
    from .pipeline import pages_and_links

    links_report = pages_and_links(writer, ctx, ontology, used, links)
    for name in linksets.TARGETS:
        file = linksets.linkset_file(name)
        data = kept.kept_file(file)
        writer.add(file, data, media_type="application/n-triples", triples=data.count(b"\n"))
    writer.add(linksets.MIXNMATCH, kept.kept_file(linksets.MIXNMATCH), media_type="text/tab-separated-values",
               compress=False)
    cov = {**cov, "without_statement_provenance": [" ".join(t.n3() for t in triple) for triple in missing]}
    writer.add("coverage.txt", coverage_text(cov).encode(), media_type="text/plain", compress=False)
    return links_report

