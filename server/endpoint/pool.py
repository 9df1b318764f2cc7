"""Query processes: every query runs in a child process that can be killed when it runs too long.

pyoxigraph's ``Store.query`` cannot be interrupted, so a runaway query (a cartesian product, a property path
over everything) would hold its HTTP worker forever. Each HTTP worker process therefore keeps query processes
forked from itself *after* the store was loaded, so they share its memory copy-on-write and start in
milliseconds. A job goes over a pipe (a length and a pickle: the HTTP layer sends plain tuples, see
server/endpoint/query.py ``Job.fields``); if no reply comes within the time limit the process is killed
(SIGKILL), a ``QueryTimeout`` is raised (the HTTP layer answers 503) and a fresh process replaces it on the
next query. Other HTTP workers keep serving meanwhile.

A pool belongs to the process that created its query processes: after a fork (the HTTP server forking its
workers from the master) the child starts with an empty pool of its own. Query processes die with the worker
that forked them (PR_SET_PDEATHSIG on Linux; otherwise when their pipe closes).

Each query process is sandboxed when it starts (server/endpoint/sandbox.py): it cannot open a socket, and its
address space is capped. A killed or dead process is reaped before the caller is told, so a timed-out query is
gone by the time its 503 is written.

At most ``slots`` queries evaluate at once per HTTP worker; a request that finds them all busy waits up to
``queue_wait`` seconds for one, then gets ``Saturated`` (the HTTP layer answers 503 with Retry-After), so slow
queries cannot hold the threads that cheap requests need.

In the Flask app the pool is created by ``init_app(app, handler)`` and reached through ``get_pool()``.
"""
import collections
import ctypes
import gc
import multiprocessing
import os
import pickle
import queue
import select
import signal
import struct
import threading
from concurrent.futures import ThreadPoolExecutor

from ..extensions import attach, lookup
from . import sandbox

_EXTENSION = "apg.pool"
_PR_SET_PDEATHSIG = 1
_STACK_BYTES = 64 * 1024 * 1024


class QueryTimeout(Exception):
    pass


class WorkerLost(Exception):
    """The query process died without answering; ``args[0]``: its exit code (negative: the signal)."""

    @property
    def how(self) -> str:
        code = self.args[0] if self.args else None
        if code == -signal.SIGABRT:  # Rust aborts when an allocation fails under RLIMIT_AS
            return "memory"
        if code == -signal.SIGSEGV:  # a stack overflow
            return "stack"
        return "other"


class Saturated(Exception):
    """Every query slot stayed busy for the whole queue wait."""


class _NotDelivered(Exception):
    """The job could not be written: the query process had died before."""


class HandlerError(Exception):
    """The handler raised in the query process (a bug: the handler is meant to return every outcome)."""


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _child_main(jobs, replies, parent_ends, handler, parent_pid, memory_bytes) -> None:
    # The HTTP worker's signal handlers (granian's) must not run here: default actions only.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
                signal.SIGWINCH, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    _die_with_parent()
    for fd in parent_ends:
        os.close(fd)
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(0)
    sandbox.set_name(b"apg-query")
    # Everything inherited from the HTTP worker stays as it is: the collector need not walk it (and a full
    # collection over the worker's objects would stall a query).
    gc.freeze()
    try:
        sandbox.deny_network()
        sandbox.limit_memory(memory_bytes)
    except OSError:
        os._exit(70)  # never evaluate a user query without the sandbox; the parent answers 503
    # The process was forked from one of the HTTP server's request threads, whose stack is small (the server's
    # threads are not Python's main thread); parsers recurse, so jobs run on a thread with a main-sized stack.
    threading.stack_size(_STACK_BYTES)
    thread = threading.Thread(target=_serve_jobs, args=(jobs, replies, handler), name="apg-query")
    thread.start()
    thread.join()
    os._exit(0)


# The wire, both ways: an 8-byte length, then a pickle (protocol 5) of the message, with plain os.read and
# os.write on two pipes: multiprocessing's Connection (its pickler, its poll) cost more than the rest of the
# hand-off.
_LENGTH = struct.Struct("!Q")


def _send(fd: int, message) -> None:
    data = pickle.dumps(message, protocol=5)
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


def _recv(fd: int):
    """The next message; EOFError if the other end closed first. Length and message usually come in one read
    (one syscall: each side has at most one message in flight, so a read never takes part of the next)."""
    data = os.read(fd, _FIRST_READ)
    if len(data) < _LENGTH.size:
        data += _read_exactly(fd, _LENGTH.size - len(data))
    (size,) = _LENGTH.unpack_from(data)
    end = _LENGTH.size + size
    if len(data) < end:
        data += _read_exactly(fd, end - len(data))
    if len(data) > end:
        raise EOFError("more than one message in the pipe")
    return pickle.loads(memoryview(data)[_LENGTH.size:])


_FIRST_READ = 1 << 16  # a pipe's buffer: a job or an answer of up to 64 KiB comes in one read


def _read_exactly(fd: int, size: int) -> bytes:
    buf = bytearray()
    while len(buf) < size:
        chunk = os.read(fd, size - len(buf))
        if not chunk:
            raise EOFError
        buf += chunk
    return bytes(buf)


def _serve_jobs(jobs: int, replies: int, handler) -> None:
    while True:
        try:
            job = _recv(jobs)
        except (EOFError, OSError):
            return
        try:
            message = (True, handler(job))
        except Exception as exc:  # reported to the parent, which raises HandlerError
            message = (False, f"{type(exc).__name__}: {exc}")
        try:
            _send(replies, message)
        except OSError:
            return


