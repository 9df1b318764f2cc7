"""Dereferencing, after W3C "Cool URIs for the Semantic Web" (303 variant), as DBpedia and Wikidata do it.

- ``{base}id/{path}`` is served at ``/id/{path}`` (the persistent base is mapped onto this host): a thing, not
  a document, so it answers ``303 See Other`` to its document ``/doc/{path}`` (keeping ``?lang=``).
- ``/doc/{path}`` is content-negotiated (HTML, Turtle, JSON-LD, N-Triples, RDF/XML; ``Content-Location`` names
  the variant) and each variant has its own URL ``/doc/{path}.{html,ttl,jsonld,nt,rdf}``. RDF variants hold
  the symmetric concise bounded description of the thing (server/describe.py) from the data and ontology
  graphs.
- A retired IRI (a slug that changed: ``dist/redirects.json``, ``<old> dcterms:isReplacedBy <new>``) keeps
  resolving: ``/id/{old}`` and ``/doc/{old}[.ext]`` answer ``301 Moved Permanently`` to the same form of the
  new IRI, so links made before the change still land.
- ``{base}graph/{name}`` (``/graph/{name}``): the named graph's dump in the negotiated format.
- The ontology ``https://w3id.org/apg-kg/ontology`` (``/ontology``, hash terms ``/ontology#Term``): the
  generated HTML documentation or the ontology graph in any RDF format.

Unknown IRIs get a real 404 page, and so do paths that make no valid IRI (``/id/a%3Eb``, ``/doc/a%20b``,
``/id/x%00``, invalid UTF-8): the IRI is checked once, here, by pyoxigraph's IRI parser, and every query about
it is given the checked term, never text."""
import re
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, redirect, request, send_file

from kg import ontology_docs

from ..store import get_store
from . import pages
from .documents import (
    BY_EXTENSION,
    alternates,
    document_response,
    link_header,
    negotiate_document,
    page_language,
    serialize,
)

bp = Blueprint("resources", __name__)


def _split(path: str) -> tuple[str, str | None]:
    stem, dot, ext = path.rpartition(".")
    if dot and ext in BY_EXTENSION and "/" not in ext:
        return stem, ext
    return path, None


def _base() -> str:
    return current_app.config["BASE"]


def _thing(path: str) -> ox.NamedNode:
    """The IRI ``{base}id/{path}``; a 404 when that is no valid IRI (nothing can be known about it)."""
    iri = _base() + "id/" + path
    try:
        return ox.NamedNode(iri)
    except ValueError:
        not_found(iri)


def _description(node: ox.NamedNode) -> list:
    store = get_store()
    return store.describe([node], store.default_graph)


def _moved(iri: str, form: str, suffix: str = ""):
    """301 to the new IRI's ``form`` (``/id/`` or ``/doc/``) when ``iri`` is retired (dist/redirects.json),
    keeping the extension and the query string; else None."""
    new = get_store().redirects.get(iri)
    base = _base() + "id/"
    if new is None or not new.startswith(base):
        return None
    target = form + quote(new[len(base):], safe="/-._~!$&'()*+,;=:@%") + suffix
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    resp = redirect(target, code=301)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp


@bp.get("/id/<path:path>")
def thing(path):
    node = _thing(path)
    moved = _moved(node.value, "/id/")
    if moved is not None:
        return moved
    if not _description(node):
        not_found(node.value)
    target = f"/doc/{path}"
    if request.query_string:
        target += "?" + request.query_string.decode("latin-1")
    resp = redirect(target, code=303)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp


@bp.get("/doc/<path:path>")
def document(path):
    stem, ext = _split(path)
    node = _thing(stem)
    iri = node.value
    moved = _moved(iri, "/doc/", f".{ext}" if ext else "")
    if moved is not None:
        return moved
    triples = _description(node)
    if not triples:
        not_found(iri)
    fmt = negotiate_document(ext)
    doc_path = f"/doc/{stem}"
    if fmt.writer is None:
        lang = page_language()
        body = pages.resource_page(get_store(), iri, lang, path=doc_path, alternates=alternates(doc_path))
        if body is None:
            not_found(iri)
        return document_response(body, fmt, path=doc_path, negotiated=ext is None, etag_parts=(lang,))
    return document_response(serialize(triples, fmt), fmt, path=doc_path, negotiated=ext is None)


@bp.get("/graph/<path:name>")
def graph(name):
    stem, ext = _split(name)
    store = get_store()
    if stem not in store.manifest["graphs"]:
        not_found(_base() + "graph/" + stem)
    fmt = negotiate_document(ext)
    if fmt.writer is None:
        return redirect("/download", code=303)
    return dump_response(f"{stem}.{fmt.extension}", fmt, f"/graph/{stem}", negotiated=ext is None)


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
@bp.get("/ontology/<version>")
def ontology(ext=None, version=None):
    store = get_store()
    if version is not None and version != store.manifest.get("version"):
        not_found(f"https://w3id.org/apg-kg/ontology/{version}")
    if ext is not None and ext not in BY_EXTENSION:
        not_found(request.path)
    fmt = negotiate_document(ext)
    if fmt.writer is not None:
        return dump_response(f"ontology.{fmt.extension}", fmt, "/ontology", negotiated=ext is None)
    lang = page_language()  # the build wrote the page in every language (kg/ontology_docs.py)
    if not (current_app.config["DIST"] / ontology_docs.file_name(lang)).is_file():
        lang = "en"  # a build from before the translated pages
    resp = dump_response(ontology_docs.file_name(lang), fmt, "/ontology", negotiated=ext is None)
    resp.vary.update(("Accept-Language",))
    resp.headers["Content-Language"] = lang
    return resp


def dump_response(name: str, fmt, path: str, *, negotiated: bool):
    """A file of the build as a document variant (it exists: the build wrote every format)."""
    file = current_app.config["DIST"] / name
    if not file.is_file():
        abort(404, f"the build has no {name}")
    resp = send_file(file, mimetype=fmt.media_type, conditional=True, etag=True, max_age=None)
    resp.headers["Content-Type"] = fmt.content_type
    resp.headers["Link"] = link_header(path, fmt)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    if negotiated:
        resp.vary.update(("Accept",))
        resp.headers["Content-Location"] = f"{path}.{fmt.extension}"
    return resp


# What cannot stand in an IRI (controls, space, <>"{}|\^`, U+FFFD from invalid UTF-8): shown percent-encoded,
# as the client sent it, so a 404 never echoes raw control characters.
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f-\x9f\u2028\u2029\ufffd]')


def shown(text: str) -> str:
    return _NOT_IRI.sub(lambda m: quote(m.group(), safe=""), text)


def not_found(iri: str | None = None):
    """Stop with a 404: an HTML page for browsers (text/html named), one line of text for other clients
    (``*/*`` included)."""
    what = shown(iri or request.path)
    if request.accept_mimetypes.best_match(["text/plain", "text/html"]) == "text/html":
        body = pages.not_found_page(page_language(), path=shown(request.path), iri=iri and what)
        abort(Response(body, status=404, content_type="text/html; charset=utf-8"))
    abort(404, f"nothing is known about {what} in this dataset")
