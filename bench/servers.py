"""Start, poll and stop the servers on loopback. Every server runs in its own process group, so stopping it
also stops its workers; ``ServerSet`` stops all of them on exit, also on error or SIGTERM."""

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def venv_tool(name: str) -> str:
    """A console script installed next to this interpreter (the venv's bin/), else from PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(
            f"'{name}' not found next to {sys.executable} nor on PATH (pip install -e '.[bench]')"
        )
    return found


def http_get(port: int, path: str, accept: str = "*/*", timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class Server:
    """One server process (group). Subclasses set name, endpoint path and the command."""

    name = "?"
    endpoint = "/sparql"
    # Does this server need default-graph-uri/named-graph-uri to answer over the project's default dataset?
    needs_dataset_params = False

    def __init__(self, workdir: Path, dist: Path, workers: int, **options):
        self.workdir, self.dist, self.workers, self.options = workdir, dist, workers, options
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log_path = workdir / "logs" / f"{options.get('label', self.name)}.log"
        self.cwd = ROOT

    # -- to override
    def prepare(self, log) -> None:
        """One-off work before start (loading a database)."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict:
        return dict(os.environ)

    def ready_path(self) -> str:
        return self.endpoint + "?query=" + quote("ASK {}")

    @property
    def workers_label(self) -> str:
        return str(self.workers)

    # -- common
    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")
        try:
            self.proc = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd,
                env=self.env(),
                start_new_session=True,
            )
        finally:
            log.close()

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Poll until the server answers 200; returns seconds waited."""
        t0 = time.monotonic()
        last = "no answer"
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with code {self.proc.returncode} before it was ready:\n"
                    + self.log_tail()
                )
            try:
                status, body = http_get(
                    self.port, self.ready_path(), accept="application/sparql-results+json", timeout=2.0
                )
                if status == 200:
                    return time.monotonic() - t0
                last = f"HTTP {status}: {body[:200]!r}"
            except OSError as exc:
                last = str(exc)
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s ({last}):\n" + self.log_tail())

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def pids(self) -> list[int]:
        """Live processes of this server's process group (master and workers)."""
        if not self.proc:
            return []
        pgid = self.proc.pid
        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                fields = stat[stat.rindex(")") + 2 :].split()
                if int(fields[2]) == pgid:  # field 5 of stat: pgrp
                    out.append(int(entry))
        return out

    def cpu_seconds(self) -> float:
        """User + system CPU time used so far by the live processes of the group."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stop(self) -> None:
        if not self.proc:
            return
        pgid = self.proc.pid
        if self.proc.poll() is None:
            try:
                os.killpg(pgid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:  # the leader may be gone while workers linger: make sure the whole group is gone
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.proc = None


class ApgServer(Server):
    """``apg serve`` of this checkout (granian: WORKERS processes × THREADS request threads), or, with the
    option ``root``, of another checkout with its own ``.venv`` (bench/slow.py serves an older commit that
    way; ``server`` = "gunicorn" says it is the sync-worker set-up, which has no --threads)."""

    name = "apg"
    endpoint = "/sparql"

    def __init__(self, workdir, dist, workers, **options):
        super().__init__(workdir, dist, workers, **options)
        if options.get("root"):
            self.cwd = Path(options["root"])

    @property
    def gunicorn(self) -> bool:
        return self.options.get("server") == "gunicorn"

    def command(self):
        root = self.options.get("root")
        tool = str(Path(root) / ".venv" / "bin" / "apg") if root else venv_tool("apg")
        cmd = [tool, "serve", "--host", HOST, "--port", str(self.port), "--workers", str(self.workers)]
        if self.options.get("threads") and not self.gunicorn:
            cmd += ["--threads", str(self.options["threads"])]
        if self.options.get("allocator"):
            cmd += ["--allocator", self.options["allocator"]]
        return [*cmd, "--dist", str(self.dist)]

    def ready_path(self):
        return "/healthz"

    def wait_ready(self, timeout: float = 120.0) -> float:
        waited = super().wait_ready(timeout)
        # the allocator the server runs under (server/allocator.py), read from its process's mapped libraries
        from server.allocator import in_use

        self.allocator = in_use(self.proc.pid)
        return waited

    @property
    def workers_label(self):
        if self.gunicorn:
            return f"gunicorn, {self.workers} sync worker processes"
        threads = self.options.get("threads") or "default (8)"
        allocator = getattr(self, "allocator", None)
        return f"granian, {self.workers} worker processes × {threads} threads" + (
            f", {allocator} allocator" if allocator else "")


class OxigraphServer(Server):
    name = "oxigraph"
    endpoint = "/query"

    @property
    def location(self) -> Path:
        return self.workdir / "oxigraph-db"

    @property
    def copy_default_graph(self) -> bool:
        """'copy': the default-graph graphs are also loaded into Oxigraph's own default graph, so queries need
        no dataset parameters; 'params' (default): dataset.nq as it is, the parameters on every request."""
        return self.options.get("oxigraph_default_graph", "params") == "copy"

    @property
    def needs_dataset_params(self):
        return not self.copy_default_graph

    def prepare(self, log):
        import json

        tool = venv_tool("oxigraph")
        if self.location.exists():
            shutil.rmtree(self.location)
        files = [self.dist / "dataset.nq"]
        if self.copy_default_graph:
            manifest = json.loads((self.dist / "manifest.json").read_text(encoding="utf-8"))
            by_iri = {g["iri"]: name for name, g in manifest["graphs"].items()}
            files += [
                self.dist / f"{by_iri[iri]}.nt" for iri in manifest["default_graph"]
            ]  # to the default graph
        loads = [["load", "--location", str(self.location), "--file", str(f)] for f in files]
        for args in (*loads, ["optimize", "--location", str(self.location)]):
            done = subprocess.run([tool, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if done.returncode != 0:
                raise RuntimeError(f"oxigraph {args[0]} failed:\n{done.stdout}{done.stderr}")
        log(f"oxigraph: loaded {', '.join(f.name for f in files)} into {self.location} and optimized it")

    def command(self):
        return [
            venv_tool("oxigraph"),
            "serve-read-only",
            "--location",
            str(self.location),
            "--bind",
            f"{HOST}:{self.port}",
        ]

    @property
    def workers_label(self):
        return "1 process, threaded"


class OxigraphNativeServer(OxigraphServer):
    """Oxigraph server with the project's default graph materialised in its own default graph: its fastest
    set-up for this dataset, queried without dataset parameters."""

    name = "oxigraph-native"

    def __init__(self, workdir, dist, workers, **options):
        super().__init__(workdir, dist, workers, **{**options, "oxigraph_default_graph": "copy"})

    @property
    def location(self) -> Path:
        return self.workdir / "oxigraph-native-db"


class OxigraphUnionServer(OxigraphServer):
    """Oxigraph server over ``dataset.nq`` as it is, started with ``--union-default-graph``: its default
    graph is the union of all four graphs (data, ontology, inferred, metadata), so it answers without params.
    This is the set-up of issue 11's floor figures; its default graph holds more than the project's default
    dataset (the inferred and metadata graphs too), so an answer may differ from apg's (bench/floor.py
    reports it)."""

    name = "oxigraph-union"

    @property
    def needs_dataset_params(self):
        return False

    @property
    def location(self) -> Path:
        return self.workdir / "oxigraph-union-db"

    def command(self):
        return [*super().command(), "--union-default-graph"]


class RdflibServer(Server):
    name = "rdflib-endpoint"
    endpoint = "/sparql"

    def command(self):
        return [
            sys.executable,
            "-m",
            "bench.rdflib_serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--dist",
            str(self.dist),
        ]

    @property
    def workers_label(self):
        return f"{self.workers} processes"


KINDS = {
    cls.name: cls
    for cls in (ApgServer, OxigraphServer, OxigraphNativeServer, OxigraphUnionServer, RdflibServer)
}


class ServerSet:
    """Context manager: starts the servers, stops every one it started on exit (errors, SIGTERM too)."""

    def __init__(self, servers: list[Server], log):
        self.servers, self.log = servers, log
        self._old_handlers = {}

    def __enter__(self):
        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._old_handlers[sig] = signal.signal(sig, self._on_signal)
        try:
            for s in self.servers:
                s.prepare(self.log)
            for s in self.servers:
                s.start()
            for s in self.servers:
                waited = s.wait_ready()
                self.log(f"{s.name}: ready on {s.base_url}{s.endpoint} after {waited:.1f}s")
        except BaseException:
            self.stop_all()
            raise
        return self

    def __exit__(self, *exc):
        self.stop_all()
        for sig, handler in self._old_handlers.items():
            signal.signal(sig, handler)
        return False

    @staticmethod
    def _on_signal(signum, frame):
        raise SystemExit(128 + signum)

    def stop_all(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception as exc:  # keep stopping the others
                self.log(f"{s.name}: error while stopping: {exc}")
