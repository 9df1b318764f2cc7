"""``python -m bench.run``: build; start the apg server, Oxigraph server and rdflib-endpoint on loopback with
the same dataset; check that they give the same answers to the competency queries; load each at fixed
concurrency with one load generator; write req/s, p50/p99 latency and the ratios to bench/results.md. See
bench/README.md."""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from . import loadgen
from .answers import (
    RESULTS_JSON,
    Query,
    describe,
    diff_text,
    expected_answer,
    lexical_answer,
    load_queries,
    normalise,
)
from .servers import HOST, KINDS, ROOT, Server, ServerSet, venv_tool

BENCH = Path(__file__).resolve().parent
TARGET_VS_OXIGRAPH_RPS = 1.5
TARGET_VS_RDFLIB_RPS = 30.0


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- what is measured ----------------------------------------------------------------------------------------


@dataclass
class Target:
    """One server queried one way: with or without the protocol's dataset parameters."""

    label: str
    server: Server
    params: bool
    duration: float
    requests: dict = field(default_factory=dict)  # query name -> loadgen.Request
    runs: list = field(default_factory=list)  # loadgen.RunResult per round
    server_cpu: list = field(default_factory=list)  # CPU seconds of the server's processes per round
    other_cpu: list = field(default_factory=list)  # CPU seconds of everything else on the machine per round
    checks: dict = field(default_factory=dict)  # query name -> Check
    alone_ms: dict = field(default_factory=dict)  # query name -> median ms, one client

    def med(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else float("nan")

    @property
    def rps(self) -> float:
        return self.med("rps")

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.runs)

    @property
    def requests_done(self) -> int:
        return sum(r.requests for r in self.runs)

    @property
    def wall(self) -> float:
        return sum(r.duration_s for r in self.runs)

    @property
    def cpu_ms_per_request(self) -> float:
        ok = sum(r.ok for r in self.runs)
        return 1000 * sum(self.server_cpu) / ok if ok else float("nan")

    def share(self, seconds: float) -> float:
        return seconds / self.wall if self.wall else float("nan")


def dataset_params(manifest: dict) -> list[tuple[str, str]]:
    """The project's default dataset spelled out with the protocol's parameters: default graph = the graphs in
    manifest 'default_graph' (data + ontology), named graphs = every graph of the build."""
    params = [("default-graph-uri", iri) for iri in manifest["default_graph"]]
    params += [("named-graph-uri", g["iri"]) for g in manifest["graphs"].values()]
    return params


def make_request(server: Server, query: Query, method: str, params: list[tuple[str, str]]) -> loadgen.Request:
    headers = {"Accept": query.accept}
    if method == "get":
        # the query goes last, so that --unique can append to it
        target = server.endpoint + "?" + urlencode([*params, ("query", query.text)])
        return loadgen.Request("GET", target, headers)
    path = server.endpoint + ("?" + urlencode(params) if params else "")
    return loadgen.Request(
        "POST", path, {**headers, "Content-Type": "application/sparql-query"}, query.text.encode("utf-8")
    )


