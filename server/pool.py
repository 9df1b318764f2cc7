"""Query processes: every query runs in a child process that can be killed when it runs too long.

pyoxigraph's ``Store.query`` cannot be interrupted, so a runaway query (a cartesian product, a property path
over everything) would hold its HTTP worker forever. Each HTTP worker process therefore keeps query processes
forked from itself *after* the store was loaded, so they share its memory copy-on-write and start in
milliseconds. A job (server/query.py ``Job``) goes over a pipe; if no reply comes within the time limit the
process is killed (SIGKILL), a ``QueryTimeout`` is raised (the HTTP layer answers 503) and a fresh process
replaces it on the next query. Other HTTP workers keep serving meanwhile.

A pool belongs to the process that created its query processes: after a fork (gunicorn forking its workers
from the master) the child starts with an empty pool of its own. Query processes die with the worker that
forked them (PR_SET_PDEATHSIG on Linux; otherwise when their pipe closes).

In the Flask app the pool is created by ``init_app(app, handler)`` and reached through ``get_pool()``.
"""
import ctypes
import multiprocessing
import os
import signal
import threading

from .extensions import attach, lookup

_EXTENSION = "apg.pool"
_PR_SET_PDEATHSIG = 1


class QueryTimeout(Exception):
    pass


class WorkerLost(Exception):
    """The query process died without answering (e.g. out of memory)."""


class HandlerError(Exception):
    """The handler raised in the query process (a bug: the handler is meant to return every outcome)."""


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _child_main(conn, parent_end, handler, parent_pid) -> None:
    # The HTTP worker's signal handlers (gunicorn's) must not run here: default actions only.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                signal.SIGWINCH, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent()
    parent_end.close()
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            message = (True, handler(job))
        except Exception as exc:  # reported to the parent, which raises HandlerError
            message = (False, f"{type(exc).__name__}: {exc}")
        try:
            conn.send(message)
        except (BrokenPipeError, OSError):
            os._exit(0)


class _Worker:
    def __init__(self, handler):
        ctx = multiprocessing.get_context("fork")
        self.conn, child_end = ctx.Pipe()
        self.process = ctx.Process(target=_child_main, args=(child_end, self.conn, handler, os.getpid()),
                                   daemon=True, name="apg-query")
        self.process.start()
        child_end.close()

    def kill(self) -> None:
        try:
            self.process.kill()
            self.process.join(5)
        finally:
            self.conn.close()
        if self.process.exitcode is not None:
            self.process.close()


class QueryPool:
    def __init__(self, handler, timeout: float):
        self.handler, self.timeout = handler, timeout
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._pid = os.getpid()

    def _take(self) -> _Worker:
        with self._lock:
            if self._pid != os.getpid():  # forked: the inherited processes are not ours
                self._idle, self._pid = [], os.getpid()
            if self._idle:
                return self._idle.pop()
        return _Worker(self.handler)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            if self._pid == os.getpid():
                self._idle.append(worker)
                return
        worker.kill()

    def run(self, job):
        """The handler's reply to ``job``, computed in a query process. Raises QueryTimeout, WorkerLost or
        HandlerError."""
        worker = self._take()
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                worker.kill()
                raise QueryTimeout
            ok, reply = worker.conn.recv()
        except (EOFError, OSError) as exc:
            worker.kill()
            raise WorkerLost(str(exc) or type(exc).__name__) from None
        self._give_back(worker)
        if not ok:
            raise HandlerError(reply)
        return reply

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.kill()


def init_app(app, handler) -> QueryPool:
    return attach(app, _EXTENSION, QueryPool(handler, app.config["TIMEOUT"]))


def get_pool(app=None) -> QueryPool:
    return lookup(_EXTENSION, app)
