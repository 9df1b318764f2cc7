"""A SPARQL 1.1 Protocol client for one engine (https://www.w3.org/TR/sparql11-protocol/), standard library
only.

Queries are POSTed as a form (``query=``, ``default-graph-uri``, ``named-graph-uri``), so no URL length limit
applies. Each thread keeps one keep-alive connection. Answers are asked for in formats pyoxigraph reads
exactly (SPARQL Query Results JSON; N-Triples for graphs) and returned as pyoxigraph's own answer types, so
everything after the engine (serialisers, pages, DESCRIBE) is the same code as for the embedded store.

Virtuoso answers a query that runs out of its time with the rows found so far ("anytime query": the
``X-SQL-State`` header says so): that is no answer, so it is reported as ``EngineTimeout``.
"""
import http.client
import json
import threading
import time
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

import pyoxigraph as ox

# JSON: pyoxigraph 0.5's XML results reader trims the whitespace around a literal ("balsīm " → "balsīm").
# But Virtuoso writes JSON results about five times slower than XML (3.3 s against 0.7 s for 13 000 rows),
# so from Virtuoso XML is asked for and read here (ElementTree keeps the whitespace), then handed to
# pyoxigraph as JSON.
RESULTS_ACCEPT = "application/sparql-results+json"
VIRTUOSO_RESULTS_ACCEPT = "application/sparql-results+xml"
_SR = "{http://www.w3.org/2005/sparql-results#}"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
GRAPH_ACCEPT = "application/n-triples, text/plain;q=0.9, text/turtle;q=0.5"
_GRAPH_FORMATS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_RESULT_FORMATS = {
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
}
# Virtuoso's SQL states for a query that ran out of time (S1TAT: partial "anytime" answer, S1T00: timeout)
_TIMEOUT_STATES = ("S1TAT", "S1T00")


class EngineError(Exception):
    """The engine cannot be reached or failed (not the query's fault): 502 to a client."""


class EngineRefused(Exception):
    """The engine refused or could not evaluate this query (its message, one line): 400 to a client."""


class EngineTimeout(Exception):
    """The engine stopped the query at its time limit."""


