"""The Reconciliation Service API 0.2 (W3C Entity Reconciliation Community Group,
https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/) at ``/reconcile``, so
OpenRefine and similar tools match their rows against this graph.

- ``GET /reconcile``: the service manifest. Entity ids are the graph's IRIs (identifier space
  ``{base}id/``), types are its classes and the schema space the ontology (``…/ontology#``).
- ``GET /reconcile?queries=…`` and ``POST /reconcile`` with the form field ``queries``: a batch of queries (by
  name, with optional types and property constraints) -> candidates with ``score`` (0-100), ``features`` and
  ``match``. ``extend=…`` (GET or POST): data extension. Any answer is JSONP with ``callback=``.
- ``/reconcile/suggest/{entity,type,property}?prefix=…[&cursor=…]``, ``/reconcile/flyout/entity?id=…``,
  ``/reconcile/preview?id=…`` (HTML for an iframe), ``/reconcile/view?id=…`` (303 to the entity's page),
  ``/reconcile/properties?type=…[&limit=…]`` (properties to extend with).

Names are matched by kg/names.py over the build's search index (kg/search_index.py), as the search box does
(server/site/search.py). Score: the name score; with property constraints, 70 % name and 30 % the mean
property fit (properties alone: the property fit). ``match`` is true when the best candidate scores at least
``MATCH`` and the next one at least ``MARGIN`` less. Types filter: a candidate has one of the types, or a
subclass of one (``type_strict: "all"``: of every one); unknown types, properties and malformed batches are a
400 with one line.
"""
from __future__ import annotations

import json
import math
import re

from flask import Blueprint, Response, abort, current_app, redirect, request
from markupsafe import escape

from kg.names import prepare, score
from kg.search_index import KINDS, SearchIndex

from ..http import etag_for
from ..store import get_store
from . import properties, queries, views
from .search import get_index

bp = Blueprint("reconcile", __name__)

BATCH = 50  # queries per batch (manifest batchSize); more: 413
EXTEND_IDS, EXTEND_PROPERTIES = 100, 20  # per data extension request; more: 413
LIMIT = 10  # candidates per query unless the query says
MAX_LIMIT = 100
MATCH = 90.0
FLOOR = 50.0  # candidates scoring less are left out
MARGIN = 5.0
SUGGEST = 10
NAME_WEIGHT = 0.7  # with property constraints: the share of the name in the score
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")
_QUERY_KEYS = {"query", "type", "limit", "properties", "type_strict"}
DEFAULT_TYPES = ("person", "organization", "post", "event", "session", "place", "topic", "sentence")
_KIND_CLASS = dict(KINDS)


# ---------------------------------------------------------------- answers


def _answer(body, *, cache: bool = True, status: int = 200) -> Response:
    """JSON, or JSONP when ``callback`` names a function (the API makes JSONP optional; CORS is everywhere,
    server/http.py)."""
    callback = request.values.get("callback")
    text = json.dumps(body, ensure_ascii=False, sort_keys=False)
    if callback:
        if len(callback) > 100 or not _CALLBACK.fullmatch(callback):
            abort(400, "callback must be a JavaScript identifier (letters, digits, _ and $, dotted)")
        resp = Response(f"/**/{callback}({text});", status=status,
                        content_type="application/javascript; charset=utf-8")
    else:
        resp = Response(text, status=status, content_type="application/json; charset=utf-8")
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.vary.add("Accept-Language")  # names in the client's language
    if cache and request.method == "GET":
        resp.set_etag(etag_for(get_store().dataset_sha256, request.full_path))
        resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    else:
        resp.headers["Cache-Control"] = "no-cache"
    return resp


def _json_param(name: str):
    text = request.values.get(name, "")
    try:
        return json.loads(text)
    except ValueError as exc:
        abort(400, f"{name} is not JSON: {exc}")
    except RecursionError:
        abort(400, f"{name} is nested too deeply")


