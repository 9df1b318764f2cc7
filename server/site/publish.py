"""What a visitor lands on and downloads: the landing page, the dumps, and the dataset description.

- ``/``: the landing page (what the dataset is, counts, license, example queries, downloads).
- ``/corrections``: every editorial correction (the source's reading, what the graph records, reason,
  evidence).
- ``/index``: the kinds; ``/index/{kind}``: every resource of a kind (persons, organisations, sessions, votes,
  decisions; events in date order; the source's sentences in order with their statements), 404 for another.
- ``/download``: the list of dumps; ``/download/{file}``: a file of the build listed in manifest.json (or
  SHA256SUMS / manifest.json), with its media type, ETag and range requests (Werkzeug's conditional
  responses). ``.gz`` copies are served as application/gzip files, not as a Content-Encoding.
- ``/dataset`` and ``/.well-known/void``: the VoID + DCAT description (the metadata graph),
  content-negotiated; HTML gets the landing page. ``/dataset/{part}`` (a linkset, a class partition): 303 to
  it."""
import pyoxigraph as ox
from flask import Blueprint, abort, current_app, redirect, send_file

from ..store import get_store
from . import pages, queries
from .documents import BY_EXTENSION, document_response, negotiate_document, page_language
from .resources import dump_response, not_found
from .views import ask

bp = Blueprint("publish", __name__)

_EXTRA = {"SHA256SUMS": "text/plain", "manifest.json": "application/json"}


@bp.get("/")
def landing():
    lang = page_language()
    body = pages.landing_page(get_store(), lang)
    return document_response(body, BY_EXTENSION["html"], path="/", negotiated=False, etag_parts=(lang,),
                             variants=False)


@bp.get("/corrections")
def corrections():
    lang = page_language()
    body = pages.corrections_page(get_store(), lang)
    return document_response(body, BY_EXTENSION["html"], path="/corrections", negotiated=False,
                             etag_parts=(lang,), variants=False)


@bp.get("/index")
@bp.get("/index/<slug>")
def index(slug=None):
    lang = page_language()
    body = pages.index_page(get_store(), slug, lang)
    if body is None:
        not_found()
    path = "/index" + (f"/{slug}" if slug else "")
    return document_response(body, BY_EXTENSION["html"], path=path, negotiated=False, etag_parts=(lang,),
                             variants=False)


@bp.get("/download")
def downloads():
    lang = page_language()
    body = pages.downloads_page(get_store(), lang)
    return document_response(body, BY_EXTENSION["html"], path="/download", negotiated=False,
                             etag_parts=(lang,), variants=False)


@bp.get("/download/<name>")
def download(name):
    store = get_store()
    files = store.manifest.get("files", {})
    if name in files:
        info = files[name]
        mimetype = "application/gzip" if info.get("encoding") == "gzip" else info["media_type"]
    elif name in _EXTRA:
        mimetype = _EXTRA[name]
    else:
        not_found()
    path = current_app.config["DIST"] / name
    if not path.is_file():
        abort(404, f"the build lists {name} but it is missing on disk")
    resp = send_file(path, mimetype=mimetype, conditional=True, etag=True, max_age=None, download_name=name)
    if mimetype.startswith(("text/", "application/ld+json", "application/n-", "application/trig",
                            "application/rdf+xml", "application/json")):
        resp.headers["Content-Type"] = f"{mimetype}; charset=utf-8"
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    resp.headers["Link"] = '<https://creativecommons.org/licenses/by-sa/4.0/>; rel="license"'
    return resp


@bp.get("/dataset")
@bp.get("/dataset.<ext>")
@bp.get("/.well-known/void")
def dataset(ext=None):
    if ext is not None and ext not in BY_EXTENSION:
        not_found()
    fmt = negotiate_document(ext)
    if fmt.writer is None:
        return redirect("/", code=303)
    return dump_response(f"metadata.{fmt.extension}", fmt, "/dataset", negotiated=ext is None)


@bp.get("/dataset/<path:part>")
def dataset_part(part):
    """The parts the description names (linksets, class partitions, link targets: ``{base}dataset/…``) are
    described in it: 303 to the description, as for a thing."""
    store = get_store()
    try:
        node = ox.NamedNode(current_app.config["BASE"] + "dataset/" + part)
    except ValueError:
        not_found()
    if not ask(store, queries.load("described-in"), this=node, g=store.graphs["metadata"]):
        not_found(node.value)
    resp = redirect("/dataset", code=303)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp

