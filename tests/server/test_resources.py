"""Bounded resources and many clients, against a real server of its own: a memory cap per query process, a
timed-out query's process gone after its 503, request-line and header caps, slow and idle connections that do
not take the server away, slow queries kept apart from cheap requests, load shed with 503 + Retry-After.

No wall-clock assertions: "served" means the normal client's request completed within its (generous) client
timeout while the slow ones were still holding their connections or query slots.
"""
import os
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from liveserver import HOST, clean_env, descendants, start, stop
from sparqlhttp import send

WORKERS = 2
SLOW_TIMEOUT = 8  # the query time limit of this server
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
HUNGRY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?a ?f"  # materialises ~50M rows
CHEAP = "SELECT ?p WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> } LIMIT 3"
CLIENT_TIMEOUT = 5  # what a normal client waits at most; far below what the slow clients hold


@pytest.fixture(scope="module")
def busy_server(dist, tmp_path_factory):
    log = tmp_path_factory.mktemp("busy") / "serve.log"
    srv = start(dist, log, env=clean_env(APG_WORKERS=WORKERS, APG_TIMEOUT=SLOW_TIMEOUT, APG_QUERY_SLOTS=1,
                                         APG_QUEUE_WAIT=0.5, APG_MAX_QUERY_MEMORY=256 * 1024 * 1024,
                                         APG_HEADER_TIMEOUT=30))
    yield srv
    stop(srv)
    assert "Traceback" not in srv.log_text()


def _query_processes(server) -> dict[int, float]:
    """pid -> CPU seconds of every query process of the server."""
    found = {}
    for pid in descendants(server.proc.pid):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "apg-query":
                continue
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def _cheap_requests_served(server, n: int = 5, session: requests.Session | None = None) -> None:
    """/healthz, a cached answer and a page, ``n`` times. The answer is cached by the worker that answers
    this session's keep-alive connection (asked once first, or before by the caller with the same session):
    an answer that needs evaluating may be shed while every slot is busy, a cached one never."""
    with session or requests.Session() as s:
        assert s.get(server.endpoint, params={"query": CHEAP}, timeout=CLIENT_TIMEOUT).status_code == 200
        for _ in range(n):
            assert s.get(server.url + "/healthz", timeout=CLIENT_TIMEOUT).status_code == 200
            r = s.get(server.endpoint, params={"query": CHEAP}, timeout=CLIENT_TIMEOUT)
            assert r.status_code == 200, r.text
            page = s.get(server.url + "/id/person/khrushchev", timeout=CLIENT_TIMEOUT)
            assert page.status_code in (200, 303)


def test_memory_cap_gives_503_and_a_fresh_process(busy_server):
    r = send(busy_server.endpoint, "GET", HUNGRY, timeout=SLOW_TIMEOUT + 10)
    assert r.status_code == 503 and "MiB" in r.text, r.text
    assert r.headers["Cache-Control"] == "no-store"
    assert send(busy_server.endpoint, "GET", CHEAP).status_code == 200


def test_timed_out_query_process_is_gone_after_its_503(busy_server):
    r = send(busy_server.endpoint, "GET", CARTESIAN + " # gone", timeout=SLOW_TIMEOUT + 10)
    assert r.status_code == 503 and "limit" in r.text
    # The process that ran it used close to SLOW_TIMEOUT seconds of CPU; had it not been killed it would still
    # be running. Every query process left is idle and fresh.
    left = _query_processes(busy_server)
    assert all(cpu < SLOW_TIMEOUT / 2 for cpu in left.values()), left
    time.sleep(0.5)
    again = _query_processes(busy_server)
    assert all(again[p] - left[p] < 0.2 for p in again if p in left), (left, again)


def _raw(url: str, data: bytes) -> bytes:
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=CLIENT_TIMEOUT) as sock:
        try:
            sock.sendall(data)
        except BrokenPipeError:  # the server answered and closed before reading it all
            pass
        return sock.recv(200)


def test_oversized_request_line_and_headers_are_refused(busy_server):
    """Refused by the HTTP parser (431) before any worker parses them: no quadratic parse of an 8 MB line."""
    line = b"GET /sparql?query=" + b"x" * 8_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    header = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"y" * 1_000_000 + b"\r\n\r\n"
    for data in (line, header):
        assert _raw(busy_server.url, data).startswith(b"HTTP/1.1 431 ")
    # a long GET query still reaches the endpoint; a URI beyond 65 534 bytes is 414 (POST longer queries)
    assert send(busy_server.endpoint, "GET", "ASK {} #" + "x" * 30_000).status_code == 200
    assert send(busy_server.endpoint, "GET", "ASK {} #" + "x" * 90_000).status_code == 414
    assert send(busy_server.endpoint, "POST-direct", "ASK {} #" + "x" * 90_000).status_code == 200
    _cheap_requests_served(busy_server, 1)


def _slow_connection(url: str, body: bool) -> socket.socket:
    host, port = url.split("//")[1].split(":")
    sock = socket.create_connection((host, int(port)))
    if body:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 1000\r\n\r\nASK")
    else:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    return sock


def test_slow_and_idle_connections_do_not_take_the_server_away(busy_server):
    slow = [_slow_connection(busy_server.url, body=i % 2 == 1) for i in range(2 * WORKERS * 2)]
    idle = [socket.create_connection((HOST, int(busy_server.url.rsplit(":", 1)[1]))) for _ in range(16)]
    try:
        for _ in range(3):  # keep trickling, one byte per connection per round
            for s in slow:
                s.send(b"s")
            _cheap_requests_served(busy_server, 2)
            time.sleep(0.5)
    finally:
        for s in slow + idle:
            s.close()


def test_slow_queries_do_not_hold_cheap_requests(busy_server):
    session = requests.Session()
    assert session.get(busy_server.endpoint, params={"query": CHEAP}, timeout=CLIENT_TIMEOUT).ok  # cached
    with ThreadPoolExecutor(WORKERS) as pool:
        slow = [pool.submit(send, busy_server.endpoint, "GET", CARTESIAN + f" # slow {i}",
                            timeout=SLOW_TIMEOUT + 10) for i in range(WORKERS)]
        time.sleep(0.3)
        # Both may land on one worker (the kernel picks who accepts), which sheds the second after the queue
        # wait (0.5 s): at least one is evaluating while the cheap requests are served.
        assert not all(f.done() for f in slow)
        _cheap_requests_served(busy_server, session=session)
        assert [f.result().status_code for f in slow] == [503] * WORKERS


def test_saturation_sheds_load_with_retry_after(busy_server):
    n = 3 * WORKERS  # one slot per worker: most must be shed after the short queue wait
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(lambda i: send(busy_server.endpoint, "GET", CARTESIAN + f" # shed {i}",
                                               timeout=SLOW_TIMEOUT + 10), range(n)))
    shed = [r for r in answers if "busy" in r.text]
    assert shed and all(r.status_code == 503 and r.headers["Retry-After"] == "1" for r in shed)
    assert all(r.status_code == 503 for r in answers)  # the others hit the time limit


@pytest.mark.parametrize("chunk", [b"zz", b"ffffffffffffffffffff", b"-1"])
def test_invalid_chunk_sizes_are_400(busy_server, chunk):
    head = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    assert _raw(busy_server.url, head + chunk + b"\r\nASK {}\r\n0\r\n\r\n").startswith(b"HTTP/1.1 400 ")

