"""The real server: ``apg serve`` in its own process group on a free loopback port, serving the session build
(tests/conftest.py ``dist``), and an in-process oracle over the same build to compute expected answers.

The test server is configured partly by flags and partly by APG_* environment variables (both paths are used):
3 workers, a 2 s query time limit, queries up to 20 000 bytes, answers up to 1 000 000 bytes.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from server.store import OxigraphStore

HOST = "127.0.0.1"
TIMEOUT = 2
MAX_QUERY_LENGTH = 20_000
MAX_RESULT_BYTES = 1_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def apg() -> str:
    return str(Path(sys.executable).parent / "apg")


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APG_")}
    env.update({k: str(v) for k, v in extra.items()})
    return env


@dataclass
class Server:
    url: str  # http://host:port
    proc: subprocess.Popen
    log: Path

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start(dist: Path, log: Path, args=(), env=None) -> Server:
    port = free_port()
    with open(log, "wb") as out:
        command = [apg(), "serve", "--host", HOST, "--port", str(port), "--dist", str(dist), *args]
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=env if env is not None else clean_env(), start_new_session=True)
    server = Server(f"http://{HOST}:{port}", proc, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"apg serve exited with {proc.returncode}:\n{server.log_text()}")
        try:
            if requests.get(server.url + "/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.1)
    stop(server)
    raise RuntimeError(f"apg serve not ready in 60 s:\n{server.log_text()}")


def stop(server: Server) -> None:
    try:
        os.killpg(server.proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass
    try:  # whatever is left of the group (workers, query processes)
        os.killpg(server.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def server(dist, tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "serve.log"
    srv = start(dist, log, args=["--max-query-length", str(MAX_QUERY_LENGTH)],
                env=clean_env(APG_WORKERS=3, APG_TIMEOUT=TIMEOUT, APG_MAX_RESULT_BYTES=MAX_RESULT_BYTES))
    yield srv
    stop(srv)
    text = srv.log_text()
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="session")
def oracle(dist) -> OxigraphStore:
    """The same build, queried in-process with pyoxigraph, for expected answers."""
    return OxigraphStore(dist)
