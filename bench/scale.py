"""Scale mode: the real graph replicated to N triples, served embedded (in memory), through Oxigraph
server and through Virtuoso, side by side: time until ready, memory (PSS summed over every process of the
front end and the engine), p50/p99 of the competency mix through the front end. Results:
bench/results-scale.md.

    .venv/bin/python -m bench.scale --sizes 100000,1000000 [--rounds 5]

Copies: copy 0 is the build as it is; copy k > 0 has every IRI under ``{base}id/`` moved to
``{base}id/copy{k}/`` (the ontology graph is not copied), so the copies are disjoint and the competency
queries keep their shape (the queries naming a resource find it in copy 0; the others find k times as many
rows).
Each query is sent with a unique trailing comment, so no answer cache helps. Sequential requests, one client.
"""
import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def scaled_build(dist: Path, out: Path, target: int) -> Path:
    """A build directory (manifest, dataset.nq, per-graph .nt) of about ``target`` triples."""
    manifest = json.loads((dist / "manifest.json").read_text())
    base = manifest["base"]
    graphs = {g["iri"]: name for name, g in manifest["graphs"].items()}
    ontology = manifest["graphs"]["ontology"]["iri"]
    lines = (dist / "dataset.nq").read_text(encoding="utf-8").splitlines()
    copyable = [line for line in lines if not line.rstrip().endswith(f"<{ontology}> .")
                and f"<{base}id/" in line]
    copies = max(1, round((target - (len(lines) - len(copyable))) / len(copyable)))
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(graphs.values(), 0)
    outs = {name: open(out / f"{name}.nt", "w", encoding="utf-8") for name in graphs.values()}
    with open(out / "dataset.nq", "w", encoding="utf-8") as nq:
        for k in range(copies):
            for line in (lines if k == 0 else copyable):
                if not line.strip() or line.startswith("#"):
                    continue
                if k:
                    moved = line.replace(f"<{base}id/", f"<{base}id/copy{k}/")
                    if moved == line:  # nothing of copy 0 in it (a class axiom inferred): already there
                        continue
                    line = moved
                nq.write(line + "\n")
                graph = line[line.rindex("<", 0, len(line) - 2) + 1: line.rindex(">")]
                name = graphs[graph]
                counts[name] += 1
                outs[name].write(line[: line.rindex("<", 0, len(line) - 2)].rstrip() + " .\n")
    for f in outs.values():
        f.close()
    sha = hashlib.sha256((out / "dataset.nq").read_bytes()).hexdigest()
    scaled = dict(manifest, version=f"{manifest.get('version', '0')}-x{copies}")
    scaled["graphs"] = {n: dict(g, triples=counts[n]) for n, g in manifest["graphs"].items()}
    scaled["files"] = {"dataset.nq": {"sha256": sha, "bytes": (out / "dataset.nq").stat().st_size}}
    (out / "manifest.json").write_text(json.dumps(scaled))
    return out


def pss_kib(pgids: list[int]) -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat[stat.rindex(")") + 2:].split()[2]) not in pgids:
                continue
            for line in Path(f"/proc/{entry}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def _get(url: str, timeout: float = 120) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait(url: str, timeout: float = 600) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        try:
            if _get(url, 5)[0] == 200:
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} not ready in {timeout} s")


def _popen(argv, log: Path, **kw) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, **kw)


def _stop(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(30)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


VIRTUOSO_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
[Parameters]
ServerPort = {host}:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {dirs}
CaseMode = 2
NumberOfBuffers = 85000
MaxDirtyBuffers = 65000
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = {host}:{http}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def start_engine(name: str, work: Path, build: Path):
    """(process, query URL, isql address) of the engine, started (not loaded)."""
    work.mkdir(parents=True, exist_ok=True)
    http = free_port()
    if name == "oxigraph":
        tool = str(Path(sys.executable).parent / "oxigraph")
        proc = _popen([sys.executable, "-m", "server.engines.noconnect", tool, "serve", "--bind",
                       f"{HOST}:{http}", "--location", str(work / "db"), "--timeout-s", "30"],
                      work / "oxigraph.log")
        url, isql = f"http://{HOST}:{http}/query", None
    else:
        sql = free_port()
        (work / "virtuoso.ini").write_text(VIRTUOSO_INI.format(dir=work, host=HOST, sql=sql, http=http,
                                                               dirs=build.resolve()))
        proc = _popen([sys.executable, "-m", "server.engines.noroute", "--port", f"{HOST}:{http}", "--port",
                       f"{HOST}:{sql}", "--", shutil.which("virtuoso-t"), "+foreground", "+configfile",
                       str(work / "virtuoso.ini")], work / "virtuoso.out")
        url, isql = f"http://{HOST}:{http}/sparql", f"{HOST}:{sql}"
    _wait(url + "?query=" + urllib.parse.quote("ASK {}"), 120)
    return proc, url, isql


def competency_mix() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "queries").glob("*.rq"))]


def measure(front: str, rounds: int) -> dict:
    """Latencies (ms) of the competency queries through the front end, each sent ``rounds`` times."""
    times, errors = {}, {}
    n = 0
    for stem, text in competency_mix():
        for _ in range(rounds):
            n += 1
            unique = f"{text}\n# run {time.time_ns()} {n}"
            url = front + "/sparql?" + urllib.parse.urlencode({"query": unique})
            t0 = time.perf_counter()
            status, body = _get(url, 120)
            times.setdefault(stem, []).append((time.perf_counter() - t0) * 1000)
            if status != 200:
                errors[stem] = f"{status} {body[:80]!r}"
    every = sorted(t for ts in times.values() for t in ts)
    return {"per_query_p50": {s: statistics.median(ts) for s, ts in times.items()},
            "p50": statistics.median(every), "p99": every[min(len(every) - 1, int(len(every) * 0.99))],
            "errors": errors}


def run_backend(name: str, build: Path, work: Path, rounds: int) -> dict:
    apg = str(Path(sys.executable).parent / "apg")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("APG_")}
    env["APG_TIMEOUT"] = "60"
    engine = None
    t0 = time.monotonic()
    load_s = 0.0
    try:
        args = [apg, "serve", "--dist", str(build), "--port", str(port), "--host", HOST]
        if name != "embedded":
            engine, url, isql = start_engine(name, work / name, build)
            t_load = time.monotonic()
            from server.engines.load import load

            load(url, build, isql=isql)
            load_s = time.monotonic() - t_load
            args += ["--engine", url]
        front = _popen(args, work / f"serve-{name}.log", env=env)
        try:
            _wait(f"http://{HOST}:{port}/healthz", 900)
            ready = time.monotonic() - t0
            time.sleep(1)
            pgids = [front.pid] + ([engine.pid] if engine else [])
            pss = pss_kib(pgids)
            result = measure(f"http://{HOST}:{port}", rounds)
            result.update(ready_s=ready, load_s=load_s, pss_mib=pss / 1024,
                          pss_after_mib=pss_kib(pgids) / 1024)
            return result
        finally:
            _stop(front)
    finally:
        if engine:
            _stop(engine)


def write(results: dict, out: Path, rounds: int) -> None:
    lines = ["# Scale: embedded vs Oxigraph server vs Virtuoso", "",
             "`python -m bench.scale` (bench/scale.py): the build replicated into disjoint copies; each "
             "back end behind `apg serve` (2 workers); ready = start until `/healthz` answers (engines: "
             "start, `apg load`, front end); PSS summed over the front end's and the engine's processes "
             f"after start (and after the mix); the competency mix (14 queries x {rounds}, unique texts, one "
             "sequential client) through the front end. Shared 2-core machine: the figures are indicative.",
             "",
             "| triples | back end | ready s | of which load s | PSS MiB (after mix) | mix p50 ms | "
             "mix p99 ms | errors |", "|---|---|---|---|---|---|---|---|"]
    for size, by in results.items():
        for name, r in by.items():
            lines.append(f"| {size:,} | {name} | {r['ready_s']:.1f} | {r['load_s']:.1f} | {r['pss_mib']:.0f} "
                         f"({r['pss_after_mib']:.0f}) | {r['p50']:.1f} | {r['p99']:.1f} | "
                         f"{', '.join(sorted(r['errors'])) or '-'} |")
    lines += ["", "Per query, p50 ms:", ""]
    stems = [s for s, _ in competency_mix()]
    header = "| triples | back end | " + " | ".join(s[:2] for s in stems) + " |"
    lines += [header, "|---|---|" + "---|" * len(stems)]
    for size, by in results.items():
        for name, r in by.items():
            lines.append(f"| {size:,} | {name} | " + " | ".join(f"{r['per_query_p50'].get(s, 0):.0f}"
                                                            for s in stems) + " |")
    out.write_text("\n".join(lines) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=Path("/tmp/apg-bench-scale"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-scale.md")
    args = parser.parse_args(argv)
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        work = args.work / str(size)
        shutil.rmtree(work, ignore_errors=True)
        build = scaled_build(args.dist, work / "dist", size)
        graphs = json.loads((build / "manifest.json").read_text())["graphs"]
        total = sum(g["triples"] for g in graphs.values())
        results[total] = {}
        for name in args.backends.split(","):
            print(f"{total} triples, {name} …", file=sys.stderr, flush=True)
            results[total][name] = run_backend(name, build, work, args.rounds)
            print(json.dumps({k: v for k, v in results[total][name].items() if k != "per_query_p50"}),
                  file=sys.stderr, flush=True)
            write(results, args.out, args.rounds)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
