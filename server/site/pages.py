"""Server-rendered HTML pages: the Jinja2 templates of ``server/site/templates/`` filled from
server/site/views.py, with
the pictures of server/site/svg.py inline. Plain functions returning ``str`` (no Flask request globals), so a
blueprint only picks the language and the store and returns what these give.

Pages load nothing from another host (inline CSS, inline SVG, one local script for the search box's
suggestions, one schema.org JSON-LD data block, a ``data:`` favicon), read without JavaScript, and are
well-formed XML as well as HTML. Links to resources of the dataset are local paths (``{base}id/x`` ->
``/id/x``, with ``?lang=`` when the page language is not English); Wikidata and DBpedia links and the source
article are ordinary outbound links.

Wiring (for the blueprints): ``/id/{path}`` -> ``resource_page(store, base + "id/" + path, lang)`` (None:
answer 404 with ``not_found_page``; ValueError: the path is no valid IRI, also 404); ``/index[/{kind}]`` ->
``index_page``; ``/`` -> ``landing_page``; ``/download`` -> ``downloads_page``; any unknown page ->
``not_found_page``. ``lang`` comes from ``?lang=`` (see ``views.pick_lang``), else from Accept-Language. Pages
link to ``/sparql``, ``/download/{file}``, ``/download``, ``/ontology`` (ontology terms ``{base}ontology#X``
map to ``/ontology#X``) and ``/.well-known/void``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from kg import i18n
from kg.resources import queries_dir, templates_dir

from . import citation, corrections, indexes, standing, structured, svg, views
from .views import DEFAULT_LANG, LANGS, pick_lang

TEMPLATES = templates_dir("server.site")
QUERIES = queries_dir()
LICENSE = {"name": "CC BY-SA 4.0", "href": "https://creativecommons.org/licenses/by-sa/4.0/"}
ARTICLE = {"title": "Antipartijiskā grupa", "href": "https://lv.wikipedia.org/wiki/Antipartijisk%C4%81_grupa"}
# The dataset description's RDF variants (/dataset.{ext}), linked from the pages about the whole dataset.
DATASET_ALTERNATES = [{"type": t, "href": f"/dataset.{e}"} for e, t in (
    ("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
    ("rdf", "application/rdf+xml"))]
# The corrections page lists resources of the data graph: its variants are the data graph's.
DATA_ALTERNATES = [{"type": a["type"], "href": a["href"].replace("/dataset.", "/graph/data.")}
                   for a in DATASET_ALTERNATES]



def strings(lang: str):
    """The interface words of the pages in ``lang`` (en, lv, ru), from its catalogue (kg/i18n.py)."""
    return i18n.strings(pick_lang(lang))


def _size(n) -> str:
    if n is None:
        return ""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size"] = _size
    return env


ENV = _env()


def _context(lang: str, path: str, base: str | None) -> dict:
    lang = pick_lang(lang)

    def href(link) -> str | None:
        """The link's address; local pages of the dataset keep the page language."""
        if not link:
            return None
        return views.page_href(link["href"] if isinstance(link, dict) else link, lang)

    roles = i18n.strings(lang, "role")

    def role(name: str) -> str:
        return roles.get(name, name)

    path = path or "/"
    switch = [
        {"lang": code, "name": i18n.LANG_NAMES[code], "href": f"{path}?lang={code}", "current": code == lang}
        for code in LANGS
    ]
    t = strings(lang)
    license_html = (
        escape(t["license_text"])
        .replace(
            "{license}", Markup('<a rel="license" href="{}">{}</a>').format(LICENSE["href"], LICENSE["name"])
        )
        .replace(
            "{article}", Markup('<a lang="lv" href="{}">«{}»</a>').format(ARTICLE["href"], ARTICLE["title"])
        )
    )
    return {
        "lang": lang,
        "t": t,
        "href": href,
        "role": role,
        "langs": switch,
        "path": path,
        "base": base,
        "license": LICENSE,
        "license_html": license_html,
    }


def page_context(lang: str, path: str, base: str | None) -> dict:
    """What every template of base.html needs (language, interface words, links, license) for other
    modules of the site that render a page."""
    return _context(lang, path, base)


def render_resource(view: dict, *, path: str | None = None, alternates: list[dict] | None = None,
                    cite: dict | None = None, jsonld=None) -> str:
    """The HTML page of a resource from ``views.resource_view``. ``path``: the page's own path (for the
    language switch; default the resource's local path); ``alternates``: [{type, href}] for <link
    rel="alternate">."""
    lang, base = view["lang"], view.get("base")
    ctx = _context(lang, path or views.local_path(view["iri"], base) or "/", base)
    pictures = {}
    if view.get("timeline"):
        pictures["posts"] = Markup(
            svg.person_posts(view["timeline"], lang, title=ctx["t"]["timeline"], words=ctx["t"])
        )
    if view.get("vote"):
        pictures["vote"] = Markup(svg.vote_chart(view["vote"], lang))
    session_votes = [Markup(svg.vote_chart(v, lang)) for v in (view.get("session") or {}).get("votes", [])]
    return ENV.get_template("resource.html").render(
        ctx,
        view=view,
        pictures=pictures,
        standing=view.get("standing"),
        session_votes=session_votes,
        alternates=alternates or [],
        article=ARTICLE,
        cite=cite,
        jsonld=jsonld,
    )


