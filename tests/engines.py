"""External SPARQL engines for the tests: Oxigraph server (the ``oxigraph`` package) and Virtuoso Open Source
(Debian's ``virtuoso-opensource-7``: ``virtuoso-t``), each started on loopback with its own temporary
configuration, without outbound connections (Oxigraph: ``python -m server.engines.noconnect``; Virtuoso, which
connects to itself: ``python -m server.engines.noroute``, a network namespace of its own), in its own process
group, and loaded with the session's build by ``apg load`` (server/engines/load.py).

A plain helper module, like tests/liveserver.py; tests/conftest.py has the fixtures.
"""
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from liveserver import HOST, free_port

from server.engines import virtuoso
from server.engines.client import Client, EngineError, EngineRefused, EngineTimeout
from server.engines.load import load

NAMES = ("oxigraph", "virtuoso")


@dataclass
class Engine:
    name: str
    url: str  # the SPARQL query URL
    proc: subprocess.Popen
    log: Path
    isql: str | None = None  # Virtuoso: HOST:PORT of its SQL port

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


def oxigraph_tool() -> str | None:
    candidate = Path(sys.executable).parent / "oxigraph"
    return str(candidate) if candidate.exists() else shutil.which("oxigraph")


def missing(name: str) -> str | None:
    """Why the engine cannot run here, or None."""
    if name == "oxigraph" and not oxigraph_tool():
        return "the oxigraph server is not installed (pip install oxigraph: the test extras have it)"
    if name == "virtuoso" and not virtuoso.BINARY:
        return "virtuoso-t is not installed (Debian: apt-get install virtuoso-opensource-7; .ci/run does)"
    return None


def _noconnect(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "server.engines.noconnect", *argv]


def _popen(argv, log: Path, cwd: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd,
                                start_new_session=True)


def start_oxigraph(workdir: Path, timeout: float) -> Engine:
    """Oxigraph server, read-write (``apg load`` PUTs the graphs), in memory, with its own time limit."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = workdir / "oxigraph.log"
    proc = _popen(_noconnect([oxigraph_tool(), "serve", "--bind", f"{HOST}:{port}",
                              "--timeout-s", str(int(max(1, timeout)))]), log, workdir)
    return _ready(Engine("oxigraph", f"http://{HOST}:{port}/query", proc, log))


def start_virtuoso(workdir: Path, readable: list[Path]) -> Engine:
    """Virtuoso on two free loopback ports (HTTP, SQL), a fresh database in ``workdir``, configured by
    server/engines/virtuoso.py (the bench's set-up too); ``readable``: the directories its bulk loader may
    read."""
    http, sql = free_port(), free_port()
    argv = virtuoso.command(workdir, HOST, http, sql, readable)
    log = workdir / "virtuoso.out"
    proc = _popen(argv, log, workdir)
    engine = Engine("virtuoso", f"http://{HOST}:{http}/sparql", proc, log, isql=f"{HOST}:{sql}")
    engine.log = workdir / "virtuoso.log"
    return _ready(engine, 120)


def _ready(engine: Engine, seconds: float = 60) -> Engine:
    client = Client(engine.url, timeout=5)
    deadline = time.monotonic() + seconds
    try:
        return _poll(engine, client, deadline, seconds)
    finally:
        client.close()


def _poll(engine: Engine, client: Client, deadline: float, seconds: float) -> Engine:
    while True:
        if engine.proc.poll() is not None:
            raise RuntimeError(f"{engine.name} exited with {engine.proc.returncode}:\n"
                               f"{engine.log_text()[-3000:]}")
        try:
            client.query("ASK {}", graph=False, timeout=2)
            return engine
        except (EngineError, EngineTimeout, EngineRefused):
            if time.monotonic() > deadline:
                stop(engine)
                raise RuntimeError(f"{engine.name} not ready in {seconds:.0f} s:\n"
                                   f"{engine.log_text()[-3000:]}") from None
            time.sleep(0.2)


def start(name: str, workdir: Path, dist: Path, timeout: float) -> Engine:
    """The engine ``name``, started and loaded with the build in ``dist``."""
    if name == "oxigraph":
        engine = start_oxigraph(workdir, timeout)
    else:
        engine = start_virtuoso(workdir, [dist])
    try:
        load(engine.url, dist, isql=engine.isql)
    except Exception:
        stop(engine)
        raise
    return engine


def stop(engine: Engine) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(engine.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            engine.proc.wait(timeout=15)
            break
        except subprocess.TimeoutExpired:
            continue


def _param(name: str):
    import pytest

    return pytest.param(name, marks=pytest.mark.engine, id=name)


# The stores a suite runs over: the embedded one, then each engine (marker ``engine``: make quick skips them)
STORES = ["embedded", *(_param(n) for n in NAMES)]


class Engines:
    """The session's engines, started on first use, each loaded with the session build; all stopped at the
    end. An engine that is not installed skips its tests (a failure with APG_REQUIRE_ENGINES=1, as in
    .ci/run)."""

    def __init__(self, workdir: Path, dist: Path, timeout: float):
        self.workdir, self.dist, self.timeout = workdir, dist, timeout
        self.started: dict[str, Engine] = {}

    def get(self, name: str) -> Engine:
        import pytest

        if name not in self.started:
            why = missing(name)
            if why:
                if os.environ.get("APG_REQUIRE_ENGINES"):
                    pytest.fail(why)
                pytest.skip(why)
            self.started[name] = start(name, self.workdir / name, self.dist, self.timeout)
        return self.started[name]

    def stop(self) -> None:
        for engine in self.started.values():
            stop(engine)
