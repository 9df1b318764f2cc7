"""Closed-loop load generators: ``wrk`` (Debian's package, driven by a generated Lua script) or a Python
asyncio one.

Both keep ``concurrency`` keep-alive connections busy for ``duration`` seconds, each connection sending the
next request of the query mix (round-robin) as soon as the previous answer arrived, and report completed
requests, errors and latency percentiles. Neither corrects for coordinated omission: this is a closed loop at
fixed concurrency, so the numbers are throughput at that concurrency and the latency the clients saw."""

import asyncio
import json
import resource
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


def run_tag() -> str:
    """A fresh prefix for one run's --unique serials (hex, URL-safe): wrk's request counter starts at 0 in
    every run, so without it the texts of the warm-up and of every round would repeat the first run's, and a
    server's answer cache would serve them."""
    return secrets.token_hex(5) + "-"


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # path + query string
    headers: dict
    body: bytes = b""


@dataclass
class RunResult:
    requests: int  # completed requests (any status)
    ok: int  # completed with a status below 400
    errors: int  # statuses >= 400, socket errors, timeouts
    duration_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    loadgen_cpu_s: float
    detail: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0


def wrk_version() -> str | None:
    exe = shutil.which("wrk")
    if not exe:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return (out.stdout + out.stderr).splitlines()[0].strip() if (out.stdout + out.stderr) else "wrk"


def _lua_string(data: bytes) -> str:
    out = []
    for b in data:
        c = chr(b)
        if 32 <= b < 127 and c not in '"\\':
            out.append(c)
        else:
            out.append(f"\\{b:03d}")
    return '"' + "".join(out) + '"'


_LUA_DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHJSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,\"connect\":%d,\"read\":%d,\"write\":%d," ..
    "\"status\":%d,\"timeout\":%d,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"mean\":%.3f,\"max\":%d}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, latency.max))
end
"""


def wrk_script(requests: list[Request], unique: bool = False) -> str:
    lines = [f"local unique = {'true' if unique else 'false'}", "local specs = {"]
    for r in requests:
        headers = ", ".join(
            f"[{_lua_string(k.encode())}] = {_lua_string(v.encode())}" for k, v in r.headers.items()
        )
        body = _lua_string(r.body) if r.body else "nil"
        lines.append(
            f"  {{ {_lua_string(r.method.encode())}, {_lua_string(r.path.encode())}, {{ {headers} }}, "
            f"{body} }},"
        )
    lines.append("}")
    lines.append("""
local reqs = {}
local n = 0
local i = 0
init = function(args)
  for k, s in ipairs(specs) do
    reqs[k] = wrk.format(s[1], s[2], s[3], s[4])
  end
  n = #reqs
  i = tonumber(args[1] or "0") or 0
  tag = args[2] or ""
end
request = function()
  i = i + 1
  local k = (i % n) + 1
  if unique then
    -- a distinct query text every time (a trailing comment "#<run tag><i>"): no cache can answer it
    local s = specs[k]
    if s[4] == nil then
      return wrk.format(s[1], s[2] .. "%0A%23" .. tag .. i, s[3], nil)
    end
    return wrk.format(s[1], s[2], s[3], s[4] .. "\\n#" .. tag .. i)
  end
  return reqs[k]
