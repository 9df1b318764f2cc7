"""The build: facts → graph → SHACL and OWL 2 RL → dist/.  ``build()`` is what ``apg build`` runs."""
import gc
import json
import multiprocessing
import time
from dataclasses import dataclass
from functools import cached_property, wraps
from pathlib import Path

from rdflib import Graph

from . import __version__, fragments, incremental, linksets, parts, provenance, search_index
from .builders import Context, add_links, build_facts
from .coverage import coverage, coverage_text
from .dist import (
    FORMAT_BY_EXTENSION,
    FORMATS,
    DistWriter,
    oxigraph_triples,
    serialize_graph,
)
from .facts import FACTS_DIR, load_facts
from .iris import DEFAULT_BASE, Iris
from .links import link_report, load_links, report_json, report_text
from .metadata import data_stats, metadata_graph, release_date
from .namespaces import ONTOLOGY_IRI
from .ontology_docs import render as render_ontology_docs
from .ontology_docs import usage as ontology_usage
from .quotes import Quotes
from .reasoning import infer
from .resources import default_dist, ontology_file
from .sources import SOURCE_DIR, build_sources, default_source, load_sources
from .validation import load_shapes, validate

ONTOLOGY_FILE = ontology_file()
# The stages of build(), in order; its ``progress`` callback is called with each name as the stage starts.
STAGES = ("facts", "graph", "SHACL", "OWL RL", "dumps")
# engine="auto": pySHACL and owlrl (the reference engines) up to this many data triples, kg.fastshacl and
# kg.fastowl (the same results, tests/test_scale.py) above it. The real graph (2.4k) stays on the reference.
FAST_ABOVE = 10_000
ENGINES = ("auto", "reference", "fast")


class BuildError(RuntimeError):
    """The build found a problem it must not publish (SHACL violations, inconsistency, bad facts)."""


@dataclass
class Built:
    data_: object  # the data Graph, or a function that reads it (kg.rebuild: on first use)
    ontology: Graph
    inferred_: object  # the inferred Graph, or a function that makes it
    metadata: Graph
    provenance_: object  # a kg.triples.TripleSet, or a function that reads it
    report_: object  # a kg.validation.Report, or a function that makes it
    links: dict
    registry: dict
    incremental: bool = False  # SHACL and OWL RL redone only around what changed (kg.incremental)
    pieces: tuple = (0, 0)  # of the dumps' pieces (kg.parts): those copied from the last build, all
    rebuilt: int | None = None  # kg.rebuild: the records rebuilt (None: the whole graph was built)

    @cached_property
    def data(self) -> Graph:
        return self.data_() if callable(self.data_) else self.data_

    @cached_property
    def inferred(self) -> Graph:
        return self.inferred_() if callable(self.inferred_) else self.inferred_

    @cached_property
    def report(self):
        return self.report_() if callable(self.report_) else self.report_

    @cached_property
    def provenance_triples(self):
        return self.provenance_() if callable(self.provenance_) else self.provenance_

    @cached_property
    def provenance(self) -> Graph:
        """The provenance graph as an rdflib Graph (built on first use: the build itself does not need it)."""
        return self.provenance_triples.graph()


def load_ontology(path: Path = ONTOLOGY_FILE) -> Graph:
    return Graph().parse(path, format="turtle")


