"""The fast path: ``GET /sparql?query=…`` answered in front of Flask, with the same answer Flask would give.

A query answer is what most requests to the endpoint are, and for a cheap query Flask's machinery (request
context, routing, the request and response objects, after-request hooks) and Werkzeug's query-string parser
cost more CPU than the evaluation. This WSGI layer sits between the answer cache (server/cache.py) and Flask
and does only what such a request needs: decode the query string (UTF-8, strictly), build the same Job, ETag
and headers as the /sparql view (server/endpoint/sparql.py shares ``make_job``, ``answer_etag`` and ``run``
with it) and run the job in the same query pool, under the same slots, time limit and sandbox.

It takes a request only when the answer needs nothing else: GET of exactly ``/sparql``, one ``query``, no
``update``, no ``format=html``, a query within MAX_QUERY_LENGTH, no conditional or range header (``If-*``,
``Range``) and no compression (an ``Accept-Encoding`` other than ``identity``: Flask-Compress, in
server/http.py, stays the one compression path). Everything else goes to Flask untouched, and so does any
outcome other than a 200 answer: an error of the query or of the pool is handed to the view with the outcome
(``sparql.HANDED_OVER``), which writes the one-line error without evaluating again. The answer cache keeps its
answers like any other.

Set up by ``init_app`` only when the app is as this module knows it: /sparql routed to the view and no request
hooks but those of server/http.py (a new app-wide hook would not run here, so the fast path stays off and
says so in the log). ``FAST_PATH = False`` switches it off; tests/server/test_fast_path.py compares both paths
response by response.
"""
import binascii
import logging
import time
from urllib.parse import unquote_to_bytes

from werkzeug.http import http_date

from ..store import get_store
from . import sparql
from .query import Reply

log = logging.getLogger(__name__)

# The request hooks the fast path does the work of (server/http.py) and may therefore skip.
_KNOWN_HOOKS = {
    "server.http.init_app.<locals>.preflight",  # OPTIONS only
    "server.http.init_app.<locals>.conditional",  # If-None-Match: such requests go to Flask
    "server.http.init_app.<locals>.manners",  # the CORS and Vary headers below
    "flask_compress.flask_compress.Compress.after_request",  # compressed answers go to Flask
}
# What server/http.py's hooks add to an uncompressed answer of /sparql (Vary: Flask-Compress adds its part).
_MANNERS = [("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", "ETag, Content-Encoding, Content-Length"),
            ("Vary", "Accept, Accept-Encoding")]
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE", "HTTP_RANGE")
_HTML = {"html", "text/html", "application/xhtml+xml"}


class FastPath:
    """WSGI middleware: ``app.wsgi_app = FastPath(app.wsgi_app, app)``."""

    def __init__(self, wsgi_app, app):
        self.wsgi_app, self.app = wsgi_app, app
        cfg = app.config
        self.max_length = cfg["MAX_QUERY_LENGTH"]
        self.cache_control = f"public, max-age={cfg['CACHE_MAX_AGE']}"
        self._date = (0, "")

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != "/sparql" or environ["REQUEST_METHOD"] != "GET":
            return self.wsgi_app(environ, start_response)
        try:
            job = self._job(environ)
        except UnicodeDecodeError:  # the view answers 400, naming the parameter
            job = None
        if job is None:
            return self.wsgi_app(environ, start_response)
        try:
            outcome = sparql.run(job, self.app)
        except Exception as exc:  # noqa: BLE001 (the view logs it and answers 500, as for its own requests)
            outcome = exc
        if not (isinstance(outcome, Reply) and outcome.status == 200):
            environ[sparql.HANDED_OVER] = (job, outcome)
            return self.wsgi_app(environ, start_response)
        cfg = self.app.config
        body = outcome.body
        start_response("200 OK", [("Content-Type", outcome.content_type), ("Content-Length", str(len(body))),
                                  ("ETag", f'"{sparql.answer_etag(cfg, get_store(self.app), job)}"'),
                                  ("Cache-Control", self.cache_control), *_MANNERS, ("Date", self._now())])
        return [body]

    def _job(self, environ):
        """The Job of a request this path answers, else None."""
        if any(h in environ for h in _CONDITIONAL):
            return None
        encoding = environ.get("HTTP_ACCEPT_ENCODING")
        if encoding is not None and encoding.strip().lower() not in ("", "identity"):
            return None
        query, dg, ng, formats = None, [], [], []
        for name, value in parse_query_string(environ.get("QUERY_STRING", "").encode("latin-1")):
            if name == "query":
                if query is not None:
                    return None
                query = value
            elif name == "default-graph-uri":
                dg.append(value)
            elif name == "named-graph-uri":
                ng.append(value)
            elif name == "format":
                if value.strip().lower() in _HTML:
                    return None
                formats.append(value)
            elif name == "update":
                return None
        if query is None:
            return None
        accept = environ.get("HTTP_ACCEPT")
        if not formats and accept and "html" in accept.lower():  # maybe a browser's table (sparql.py decides)
            return None
        if query.startswith("\ufeff"):
            query = query[1:]
        if len(query.encode("utf-8", "surrogatepass")) > self.max_length or not query.strip():
            return None
        return sparql.make_job(self.app.config, query, dg, ng, environ.get("HTTP_ACCEPT"), tuple(formats))

    def _now(self) -> str:
        # the Date header Werkzeug's make_conditional adds, formatted once a second
        second = int(time.time())
        if self._date[0] != second:
            self._date = (second, http_date(second))
        return self._date[1]


