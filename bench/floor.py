"""``python -m bench.run --floor``: the floor of the request path. Each competency query on its own, asked
over and over by a few keep-alive clients (wrk, 1 thread, 4 connections, a few seconds per query), on apg and
on Oxigraph server with ``--union-default-graph`` (issue 11's set-up; also ``oxigraph-native`` unless
``--no-native``), one server loaded at a time; per query req/s and the ratio, written to
bench/results-floor.md.

The same answer is asked for again and again, so apg answers it from its answer cache after the first
request: what is measured is the cost of the request path itself (HTTP, keep-alive, the cache lookup), and
Oxigraph's cost of evaluating the query each time. Goal (issue 11): no competency query slower on apg than on
Oxigraph server.
"""

import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import loadgen
from .answers import load_queries
from .run import (
    Target,
    build,
    check_answers,
    fmt,
    log,
    machine_busy_seconds,
    machine_info,
    make_request,
    ratio,
    server_options,
    wait_for_quiet,
)
from .servers import KINDS, ServerSet

# issue 11, measured side by side on a quiet 2-core machine with the old set-up (gunicorn sync workers)
ISSUE_FIGURES = {
    "04-plenum-dates": (1286, 5323),
    "11-group-names": (1428, 6077),
    "01-core-members": (1343, 3341),
}

NOTES = {
    "apg": "`apg serve` of this checkout, queried without params (its built-in default dataset: default "
    "graph = "
    "data + ontology)",
    "oxigraph-union": "`oxigraph serve-read-only --union-default-graph` on a store made by `oxigraph load` "
    "of "
    "`dataset.nq` and `oxigraph optimize`, without params: its default graph is the union of all four graphs "
    "(issue 11's set-up)",
    "oxigraph-native": "`oxigraph serve-read-only` on a store whose own default graph also holds `data.nt` + "
    "`ontology.nt`, without params: the same default graph as apg's",
}


@dataclass
class Cell:
    """The runs of one query on one target."""

    runs: list = field(default_factory=list)  # loadgen.RunResult per round
    other: list = field(default_factory=list)  # share of a core used by other work during each run

    def med(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs) if self.runs else float("nan")


def paired_ratio(a: Cell, b: Cell) -> float:
    """Median over rounds of a's req/s ÷ b's in the same round (they ran back to back)."""
    rs = [ratio(x.rps, y.rps) for x, y in zip(a.runs, b.runs, strict=False)]
    rs = [r for r in rs if r == r]
    return statistics.median(rs) if rs else float("nan")


def run_floor(args, workdir: Path, dist: Path) -> int:
    manifest = build(args, dist)
    queries = load_queries(args.queries)
    if not queries:
        raise SystemExit(f"no *.rq queries in {args.queries}")
    names = ["apg", "oxigraph-union"] + (["oxigraph-native"] if args.native else [])
    servers = {n: KINDS[n](workdir, dist, args.workers, **server_options(n, args)) for n in names}
    targets = [Target(n, s, params=False, duration=args.duration) for n, s in servers.items()]
    for t in targets:
        t.requests = {q.name: make_request(t.server, q, args.method, []) for q in queries}
    cells = {(q.name, t.label): Cell() for q in queries for t in targets}
    apg = targets[0]

    with ServerSet(list(servers.values()), log):
        log("checking answers (reference: apg)")
        problems = check_answers(targets, queries, apg, workdir)
        for p in problems:
            log("note: " + p.splitlines()[0])
        for rnd in range(args.rounds):
            for qi, q in enumerate(queries):
                k = (rnd + qi) % len(targets)
                for t in targets[k:] + targets[:k]:
                    req = [t.requests[q.name]]
                    if rnd == 0 and args.warmup > 0:
                        loadgen.run(
                            args.loadgen_resolved,
                            t.server.base_url,
                            req,
                            args.concurrency,
                            args.warmup,
                            workdir,
                            unique=args.unique,
                        )
                    wait_for_quiet(args)
                    cpu0, busy0 = t.server.cpu_seconds(), machine_busy_seconds()
                    res = loadgen.run(
                        args.loadgen_resolved,
                        t.server.base_url,
                        req,
                        args.concurrency,
                        args.duration,
                        workdir,
                        unique=args.unique,
                    )
                    server_cpu = t.server.cpu_seconds() - cpu0
                    other = max(0.0, machine_busy_seconds() - busy0 - server_cpu - res.loadgen_cpu_s)
                    cell = cells[(q.name, t.label)]
                    cell.runs.append(res)
                    cell.other.append(other / res.duration_s if res.duration_s else float("nan"))
                    log(
                        f"round {rnd + 1}/{args.rounds} {q.name} {t.label}: {res.rps:,.0f} req/s, p99 "
                        f"{res.p99_ms:.2f} ms, {res.errors} errors, other CPU {100 * cell.other[-1]:.0f} %"
                    )

    info = machine_info(args.loadgen_resolved)
    verdict = write_floor_report(args.out, args, info, queries, targets, cells, manifest)
    log(f"wrote {args.out}")
    log(verdict)
    apg_wrong = [p for p in problems if " on apg:" in p.splitlines()[0]]
    return 1 if apg_wrong and not args.allow_mismatch else 0