class AnswerTooLarge(Exception):
    """The engine's answer is larger than the caller allows."""


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class Client:
    def __init__(self, url: str, timeout: float = 10.0):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the engine URL {url!r} is not an http(s) URL of a SPARQL endpoint")
        self.url, self.timeout = url, timeout
        self.https = parts.scheme == "https"
        self.host, self.port = parts.hostname, parts.port or (443 if self.https else 80)
        self.path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.software = ""  # the engine's Server header, once it has answered
        self._local = threading.local()
        self._opened: list = []
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()

    @property
    def virtuoso(self) -> bool:
        return self.software.lower().startswith("virtuoso")

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            conn = self._local.conn = cls(self.host, self.port, timeout=timeout)
            with self._lock:
                self._opened.append(conn)
        conn.timeout = timeout
        if conn.sock is not None:
            conn.sock.settimeout(timeout)
        return conn

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            with self._lock:
                if conn in self._opened:
                    self._opened.remove(conn)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float | None = None, limit: int | None = None, exchange=None):
        """(status, headers, body) of one HTTP exchange; one retry on a stale keep-alive connection.
        ``exchange``: an object whose ``sock`` is set while the answer is read, so another thread can
        abort it (server/engines/runner.py)."""
        timeout = self.timeout if timeout is None else timeout
        for attempt in (0, 1):
            conn = self._connection(max(timeout, 0.05))
            try:
                conn.request(method, path, body=body, headers=headers or {})
                if exchange is not None:
                    exchange.sock = conn.sock
                resp = conn.getresponse()
                data = _read(resp, limit)
                if resp.getheader("Connection", "").lower() == "close":
                    self._drop()
                self.software = (resp.getheader("Server") or self.software).strip()
                return resp.status, resp, data
            except AnswerTooLarge:
                self._drop()
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop()
                if attempt or (exchange is not None and exchange.aborted):
                    raise EngineError(f"the SPARQL engine at {self.url} closed the connection: "
                                      f"{exc}") from None
            except TimeoutError:
                self._drop()
                raise EngineTimeout from None
            except OSError as exc:
                self._drop()
                if exchange is not None and exchange.aborted:
                    raise EngineTimeout from None
                raise EngineError(f"cannot reach the SPARQL engine at {self.url}: "
                                  f"{exc.strerror or exc}") from None
            finally:
                if exchange is not None:
                    exchange.sock = None
        raise AssertionError("unreachable")

    def query(self, text: str, *, graph: bool, default_graph=None, named_graphs=None,
              timeout: float | None = None, limit: int | None = None, exchange=None):
        """pyoxigraph's answer to ``text`` (QuerySolutions or QueryBoolean; for ``graph``: a list of
        Triples). ``default_graph``/``named_graphs``: lists of IRIs (strings) sent as the protocol's
        dataset, which replaces any FROM / FROM NAMED of the query."""
        timeout = self.timeout if timeout is None else timeout
        fields = [("query", text)]
        fields += [("default-graph-uri", g) for g in default_graph or ()]
        fields += [("named-graph-uri", g) for g in named_graphs or ()]
        if self.virtuoso:  # its own limit, in milliseconds; a partial answer is then refused below
            fields.append(("timeout", str(max(int(timeout * 1000), 1))))
        body = urlencode(fields).encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Accept": GRAPH_ACCEPT if graph else
                   (VIRTUOSO_RESULTS_ACCEPT if self.virtuoso else RESULTS_ACCEPT)}
        status, resp, data = self.request("POST", self.path, body, headers, timeout=timeout, limit=limit,
                                          exchange=exchange)
        state = resp.getheader("X-SQL-State", "") or ""
        if state in _TIMEOUT_STATES or any(s in data[:2000].decode("utf-8", "replace")
                                           for s in _TIMEOUT_STATES if status >= 400):
            raise EngineTimeout
        if status >= 400:
            message = one_line(data.decode("utf-8", "replace"))
            if status < 500 or _query_fault(message):
                raise EngineRefused(message)
            raise EngineError(f"the SPARQL engine at {self.url} answered {status}: {message}")
        media_type = (resp.getheader("Content-Type") or "").split(";")[0].strip().lower()
        try:
            if graph:
                fmt = _GRAPH_FORMATS.get(media_type)
                if fmt is None:
                    raise EngineError(f"the SPARQL engine at {self.url} answered a graph as {media_type!r}")
                return [q.triple for q in ox.parse(data, format=fmt)]
            if media_type == "application/sparql-results+xml":
                data, media_type = xml_results_as_json(data), "application/sparql-results+json"
            fmt = _RESULT_FORMATS.get(media_type)
            if fmt is None:
                raise EngineError(f"the SPARQL engine at {self.url} answered results as {media_type!r}")
            return ox.parse_query_results(data, format=fmt)
        except SyntaxError as exc:
            raise EngineError(f"the SPARQL engine at {self.url} answered what cannot be read: "
                              f"{one_line(exc)}") from None

    def select(self, text: str, **kwargs) -> list[dict]:
        """Rows of a SELECT, as {name: term}."""
        result = self.query(text, graph=False, **kwargs)
        names = [v.value for v in result.variables]
        return [{n: row[n] for n in names} for row in result]

    def wait(self, seconds: float) -> None:
        """Until the engine answers ``ASK {}`` (EngineError after ``seconds``)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self.query("ASK {}", graph=False, timeout=2)
                return
            except (EngineError, EngineTimeout, EngineRefused):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def xml_results_as_json(data: bytes) -> bytes:
    """SPARQL Query Results XML rewritten as the JSON format, every literal's whitespace kept."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise SyntaxError(str(exc)) from None
    head = [v.get("name") for v in root.iter(_SR + "variable")]
    boolean = root.find(_SR + "boolean")
    if boolean is not None:
        return json.dumps({"head": {}, "boolean": boolean.text.strip() == "true"}).encode()
    rows = []
    for result in root.iter(_SR + "result"):
        row = {}
        for binding in result.findall(_SR + "binding"):
            term = binding[0]
            kind = term.tag[len(_SR):]
            if kind == "uri":
                row[binding.get("name")] = {"type": "uri", "value": term.text or ""}
            elif kind == "bnode":
                label = (term.text or "b").replace("nodeID://", "")
                row[binding.get("name")] = {"type": "bnode", "value": label}
            else:
                value = {"type": "literal", "value": term.text or ""}
                if term.get(_XML_LANG):
                    value["xml:lang"] = term.get(_XML_LANG)
                elif term.get("datatype"):
                    value["datatype"] = term.get("datatype")
                row[binding.get("name")] = value
        rows.append(row)
    return json.dumps({"head": {"vars": head}, "results": {"bindings": rows}}).encode()


def _query_fault(message: str) -> bool:
    """Virtuoso answers 500 to queries it cannot compile or run; its SQL state says whose fault it is
    (37000 syntax, 42000 security, 22xxx data, SPxxx its SPARQL compiler)."""
    return message.startswith("Virtuoso ") and any(
        f" {code}" in message[:40] for code in ("37000", "42000", "22", "42S", "SP0", "HY"))


def _read(resp, limit: int | None) -> bytes:
    if limit is None:
        return resp.read()
    parts, size = [], 0
    while True:
        chunk = resp.read(1 << 16)
        if not chunk:
            return b"".join(parts)
        size += len(chunk)
        if size > limit:
            raise AnswerTooLarge
        parts.append(chunk)