def build_graph(base: str = DEFAULT_BASE, facts_dir: Path = FACTS_DIR,
                progress=lambda stage: None, sources_dir: Path = SOURCE_DIR,
                facts_cache: Path | None = None, trace: bool = False) -> tuple[Graph, Context, list]:
    """Facts → rdflib data graph (no checks). ``sources_dir``: the source documents the facts cite (the
    scale benchmark's synthetic fact files cite copies of the article); ``facts_cache``: kg.facts.load_facts'
    cache of validated records; ``trace``: note each record's fragment (``ctx.fragments``, kg.fragments)."""
    progress("facts")
    iris = Iris(base)
    sources = load_sources(sources_dir)
    facts = load_facts(facts_dir, facts_cache)
    progress("graph")
    data = Graph(store="SimpleMemory")  # no per-triple contexts: a third of the time of the default store
    tracer = fragments.Trace() if trace else None
    graph = fragments.Recording(data, tracer) if trace else data
    if trace:
        with tracer.record(fragments.SOURCES):
            build_sources(graph, iris, sources)
    else:
        build_sources(data, iris, sources)
    ctx = Context(graph, iris, sources, default_source(sources).key, trace=tracer)
    # every factual field quotes its words
    ctx.quotes = Quotes(facts, sources, ctx.default_source, trace=tracer)
    build_facts(ctx, facts)
    links = load_links()
    add_links(ctx, links)
    ctx.words = provenance.from_quotes(ctx.statements, iris)
    ctx.provenance_graph = provenance.rdf11(ctx.words, iris.statements)
    if trace:
        reads = {rid: ctx.reads_by.get(rid, frozenset()) | ctx.quotes.checked.get(rid, frozenset())
                 for rid in ctx.reads_by}
        ctx.fragments = fragments.fragments_of(graph, ctx.statements_by, reads, fragments.Lines())
        ctx.facts_seen = (fragments.file_hashes(facts_dir),
                          {rec.id: fragments.fingerprint(rec) for records in facts.values()
                           for rec in records})
        ctx.world = fragments.world(sources_dir)
        ctx.graph = data
    return data, ctx, links


def choose_engine(engine: str, data: Graph) -> str:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
    if engine == "auto":
        return "fast" if len(data) > FAST_ABOVE else "reference"
    return engine


def validate_with(data, ontology, prov, engine: str, ox_graphs: dict):
    """SHACL with the engine chosen; the fast one hands shapes it cannot compile to pySHACL."""
    if engine == "fast":
        from .fastshacl import Unsupported, load_store

        try:
            store = load_store([ox_graphs["data"], ox_graphs["ontology"], ox_graphs["provenance"]])
            return validate(data, ontology, provenance=prov, engine="fast", store=store)
        except Unsupported:  # a shape the compiler does not know: pySHACL
            pass
    return validate(data, ontology, provenance=prov)


def infer_with(ontology, data, engine: str):
    """OWL 2 RL with the engine chosen; the fast one hands ontologies it cannot tabulate to owlrl."""
    if engine == "fast":
        from .fastowl import Unsupported, fast_infer

        try:
            return fast_infer(ontology, data)
        except Unsupported:  # an axiom the tables do not cover: owlrl
            pass
    return infer(ontology, data)


class Forked:
    """``job()`` in a forked process (the graphs are shared copy-on-write, not sent): ``wait()`` returns its
    answer (pickled back) or raises its exception; ``cancel()`` ends it (the build failed before)."""

    def __init__(self, job, name: str = "OWL RL"):
        self.name = name
        context = multiprocessing.get_context("fork")
        self.answer, sender = context.Pipe(duplex=False)

        def run():
            try:
                sender.send(("ok", job()))
            except BaseException as exc:  # noqa: BLE001 (any failure is the build's, raised in the parent)
                sender.send(("error", exc))

        self.process = context.Process(target=run, daemon=True)
        self.process.start()
        sender.close()

    def wait(self):
        try:
            kind, value = self.answer.recv()
        except EOFError:
            self.process.join()
            raise BuildError(f"the {self.name} process ended without an answer (exit code "
                             f"{self.process.exitcode})") from None
        self.process.join()
        if kind == "error":
            raise value
        return value

    def cancel(self) -> None:
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


# The graphs made before SHACL and OWL RL (their dumps can be written while those run) and after them.
SOURCE_GRAPHS = ("data", "ontology", "provenance")
DERIVED_GRAPHS = ("inferred", "metadata")


