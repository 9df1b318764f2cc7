"""Scale mode: the real graph replicated to N triples, served by every back end behind the same front end
(``apg serve``): the embedded store in memory (the default), the embedded store on disk (``--store-path``,
RocksDB), Oxigraph server and Virtuoso (``--engine``), side by side: time until ready, memory (PSS summed over
every process of the front end and the engine), p50/p99 of the competency mix and of the linked-data pages
through the front end. Results: bench/results-scale.md (and .json beside it, which ``--merge`` keeps rows
from, so a long size can be run on its own).

    .venv/bin/python -m bench.scale --sizes 100000,1000000 [--rounds 5] [--backends embedded,oxigraph]

Copies: copy 0 is the build as it is; copy k > 0 has every IRI under ``{base}id/`` moved to
``{base}id/copy{k}/`` (the ontology graph is not copied), so the copies are disjoint and the competency
queries keep their shape (the queries naming a resource find it in copy 0; the others find k times as many
rows); the pages are those of copy-0 resources, whose descriptions do not grow with the copies.
Each query or page is sent with a unique trailing comment or parameter, so no answer cache helps. Sequential
requests, one client.
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


# Virtuoso's buffer pool (8 KiB pages, allocated at start): room for the 10M-triple build's indexes
VIRTUOSO_BUFFERS = 85_000
BACKENDS = ("embedded", "embedded-disk", "oxigraph", "virtuoso")
PAGES = [  # the linked-data pages of copy-0 resources, one of each kind, as a browser asks for them
    "/doc/person/khrushchev", "/doc/person/zhukov", "/doc/event/zhukov-airlift-1957-06",
    "/doc/organization/supreme-soviet", "/doc/place/ussr", "/doc/topic/stalinist-terror",
    "/doc/speech/zhukov-accuses-repressions", "/doc/vote/removal-vote-1957-06/vote-suslov",
    "/doc/claim/zhukov-important-role", "/doc/decision/supreme-soviet-approval-1957-02/effect-1",
    "/doc/holding/voroshilov-chairman-presidium-supreme-soviet", "/doc/person/khrushchev.ttl",
    "/id/person/bulganin",
    "/fragments?predicate=http%3A%2F%2Fwww.w3.org%2F1999%2F02%2F22-rdf-syntax-ns%23type",
]
# Not in the mix: the landing page (/), which lists every resource of the build (1M triples: 354 MB in 34 s).


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
        from server.engines import virtuoso

        sql = free_port()
        proc = _popen(virtuoso.command(work, HOST, http, sql, [build], buffers=VIRTUOSO_BUFFERS),
                      work / "virtuoso.out")
        url, isql = f"http://{HOST}:{http}/sparql", f"{HOST}:{sql}"
    _wait(url + "?query=" + urllib.parse.quote("ASK {}"), 120)
    return proc, url, isql


def competency_mix() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "queries").glob("*.rq"))]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 303 of /id/ is the page's answer: not followed
        return None


_PAGES = urllib.request.build_opener(_NoRedirect)


def _page(url: str, timeout: float) -> int:
    request = urllib.request.Request(url, headers={"Accept": "text/html,*/*;q=0.8"})
    try:
        with _PAGES.open(request, timeout=timeout) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        exc.read()
        return exc.code
    except TimeoutError:
        return 0


def _summary(times: dict, errors: dict) -> dict:
    every = sorted(t for ts in times.values() for t in ts)
    return {"per_p50": {s: statistics.median(ts) for s, ts in times.items()},
            "p50": statistics.median(every), "p99": every[min(len(every) - 1, int(len(every) * 0.99))],
            "errors": errors}


def measure(front: str, rounds: int, timeout: float) -> dict:
    """Latencies (ms) of the competency queries through the front end, each sent ``rounds`` times."""
    times, errors = {}, {}
    n = 0
    for stem, text in competency_mix():
        for _ in range(rounds):
            n += 1
            unique = f"{text}\n# run {time.time_ns()} {n}"
            url = front + "/sparql?" + urllib.parse.urlencode({"query": unique})
            t0 = time.perf_counter()
            try:
                status, body = _get(url, timeout)
            except TimeoutError:
                status, body = 0, b"timeout"
            times.setdefault(stem, []).append((time.perf_counter() - t0) * 1000)
            if status != 200:
                errors[stem] = f"{status} {body[:80]!r}"
    return _summary(times, errors)


def measure_pages(front: str, rounds: int, timeout: float) -> dict:
    """Latencies (ms) of the linked-data pages through the front end, each asked ``rounds`` times (a unique
    parameter each time, which the pages ignore and the answer cache keys on)."""
    times, errors = {}, {}
    n = 0
    for path in PAGES:
        for _ in range(rounds):
            n += 1
            url = f"{front}{path}{'&' if '?' in path else '?'}run={time.time_ns()}-{n}"
            t0 = time.perf_counter()
            status = _page(url, timeout)
            times.setdefault(path, []).append((time.perf_counter() - t0) * 1000)
            if status not in (200, 303):
                errors[path] = str(status or "timeout")
    return _summary(times, errors)


def _du_mib(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20 if path.exists() else 0.0


def _serve(args: list[str], log: Path, env: dict, port: int) -> tuple[subprocess.Popen, float]:
    t0 = time.monotonic()
    front = _popen(args, log, env=env)
    try:
        _wait(f"http://{HOST}:{port}/healthz", 1800)
    except Exception:
        _stop(front)
        raise
    return front, time.monotonic() - t0


def run_backend(name: str, build: Path, work: Path, rounds: int, timeout: float = 120) -> dict:
    apg = str(Path(sys.executable).parent / "apg")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("APG_")}
    env["APG_TIMEOUT"] = "60"
    engine = None
    t0 = time.monotonic()
    load_s = 0.0
    load_before = os.getloadavg()[0]
    args = [apg, "serve", "--dist", str(build), "--port", str(port), "--host", HOST]
    disk = None
    try:
        if name == "embedded-disk":
            disk = work / "store"
            shutil.rmtree(disk, ignore_errors=True)
            args += ["--store-path", str(disk)]
        elif name != "embedded":
            engine, url, isql = start_engine(name, work / name, build)
            disk = work / name
            t_load = time.monotonic()
            from server.engines.load import load

            load(url, build, isql=isql)
            load_s = time.monotonic() - t_load
            args += ["--engine", url]
        front, _ = _serve(args, work / f"serve-{name}.log", env, port)
        try:
            ready = time.monotonic() - t0
            time.sleep(1)
            pgids = [front.pid] + ([engine.pid] if engine else [])
            pss = pss_kib(pgids)
            result = {"mix": measure(f"http://{HOST}:{port}", rounds, timeout),
                      "pages": measure_pages(f"http://{HOST}:{port}", rounds, timeout)}
            result.update(ready_s=ready, load_s=load_s, pss_mib=pss / 1024,
                          pss_after_mib=pss_kib(pgids) / 1024)
        finally:
            _stop(front)
        if name == "embedded-disk":  # a restart over the store already on disk
            front, result["restart_s"] = _serve(args, work / f"serve-{name}-again.log", env, port)
            _stop(front)
        result["disk_mib"] = _du_mib(disk) if disk else 0.0
        result["loadavg"] = (load_before, os.getloadavg()[0])
        result["rounds"] = rounds
        result["at"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        return result
    finally:
        if engine:
            _stop(engine)


def write(results: dict, out: Path) -> None:
    order = {name: i for i, name in enumerate(BACKENDS)}
    results = {size: dict(sorted(by.items(), key=lambda kv: order.get(kv[0], len(order))))
               for size, by in sorted(results.items(), key=lambda kv: int(kv[0]))}
    out.with_suffix(".json").write_text(json.dumps(results, indent=1) + "\n")
    lines = ["# Scale: one front end over the embedded store (memory, disk), Oxigraph server, Virtuoso", "",
             "`python -m bench.scale` (bench/scale.py): the build replicated into disjoint copies; each "
             "back end behind `apg serve` (2 workers); ready = start until `/healthz` answers (on disk: the "
             "store made from dataset.nq first; engines: start, `apg load`, front end); PSS summed over the "
             "front end's and the engine's processes after start (and after the mixes; the page cache of "
             "files read, not mapped, is in no PSS: hence the store's size on disk beside it); the "
             f"competency mix (14 queries) and the linked-data pages ({len(PAGES)} pages), each sent n "
             "times (unique texts and URLs), one sequential client, through the front end. Shared 2-core "
             "machine: the load average (1 min) at the start and end of each back end's run is given, "
             "and when it ran.",
             "",
             "| triples | back end | ready s | of which load s | PSS MiB (after mixes) | on disk MiB | "
             "queries p50 ms | queries p99 ms | pages p50 ms | pages p99 ms | errors | n | load avg | at |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for size, by in results.items():
        for name, r in by.items():
            errors = sorted(r["mix"]["errors"]) + sorted(r["pages"]["errors"])
            ready = f"{r['ready_s']:.1f}" + (f" (restart {r['restart_s']:.1f})" if "restart_s" in r else "")
            lines.append(f"| {int(size):,} | {name} | {ready} | {r['load_s']:.1f} | {r['pss_mib']:.0f} "
                         f"({r['pss_after_mib']:.0f}) | {r['disk_mib']:.0f} | {r['mix']['p50']:.1f} | "
                         f"{r['mix']['p99']:.1f} | {r['pages']['p50']:.1f} | {r['pages']['p99']:.1f} | "
                         f"{', '.join(errors) or '-'} | {r['rounds']} | "
                         f"{r['loadavg'][0]:.1f}-{r['loadavg'][1]:.1f} | {r['at']} |")
    stems = [s for s, _ in competency_mix()]
    lines += ["", "Per query, p50 ms:", "",
              "| triples | back end | " + " | ".join(s[:2] for s in stems) + " |",
              "|---|---|" + "---|" * len(stems)]
    for size, by in results.items():
        for name, r in by.items():
            lines.append(f"| {int(size):,} | {name} | " + " | ".join(
                f"{r['mix']['per_p50'].get(s, 0):.0f}" for s in stems) + " |")
    lines += ["", "Per page, p50 ms (" + ", ".join(f"{i + 1}: `{p}`" for i, p in enumerate(PAGES)) + "):", "",
              "| triples | back end | " + " | ".join(str(i + 1) for i in range(len(PAGES))) + " |",
              "|---|---|" + "---|" * len(PAGES)]
    for size, by in results.items():
        for name, r in by.items():
            lines.append(f"| {int(size):,} | {name} | " + " | ".join(
                f"{r['pages']['per_p50'].get(p, 0):.0f}" for p in PAGES) + " |")
    notes = out.with_name(out.stem + "-notes.md")
    if notes.is_file():  # the reading of the figures, written by hand
        lines += ["", notes.read_text(encoding="utf-8").rstrip()]
    out.write_text("\n".join(lines) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--work", type=Path, default=Path("/tmp/apg-bench-scale"))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results-scale.md")
    parser.add_argument("--merge", action="store_true",
                        help="keep the last run's rows (OUT with .json) of sizes and back ends not run now")
    parser.add_argument("--client-timeout", type=float, default=120,
                        help="seconds to wait for one answer; longer counts as an error (timeout)")
    args = parser.parse_args(argv)
    results = {}
    previous = args.out.with_suffix(".json")
    if args.merge and previous.is_file():
        results = json.loads(previous.read_text())
    for size in (int(s) for s in args.sizes.split(",")):
        work = args.work / str(size)
        shutil.rmtree(work, ignore_errors=True)
        build = scaled_build(args.dist, work / "dist", size)
        graphs = json.loads((build / "manifest.json").read_text())["graphs"]
        total = str(sum(g["triples"] for g in graphs.values()))
        results.setdefault(total, {})
        for name in args.backends.split(","):
            print(f"{total} triples, {name} … {time.strftime('%H:%M:%S')}", file=sys.stderr, flush=True)
            try:
                results[total][name] = run_backend(name, build, work, args.rounds, args.client_timeout)
            except Exception as exc:  # one back end that fails (not ready in time, a load refused) is a row
                print(f"{name} failed: {exc}", file=sys.stderr, flush=True)
                continue
            print(json.dumps({k: v for k, v in results[total][name].items() if k not in ("mix", "pages")}),
                  file=sys.stderr, flush=True)
            write(results, args.out)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
