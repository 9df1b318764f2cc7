"""Documents about things: the one table of document formats, language choice, and the helpers that answer
a content-negotiated RDF/HTML document with Link, ETag and Cache-Control headers.

The RDF formats are kg.dist's table (the same records that name the dumps), plus HTML for people.
"""
from dataclasses import dataclass

import pyoxigraph as ox
from flask import Response, abort, current_app, request

from kg.dist import FORMATS as DUMP_FORMATS
from kg.namespaces import PREFIXES

from ..http import etag_for
from ..store import get_store
from .views import LANGS, pick_lang

LICENSE = "https://creativecommons.org/licenses/by-sa/4.0/"


@dataclass(frozen=True)
class DocFormat:
    extension: str
    media_type: str
    writer: ox.RdfFormat | None  # None: HTML

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


DOC_FORMATS = (DocFormat("html", "text/html", None),) + tuple(
    DocFormat(f.extension, f.media_type, f.rdf_format) for f in DUMP_FORMATS if not f.dataset)
BY_EXTENSION = {f.extension: f for f in DOC_FORMATS}
_ALIASES = {"application/xhtml+xml": "html", "application/x-turtle": "ttl", "application/json": "jsonld",
            "application/xml": "rdf", "text/plain": "nt"}


# Offered in this order: a tie (``*/*``, ``text/*``, rapper's guessing header) goes to the first, Turtle. A
# client that states no preference (``*/*``: curl, python-requests, wget; no Accept: urllib) is a program, so
# it gets RDF; browsers name text/html first (q=1, above their ``*/*;q=0.8``) and keep getting pages.
_OFFERED = [f.media_type for f in DOC_FORMATS if f.writer] + ["text/html"] + list(_ALIASES)
DEFAULT_DOCUMENT = "ttl"


def negotiate_document(extension: str | None = None) -> DocFormat:
    """The format named by the extension, else by ``format=``, else the best match for Accept (Turtle for
    */* or no Accept)."""
    name = extension or request.args.get("format")
    if name:
        if name not in BY_EXTENSION:
            abort(404 if extension else 406, f"no document format {name!r}; known: {', '.join(BY_EXTENSION)}")
        return BY_EXTENSION[name]
    offered = _OFFERED
    accept = request.accept_mimetypes
    best = accept.best_match(offered, default=None) if accept else BY_EXTENSION[DEFAULT_DOCUMENT].media_type
    if best is None:
        abort(406, "no acceptable format; this document is available as "
                   + ", ".join(f.media_type for f in DOC_FORMATS))
    if best in _ALIASES:
        return BY_EXTENSION[_ALIASES[best]]
    return next(f for f in DOC_FORMATS if f.media_type == best)


def page_language() -> str:
    """``?lang=`` first, then Accept-Language, then English."""
    if request.args.get("lang"):
        return pick_lang(request.args["lang"])
    return request.accept_languages.best_match(LANGS, default="en")


def link_header(path: str | None, current: DocFormat) -> str:
    """Alternate variants of the document at ``path`` (None: a page with no RDF variants) and the license."""
    links = [] if path is None else [f'<{path}.{f.extension}>; rel="alternate"; type="{f.media_type}"'
                                     for f in DOC_FORMATS if f is not current]
    links.append(f'<{LICENSE}>; rel="license"')
    return ", ".join(links)


def alternates(path: str) -> list[dict]:
    return [{"type": f.media_type, "href": f"{path}.{f.extension}"} for f in DOC_FORMATS if f.writer]


def serialize(triples, fmt: DocFormat) -> bytes:
    prefixes = None if fmt.extension == "nt" else dict(PREFIXES)
    return ox.serialize(list(triples), format=fmt.writer, prefixes=prefixes)


def document_response(body, fmt: DocFormat, *, path: str, negotiated: bool, etag_parts=(),
                      variants: bool = True) -> Response:
    """A 200 answer for a document variant, with the manners linked-data clients expect. ``variants``: whether
    ``{path}.{ext}`` alternates exist (not for plain pages such as the landing page)."""
    store = get_store()
    resp = Response(body, status=200, content_type=fmt.content_type)
    resp.headers["Link"] = link_header(path if variants else None, fmt)
    if negotiated:
        resp.vary.update(("Accept", "Accept-Language"))
        resp.headers["Content-Location"] = f"{path}.{fmt.extension}"
    resp.set_etag(etag_for(store.dataset_sha256, path, fmt.extension, *etag_parts))
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp  # conditional requests: server/http.py