def graph_dumps(writer: DistWriter, triples: dict, iri: dict, reifies: list | None = None,
                 keyed: dict | None = None) -> tuple:
    """Every single-graph dump of ``triples`` ({name: pyoxigraph triples, sorted}) and its gzip copy, part
    by part (kg.parts: at scale none is held whole), each graph's block of the dataset TriG files (a
    scratch file), and with ``reifies`` the provenance graph's RDF 1.2 dumps and block: (the manifest
    entries, the indexes and the scratch indexes of the files written)."""
    files, indexes, blocks = set(writer.files), set(writer.indexes), set(writer.scratch_kept.index)
    pieces = list(writer.pieces)
    single = [f for f in FORMATS if not f.dataset]
    for name, g in triples.items():
        parts.write_graph(writer, name, g, str(iri[name]), single, block=(f"{name}.trig", "dataset.trig"),
                          parted=(keyed or {}).get(name))
    if reifies is not None:  # the provenance graph plus one rdf:reifies triple term per reifier
        rdf12 = [*triples["provenance"], *reifies]
        keyed12 = None
        if (keyed or {}).get("provenance"):  # the same cuts as the provenance graph's, but in its last part
            last = keyed["provenance"][-1][0]
            keyed12 = keyed["provenance"][:-1] + parts.keyed(rdf12[len(rdf12) - len(reifies) - len(last):])
        parts.write_graph(writer, "provenance-rdf12", rdf12, str(iri["provenance"]),
                          [FORMAT_BY_EXTENSION[e] for e in ("ttl", "nt")],
                          block=("provenance-rdf12.trig", "dataset-rdf12.trig"), parted=keyed12)
    return ({n: writer.files[n] for n in writer.files.keys() - files},
            {n: writer.indexes[n] for n in writer.indexes.keys() - indexes},
            {n: writer.scratch_kept.index[n] for n in writer.scratch_kept.index.keys() - blocks},
            [writer.pieces[0] - pieces[0], writer.pieces[1] - pieces[1]])


def _received(writer: DistWriter, answer: tuple) -> None:
    """What graph_dumps wrote in a forked process, recorded in this one's writer."""
    files, indexes, blocks, pieces = answer
    writer.pieces = [writer.pieces[0] + pieces[0], writer.pieces[1] + pieces[1]]
    writer.files.update(files)
    writer.indexes.update(indexes)
    for name, rows in blocks.items():
        writer.scratch_kept.add(name, rows)


def validate_incrementally(kept, state, data, ontology, prov, ox_graphs, by_graph, store):
    """SHACL through kg.incremental: (report, (fastshacl results to keep, the shapes graph they cite),
    (added, removed)). A first build validates in full on a store in memory; the next ones on the kept
    store (``store``), brought up to date by Δ (``by_graph``: Cache.delta)."""
    from .fastshacl import load_store
    from .validation import report_of

    if state is None:
        delta, store = ((), ()), load_store([ox_graphs[n] for n in incremental.STORED])
    else:
        delta = tuple([t for d in by_graph.values() for t in d[i]] for i in (0, 1))
    shapes = load_shapes()
    _, graph, results = incremental.validate(shapes, store, (data, ontology, prov), state, *delta)
    return report_of(graph, data), (results, shapes), delta


def pages_and_links(writer, ctx, ontology, used: dict, links: list) -> dict:
    """The ontology's pages (``used``: its terms' usage), the redirects and the links report (returned)."""
    for name, page in render_ontology_docs(ontology, used=used).items():  # one page per language
        writer.add(name, page, media_type="text/html", compress=False)
    # retired IRIs -> the IRIs that replace them, for the server to redirect (and dcterms:isReplacedBy)
    redirects = {str(old): str(new) for old, new in sorted(ctx.former.items())}
    writer.add("redirects.json", (json.dumps(redirects, indent=2, sort_keys=True) + "\n").encode(),
               media_type="application/json", compress=False)
    links_report = link_report(ctx.registry, links)
    writer.add("links.txt", report_text(links_report).encode(), media_type="text/plain", compress=False)
    writer.add("links.json", report_json(links_report).encode(), media_type="application/json",
               compress=False)
    return links_report


