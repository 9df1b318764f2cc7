"""The query page: a browser asking ``/sparql`` for HTML (GET without ``query=``, with ``format=html`` or an
Accept header that prefers text/html to every RDF type of the service description) gets YASGUI
(``@zazuko/yasgui``, pinned in package.json, installed into ``node_modules/`` by ``make setup``), preloaded
with the competency queries of ``queries/*.rq`` as tabs (the first comment line names the tab) and pointed at
this server's ``/sparql``. The page lists the prefixes every query may use undeclared
(server/endpoint/query.py
``PREFIXES``). A query given with ``format=html&query=…`` obeys the endpoint's length limit (413 above it).

Everything the page loads comes from this server: ``/static/yasgui/yasgui.min.{js,css}`` are served straight
from ``node_modules/@zazuko/yasgui/build/`` (``APG_YASGUI_DIR`` names another directory). The bundle's own
calls to other hosts are switched off in the page's configuration (server/site/templates/yasgui.html): the
``property`` and ``class`` autocompleters (they ask lov.linkeddata.es) are dropped, the prefix autocompleter
keeps its bundled list (``prefixCcApi`` stays null, so no prefix.cc), the endpoint catalogue offers only this
endpoint (not dbpedia.org / query.wikidata.org, the bundle's defaults), and no CORS proxy is set.

Without the YASGUI files (node_modules missing) the page still answers 200: a plain HTML form that sends the
query to ``/sparql`` with no JavaScript at all, and a line saying how to install the editor.
"""
import functools
import hashlib
import json
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, request, url_for

from kg import i18n
from kg.namespaces import PREFIXES
from kg.resources import checkout

from ..store import get_store
from . import citation, pages, results, structured
from .documents import BY_EXTENSION, document_response, page_language
from .resources import shown
from .views import example_queries

bp = Blueprint("ui", __name__)


@bp.record_once
def _register(state):
    """The endpoint answers a browser's GET of /sparql with this page, and a browser's query with the HTML
    results table (server/endpoint/sparql.py, server/site/results.py)."""
    state.app.extensions["apg.query_page"] = query_page
    state.app.extensions["apg.results_page"] = results.results_page

# the checkout's node_modules/ (npm ci), or ./node_modules when installed from a wheel
PACKAGE = (checkout() or Path()) / "node_modules" / "@zazuko" / "yasgui"
_ASSETS = {"yasgui.min.js": "text/javascript", "yasgui.min.css": "text/css",
           "yasgui.min.js.map": "application/json"}
_PREFIXES = dict(sorted(PREFIXES.items()))  # the prefixes every query may use undeclared
_PLAIN_FORMATS = ("", "json", "xml", "csv", "tsv", "ttl", "jsonld", "nt", "rdf")



def strings(lang: str):
    """The query page's words in ``lang`` (kg/i18n.py, group ``query``)."""
    return i18n.strings(lang, "query")


def yasgui_dir() -> Path:
    configured = current_app.config.get("YASGUI_DIR")
    return Path(configured) if configured else PACKAGE / "build"


def yasgui_version() -> str | None:
    """The installed YASGUI version, or None when its build files are missing."""
    build = yasgui_dir()
    if not all((build / name).is_file() for name in ("yasgui.min.js", "yasgui.min.css")):
        return None
    try:
        return json.loads((build.parent / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return "unknown"


def query_page():
    """The HTML query page (200), with YASGUI when its files are installed, else the plain form."""
    lang = page_language()
    version = yasgui_version()
    ctx = pages.page_context(lang, "/sparql", current_app.config.get("BASE"))
    endpoint = url_for("sparql.sparql")
    assets = None
    if version:
        assets = {name: url_for("ui.asset", name=name, v=version)
                  for name in ("yasgui.min.js", "yasgui.min.css")}
    examples = [{"name": q["name"], "title": q["title"], "text": q["text"], "href": q["href"]}
                for q in (example_queries(pages.QUERIES) if pages.QUERIES.is_dir() else [])]
    given = request.args.get("query")
    if given is not None:  # /sparql?format=html&query=…: the query opens as the first tab
        examples.insert(0, {"name": "query", "title": strings(ctx["lang"])["query"], "text": given,
                            "href": "/sparql?query=" + quote(given, safe="")})
    body = pages.ENV.get_template("yasgui.html").render(
        ctx, u=strings(ctx["lang"]), endpoint=endpoint, endpoint_url=request.base_url, assets=assets,
        examples=examples, formats=_PLAIN_FORMATS, article=pages.ARTICLE, prefixes=_PREFIXES,
        cite=citation.citation(get_store()), alternates=_DESCRIPTION_ALTERNATES,
        jsonld=structured.script(structured.page(get_store(), strings(ctx["lang"])["title"])))
    resp = document_response(body, BY_EXTENSION["html"], path="/sparql", negotiated=False,
                             etag_parts=("query-page", ctx["lang"], version, request.base_url, given),
                             variants=False)
    resp.vary.add("Accept-Language")
    return resp


# The service description (GET /sparql, no query) in its RDF formats, for the page's <link rel=alternate>.
_DESCRIPTION_ALTERNATES = [{"type": t, "href": "/sparql?format=" + f} for f, t in (
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"))]


@bp.get("/static/yasgui/<name>")
def asset(name):
    """YASGUI's build files, from node_modules (404 when not installed). Answered from memory, not streamed
    from the file, so that Flask-Compress gzips them (it leaves streamed answers alone: the 1 MB script goes
    out as about 300 KB) and the answer cache keeps the compressed bytes; the ETag is the file's digest, and
    server/http.py answers If-None-Match with 304 for either encoding."""
    if name not in _ASSETS:
        abort(404, f"no such file: /static/yasgui/{shown(name)}")
    path = yasgui_dir() / name
    if not path.is_file():
        abort(404, f"{name} is not installed on this server (run make setup, which runs npm ci)")
    data, digest = _read(path)
    resp = Response(data, content_type=f"{_ASSETS[name]}; charset=utf-8")
    resp.set_etag(digest)
    resp.headers["Cache-Control"] = "public, max-age=86400"
    return resp


def _read(path: Path) -> tuple[bytes, str]:
    st = path.stat()
    return _read_version(str(path), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _read_version(path: str, size: int, mtime_ns: int) -> tuple[bytes, str]:
    """The file's bytes and digest, read once per process and version of the file."""
    data = Path(path).read_bytes()
    return data, hashlib.sha256(data).hexdigest()[:32]
