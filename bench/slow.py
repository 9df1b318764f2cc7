"""``python -m bench.slow``: how long a normal client waits while N slow connections are open, for the old
serving set-up (gunicorn sync workers, commit e206aa5) and the new one (this checkout: granian), side by
side; written to bench/results-slow-clients.md.

For each set-up and each N (default 0, 4, 8, 16): N connections are opened to the server, each sending
request headers one byte per second and never finishing them (``GET /healthz HTTP/1.1``, ``Host``, then an
endless header value); a connection the server closes is opened again at once, as a client that means harm
would. After two seconds, one normal client sends requests one after the other on a keep-alive connection,
alternating ``GET /healthz`` and one cheap SPARQL query (a competency query, GET, the same text every time),
for ``--window`` seconds and at least ``--min-samples`` of each. Every request is capped at ``--cap``
seconds (the old set-up can block for 40 s and more): one that takes longer is abandoned, counted as ">cap",
and the client reconnects. Then the slow connections are closed and the server's recovery (its first
``/healthz`` after) is timed before the next N.

The old set-up needs a checkout of it with its own venv, outside this repository's tree:

    git worktree add --detach /tmp/apg-old e206aa5 && make -C /tmp/apg-old setup

Both set-ups build their own dataset (``apg build`` of each checkout) and run with their own default worker
count unless ``--workers`` is given. This measures, it does not gate: see bench/README.md."""

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .run import BENCH, log, machine_info, wait_for_quiet
from .servers import HOST, ROOT, ApgServer, ServerSet, venv_tool

OLD_COMMIT = "e206aa5"


# -- the slow connections ------------------------------------------------------------------------------------


class SlowClients:
    """N connections that send request headers one byte per second and never finish them; a connection the
    server closes (or answers) is reopened. Runs in a thread between start() and stop()."""

    def __init__(self, port: int, n: int, interval: float = 1.0):
        self.port, self.n, self.interval = port, n, interval
        self.prefix = f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\nX-Slow: ".encode()
        self.socks: list[socket.socket | None] = [None] * n
        self.sent = [0] * n
        self.closed_by_server = 0  # connections the server closed or answered
        self.answers: dict[str, int] = {}  # status line -> count, when the server answered one
        self.connect_failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)

    def _open(self, i: int) -> None:
        try:
            s = socket.create_connection((HOST, self.port), timeout=2.0)
            s.setblocking(False)
            self.socks[i], self.sent[i] = s, 0
        except OSError:
            self.socks[i] = None
            self.connect_failures += 1

    def _next_byte(self, i: int) -> bytes:
        k = self.sent[i]
        return self.prefix[k : k + 1] if k < len(self.prefix) else b"a"

    def _tick(self, i: int) -> None:
        s = self.socks[i]
        if s is None:
            self._open(i)
            s = self.socks[i]
            if s is None:
                return
        try:  # has the server closed it (b"") or answered (a 408, a 431)?
            data = s.recv(4096)
            if data:
                line = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")[:40]
                self.answers[line] = self.answers.get(line, 0) + 1
            self._drop(i)
            return
        except BlockingIOError:
            pass
        except OSError:
            self._drop(i)
            return
        try:
            self.sent[i] += s.send(self._next_byte(i))
        except BlockingIOError:
            pass
        except OSError:
            self._drop(i)

    def _drop(self, i: int) -> None:
        self.closed_by_server += 1
        try:
            self.socks[i].close()
        except OSError:
            pass
        self.socks[i] = None
        self._open(i)

    def _run(self) -> None:
        while not self._stop.is_set():
            t0 = time.monotonic()
            for i in range(self.n):
                self._tick(i)
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - t0)))

    def start(self) -> "SlowClients":
        for i in range(self.n):
            self._open(i)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for s in self.socks:
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


# -- the normal client ---------------------------------------------------------------------------------------