def _lang() -> str:
    return views.pick_lang(request.args.get("lang") or request.accept_languages.best_match(views.LANGS, "en"))


# ---------------------------------------------------------------- types


def type_table(index: SearchIndex, lab: views.Labeller) -> dict[str, dict]:
    """Every class of an indexed entity: {IRI: {id, name, count}}."""
    counts = index.type_counts()
    lab.fetch(counts)
    return {t: {"id": t, "name": lab.label(t), "count": n} for t, n in counts.items()}


def resolve_type(given, table: dict) -> str:
    """A type of a query: an IRI of the table, a CURIE of the project's prefixes, or a page kind (person)."""
    if not isinstance(given, str) or not given:
        abort(400, "a type must be a non-empty string (a class IRI, a CURIE such as foaf:Person, or a kind)")
    iri = _KIND_CLASS.get(given) or properties.predicate(given) or given
    if iri not in table:
        abort(400, f"unknown type {given!r}: the types are at /reconcile/suggest/type")
    return iri


def _superclasses(store) -> dict[str, set[str]]:
    memo = views.store_memo(store)
    if "superclasses" not in memo:
        found: dict[str, set[str]] = {}
        for row in views.select(store, queries.load("superclasses")):
            found.setdefault(row["c"].value, set()).add(row["d"].value)
        memo["superclasses"] = found
    return memo["superclasses"]


def specific_types(types: list[str], store) -> list[str]:
    """The classes of ``types`` that are no superclass of another of them."""
    supers = _superclasses(store)
    above = {s for t in types for s in supers.get(t, ())}
    return [t for t in types if t not in above]


# ---------------------------------------------------------------- reconciliation queries


def _check_query(qid: str, q) -> dict:
    if not isinstance(q, dict):
        abort(400, f"query {qid!r} is not an object")
    unknown = sorted(set(q) - _QUERY_KEYS)
    if unknown:
        abort(400, f"query {qid!r}: unknown field {unknown[0]!r} (known: {', '.join(sorted(_QUERY_KEYS))})")
    text = q.get("query")
    if text is not None and (not isinstance(text, str) or len(text) > 500):
        abort(400, f"query {qid!r}: query must be a string of at most 500 characters")
    props = q.get("properties", [])
    if not isinstance(props, list) or not all(
            isinstance(p, dict) and isinstance(p.get("pid"), str) and "v" in p for p in props):
        abort(400, f"query {qid!r}: properties must be a list of {{\"pid\": …, \"v\": …}} objects")
    if not (text or "").strip() and not props:
        abort(400, f"query {qid!r}: give a non-empty query or properties")
    for p in props:
        if not properties.known(p["pid"]):
            abort(400, f"query {qid!r}: unknown property {p['pid']!r}: the properties are at "
                       "/reconcile/suggest/property")
        for v in p["v"] if isinstance(p["v"], list) else [p["v"]]:
            if not isinstance(v, (str, int, float, bool)) and not (isinstance(v, dict)
                                                                 and isinstance(v.get("id"), str)):
                abort(400, f"query {qid!r}: property {p['pid']!r}: a value is a string, number, boolean "
                           "or {\"id\": …}")
    limit = q.get("limit", LIMIT)
    if (isinstance(limit, bool) or not isinstance(limit, (int, float)) or not math.isfinite(limit)
            or limit != int(limit) or limit < 1):
        abort(400, f"query {qid!r}: limit must be a positive integer")
    if q.get("type_strict", "any") not in ("any", "should", "all"):
        abort(400, f"query {qid!r}: type_strict must be any, should or all")
    types = q.get("type")
    if types is not None and not isinstance(types, (str, list)):
        abort(400, f"query {qid!r}: type must be a string or a list of strings")
    return q


