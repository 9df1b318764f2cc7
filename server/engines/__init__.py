"""An external SPARQL 1.1 engine behind the store interface (``apg serve --engine URL``, ``APG_ENGINE``).

``EngineStore`` is a ``server.store.Build`` whose ``query`` and ``describe`` go to the engine over the SPARQL
1.1 Protocol (server/engines/client.py) and come back as pyoxigraph's answer types, so the endpoint, the
pages, DESCRIBE and the service description are the same code as over the embedded store. What the front end
keeps promising, whatever the engine:

- the dataset is the build's: every request names its dataset (``default-graph-uri`` / ``named-graph-uri``),
  the default one being the union of the data and ontology graphs with every build graph named, so graphs the
  engine holds besides the build (its system graphs, the build marker) are never seen; a graph IRI that names
  none of the build's becomes an empty graph (``EMPTY_GRAPH``, never loaded), as on the embedded store;
- bound values (pyoxigraph's substitutions, used by the pages) become a ``VALUES`` clause at the start of the
  query's WHERE group, the terms written by pyoxigraph's N-Triples serialiser (an IRI it has checked, a
  literal with its escapes), so no request text is ever spliced into a query;
- the predefined prefixes and the base IRI are declared in front of the text (only prefixes the query does
  not declare itself: its own PREFIX wins);
- user queries are screened before anything is sent (server/engines/runner.py, screen.py).

The engine holds a build when ``apg load --engine`` put it there (server/engines/load.py): the graph
``MARKER_GRAPH`` then records the dataset's sha256, and ``EngineStore`` refuses (``EngineMismatch``, a
``BuildMissing``: exit status 4) to serve a build other than the one the engine holds, or counts that differ
from the manifest.
"""
import re
import time
from pathlib import Path

import pyoxigraph as ox

from ..describe import ordered
from ..endpoint.nesting import OPAQUE
from ..store import Build, BuildMissing, StoreError, with_values
from .client import AnswerTooLarge, Client, EngineError, EngineRefused, EngineTimeout

__all__ = ["EngineStore", "EngineError", "EngineRefused", "EngineTimeout", "AnswerTooLarge", "EngineMismatch",
           "MARKER_GRAPH", "EMPTY_GRAPH", "held_build", "graph_counts"]

MARKER_GRAPH = "urn:x-apg-kg:build"
EMPTY_GRAPH = "urn:x-apg-kg:empty"  # never loaded: an empty graph on every engine
IDENTIFIER = "http://purl.org/dc/terms/identifier"  # the marker's sha256 of dataset.nq
VERSION = "http://www.w3.org/2002/07/owl#versionInfo"
_FORM = re.compile(r"\b(select|ask|construct|describe)\b", re.IGNORECASE)
_DECLARED = re.compile(r"\bprefix\s+([^\s:]*):", re.IGNORECASE)
_BLANK_DEPTH = 3  # blank nodes followed this deep by a DESCRIBE through an engine (the build has none)


class EngineMismatch(BuildMissing):
    """The engine holds no build, another build, or not all of this one."""


class EngineStore(Build):
    def __init__(self, dist: Path, url: str, *, timeout: float = 10.0):
        super().__init__(dist)
        try:
            self.client = Client(url, timeout)
        except ValueError as exc:
            raise StoreError(str(exc)) from None
        self.url = url
        try:
            held = held_build(self.client)
            counts = graph_counts(self.client, [g.value for g in self.graphs.values()])
        except (EngineError, EngineTimeout, EngineRefused) as exc:
            raise StoreError(f"cannot use the SPARQL engine at {url}: {exc or 'no answer in time'}") from None
        if held is None:
            raise EngineMismatch(f"the SPARQL engine at {url} holds no apg build: run 'apg load --engine "
                                 f"{url} --dist {dist}'")
        if held != self.dataset_sha256:
            raise EngineMismatch(f"the SPARQL engine at {url} holds build {held[:12]}, not {dist}'s "
                                 f"{self.dataset_sha256[:12]}: run 'apg load --engine {url}' or serve "
                                 "its build")
        for name, g in self.manifest["graphs"].items():
            if counts.get(g["iri"], 0) != g.get("triples"):
                raise EngineMismatch(f"the SPARQL engine at {url} holds {counts.get(g['iri'], 0)} triples in "
                                     f"the {name} graph, the build {g.get('triples')}: reload it with "
                                     f"'apg load --engine {url}'")
        self.counts = counts
        self._checked = (time.monotonic(), None)

    def close(self) -> None:
        self.client.close()

    def trouble(self) -> str | None:
        """None while the engine answers ``ASK {}`` within 2 s (asked at most once a second)."""
        now = time.monotonic()
        if now - self._checked[0] >= 1.0:
            try:
                self.client.query("ASK {}", graph=False, timeout=2)
                found = None
            except (EngineError, EngineTimeout, EngineRefused) as exc:
                found = f"the SPARQL engine at {self.url} does not answer ({exc or 'no answer in 2 s'})"
            self._checked = (now, found)
        return self._checked[1]

    @property
    def software(self) -> str:
        return self.client.software

    def dataset(self, default_graph=None, named_graphs=None) -> tuple[list, list]:
        """As ``Build.dataset``, restricted to the build's graphs (see the module docstring)."""
        dg, ng = super().dataset(default_graph, named_graphs)
        known = set(self.graphs.values())
        dg = [g for g in dg if g in known] or [ox.NamedNode(EMPTY_GRAPH)]
        # EMPTY_GRAPH always among the named graphs: Virtuoso answers ASK { GRAPH <g> {…} } true for a g
        # outside named-graph-uri (the screen points such a g at EMPTY_GRAPH)
        ng = [g for g in ng if g in known] + [ox.NamedNode(EMPTY_GRAPH)]
        return dg, ng

    def triples(self, graph: ox.NamedNode) -> int | None:
        """The graph's size as the engine counted it at start-up (equal to the manifest's)."""
        return self.counts.get(graph.value)

    def query(self, sparql: str, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None,
              substitutions=None, graph: bool | None = None, timeout: float | None = None,
              limit: int | None = None, exchange=None):
        """As ``OxigraphStore.query``, evaluated by the engine. ``graph``: whether the answer is a graph
        (None: from the query's form); ``timeout``, ``limit`` (bytes of the engine's answer), ``exchange``:
        see ``Client.request``."""
        dg, ng = self.dataset(default_graph, named_graphs)
        text = sparql_text(sparql, base_iri=base_iri, prefixes=prefixes, substitutions=substitutions)
        if graph is None:
            graph = form_of(sparql) in ("CONSTRUCT", "DESCRIBE")
        result = self.client.query(text, graph=graph, default_graph=[g.value for g in dg],
                                   named_graphs=[g.value for g in ng], timeout=timeout, limit=limit,
                                   exchange=exchange)
        return result

    def describe(self, resources, graphs, **kwargs) -> list:
        """The symmetric concise bounded descriptions of ``resources`` (IRIs; the engine's blank nodes
        cannot be named in a later request) in the merge of ``graphs``, blank nodes followed
        ``_BLANK_DEPTH`` deep, in two queries."""
        iris = [r for r in resources if isinstance(r, ox.NamedNode)]
        if not iris:
            return []
        values = "VALUES ?r { " + " ".join(str(r) for r in iris) + " }"
        found: set = set()
        dg = [g.value for g in graphs] or [EMPTY_GRAPH]
        for text, shape in (_outgoing(values), _incoming(values)):
            for row in self.client.select(text, default_graph=dg, named_graphs=[EMPTY_GRAPH], **kwargs):
                for s, p, o in shape:
                    if row.get(s) is not None and row.get(o) is not None:
                        found.add(ox.Triple(row[s], row[p], row[o]))
        return ordered(found)


def _outgoing(values: str):
    branches, shape = [f"{{ {values} ?r ?p0 ?o0 }}"], [("r", "p0", "o0")]
    chain = f"{values} ?r ?p0 ?o0 ."
    for depth in range(1, _BLANK_DEPTH + 1):
        prev = f"?o{depth - 1}"
        chain += f" FILTER(isBlank({prev})) {prev} ?p{depth} ?o{depth} ."
        branches.append("{ " + chain + " }")
        shape.append((f"o{depth - 1}", f"p{depth}", f"o{depth}"))
    return "SELECT * WHERE { " + " UNION ".join(branches) + " }", shape


def _incoming(values: str):
    branches, shape = [f"{{ {values} ?s0 ?q0 ?r }}"], [("s0", "q0", "r")]
    chain = f"{values} ?s0 ?q0 ?r ."
    for depth in range(1, _BLANK_DEPTH + 1):
        prev = f"?s{depth - 1}"
        chain += f" FILTER(isBlank({prev})) ?s{depth} ?q{depth} {prev} ."
        branches.append("{ " + chain + " }")
        shape.append((f"s{depth}", f"q{depth}", f"s{depth - 1}"))
    return "SELECT * WHERE { " + " UNION ".join(branches) + " }", shape


def form_of(text: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first form keyword outside comments, IRIs and strings."""
    found = _FORM.search(OPAQUE.sub(" ", text))
    return found.group(1).upper() if found else "SELECT"


def sparql_text(sparql: str, *, base_iri=None, prefixes=None, substitutions=None) -> str:
    """The text sent to the engine: BASE and the predefined prefixes the query does not declare, then the
    query, with ``substitutions`` as a VALUES clause opening its WHERE group."""
    masked = OPAQUE.sub(lambda m: " " * len(m.group()), sparql)
    head = []
    if base_iri:
        head.append(f"BASE {ox.NamedNode(base_iri)}")
    if prefixes:
        declared = set(_DECLARED.findall(masked))
        head += [f"PREFIX {p}: {ox.NamedNode(ns)}" for p, ns in prefixes.items() if p not in declared]
    if substitutions:
        sparql = with_values(sparql, substitutions)
    return "\n".join([*head, sparql])


def held_build(client: Client) -> str | None:
    """The sha256 of the build the engine holds (its marker graph), or None."""
    text = f"SELECT ?sha WHERE {{ GRAPH <{MARKER_GRAPH}> {{ <{MARKER_GRAPH}> <{IDENTIFIER}> ?sha }} }}"
    rows = client.select(text, default_graph=[EMPTY_GRAPH], named_graphs=[MARKER_GRAPH])
    shas = sorted({r["sha"].value for r in rows if r.get("sha") is not None})
    return shas[0] if len(shas) == 1 else None


def graph_counts(client: Client, graphs: list[str], timeout: float | None = None) -> dict[str, int]:
    """Triples per named graph, as the engine counts them."""
    rows = client.select("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
                         default_graph=[EMPTY_GRAPH], named_graphs=graphs, timeout=timeout)
    return {r["g"].value: int(r["n"].value) for r in rows if r.get("g") is not None}
