"""Scale benchmark of the build: ``apg build`` over synthetic fact files at K times the real graph.

    python -m bench.build                      # sizes 1, 10, 100 (the defaults), results-build.md
    python -m bench.build --sizes 10,100,500,1000 --out bench/results-build.md

Each size runs in a fresh process (``--one K``), so its peak memory (the process's RSS high-water mark, read
when each stage ends) is its own. The fact files come from bench/synth.py into bench/work/build/xK/; the
build goes to bench/work/build/xK/dist. Stage times are those of kg.pipeline's progress callback (facts,
graph, SHACL, OWL RL, dumps). It measures; it does not gate.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "build"
STAGES = ("facts", "graph", "SHACL", "OWL RL", "dumps")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_rss_mib() -> float:
    """The peak RSS of the build's children (the forked OWL RL and dumps processes; the larger of the two),
    which RUSAGE_SELF leaves out."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class _Clock:
    """The progress callback: time and peak RSS at the end of each stage."""

    def __init__(self):
        self.rows, self.stage, self.since, self.cpu_since = [], None, time.perf_counter(), time.process_time()

    def __call__(self, stage: str | None) -> None:
        # CPU seconds (every thread of the process) beside the wall clock: on a shared machine they say
        # what the build costs, the wall clock what it got
        now, cpu = time.perf_counter(), time.process_time()
        if self.stage is not None:
            self.rows.append({"stage": self.stage, "seconds": now - self.since, "cpu": cpu - self.cpu_since,
                              "peak_mib": _rss_mib()})
            print(f"  {self.stage}: {now - self.since:.1f} s (CPU {cpu - self.cpu_since:.1f} s), "
                  f"peak {_rss_mib():.0f} MiB", file=sys.stderr, flush=True)
        self.stage, self.since, self.cpu_since = stage, now, cpu


def run_one(k: int, engine: str) -> dict:
    """Generate (if needed) and build size K in this process; the figures as a dict."""
    from bench import synth
    from kg.pipeline import build

    root = WORK / f"x{k}"
    if not (root / "facts").is_dir():
        synth.write(root, k)
    clock = _Clock()
    started = time.perf_counter()
    built = build(root / "dist", log=lambda line: None, facts_dir=root / "facts",
                  sources_dir=root / "source", progress=clock, engine=engine)
    clock(None)
    total = time.perf_counter() - started
    sizes = {"data": len(built.data), "provenance": len(built.provenance_triples),
             "inferred": len(built.inferred)}
    sha = json.loads((root / "dist" / "manifest.json").read_text())["files"]["dataset.nq"]["sha256"]
    return {"k": k, "engine": engine, "stages": clock.rows, "total": total, "peak_mib": _rss_mib(),
            "child_peak_mib": _child_rss_mib(),
            "triples": sizes, "dataset_sha256": sha, "warnings": len(built.report.warnings)}


def _timed(k: int, engine: str, out: Path, root: Path, cache: Path | None) -> dict:
    from kg.pipeline import build

    clock = _Clock()
    started = time.perf_counter()
    built = build(out, log=lambda line: None, facts_dir=root / "facts", sources_dir=root / "source",
                  progress=clock, engine=engine, cache=cache)
    clock(None)
    return {"stages": clock.rows, "total": time.perf_counter() - started, "peak_mib": _rss_mib(),
            "incremental": built.incremental, "rebuilt": built.rebuilt, "pieces": list(built.pieces)}


def run_incremental(k: int) -> dict:
    """Build size K with a cache, edit one record (bench.synth.EDIT), rebuild with the cache, then build the
    edited facts in full: the figures of the two rebuilds, and whether their files are byte-identical."""
    from bench import synth

    root = WORK / f"x{k}-edited"
    synth.write(root, k)
    cache = root / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    first = _timed(k, "fast", root / "dist-first", root, cache)
    synth.edit(root, *synth.EDIT)
    again = _timed(k, "fast", root / "dist", root, cache)
    full = _timed(k, "fast", root / "dist-full", root, None)
    names = sorted(p.name for p in (root / "dist").iterdir())
    same = names == sorted(p.name for p in (root / "dist-full").iterdir()) and all(
        (root / "dist" / n).read_bytes() == (root / "dist-full" / n).read_bytes() for n in names)
    return {"k": k, "first": first, "incremental": again, "full": full, "identical": same}


def _child(args: list[str]) -> dict:
    out = subprocess.run([sys.executable, "-m", "bench.build", *args], check=True, capture_output=True,
                         text=True, cwd=HERE.parent)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _table(rows: list[dict]) -> str:
    head = ("| size | engine | data triples | provenance | "
            + " | ".join(f"{s} s / CPU s (peak MiB)" for s in STAGES)
            + " | total s | peak MiB | forked processes peak MiB |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        by = {s["stage"]: s for s in r["stages"]}
        cells = [f"{by[s]['seconds']:.1f} / {by[s].get('cpu', 0):.1f} ({by[s]['peak_mib']:.0f})" if s in by
                 else "-" for s in STAGES]
        t = r["triples"]
        lines.append(f"| {r['k']}× | {r['engine']} | {t['data']:,} | {t['provenance']:,} | "
                     + " | ".join(cells) + f" | {r['total']:.1f} | {r['peak_mib']:.0f} | "
                     + f"{r.get('child_peak_mib', 0):.0f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1,10,100", help="comma-separated K (default 1,10,100)")
    ap.add_argument("--engine", default="auto", help="reference | fast | auto (kg.pipeline.build)")
    ap.add_argument("--out", type=Path, default=None, help="write the table here (else standard output)")
    ap.add_argument("--incremental", type=int, metavar="K",
                    help="build K with a cache, edit one record, rebuild: the incremental figure (JSON)")
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.incremental:
        print(json.dumps(run_incremental(args.incremental)))
        return 0
    if args.one:
        print(json.dumps(run_one(args.one, args.engine)))
        return 0
    rows = []
    for k in [int(x) for x in args.sizes.split(",")]:
        row = _child(["--one", str(k), "--engine", args.engine])
        rows.append(row)
        print(f"{k}×: {row['total']:.1f} s, peak {row['peak_mib']:.0f} MiB", file=sys.stderr)
    load = os.getloadavg()
    text = (f"{_table(rows)}\n\nMachine: {os.cpu_count()} CPUs, load average before the last run "
            f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.\n")
    if args.out:
        args.out.write_text(text)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
