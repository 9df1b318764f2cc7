"""``apg load --engine URL``: put a build into an engine, check it, and record which build it holds.

- Oxigraph server: its graphs emptied through the Graph Store Protocol (``/store`` beside ``/query``), then
  dataset.nq POSTed whole with ``no_transaction`` (its bulk loader over HTTP).
- Any other engine with the SPARQL 1.1 Graph Store HTTP Protocol (``--graph-store URL``): each graph of the
  build is PUT from its N-Triples dump (replacing what the graph held).
- Virtuoso: its bulk loader, the documented fast path (``ld_dir`` + ``rdf_loader_run``), driven through
  ``isql-vt`` on its SQL port (``--isql HOST:PORT``, default the engine's host and 1111; ``--user``/
  ``APG_ENGINE_PASSWORD``, default dba/dba). The server reads the dumps itself, so the build's directory must
  be on the server's machine and in its ``DirsAllowed``.

Then the triples of every graph are counted through the SPARQL endpoint and compared with the manifest, and
only when all agree is the marker graph written (``MARKER_GRAPH``: the sha256 of dataset.nq and the version),
which ``apg serve --engine`` checks. The marker is removed first, so a load that fails half-way leaves an
engine that no server will serve.
"""
import os
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

from ..store import StoreError, read_build
from . import IDENTIFIER, MARKER_GRAPH, VERSION, graph_counts
from .client import Client, EngineError, EngineRefused, EngineTimeout


class LoadError(StoreError):
    """The build could not be put into the engine, or the engine does not hold what the build says."""


def load(url: str, dist: Path, *, graph_store: str | None = None, isql: str | None = None, user: str = "dba",
         password: str | None = None, log=lambda line: None) -> dict:
    """Load the build in ``dist`` into the engine at ``url``; a summary (engine, method, counts, seconds)."""
    dist = Path(dist).resolve()
    manifest, sha = read_build(dist)
    client = Client(url, timeout=600)
    started = time.monotonic()
    try:
        client.query("ASK {}", graph=False, timeout=10)
        graphs = {name: g["iri"] for name, g in manifest["graphs"].items()}
        if client.virtuoso and graph_store is None:
            method = "virtuoso bulk loader"
            _virtuoso(client, dist, graphs, sha, manifest, isql, user,
                      password or os.environ.get("APG_ENGINE_PASSWORD", "dba"), log)
        elif client.software.lower().startswith("oxigraph") and graph_store is None:
            method = "oxigraph bulk load (POST /store?no_transaction)"
            _oxigraph(client, dist, graphs, log)
        else:
            method = "graph store protocol"
            _graph_store(client, graph_store or client.origin + "/store", dist, graphs, sha, manifest, log)
        counts = graph_counts(client, list(graphs.values()), timeout=600)
    except (EngineError, EngineTimeout, EngineRefused) as exc:
        client.close()
        raise LoadError(f"loading into the SPARQL engine at {url} failed: "
                        f"{exc or 'no answer in time'}") from None
    wrong = [f"{name}: {counts.get(iri, 0)} (manifest {manifest['graphs'][name].get('triples')})"
             for name, iri in graphs.items() if counts.get(iri, 0) != manifest["graphs"][name].get("triples")]
    if wrong:
        client.close()
        raise LoadError(f"the SPARQL engine at {url} does not hold the build's triples: {'; '.join(wrong)}")
    try:
        _mark(client, graph_store, dist, sha, manifest, isql, user, password, log)
    finally:
        client.close()
    return {"engine": client.software or url, "method": method, "dataset_sha256": sha,
            "graphs": {name: counts[iri] for name, iri in graphs.items()},
            "seconds": round(time.monotonic() - started, 2)}


def _marker_triples(sha: str, manifest: dict) -> str:
    version = manifest.get("version", "0").replace("\\", "\\\\").replace('"', '\\"')
    return (f'<{MARKER_GRAPH}> <{IDENTIFIER}> "{sha}" .\n'
            f'<{MARKER_GRAPH}> <{VERSION}> "{version}" .\n')


# ---------------------------------------------------------------- Graph Store Protocol (Oxigraph server, …)

def _graph_store(client: Client, store_url: str, dist: Path, graphs: dict, sha: str, manifest: dict, log):
    path = urlsplit(store_url).path or "/store"
    _gsp(client, "DELETE", path, MARKER_GRAPH, ok=(200, 204, 404))
    for name, iri in graphs.items():
        dump = dist / f"{name}.nt"
        log(f"PUT {name} ({dump.stat().st_size} bytes)")
        with open(dump, "rb") as body:
            _gsp(client, "PUT", path, iri, body, size=dump.stat().st_size)


def _oxigraph(client: Client, dist: Path, graphs: dict, log):
    """Oxigraph server: the graphs emptied (Graph Store Protocol DELETE), then dataset.nq POSTed whole to
    /store with ``no_transaction``, its bulk loader (100,000 triples: 3.6 s; PUT graph by graph: 24 s)."""
    for iri in (MARKER_GRAPH, *graphs.values()):
        _gsp(client, "DELETE", "/store", iri, ok=(200, 204, 404))
    dump = dist / "dataset.nq"
    log(f"POST dataset.nq ({dump.stat().st_size} bytes)")
    with open(dump, "rb") as body:
        status, _, data = client.request("POST", "/store?no_transaction", body,
                                         {"Content-Type": "application/n-quads",
                                          "Content-Length": str(dump.stat().st_size)}, timeout=3600)
    if status not in (200, 201, 204):
        raise EngineError(f"POST of dataset.nq answered {status}: "
                          f"{' '.join(data.decode('utf-8', 'replace').split())[:300]}")


def _gsp(client: Client, method: str, path: str, graph: str, body=None, *, size: int = 0, ok=(200, 201, 204)):
    headers = {"Content-Type": "application/n-triples"} if body is not None else {}
    if body is not None:
        headers["Content-Length"] = str(size)
    target = f"{path}?graph={quote(graph, safe='')}"
    status, _, data = client.request(method, target, body, headers, timeout=600)
    if status not in ok:
        raise EngineError(f"{method} of graph <{graph}> answered {status}: "
                          f"{' '.join(data.decode('utf-8', 'replace').split())[:300]}")


# ---------------------------------------------------------------- Virtuoso: bulk loader through isql

def isql_command() -> str:
    found = shutil.which("isql-vt") or shutil.which("isql")
    if not found:
        raise LoadError("isql-vt not found (Debian: apt-get install virtuoso-opensource-7): it drives "
                        "Virtuoso's bulk loader")
    return found


def isql(address: str, user: str, password: str, script: str, timeout: float = 3600) -> str:
    """Run ``script`` (statements ending in ';') in isql-vt; LoadError with Virtuoso's message on an error."""
    done = subprocess.run([isql_command(), address, user, password, "VERBOSE=OFF", "BANNER=OFF",
                           "PROMPT=OFF", "ECHO=OFF", "ERRORS=STDOUT"], input=script, capture_output=True,
                          text=True, timeout=timeout)
    out = done.stdout + done.stderr
    errors = [line for line in out.splitlines() if "*** Error" in line or line.startswith("*** ")]
    if done.returncode != 0 or errors:
        raise LoadError(f"Virtuoso (isql {address}) refused the load: "
                        f"{' '.join((errors[0] if errors else out).split())[:300]}")
    return out


def _isql_address(client: Client, given: str | None) -> str:
    return given or f"{client.host}:1111"


def _virtuoso(client: Client, dist: Path, graphs: dict, sha: str, manifest: dict, address, user, password,
              log):
    address = _isql_address(client, address)
    folder = str(dist).replace("'", "''")
    script = [f"SPARQL CLEAR GRAPH <{MARKER_GRAPH}>;"]
    script += [f"DELETE FROM DB.DBA.RDF_QUAD WHERE G = iri_to_id('{iri}');" for iri in graphs.values()]
    script.append(f"DELETE FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '{folder}/%';")
    script += [f"ld_dir('{folder}', '{name}.nt', '{iri}');" for name, iri in graphs.items()]
    script += ["rdf_loader_run();", "checkpoint;",
               f"SELECT 'LOADERROR', ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '{folder}/%' "
               "AND ll_error IS NOT NULL;",
               f"SELECT 'LOADED', COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_file LIKE '{folder}/%' "
               "AND ll_state = 2;"]
    log(f"isql {address}: ld_dir + rdf_loader_run for {len(graphs)} graphs")
    out = isql(address, user, password, "\n".join(script) + "\n")
    failed = [line for line in out.splitlines() if line.startswith("LOADERROR")]
    if failed:
        raise LoadError(f"Virtuoso's bulk loader failed: {' '.join(failed[0].split())[:300]} (is {dist} in "
                        "the server's DirsAllowed?)")
    loaded = [line.split() for line in out.splitlines() if line.startswith("LOADED")]
    if not loaded or loaded[0][-1] != str(len(graphs)):
        raise LoadError(f"Virtuoso's bulk loader did not load the {len(graphs)} dumps of {dist} (is the "
                        "directory on the server's machine and in its DirsAllowed?)")


def _mark(client: Client, graph_store, dist, sha, manifest, address, user, password, log):
    if client.virtuoso and graph_store is None:
        triples = _marker_triples(sha, manifest).replace("\n", " ")
        isql(_isql_address(client, address), user, password or os.environ.get("APG_ENGINE_PASSWORD", "dba"),
             f"SPARQL INSERT DATA {{ GRAPH <{MARKER_GRAPH}> {{ {triples} }} }};\ncheckpoint;\n")
    else:
        body = _marker_triples(sha, manifest).encode()
        path = urlsplit(graph_store or client.origin + "/store").path or "/store"
        _gsp(client, "PUT", path, MARKER_GRAPH, body, size=len(body))
    log(f"marked: the engine holds {sha[:12]}")
