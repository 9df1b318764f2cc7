"""HTTP manners shared by every route: one-line text/plain errors (never a traceback), CORS for any origin
without credentials (preflight included), compression, conditional requests, and the ETag helper.

Caching is done once, in this order for every response: the route sets its ETag (``etag_for``: the dataset
digest and what the answer depends on) and Cache-Control; Flask-Compress gzips the compressible types for
clients that accept it (adding ``Vary: Accept-Encoding`` to every response and ``:gzip`` to the ETag of the
compressed variant); then Werkzeug's ``make_conditional`` answers a matching ``If-None-Match`` with 304. The
answer cache (server/cache.py) keeps the finished bytes, so a repeated request is neither evaluated nor
compressed again.
"""
import hashlib
import json
import logging

from flask import Response, request
from flask_compress import Compress
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from .formats import FORMATS

log = logging.getLogger(__name__)

METHODS = "GET, HEAD, POST, OPTIONS"
_COMPRESSIBLE = sorted({m for f in FORMATS for m in (f.media_type, *f.aliases)}
                       | {"text/html", "text/plain", "application/json", "image/svg+xml", "text/css",
                          "application/javascript", "text/javascript"})


def one_line(text) -> str:
    return " ".join(str(text).split())


def text_response(status: int, message: str, headers=None) -> Response:
    resp = Response(one_line(message) + "\n", status=status, mimetype="text/plain", headers=headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def etag_for(*parts) -> str:
    """A strong entity tag of the identity encoding, from the parts (dataset version, request); the compressed
    variant's tag gets ``:gzip`` from Flask-Compress."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()[:32]


def init_app(app) -> None:
    # after_request functions run in reverse order of registration: conditional() must run last, after the
    # compression that gives the final ETag, so it is registered first.
    @app.after_request
    def conditional(resp: Response):
        if resp.status_code != 200 or "ETag" not in resp.headers:
            return resp
        if request.method in ("GET", "HEAD"):
            return resp.make_conditional(request)
        if request.if_none_match and request.if_none_match.contains_weak(resp.get_etag()[0]):
            return text_response(412, "412 Precondition Failed: If-None-Match matched: the answer has not "
                                      "changed")
        return resp

    app.config.update(COMPRESS_ALGORITHM=["gzip"], COMPRESS_MIMETYPES=_COMPRESSIBLE, COMPRESS_LEVEL=6,
                      COMPRESS_MIN_SIZE=500, COMPRESS_STREAMS=False,  # downloads have their .gz files
                      COMPRESS_EVALUATE_CONDITIONAL_REQUEST=False)  # conditional() does it for every response
    Compress(app)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        return text_response(exc.code or 500, f"{exc.code} {exc.name}: {exc.description}", headers)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return text_response(500, f"500 Internal Server Error: {type(exc).__name__} (logged)")

    @app.before_request
    def preflight():
        if request.method != "OPTIONS" or request.url_rule is None:
            return None
        resp = Response(status=204)
        resp.headers["Allow"] = METHODS
        if request.headers.get("Access-Control-Request-Method"):
            resp.headers["Access-Control-Allow-Methods"] = METHODS
            resp.headers["Access-Control-Allow-Headers"] = request.headers.get(
                "Access-Control-Request-Headers", "Accept, Content-Type, If-None-Match")
            resp.headers["Access-Control-Max-Age"] = "86400"
        return resp

    @app.after_request
    def manners(resp: Response):
        resp.headers["Access-Control-Allow-Origin"] = "*"
        resp.headers["Access-Control-Expose-Headers"] = "ETag, Content-Encoding, Content-Length"
        if request.path == "/sparql":
            resp.vary.add("Accept")
        return resp


def trust_proxies(app) -> None:
    """Behind ``PROXY_FIX`` reverse proxies (APG_PROXY_FIX), take the client's scheme, host and port from
    their X-Forwarded-* headers, so what the app writes from the request URL (the service description's
    endpoint, the query page's endpoint, redirects) names the public host. Off by default: a server reached
    directly must not believe headers any client can send."""
    n = app.config["PROXY_FIX"]
    if n:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)
