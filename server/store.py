"""The store behind one small interface: load a built dataset, answer SPARQL queries read-only.

Two implementations share ``Build`` (the build's manifest, graphs, default dataset, redirects): the embedded
pyoxigraph store here (the default), and ``server.engines.EngineStore``, an external SPARQL 1.1 engine
(Oxigraph server, Virtuoso) spoken to over the SPARQL 1.1 Protocol (``apg serve --engine URL``). Both answer
``query`` (pyoxigraph's answer types) and ``describe`` (the symmetric concise bounded description).

The store lives in memory by default. With ``path`` it lives on disk (RocksDB): loaded there once (a marker
file records which dataset.nq it holds, so a restart on the same build reuses it), then opened read-only,
lazily, by every process that queries it — so processes forked from the one that loaded it never share a
RocksDB handle.

In the Flask app the store is created once by ``init_app(app)`` and reached through ``get_store()``.
"""
import hashlib
import json
import os
from pathlib import Path

import pyoxigraph as ox

from .endpoint.nesting import OPAQUE
from .extensions import attach, lookup

_EXTENSION = "apg.store"
_MARKER = "apg-dataset.sha256"
_LOADING = "apg-loading"


class StoreError(RuntimeError):
    """The build is missing or cannot be loaded."""


class BuildMissing(StoreError):
    """No usable build in the directory: missing, incomplete, or not what its manifest says."""


def read_build(dist: Path) -> tuple[dict, str]:
    """The manifest of the build in ``dist`` and the sha256 of its dataset.nq, checked against each other
    (``apg info`` reads a build this way without loading it). BuildMissing says what is wrong."""
    dist = Path(dist)
    manifest_path = dist / "manifest.json"
    dump = dist / "dataset.nq"
    if not manifest_path.is_file() or not dump.is_file():
        raise BuildMissing(f"no build found in {dist} (manifest.json and dataset.nq): "
                           "run 'apg build' first")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        for g in manifest["graphs"].values():
            ox.NamedNode(g["iri"])
        for iri in manifest["default_graph"]:
            ox.NamedNode(iri)
        expected_sha = manifest["files"]["dataset.nq"]["sha256"]
    except ValueError as exc:
        raise BuildMissing(f"{manifest_path} is not valid JSON or names an invalid IRI: {exc}") from exc
    except (KeyError, TypeError, AttributeError) as exc:
        raise BuildMissing(f"{manifest_path} is incomplete (no graphs, default_graph or dataset.nq "
                           f"entry: {exc}); rebuild with 'apg build'") from exc
    sha = _sha256(dump)
    if sha != expected_sha:
        raise BuildMissing(f"{dump} does not match {manifest_path} (sha256 differs); "
                           "rebuild with 'apg build'")
    return manifest, sha


class Build:
    """What every store knows of the build it serves: its manifest, graphs and default dataset."""

    def __init__(self, dist: Path):
        self.manifest, self.dataset_sha256 = read_build(dist)
        self.graphs = {name: ox.NamedNode(g["iri"]) for name, g in self.manifest["graphs"].items()}
        self.default_graph = [ox.NamedNode(iri) for iri in self.manifest["default_graph"]]
        self.redirects = _redirects(Path(dist) / "redirects.json")

    @property
    def version(self) -> str:
        return self.manifest.get("version", "0")

    @property
    def base(self) -> str | None:
        return self.manifest.get("base")

    def triples(self, graph: ox.NamedNode) -> int | None:
        for g in self.manifest["graphs"].values():
            if g["iri"] == graph.value:
                return g.get("triples")
        return None

    def trouble(self) -> str | None:
        """Why this store cannot answer now (/healthz answers 503 with it), or None."""
        return None

    def dataset(self, default_graph=None, named_graphs=None) -> tuple[list, list]:
        """The query dataset as pyoxigraph graph names. default_graph/named_graphs: lists of graph IRIs
        (strings), or None for the default dataset: the union of the data and ontology graphs as default
        graph, with every named graph addressable by GRAPH. An empty list is an empty default graph / no
        named graphs."""
        dg = self.default_graph if default_graph is None else [ox.NamedNode(i) for i in default_graph]
        ng = list(self.graphs.values()) if named_graphs is None else [ox.NamedNode(i) for i in named_graphs]
        return dg, ng

    def matching(self, subject=None, predicate=None, object=None) -> list[ox.Triple]:
        """The triples of the default dataset's default graph that match the terms (None: any), each once
        (the Triple Pattern Fragments of server/site/fragments.py). Any store: one query."""
        terms = zip("spo", (subject, predicate, object), strict=True)
        given = {ox.Variable(name): term for name, term in terms if term is not None}
        rows = self.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", substitutions=given or None)
        return list(dict.fromkeys(ox.Triple(row["s"], row["p"], row["o"]) for row in rows))