def write_floor_report(path: Path, args, info: dict, queries, targets, cells, manifest) -> str:
    apg, union = targets[0], targets[1]
    native = targets[2] if len(targets) > 2 else None
    others = [o for c in cells.values() for o in c.other if o == o]
    errors = sum(r.errors for c in cells.values() for r in c.runs)
    L = [
        "# Floor: each competency query on its own, apg vs Oxigraph server\n",
        f"Generated by `python -m bench.run --floor` on {info['date']} at commit {info['commit']} (working "
        "tree as it was); method in [README.md](README.md) and `bench/floor.py`.\n",
        "## Setup\n",
        f"- Machine: {info['nproc']} CPUs ({info['cpu']}), {info['memory']} RAM, {info['os']}; load average "
        f"{' '.join(info['loadavg'])} when the report was written",
        f"- Python {info['python']}; " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()),
        f"- Load generator: {info['loadgen']}, {'1 thread, ' if args.loadgen_resolved == 'wrk' else ''}"
        f"{args.concurrency} keep-alive connections, closed loop, **one query at a time** (the same request "
        f"over and over), {args.duration:g} s per run after {args.warmup:g} s of warm-up in the first round; "
        f"{args.rounds} rounds; one server loaded at a time, order rotated per query and round; tables give "
        "the median of the rounds",
        f"- Requests: HTTP {args.method.upper()}, `Accept: application/sparql-results+json`, no dataset "
        "params"
        + (
            "; `--unique`: every query text ends in a distinct comment, so no answer cache can serve it"
            if args.unique
            else "; the repeated answer is in apg's answer cache after the first request, so apg's figure "
            "is the cost of its request path"
        ),
        f"- Servers ({sum(g.get('triples', 0) for g in manifest.get('graphs', {}).values())} quads):",
    ]
    for t in targets:
        L.append(f"  - **{t.label}**: {t.server.workers_label}; {NOTES[t.label]}")
    L.append(
        "- **Noise**: the machine was shared with other engineers' test runs. Before each run the bench "
        "waited "
        f"up to {args.quiet_wait:g} s for other work to use less than {args.quiet_below:g} of a core; during "
        f"the runs other work used {100 * statistics.median(others):.0f} % of a core at the median and "
        f"{100 * max(others):.0f} % at most (column *other CPU* below). A run with high other CPU is low; "
        "compare the paired ratio (same round, back to back) rather than single figures."
        if others
        else "- Noise: not measured"
    )
    L.append("")

    met = 0
    L.append(f"## req/s per query at concurrency {args.concurrency}\n")
    head = "| query | apg req/s | oxigraph-union req/s | apg ÷ oxigraph-union | not slower |"
    rule = "|---|---:|---:|---:|---|"
    if native:
        head += " oxigraph-native req/s | apg ÷ oxigraph-native |"
        rule += "---:|---:|"
    head += " apg p99 ms | oxigraph-union p99 ms |"
    rule += "---:|---:|"
    L += [head, rule]
    for q in queries:
        a, u = cells[(q.name, apg.label)], cells[(q.name, union.label)]
        r = paired_ratio(a, u)
        ok = r >= 1.0
        met += ok
        row = (
            f"| {q.name} | {fmt(a.med('rps'), 0)} | {fmt(u.med('rps'), 0)} | {fmt(r, 2)}× | "
            f"{'yes' if ok else '**no**'} |"
        )
        if native:
            n = cells[(q.name, native.label)]
            row += f" {fmt(n.med('rps'), 0)} | {fmt(paired_ratio(a, n), 2)}× |"
        row += f" {fmt(a.med('p99_ms'), 2)} | {fmt(u.med('p99_ms'), 2)} |"
        L.append(row)
    verdict = (
        f"{met} of {len(queries)} queries at least as fast on apg as on Oxigraph server "
        "(--union-default-graph)"
        " (goal: all of them)"
    )
    L.append(f"\n**{verdict}.** Ratio: median over rounds of the paired per-round ratio.\n")
    L.append(
        "For comparison, issue 11's figures with the old set-up (gunicorn sync workers, the cache behind "
        "Flask), "
        "apg vs Oxigraph server: "
        + "; ".join(f"{k} {a:,} vs {b:,}" for k, (a, b) in ISSUE_FIGURES.items())
        + ".\n"
    )

    L.append("## Answers\n")
    L.append(
        "Compared with apg's (rows as sorted multisets of normalised SPARQL JSON bindings) and with "
        "`queries/*.expected.json`. Oxigraph's union default graph also holds the inferred and metadata "
        "graphs, "
        "so some of its answers may differ; its rate is still what issue 11 measured.\n"
    )
    L.append("| query | " + " | ".join(t.label for t in targets) + " |")
    L.append("|---|" + "---|" * len(targets))
    for q in queries:
        cells_ = []
        for t in targets:
            c = t.checks.get(q.name)
            if c is None:
                cells_.append("—")
                continue
            mark = "✓" if c.agrees and c.expected is not False else ("?" if c.agrees is None else "✗")
            cells_.append(f"{mark} {c.summary}")
        L.append(f"| {q.name} | " + " | ".join(cells_) + " |")
    L.append("")

    L.append("## Every run\n")
    L.append("| query | target | round | req/s | p50 ms | p99 ms | max ms | errors | other CPU |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for q in queries:
        for t in targets:
            c = cells[(q.name, t.label)]
            for i, (r, o) in enumerate(zip(c.runs, c.other, strict=True), 1):
                L.append(
                    f"| {q.name} | {t.label} | {i} | {fmt(r.rps, 0)} | {fmt(r.p50_ms, 2)} | "
                    f"{fmt(r.p99_ms, 2)} | {fmt(r.max_ms, 1)} | {r.errors} | {fmt(100 * o, 0)} % |"
                )
    L.append(f"\nErrors over all runs: {errors}.\n")
    L.append("Command: `" + " ".join(["python -m bench.run", *sys.argv[1:]]) + "`\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L), encoding="utf-8")
    return verdict