def candidate(index, entity, score: float, features: list, lab: views.Labeller, store) -> dict:
    types = index.types_of([entity.id])[entity.id]
    lab.fetch(types)
    shown = lab.label(entity.iri)
    others = sorted({n for n, lang, pref in entity.names if pref and n != shown})
    out = {"id": entity.iri, "name": shown, "score": round(score, 2), "features": features,
           "type": [{"id": t, "name": lab.label(t)} for t in specific_types(types, store)]}
    if others:
        out["description"] = " · ".join(others)
    return out


def reconcile_one(qid: str, q: dict, index: SearchIndex, table: dict, lab: views.Labeller, store) -> dict:
    text = (q.get("query") or "").strip()
    limit = min(int(q.get("limit", LIMIT)), MAX_LIMIT)
    given = q.get("type")
    types = [resolve_type(t, table) for t in ([given] if isinstance(given, str) else given or [])]
    if not types:
        ids = None
    elif q.get("type_strict") == "all":  # every type given (the other values: any of them)
        ids = set.intersection(*(index.with_types([t]) for t in types))
    else:
        ids = index.with_types(types)
    constraints = [(p["pid"], p["v"] if isinstance(p["v"], list) else [p["v"]])
                   for p in q.get("properties", [])]
    if text:
        hits = [(h.entity, h.score) for h in index.find(text, ids=ids, whole=True, limit=max(limit * 3, 30))]
    else:  # properties alone: every entity of the types
        pool = sorted(ids) if ids is not None else index.all_ids()
        hits = [(e, 0.0) for e in index.entities(pool).values()]
    scored = []
    for entity, name_score in hits:
        features = [{"id": "name", "value": name_score}] if text else []
        fits = []
        for pid, wanted in constraints:
            fit = properties.match(store, pid, entity.iri, wanted, lab)
            fits.append(fit)
            features.append({"id": f"property:{pid}", "value": fit})
        if fits:
            prop_score = sum(fits) / len(fits)
            total = NAME_WEIGHT * name_score + (1 - NAME_WEIGHT) * prop_score if text else prop_score
        else:
            total = name_score
        if types:
            features.append({"id": "type", "value": True})
        scored.append((total, entity, features))
    scored.sort(key=lambda s: (-s[0], s[1].iri))
    scored = [s for s in scored if s[0] >= FLOOR][:limit]
    result = [candidate(index, e, total, f, lab, store) for total, e, f in scored]
    for i, c in enumerate(result):
        nxt = result[i + 1]["score"] if i + 1 < len(result) else None
        c["match"] = i == 0 and c["score"] >= MATCH and (nxt is None or nxt <= c["score"] - MARGIN)
    return {"result": result}


def reconcile_batch(batch) -> dict:
    if not isinstance(batch, dict):
        abort(400, "queries must be a JSON object of queries by id, e.g. {\"q0\": {\"query\": \"Molotov\"}}")
    if len(batch) > BATCH:
        abort(413, f"{len(batch)} queries in one batch; at most {BATCH} (the manifest's batchSize)")
    checked = {qid: _check_query(qid, q) for qid, q in batch.items()}
    store, index = get_store(), get_index()
    lab = views.Labeller(store, _lang())
    table = type_table(index, lab)
    return {qid: reconcile_one(qid, q, index, table, lab, store) for qid, q in checked.items()}


# ---------------------------------------------------------------- data extension


def _entity_id(given: str, store) -> str:
    """An entity id as given: the IRI, or the part after ``{base}id/`` (``person/khrushchev``)."""
    base = store.base or ""
    return given if given.startswith(("http://", "https://")) else base + "id/" + given.lstrip("/")


def extend(query) -> dict:
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) or not isinstance(
            query.get("properties"), list):
        abort(400, "extend must be a JSON object with ids (a list of entity ids) and properties (a list of "
                   "{\"id\": …})")
    ids = query["ids"]
    props = query["properties"]
    if len(ids) > EXTEND_IDS or len(props) > EXTEND_PROPERTIES:  # each cell is a query of the store
        abort(413, f"at most {EXTEND_IDS} ids and {EXTEND_PROPERTIES} properties in one extension")
    if not all(isinstance(i, str) and i for i in ids):
        abort(400, "every id of extend must be a non-empty string")
    if not all(isinstance(p, dict) and isinstance(p.get("id"), str) for p in props):
        abort(400, "every property of extend must be an object with an id")
    for p in props:
        if not properties.known(p["id"]):
            abort(400, f"unknown property {p['id']!r}: the properties are at /reconcile/suggest/property")
        if not isinstance(p.get("settings", {}), dict):
            abort(400, f"settings of property {p['id']!r} must be an object")
    store = get_store()
    lab = views.Labeller(store, _lang())
    base = store.base or ""
    meta = [{"id": p["id"], "name": properties.name(p["id"], lab)} for p in props]
    rows = {}
    for given in ids:
        iri = _entity_id(given, store)
        row = {}
        for p in props:
            limit = _setting_limit(p)
            try:
                terms = properties.values(store, p["id"], iri, lab)
            except ValueError:  # an id that makes no IRI: an entity we do not know, no values
                terms = []
            cells = [properties.cell(t, lab, base) for t in properties.choose(terms, lab.lang)]
            row[p["id"]] = cells[:limit] if limit else cells
        rows[given] = row
    return {"meta": meta, "rows": rows}


def _setting_limit(prop: dict) -> int:
    raw = (prop.get("settings") or {}).get("limit", 0)
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        abort(400, f"the limit setting of property {prop['id']!r} must be a number")
    if limit < 0:
        abort(400, f"the limit setting of property {prop['id']!r} must be 0 (no limit) or more")
    return limit


# ---------------------------------------------------------------- routes


def manifest() -> dict:
    store = get_store()
    root = request.url_root.rstrip("/")
    base = store.base or ""
    lab = views.Labeller(store, _lang())
    table = type_table(get_index(), lab)
    default_types = [{"id": _KIND_CLASS[k], "name": f"{k} ({views.curie(_KIND_CLASS[k])})"}
                     for k in DEFAULT_TYPES if _KIND_CLASS[k] in table]
    ontology = store.manifest.get("ontology", "https://w3id.org/apg-kg/ontology")
    out = {
        "versions": ["0.2"],
        "name": "Anti-Party Group knowledge graph (apg-kg)",
        "identifierSpace": base + "id/",
        "schemaSpace": ontology + "#",
        "documentation": root + "/",
        "serviceVersion": str(store.version),
        "batchSize": BATCH,
        "view": {"url": root + "/reconcile/view?id={{id}}"},
        "preview": {"url": root + "/reconcile/preview?id={{id}}", "width": 420, "height": 180},
        "defaultTypes": default_types,
        "suggest": {
            kind: {"service_url": root, "service_path": f"/reconcile/suggest/{kind}"}
            for kind in ("entity", "type", "property")
        },
        "extend": {
            "propose_properties": {"service_url": root, "service_path": "/reconcile/properties"},
            "property_settings": [{"name": "limit", "label": "Limit", "type": "number", "default": 0,
                                   "help_text": "Maximum number of values per row (0: all)"}],
        },
    }
    out["suggest"]["entity"]["flyout_service_path"] = "/reconcile/flyout/entity?id=${id}"
    return out


@bp.route("/reconcile", methods=["GET", "POST"])
def endpoint():
    if "queries" in request.values:
        return _answer(reconcile_batch(_json_param("queries")))
    if "extend" in request.values:
        return _answer(extend(_json_param("extend")))
    # the manifest names this host: not kept by the answer cache
    return _answer(manifest(), cache=False)


def _prefix_and_cursor() -> tuple[str, int]:
    prefix = request.args.get("prefix", "")
    if len(prefix) > 200:
        abort(400, "prefix is longer than 200 characters")
    try:
        cursor = int(request.args.get("cursor", 0))
    except ValueError:
        abort(400, "cursor must be a non-negative integer")
    if cursor < 0:
        abort(400, "cursor must be a non-negative integer")
    return prefix.strip(), cursor


