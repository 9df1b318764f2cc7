"""The store behind one small interface: load a built dataset, answer SPARQL queries read-only.

Today the only implementation is an embedded pyoxigraph store; a remote SPARQL store (Oxigraph server, Virtuoso,
QLever, filled through the Graph Store Protocol) can implement the same ``query`` later.
"""
import json
from pathlib import Path

import pyoxigraph as ox


class StoreError(RuntimeError):
    """The build is missing or cannot be loaded."""


class OxigraphStore:
    def __init__(self, dist: Path, *, path: Path | None = None):
        dist = Path(dist)
        manifest_path = dist / "manifest.json"
        dump = dist / "dataset.nq"
        if not manifest_path.is_file() or not dump.is_file():
            raise StoreError(f"no build found in {dist} (manifest.json and dataset.nq): run 'apg build' first")
        try:
            self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise StoreError(f"{manifest_path} is not valid JSON: {exc}") from exc
        self.store = ox.Store(str(path)) if path else ox.Store()
        try:
            self.store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        except (SyntaxError, ValueError, OSError) as exc:
            raise StoreError(f"cannot load {dump}: {exc}") from exc
        self.graphs = {name: ox.NamedNode(g["iri"]) for name, g in self.manifest["graphs"].items()}
        self.default_graph = [ox.NamedNode(iri) for iri in self.manifest["default_graph"]]

    @property
    def version(self) -> str:
        return self.manifest.get("version", "0")

    def query(self, sparql: str, *, default_graph=None, named_graphs=None):
        """Run a read-only query. default_graph/named_graphs: lists of graph IRIs (strings) or None for the default
        dataset: the union of the data and ontology graphs, with every named graph addressable by GRAPH."""
        dg = [ox.NamedNode(i) for i in default_graph] if default_graph else self.default_graph
        ng = [ox.NamedNode(i) for i in named_graphs] if named_graphs else list(self.graphs.values())
        return self.store.query(sparql, default_graph=dg, named_graphs=ng)
