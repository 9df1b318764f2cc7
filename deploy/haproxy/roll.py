"""Roll the replicas behind HAProxy to a new build, one at a time, without a failed request.

    python deploy/haproxy/roll.py --socket /run/haproxy/apg-kg.sock --expect SHA \\
        --replica apg/r1=http://127.0.0.1:8001 --replica apg/r2=http://127.0.0.1:8002 \\
        --restart 'systemctl restart apg-kg@{server}'

For each replica: HAProxy's runtime API puts it in DRAIN (no new requests; those in flight finish), the
script waits until it holds no session, runs the restart command (which starts it on the new build), waits
until its /healthz names the new dataset (``ok VERSION SHA12``: the first 12 hex digits of the new
dataset.nq's sha256, ``apg info`` shows it), then sets it READY and waits until HAProxy's health check has it
UP again, before the next one. The other replicas serve meanwhile, so with two or more no request fails.
Standard library only.
"""
import argparse
import socket
import subprocess
import sys
import time
import urllib.request


def api(path: str, command: str) -> str:
    """One command on HAProxy's runtime API (the stats socket)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        s.sendall(command.encode() + b"\n")
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                return b"".join(chunks).decode()
            chunks.append(data)


def server_state(path: str, backend: str, server: str) -> dict:
    """The server's row of ``show stat`` (status, scur …)."""
    lines = api(path, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == backend and row.get("svname") == server:
            return row
    raise LookupError(f"no server {backend}/{server} in HAProxy")


def _wait(what: str, ok, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        if time.monotonic() > deadline:
            raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
        time.sleep(0.1)


def healthz(url: str) -> str:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
            return resp.read().decode()
    except OSError:
        return ""


def roll(socket_path: str, replicas: list[tuple[str, str]], restart, expect: str, *, timeout: float = 120,
         log=print) -> None:
    """``replicas``: (backend/server, replica URL); ``restart(server)`` restarts one on the new build;
    ``expect``: the new dataset's sha256 (or its first 12 hex digits)."""
    short = expect[:12]
    for name, url in replicas:
        _roll_one(socket_path, name, url, restart, short, timeout, log)


def _roll_one(socket_path: str, name: str, url: str, restart, short: str, timeout: float, log) -> None:
    backend, server = name.split("/")

    def state():
        return server_state(socket_path, backend, server)

    log(f"{name}: drain")
    api(socket_path, f"set server {name} state drain")
    _wait(f"{name} to finish its requests", lambda: state()["scur"] == "0", timeout)
    log(f"{name}: restart")
    restart(server)
    _wait(f"{name} to serve {short}", lambda: short in healthz(url), timeout)
    api(socket_path, f"set server {name} state ready")
    _wait(f"HAProxy to have {name} UP", lambda: state()["status"].startswith("UP"), timeout)
    log(f"{name}: up on {short}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="roll.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--socket", required=True, help="HAProxy's runtime API socket")
    parser.add_argument("--replica", action="append", required=True, help="BACKEND/SERVER=URL (in order)")
    parser.add_argument("--restart", required=True, help="shell command; {server} is the server's name")
    parser.add_argument("--expect", required=True, help="sha256 of the new build's dataset.nq")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    replicas = [tuple(r.split("=", 1)) for r in args.replica]
    try:
        roll(args.socket, replicas, lambda server: subprocess.run(args.restart.format(server=server),
                                                                  shell=True, check=True),
             args.expect, timeout=args.timeout)
    except (OSError, TimeoutError, LookupError, subprocess.CalledProcessError) as exc:
        sys.exit(f"roll.py: {exc}")


if __name__ == "__main__":
    main(sys.argv[1:])