@bp.get("/reconcile/suggest/entity")
def suggest_entity():
    prefix, cursor = _prefix_and_cursor()
    store, index = get_store(), get_index()
    lab = views.Labeller(store, _lang())
    ids = None
    if request.args.get("type"):
        ids = index.with_types([resolve_type(request.args["type"], type_table(index, lab))])
    hits = index.find(prefix, ids=ids, prefix=True, whole=False, limit=cursor + SUGGEST, threshold=60) \
        if prefix else []
    result = []
    for h in hits[cursor:]:
        types = index.types_of([h.entity.id])[h.entity.id]
        lab.fetch(types)
        item = {"id": h.entity.iri, "name": lab.label(h.entity.iri),
                "notable": [{"id": t, "name": lab.label(t)} for t in specific_types(types, store)]}
        if h.name != item["name"]:
            item["description"] = h.name
        result.append(item)
    return _answer({"result": result})


def _rank(prefix: str, items: list[dict]) -> list[dict]:
    """Types or properties whose name or id fits ``prefix`` (all of them for an empty one)."""
    if not prefix:
        return items
    q = prepare(prefix)
    ranked = []
    for item in items:
        s = max(score(q, item["name"], prefix=True, whole=False), 100.0 if prefix in (item["id"],) else 0.0,
                100.0 if views.curie(item["id"]).casefold().startswith(prefix.casefold()) else 0.0)
        if s >= 80:
            ranked.append((s, item))
    ranked.sort(key=lambda r: (-r[0], r[1]["name"]))
    return [item for _, item in ranked]


@bp.get("/reconcile/suggest/type")
def suggest_type():
    prefix, cursor = _prefix_and_cursor()
    lab = views.Labeller(get_store(), _lang())
    table = type_table(get_index(), lab)
    by_count = sorted(table.values(), key=lambda t: (-t["count"], t["name"]))
    items = [{"id": t["id"], "name": t["name"], "description": f"{views.curie(t['id'])}, {t['count']}"}
             for t in by_count]
    return _answer({"result": _rank(prefix, items)[cursor:cursor + SUGGEST]})


def property_items(lab: views.Labeller, kinds: set[str] | None = None) -> list[dict]:
    """The named properties (those for ``kinds`` first), then the predicates the data uses."""
    named = [p for p in properties.NAMED if kinds is None or not p.kinds or set(p.kinds) & kinds]
    items = [{"id": p.id, "name": properties.label(p, lab.lang), "description": p.description} for p in named]
    return items


def _predicates(store, lab: views.Labeller, type_iri: str | None = None) -> list[dict]:
    query = queries.load("type-predicates" if type_iri else "graph-predicates")
    given = {"t": type_iri} if type_iri else {"g": store.graphs["data"]}
    rows = views.select(store, query, **given)
    iris = sorted(r["p"].value for r in rows)
    lab.fetch(iris)
    return [{"id": views.curie(i), "name": lab.label(i), "description": i} for i in iris]


@bp.get("/reconcile/suggest/property")
def suggest_property():
    prefix, cursor = _prefix_and_cursor()
    store = get_store()
    lab = views.Labeller(store, _lang())
    items = property_items(lab) + _predicates(store, lab)
    return _answer({"result": _rank(prefix, items)[cursor:cursor + SUGGEST]})