class OxigraphStore(Build):
    """The embedded store: the build loaded into pyoxigraph, in memory or on disk."""

    def __init__(self, dist: Path, *, path: Path | None = None):
        dump = Path(dist) / "dataset.nq"
        super().__init__(dist)
        self.path = Path(path) if path else None
        self._store = None
        self._pid = None
        self._merged = False
        self._datasets: dict[tuple, tuple[list, list]] = {}  # dataset() of graph IRIs, remembered (read-only)
        if self.path is None:
            self._store = _load(ox.Store(), dump, bulk=False)
            self._pid = os.getpid()
            self._merge_default_graph()
        else:
            self._load_on_disk(dump)

    def _merge_default_graph(self) -> None:
        """Copy the graphs of the default dataset's default graph (data + ontology) into the store's own
        default graph, which the build leaves empty: a query over that merge then scans one graph instead of
        a union of two (about a quarter less evaluation time for the competency queries). ``dataset`` uses it
        whenever the default graph asked for is exactly that set of graphs; the named graphs stay as they
        are. Only in memory (an on-disk store keeps the union)."""
        store = self._store
        if next(store.quads_for_pattern(None, None, None, ox.DefaultGraph()), None) is not None:
            return  # a build with a default graph of its own: nothing to merge into
        for graph in self.default_graph:  # an update, not a Python loop over quads: 3x faster at 1M triples
            store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph.value}> {{ ?s ?p ?o }} }}")
        self._merged = True

    def _load_on_disk(self, dump: Path) -> None:
        # Two markers: LOADING says "an apg store, being (re)loaded" from before the first byte is written, so
        # a load that fails or is killed half-way leaves a directory the next start recognises and reloads;
        # _MARKER says which complete dataset it holds.
        marker, loading = self.path / _MARKER, self.path / _LOADING
        if marker.is_file() and marker.read_text().strip() == self.dataset_sha256:
            return
        if (self.path.exists() and any(self.path.iterdir()) and not marker.is_file()
                and not loading.is_file()):
            raise StoreError(f"{self.path} is not empty and holds no apg store; "
                             "give an empty or new directory")
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            loading.write_text(self.dataset_sha256 + "\n")
            marker.unlink(missing_ok=True)
            store = ox.Store(str(self.path))
            store.clear()
            _load(store, dump)
            store.flush()
            del store
        except OSError as exc:
            raise StoreError(f"cannot create the store in {self.path}: {exc}") from exc
        marker.write_text(self.dataset_sha256 + "\n")
        loading.unlink()

    @property
    def store(self) -> ox.Store:
        """The pyoxigraph store of this process (on disk: opened read-only on first use in each process)."""
        if self.path is not None and self._pid != os.getpid():
            try:
                self._store = ox.Store.read_only(str(self.path))
            except OSError as exc:
                raise StoreError(f"cannot open the store in {self.path}: {exc}") from exc
            self._pid = os.getpid()
        return self._store

    def dataset(self, default_graph=None, named_graphs=None) -> tuple[list, list]:
        """As ``Build.dataset``; a default graph that is exactly the merge this store holds in its own default
        graph (data + ontology, see ``_merge_default_graph``) is answered from that one graph."""
        key = (None if default_graph is None else tuple(default_graph),
               None if named_graphs is None else tuple(named_graphs))
        found = self._datasets.get(key)
        if found is None:
            dg, ng = super().dataset(default_graph, named_graphs)
            if self._merged and set(dg) == set(self.default_graph):  # the same merge, already made
                dg = [ox.DefaultGraph()]
            found = (dg, ng)
            if len(self._datasets) < 64:  # clients send the same few datasets with every query
                self._datasets[key] = found
        return found

    def query(self, sparql: str, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None,
              substitutions=None):
        """Run a read-only query over ``dataset(default_graph, named_graphs)``. The dataset given here
        replaces any FROM / FROM NAMED of the query (callers that honour those pass them in). ``prefixes``:
        prefix -> namespace, predeclared (the query's own PREFIX wins); ``substitutions``: Variable -> term,
        bound before evaluation (SPARQL SEP-0007)."""
        dg, ng = self.dataset(default_graph, named_graphs)
        if substitutions:  # as VALUES: pyoxigraph plans without the substituted terms (see with_values)
            sparql, substitutions = with_values(sparql, substitutions), None
        return self.store.query(sparql, default_graph=dg, named_graphs=ng, base_iri=base_iri,
                                prefixes=prefixes, substitutions=substitutions)

    def matching(self, subject=None, predicate=None, object=None) -> list[ox.Triple]:
        """As ``Build.matching``, read from the graphs themselves: a third of the query's time (all 3,205
        triples of this build: 9.5 ms against 27)."""
        found = {}
        for graph in self.default_graph:
            for quad in self.store.quads_for_pattern(subject, predicate, object, graph):
                found.setdefault(quad.triple, None)
        return list(found)

    def describe(self, resources, graphs) -> list:
        """The symmetric concise bounded descriptions of ``resources`` in the merge of ``graphs``, sorted."""
        from .describe import scbd

        return scbd(self.store, resources, graphs)


def with_values(sparql: str, substitutions: dict) -> str:
    """``sparql`` (a SELECT or ASK) with ``substitutions`` (Variable -> term) as a VALUES clause opening its
    WHERE group, the terms written by pyoxigraph's N-Triples serialiser (no request text is ever spliced into
    a query). Both stores send the pages' bound queries so: an engine has no other way, and pyoxigraph (0.5)
    plans a query without its substitutions' terms, so a page's footnote query with the resource as object
    scanned every statement (1M triples: 776 ms with substitutions, 1 ms as VALUES)."""
    at = OPAQUE.sub(lambda m: " " * len(m.group()), sparql).find("{")
    if at < 0:
        raise ValueError("a query with bound values needs a WHERE group")
    names = list(substitutions)
    values = ("VALUES (" + " ".join(f"?{v.value}" for v in names) + ") { ("
              + " ".join(str(substitutions[v]) for v in names) + ") } ")
    return sparql[: at + 1] + " " + values + sparql[at + 1:]


def _load(store: ox.Store, dump: Path, *, bulk: bool = True) -> ox.Store:
    """``bulk``: RocksDB's bulk loader (on disk, where it is the fast path); in memory the plain load is
    twice as fast (1M quads: 5 s against 11 s)."""
    try:
        if bulk:
            store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        else:
            store.load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    except (SyntaxError, ValueError, OSError) as exc:
        raise BuildMissing(f"cannot load {dump}: {' '.join(str(exc).split())}") from exc
    return store


def _redirects(path: Path) -> dict[str, str]:
    """The build's retired IRIs, {old IRI: new IRI} (dist/redirects.json; without one, none)."""
    if not path.is_file():
        return {}
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise StoreError(f"{path} is not valid JSON: {exc}") from exc
    if not isinstance(found, dict) or not all(isinstance(v, str) for v in (*found, *found.values())):
        raise StoreError(f"{path} is not an object of IRIs (old IRI -> new IRI)")
    return found


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def init_app(app) -> Build:
    """Load the build named by app.config (DIST, STORE_PATH) once and attach it to the app; with ENGINE, the
    external engine holding that build (server/engines/)."""
    if app.config.get("ENGINE"):
        from .engines import EngineStore

        found = EngineStore(app.config["DIST"], app.config["ENGINE"], timeout=app.config["TIMEOUT"])
    else:
        found = OxigraphStore(app.config["DIST"], path=app.config.get("STORE_PATH"))
    return attach(app, _EXTENSION, found)


def get_store(app=None) -> Build:
    """The store of ``app`` (default: the current Flask app)."""
    return lookup(_EXTENSION, app)
