"""Triple Pattern Fragments of the default graph at ``/fragments`` (Hydra W3C Community Group, "Triple Pattern
Fragments", https://linkeddatafragments.org/specification/triple-pattern-fragments/).

A fragment is every triple of the endpoint's default graph (the union of the data and ontology graphs, as for
``/sparql``; a triple in both is one triple) matching ``?subject=…&predicate=…&object=…``, 100 a page
(``&page=N``), sorted by their N-Triples text so pages are the same in every worker. Each page carries:

- the data: the matching triples of the page;
- metadata: ``hydra:totalItems`` and ``void:triples`` (the exact count of the pattern's matches),
  ``hydra:itemsPerPage``, and the paging controls ``hydra:first`` / ``hydra:previous`` / ``hydra:next``;
- controls: the dataset ``{root}fragments#dataset`` with its ``hydra:search`` IRI template
  ``{root}fragments{?subject,predicate,object}`` (``hydra:ExplicitRepresentation``; mappings to
  ``rdf:subject``, ``rdf:predicate``, ``rdf:object``), so a client finds every other fragment.

In TriG, N-Quads and JSON-LD the metadata and controls are a named graph ``{page}#metadata`` whose
``foaf:primaryTopic`` is the page, as the specification recommends; in Turtle, N-Triples and RDF/XML (triples
only) they sit beside the data. Browsers get an HTML page with a form.

Pattern terms in Hydra's explicit representation: an IRI as is (or in ``<…>``, or a prefixed name of the
predefined prefixes: ``foaf:Person``), a literal as ``"text"``, ``"text"@lang`` or ``"text"^^datatype-IRI``;
empty, absent, ``?x``, ``$x`` or ``_:x`` is a variable. Anything else (a relative IRI, a malformed literal, a
literal as subject or predicate, a repeated parameter, a bad page number) gets ``400`` with one line. The
terms are pyoxigraph terms given to ``Store.quads_for_pattern``: no request text enters a query. Fragment URLs
are absolute on this host (``request.url_root``, correct behind a proxy that the app is told to trust): a
client follows them here, never to the persistent base.
"""
import re
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, request

from kg.namespaces import PREFIXES

from ..http import etag_for
from ..store import get_store
from . import pages
from .documents import LICENSE, page_language

bp = Blueprint("fragments", __name__)

PAGE_SIZE = 100
MAX_PAGE = 1_000_000
POSITIONS = ("subject", "predicate", "object")

HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


@dataclass(frozen=True)
class FragmentFormat:
    short: str  # format= value
    media_type: str
    writer: ox.RdfFormat | None  # None: HTML
    aliases: tuple[str, ...] = ()

    @property
    def dataset(self) -> bool:
        """Whether the metadata goes into its own named graph."""
        return self.writer is not None and self.writer.supports_datasets


# The first is what */* (or no Accept) gets: machines get Turtle, browsers ask for text/html first.
FORMATS = (
    FragmentFormat("ttl", "text/turtle", ox.RdfFormat.TURTLE, ("application/x-turtle",)),
    FragmentFormat("trig", "application/trig", ox.RdfFormat.TRIG),
    FragmentFormat("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES, ("text/plain",)),
    FragmentFormat("nq", "application/n-quads", ox.RdfFormat.N_QUADS),
    FragmentFormat("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, ("application/json",)),
    FragmentFormat("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML, ("application/xml", "text/xml")),
    FragmentFormat("html", "text/html", None, ("application/xhtml+xml",)),
)
_BY_SHORT = {f.short: f for f in FORMATS}


def _negotiate() -> FragmentFormat:
    asked = request.args.get("format")
    if asked:
        if asked not in _BY_SHORT:
            abort(406, f"no fragment format {asked!r}; known: {', '.join(_BY_SHORT)}")
        return _BY_SHORT[asked]
    by_type = {}
    for f in FORMATS:
        for media_type in (f.media_type, *f.aliases):
            by_type.setdefault(media_type, f)
    if not request.headers.get("Accept", "").strip():
        return FORMATS[0]
    best = request.accept_mimetypes.best_match(list(by_type))
    if best is None:
        abort(406, "no acceptable format; fragments are served as "
                   + ", ".join(f.media_type for f in FORMATS))
    return by_type[best]


# ---------------------------------------------------------------- the pattern (Hydra explicit representation)
_LITERAL = re.compile(r'"(.*)"(?:@([^"@^]+)|\^\^<?([^"<>]+?)>?)?', re.DOTALL)
_PREFIXED = re.compile(r"([A-Za-z][\w.-]*):(?!//)(.*)", re.DOTALL)


class BadPattern(ValueError):
    """A pattern term that is not one (the message says why, in one line)."""


def _iri(text: str, position: str) -> ox.NamedNode:
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    else:
        m = _PREFIXED.fullmatch(text)
        if m and m.group(1) in PREFIXES:
            text = PREFIXES[m.group(1)] + m.group(2)
    try:
        return ox.NamedNode(text)
    except ValueError as exc:
        raise BadPattern(f"{position} {text!r} is not an absolute IRI ({exc})") from None


def parse_term(text: str | None, position: str):
    """The pyoxigraph term for one pattern parameter, or None for a variable. Raises BadPattern."""
    if text is None or text == "" or text[0] in "?$" or text.startswith("_:"):
        return None
    if text.startswith('"'):
        if position != "object":
            raise BadPattern(f"a literal cannot be the {position} of a triple: {text!r}")
        m = _LITERAL.fullmatch(text)
        if m is None:
            raise BadPattern(f"object {text!r} is no literal: write \"text\", \"text\"@lang or "
                             "\"text\"^^datatype-IRI")
        value, lang, datatype = m.groups()
        try:
            if lang:
                return ox.Literal(value, language=lang)
            if datatype:
                return ox.Literal(value, datatype=_iri(datatype, "datatype"))
            return ox.Literal(value)
        except ValueError as exc:
            raise BadPattern(f"object {text!r} is no literal ({exc})") from None
    return _iri(text, position)


def _pattern() -> tuple[dict[str, str], list]:
    """The request's pattern: its given (non-variable) parameters as sent, and the terms (None: variable)."""
    given, terms = {}, []
    for position in POSITIONS:
        values = request.args.getlist(position)
        if len(values) > 1:
            abort(400, f"give {position} once (it was given {len(values)} times)")
        text = values[0] if values else None
        try:
            term = parse_term(text, position)
        except BadPattern as exc:
            abort(400, str(exc))
        terms.append(term)
        if term is not None:
            given[position] = text
    return given, terms


def _page() -> int:
    values = request.args.getlist("page")
    if not values:
        return 1
    text = values[0]
    # the length first: int() of thousands of digits is refused (or slow) before any range check
    if len(values) > 1 or not (text.isascii() and text.isdigit() and len(text) <= len(str(MAX_PAGE))) \
            or not 1 <= int(text) <= MAX_PAGE:
        abort(400, f"page must be one whole number from 1 to {MAX_PAGE}")
    return int(text)


def matches(store, terms) -> list[ox.Triple]:
    """Every triple of the default graph matching the terms (None: any), each once, in N-Triples order."""
    return sorted(store.matching(*terms), key=str)


# ---------------------------------------------------------------- URLs of the interface on this host
def _iri_safe(text: str) -> str:
    # what a client sent, as an IRI: characters an IRI cannot hold are percent-encoded; the rest (existing
    # %XX escapes included) stays as sent, so the page's IRI is the very URL the client asked for
    return quote(text, safe="/?#[]@!$&'()*+,;=:-._~%")


def fragment_url(interface: str, given: dict[str, str], page: int | None = None) -> str:
    params = [f"{k}={quote(v, safe='')}" for k, v in given.items()]
    if page is not None:
        params.append(f"page={page}")
    return interface + ("?" + "&".join(params) if params else "")


@dataclass
class Fragment:
    interface: str  # {root}fragments
    page_url: str  # the page as asked for
    url: str  # the fragment (all pages)
    given: dict
    terms: list
    page: int
    total: int
    triples: list

    @property
    def dataset(self) -> str:
        return self.interface + "#dataset"

    def link(self, page: int) -> str:
        return fragment_url(self.interface, self.given, page)

    @property
    def has_next(self) -> bool:
        return self.page * PAGE_SIZE < self.total

    def metadata(self, base: str) -> list[ox.Triple]:
        """The fragment's metadata and the dataset's controls, as triples."""
        n, lit = ox.NamedNode, ox.Literal
        ds, page, search = n(self.dataset), n(self.page_url), n(self.interface + "#search")
        t = [
            (ds, n(RDF + "type"), n(VOID + "Dataset")),
            (ds, n(RDF + "type"), n(HYDRA + "Collection")),
            (ds, n(DCTERMS + "title"), lit("Anti-Party Group knowledge graph: default graph", language="en")),
            (ds, n(DCTERMS + "isPartOf"), n(base + "dataset")),
            (ds, n(DCTERMS + "license"), n(LICENSE)),
            (ds, n(VOID + "subset"), page),
            (ds, n(HYDRA + "search"), search),
            (search, n(HYDRA + "template"), lit(self.interface + "{?subject,predicate,object}")),
            (search, n(HYDRA + "variableRepresentation"), n(HYDRA + "ExplicitRepresentation")),
        ]
        for position in POSITIONS:
            mapping = n(f"{self.interface}#{position}")
            t += [(search, n(HYDRA + "mapping"), mapping),
                  (mapping, n(HYDRA + "variable"), lit(position)),
                  (mapping, n(HYDRA + "property"), n(RDF + position))]
        count = lit(str(self.total), datatype=XSD_INTEGER)
        t += [
            (page, n(RDF + "type"), n(HYDRA + "PartialCollectionView")),
            (page, n(DCTERMS + "title"), lit(f"Fragment of {self.pattern_text}", language="en")),
            (page, n(DCTERMS + "source"), ds),
            (page, n(HYDRA + "totalItems"), count),
            (page, n(VOID + "triples"), count),
            (page, n(HYDRA + "itemsPerPage"), lit(str(PAGE_SIZE), datatype=XSD_INTEGER)),
            (page, n(HYDRA + "first"), n(self.link(1))),
        ]
        if self.url != self.page_url:
            t.append((n(self.url), n(VOID + "subset"), page))
        if self.page > 1:
            t.append((page, n(HYDRA + "previous"), n(self.link(self.page - 1))))
        if self.has_next:
            t.append((page, n(HYDRA + "next"), n(self.link(self.page + 1))))
        return [ox.Triple(*x) for x in t]

    @property
    def pattern_text(self) -> str:
        return " ".join(str(term) if term is not None else f"?{pos[0]}"
                        for pos, term in zip(POSITIONS, self.terms, strict=True))


def fragment(store) -> Fragment:
    given, terms = _pattern()
    page = _page()
    interface = request.url_root + "fragments"
    found = matches(store, terms)
    raw = request.query_string.decode("latin-1")
    page_url = _iri_safe(interface + ("?" + raw if raw else ""))
    start = (page - 1) * PAGE_SIZE
    return Fragment(interface, page_url, fragment_url(interface, given), given, terms, page, len(found),
                    found[start:start + PAGE_SIZE])


def serialize(frag: Fragment, fmt: FragmentFormat, base: str) -> bytes:
    meta = frag.metadata(base)
    if fmt.dataset:
        graph = ox.NamedNode(frag.page_url + "#metadata")
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in frag.triples]
        quads.append(ox.Quad(graph, ox.NamedNode(FOAF + "primaryTopic"), ox.NamedNode(frag.page_url), graph))
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in meta]
        data = quads
    else:
        data = list(frag.triples) + meta
    prefixes = None if fmt.short in ("nt", "nq") else {**PREFIXES, "hydra": HYDRA}
    return ox.serialize(data, format=fmt.writer, prefixes=prefixes)


@bp.get("/fragments")
def fragments():
    store = get_store()
    fmt = _negotiate()
    frag = fragment(store)
    base = current_app.config["BASE"]
    lang = page_language() if fmt.writer is None else None
    if fmt.writer is None:
        body = pages.fragments_page(store, lang, view=_view(frag, fmt), path=request.path)
    else:
        body = serialize(frag, fmt, base)
    resp = Response(body, status=200, content_type=f"{fmt.media_type}; charset=utf-8")
    resp.vary.update(("Accept", "Accept-Language") if fmt.writer is None else ("Accept",))
    resp.set_etag(etag_for(store.dataset_sha256, "fragments", frag.page_url, fmt.short, lang))
    resp.headers["Cache-Control"] = f"public, max-age={current_app.config['CACHE_MAX_AGE']}"
    resp.headers["Link"] = f'<{LICENSE}>; rel="license"'
    return resp  # conditional requests: server/http.py


def _view(frag: Fragment, fmt: FragmentFormat) -> dict:
    """What the HTML page shows: the form, the count, the triples (each term linking to its own fragment),
    the paging links and the RDF variants of this page."""
    def cell(term, position):
        text = str(term)
        if isinstance(term, ox.NamedNode):
            return {"text": term.value, "iri": True,
                    "href": fragment_url(frag.interface, {position: term.value})}
        href = fragment_url(frag.interface, {"object": text}) if position == "object" else None
        return {"text": text, "iri": False, "href": href}

    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in frag.given.items())
    sep = "&" if query else ""
    return {
        "given": {p: frag.given.get(p, "") for p in POSITIONS},
        "total": frag.total,
        "page": frag.page,
        "first": (frag.page - 1) * PAGE_SIZE + 1 if frag.triples else 0,
        "last": (frag.page - 1) * PAGE_SIZE + len(frag.triples),
        "rows": [[cell(t.subject, "subject"), cell(t.predicate, "predicate"), cell(t.object, "object")]
                 for t in frag.triples],
        "previous": frag.link(frag.page - 1) if frag.page > 1 else None,
        "next": frag.link(frag.page + 1) if frag.has_next else None,
        "template": frag.interface + "{?subject,predicate,object}",
        "alternates": [{"type": f.media_type, "href": f"/fragments?{query}{sep}format={f.short}"
                        + (f"&page={frag.page}" if frag.page > 1 else "")}
                       for f in FORMATS if f.writer is not None],
    }
