"""Start-up: a missing or broken build, or a bad setting, stops ``apg serve`` with one clear line and a
non-zero exit; settings come from defaults, then APG_* variables, then the factory's dict (the CLI flags); the
on-disk store serves the same answers."""
import hashlib
import json
import shutil
import socket
import subprocess

import pytest
import requests
from liveserver import apg, clean_env, start, stop

from server import StoreError, create_app
from server.serve import granian_options
from server.store import OxigraphStore


def serve_fails(dist, *args, **env) -> str:
    done = subprocess.run([apg(), "serve", "--dist", str(dist), "--port", "1", *args], capture_output=True,
                          text=True, timeout=60, env=clean_env(**env), stdin=subprocess.DEVNULL)
    assert done.returncode != 0
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    return lines[0]


@pytest.fixture
def copy(dist, tmp_path):
    out = tmp_path / "dist"
    out.mkdir()
    for name in ("manifest.json", "dataset.nq"):
        shutil.copy(dist / name, out / name)
    return out


def test_missing_build(tmp_path):
    assert "apg build" in serve_fails(tmp_path / "nothing-here")


def test_dataset_not_matching_manifest(copy):
    with open(copy / "dataset.nq", "a", encoding="utf-8") as f:
        f.write("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    assert "does not match" in serve_fails(copy)


def test_unparsable_dataset(copy):
    import hashlib

    data = b"this is not N-Quads\n"
    (copy / "dataset.nq").write_bytes(data)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["dataset.nq"]["sha256"] = hashlib.sha256(data).hexdigest()
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert "cannot load" in serve_fails(copy)


def test_broken_manifest(copy):
    (copy / "manifest.json").write_text("{not json")
    assert "not valid JSON" in serve_fails(copy)
    (copy / "manifest.json").write_text("{}")
    assert "incomplete" in serve_fails(copy)


def test_bad_setting(dist):
    assert "APG_WORKERS" in serve_fails(dist, APG_WORKERS="0")
    assert "APG_TIMEOUT" in serve_fails(dist, APG_TIMEOUT="soon")


def test_settings_precedence(dist, monkeypatch):
    for key in [k for k in __import__("os").environ if k.startswith("APG_")]:
        monkeypatch.delenv(key)
    app = create_app({"DIST": dist})
    cfg = app.config
    assert (cfg["HOST"], cfg["PORT"], cfg["WORKERS"], cfg["TIMEOUT"]) == ("127.0.0.1", 8000, 2, 10.0)
    assert cfg["BASE"] == "https://w3id.org/apg-kg/" and cfg["STORE_PATH"] is None
    monkeypatch.setenv("APG_TIMEOUT", "3")
    monkeypatch.setenv("APG_PORT", "8123")
    assert create_app({"DIST": dist}).config["TIMEOUT"] == 3.0
    app = create_app({"DIST": dist, "TIMEOUT": 5, "WORKERS": 3})
    assert (app.config["TIMEOUT"], app.config["PORT"], app.config["WORKERS"]) == (5.0, 8123, 3)
    options = granian_options(app.config)
    assert (options["address"], options["port"], options["workers"]) == ("127.0.0.1", 8123, 3)
    assert options["workers_kill_timeout"] > app.config["TIMEOUT"]
    assert options["http1_settings"].header_read_timeout == 10_000  # slow headers are cut off
    assert options["http1_settings"].max_buffer_size < 512 * 1024
    monkeypatch.setenv("APG_DIST", str(dist.parent / "missing"))
    with pytest.raises(StoreError):
        create_app()


def test_a_relative_dist_serves_its_files(dist, tmp_path, monkeypatch):
    """``--dist dist`` from the checkout: the build's files are sent from there (Flask would look for a
    relative file beside its package: a 500)."""
    monkeypatch.chdir(dist.parent)
    client = create_app({"DIST": dist.name}).test_client()
    assert client.get("/dataset.ttl").status_code == 200
    assert client.get("/ontology.ttl").status_code == 200


def test_on_disk_store(dist, tmp_path):
    path = tmp_path / "store"
    store = OxigraphStore(dist, path=path)
    q = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    total = int(next(iter(store.query(q)))["n"].value)
    again = OxigraphStore(dist, path=path)  # the marker says it holds this build: reused as it is
    assert int(next(iter(again.query(q)))["n"].value) == total > 1000
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "file").write_text("x")
    with pytest.raises(StoreError):
        OxigraphStore(dist, path=foreign)
    # the real server over it: the workers and query processes open it read-only
    srv = start(dist, tmp_path / "disk.log", args=["--store-path", str(path), "--workers", "1"])
    try:
        r = requests.get(srv.endpoint, params={"query": q}, timeout=30)
        assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) == total
    finally:
        stop(srv)


def test_failed_on_disk_load_does_not_block_the_retry(dist, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    nq = (dist / "dataset.nq").read_bytes()
    bad = nq[: len(nq) // 2] + b"<not a quad\n"
    (broken / "dataset.nq").write_bytes(bad)
    manifest = json.loads((dist / "manifest.json").read_text())
    manifest["files"]["dataset.nq"]["sha256"] = hashlib.sha256(bad).hexdigest()
    (broken / "manifest.json").write_text(json.dumps(manifest))
    path = tmp_path / "store"
    with pytest.raises(StoreError):
        OxigraphStore(broken, path=path)  # fails half-way through the load
    assert any(path.iterdir())
    store = OxigraphStore(dist, path=path)  # the retry with a good build is not blocked by the leftovers
    assert bool(store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))


def test_port_in_use_is_one_line(dist):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        done = subprocess.run([apg(), "serve", "--dist", str(dist), "--port", str(port)], capture_output=True,
                              text=True, timeout=60, env=clean_env(), stdin=subprocess.DEVNULL)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode != 0 and len(lines) == 1 and "already in use" in lines[0], lines
