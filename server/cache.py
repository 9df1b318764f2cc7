"""The answer cache: complete responses to repeated GETs, answered in front of Flask.

The dataset is immutable for a build, so a ``200`` answer the app marks ``Cache-Control: public`` with an
``ETag`` (SPARQL answers, documents, named graphs, the service description) is the answer to every request
that looks the same. The cache keys on what the answer may depend on, verbatim: path, query string,
``Accept``, ``Accept-Encoding``, ``Accept-Language`` (every ``Vary`` the app sends is among them), host and
scheme, and keeps the status, headers and body exactly as the app wrote them, compressed body included, so a
hit costs a dictionary lookup: no routing, no evaluation, no compression. ``If-None-Match`` on a hit gets
``304`` here, with the same validator the app's conditional-request path (Werkzeug's ``make_conditional``,
server/http.py) would compare.

Least recently used entries go beyond ``ANSWER_CACHE_BYTES`` per worker (0 disables the cache); answers larger
than a tenth of it, streamed answers (downloads) and range requests are never kept. Public HTTP caches in
front of the server (``ETag``, ``Cache-Control``) do the same across replicas."""
from collections import OrderedDict
from threading import Lock

from werkzeug.http import parse_etags, unquote_etag

_VALIDATORS = ("etag", "cache-control", "vary", "last-modified", "access-control-allow-origin",
               "access-control-expose-headers")


class _Entry:
    """A kept answer. Its validators are read from the headers on the first conditional request only: most
    entries never get one, and reading them cost as much as the rest of filling the cache."""
    __slots__ = ("status", "headers", "body", "_validators")

    def __init__(self, status: str, headers: list, body: bytes):
        self.status, self.headers, self.body = status, headers, body
        self._validators = None

    def validators(self) -> tuple[str | None, list]:
        """(the entity tag, unquoted, or None; the headers a 304 repeats)."""
        if self._validators is None:
            etag = next((v for k, v in self.headers if k.lower() == "etag"), None)
            self._validators = (unquote_etag(etag)[0] if etag else None,
                                [(k, v) for k, v in self.headers if k.lower() in _VALIDATORS])
        return self._validators


class AnswerCache:
    """WSGI middleware: ``app.wsgi_app = AnswerCache(app.wsgi_app, max_bytes)``."""

    def __init__(self, app, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes
        self.size = 0
        self._items: OrderedDict[tuple, _Entry] = OrderedDict()
        self._lock = Lock()

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        if not self.max_bytes or method not in ("GET", "HEAD") or "HTTP_RANGE" in environ:
            return self.app(environ, start_response)
        # host and scheme too: the service description and the query page name the endpoint's own URL
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT"),
               environ.get("HTTP_ACCEPT_ENCODING"), environ.get("HTTP_ACCEPT_LANGUAGE"),
               environ.get("HTTP_HOST"), environ.get("wsgi.url_scheme"))
        with self._lock:
            entry = self._items.get(key)
            if entry is not None:
                self._items.move_to_end(key)
        if entry is not None:
            return self._answer(entry, environ, start_response, method)
        if method == "HEAD":
            return self.app(environ, start_response)
        return self._fill(key, environ, start_response)

    def _answer(self, entry: _Entry, environ, start_response, method: str):
        inm = environ.get("HTTP_IF_NONE_MATCH")
        if inm:
            etag, not_modified = entry.validators()
            if etag and parse_etags(inm).contains_weak(etag):
                start_response("304 NOT MODIFIED", not_modified)
                return []
        start_response(entry.status, entry.headers)
        return [] if method == "HEAD" else [entry.body]

    def _fill(self, key, environ, start_response):
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.app(environ, capture)
        status, headers = seen.get("status", ""), seen.get("headers", [])
        if not (status.startswith("200") and _cacheable(headers, self.max_bytes // 10)):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        self._put(key, _Entry(status, list(headers), data))
        return [data]

    def _put(self, key, entry: _Entry) -> None:
        with self._lock:
            if key in self._items:
                return
            self._items[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self.size -= len(old.body)


def _cacheable(headers, limit: int) -> bool:
    names = {k.lower(): v for k, v in headers}
    length = names.get("content-length", "")
    return ("etag" in names and "public" in names.get("cache-control", "") and "set-cookie" not in names
            and length.isdigit() and int(length) <= limit)


def init_app(app) -> AnswerCache:
    """Put the cache in front of the app's WSGI callable."""
    app.wsgi_app = AnswerCache(app.wsgi_app, app.config["ANSWER_CACHE_BYTES"])
    return app.wsgi_app
