"""The index pages (``/index``, ``/index/{kind}``): every resource of one kind, the events in date order, the
source's sentences in order with the statements each carries. Plain functions over the store, as views.py;
rendered by pages.index_page, served by publish.py.

Kinds (the URL's word -> views' kind key and class): the classes the landing page counts (views.INDEX_KINDS),
but here the events are all of them (sessions, votes and speech acts included), dated by their own
apg:notBefore / apg:notAfter bounds or, lacking them, by the nearest enclosing event's (schema:superEvent)."""
from __future__ import annotations

from . import queries
from .views import (
    INDEX_KINDS,
    Labeller,
    episode_items,
    expand,
    select,
    sentence_view,
    store_memo,
    undated_items,
)

SLUGS = {"persons": "person", "organisations": "organization", "sessions": "session", "votes": "vote",
         "decisions": "decision", "events": "event", "sentences": "sentence"}
_CLASS = dict(INDEX_KINDS)


def kind_href(key: str, lang: str) -> str:
    """The index page of a kind key (``person`` -> ``/index/persons``), keeping the page language."""
    slug = next(s for s, k in SLUGS.items() if k == key)
    return f"/index/{slug}" + (f"?lang={lang}" if lang != "en" else "")


def _members(store, key: str) -> list[str]:
    return [r["x"].value for r in select(store, queries.load("instances"), c=expand(_CLASS[key]))]


def kinds_view(store, lang: str) -> list[dict]:
    """The kinds with their counts and index pages, for ``/index``."""
    return [{"key": k, "slug": s, "count": len(_members(store, k)), "href": kind_href(k, lang)}
            for s, k in SLUGS.items()]


def resources(store, key: str, lab: Labeller) -> list[dict]:
    """Every resource of the kind, as links sorted by label."""
    iris = _members(store, key)
    lab.fetch(iris)
    return sorted((lab.link(i) for i in iris), key=lambda v: (v["label"].casefold(), v["iri"]))


def events(store, lab: Labeller) -> list[dict]:
    """Every event: link, item (what dates it, from episode_items: bounds and the source's dates at their
    precision), via (the enclosing event that gave the date, if not its own), undated (for the others: the
    source's words for when, from undated_items). Dated first, in date order; undated last, by label."""
    iris = _members(store, "event")
    dated = {i["link"]["iri"]: i for i in episode_items(store, lab.lang, lab)}
    undated = {u["link"]["iri"]: u for u in undated_items(store, lab.lang, lab)}
    parent = {r["x"].value: r["super"].value for r in select(store, queries.load("super-events"))}
    lab.fetch(iris)
    out = []
    for iri in iris:
        at, seen = iri, set()
        while at not in dated and at in parent and at not in seen:  # the nearest enclosing dated event
            seen.add(at)
            at = parent[at]
        item = dated.get(at)
        out.append({"link": lab.link(iri), "item": item, "via": lab.link(at) if item and at != iri else None,
                    "undated": None if item else undated.get(iri)})
    out.sort(key=lambda e: (e["item"] is None,
                            (e["item"] or {}).get("not_before") or (e["item"] or {}).get("not_after") or "",
                            (e["item"] or {}).get("not_after") or "", e["link"]["label"].casefold()))
    return out


def sentences(store, lang: str) -> list[dict]:
    """Every sentence of the source in order, each as its own page shows it (views.sentence_view: Latvian text
    with the statements' words marked, translation, statements). Read once per store and language (a served
    store never changes; 51 sentence views take a while)."""
    memo = store_memo(store).setdefault("index_sentences", {})
    if lang not in memo:
        lab = Labeller(store, lang)
        memo[lang] = [sentence_view(store, r["s"].value, lang, lab)
                      for r in select(store, queries.load("sentence-order"))]
    return memo[lang]


def index_view(store, slug: str, lang: str) -> dict | None:
    """What ``/index/{slug}`` shows, or None for an unknown kind (404)."""
    key = SLUGS.get(slug)
    if key is None:
        return None
    lab = Labeller(store, lang)
    view = {"key": key, "slug": slug}
    if key == "event":
        view["events"] = events(store, lab)
    elif key == "sentence":
        view["sentences"] = sentences(store, lab.lang)
    else:
        view["members"] = resources(store, key, lab)
    return view
