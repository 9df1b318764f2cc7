"""Search: the box in every page's header, its results page and its suggestions as you type.

- ``/search?q=…[&lang=…]``: the results page, grouped by kind (persons, organisations, posts, events,
  sessions, votes, decisions, speech acts, claims, places, topics, sentences), each with a snippet: the name
  that matched, or the words of the source sentence (or its English gloss) with the query's words marked.
  Works without JavaScript (a plain GET form).
- ``/search/suggest?q=…``: suggestions as you type, in the OpenSearch Suggestions format
  (``[query, [names], [kinds], [page URLs]]``, ``application/x-suggestions+json``), used by the page's small
  script (``/static/search/search.js``, progressive enhancement) and by browsers' search bars
  (``/opensearch.xml``, OpenSearch 1.1 description).

Names are matched by kg/names.py over the full-text index that ``apg build`` writes (``dist/search.sqlite``,
kg/search_index.py), the same matching as the reconciliation service (server/site/reconcile.py):
transliterations, misspellings, Cyrillic without ``ё``, Latvian nominatives. ``init_app`` loads the index
once per app, checked against the build's manifest; ``get_index()`` gives it to both blueprints.
"""
import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request
from markupsafe import Markup, escape

from kg.search_index import FILE, KIND_NAMES, SearchIndex

from ..extensions import attach, lookup
from ..http import etag_for
from ..store import BuildMissing, get_store
from . import pages, views
from .documents import page_language

bp = Blueprint("search", __name__, static_folder="static", static_url_path="/static/search")

_EXTENSION = "apg.search"
MAX_QUERY = 200  # characters of a search text
SHOWN = 60  # results by name on the page
THRESHOLD = 72.0  # a name scoring less is no result (names.score, 0-100)
SUGGESTIONS = 8
# the order of the groups on the results page
GROUPS = ("person", "organization", "post", "event", "session", "vote", "decision", "speech", "claim",
          "place", "topic", "sentence")
assert set(GROUPS) == set(KIND_NAMES)


class NoIndex(BuildMissing):
    """The build's search index is not what its manifest says, or no index: the build is broken (``apg serve``
    stops with one line, exit status 4)."""


def load(dist: Path, manifest: dict) -> SearchIndex | None:
    """The build's search index, checked against its manifest; None when the build has none (an older
    build: search answers 503). NoIndex when it is there but broken."""
    path = Path(dist) / FILE
    entry = manifest.get("files", {}).get(FILE)
    if entry is None or not path.is_file():
        return None
    blob = path.read_bytes()
    if hashlib.sha256(blob).hexdigest() != entry.get("sha256"):
        raise NoIndex(f"{path} does not match {Path(dist) / 'manifest.json'} (sha256 differs); rebuild with "
                      "'apg build'")
    try:
        return SearchIndex(blob)
    except Exception as exc:  # sqlite3.DatabaseError and the like: a file that is no index
        raise NoIndex(f"{path} is no search index: {exc}") from exc


def init_app(app) -> SearchIndex | None:
    return attach(app, _EXTENSION, load(app.config["DIST"], get_store(app).manifest))


def get_index(app=None) -> SearchIndex:
    """The search index of the app; 503 when the build has none."""
    index = lookup(_EXTENSION, app)
    if index is None:
        abort(503, f"this build has no search index ({FILE}): rebuild with 'apg build'")
    return index


def query_text() -> str:
    """``q``, checked: at most MAX_QUERY characters, no control characters."""
    q = request.args.get("q", "")
    if len(q) > MAX_QUERY:
        abort(400, f"the search text is {len(q)} characters long; at most {MAX_QUERY} are searched")
    if any(ord(c) < 32 for c in q):
        abort(400, "the search text contains control characters")
    return " ".join(q.split())


