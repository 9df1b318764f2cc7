"""Serve the rdflib-endpoint baseline with N forked uvicorn worker processes on one port.

``python -m bench.rdflib_serve --host 127.0.0.1 --port 8001 --workers 2 --dist bench/work/dist``

Why not ``uvicorn --workers N``, so that the baseline is not held back by two things that are not rdflib:

- uvicorn's multi-process mode creates the listening socket with ``proto=0``, so asyncio does not set
  TCP_NODELAY on accepted connections, and Nagle's algorithm plus the client's delayed ACK add ~40 ms to every
  keep-alive response (rdflib-endpoint writes headers and body separately). Sockets here are made with
  ``IPPROTO_TCP``, as single-process uvicorn does.
- With one listening socket shared by all workers, the first worker to wake up accepts every connection of a
  benchmark's keep-alive pool, and the other workers idle. Here every worker has its own socket on the same
  port (SO_REUSEPORT), so the kernel spreads connections over the workers.

The dataset is loaded once and the workers are forked from the loaded process (pre-fork, as gunicorn does)."""

import argparse
import os
import signal
import socket
from pathlib import Path

import uvicorn

from .rdflib_app import create_app


def _listen(host: str, port: int, reuse_port: bool = False) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _serve(app, sock: socket.socket) -> None:
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.rdflib_serve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--dist", type=Path, default=Path("dist"))
    args = p.parse_args(argv)

    app = create_app(args.dist)
    if args.workers <= 1:
        _serve(app, _listen(args.host, args.port))
        return

    first = _listen(args.host, args.port, reuse_port=True)  # fail here, not in a child, if the port is taken
    children = []
    for i in range(args.workers):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                sock = first if i == 0 else _listen(args.host, args.port, reuse_port=True)
                _serve(app, sock)
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        children.append(pid)
    first.close()  # the parent accepts nothing; worker 0 keeps its copy

    def stop(signum, frame):
        for pid in children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for pid in children:
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass


if __name__ == "__main__":
    main()