@dataclass
class Samples:
    times: list = field(default_factory=list)  # seconds, answered in time
    over_cap: int = 0  # abandoned at the cap
    statuses: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.times) + self.over_cap

    def median(self) -> float:
        """Median with abandoned requests counted as infinitely long."""
        values = sorted(self.times) + [float("inf")] * self.over_cap
        return statistics.median(values) if values else float("nan")

    def maximum(self) -> float:
        return float("inf") if self.over_cap else (max(self.times) if self.times else float("nan"))


class NormalClient:
    """One keep-alive client, one request at a time, each bounded by ``cap`` seconds."""

    def __init__(self, port: int, cap: float):
        self.port, self.cap = port, cap
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str, accept: str, samples: Samples) -> None:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.cap)
        t0 = time.monotonic()
        try:
            self.conn.request("GET", path, headers={"Accept": accept})
            resp = self.conn.getresponse()
            resp.read()
            elapsed = time.monotonic() - t0
            if elapsed >= self.cap:
                raise TimeoutError
            samples.times.append(elapsed)
            samples.statuses[resp.status] = samples.statuses.get(resp.status, 0) + 1
            if resp.will_close:
                self.close()
        except (OSError, http.client.HTTPException) as exc:
            elapsed = time.monotonic() - t0
            self.close()
            if elapsed >= self.cap - 0.01 or isinstance(exc, TimeoutError):
                samples.over_cap += 1
            else:  # reset or refused before the cap: an error, not a wait
                samples.statuses[type(exc).__name__] = samples.statuses.get(type(exc).__name__, 0) + 1
                samples.times.append(elapsed)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Result:
    setup: str
    n: int
    health: Samples
    sparql: Samples
    seconds: float
    closed_by_server: int
    slow_answers: dict
    recovery_s: float


def measure(setup: str, server: ApgServer, n: int, args, sparql_path: str) -> Result:
    slow = SlowClients(server.port, n).start() if n else None
    try:
        time.sleep(args.settle)
        client = NormalClient(server.port, args.cap)
        health, sparql = Samples(), Samples()
        t0 = time.monotonic()
        i = 0
        while True:
            elapsed = time.monotonic() - t0
            enough = health.count >= args.min_samples and sparql.count >= args.min_samples
            if (elapsed >= args.window and enough) or elapsed >= args.max_seconds:
                break
            if i % 2 == 0:
                client.get("/healthz", "*/*", health)
            else:
                client.get(sparql_path, "application/sparql-results+json", sparql)
            i += 1
        seconds = time.monotonic() - t0
        client.close()
    finally:
        if slow:
            slow.stop()
    t1 = time.monotonic()
    recovered = wait_healthy(server.port, args.recovery_wait)
    recovery = time.monotonic() - t1 if recovered else float("inf")
    return Result(
        setup,
        n,
        health,
        sparql,
        seconds,
        slow.closed_by_server if slow else 0,
        dict(slow.answers) if slow else {},
        recovery,
    )


def wait_healthy(port: int, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=max(0.5, deadline - time.monotonic()))
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                return True
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.2)
    return False


# -- report --------------------------------------------------------------------------------------------------


def ms(x: float, cap: float) -> str:
    if x == float("inf"):
        return f">{cap:g} s"
    if x != x:
        return "n/a"
    return f"{1000 * x:,.1f} ms" if x < 1 else f"{x:,.2f} s"