def resource_page(
    store,
    iri: str,
    lang: str = DEFAULT_LANG,
    *,
    path: str | None = None,
    alternates: list[dict] | None = None,
) -> str | None:
    """``render_resource(views.resource_view(store, iri, lang))``, or None when the dataset does not know
    ``iri`` (the caller answers 404 with ``not_found_page``). ValueError for an invalid IRI."""
    view = views.resource_view(store, iri, lang)
    if view is None:
        return None
    if "session" in view["kinds"]:  # the June 1957 sessions show who stood where
        view["standing"] = standing_section(store, view["lang"], current=iri)
    return render_resource(view, path=path, alternates=alternates,
                           cite=citation.citation(store, iri=iri, label=view["label"]),
                           jsonld=structured.script(structured.thing(store, iri)))


def standing_section(store, lang: str, current: str | None = None) -> Markup | None:
    """Who stood where (picture, table, group statements) as an HTML section, or None when the build has no
    such steps or ``current`` is a session that is not one of them. Rendered once per store, language and
    page (a served store never changes; the section is a third of a session page's rendering time)."""
    memo = views.store_memo(store).setdefault("standing_html", {})
    key = (pick_lang(lang), current)
    if key not in memo:
        ctx = _context(lang, "/", store.manifest.get("base"))
        stood = standing.standing_view(store, ctx["lang"], ctx["t"])
        html = None
        if stood and (current is None or current in stood["sessions"]):
            chart = Markup(svg.standing_chart(stood, ctx["lang"], words=ctx["t"], current=current))
            html = Markup(ENV.get_template("_standing.html").render(ctx, standing=stood, chart=chart))
        memo[key] = html
    return memo[key]


def landing_page(
    store, lang: str = DEFAULT_LANG, *, queries_dir: Path | str | None = QUERIES, path: str = "/"
) -> str:
    """The landing page: what the dataset is, counts, license and attribution, the episode timeline, an index,
    the example queries (``queries/*.rq``) and the downloads."""
    lang = pick_lang(lang)
    view = views.landing_view(store, lang, queries_dir)
    view["index_hrefs"] = {key: indexes.kind_href(key, lang) for key in indexes.SLUGS.values()}
    ctx = _context(lang, path, store.manifest.get("base"))
    items, undated = views.episode_items(store, lang), views.undated_items(store, lang)
    timeline = Markup(svg.episode_timeline(items, lang, words=ctx["t"], undated=undated))
    return ENV.get_template("landing.html").render(
        ctx, view=view, timeline=timeline, items=items, undated=undated,
        standing=standing_section(store, lang), article=ARTICLE, cite=citation.citation(store),
        jsonld=structured.script(structured.dataset(store)), alternates=DATASET_ALTERNATES)


def downloads_page(store, lang: str = DEFAULT_LANG, *, path: str = "/download") -> str:
    """The list of dumps (from manifest.json) with sizes, media types, triples and SHA-256, linked to
    ``/download/{file}``."""
    lang = pick_lang(lang)
    view = views.landing_view(store, lang, None)
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("downloads.html").render(ctx, view=view, article=ARTICLE,
                                                     cite=citation.citation(store),
                                                     jsonld=structured.script(structured.dataset(store)),
                                                     alternates=DATASET_ALTERNATES)


def corrections_page(store, lang: str = DEFAULT_LANG, *, path: str = "/corrections") -> str:
    """Every editorial correction of the data graph (server/site/corrections.py): factual corrections, then
    the
    typo normalisations in labels."""
    lang = pick_lang(lang)
    found = corrections.corrections(store, views.Labeller(store, lang))
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("corrections.html").render(
        ctx, corrections=found, article=ARTICLE, cite=citation.citation(store), alternates=DATA_ALTERNATES,
        jsonld=structured.script(structured.page(store, ctx["t"]["corrections"])))


def index_page(store, slug: str | None, lang: str = DEFAULT_LANG) -> str | None:
    """``/index`` (the kinds, ``slug`` None) or ``/index/{slug}`` (server/site/indexes.py); None for an
    unknown kind (404)."""
    lang = pick_lang(lang)
    if slug is None:
        view = {"key": None, "kinds": indexes.kinds_view(store, lang)}
    else:
        view = indexes.index_view(store, slug, lang)
        if view is None:
            return None
    path = "/index" + (f"/{slug}" if slug else "")
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("index.html").render(
        ctx, view=view, article=ARTICLE, cite=citation.citation(store), alternates=DATA_ALTERNATES,
        jsonld=structured.script(structured.page(store, ctx["t"]["index"])))


def fragments_page(store, lang: str = DEFAULT_LANG, *, view: dict, path: str = "/fragments") -> str:
    """A Triple Pattern Fragment for people (server/site/fragments.py gives ``view``)."""
    lang = pick_lang(lang)
    ctx = _context(lang, path, store.manifest.get("base"))
    return ENV.get_template("fragments.html").render(
        ctx, view=view, alternates=view["alternates"], article=ARTICLE, cite=citation.citation(store),
        jsonld=structured.script(structured.page(store, ctx["t"]["fragments"])))


def search_page(q: str, groups: list[dict], lang: str = DEFAULT_LANG, *, base: str | None = None) -> str:
    """The results of a search (server/site/search.py ``results``), grouped by kind."""
    ctx = _context(lang, "/search", base)
    ctx["langs"] = [dict(sw, href=sw["href"] + (f"&q={quote(q)}" if q else "")) for sw in ctx["langs"]]
    return ENV.get_template("search.html").render(ctx, q=q, groups=groups, article=ARTICLE)


def not_found_page(lang: str = DEFAULT_LANG, *, path: str = "/", iri: str | None = None) -> str:
    """The 404 page for ``path`` (and the IRI it stands for, if any)."""
    ctx = _context(lang, path, None)
    return ENV.get_template("404.html").render(ctx, missing=path, iri=iri, article=ARTICLE)
