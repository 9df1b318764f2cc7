"""HTTP manners shared by every route: one-line text/plain errors (never a traceback), CORS for any origin
without credentials (preflight included), gzip when the client accepts it, Vary, and the ETag helper."""
import gzip
import hashlib
import json
import logging

from flask import Response, request
from werkzeug.exceptions import HTTPException

from .formats import FORMATS

log = logging.getLogger(__name__)

METHODS = "GET, HEAD, POST, OPTIONS"
_COMPRESSIBLE = {m for f in FORMATS for m in (f.media_type, *f.aliases)}


def one_line(text) -> str:
    return " ".join(str(text).split())


def text_response(status: int, message: str, headers=None) -> Response:
    resp = Response(one_line(message) + "\n", status=status, mimetype="text/plain", headers=headers)
    resp.headers["Cache-Control"] = "no-store"
    return resp


def accepts_gzip() -> bool:
    return request.accept_encodings["gzip"] > 0


def etag_for(*parts) -> str:
    """A strong entity tag from the parts (dataset version, request) and the content coding to be used."""
    digest = hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()[:32]
    return digest + ("-gzip" if accepts_gzip() else "")


def init_app(app) -> None:
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
            resp.vary.update(("Accept", "Accept-Encoding"))
        if (resp.status_code == 200 and resp.mimetype in _COMPRESSIBLE and not resp.direct_passthrough
                and "Content-Encoding" not in resp.headers and accepts_gzip()):
            resp.set_data(gzip.compress(resp.get_data(), compresslevel=6, mtime=0))
            resp.headers["Content-Encoding"] = "gzip"
        return resp
