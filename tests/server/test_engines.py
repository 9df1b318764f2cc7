"""What only an external engine needs: its set-up reaches nobody, ``apg load`` records the build it holds and
``apg serve --engine`` refuses any other, functions an engine would run are refused, the engine's other
graphs stay out of sight. (The endpoint and linked-data suites run over every engine as well: see the
``server`` fixtures of test_protocol_matrix.py, test_linked_data.py, test_safety.py, …)"""
import json
import shutil
import subprocess

import pytest
from engines import oxigraph_tool, start_oxigraph, stop
from liveserver import Listener, apg, clean_env, free_port, other_build
from sparqlhttp import send

from server.engines import MARKER_GRAPH
from server.engines.client import Client, EngineError, EngineRefused
from server.engines.load import load

pytestmark = pytest.mark.engine
ENGINES = ["oxigraph", "virtuoso"]


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


def reaching_out(url: str) -> list[str]:
    """Queries that make an engine without the set-up's isolation contact ``url``."""
    return [f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
            f'SELECT (<bif:http_get>("{url}") AS ?x) WHERE {{ }}',  # Virtuoso's HTTP client
            f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"]


def _ask_directly(engine_url: str, texts: list[str]) -> None:
    client = Client(engine_url, timeout=10)
    try:
        for text in texts:
            try:
                list(client.query(text, graph=False))
            except (EngineRefused, EngineError, SyntaxError):  # refused, or failed to reach the listener
                pass
    finally:
        client.close()


@pytest.mark.parametrize("name", ENGINES)
def test_the_engines_set_up_reaches_nobody(engines, listener, name):
    """Asked directly (no front end), the engine as the tests start it contacts nobody."""
    _ask_directly(engines.get(name).url, reaching_out(listener.url))
    assert listener.count == 0


def test_without_its_set_up_oxigraph_server_would_reach_out(tmp_path, listener):
    """The control: Oxigraph server started plainly follows SERVICE, so the launcher is what stops it."""
    port = free_port()
    log = open(tmp_path / "plain.log", "wb")
    proc = subprocess.Popen([oxigraph_tool(), "serve", "--bind", f"127.0.0.1:{port}"], stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = Client(f"http://127.0.0.1:{port}/query", timeout=5)
        client.wait(30)
        client.close()
        _ask_directly(f"http://127.0.0.1:{port}/query", reaching_out(listener.url)[:1])
        assert listener.count >= 1
    finally:
        proc.kill()
        proc.wait(10)
        log.close()


@pytest.mark.parametrize("name", ENGINES)
def test_functions_an_engine_would_run_are_refused(engine_servers, listener, name):
    server = engine_servers(name)
    hidden = [f'SELECT (<bif:http_get>("{listener.url}") AS ?x) WHERE {{ }}',
              f'PREFIX b: <bi> SELECT * WHERE {{ ?s ?p ?o FILTER(b:f:http_get("{listener.url}")) }}',
              'SELECT (<bif:file_to_string>("/etc/passwd") AS ?x) WHERE { }',
              'SELECT * WHERE { ?s ?p ?o FILTER(<sql:system>("true")) } LIMIT 1']
    for text in hidden:
        resp = send(server.endpoint, "POST-form", text)
        assert resp.status_code == 400, (text, resp.status_code, resp.text)
        assert "\n" not in resp.text.strip()
    assert listener.count == 0


@pytest.mark.parametrize("name", ENGINES)
def test_line_breaks_other_than_lf_are_refused(engine_servers, name):
    server = engine_servers(name)
    resp = send(server.endpoint, "POST-direct", "SELECT * WHERE {\r?s ?p ?o } LIMIT 1")
    assert resp.status_code == 400 and "line break CR" in resp.text
    ok = send(server.endpoint, "POST-direct", "SELECT * WHERE {\r\n?s ?p ?o } LIMIT 1")
    assert ok.status_code == 200


@pytest.mark.parametrize("name", ENGINES)
def test_the_engines_other_graphs_stay_out_of_sight(engine_servers, name):
    server = engine_servers(name)
    others = [MARKER_GRAPH, "http://www.openlinksw.com/schemas/virtrdf#", "http://www.w3.org/ns/ldp#"]
    for graph in others:
        for text in (f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }} LIMIT 1",
                     f"SELECT * FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
                     f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"):
            resp = send(server.endpoint, "GET", text, headers={"Accept": "application/sparql-results+json"})
            assert resp.status_code == 200, resp.text
            body = resp.json()
            assert body.get("boolean") is False or body["results"]["bindings"] == [], (graph, text, body)
        resp = send(server.endpoint, "GET", "SELECT * WHERE { ?s ?p ?o }",
                    params=[("default-graph-uri", graph)],
                    headers={"Accept": "application/sparql-results+json"})
        assert resp.json()["results"]["bindings"] == []
    graphs = send(server.endpoint, "GET", "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                  headers={"Accept": "application/sparql-results+json"}).json()["results"]["bindings"]
    assert {b["g"]["value"] for b in graphs} == {f"https://w3id.org/apg-kg/graph/{n}" for n in
                                                  ("data", "ontology", "inferred", "metadata", "provenance")}


def _serve(dist, engine_url, tmp_path):
    """``apg serve --engine`` run to its start-up check: (exit status, standard error)."""
    done = subprocess.run([apg(), "serve", "--engine", engine_url, "--dist", str(dist), "--port",
                           str(free_port())], capture_output=True, text=True, env=clean_env(), timeout=60)
    return done.returncode, done.stderr


@pytest.fixture
def fresh_oxigraph(tmp_path):
    engine = start_oxigraph(tmp_path / "fresh", 5)
    yield engine
    stop(engine)


def test_serve_refuses_an_engine_without_the_build(dist, fresh_oxigraph, tmp_path):
    code, err = _serve(dist, fresh_oxigraph.url, tmp_path)
    assert code == 4, err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "holds no apg build" in err, err
    assert "apg load --engine" in err


def test_load_then_serve_then_refuse_another_build(dist, fresh_oxigraph, tmp_path):
    done = subprocess.run([apg(), "load", "--engine", fresh_oxigraph.url, "--dist", str(dist), "--json"],
                          capture_output=True, text=True, env=clean_env(), timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    manifest = json.loads((dist / "manifest.json").read_text())
    assert summary["graphs"] == {n: g["triples"] for n, g in manifest["graphs"].items()}
    assert summary["dataset_sha256"] == manifest["files"]["dataset.nq"]["sha256"]
    code, err = _serve(other_build(dist, tmp_path / "other"), fresh_oxigraph.url, tmp_path)
    assert code == 4 and err.count("\n") == 1 and "holds build" in err, err
    # a graph lost after the load: the counts no longer match the manifest
    client = Client(fresh_oxigraph.url)
    status, _, _ = client.request("DELETE", "/store?graph=" + manifest["graphs"]["metadata"]["iri"])
    client.close()
    assert status in (200, 204)
    code, err = _serve(dist, fresh_oxigraph.url, tmp_path)
    assert code == 4 and "0 triples in the metadata graph" in err, err


def test_load_reports_an_unreachable_engine_in_one_line(dist):
    url = f"http://127.0.0.1:{free_port()}/query"
    done = subprocess.run([apg(), "load", "--engine", url, "--dist", str(dist)], capture_output=True,
                          text=True, env=clean_env(), timeout=60)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "cannot reach" in done.stderr, done.stderr


def test_load_checks_the_counts(dist, fresh_oxigraph, tmp_path):
    """A dump that does not hold what the manifest says is no build the engine may be marked with."""
    import hashlib

    other = tmp_path / "short"
    shutil.copytree(dist, other)
    data = json.loads((other / "manifest.json").read_text())["graphs"]["data"]["iri"]
    for name, is_data in (("dataset.nq", lambda line: line.rstrip().endswith(f"<{data}> .")),
                          ("data.nt", lambda line: True)):
        lines = (other / name).read_text(encoding="utf-8").splitlines(keepends=True)
        drop = max(i for i, line in enumerate(lines) if is_data(line))
        (other / name).write_text("".join(lines[:drop] + lines[drop + 1:]), encoding="utf-8")
    manifest = json.loads((other / "manifest.json").read_text())
    digest = hashlib.sha256((other / "dataset.nq").read_bytes()).hexdigest()
    manifest["files"]["dataset.nq"]["sha256"] = digest
    (other / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(Exception, match="does not hold the build's triples: data"):
        load(fresh_oxigraph.url, other)
    code, err = _serve(dist, fresh_oxigraph.url, tmp_path)
    assert code == 4 and "holds no apg build" in err, err


def test_healthz_says_when_the_engine_is_gone(dist, fresh_oxigraph, tmp_path):
    """A balancer checking /healthz takes a replica whose engine does not answer out of its rotation."""
    import time

    import requests
    from liveserver import start
    from liveserver import stop as stop_server

    load(fresh_oxigraph.url, dist)
    server = start(dist, tmp_path / "serve.log", args=["--engine", fresh_oxigraph.url],
                   env=clean_env(APG_WORKERS=1))
    try:
        assert requests.get(server.url + "/healthz", timeout=10).text.startswith("ok ")
        stop(fresh_oxigraph)
        deadline = time.monotonic() + 10
        while (resp := requests.get(server.url + "/healthz", timeout=10)).status_code == 200:
            assert time.monotonic() < deadline, "still healthy 10 s after the engine stopped"
            time.sleep(0.2)
        assert resp.status_code == 503 and "does not answer" in resp.text
    finally:
        stop_server(server)
