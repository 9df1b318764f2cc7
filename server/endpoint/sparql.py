"""The SPARQL 1.1 Protocol query operation at /sparql (https://www.w3.org/TR/sparql11-protocol/).

- GET ``?query=``; POST ``application/x-www-form-urlencoded`` (``query=`` in the body); POST
  ``application/sparql-query`` (the body is the query). ``default-graph-uri`` and ``named-graph-uri``
  (repeatable) replace the query's dataset; ``format=`` (json, xml, csv, tsv, ttl, nt, jsonld, rdf, nq, trig
  or a media type) overrides the Accept header.
- GET without a query answers the Service Description (server/endpoint/description.py), or, to a browser that
  prefers HTML (or ``format=html``), the site's query page (server/site/ui.py registers it as
  ``apg.query_page``).
- A query from a browser (no ``format=``, an Accept header that prefers text/html to every result and RDF
  type) is evaluated as usual, in a query process, as SPARQL JSON results (SELECT/ASK) or N-Triples
  (CONSTRUCT/DESCRIBE), and the site turns that answer into an HTML table (server/site/results.py, registered
  as ``apg.results_page``); without a site the answer is what the Accept header gets otherwise.
- Updates (``update=``, ``application/sparql-update``) are refused with 403: the endpoint is read-only.
- Text is UTF-8 (SPARQL 1.1 Protocol 2.1.4): a body that declares another charset gets 415, and bytes that are
  not UTF-8 (in the body or in percent-encoded parameters) get 400, instead of being guessed at or silently
  replaced by U+FFFD.
- The query itself runs in a query process (server/endpoint/pool.py, server/endpoint/query.py).
- Answers carry an ETag derived from the dataset (sha256 of dataset.nq) and the request, and are publicly
  cacheable; repeated GETs are answered by the answer cache in front of Flask (server/cache.py), a matching
  If-None-Match gets 304 (server/http.py).
"""
import hashlib
import logging
import re
from urllib.parse import unquote_to_bytes

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request
from werkzeug.exceptions import ServiceUnavailable

from ..formats import FORMATS, GRAPH, NotAcceptable, content_type, negotiate
from ..http import etag_for
from ..store import get_store
from .description import BINDINGS, service_description
from .pool import HandlerError, QueryTimeout, Saturated, WorkerLost, get_pool
from .query import Job, Reply

bp = Blueprint("sparql", __name__)
log = logging.getLogger(__name__)


_LOST = {
    "memory": "the query needed more than the {mib} MiB of memory a query may use and was stopped",
    "stack": "the query process ran out of stack (a very deeply nested query) and was stopped",
    "other": "the query process died without answering; it has been replaced",
}


class Unavailable(ServiceUnavailable):
    """503 with Retry-After: the endpoint is saturated, not broken."""

    def __init__(self, description: str, retry_after: int):
        super().__init__(description, retry_after=retry_after)

_FORM = "application/x-www-form-urlencoded"
_QUERY = "application/sparql-query"
_UPDATE = "application/sparql-update"
_HTML = ("text/html", "application/xhtml+xml")
_GRAPH_TYPES = [m for f in FORMATS if f.kind == GRAPH for m in (f.media_type, *f.aliases)]
_ANSWER_TYPES = list(dict.fromkeys(m for f in FORMATS for m in (f.media_type, *f.aliases)))
_OWN_TYPES = {f.media_type for f in FORMATS}
# what a query process writes for the site's HTML results page: the first one known for the query's form wins
_FOR_HTML = ("application/sparql-results+json", "application/n-triples")


@bp.get("/healthz")
def healthz():
    store = get_store()
    trouble = store.trouble()  # an external engine that does not answer: the balancer should look elsewhere
    if trouble:
        resp = Response(f"unavailable: {trouble}\n", status=503, mimetype="text/plain")
        resp.headers["Cache-Control"] = "no-store"
        return resp
    resp = Response(f"ok {store.version} {store.dataset_sha256[:12]}\n", mimetype="text/plain")
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/sparql", methods=["GET", "POST"])
def sparql():
    _check_utf8(request.query_string, "the URL")
    if request.method == "POST":
        query, params = _post_query()
    else:
        if "update" in request.args:
            abort(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if "query" not in request.args:
            return _query_page() if wants_html() else _service_description()
        if format_html():  # a link into the query page with this query as its first tab
            _check_length(len(request.args["query"].encode("utf-8", "surrogatepass")))
            return _query_page()
        query, params = _single(request.args, "query"), request.args
    return _answer(query, params)


def format_html() -> bool:
    """Whether the request names HTML explicitly with ``format=``."""
    return any(v.strip().lower() in ("html", *_HTML) for v in request.args.getlist("format"))


def wants_html() -> bool:
    """Whether a GET of /sparql without a query asks for the query page rather than the service
    description: ``format=html`` (the first ``format=`` value known for either wins, as in
    formats.negotiate), else an Accept header under which text/html beats every RDF type (ties, ``*/*`` and
    no Accept keep the description)."""
    for value in request.args.getlist("format"):
        name = value.strip().lower()
        if name in ("html", *_HTML):
            return True
        try:
            negotiate(GRAPH, None, [name])
            return False
        except NotAcceptable:
            continue
    if not request.headers.get("Accept", "").strip():
        return False
    best = request.accept_mimetypes.best_match(_GRAPH_TYPES + list(_HTML))
    return best in _HTML


def wants_html_results(params) -> bool:
    """Whether a query's answer goes to a browser as an HTML table: no ``format=`` (which always wins), and an
    Accept header that puts text/html first among the types it names (as browsers do), under which it beats
    every result and RDF type (ties, ``*/*`` and no Accept keep the results documents), and that names none
    of the SPARQL result or RDF media types by their own name (a client that names one is a program and gets
    one; a browser names at most the generic application/xml). Protocol clients get what they always got."""
    if any(v.strip() for v in params.getlist("format")) or not request.headers.get("Accept", "").strip():
        return False
    accept = request.accept_mimetypes
    named = {value.lower(): q for value, q in accept if q > 0}
    if not named or _OWN_TYPES & set(named):
        return False
    html = max((named.get(t, 0) for t in _HTML), default=0)
    best = accept.best_match(_ANSWER_TYPES + list(_HTML))
    return html > 0 and html == max(named.values()) and best in _HTML


def _query_page():
    """The site's query page (registered by server/site/ui.py); 406 on an app without a site."""
    page = current_app.extensions.get("apg.query_page")
    if page is None:
        abort(406, "no HTML query page on this server: ask for a SPARQL result or RDF format")
    return page()


def _post_query():
    mimetype = request.mimetype
    if mimetype == _UPDATE:
        abort(403, "this endpoint is read-only: SPARQL Update is not accepted")
    if mimetype in (_FORM, _QUERY):
        _check_charset()
    if mimetype == _FORM:
        # read (and keep) the raw body first: the form parser would let invalid UTF-8 through
        _check_utf8(request.get_data(cache=True), "the form body")
        if "update" in request.form or "update" in request.args:
            abort(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if "query" in request.args:
            abort(400, "give the query in the form body, not in the URL, when POSTing a form")
        if "query" not in request.form:
            abort(400, "missing 'query' parameter in the form body")
        return _single(request.form, "query"), request.values
    if mimetype == _QUERY:
        if "query" in request.args:
            abort(400, "give the query either as the request body or as query=, not both")
        data = request.get_data(cache=False)
        _check_length(len(data))
        return _decode(data, "the query"), request.args
    abort(415, f"POST a query as {_QUERY} or as {_FORM} (got {mimetype or 'no Content-Type'})")


def _check_charset() -> None:
    charset = request.mimetype_params.get("charset")
    if charset is not None and charset.strip().lower() != "utf-8":
        abort(415, f"charset {charset!r} is not accepted: send the query in UTF-8 (charset=utf-8, or no "
                   "charset)")


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        abort(400, f"{what} is not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})")


_NON_ASCII = re.compile(rb"%[89a-fA-F][0-9a-fA-F]|[\x80-\xff]")


def _check_utf8(raw: bytes, where: str) -> None:
    """400 if a percent-encoded ``name=value&…`` string holds a name or value that is not UTF-8 (Werkzeug
    would keep the bad bytes as ``%FF`` text or replace them, and the query would not be what was sent)."""
    if not _NON_ASCII.search(raw):  # all ASCII: valid (the usual case, found at C speed)
        return
    try:  # '&', '=' and '+' are ASCII, so the whole string is valid if and only if every part is
        unquote_to_bytes(raw).decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    for pair in raw.split(b"&"):
        name, _, value = pair.partition(b"=")
        name = unquote_to_bytes(name.replace(b"+", b" "))
        _decode(name, f"a parameter name in {where}")
        label = name.decode("utf-8")
        _decode(unquote_to_bytes(value.replace(b"+", b" ")), f"the {label!r} parameter in {where}")


def _single(values, name: str) -> str:
    found = values.getlist(name)
    if len(found) != 1:
        abort(400, f"give exactly one '{name}' parameter (got {len(found)})")
    return found[0]


def _check_length(size: int) -> None:
    limit = current_app.config["MAX_QUERY_LENGTH"]
    if size > limit:
        abort(413, f"the query is {size} bytes; this endpoint accepts queries of at most {limit} bytes")


def _answer(query: str, params) -> Response:
    cfg = current_app.config
    if query.startswith("\ufeff"):  # a byte order mark left by an editor
        query = query[1:]
    _check_length(len(query.encode("utf-8", "surrogatepass")))
    if not query.strip():
        abort(400, "the query is empty")
    html = current_app.extensions.get("apg.results_page") if wants_html_results(params) else None
    # a browser's table is drawn from SPARQL JSON / N-Triples, evaluated in the query process like any answer
    formats = _FOR_HTML if html is not None else tuple(params.getlist("format"))
    job = make_job(cfg, query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri"),
                   request.headers.get("Accept"), formats)
    handed = request.environ.pop(HANDED_OVER, None)  # evaluated already by the fast path (fastpath.py)
    if handed is not None and handed[0] != job:
        log.warning("the fast path and the view read a request differently: %r, %r", handed[0], job)
    outcome = handed[1] if handed is not None and handed[0] == job else run(job)
    if isinstance(outcome, Saturated):
        raise Unavailable("every query slot is busy; try again in a moment", retry_after=1)
    if isinstance(outcome, QueryTimeout):
        abort(503, f"the query ran longer than the {cfg['TIMEOUT']:g} s limit and was stopped")
    if isinstance(outcome, WorkerLost):  # the process is replaced on the next query
        abort(503, _LOST[outcome.how].format(mib=cfg["MAX_QUERY_MEMORY"] >> 20))
    if isinstance(outcome, HandlerError):
        raise RuntimeError(f"query process error: {outcome}")
    if isinstance(outcome, Exception):
        raise outcome
    if outcome.status != 200:
        abort(outcome.status, outcome.body.decode("utf-8", "replace"))
    etag = answer_etag(cfg, get_store(), job)
    if html is not None:  # the table's words follow the page language
        etag = etag_for(etag, request.args.get("lang"), request.headers.get("Accept-Language"))
        resp = _cacheable(html(outcome.body, outcome.content_type, query, params), etag)
        resp.vary.add("Accept-Language")
        return resp
    return _cacheable(Response(outcome.body, status=200, content_type=outcome.content_type), etag)


# The key under which the fast path (server/endpoint/fastpath.py) hands a request it evaluated, and whose
# answer it does not write itself (errors), to this view: (job, outcome).
HANDED_OVER = "apg.sparql.outcome"


def make_job(cfg, query: str, default_graph: list[str], named_graphs: list[str], accept: str | None,
             formats: tuple[str, ...]) -> Job:
    """The Job for a query request (both paths): the protocol dataset only when either list is given."""
    given = bool(default_graph or named_graphs)
    return Job(query=query, default_graph=default_graph if given else None,
               named_graphs=named_graphs if given else None, accept=accept, formats=formats,
               base=cfg["BASE"], max_result_bytes=cfg["MAX_RESULT_BYTES"])


def answer_etag(cfg, store, job: Job) -> str:
    """The entity tag of an answer: the dataset, the base and everything in the request it depends on. The
    query is written with its length (so it cannot run into the fields after it), the short rest as its
    ``repr`` (strings, lists and None have one each); ``repr`` of a long query cost more than the hash."""
    query, *rest = job
    data = f"{store.dataset_sha256}\n{cfg['BASE']}\n{len(query)}\n{query}\n{rest!r}"
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def run(job: Job, app=None) -> Reply | Exception:
    """The outcome of a job in ``app``'s query pool (default: the current app's): its Reply, or the pool's
    exception (Saturated, QueryTimeout, WorkerLost, HandlerError) for the caller to answer."""
    try:
        return Reply._make(get_pool(app).run(tuple(job)))
    except (Saturated, QueryTimeout, WorkerLost, HandlerError) as exc:
        return exc


def _cacheable(resp: Response, etag: str) -> Response:
    resp.set_etag(etag)
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp


def _service_description() -> Response:
    store = get_store()
    fmt_param = tuple(request.args.getlist("format"))
    try:
        fmt, media_type = negotiate(GRAPH, request.headers.get("Accept"), fmt_param)
    except NotAcceptable as exc:
        abort(406, str(exc))
    endpoint = request.base_url
    etag = etag_for(store.dataset_sha256, "service-description", endpoint, fmt_param,
                    request.headers.get("Accept"))
    triples = service_description(store, endpoint, request.url_root + ".well-known/void",
                                  store.base or current_app.config["BASE"])
    if fmt.is_dataset:
        triples = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
    prefixes = BINDINGS if fmt.oxigraph_format in ("TURTLE", "TRIG", "RDF_XML") else None
    body = ox.serialize(triples, format=fmt.writer, prefixes=prefixes)
    return _cacheable(Response(body, status=200, content_type=content_type(media_type)), etag)
