"""The query pool in-process (server/endpoint/pool.py): its processes outlive the request thread that needed
them."""
import os
import threading
import time

from server.endpoint.pool import QueryPool


def _pid(job):
    return os.getpid()


def test_query_processes_outlive_the_thread_that_asked_for_them():
    """A child dies with the *thread* that forked it (PR_SET_PDEATHSIG), and the HTTP server retires idle
    request threads; so the pool forks from a thread of its own, and a process survives its first caller."""
    pool = QueryPool(_pid, timeout=10)
    try:
        first = []
        caller = threading.Thread(target=lambda: first.append(pool.run("job")))
        caller.start()
        caller.join()
        time.sleep(0.5)  # a death signal would have arrived by now
        assert first and first[0] != os.getpid()
        idle = pool.idle()
        assert idle and all(w.process.is_alive() for w in idle)
        assert pool.run("again") == first[0]  # the same process, reused
    finally:
        pool.close()


def test_a_process_that_died_while_idle_is_replaced():
    pool = QueryPool(_pid, timeout=10)
    try:
        pid = pool.run("job")
        os.kill(pid, 9)
        time.sleep(0.2)
        assert pool.run("again") not in (pid, os.getpid())
    finally:
        pool.close()
