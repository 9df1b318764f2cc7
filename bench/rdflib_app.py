"""ASGI app for the rdflib-endpoint baseline: ``uvicorn bench.rdflib_app:app`` with APG_BENCH_DIST set.

rdflib-endpoint ignores the protocol's ``default-graph-uri`` / ``named-graph-uri`` parameters, so the dataset
is shaped here to give the same answers as the other servers: the four named graphs of dataset.trig as they
are, and a default graph holding the union of the graphs listed in manifest.json's ``default_graph`` (data +
ontology). ``Dataset(default_union=True)`` would instead make the default graph the union of *all* graphs
(inferred and metadata too), which is not the project's default dataset."""

import json
import os
from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib_endpoint import SparqlEndpoint


def load_dataset(dist: Path) -> Dataset:
    dist = Path(dist)
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    ds = Dataset(default_union=False)
    ds.parse(dist / "dataset.trig", format="trig")
    default = Graph(store=ds.store, identifier=DATASET_DEFAULT_GRAPH_ID)
    for iri in manifest["default_graph"]:
        for triple in ds.graph(URIRef(iri)):
            default.add(triple)
    return ds


def create_app(dist: Path | None = None) -> SparqlEndpoint:
    dist = Path(dist or os.environ.get("APG_BENCH_DIST", "dist"))
    return SparqlEndpoint(
        path="/sparql",
        title="apg-kg (rdflib-endpoint baseline)",
        graph=load_dataset(dist),
    )


app = create_app() if os.environ.get("APG_BENCH_DIST") else None
