"""A user query over an engine: screened in a query process, then sent by the worker, within one time limit.

The query process (server/endpoint/pool.py: sandboxed, no sockets, killed at the time limit) runs
``screen.vet``; only a query it passes is sent, by a thread of the HTTP worker, to the engine. The engine gets
what is left of the time limit as its own (Virtuoso's ``timeout`` parameter; Oxigraph server's is set when it
starts: ``--timeout-s``), and the front end keeps the limit in any case: when it passes, the engine's
connection is shut down and the client gets its 503 at once, whatever the engine does. The engine's answer is
read with a size cap and written by the same serialisers as the embedded store's.

``EngineRunner`` has the query pool's ``run`` and ``close``, and raises its exceptions (Saturated,
QueryTimeout …), so the SPARQL blueprint does not know which store answers.
"""
import functools
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import pyoxigraph as ox

from .. import describe
from ..endpoint import pool, query
from ..formats import GRAPH, content_type
from .client import AnswerTooLarge, EngineError, EngineRefused, EngineTimeout
from .screen import Vetted, vet_fields


class Exchange:
    """The socket of a request to the engine, so the waiting thread can abort it at the time limit."""

    def __init__(self):
        self.sock, self.aborted = None, False

    def abort(self) -> None:
        self.aborted = True
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Timeout:
    pass


class EngineRunner:
    def __init__(self, screens: pool.QueryPool, store, config):
        self.screens, self.store = screens, store
        self.timeout, self.queue_wait = config["TIMEOUT"], config["QUEUE_WAIT"]
        slots = config["QUERY_SLOTS"]
        self._slots = threading.BoundedSemaphore(slots)
        self._threads = ThreadPoolExecutor(slots, thread_name_prefix="apg-engine")

    def run(self, job) -> query.Reply:
        """``job``: a Job or its fields (the pool's wire form, server/endpoint/sparql.py ``run``)."""
        job = query.Job._make(job)
        deadline = time.monotonic() + self.timeout
        outcome = self.screens.run(tuple(job))
        if not isinstance(outcome, Vetted):
            return outcome
        if not self._slots.acquire(timeout=max(0.0, min(self.queue_wait, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                raise pool.QueryTimeout
            raise pool.Saturated
        exchange = Exchange()
        try:
            future = self._threads.submit(self._evaluate, job, outcome, deadline, exchange)
        except RuntimeError:  # shut down (an old app after a reload)
            self._slots.release()
            raise pool.Saturated from None
        try:
            reply = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            exchange.abort()
            raise pool.QueryTimeout from None
        if isinstance(reply, _Timeout):
            raise pool.QueryTimeout
        return reply

    def _evaluate(self, job: query.Job, vetted: Vetted, deadline: float, exchange: Exchange):
        try:
            return self._answer(job, vetted, deadline, exchange)
        except query.QueryError as exc:
            return query.Reply(exc.status, query.one_line(exc).encode())
        except (query.ResultTooLarge, AnswerTooLarge):
            return query.too_large(job)
        except EngineRefused as exc:
            return query.Reply(400, f"the SPARQL engine cannot evaluate this query: {exc}".encode())
        except EngineTimeout:
            return _Timeout()
        except EngineError as exc:
            return query.Reply(502, query.one_line(exc).encode())
        finally:
            self._slots.release()

    def _answer(self, job: query.Job, v: Vetted, deadline: float, exchange: Exchange) -> query.Reply:
        fmt, media_type = query.negotiate_format(v.kind, job)
        if job.default_graph is not None or job.named_graphs is not None:
            dg, ng = job.default_graph or [], job.named_graphs or []
            query.check_graph_iris(dg, "default-graph-uri")
            query.check_graph_iris(ng, "named-graph-uri")
        elif v.from_default is not None:
            dg, ng = v.from_default, v.from_named
        else:
            dg = ng = None
        # the engine's answer may be larger than ours (XML results against JSON, say), within reason
        options = dict(exchange=exchange, limit=4 * job.max_result_bytes + (1 << 20))
        left = lambda: max(0.05, deadline - time.monotonic())  # noqa: E731
        if v.form == "DESCRIBE":
            resources = [ox.NamedNode(i) for i in v.describe_iris]
            if v.describe_select is not None:
                solutions = self.store.query(v.describe_select, default_graph=dg, named_graphs=ng,
                                             base_iri=job.base, prefixes=query.PREFIXES, graph=False,
                                             timeout=left(), **options)
                resources += describe.resources_from(solutions, v.describe_vars)
            graphs, _ = self.store.dataset(dg, ng)
            result = self.store.describe(list(dict.fromkeys(resources)), graphs, timeout=left(), **options)
        else:
            result = self.store.query(v.text, default_graph=dg, named_graphs=ng, base_iri=job.base,
                                      prefixes=query.PREFIXES, graph=v.kind == GRAPH, timeout=left(),
                                      **options)
        return query.Reply(200, query.serialize(result, fmt, job.max_result_bytes), content_type(media_type))

    def close(self, for_good: bool = False) -> None:
        self.screens.close(for_good)
        if for_good:
            self._threads.shutdown(wait=False)


def init_app(app, store) -> EngineRunner:
    """The query pool of an app over an engine: query processes that screen, a runner that sends."""
    graphs = tuple(g.value for g in store.graphs.values())
    return pool.init_app(app, functools.partial(vet_fields, graphs=graphs),
                         wrap=lambda screens: EngineRunner(screens, store, app.config))
