"""``apg serve``: the app under granian (https://github.com/emmett-framework/granian), started
programmatically.

Why granian and not gunicorn's sync workers: a sync worker is held by one connection from its first byte to
its last, so four clients that never finish their headers took the whole server away, and every request paid
for a new TCP connection. Granian's HTTP side is an event loop (Rust, hyper): slow or idle connections cost a
socket, not a worker; headers must arrive within HEADER_TIMEOUT; request line and headers are capped at 408
KiB (431 above, before any Python code runs; an 8 MB request line is refused in milliseconds); keep-alive is
on. Complete requests are handed to THREADS Python threads per worker, and at most QUERY_SLOTS of them wait on
query processes at once (server/endpoint/pool.py), so cheap requests (``/healthz``, cached answers, pages,
downloads)
keep being served while slow queries run. Measured side by side in bench/ (see bench/results*.md).

Start-up: the app is created once, in the master, so a missing or broken build or a bad setting stops
start-up with one line before any worker exists, and the port is checked before granian binds it (one line and
exit if taken). The workers are forked from the master (granian's ``fork`` start method) and serve that same
app: the store is loaded once and its memory shared copy-on-write (server/reload.py, ``Reloading.adopt``).
``SIGHUP`` respawns the workers one at a time (new one up, then the old one stopped gracefully), each loading
the build in DIST as it is then if it is not the master's; but a new build needs no signal: every worker
switches to it in place when ``apg build`` swaps it in (server/reload.py), without closing a connection.
A worker that dies is respawned."""
import errno
import gc
import socket

from .logs import LOG_CONFIG

_HEADER_BUFFER = 417_792


class PortInUse(OSError):
    pass


def check_port(host: str, port: int) -> None:
    """Raise PortInUse (one line) if host:port cannot be bound now."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PortInUse(f"{host}:{port} is already in use; stop the other server or give --port") \
                    from None
            raise PortInUse(f"cannot listen on {host}:{port}: {exc.strerror}") from None


def granian_options(config) -> dict:
    from granian.constants import HTTPModes, Interfaces
    from granian.http import HTTP1Settings

    return dict(
        address=config["HOST"].strip("[]"),
        port=config["PORT"],
        interface=Interfaces.WSGI,
        http=HTTPModes.http1,
        workers=config["WORKERS"],
        blocking_threads=config["THREADS"],
        blocking_threads_idle_timeout=config["THREAD_IDLE_TIMEOUT"],
        # Requests accepted for the Python threads at once; more wait in the event loop (a socket each).
        backpressure=config["THREADS"] * 4,
        # hyper's buffer for request line + headers (408 KiB): 431 above it, before any Python code runs; a
        # URI above 65 534 bytes is 414 (longer queries are POSTed).
        http1_settings=HTTP1Settings(header_read_timeout=int(config["HEADER_TIMEOUT"] * 1000),
                                     keep_alive=True, max_buffer_size=_HEADER_BUFFER),
        respawn_failed_workers=True,
        respawn_interval=0.5,
        workers_kill_timeout=int(config["TIMEOUT"]) + 5,
        log_enabled=True,
        log_access=config["ACCESS_LOG"],
        log_dictconfig=LOG_CONFIG,
    )


def run(reloading) -> None:
    """Serve until stopped. ``reloading``: the master's ``server.reload.Reloading``, its app made (and the
    build loaded) once here; each worker adopts it (the store shared copy-on-write) and makes its next
    apps, on a new build, from the same settings (a reload reads the environment and the build again)."""
    from granian.server import Server

    def load(_target):
        served = reloading.adopt()
        # What the worker serves lives as long as it does: out of the collector's sight, a full collection no
        # longer walks it while requests wait, and the query processes forked later share those pages instead
        # of copying them when the collector touches them (the master's objects are frozen already; these are
        # a worker's own app, when it loaded one). Only at start: a reloaded build's objects stay collectable.
        gc.collect()
        gc.freeze()
        return served

    settings = reloading.app.config
    # The master's objects (the app, the store's Python side) likewise, before the workers are forked: the
    # collector's passes would otherwise write to every page of them in every worker, turning the shared
    # copy-on-write pages into private copies.
    gc.collect()
    gc.freeze()
    Server("apg:serve", **granian_options(settings)).serve(target_loader=load)
