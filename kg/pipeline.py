"""The build: facts → graph → SHACL and OWL 2 RL → dist/.  ``build()`` is what ``apg build`` runs."""
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from . import __version__
from .builders import Context, add_links, build_facts
from .coverage import coverage, coverage_text
from .dist import FORMATS, DistWriter, serialize_dataset, serialize_graph
from .facts import FACTS_DIR, load_facts
from .iris import DEFAULT_BASE, Iris
from .links import link_report, load_links, report_json, report_text
from .metadata import metadata_graph
from .namespaces import ONTOLOGY_IRI
from .ontology_docs import render as render_ontology_docs
from .reasoning import infer
from .resources import default_dist, ontology_file
from .sources import build_sources, default_source, load_sources
from .validation import validate

ONTOLOGY_FILE = ontology_file()
# The stages of build(), in order; its ``progress`` callback is called with each name as the stage starts.
STAGES = ("facts", "graph", "SHACL", "OWL RL", "dumps")


class BuildError(RuntimeError):
    """The build found a problem it must not publish (SHACL violations, inconsistency, bad facts)."""


@dataclass
class Built:
    data: Graph
    ontology: Graph
    inferred: Graph
    metadata: Graph
    report: object
    links: dict
    registry: dict


def load_ontology(path: Path = ONTOLOGY_FILE) -> Graph:
    return Graph().parse(path, format="turtle")


def build_graph(base: str = DEFAULT_BASE, facts_dir: Path = FACTS_DIR,
                progress=lambda stage: None) -> tuple[Graph, Context, list]:
    """Facts → rdflib data graph (no checks)."""
    progress("facts")
    iris = Iris(base)
    sources = load_sources()
    facts = load_facts(facts_dir)
    progress("graph")
    data = Graph()
    build_sources(data, iris, sources)
    ctx = Context(data, iris, sources, default_source(sources).key)
    build_facts(ctx, facts)
    links = load_links()
    add_links(ctx, links)
    return data, ctx, links


def build(out: Path | None = None, base: str = DEFAULT_BASE, log=print, facts_dir: Path = FACTS_DIR,
          progress=lambda stage: None) -> Built:
    """``log``: the summary line at the end; ``progress``: called with each of STAGES as it starts."""
    out = default_dist() if out is None else out
    t0 = time.perf_counter()
    data, ctx, links = build_graph(base, facts_dir, progress)
    ontology = load_ontology()
    progress("SHACL")
    report = validate(data, ontology)
    if report.violations:
        raise BuildError(f"SHACL found {len(report.violations)} violation(s):\n{report.text()}")
    progress("OWL RL")
    inferred = infer(ontology, data)
    counts = {"data": len(data), "ontology": len(ontology), "inferred": len(inferred)}
    metadata = metadata_graph(ctx.iris, data, counts, ctx.iris.source(ctx.default_source))
    counts["metadata"] = len(metadata)
    graphs = {"data": data, "ontology": ontology, "inferred": inferred, "metadata": metadata}

    progress("dumps")
    writer = DistWriter(out)
    for fmt in FORMATS:
        if fmt.dataset:
            blob = serialize_dataset({ctx.iris.graph(n): g for n, g in graphs.items()}, fmt)
            writer.add(f"dataset.{fmt.extension}", blob, media_type=fmt.media_type,
                       triples=sum(counts.values()))
        else:
            for name, g in graphs.items():
                writer.add(f"{name}.{fmt.extension}", serialize_graph(g, fmt), media_type=fmt.media_type,
                           triples=len(g), graph=str(ctx.iris.graph(name)))
    writer.add("ontology.html", render_ontology_docs(ontology, data), media_type="text/html", compress=False)
    writer.add_canonical_report("shacl-report.ttl", report.graph)
    writer.add("shacl-report.txt", report.text().encode(), media_type="text/plain", compress=False)
    links_report = link_report(ctx.registry, links)
    writer.add("links.txt", report_text(links_report).encode(), media_type="text/plain", compress=False)
    writer.add("links.json", report_json(links_report).encode(), media_type="application/json",
               compress=False)
    cov = coverage(data)
    writer.add("coverage.txt", coverage_text(cov).encode(), media_type="text/plain", compress=False)
    writer.finish({
        "name": "apg-kg",
        "version": __version__,
        "base": base,
        "ontology": str(ONTOLOGY_IRI),
        "graphs": {n: {"iri": str(ctx.iris.graph(n)), "triples": c} for n, c in counts.items()},
        "default_graph": [str(ctx.iris.graph("data")), str(ctx.iris.graph("ontology"))],
        "shacl": {"violations": len(report.violations), "warnings": len(report.warnings)},
        "links": links_report["totals"],
    })
    log(f"built {out} in {time.perf_counter() - t0:.1f}s: " + ", ".join(f"{n} {c}" for n, c in counts.items())
        + f"; SHACL {len(report.violations)} violations, {len(report.warnings)} warnings")
    return Built(data, ontology, inferred, metadata, report, links_report, ctx.registry)