def send(conn: http.client.HTTPConnection, req: loadgen.Request) -> tuple[int, bytes]:
    conn.request(req.method, req.path, body=req.body or None, headers=req.headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


# -- phases --------------------------------------------------------------------------------------------------


@dataclass
class Check:
    status: int
    summary: str  # "12 rows" or an error
    norm: object = None
    lexical: object = None
    agrees: bool | None = None  # with the reference target
    expected: bool | None = None  # with queries/NN-slug.expected.json (None: no such file)
    diff: str = ""


def check_answers(targets: list[Target], queries: list[Query], reference: Target, workdir: Path) -> list[str]:
    """Fill target.checks; returns one line per problem."""
    for t in targets:
        conn = http.client.HTTPConnection(HOST, t.server.port, timeout=300)
        try:
            for q in queries:
                try:
                    status, body = send(conn, t.requests[q.name])
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    t.checks[q.name] = Check(0, f"error: {exc}")
                    continue
                if status != 200:
                    t.checks[q.name] = Check(status, f"HTTP {status}: {body[:120]!r}")
                    continue
                try:
                    norm = normalise(q, body)
                    lexical = lexical_answer(q, body)
                except Exception as exc:  # unparsable answer
                    t.checks[q.name] = Check(status, f"unparsable answer: {exc}")
                    continue
                t.checks[q.name] = Check(status, describe(norm), norm=norm, lexical=lexical)
        finally:
            conn.close()
    problems = []
    mismatch_dir = workdir / "mismatches"
    shutil.rmtree(mismatch_dir, ignore_errors=True)
    for q in queries:
        want = expected_answer(q)
        ref = reference.checks.get(q.name)
        for t in targets:
            c = t.checks[q.name]
            if c.norm is None:
                c.agrees = False
                problems.append(f"{q.name} on {t.label}: {c.summary}")
                continue
            c.expected = None if want is None or c.lexical is None else c.lexical == want
            if c.expected is False:
                problems.append(f"{q.name} on {t.label}: differs from {q.path.stem}.expected.json")
            if t is reference:
                c.agrees = True
            elif ref is None or ref.norm is None:
                c.agrees = None
            else:
                c.agrees = c.norm == ref.norm
                if not c.agrees:
                    c.diff = diff_text(ref.norm, c.norm)
                    problems.append(f"{q.name} on {t.label}: differs from {reference.label}\n{c.diff}")
                    mismatch_dir.mkdir(parents=True, exist_ok=True)
                    (mismatch_dir / f"{q.name}--{t.label.replace(' ', '_')}.txt").write_text(
                        f"{q.name}: {t.label} vs {reference.label}\n{c.diff}\n", encoding="utf-8"
                    )
    return problems


def query_alone(target: Target, queries: list[Query], reps: int) -> None:
    """Median ms of each query on its own: one client, keep-alive, `reps` requests after one warm-up."""
    conn = http.client.HTTPConnection(HOST, target.server.port, timeout=300)
    try:
        for q in queries:
            req = target.requests[q.name]
            send(conn, req)
            times, ok = [], True
            for _ in range(reps):
                t0 = time.perf_counter()
                status, _ = send(conn, req)
                times.append((time.perf_counter() - t0) * 1000)
                ok = ok and status == 200
            target.alone_ms[q.name] = statistics.median(times) if ok else float("nan")
    finally:
        conn.close()


def machine_busy_seconds() -> float:
    """CPU seconds spent (not idle, not iowait) by the whole machine since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal (guest is inside user)
    return busy / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(args) -> float:
    """Before a measured run (every server idle), wait up to --quiet-wait seconds for the rest of the machine
    to use less than --quiet-below cores: other jobs sharing the machine would slow the run down. Returns the
    cores the rest of the machine used in the last second."""
    deadline = time.monotonic() + args.quiet_wait
    while True:
        b0 = machine_busy_seconds()
        time.sleep(1.0)
        background = machine_busy_seconds() - b0
        if background <= args.quiet_below or time.monotonic() >= deadline:
            if background > args.quiet_below:
                log(f"machine still busy ({100 * background:.0f} % of a core used by other work); measuring")
            return background


def measure(target: Target, args, workdir: Path, warmup: bool) -> loadgen.RunResult:
    reqs = list(target.requests.values())
    if warmup and args.warmup > 0:
        loadgen.run(
            args.loadgen_resolved,
            target.server.base_url,
            reqs,
            args.concurrency,
            args.warmup,
            workdir,
            unique=args.unique,
        )
    wait_for_quiet(args)
    cpu0, busy0 = target.server.cpu_seconds(), machine_busy_seconds()
    res = loadgen.run(
        args.loadgen_resolved,
        target.server.base_url,
        reqs,
        args.concurrency,
        target.duration,
        workdir,
        unique=args.unique,
    )
    server_cpu = target.server.cpu_seconds() - cpu0
    busy = machine_busy_seconds() - busy0
    target.runs.append(res)
    target.server_cpu.append(server_cpu)
    target.other_cpu.append(max(0.0, busy - server_cpu - res.loadgen_cpu_s))
    return res


# -- environment ---------------------------------------------------------------------------------------------


def machine_info(loadgen_name: str) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def first(path, prefix):
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    mem = first("/proc/meminfo", "MemTotal")
    if mem != "?":
        mem = f"{int(mem.split()[0]) / 1024 / 1024:.1f} GiB"
    pkgs = {}
    for name in (
        "apg-kg",
        "pyoxigraph",
        "oxigraph",
        "rdflib",
        "rdflib-endpoint",
        "fastapi",
        "starlette",
        "uvicorn",
        "granian",
        "gunicorn",
        "flask",
        "werkzeug",
    ):
        try:
            pkgs[name] = version(name)
        except PackageNotFoundError:
            pass
    try:
        commit = (
            subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip()
            or "?"
        )
    except OSError:
        commit = "?"
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": first("/proc/cpuinfo", "model name"),
        "memory": mem,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "packages": pkgs,
        "loadgen": (loadgen.wrk_version() or "wrk").split(" Copyright")[0]
        if loadgen_name == "wrk"
        else f"Python {platform.python_version()} asyncio client (bench/loadgen.py)",
        "commit": commit,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else [],
    }


# -- report --------------------------------------------------------------------------------------------------


def fmt(x: float, digits: int = 1) -> str:
    return "n/a" if x != x else f"{x:,.{digits}f}"


def ratio(a: float, b: float) -> float:
    return a / b if b and a == a and b == b else float("nan")


def paired(a: Target, b: Target, attr: str) -> float:
    """Median over rounds of a's value ÷ b's in the same round: targets of one round run back to back, so this
    cancels slow changes of the machine's background load better than a ratio of medians."""
    ratios = [ratio(getattr(x, attr), getattr(y, attr)) for x, y in zip(a.runs, b.runs, strict=False)]
    ratios = [r for r in ratios if r == r]
    return statistics.median(ratios) if ratios else float("nan")


def verdict_rows(headline: str, apg: Target | None, ox: Target | None, rl: Target | None):
    """(table rows, verdict lines) for one pairing of apg with the baselines; verdicts: per-round ratios."""
    rows, verdicts = [], []

    def add(base: Target, what: str, attr: str, target: float | None, at_least: bool, digits: int):
        of_medians = ratio(apg.med(attr), base.med(attr))
        per_round = paired(apg, base, attr)
        if target is None:
            cells = "— | —"
        else:
            ok = per_round >= target if at_least else per_round <= target
            cells = f"{'≥' if at_least else '≤'} {target:g}× | {'**yes**' if ok else '**no**'}"
            verdicts.append(
                f"{what}: {apg.label} / {base.label} = {per_round:.{digits}f}x "
                f"(target {'>=' if at_least else '<='} {target:g}x): " + ("met" if ok else "NOT met")
            )
        rows.append(
            f"| {headline} | {what}: {apg.label} ÷ {base.label} | {of_medians:.{digits}f}× | "
            f"{per_round:.{digits}f}× | {cells} |"
        )

    if apg and ox:
        add(ox, "req/s", "rps", TARGET_VS_OXIGRAPH_RPS, True, 2)
        add(ox, "p99", "p99_ms", 1.0, False, 2)
        add(ox, "p50", "p50_ms", None, False, 2)
    if apg and rl:
        add(rl, "req/s", "rps", TARGET_VS_RDFLIB_RPS, True, 1)
        add(rl, "p99", "p99_ms", None, False, 2)
    return rows, verdicts


def write_report(
    path: Path,
    args,
    info: dict,
    queries: list[Query],
    query_source: str,
    targets: list[Target],
    reference: Target,
    manifest: dict,
    problems: list[str],
) -> list[str]:
    """Writes the markdown report; returns the target verdict lines."""
    by = {t.label: t for t in targets}
    L = [
        "# Benchmark: apg server vs Oxigraph server vs rdflib-endpoint\n",
        f"Generated by `python -m bench.run` on {info['date']} at commit {info['commit']} (working tree as "
        "it was); method and caveats in [README.md](README.md).\n",
        "## Setup\n",
        f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, {info['os']}; load average "
        f"{' '.join(info['loadavg'])} when the report was written",
        f"- Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()),
        f"- Load generator: {info['loadgen']}, {'1 thread, ' if args.loadgen_resolved == 'wrk' else ''}"
        f"{args.concurrency} keep-alive connections, closed loop, round-robin over the {len(queries)} "
        f"queries of `{query_source}/`; it runs on the same {info['nproc']} CPUs as the server under test",
        f"- Runs: {args.rounds} rounds, {args.duration:g} s per run ({args.rdflib_duration:g} s for "
        f"rdflib-endpoint), {args.warmup:g} s warm-up before the first; one target loaded at a time (the "
        "other servers idle), order rotated every round; tables give the **median of the rounds**",
        f"- Requests: HTTP {args.method.upper()} "
        + ("`?query=…`" if args.method == "get" else "with an `application/sparql-query` body")
        + f", `Accept: {RESULTS_JSON}` (N-Triples for CONSTRUCT/DESCRIBE)"
        + (
            "; `--unique`: every load request's query text ends in a distinct comment (`#<run>-<n>`, a "
            "fresh `<run>` for every run), so no cache "
            "keyed on the request can answer it"
            if args.unique
            else "; the same 12 texts over and over (a server may cache answers: run with `--unique` to see "
            "the uncached cost)".replace("12", str(len(queries)))
        ),
    ]
    n_quads = sum(g.get("triples", 0) for g in manifest.get("graphs", {}).values())
    L.append(
        f"- Dataset: a fresh `apg build`, {n_quads or '?'} quads in {len(manifest.get('graphs', {}))} named "
        "graphs; the project's default dataset is default graph = "
        + " + ".join(f"`{i.rsplit('/', 1)[-1]}`" for i in manifest["default_graph"])
        + ", named graphs = all of them. *params* below = the request carries that dataset as "
        "`default-graph-uri` + `named-graph-uri` parameters"
    )
    L.append("- Servers:")
    for s in dict.fromkeys(t.server for t in targets):
        name = s.options.get("label", s.name)
        L.append(f"  - **{name}**: {s.workers_label}; {SERVER_NOTES.get(name, '')}")
    L.append(noise_line(targets, args))
    L.append("")

    L.append("## Answers\n")
    agree_all = all(c.agrees for t in targets for c in t.checks.values())
    expected_all = all(c.expected is not False for t in targets for c in t.checks.values())
    L.append(
        (
            "Every target returns the same answer to every query"
            if agree_all
            else "**The servers disagree** on some queries (details in `bench/work/mismatches/`)"
        )
        + f" (compared with {reference.label}: rows as sorted multisets of normalised SPARQL JSON bindings)"
        + (
            "; every answer also matches `queries/*.expected.json`."
            if expected_all
            else "; **some answers differ from `queries/*.expected.json`**."
        )
        + "\n"
    )
    L.append("| query | kind | " + " | ".join(t.label for t in targets) + " |")
    L.append("|---|---|" + "---|" * len(targets))
    for q in queries:
        cells = []
        for t in targets:
            c = t.checks.get(q.name)
            if c is None:
                cells.append("—")
                continue
            mark = "✓" if c.agrees and c.expected is not False else ("?" if c.agrees is None else "✗")
            cells.append(f"{mark} {c.summary}")
        L.append(f"| {q.name} | {q.kind} | " + " | ".join(cells) + " |")
    L.append("")

    L.append(f"## Throughput and latency at concurrency {args.concurrency}\n")
    L.append(
        "| target | server | params | req/s | p50 ms | p90 ms | p99 ms | errors | requests | server CPU "
        "ms/req "
        "| server CPU | load generator CPU | other CPU |"
    )
    L.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in targets:
        L.append(
            f"| {t.label} | {t.server.workers_label} | {'yes' if t.params else 'no'} | {fmt(t.rps)} | "
            f"{fmt(t.med('p50_ms'), 2)} | {fmt(t.med('p90_ms'), 2)} | {fmt(t.med('p99_ms'), 2)} | "
            f"{t.errors} | "
            f"{t.requests_done:,} | {fmt(t.cpu_ms_per_request, 2)} | "
            f"{fmt(100 * t.share(sum(t.server_cpu)), 0)} % "
            f"| {fmt(100 * t.share(sum(r.loadgen_cpu_s for r in t.runs)), 0)} % | "
            f"{fmt(100 * t.share(sum(t.other_cpu)), 0)} % |"
        )
    L.append(
        f"\nCPU columns: CPU time ÷ wall time over the measured runs (100 % = one core, {info['nproc']} "
        "cores = "
        f"{100 * info['nproc']} %). *Server CPU ms/req* is the server's processes' CPU time per successful "
        "request. *Other CPU* is everything else on the machine during the runs (other work sharing it); "
        "when it is high, that round's numbers are low.\n"
    )

    verdicts: list[str] = []
    L.append("## Ratios and targets\n")
    L.append(
        "Targets: apg ≥ 1.5× Oxigraph server's req/s with p99 no worse than Oxigraph's; apg ≥ 30× "
        "rdflib-endpoint's req/s.\n"
    )
    L.append("| pairing | comparison | ratio of the medians | median of per-round ratios | target | met |")
    L.append("|---|---|---:|---:|---:|---|")
    rows, v = verdict_rows(
        "identical requests (params)", by.get("apg"), by.get("oxigraph"), by.get("rdflib-endpoint")
    )
    L += rows
    verdicts += v
    rows, v = verdict_rows(
        "each server's native default graph", by.get("apg (no params)"), by.get("oxigraph-native"), None
    )
    L += rows
    verdicts += v
    for a_, b_, digits in (("oxigraph", "rdflib-endpoint", 1), ("oxigraph-native", "oxigraph", 2),
                           ("apg", SYSTEM_ALLOCATOR, 2), (SYSTEM_ALLOCATOR, "oxigraph", 2)):
        if by.get(a_) and by.get(b_):
            x, y = by[a_], by[b_]
            L.append(
                f"| reference | req/s: {a_} ÷ {b_} | {ratio(x.rps, y.rps):.{digits}f}× | "
                f"{paired(x, y, 'rps'):.{digits}f}× | — | — |"
            )
    L.append("")

    L.append("## Every round\n")
    L.append("| target | round | req/s | p50 ms | p99 ms | max ms | errors | requests | s | other CPU |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in targets:
        for i, (r, other) in enumerate(zip(t.runs, t.other_cpu, strict=True), 1):
            L.append(
                f"| {t.label} | {i} | {fmt(r.rps)} | {fmt(r.p50_ms, 2)} | {fmt(r.p99_ms, 2)} | "
                f"{fmt(r.max_ms, 1)} | {r.errors} | {r.requests:,} | {r.duration_s:.1f} | "
                f"{fmt(100 * other / r.duration_s, 0)} % |"
            )
    L.append("")

    shown = [t for t in targets if t.alone_ms]
    if shown:
        L.append("## Each query on its own (median ms, one client, keep-alive)\n")
        L.append(
            f"{args.seq_reps} requests per query ({max(3, args.seq_reps // 5)} for rdflib-endpoint) one at a "
            "time after one warm-up request: the latency without contention, client round trip included.\n"
        )
        L.append("| query | " + " | ".join(t.label for t in shown) + " |")
        L.append("|---|" + "---:|" * len(shown))
        for q in queries:
            L.append(
                f"| {q.name} | "
                + " | ".join(fmt(t.alone_ms.get(q.name, float("nan")), 2) for t in shown)
                + " |"
            )
        L.append(
            "| **mean** | " + " | ".join(fmt(statistics.fmean(t.alone_ms.values()), 2) for t in shown) + " |"
        )
        L.append("")

    if problems:
        L.append("## Problems\n")
        L += [f"- {p.splitlines()[0]}" for p in problems]
        L.append("")
    L.append("Command: `" + " ".join(["python -m bench.run", *sys.argv[1:]]) + "`\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L), encoding="utf-8")
    return verdicts


def noise_line(targets: list[Target], args) -> str:
    shares = [
        100 * other / r.duration_s
        for t in targets
        for r, other in zip(t.runs, t.other_cpu, strict=True)
        if r.duration_s
    ]
    if not shares:
        return "- Noise: not measured"
    return (
        f"- **Noise**: other work on the machine (e.g. other engineers' test runs) used "
        f"{statistics.median(shares):.0f} % of a core at the median of the runs, {min(shares):.0f}–"
        f"{max(shares):.0f} % (column *other CPU*); before each run the bench waited up to "
        f"{args.quiet_wait:g} s for it to drop below {args.quiet_below:g} of a core. A round with high "
        "other CPU is low: judge by the per-round ratios"
    )


SYSTEM_ALLOCATOR = "apg (system allocator)"
SERVER_NOTES = {
    SYSTEM_ALLOCATOR: "as apg, with `--allocator system`: the C library's malloc instead of jemalloc "
    "(server/allocator.py)",
    "apg": "`apg serve --workers N` (this project: granian, an event loop with keep-alive, the answer cache "
    "in front of Flask, queries in bounded query processes)",
    "oxigraph": "`oxigraph serve-read-only` on a RocksDB store made by `oxigraph load` of `dataset.nq` and "
    "`oxigraph optimize`; its default graph is empty, so it gets the dataset from the params",
    "oxigraph-native": "as oxigraph, but `data.nt` and `ontology.nt` are also loaded into its default "
    "graph, so it "
    "answers without params over one real default graph (its fastest set-up for this data)",
    "rdflib-endpoint": "`rdflib_endpoint.SparqlEndpoint` (FastAPI) under uvicorn, forked workers with a "
    "socket each on one port (`bench/rdflib_serve.py`); it ignores the params, so its rdflib `Dataset` is "
    "built with the same default graph (`bench/rdflib_app.py`)",
}


# -- main ----------------------------------------------------------------------------------------------------


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--workdir", type=Path, default=BENCH / "work", help="scratch space (build, oxigraph db, logs)"
    )
    p.add_argument("--dist", type=Path, default=None, help="build to benchmark (default: WORKDIR/dist)")
    p.add_argument(
        "--no-build", action="store_true", help="use the existing --dist instead of running 'apg build'"
    )
    p.add_argument(
        "--queries", type=Path, default=ROOT / "queries", help="directory of *.rq competency queries"
    )
    p.add_argument(
        "--servers",
        default="apg,oxigraph,rdflib-endpoint",
        help="comma-separated subset of: apg, oxigraph, rdflib-endpoint",
    )
    p.add_argument(
        "--no-native",
        dest="native",
        action="store_false",
        help="skip the extra pairing without params: 'apg (no params)' vs 'oxigraph-native'",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=len(os.sched_getaffinity(0)),
        help="worker processes for apg serve and for rdflib-endpoint",
    )
    p.add_argument(
        "--threads", type=int, default=None, help="request threads per apg worker (default: apg's own)"
    )
    p.add_argument(
        "--floor",
        action="store_true",
        help="instead of the mix: each query on its own at --concurrency 4, apg vs Oxigraph server with "
        "--union-default-graph (and oxigraph-native), written to bench/results-floor.md (bench/floor.py)",
    )
    p.add_argument("--concurrency", type=int, default=None, help="connections (default 8; --floor: 4)")
    p.add_argument(
        "--duration", type=float, default=None, help="seconds per measured run (default 10; --floor: 3)"
    )
    p.add_argument("--rdflib-duration", type=float, default=10, help="seconds per run for rdflib-endpoint")
    p.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of unmeasured load before the first round (default 3; --floor: 1, before every query)",
    )
    p.add_argument("--rounds", type=int, default=None, help="default 5; --floor: 2")
    p.add_argument(
        "--loadgen",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="auto = wrk when installed (Debian package 'wrk'), else the Python one",
    )
    p.add_argument("--method", choices=["get", "post"], default="get")
    p.add_argument("--allocator", default=None,
                   help="apg serve --allocator (jemalloc, system; default: apg's own)")
    p.add_argument(
        "--system-allocator",
        action="store_true",
        help=f"also load '{SYSTEM_ALLOCATOR}' (apg serve --allocator system, server/allocator.py) beside apg",
    )
    p.add_argument(
        "--unique",
        action="store_true",
        help="end every load request's query in a distinct comment, so that answer caches never hit",
    )
    p.add_argument(
        "--seq-reps", type=int, default=20, help="requests per query for the one-client latency table"
    )
    p.add_argument(
        "--quiet-below",
        type=float,
        default=0.25,
        help="before each run, wait until other work uses fewer than this many cores (see --quiet-wait)",
    )
    p.add_argument(
        "--quiet-wait",
        type=float,
        default=None,
        help="longest wait for a quiet machine, seconds (default 20; --floor: 8, as it has many short runs)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="default bench/results.md; --floor: bench/results-floor.md"
    )
    p.add_argument("--allow-mismatch", action="store_true", help="exit 0 even if answers differ")
    args = p.parse_args(argv)
    defaults = (
        dict(concurrency=4, duration=3, warmup=1, rounds=2, quiet_wait=8, out=BENCH / "results-floor.md")
        if args.floor
        else dict(concurrency=8, duration=10, warmup=3, rounds=5, quiet_wait=20, out=BENCH / "results.md")
    )
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def build(args, dist: Path) -> dict:
    """``apg build`` into dist unless --no-build; returns its manifest."""
    if not args.no_build:
        log(f"building into {dist}")
        subprocess.run(
            [venv_tool("apg"), "build", "--out", str(dist)], check=True, cwd=ROOT, stdin=subprocess.DEVNULL
        )
    return json.loads((dist / "manifest.json").read_text(encoding="utf-8"))


def server_options(name: str, args) -> dict:
    return {"threads": args.threads, "allocator": args.allocator} if name == "apg" else {}


def main(argv=None) -> int:
    args = parse_args(argv)
    args.loadgen_resolved = loadgen.pick(args.loadgen)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    dist = (args.dist or workdir / "dist").resolve()
    if args.floor:
        from .floor import run_floor

        return run_floor(args, workdir, dist)
    names = [n.strip() for n in args.servers.split(",") if n.strip()]
    unknown = [n for n in names if n not in ("apg", "oxigraph", "rdflib-endpoint")]
    if unknown:
        raise SystemExit(
            f"unknown server(s): {', '.join(unknown)}; choose from apg, oxigraph, rdflib-endpoint"
        )

    manifest = build(args, dist)

    queries = load_queries(args.queries)
    query_source = os.path.relpath(args.queries.resolve(), ROOT)
    if not queries:
        raise SystemExit(f"no *.rq queries in {args.queries}")
    log(f"{len(queries)} queries from {query_source}/: " + ", ".join(f"{q.name} ({q.kind})" for q in queries))

    servers = {n: KINDS[n](workdir, dist, args.workers, **server_options(n, args)) for n in names}
    if args.native and "oxigraph" in servers and "apg" in servers:
        servers["oxigraph-native"] = KINDS["oxigraph-native"](workdir, dist, args.workers)
    if args.system_allocator and "apg" in servers:  # the same server under the C library's malloc
        servers[SYSTEM_ALLOCATOR] = KINDS["apg"](workdir, dist, args.workers,
                                                 **{**server_options("apg", args), "allocator": "system"},
                                                 label=SYSTEM_ALLOCATOR)
    targets = []
    for n, s in servers.items():
        duration = args.rdflib_duration if n == "rdflib-endpoint" else args.duration
        targets.append(Target(n, s, params=n != "oxigraph-native", duration=duration))
        if n == "apg" and "oxigraph-native" in servers:
            targets.append(Target("apg (no params)", s, params=False, duration=duration))
    params = dataset_params(manifest)
    for t in targets:
        t.requests = {
            q.name: make_request(t.server, q, args.method, params if t.params else []) for q in queries
        }
    longest = max(len(r.path) for t in targets for r in t.requests.values())
    if args.method == "get" and longest > 4000:
        log(
            f"WARNING: the longest request target is {longest} bytes; servers may refuse long request lines "
            "(apg/granian: 408 KiB for request line + headers); consider --method post"
        )
    reference = next((t for t in targets if t.label == "oxigraph"), targets[0])

    with ServerSet(list(servers.values()), log):
        log("checking answers")
        problems = check_answers(targets, queries, reference, workdir)
        for p in problems:
            log("PROBLEM: " + p)
        if not problems:
            log("every target gives the same answers, matching queries/*.expected.json")

        for t in targets:
            reps = args.seq_reps if t.server.name != "rdflib-endpoint" else max(3, args.seq_reps // 5)
            log(f"{t.label}: each query on its own ({reps} requests)")
            query_alone(t, queries, reps)

        for rnd in range(args.rounds):
            k = rnd % len(targets)
            for t in targets[k:] + targets[:k]:
                res = measure(t, args, workdir, warmup=rnd == 0)
                log(
                    f"round {rnd + 1}/{args.rounds} {t.label}: {res.rps:,.1f} req/s, p50 {res.p50_ms:.2f} "
                    "ms, "
                    f"p99 {res.p99_ms:.2f} ms, {res.errors} errors, {res.requests} requests, other CPU "
                    f"{100 * t.other_cpu[-1] / res.duration_s:.0f} %"
                )

    info = machine_info(args.loadgen_resolved)
    verdicts = write_report(
        args.out, args, info, queries, query_source, targets, reference, manifest, problems
    )
    log(f"wrote {args.out}")
    for t in targets:
        log(
            f"{t.label}: {t.rps:,.1f} req/s, p50 {t.med('p50_ms'):.2f} ms, p99 {t.med('p99_ms'):.2f} ms, "
            f"{t.errors} errors"
        )
    for v in verdicts:
        log(v)
    errors = sum(t.errors for t in targets)
    if errors:
        log(f"{errors} request errors during the load runs (see the report)")
    return 1 if problems and not args.allow_mismatch else 0


if __name__ == "__main__":
    sys.exit(main())
