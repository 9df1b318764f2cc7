"""Builds never break a running service: ``apg build`` swaps a new dist/ in atomically (a failed build leaves
the old one), and the running server switches to it by itself with zero failed requests under load (keep-alive
clients included); ``kill -HUP`` recycles the workers and the server keeps answering."""
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from liveserver import apg, clean_env, start, stop

from kg.dist import DistWriter
from server import create_app
from server.reload import Reloading

QUERY = "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } LIMIT 2"


def _workers(srv) -> list[int]:
    try:
        children = Path(f"/proc/{srv.proc.pid}/task/{srv.proc.pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in children.split()]


def _build(out, *args, check=True):
    return subprocess.run([apg(), "build", "--out", str(out), *args], capture_output=True, text=True,
                          timeout=300, env=clean_env(), check=check)


def test_failed_build_leaves_the_last_good_dist(tmp_path, dist):
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    writer = DistWriter(out)
    writer.add("dataset.nq", b"half a build", media_type="application/n-quads")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # a build that has not finished
    writer.discard()
    assert not list(tmp_path.glob(".dist.building-*"))
    facts = tmp_path / "facts"
    facts.mkdir()
    (facts / "persons.yaml").write_text("- {id: x, cites: [s99]}\n")  # a broken fact file
    done = _build(out, "--facts", str(facts), check=False)
    assert done.returncode != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_workers_share_the_masters_store_until_the_build_changes(tmp_path, dist):
    """``apg serve`` loads the build once, in the master; a worker forked from it serves that app (its store
    shared copy-on-write) instead of loading its own copy, unless DIST holds another build by then."""
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    loads = []

    def make():
        loads.append(1)
        return create_app({"DIST": out})

    master = Reloading(make, interval=3600)
    app = master.app
    assert master.adopt().app is app and len(loads) == 1  # the same build: no second load
    manifest = out / "manifest.json"
    later = Reloading(make, interval=3600)
    before = later.app
    text = manifest.read_bytes()
    manifest.unlink()
    manifest.write_bytes(text)  # a new build swapped in after the master loaded (a new inode)
    assert later.adopt().app is not before and len(loads) == 3


@pytest.mark.slow
def test_reload_under_load_loses_no_request(tmp_path, dist):
    out = tmp_path / "dist"
    shutil.copytree(dist, out)
    srv = start(out, tmp_path / "serve.log", env=clean_env(APG_WORKERS=2))
    failures, answers, stop_load = [], [], threading.Event()

    def load():
        with requests.Session() as s:
            while not stop_load.is_set():
                try:
                    r = s.get(srv.endpoint, params={"query": QUERY}, timeout=30,
                              headers={"Accept": "application/sparql-results+json"})
                    h = s.get(srv.url + "/healthz", timeout=30)
                    if r.status_code != 200 or h.status_code != 200:
                        failures.append((r.status_code, h.status_code, r.text[:200]))
                    else:
                        answers.append(h.text.split()[2])
                except requests.RequestException as exc:
                    failures.append(repr(exc))

    try:
        first = requests.get(srv.url + "/healthz", timeout=10).text.split()[2]
        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        _build(out, "--base", "https://example.org/apg-reload/")  # a different dataset, same directory
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if len({a for a in answers[-20:]}) == 1 and answers and answers[-1] != first:
                break
            time.sleep(0.2)
        time.sleep(1)
        stop_load.set()
        for t in threads:
            t.join(60)
        assert not failures, failures[:5]
        assert answers[0] == first and answers[-1] != first  # served the old build, then the new one
        assert len(answers) > 50
        # SIGHUP recycles the workers one at a time (granian's respawn: a connection the old worker had just
        # accepted may be reset, which is why a new build is picked up in place instead); the server lives on.
        pids = set(_workers(srv))
        srv.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and set(_workers(srv)) & pids:
            time.sleep(0.2)
        assert not set(_workers(srv)) & pids, "the workers were not recycled"
        assert requests.get(srv.url + "/healthz", timeout=30).status_code == 200
        assert srv.proc.poll() is None
    finally:
        stop_load.set()
        stop(srv)
    assert "Traceback" not in srv.log_text()
