"""What crawlers read first: ``/robots.txt`` and ``/sitemap.xml`` (sitemaps.org protocol 0.9).

The sitemap lists every page of the site on this host (``request.url_root``): the landing page, downloads,
corrections, the query page, the fragments' start page, the ontology, the index pages, and ``/doc/{path}`` of
every resource of the data graph under ``{base}id/`` (retired IRIs left out: they answer 301). ``lastmod`` is
the build's date (the dataset's ``dcterms:modified``). robots.txt allows everything and names the sitemap, but
keeps crawlers out of the two URL spaces without end, SPARQL queries (``/sparql?…``) and triple patterns
(``/fragments?…``): the pages and dumps hold the same data."""
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request

from ..http import etag_for
from ..store import get_store
from . import queries
from .citation import dataset_facts
from .indexes import SLUGS
from .views import local_path, select

bp = Blueprint("crawlers", __name__)

PAGES = ("/", "/download", "/corrections", "/sparql", "/fragments", "/ontology", "/index",
         *(f"/index/{slug}" for slug in SLUGS))
_SUBJECTS = queries.load("sitemap-subjects")
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def page_paths(store) -> list[str]:
    """Every page's path: the fixed pages, then one /doc/{path} per resource."""
    base = store.base or ""
    paths = list(PAGES)
    for row in select(store, _SUBJECTS, data=store.graphs["data"]):
        iri = row["s"].value
        if iri.startswith(base + "id/") and iri not in store.redirects:
            paths.append("/doc/" + local_path(iri, base)[len("/id/"):])
    return paths


def _answer(body: str, media_type: str, what: str) -> Response:
    store = get_store()
    resp = Response(body, content_type=f"{media_type}; charset=utf-8")
    resp.set_etag(etag_for(store.dataset_sha256, what, request.url_root))
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp


@bp.get("/sitemap.xml")
def sitemap():
    store = get_store()
    root = request.url_root.rstrip("/")
    date = dataset_facts(store)["date"]
    lastmod = f"<lastmod>{date}</lastmod>" if date else ""
    urls = "".join(f"<url><loc>{escape(root + path)}</loc>{lastmod}</url>\n" for path in page_paths(store))
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{NS}">\n{urls}</urlset>\n'
    return _answer(body, "application/xml", "sitemap")


@bp.get("/robots.txt")
def robots():
    body = ("# Pages, downloads and the dataset description are for everyone. SPARQL queries and triple\n"
            "# patterns are URL spaces without end: the pages and the dumps hold the same data.\n"
            "User-agent: *\n"
            "Allow: /\n"
            "Disallow: /sparql?\n"
            "Disallow: /fragments?\n"
            f"Sitemap: {request.url_root}sitemap.xml\n")
    return _answer(body, "text/plain", "robots")