def label(entity, lang: str) -> str:
    """The entity's name in ``lang``: its rdfs:label in that language, else English, Latvian, any."""
    order = [lang, "en", "lv", "ru"]
    ranked = sorted(entity.names, key=lambda n: (not n[2], order.index(n[1]) if n[1] in order else 4))
    return ranked[0][0] if ranked else entity.iri


def href(entity, lang: str) -> str:
    return views.page_href(views.local_path(entity.iri, get_store().base) or entity.iri, lang)


def marked(snippet: str) -> Markup:
    """A snippet from the index (matched words between \\x02 and \\x03) as HTML with <mark>."""
    return Markup(str(escape(snippet)).replace("\x02", "<mark>").replace("\x03", "</mark>"))


def results(index: SearchIndex, q: str, lang: str) -> list[dict]:
    """The results page's groups: [{kind, items: [{label, href, snippet, lang, score}]}] in GROUPS order."""
    found: dict[str, dict] = {}
    for hit in index.find(q, whole=False, limit=SHOWN, threshold=THRESHOLD):
        shown = label(hit.entity, lang)
        found[hit.entity.iri] = {
            "kind": hit.entity.kind, "label": shown, "href": href(hit.entity, lang), "score": hit.score,
            "snippet": None if hit.name == shown else Markup(escape(hit.name)),
            "snippet_lang": next((n[1] for n in hit.entity.names if n[0] == hit.name), ""),
        }
    for word in index.word_hits(q, limit=SHOWN):
        item = found.get(word.entity.iri)
        if item is None:
            item = found[word.entity.iri] = {
                "kind": word.entity.kind, "label": label(word.entity, lang), "href": href(word.entity, lang),
                "score": 0.0, "snippet": None, "snippet_lang": ""}
        if item["snippet"] is None:  # the best-ranked words of the entity (rows come best first)
            item["snippet"], item["snippet_lang"] = marked(word.snippet), word.lang
    groups = []
    for kind in GROUPS:
        items = [v for v in found.values() if v["kind"] == kind]  # names first by score, then word hits
        if items:
            groups.append({"kind": kind, "items": items})
    return groups


@bp.get("/search")
def search_page():
    lang = page_language()
    q = query_text()
    groups = results(get_index(), q, lang) if q else []
    body = pages.search_page(q, groups, lang, base=get_store().base)
    resp = Response(body, content_type="text/html; charset=utf-8")
    return _cacheable(resp, "search", q, lang)


@bp.get("/search/suggest")
def suggest():
    q = query_text()
    lang = page_language()
    hits = get_index().find(q, prefix=True, whole=False, limit=SUGGESTIONS, threshold=THRESHOLD) if q else []
    t = pages.strings(lang)
    body = [q, [label(h.entity, lang) for h in hits], [t[f"search_kind_{h.entity.kind}"] for h in hits],
            [href(h.entity, lang) for h in hits]]
    resp = Response(json.dumps(body, ensure_ascii=False), content_type="application/x-suggestions+json")
    return _cacheable(resp, "suggest", q, lang)


@bp.get("/opensearch.xml")
def opensearch():
    """OpenSearch 1.1 description: browsers offer the site's search in their search bar."""
    root = request.url_root
    t = pages.strings(page_language())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">\n'
        f"<ShortName>apg-kg</ShortName>\n<Description>{escape(t['site'])}</Description>\n"
        "<InputEncoding>UTF-8</InputEncoding>\n"
        f'<Url type="text/html" method="get" template="{escape(root)}search?q={{searchTerms}}"/>\n'
        f'<Url type="application/x-suggestions+json" method="get" '
        f'template="{escape(root)}search/suggest?q={{searchTerms}}"/>\n'
        "</OpenSearchDescription>\n")
    # the host is in the body: not kept by the answer cache (no public Cache-Control)
    return Response(body, content_type="application/opensearchdescription+xml; charset=utf-8")


def _cacheable(resp: Response, *parts) -> Response:
    resp.vary.add("Accept-Language")
    resp.set_etag(etag_for(get_store().dataset_sha256, *parts))
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp
