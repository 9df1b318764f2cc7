"""schema.org descriptions of the pages, as JSON-LD for crawlers (``<script type="application/ld+json">``).

Every value comes from the graph: a page's thing keeps its IRI as ``@id``; names are its ``rdfs:label``s (each
with its language), other names its ``skos:altLabel``s, ``sameAs`` its ``owl:sameAs`` links (which the build
takes only from the verified Wikidata list), dates its ``schema:startDate`` / ``schema:endDate`` (or a
decision's ``dcterms:date``) with their datatypes, so the JSON-LD read as RDF states what the graph states.
The landing page describes the dataset (``schema:Dataset``) from the metadata graph: title, description,
license, creator, version, date, one ``schema:DataDownload`` per dump. The context is inline (no remote
``https://schema.org`` context to fetch), with ``@vocab`` the graph's own ``http://schema.org/``.

The text is safe inside ``<script>`` and in XHTML: ``<``, ``>`` and ``&`` are written as JSON escapes.
"""
import json

from markupsafe import Markup

from kg.namespaces import PREFIXES

from . import queries
from .views import kinds, select

SCHEMA_TYPES = {"person": "Person", "organization": "Organization", "place": "Place", "event": "Event",
                "session": "Event", "vote": "Event", "speech": "Event", "decision": "CreativeWork",
                "sentence": "CreativeWork"}
CONTEXT = {"@vocab": PREFIXES["schema"], "xsd": PREFIXES["xsd"],
           **{k: {"@type": "@id"} for k in ("sameAs", "url", "license", "contentUrl", "isBasedOn")}}
XSD_STRING = PREFIXES["xsd"] + "string"

_THING = queries.load("structured-thing")
_DATASET = queries.load("structured-dataset")
_DOWNLOADS = queries.load("structured-downloads")
_SOURCE_URL = queries.load("structured-source-url")
_PROPERTY = {"rdfs:label": "name", "skos:altLabel": "alternateName", "owl:sameAs": "sameAs",
             "schema:startDate": "startDate", "schema:endDate": "endDate", "dcterms:date": "dateCreated"}
_NS = {PREFIXES[p]: f"{p}:" for p in ("rdfs", "skos", "owl", "schema", "dcterms", "prov", "dcat")}


def _short(iri: str) -> str:
    for ns, prefix in _NS.items():
        if iri.startswith(ns):
            return prefix + iri[len(ns):]
    return iri


def _literal(term):
    """A JSON-LD value object that reads back as the very literal of the graph."""
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value != XSD_STRING:
        return {"@value": term.value, "@type": term.datatype.value}
    return term.value


def _add(node: dict, key: str, value) -> None:
    node.setdefault(key, []).append(value)


def _sorted(node: dict) -> dict:
    # the store's order is not promised: sorted values give every worker the same bytes (and ETag)
    return {k: sorted(v, key=lambda x: json.dumps(x, sort_keys=True)) if isinstance(v, list) else v
            for k, v in node.items()}


def thing(store, iri: str) -> dict:
    """The schema.org node of a resource page."""
    found = kinds(store, iri)
    node = {"@id": iri, "@type": next((SCHEMA_TYPES[k] for k in found if k in SCHEMA_TYPES), "Thing"),
            "url": iri}
    for row in select(store, _THING, this=iri):
        p, o = _short(row["p"].value), row["o"]
        if p == "prov:atLocation":
            _add(node, "location", {"@id": o.value})
        elif p == "owl:sameAs":
            _add(node, "sameAs", o.value)
        else:
            _add(node, _PROPERTY[p], _literal(o))
    return _sorted(node)


def dataset(store) -> dict:
    """The schema:Dataset of the landing page, from the metadata graph."""
    meta = store.graphs["metadata"]
    iri = (store.base or "") + "dataset"
    node = {"@id": iri, "@type": "Dataset", "url": store.base}
    keys = {"dcterms:title": "name", "dcterms:description": "description", "dcterms:hasVersion": "version",
            "dcterms:modified": "dateModified"}
    for row in select(store, _DATASET, this=iri, meta=meta):
        p, o = _short(row["p"].value), row["o"]
        if p in keys:
            _add(node, keys[p], _literal(o))
        elif p == "dcterms:license":
            node["license"] = o.value
        elif p == "dcterms:creator":
            _add(node, "creator", {"@type": "Organization", "name": o.value})
        elif p == "dcterms:source":
            urls = [r["url"].value for r in select(store, _SOURCE_URL, source=o)]
            node["isBasedOn"] = urls[0] if urls else o.value
    for row in select(store, _DOWNLOADS, this=iri, meta=meta):
        download = {"@id": row["d"].value, "@type": "DataDownload", "contentUrl": row["url"].value,
                    "encodingFormat": row["type"].value.rsplit("/media-types/", 1)[-1]}
        if row["title"] is not None:
            download["name"] = _literal(row["title"])
        _add(node, "distribution", download)
    return _sorted(node)


def page(store, name: str) -> dict:
    """A page about the whole dataset that is not the dataset itself (corrections, query page, fragments)."""
    dataset_iri = (store.base or "") + "dataset"
    return {"@type": "WebPage", "name": name, "about": {"@id": dataset_iri},
            "isPartOf": {"@id": dataset_iri}}


def script(node: dict | None) -> Markup | None:
    """The ``<script type="application/ld+json">`` element for a node (None: none)."""
    if node is None:
        return None
    text = json.dumps({"@context": CONTEXT, **node}, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup('<script type="application/ld+json">') + Markup(text) + Markup("</script>")
