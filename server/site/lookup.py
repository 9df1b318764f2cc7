"""Lookup from identifiers others use: ``/lookup?uri=…`` answers ``303 See Other`` to the resource of this
graph that is the same as the identifier given (its ``owl:sameAs`` links: Wikidata items from the verified
list, DBpedia resources from the English Wikipedia titles), so a project holding Wikidata or DBpedia IRIs
reaches ours without writing SPARQL, as Wikidata's Special:GoToLinkedPage follows a sitelink.

Forms accepted for the same Wikidata item: ``http://www.wikidata.org/entity/Q35314`` (the concept IRI), https,
``wd:Q35314``, the item's pages ``https://www.wikidata.org/wiki/Q35314`` (also ``m.wikidata.org``,
``Special:EntityData/Q35314[.json]``) and a bare ``Q35314``; for DBpedia ``http://dbpedia.org/resource/…``,
https, ``/page/…`` and ``dbr:…``; and this graph's own IRIs. An identifier none of our resources is linked to:
``404``; a value that is no identifier at all, or no ``uri``: ``400``; both one line of text.
"""
import re
from urllib.parse import quote, unquote

import pyoxigraph as ox
from flask import Blueprint, abort, current_app, redirect, request

from kg.namespaces import PREFIXES

from ..store import get_store
from . import queries
from .views import ask, select

bp = Blueprint("lookup", __name__)

WIKIDATA = PREFIXES["wd"]
DBPEDIA = PREFIXES["dbr"]
_ITEM = r"([Qq][1-9][0-9]*)"
_WIKIDATA_FORMS = (
    re.compile(rf"^{_ITEM}$"),
    re.compile(rf"^wd:{_ITEM}$"),
    re.compile(rf"^https?://(?:www\.|m\.)?wikidata\.org/(?:entity/|wiki/(?:Special:EntityData/)?){_ITEM}"
               r"(?:\.[a-z]+)?/?$", re.IGNORECASE),
)
_DBPEDIA_FORMS = (
    re.compile(r"^dbr:(\S+)$"),
    re.compile(r"^https?://dbpedia\.org/(?:resource|page)/(\S+)$", re.IGNORECASE),
)
# A DBpedia title as its IRI writes it: Wikipedia's title with spaces as underscores, percent-encoding only
# what an IRI cannot hold.
_TITLE_SAFE = "!$&'()*+,;=:@/-._~"


def _targets(value: str) -> list[str] | None:
    """The IRIs the value may name (each form once), or None when it is no identifier."""
    for form in _WIKIDATA_FORMS:
        m = form.match(value)
        if m:
            return [WIKIDATA + "Q" + m.group(1)[1:]]
    for form in _DBPEDIA_FORMS:
        m = form.match(value)
        if m:
            title = unquote(m.group(1)).replace(" ", "_")
            return list(dict.fromkeys([DBPEDIA + quote(title, safe=_TITLE_SAFE), DBPEDIA + m.group(1)]))
    if re.match(r"^(?:wd|dbr):", value, re.IGNORECASE):  # a prefixed name that names no item or resource
        return None
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value):  # some other absolute IRI: ours, or unknown
        return [value]
    return None


@bp.get("/lookup")
def lookup():
    value = (request.args.get("uri") or "").strip()
    if not value:
        abort(400, "give the identifier to look up as ?uri=, e.g. /lookup?uri=http://www.wikidata.org/entity/"
                   "Q35314, /lookup?uri=Q35314 or /lookup?uri=http://dbpedia.org/resource/Nikita_Khrushchev")
    targets = _targets(value)
    shown = quote(value, safe=_TITLE_SAFE + "?#[]%")
    if targets is None:
        abort(400, f"{shown!r} is not an identifier: give a Wikidata item (Q35314, wd:Q35314, its IRI or "
                   "page), a DBpedia resource IRI, or an IRI of this dataset")
    store = get_store()
    base = current_app.config["BASE"] + "id/"
    found = set()
    for target in targets:
        try:
            node = ox.NamedNode(target)
        except ValueError:
            abort(400, f"{shown!r} is not a valid IRI")
        data = store.graphs["data"]
        if target.startswith(base) and ask(store, queries.load("described-in"), this=node, g=data):
            found.add(target)
        linked = [row["x"] for row in select(store, queries.load("same-as-in"), target=node, g=data)]
        found |= {x.value for x in linked if isinstance(x, ox.NamedNode) and x.value.startswith(base)}
    if not found:
        abort(404, f"no resource of this dataset is linked to {shown}")
    iri = min(found)  # one resource per identifier in practice; the first in IRI order if ever more
    resp = redirect("/id/" + quote(iri[len(base):], safe="/-._~!$&'()*+,;=:@%"), code=303)
    resp.set_data(f"303 See Other: {value} is {iri}\n")  # one line naming the persistent IRI
    resp.mimetype = "text/plain"
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp
