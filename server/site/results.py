"""Query results for browsers: the HTML table a browser gets for ``/sparql?query=…``.

The endpoint (server/endpoint/sparql.py) evaluates the query in its sandboxed query process as usual, asking
for SPARQL JSON results (SELECT/ASK) or N-Triples (CONSTRUCT/DESCRIBE), and hands those bytes to
``results_page``, registered by server/site/ui.py as ``app.extensions["apg.results_page"]``; the endpoint
never imports the site. Here the answer is only read and written out as HTML: IRIs under the dataset's base
link to this server's pages (``{base}id/x`` -> ``/id/x``, with their label), other IRIs are plain outbound
links, literals show their language tag or datatype, and the same answer is linked in the machine formats.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import current_app

from ..store import get_store
from . import pages
from .documents import BY_EXTENSION, document_response, page_language
from .views import Labeller, curie, local_path

MAX_ROWS = 1000  # rows written into the page; the machine formats have them all
_RESULT_FORMATS = ("json", "xml", "csv", "tsv")
_GRAPH_FORMATS = ("ttl", "nt", "jsonld", "rdf")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _term(value: dict, lab: Labeller) -> dict:
    """A SPARQL JSON results term as a cell: kind, text, href (local page or the IRI), label, lang,
    datatype."""
    kind, text = value.get("type"), value.get("value", "")
    if kind == "uri":
        local = local_path(text, lab.base)
        return {"kind": "iri", "text": curie(text), "iri": text, "href": local or text,
                "label": lab.label(text) if local else None, "external": local is None}
    if kind == "bnode":
        return {"kind": "bnode", "text": f"_:{text}"}
    if kind == "triple":  # RDF 1.2 triple terms
        parts = [_term(value["value"][k], lab) for k in ("subject", "predicate", "object")]
        return {"kind": "triple", "text": " ".join(p["text"] for p in parts)}
    datatype = value.get("datatype")
    return {"kind": "literal", "text": text, "lang": value.get("xml:lang"),
            "datatype": curie(datatype) if datatype and datatype != _XSD_STRING else None}


def _ox_term(term) -> dict:
    """A pyoxigraph term in the SPARQL JSON results shape (for the rows of a graph answer)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    else:
        out["datatype"] = term.datatype.value
    return out


def read_answer(body: bytes, content_type: str) -> dict:
    """The answer as ``{form: select|ask|graph, head: [names], rows: [[term dicts]], boolean}``."""
    if content_type.startswith("application/n-triples"):
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        return {"form": "graph", "head": ["subject", "predicate", "object"],
                "rows": [[_ox_term(t.subject), _ox_term(t.predicate), _ox_term(t.object)] for t in triples]}
    data = json.loads(body)
    if "boolean" in data:
        return {"form": "ask", "head": [], "rows": [], "boolean": bool(data["boolean"])}
    names = data.get("head", {}).get("vars", [])
    rows = [[b.get(n) for n in names] for b in data.get("results", {}).get("bindings", [])]
    return {"form": "select", "head": names, "rows": rows}


def _links(query: str, params, form: str, lang: str) -> list[dict]:
    """The same answer in the machine formats, and the query in the editor."""
    keep = [(k, v) for k in ("default-graph-uri", "named-graph-uri") for v in params.getlist(k)]
    formats = _GRAPH_FORMATS if form == "graph" else _RESULT_FORMATS
    out = [{"name": f.upper() if f != "jsonld" else "JSON-LD", "format": f,
            "href": "/sparql?" + urlencode([("query", query), *keep, ("format", f)])} for f in formats]
    editor = [("query", query), ("format", "html")] + ([("lang", lang)] if lang != "en" else [])
    out.append({"name": "editor", "format": "html", "href": "/sparql?" + urlencode(editor)})
    return out


def results_page(body: bytes, content_type: str, query: str, params):
    """The HTML page (200) for a query answer the endpoint evaluated (``body`` of ``content_type``)."""
    store = get_store()
    lang = page_language()
    lab = Labeller(store, lang)
    answer = read_answer(body, content_type)
    shown = answer["rows"][:MAX_ROWS]
    lab.fetch({v["value"] for row in shown for v in row
               if v and v.get("type") == "uri" and local_path(v["value"], lab.base)})
    rows = [[_term(v, lab) if v else None for v in row] for row in shown]
    ctx = pages.page_context(lang, "/sparql", current_app.config.get("BASE"))
    page = pages.ENV.get_template("results.html").render(
        ctx, answer=answer, rows=rows, total=len(answer["rows"]), query=query,
        links=_links(query, params, answer["form"], ctx["lang"]), article=pages.ARTICLE)
    return document_response(page, BY_EXTENSION["html"], path="/sparql", negotiated=False, variants=False)
