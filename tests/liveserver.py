"""Helpers to run the real server: ``apg serve`` in its own process group on a free loopback port, waited for
until ``/healthz`` answers, and stopped with its whole group (workers, query processes).

A plain module, not a test module or a conftest: tests/server/, tests/browser/ and tests/test_wheel.py import
it (tests/ is on ``sys.path``: pyproject's pytest ``pythonpath``), so any test file runs alone.
"""
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import requests

HOST = "127.0.0.1"

# The session server of tests/server/conftest.py: 3 workers, a 2 s query time limit, queries up to 20 000
# bytes (given as a flag), answers up to 1 000 000 bytes (APG_* variables): both configuration paths are used.
WORKERS = 3
TIMEOUT = 2
MAX_QUERY_LENGTH = 20_000
MAX_RESULT_BYTES = 1_000_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def apg() -> str:
    """The ``apg`` command of the Python running the tests."""
    return str(Path(sys.executable).parent / "apg")


def clean_env(**extra) -> dict:
    """This process's environment without APG_* settings, plus ``extra``."""
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


def start(dist: Path | None, log: Path, args=(), env=None, *, command: str | None = None,
          cwd: Path | None = None, port: int | None = None) -> Server:
    """``apg serve`` (``command``, default: this venv's) serving ``dist`` (None: its default build), on
    ``port`` (default: a free one)."""
    port = port or free_port()
    with open(log, "wb") as out:
        argv = [command or apg(), "serve", "--host", HOST, "--port", str(port),
                *(["--dist", str(dist)] if dist is not None else []), *args]
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
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


def descendants(pid: int) -> list[int]:
    """The process ids of every descendant of ``pid`` (workers, query processes), from /proc."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for task in Path(f"/proc/{p}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except OSError:
                continue
            out += kids
            todo += kids
    return out


def other_build(dist: Path, out: Path) -> Path:
    """A copy of the build in ``out`` that is another build: one more comment line in dataset.nq (the same
    triples), so another dataset checksum, recorded in its manifest."""
    import hashlib
    import json
    import shutil

    shutil.copytree(dist, out)
    with open(out / "dataset.nq", "a", encoding="utf-8") as f:
        f.write("# another build\n")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"]["dataset.nq"]["sha256"] = hashlib.sha256((out / "dataset.nq").read_bytes()).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest))
    return out


class Listener:
    """A TCP listener on loopback that counts connections and closes them at once."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/internal"
        self.count = 0
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()

    def close(self):
        self._stop = True
        self.sock.close()