@bp.get("/reconcile/properties")
def propose_properties():
    store, index = get_store(), get_index()
    lab = views.Labeller(store, _lang())
    given = request.args.get("type", "")
    if not given:
        abort(400, "type is required: the type whose properties are proposed")
    type_iri = resolve_type(given, type_table(index, lab))
    try:
        limit = int(request.args.get("limit", 0))
    except ValueError:
        abort(400, "limit must be a positive integer")
    if limit < 0:
        abort(400, "limit must be a positive integer")
    kinds = {k for k, cls in KINDS if cls == type_iri} or {
        e.kind for e in index.entities(sorted(index.with_types([type_iri]))[:200]).values()}
    items = property_items(lab, kinds) + _predicates(store, lab, type_iri)
    items = [{k: v for k, v in i.items() if k in ("id", "name", "description")} for i in items]
    out = {"type": given, "properties": items[:limit] if limit else items}
    if limit:
        out["limit"] = limit
    return _answer(out)


def _known_entity(index: SearchIndex, store):
    given = request.args.get("id", "")
    if not given:
        abort(400, "id is required: the entity's IRI")
    iri = _entity_id(given, store)
    found = index.by_iri([iri])
    if not found:
        abort(404, f"no entity {given!r} in this dataset")
    return found[iri]


@bp.get("/reconcile/view")
def view():
    store = get_store()
    entity = _known_entity(get_index(), store)
    return redirect(views.local_path(entity.iri, store.base) or entity.iri, code=303)


def flyout_html(entity, lab: views.Labeller, store) -> str:
    """A small HTML summary of an entity: name (linked to its page), kind, other names, Wikidata item, and
    the posts (persons) or dates (events) the graph gives."""
    # absolute: a flyout is shown inside the client's own page
    href = request.url_root.rstrip("/") + views.page_href(views.local_path(entity.iri, store.base) or "/",
                                                          lab.lang)
    shown = lab.label(entity.iri)
    others = sorted({n for n, _, pref in entity.names if pref and n != shown})
    kind = lab.label(_KIND_CLASS[entity.kind])
    lines = [f'<p style="margin:0"><a href="{escape(href)}" target="_blank"><strong>{escape(shown)}</strong>'
             f'</a> <span style="color:#666">({escape(kind)})</span></p>']
    if others:
        lines.append(f'<p style="margin:.2em 0;font-size:.9em">{escape(" · ".join(others))}</p>')
    extra = {"person": "post_periods", "event": "start", "session": "start", "vote": "start",
             "decision": "date", "post": "holders"}.get(entity.kind)
    if extra:
        vals = [properties.cell(t, lab, store.base or "")
                for t in properties.values(store, extra, entity.iri, lab)]
        shown_vals = [v.get("name") or v.get("str") or v.get("date", "")[:10] for v in vals][:4]
        if shown_vals:
            lines.append(f'<p style="margin:.2em 0;font-size:.85em">{escape(properties.name(extra, lab))}: '
                         f'{escape("; ".join(shown_vals))}</p>')
    wikidata = properties.values(store, "wikidata", entity.iri, lab)
    if wikidata:
        q = wikidata[0].value.rsplit("/", 1)[-1]
        lines.append(f'<p style="margin:.2em 0;font-size:.85em">Wikidata: '
                     f'<a href="{escape(wikidata[0].value)}" target="_blank">{escape(q)}</a></p>')
    return "\n".join(lines)


@bp.get("/reconcile/preview")
def preview():
    store = get_store()
    entity = _known_entity(get_index(), store)
    lab = views.Labeller(store, _lang())
    body = (f'<!DOCTYPE html>\n<html lang="{lab.lang}"><head><meta charset="utf-8"/>'
            f"<title>{escape(lab.label(entity.iri))}</title></head>"
            '<body style="font-family:system-ui,sans-serif;margin:.4em;font-size:14px">\n'
            f"{flyout_html(entity, lab, store)}\n</body></html>\n")
    resp = Response(body, content_type="text/html; charset=utf-8")
    resp.set_etag(etag_for(store.dataset_sha256, request.full_path))
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    return resp


@bp.get("/reconcile/flyout/entity")
def flyout():
    store = get_store()
    entity = _known_entity(get_index(), store)
    lab = views.Labeller(store, _lang())
    return _answer({"id": request.args["id"], "html": flyout_html(entity, lab, store)})