class _Worker:
    def __init__(self, handler, memory_bytes: int):
        ctx = multiprocessing.get_context("fork")
        jobs_r, self.jobs = os.pipe()
        self.replies, replies_w = os.pipe()
        self.process = ctx.Process(target=_child_main,
                                   args=(jobs_r, replies_w, (self.jobs, self.replies), handler, os.getpid(),
                                         memory_bytes),
                                   daemon=True, name="apg-query")
        try:
            self.process.start()
        finally:
            os.close(jobs_r)
            os.close(replies_w)
        self.poller = select.poll()
        self.poller.register(self.replies, select.POLLIN)
        self._open = True

    def ask(self, job, timeout: float):
        """The reply to ``job``; QueryTimeout if none began within ``timeout`` s; EOFError/OSError if the
        process died."""
        try:
            _send(self.jobs, job)
        except BrokenPipeError:  # no reader: the process is gone, and the job was not evaluated
            raise _NotDelivered from None
        if not self.poller.poll(max(0, int(timeout * 1000))):
            raise QueryTimeout
        return _recv(self.replies)

    def kill(self) -> int | None:
        """SIGKILL the process and reap it; its exit code (None if it could not be reaped in 5 s)."""
        try:
            self.process.kill()
            self.process.join(5)
        finally:
            if self._open:
                self._open = False
                os.close(self.jobs)
                os.close(self.replies)
        code = self.process.exitcode
        if code is not None:
            self.process.close()
        return code


class QueryPool:
    """At most ``slots`` queries at once: a slot is a token in a C-level queue (waiting for one and handing
    it back cost no Python lock or condition), and the idle processes wait in a deque, the most recently used
    first (its pages are the warmest); a slot without an idle process starts one."""

    def __init__(self, handler, timeout: float, *, slots: int = 2, queue_wait: float = 1.0,
                 memory_bytes: int = 0):
        self.handler, self.timeout = handler, timeout
        self.memory_bytes, self.queue_wait = memory_bytes, queue_wait
        self.slots = slots
        self._lock = threading.Lock()
        self._closed = False
        self._spawner: ThreadPoolExecutor | None = None
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._idle: collections.deque[_Worker] = collections.deque()
        self._tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(self.slots):
            self._tokens.put(None)

    def _spawn(self) -> _Worker:
        # PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, and the HTTP server retires
        # idle request threads: so every query process is forked by one long-lived thread of this pool.
        with self._lock:
            if self._spawner is None:
                self._spawner = ThreadPoolExecutor(1, thread_name_prefix="apg-spawn")
            spawner = self._spawner
        return spawner.submit(_Worker, self.handler, self.memory_bytes).result()

    def _check_fork(self) -> None:
        """After a fork the inherited processes and threads are not ours: start empty."""
        if self._pid != os.getpid():
            with self._lock:
                if self._pid != os.getpid():
                    self._reset()
                    self._spawner = None

    def idle(self) -> list[_Worker]:
        """The idle processes now (for tests and diagnostics)."""
        return list(self._idle)

    def run(self, job):
        """The handler's reply to ``job``, computed in a query process. Raises Saturated, QueryTimeout,
        WorkerLost or HandlerError."""
        self._check_fork()
        tokens, idle = self._tokens, self._idle
        try:
            tokens.get(timeout=self.queue_wait)
        except queue.Empty:
            raise Saturated from None
        worker = None
        try:
            while True:
                try:
                    worker, fresh = idle.pop(), False
                except IndexError:
                    worker, fresh = self._spawn(), True
                try:
                    ok, reply = worker.ask(job, self.timeout)
                    break
                except _NotDelivered:
                    # The process died while idle (found out here, not by a waitpid before every query):
                    # reap it and try the next. One just started that is gone did not start (its sandbox
                    # failed): that is the answer.
                    code, worker = worker.kill(), None
                    if fresh:
                        raise WorkerLost(code) from None
                except QueryTimeout:
                    worker.kill()
                    worker = None
                    raise
                except (EOFError, OSError):
                    code, worker = worker.kill(), None
                    raise WorkerLost(code) from None
        finally:
            if worker is not None:
                if self._closed or idle is not self._idle:
                    worker.kill()  # a closed pool, or a fork since: the process is not handed out again
                else:
                    idle.append(worker)
            tokens.put(None)
        if not ok:
            raise HandlerError(reply)
        return reply

    def close(self, for_good: bool = False) -> None:
        """Stop the idle query processes; ``for_good``: also those still answering, when they are done."""
        with self._lock:
            self._closed = self._closed or for_good
            if for_good and self._spawner is not None:
                self._spawner.shutdown(wait=False)
        while True:
            try:
                worker = self._idle.popleft()
            except IndexError:
                break
            worker.kill()


def init_app(app, handler, wrap=None) -> QueryPool:
    """``wrap``: makes the app's runner from the pool (an engine's: server/engines/runner.py)."""
    cfg = app.config
    made = QueryPool(handler, cfg["TIMEOUT"], slots=cfg["QUERY_SLOTS"], queue_wait=cfg["QUEUE_WAIT"],
                     memory_bytes=cfg["MAX_QUERY_MEMORY"])
    return attach(app, _EXTENSION, wrap(made) if wrap else made)


def get_pool(app=None) -> QueryPool:
    return lookup(_EXTENSION, app)
