"""Replicas behind HAProxy (deploy/haproxy/apg-kg.cfg, Debian's haproxy): one replica killed under load and
a roll to a new build (deploy/haproxy/roll.py), neither failing a single client request.

Two replicas (``apg serve``, one worker each, on the session build), HAProxy in front with health checks
every 100 ms, and four client threads on keep-alive connections asking queries, documents and pages."""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from liveserver import HOST, clean_env, free_port, other_build, start, stop

pytestmark = pytest.mark.replica
DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "haproxy"
HAPROXY = shutil.which("haproxy")
PATHS = ["/sparql?query=ASK%20%7B%20%3Fs%20a%20foaf%3APerson%20%7D", "/doc/person/khrushchev.ttl",
         "/id/person/bulganin", "/healthz",
         "/sparql?query=SELECT%20(COUNT(*)%20AS%20%3Fn)%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D"]


def _roll_module():
    sys.path.insert(0, str(DEPLOY))
    try:
        import roll
    finally:
        sys.path.remove(str(DEPLOY))
    return roll


class Balancer:
    def __init__(self, workdir: Path, replicas: list[int]):
        self.port, self.socket = free_port(), str(workdir / "haproxy.sock")
        env = clean_env(APG_HAPROXY_BIND=f"{HOST}:{self.port}", APG_HAPROXY_SOCKET=self.socket,
                        APG_REPLICA_1=f"{HOST}:{replicas[0]}", APG_REPLICA_2=f"{HOST}:{replicas[1]}",
                        APG_CHECK_INTER="100ms", APG_SERVER_TIMEOUT="30s")
        self.log = open(workdir / "haproxy.log", "wb")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(DEPLOY / "apg-kg.cfg")], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://{HOST}:{self.port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError((workdir / "haproxy.log").read_text())
            time.sleep(0.1)

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(10)
        self.log.close()


class Load:
    """Client threads asking PATHS through the balancer until stopped; every failure is kept."""

    def __init__(self, url: str, threads: int = 4):
        self.url, self.done, self.failures, self.count = url, threading.Event(), [], 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self):
        with requests.Session() as session:
            i = 0
            while not self.done.is_set():
                path = PATHS[i % len(PATHS)]
                i += 1
                try:
                    resp = session.get(self.url + path, timeout=20, allow_redirects=False)
                    if resp.status_code not in (200, 303):
                        self.failures.append(f"{path}: {resp.status_code} {resp.text[:100]}")
                except requests.RequestException as exc:
                    self.failures.append(f"{path}: {exc}")
                self.count += 1

    def stop(self):
        self.done.set()
        for t in self.threads:
            t.join(30)


@pytest.fixture
def replicas(dist, tmp_path):
    if not HAPROXY:
        if os.environ.get("APG_REQUIRE_ENGINES"):
            pytest.fail("haproxy is not installed (Debian: apt-get install haproxy; .ci/run does)")
        pytest.skip("haproxy is not installed (Debian: apt-get install haproxy)")
    ports = [free_port(), free_port()]
    servers = {}

    def launch(name: str, port: int, build: Path):
        servers[name] = start(build, tmp_path / f"{name}-{time.monotonic_ns()}.log", port=port,
                              env=clean_env(APG_WORKERS=1, APG_TIMEOUT=5))

    launch("r1", ports[0], dist)
    launch("r2", ports[1], dist)
    balancer = Balancer(tmp_path, ports)
    yield balancer, servers, launch, ports
    balancer.stop()
    for srv in servers.values():
        stop(srv)


def test_a_replica_killed_under_load_fails_no_request(replicas):
    balancer, servers, _, _ = replicas
    load = Load(balancer.url)
    time.sleep(1.5)
    os.killpg(servers["r1"].proc.pid, signal.SIGKILL)  # a crash: no goodbye to HAProxy or the clients
    time.sleep(3)
    load.stop()
    assert load.failures == [], load.failures[:5]
    assert load.count > 100
    assert requests.get(balancer.url + "/healthz", timeout=5).status_code == 200


def test_rolling_to_a_new_build_fails_no_request(replicas, dist, tmp_path):
    balancer, servers, launch, ports = replicas
    new = other_build(dist, tmp_path / "new")
    sha = __import__("json").loads((new / "manifest.json").read_text())["files"]["dataset.nq"]["sha256"]
    assert sha[:12] not in requests.get(balancer.url + "/healthz", timeout=5).text
    by_name = dict(zip(("r1", "r2"), ports, strict=True))

    def restart(server: str):
        stop(servers[server])
        launch(server, by_name[server], new)

    load = Load(balancer.url)
    time.sleep(1)
    _roll_module().roll(balancer.socket, [("apg/r1", f"http://{HOST}:{ports[0]}"),
                                          ("apg/r2", f"http://{HOST}:{ports[1]}")], restart, sha,
                        timeout=60, log=lambda line: None)
    time.sleep(1)
    load.stop()
    assert load.failures == [], load.failures[:5]
    for port in ports:
        assert sha[:12] in requests.get(f"http://{HOST}:{port}/healthz", timeout=5).text
    for _ in range(4):  # every replica behind the balancer serves the new build
        assert sha[:12] in requests.get(balancer.url + "/healthz", timeout=5).text