def _side_outputs(writer, ctx, data, ontology, prov, links, missing, base, cov=None) -> tuple[dict, dict]:
    """The files that need neither SHACL nor OWL RL (written while a forked process makes the dumps): the
    ontology's pages, redirects, the links report and linksets, the coverage (``cov``: from the last
    build's, kg.incremental.coverage_again); (coverage, links report, the ontology terms' usage)."""
    used = ontology_usage(ontology, data)
    links_report = pages_and_links(writer, ctx, ontology, used, links)
    # the identity links on their own (VoID linksets) and a Mix'n'match catalogue (kg/linksets.py)
    for name in linksets.TARGETS:
        links_graph = linksets.linkset(data, name)
        writer.add(linksets.linkset_file(name), serialize_graph(links_graph, FORMAT_BY_EXTENSION["nt"]),
                   media_type="application/n-triples", triples=len(links_graph))
    writer.add(linksets.MIXNMATCH, linksets.mixnmatch(data, ctx.registry, base),
               media_type="text/tab-separated-values", compress=False)
    if cov is None:
        cov = coverage(data, prov, missing)
    else:  # what kg.coverage.coverage says of the triples without statement-level provenance
        cov = {**cov, "without_statement_provenance": [" ".join(t.n3() for t in triple)
                                                       for triple in missing]}
    writer.add("coverage.txt", coverage_text(cov).encode(), media_type="text/plain", compress=False)
    return cov, links_report, used


def fragment_state(ctx, counts: dict, reifiers: int, used: dict, frags: dict | None = None) -> dict:
    """What the next build needs to rebuild only some records (kg.fragments, kg.rebuild)."""
    frags = ctx.fragments if frags is None else frags
    refs, stated = fragments.counts(frags)
    hashes, prints = ctx.facts_seen
    records = {"fragments": frags, "refs": refs, "stated": stated,
               "words": fragments.words_counts(frags, stated), "fingerprints": prints,
               "registry": dict(ctx.registry)}
    return {"records": incremental.Pickled(records), "files": hashes, "world": ctx.world, "usage": used,
            "counts": {**counts, "reifiers": reifiers}}


def _without_cycle_collector(function):
    """Run ``function`` with Python's cycle collector off. A build makes tens of millions of long-lived
    objects (rdflib terms, pyoxigraph triples) and almost no cyclic garbage: each full collection walks them
    all: building the graph at 100x took 23 s with it, 11 s without. Reference
    counting still frees everything else; the collector is switched back on at the end."""
    @wraps(function)
    def run(*args, **kwargs):
        if not gc.isenabled():
            return function(*args, **kwargs)
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            gc.enable()

    return run


@_without_cycle_collector
def build(out: Path | None = None, base: str = DEFAULT_BASE, log=print, facts_dir: Path = FACTS_DIR,
          progress=lambda stage: None, sources_dir: Path = SOURCE_DIR, engine: str = "auto",
          cache: Path | None = None) -> Built:
    """``log``: the summary line at the end; ``progress``: called with each of STAGES as it starts;
    ``cache``: a directory for incremental rebuilds (kg.incremental; fast engines only, else ignored)."""
    undo = []  # what a failed build takes back, last first: its forked processes, its staging directory
    try:
        return _build(out, base, log, facts_dir, progress, sources_dir, engine, cache, undo)
    except BaseException:
        for step in reversed(undo):
            step()
        raise