def write_report(path: Path, args, info: dict, results: list[Result], setups: dict, query_name: str) -> None:
    L = [
        "# Slow clients: how long a normal client waits while N slow connections are open\n",
        f"Generated by `python -m bench.slow` on {info['date']} at commit {info['commit']} (working tree "
        "as it "
        "was); method in `bench/slow.py` and [README.md](README.md).\n",
        "## Setup\n",
        f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, {info['os']}; load average "
        f"{' '.join(info['loadavg'])} when the report was written",
        f"- Python {info['python']}",
        "- Set-ups (each serving its own `apg build`):",
    ]
    for label, s in setups.items():
        L.append(f"  - **{label}**: {s.workers_label}; {SETUP_NOTES[label]}")
    L += [
        "- Slow connections: each sends `GET /healthz HTTP/1.1`, `Host`, then an endless header value, **one "
        "byte per second**, never finishing its headers; a connection the server closes is reopened at once "
        "(column *slow closed*: how often the server closed one). The normal client starts "
        f"{args.settle:g} s "
        "after they are open.",
        "- Normal client: one keep-alive connection (reconnecting when the server closes it), one request "
        "at a "
        f"time, alternating `GET /healthz` and `GET /sparql?query=…` of `queries/{query_name}.rq` (the same "
        f"text each time, so a cached answer), for {args.window:g} s and at least {args.min_samples} of "
        "each; "
        f'every request capped at {args.cap:g} s (">{args.cap:g} s": abandoned at the cap; a median counts '
        "them as longer than every answered one)",
        "- *Recovery*: after the slow connections are closed, time until `/healthz` answers again",
        "- **Noise**: the machine was shared with other engineers' test runs (2 cores); waits of "
        "milliseconds "
        "are affected by it, waits of seconds (the old set-up's) are not. Before each N the bench waited "
        "up to "
        f"{args.quiet_wait:g} s for a quiet machine.",
        "",
        *([f"**{args.missing_old}**", ""] if getattr(args, "missing_old", None) else []),
        "## Waits of a normal client\n",
        "| set-up | slow connections | /healthz median | /healthz max | SPARQL median | SPARQL max | "
        "requests "
        "(answered / >cap) | slow closed | recovery |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        answered = len(r.health.times) + len(r.sparql.times)
        over = r.health.over_cap + r.sparql.over_cap
        L.append(
            f"| {r.setup} | {r.n} | {ms(r.health.median(), args.cap)} | {ms(r.health.maximum(), args.cap)} | "
            f"{ms(r.sparql.median(), args.cap)} | {ms(r.sparql.maximum(), args.cap)} | {answered} / {over} | "
            f"{r.closed_by_server} | {ms(r.recovery_s, args.recovery_wait)} |"
        )
    L.append("")
    L.append("## Statuses the normal client got\n")
    L.append("| set-up | slow connections | /healthz | SPARQL | answers to slow connections |")
    L.append("|---|---:|---|---|---|")
    for r in results:

        def st(s: Samples) -> str:
            parts = [f"{k}: {v}" for k, v in sorted(s.statuses.items(), key=str)]
            if s.over_cap:
                parts.append(f">{args.cap:g} s: {s.over_cap}")
            return ", ".join(parts) or "—"

        slow = ", ".join(f"`{k}`: {v}" for k, v in r.slow_answers.items()) or "—"
        L.append(f"| {r.setup} | {r.n} | {st(r.health)} | {st(r.sparql)} | {slow} |")
    L.append("")
    L.append("Command: `" + " ".join(["python -m bench.slow", *sys.argv[1:]]) + "`\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L), encoding="utf-8")


SETUP_NOTES = {
    "old": f"commit {OLD_COMMIT}: `apg serve` under gunicorn with sync workers (each held by one "
    "connection from "
    "its first byte to its last; no header timeout; the worker is killed after its 40 s timeout), the "
    "answer cache behind Flask",
    "new": "this checkout: `apg serve` under granian (an event loop takes the connections; headers must "
    "arrive "
    "within 10 s; keep-alive), the answer cache in front of Flask, bounded query slots",
}


# -- main ----------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m bench.slow", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--old-root",
        type=Path,
        default=Path("/tmp/apg-old"),
        help=f"checkout of commit {OLD_COMMIT} with its own .venv (see above)",
    )
    p.add_argument(
        "--setups",
        default="auto",
        help="comma-separated: old, new; auto: both, or only new (with a note) when --old-root has no venv",
    )
    p.add_argument("--slow", default="0,4,8,16", help="numbers of slow connections, comma-separated")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes for both set-ups (default: each one's own: old 4, new 2)",
    )
    p.add_argument("--query", default="11-group-names", help="the cheap SPARQL query (a name in queries/)")
    p.add_argument("--window", type=float, default=15, help="seconds of normal requests per N")
    p.add_argument("--min-samples", type=int, default=2, help="at least this many requests of each kind")
    p.add_argument("--cap", type=float, default=30, help="seconds after which a request is abandoned")
    p.add_argument("--max-seconds", type=float, default=150, help="longest measurement per N")
    p.add_argument(
        "--settle",
        type=float,
        default=2,
        help="seconds between opening the slow connections and the first normal request",
    )
    p.add_argument("--recovery-wait", type=float, default=90, help="longest wait for /healthz after an N")
    p.add_argument("--quiet-below", type=float, default=0.25)
    p.add_argument("--quiet-wait", type=float, default=10)
    p.add_argument("--workdir", type=Path, default=BENCH / "work")
    p.add_argument("--no-build", action="store_true", help="reuse WORKDIR/dist-old and WORKDIR/dist-new")
    p.add_argument("--out", type=Path, default=BENCH / "results-slow-clients.md")
    return p.parse_args(argv)


def make_server(setup: str, args, workdir: Path) -> ApgServer:
    dist = workdir / f"dist-{setup}"
    if setup == "old":
        root = args.old_root.resolve()
        tool = root / ".venv" / "bin" / "apg"
        if not tool.exists():
            raise SystemExit(
                f"no old set-up at {root} ({tool} missing); make one outside this repository:\n"
                f"  git worktree add --detach {root} {OLD_COMMIT} && make -C {root} setup"
            )
        opts = dict(label="apg-old", root=root, server="gunicorn")
    else:
        root, tool = ROOT, Path(venv_tool("apg"))
        opts = dict(label="apg-new")
    if not args.no_build:
        log(f"{setup}: building into {dist}")
        subprocess.run(
            [str(tool), "build", "--out", str(dist)],
            check=True,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
    default_workers = 4 if setup == "old" else 2
    return ApgServer(workdir, dist, args.workers or default_workers, **opts)


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    ns = [int(x) for x in args.slow.split(",") if x.strip()]
    old_tool = args.old_root / ".venv" / "bin" / "apg"
    if args.setups == "auto":
        args.setups = "old,new" if old_tool.exists() else "new"
        if not old_tool.exists():
            args.missing_old = (
                f"The old set-up was not measured: no {old_tool}. Make it with `git worktree add --detach "
                f"{args.old_root} {OLD_COMMIT} && make -C {args.old_root} setup` and run again."
            )
            log("WARNING: " + args.missing_old)
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    if bad := [s for s in setups if s not in ("old", "new")]:
        raise SystemExit(f"unknown set-up(s): {', '.join(bad)}; choose from old, new")
    query_text = (ROOT / "queries" / f"{args.query}.rq").read_text(encoding="utf-8")
    sparql_path = "/sparql?query=" + quote(query_text)
    servers = {s: make_server(s, args, workdir) for s in setups}
    results: list[Result] = []
    for setup, server in servers.items():
        with ServerSet([server], log):
            wait_healthy(server.port, 10)
            NormalClient(server.port, args.cap).get(sparql_path, "application/sparql-results+json", Samples())
            for n in ns:
                wait_for_quiet(args)
                r = measure(setup, server, n, args, sparql_path)
                results.append(r)
                log(
                    f"{setup}, {n} slow: /healthz median {ms(r.health.median(), args.cap)} max "
                    f"{ms(r.health.maximum(), args.cap)}; SPARQL median {ms(r.sparql.median(), args.cap)} "
                    "max "
                    f"{ms(r.sparql.maximum(), args.cap)}; {r.closed_by_server} slow closed; recovery "
                    f"{ms(r.recovery_s, args.recovery_wait)}"
                )
    write_report(args.out, args, machine_info("python"), results, servers, args.query)
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