end
""")
    lines.append(_LUA_DONE)
    return "\n".join(lines)


def run_wrk(
    base_url: str,
    requests: list[Request],
    concurrency: int,
    duration: float,
    workdir: Path,
    threads: int = 1,
    timeout_s: int = 60,
    unique: bool = False,
) -> RunResult:
    script = workdir / "wrk-mix.lua"
    script.write_text(wrk_script(requests, unique), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cmd = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(concurrency),
        "-d",
        f"{max(1, round(duration))}s",
        "--timeout",
        f"{timeout_s}s",
        "-s",
        str(script),
        base_url,
        "0",
        run_tag(),
    ]
    done = subprocess.run(
        cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=duration + timeout_s + 30
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCHJSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    d = json.loads(line.removeprefix("BENCHJSON "))
    errors = d["connect"] + d["read"] + d["write"] + d["status"] + d["timeout"]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return RunResult(
        requests=d["requests"],
        ok=d["requests"] - d["status"],
        errors=errors,
        duration_s=d["duration_us"] / 1e6,
        p50_ms=d["p50"] / 1000,
        p90_ms=d["p90"] / 1000,
        p99_ms=d["p99"] / 1000,
        mean_ms=d["mean"] / 1000,
        max_ms=d["max"] / 1000,
        loadgen_cpu_s=cpu,
        detail=d,
    )


# -- Python load generator -----------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(-(-p * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def _encode(req: Request, host: str, serial: str | None = None) -> bytes:
    """The request's bytes; with a serial, its query text ends in a distinct comment (see --unique)."""
    path, body = req.path, req.body
    if serial is not None:
        if req.method == "GET":
            path += f"%0A%23{serial}"  # the query is the last parameter: "\n#<serial>"
        else:
            body += f"\n#{serial}".encode()
    head = [f"{req.method} {path} HTTP/1.1", f"Host: {host}"]
    head += [f"{k}: {v}" for k, v in req.headers.items()]
    if body or req.method == "POST":
        head.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one HTTP/1.1 response; returns (status, keep_alive)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while (await reader.readuntil(b"\r\n")) != b"\r\n":  # trailers
                    pass
                break
            await reader.readexactly(size + 2)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:
        await reader.read()  # body until close
        return status, False
    return status, headers.get("connection", "").lower() != "close"


async def _python_load(
    host: str,
    port: int,
    requests: list[Request],
    concurrency: int,
    duration: float,
    timeout_s: float,
    unique: bool = False,
):
    wire = [_encode(r, f"{host}:{port}") for r in requests]
    tag = run_tag()
    latencies: list[float] = []
    counters = {"requests": 0, "ok": 0, "errors": 0, "next": 0}
    deadline = time.perf_counter() + duration

    async def client():
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout_s)
                i = counters["next"]
                counters["next"] += 1
                t0 = time.perf_counter()
                if unique:
                    writer.write(_encode(requests[i % len(wire)], f"{host}:{port}", f"{tag}{i}"))
                else:
                    writer.write(wire[i % len(wire)])
                status, keep = await asyncio.wait_for(_read_response(reader), timeout_s)
                latencies.append(time.perf_counter() - t0)
                counters["requests"] += 1
                if status >= 400:
                    counters["errors"] += 1
                else:
                    counters["ok"] += 1
                if not keep:
                    writer.close()
                    writer = None
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                counters["errors"] += 1
                if writer is not None:
                    writer.close()
                writer = None
        if writer is not None:
            writer.close()

    t_start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return counters, latencies, time.perf_counter() - t_start


def run_python(
    base_url: str,
    requests: list[Request],
    concurrency: int,
    duration: float,
    timeout_s: float = 60,
    unique: bool = False,
) -> RunResult:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    cpu0 = time.process_time()
    counters, latencies, elapsed = asyncio.run(
        _python_load(host, int(port), requests, concurrency, duration, timeout_s, unique)
    )
    cpu = time.process_time() - cpu0
    lat = sorted(x * 1000 for x in latencies)
    return RunResult(
        requests=counters["requests"],
        ok=counters["ok"],
        errors=counters["errors"],
        duration_s=elapsed,
        p50_ms=_percentile(lat, 50),
        p90_ms=_percentile(lat, 90),
        p99_ms=_percentile(lat, 99),
        mean_ms=sum(lat) / len(lat) if lat else float("nan"),
        max_ms=lat[-1] if lat else float("nan"),
        loadgen_cpu_s=cpu,
    )


def pick(name: str) -> str:
    """Resolve --loadgen auto to wrk when it is installed."""
    if name == "auto":
        return "wrk" if shutil.which("wrk") else "python"
    if name == "wrk" and not shutil.which("wrk"):
        raise RuntimeError("--loadgen wrk: wrk is not installed (Debian: apt-get install -y wrk)")
    return name


def run(
    loadgen: str,
    base_url: str,
    requests: list[Request],
    concurrency: int,
    duration: float,
    workdir: Path,
    unique: bool = False,
) -> RunResult:
    """One closed-loop run; ``unique``: every request's query text ends in a distinct comment, so that no
    cache keyed on the query can answer it (the answer is the same)."""
    if loadgen == "wrk":
        return run_wrk(base_url, requests, concurrency, duration, workdir, unique=unique)
    return run_python(base_url, requests, concurrency, duration, unique=unique)