# Percent-decoding at C speed: with "%" read as "=", a value without "=", CR or LF is quoted-printable, which
# binascii decodes in one call (urllib's unquote loops in Python over every escape: ~100 µs for a long query).
# Each "%XX" then takes 2 bytes off the length and anything else that starts with "%" less, so the length
# tells whether every "%" was an escape; if not, urllib decodes it.


def unquote_plus(raw: bytes) -> bytes:
    """``urllib.parse.unquote_to_bytes`` of ``raw`` with ``+`` read as a space."""
    raw = raw.replace(b"+", b" ")
    escapes = raw.count(b"%")
    if not escapes:
        return raw
    if b"=" not in raw and b"\r" not in raw and b"\n" not in raw:
        decoded = binascii.a2b_qp(raw.replace(b"%", b"="))
        if len(decoded) == len(raw) - 2 * escapes:
            return decoded
    return unquote_to_bytes(raw)


# Decoded pairs of the short parameters clients repeat on every request (default-graph-uri, named-graph-uri,
# format: a client sends the same ones each time; decoding seven IRIs cost more than the rest of the path).
# Only pairs up to _PAIR_BYTES are kept, at most _PAIRS of them, so a client cannot grow it without bound;
# never the query (it changes from request to request, and would crowd the others out).
_PAIR_BYTES = 512
_PAIRS = 1024
_decoded: dict[bytes, tuple[str, str]] = {}


def _decode_pair(part: bytes) -> tuple[str, str]:
    name, _, value = part.partition(b"=")
    return unquote_plus(name).decode("utf-8"), unquote_plus(value).decode("utf-8")


def parse_query_string(raw: bytes) -> list[tuple[str, str]]:
    """The (name, value) pairs of a query string, as Werkzeug's ``request.args`` has them for a valid UTF-8
    string (urllib's ``parse_qsl`` with blank values kept); UnicodeDecodeError if a name or value is not
    UTF-8."""
    pairs = []
    for part in raw.split(b"&"):
        if not part:
            continue
        pair = _decoded.get(part)
        if pair is None:
            pair = _decode_pair(part)
            if len(part) <= _PAIR_BYTES and len(_decoded) < _PAIRS and not part.startswith(b"query="):
                _decoded[part] = pair
        pairs.append(pair)
    return pairs


def _hooks(app) -> set[str]:
    found = set()
    for table in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
                  app.url_value_preprocessors):
        for key, funcs in table.items():
            if key is None or key == sparql.bp.name:
                found |= {f"{f.__module__}.{f.__qualname__}" for f in funcs}
    return found


def init_app(app) -> FastPath | None:
    """Put the fast path in front of Flask, if it is on and the app is as it knows it."""
    if not app.config["FAST_PATH"]:
        return None
    try:
        endpoint, _ = app.url_map.bind("localhost").match("/sparql", "GET")
    except Exception:  # noqa: BLE001 (routing raises its HTTP exceptions)
        endpoint = None
    unknown = _hooks(app) - _KNOWN_HOOKS
    if endpoint != "sparql.sparql" or unknown or app.config.get("SERVER_NAME") or \
            app.config.get("TRUSTED_HOSTS") or app.config.get("APPLICATION_ROOT", "/") != "/":
        log.warning("the fast path for /sparql queries is off: the app has %s",
                    ", ".join(sorted(unknown)) or "other routing")
        return None
    app.wsgi_app = FastPath(app.wsgi_app, app)
    return app.wsgi_app
