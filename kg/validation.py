"""SHACL validation with pySHACL against ``shapes/`` (shipped as kg.shapes; violations and warnings in
separate files).

The report names, for each result, the focus node, the path, the message and the sentence(s) the focus node is
derived from, so a curator can go straight to the fact file record and the source sentence.
"""
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import PROV, SH

from .namespaces import APG
from .resources import shapes_dir

SHAPES_DIR = shapes_dir()


def load_shapes(shapes_dir: Path = SHAPES_DIR) -> Graph:
    paths = sorted(shapes_dir.glob("*.ttl"))
    if not paths:  # validating against no shapes would pass anything
        raise FileNotFoundError(f"no SHACL shapes (*.ttl) in {shapes_dir}")
    shapes = Graph()
    for path in paths:
        shapes.parse(path, format="turtle")
    return shapes


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    path: str
    message: str
    sentences: tuple[str, ...]
    shape: str

    def line(self) -> str:
        cites = ",".join(self.sentences) or "-"
        return f"{self.severity}: {self.focus} | path {self.path} | {self.message} | sentence {cites}"


@dataclass(frozen=True)
class Report:
    conforms: bool
    results: tuple[Result, ...]
    graph: Graph

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Warning"]

    def text(self) -> str:
        head = (f"SHACL report: {len(self.violations)} violation(s), {len(self.warnings)} warning(s), "
                f"{len(self.results) - len(self.violations) - len(self.warnings)} info")
        return "\n".join([head, *sorted(r.line() for r in self.results)]) + "\n"


def validate(data: Graph, ontology: Graph, shapes: Graph | None = None,
             provenance: Graph | None = None, engine: str = "reference", store=None) -> Report:
    """The SHACL report of data + ontology + provenance. ``engine``: "reference" (pySHACL) or "fast"
    (kg.fastshacl over a pyoxigraph store of the three graphs, ``store`` if given; the same results)."""
    shapes = shapes if shapes is not None else load_shapes()
    graphs = (data, ontology, provenance if provenance is not None else Graph())
    if engine == "fast":
        from . import fastshacl

        if store is None:
            store = fastshacl.load_store(graphs)
        conforms, results_graph = fastshacl.Engine(shapes).validate(store, graphs)
        return report_of(results_graph, data)
    # The ontology is validated together with the data: sh:class checks need its concepts' types and
    # subclass axioms (pyshacl's ont_graph is only mixed in when it also runs inference). The provenance graph
    # (RDF 1.1 rendering) joins them: every factual triple must have a reifier with its sentence and words.
    combined = Graph()
    for graph in graphs:
        for triple in graph:
            combined.add(triple)
    conforms, results_graph, _ = pyshacl.validate(
        combined, shacl_graph=shapes, inference="none", advanced=True,
        allow_warnings=True, meta_shacl=False,
    )
    return report_of(results_graph, data)


def report_of(results_graph: Graph, data: Graph) -> Report:
    """The Report of a SHACL results graph (also of an incremental validation's merged results,
    kg/pipeline.py)."""
    results = []
    for res in results_graph.subjects(SH.resultSeverity, None):
        focus = results_graph.value(res, SH.focusNode)
        sentences = tuple(sorted(
            str(data.value(s, APG.sentenceId) or s) for s in data.objects(focus, PROV.wasDerivedFrom)
        ))
        results.append(Result(
            severity=str(results_graph.value(res, SH.resultSeverity)).rsplit("#", 1)[-1],
            focus=str(focus),
            path=str(results_graph.value(res, SH.resultPath) or "-"),
            message=str(results_graph.value(res, SH.resultMessage) or "-"),
            sentences=sentences,
            shape=str(results_graph.value(res, SH.sourceShape)),
        ))
    violations = [r for r in results if r.severity == "Violation"]
    return Report(conforms=not violations, results=tuple(results), graph=results_graph)
