"""The allocator of ``apg serve`` (server/allocator.py): jemalloc in the master, its workers and their query
processes (the server starts itself again with it, under the same process id), the C library's with
``APG_ALLOCATOR=system``, a warning and the C library's when jemalloc is missing, one line for a bad value."""
import logging
import os
from pathlib import Path

import pytest
import requests
from liveserver import clean_env, descendants, start, stop

from server import allocator

CHEAP = "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } LIMIT 3"

needs_jemalloc = pytest.mark.skipif(
    allocator._find("jemalloc") is None and not os.environ.get("APG_REQUIRE_JEMALLOC"),
    reason="jemalloc is not installed (Debian: libjemalloc2; .ci/run installs it)")


def _processes(server) -> dict[int, str]:
    """pid -> process name of the server's master and every process under it."""
    found = {}
    for pid in [server.proc.pid, *descendants(server.proc.pid)]:
        try:
            found[pid] = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
    return found


def _allocators(dist, tmp_path, **env) -> dict[int, tuple[str, str]]:
    """Start a server, ask one query of each worker's query processes, and read every process's allocator."""
    srv = start(dist, tmp_path / "serve.log", args=["--workers", "2"], env=clean_env(**env))
    try:
        for n in range(8):  # new connections: both workers get some
            r = requests.get(srv.endpoint, params={"query": f"{CHEAP} # {n}"}, timeout=10)
            assert r.status_code == 200, r.text
        procs = _processes(srv)
        assert list(procs.values()).count("apg-query") >= 1, procs
        return {pid: (name, allocator.in_use(pid)) for pid, name in procs.items()}
    finally:
        stop(srv)
        assert "Traceback" not in srv.log_text()


@needs_jemalloc
def test_master_workers_and_query_processes_run_under_jemalloc(dist, tmp_path):
    found = _allocators(dist, tmp_path)
    assert len(found) >= 4  # the master (the same pid as started), 2 workers, query processes
    assert {a for _, a in found.values()} == {"jemalloc"}, found
    assert "allocator" not in (tmp_path / "serve.log").read_text()  # no warning


def test_system_allocator_on_request(dist, tmp_path):
    found = _allocators(dist, tmp_path, APG_ALLOCATOR="system")
    assert {a for _, a in found.values()} == {"system"}, found


def test_missing_library_warns_and_serves_on(monkeypatch, caplog):
    def no_exec(*args):
        raise AssertionError("started again without the library")

    monkeypatch.setattr(allocator, "_find", lambda name: None)
    monkeypatch.setattr(os, "execve", no_exec)
    with caplog.at_level(logging.WARNING, logger=allocator.__name__):
        allocator.start_with("jemalloc")
    assert "jemalloc is not installed" in caplog.text and "libjemalloc2" in caplog.text


def test_choice():
    assert allocator.choice(None) == "jemalloc" and allocator.choice(" System ") == "system"
    with pytest.raises(ValueError, match="APG_ALLOCATOR='tcmalloc' is not valid"):
        allocator.choice("tcmalloc")