def _build(out, base, log, facts_dir, progress, sources_dir, engine, cache, undo) -> Built:
    out = default_dist() if out is None else out
    t0 = time.perf_counter()
    if cache is not None and engine != "reference":  # only the records an edit concerns (kg.rebuild)
        from .rebuild import rebuild

        built = rebuild(out, base, log, facts_dir, progress, sources_dir, Path(cache), undo, t0)
        if built is not None:
            return built
    data, ctx, links = build_graph(base, facts_dir, progress, sources_dir,
                                   None if cache is None else Path(cache) / "facts",
                                   trace=cache is not None and engine != "reference")
    ctx.quotes, ctx.statements = None, {}  # the records and their quotes are in the graphs now (memory)
    ontology = load_ontology()
    prov = ctx.provenance_graph
    engine = choose_engine(engine, data)
    kept = state = None
    if cache is not None and engine == "fast":
        kept = incremental.Cache(cache, incremental.key(base, ONTOLOGY_FILE))
        state = kept.load()
    progress("SHACL")
    # a big graph's OWL RL runs in a forked process while SHACL runs here (kg.fastowl and kg.fastshacl only
    # read the graphs); the "OWL RL" stage is then the wait for its answer
    inferring = Forked(lambda: list(infer_with(ontology, data, engine))) if (
        engine == "fast" and state is None and len(data) > FAST_ABOVE) else None
    if inferring is not None:
        undo.append(inferring.cancel)
    iri = {n: ctx.iris.graph(n) for n in (*SOURCE_GRAPHS, *DERIVED_GRAPHS)}
    writer = DistWriter(out)
    if kept is not None:  # the pieces of the last build's dumps an edit left alone are copied (kg.parts)
        writer.kept = kept.kept(state)
    undo.append(writer.discard)  # a failed build leaves no staging directory behind
    big = engine == "fast" and len(data) > FAST_ABOVE
    # each graph becomes pyoxigraph triples once, in dump order: the fast SHACL engine's store and the dumps
    # (here, not in the forked process: there every rdflib term touched would copy its page)
    ox_graphs = {"data": oxigraph_triples(data), "ontology": oxigraph_triples(ontology),
                 "provenance": oxigraph_triples(prov)} if engine == "fast" else {}
    reifies = provenance.reifies(ctx.words, ctx.iris.statements)
    # an incremental build cuts data and provenance into parts once: for Δ, then for their dumps
    keyed = {n: parts.keyed(ox_graphs[n]) for n in ("data", "provenance")} if state is not None else None

    def source_dumps():
        return graph_dumps(writer, {n: ox_graphs[n] for n in SOURCE_GRAPHS}, iri, reifies, keyed)

    # and the dumps of the graphs SHACL and OWL RL only read, in another forked process meanwhile: SHACL
    # keeps one core busy, and at scale those dumps (and their gzip copies) are most of the dumps stage
    dumping = Forked(source_dumps, "dumps") if big else None
    if dumping is not None:
        undo.append(dumping.cancel)
    # meanwhile, what needs neither SHACL nor OWL RL
    by_graph = kept.delta(state, ox_graphs, keyed) if state is not None else None
    store = kept.store(by_graph) if state is not None else None  # the kept store, brought up to date
    missing = incremental.unsupported(store, data, by_graph) if state is not None else \
        provenance.without_provenance(data, prov)
    cov = incremental.coverage_again(state["coverage"], data, *by_graph["data"]) if state else None
    cov, links_report, used = _side_outputs(writer, ctx, data, ontology, prov, links, missing, base, cov)
    if kept is not None:
        report, results, delta = validate_incrementally(kept, state, data, ontology, prov, ox_graphs,
                                                        by_graph, store)
    else:
        report = validate_with(data, ontology, prov, engine, ox_graphs)
    if report.violations:
        raise BuildError(f"SHACL found {len(report.violations)} violation(s):\n{report.text()}")
    progress("OWL RL")
    inferred_delta = ()
    if state is not None:
        inferred, inferred_delta = incremental.infer(ontology, data, state, *delta)
    elif inferring is not None:
        inferred = Graph()
        for t in inferring.wait():
            inferred.add(t)
    else:
        inferred = infer_with(ontology, data, engine)
    counts = {"data": len(data), "ontology": len(ontology), "inferred": len(inferred),
              "provenance": len(prov)}
    stats = state["stats"] if state and incremental.same_stats(data, *by_graph["data"]) else \
        data_stats(data, base)
    metadata = metadata_graph(ctx.iris, data, counts, ctx.iris.source(ctx.default_source),
                              modified=release_date(ontology), stats=stats)
    counts["metadata"] = len(metadata)
    graphs = {"data": data, "ontology": ontology, "inferred": inferred, "metadata": metadata,
              "provenance": prov}
    if missing:  # SHACL says so too; this keeps the count exact
        raise BuildError(f"{len(missing)} factual triple(s) without statement-level provenance: "
                         f"{missing[:3]}")

    progress("dumps")
    triples = {n: ox_graphs.pop(n, None) or oxigraph_triples(g) for n, g in graphs.items()}
    if dumping is not None:  # the source graphs' dumps, written meanwhile by a forked process
        _received(writer, dumping.wait())
    else:
        graph_dumps(writer, {n: triples[n] for n in SOURCE_GRAPHS}, iri, reifies, keyed)
    graph_dumps(writer, {n: triples[n] for n in DERIVED_GRAPHS}, iri)
    index = None
    if state is not None and not incremental.touches(
            (*by_graph["data"][0], *by_graph["data"][1], *inferred_delta), incremental.SEARCH_INPUTS):
        index = kept.kept_file(search_index.FILE)  # no name or type changed: the last build's index
    publish(writer, iri, counts, len(reifies), index or search_index.build(data, inferred, base), report,
            base, ctx, links_report, cov, missing)
    if kept is not None:
        if state is None:  # a full build: the store the next one brings up to date
            kept.save_store({n: triples[n] for n in incremental.STORED})
        # the results cite blank nodes of that shapes graph
        kept.save(out, writer.indexes, *results, inferred, ontology, state["tables"] if state else None,
                  {"stats": stats, "coverage": {k: v for k, v in cov.items()
                                                if k != "without_statement_provenance"},
                   **fragment_state(ctx, counts, len(reifies), used)})
    log(f"built {out} in {time.perf_counter() - t0:.1f}s: " + ", ".join(f"{n} {c}" for n, c in counts.items())
        + f"; SHACL {len(report.violations)} violations, {len(report.warnings)} warnings")
    return Built(data, ontology, inferred, metadata, prov, report, links_report, ctx.registry,
                 incremental=state is not None, pieces=tuple(writer.pieces))


