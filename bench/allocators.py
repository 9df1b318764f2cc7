"""The query evaluation's CPU under each memory allocator, in one process: ``python -m bench.allocators``.

Loads the build's ``dataset.nq`` into pyoxigraph's in-memory store, then evaluates and serialises the
competency queries (``queries/*.rq``, each text made distinct, with the project's default dataset as params,
as the cache-proof mix sends them) ROUNDS × 14 times after a warm-up, and reports the process CPU per
query. Each allocator runs in a fresh process (LD_PRELOAD, or glibc's tunables), REPEATS times, interleaved.
What apg's query processes do per request, without HTTP, pipes or sandbox (server/allocator.py: why).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIBS = Path("/usr/lib/x86_64-linux-gnu")
SETTINGS = {
    "glibc": {},
    "glibc, tcache enlarged": {
        "GLIBC_TUNABLES": "glibc.malloc.tcache_count=2000:glibc.malloc.tcache_max=32768"},
    "jemalloc": {"LD_PRELOAD": str(LIBS / "libjemalloc.so.2")},
    "mimalloc": {"LD_PRELOAD": str(LIBS / "libmimalloc.so.2")},
}
ROUNDS = 200


def measure(dist: Path, rounds: int) -> float:
    """CPU ms per query, in this process."""
    import pyoxigraph as ox

    from server.endpoint.query import PREFIXES

    store = ox.Store()
    store.bulk_load(path=str(dist / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    manifest = json.loads((dist / "manifest.json").read_text())
    dg = [ox.NamedNode(i) for i in manifest["default_graph"]]
    ng = [ox.NamedNode(g["iri"]) for g in manifest["graphs"].values()]
    texts = [p.read_text() for p in sorted((ROOT / "queries").glob("*.rq"))]

    def run(n: int, tag: str) -> None:
        for i in range(n):
            for j, text in enumerate(texts):
                r = store.query(f"{text}\n#{tag}-{i}-{j}", default_graph=dg, named_graphs=ng,
                                prefixes=PREFIXES)
                if isinstance(r, ox.QuerySolutions):
                    r.serialize(format=ox.QueryResultsFormat.JSON)
                elif isinstance(r, ox.QueryTriples):
                    ox.serialize(r, format=ox.RdfFormat.N_TRIPLES)

    run(20, "warm")
    started = time.process_time()
    run(rounds, "run")
    return (time.process_time() - started) / (rounds * len(texts)) * 1e3


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dist", type=Path, default=ROOT / "bench" / "work" / "dist")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.one:
        print(f"{measure(args.dist, ROUNDS):.4f}")
        return 0
    found = {name: [] for name, env in SETTINGS.items()
             if all(Path(v).is_file() for k, v in env.items() if k == "LD_PRELOAD")}
    for _ in range(args.repeats):
        for name in found:
            cmd = [sys.executable, "-m", "bench.allocators", "--one", "--dist", str(args.dist)]
            out = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **SETTINGS[name]}, check=True,
                                 capture_output=True, text=True)
            found[name].append(float(out.stdout.strip().splitlines()[-1]))
    base = statistics.median(found["glibc"])
    print("| allocator | CPU ms per query (median) | runs | ÷ glibc |\n|---|---:|---|---:|")
    for name, ms in found.items():
        print(f"| {name} | {statistics.median(ms):.3f} | {', '.join(f'{m:.3f}' for m in ms)} | "
              f"{statistics.median(ms) / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