def publish(writer, iri: dict, counts: dict, reifiers: int, index: bytes, report, base: str, ctx,
            links_report: dict, cov: dict, missing: list) -> None:
    """The dataset files (from the graphs' dumps), the search index, the SHACL reports, the manifest."""
    # the dataset files are copied from the graphs' dumps piece by piece: the N-Quads from the N-Triples,
    # the TriG from the blocks; RDF 1.2: the same dataset, plus one rdf:reifies triple term per reifier
    ntriples = {str(iri[n]): f"{n}.nt" for n in counts}
    ntriples12 = {**ntriples, str(iri["provenance"]): "provenance-rdf12.nt"}
    blocks = {str(iri[n]): f"{n}.trig" for n in counts}
    blocks12 = {**blocks, str(iri["provenance"]): "provenance-rdf12.trig"}
    total, total12 = sum(counts.values()), sum(counts.values()) + reifiers
    for name, trig, n, nq in (("dataset", blocks, total, ntriples), ("dataset-rdf12", blocks12, total12,
                                                                    ntriples12)):
        parts.write_dataset_trig(writer, f"{name}.trig", trig, n, FORMAT_BY_EXTENSION["trig"].media_type)
        parts.write_dataset_nquads(writer, f"{name}.nq", nq, n, FORMAT_BY_EXTENSION["nq"].media_type)
    # the full-text index of names and sentences behind the search box and /reconcile (kg/search_index.py)
    writer.add(search_index.FILE, index, media_type=search_index.MEDIA_TYPE, compress=False)
    files = getattr(report, "files", None)  # kg.rebuild.Shacl: the last build's, when the results are
    if files is not None:
        writer.add("shacl-report.ttl", files[0], media_type="text/turtle", compress=False)
        writer.add("shacl-report.txt", files[1], media_type="text/plain", compress=False)
    else:
        writer.add_canonical_report("shacl-report.ttl", report.graph)
        text = report.report().text() if hasattr(report, "report") else report.text()
        writer.add("shacl-report.txt", text.encode(), media_type="text/plain", compress=False)
    violations, warnings = ((report.violation_count, report.warning_count) if hasattr(report, "warning_count")
                            else (len(report.violations), len(report.warnings)))
    writer.finish({
        "name": "apg-kg",
        "version": __version__,
        "base": base,
        "ontology": str(ONTOLOGY_IRI),
        "graphs": {n: {"iri": str(ctx.iris.graph(n)), "triples": c} for n, c in counts.items()},
        "default_graph": [str(ctx.iris.graph("data")), str(ctx.iris.graph("ontology"))],
        "shacl": {"violations": violations, "warnings": warnings},
        "links": links_report["totals"],
        "provenance": {
            "graph": str(ctx.iris.graph("provenance")),
            "factual_triples": cov["factual_triples"],
            "with_statement_provenance": cov["factual_triples"] - len(missing),
            "reifiers": reifiers,
            "rdf12_files": ["dataset-rdf12.trig", "dataset-rdf12.nq", "provenance-rdf12.ttl",
                            "provenance-rdf12.nt"],
        },
    })
