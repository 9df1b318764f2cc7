"""Every format the endpoint writes, in one table, and content negotiation over it.

A record names the short ``format=`` value, the media type announced in Content-Type, the pyoxigraph format
that writes it, the kind of answer it is for (``results``: SELECT/ASK; ``graph``: CONSTRUCT/DESCRIBE and the
service description), the W3C format IRI announced in the service description, other media types a client may
ask for it by, and other ``format=`` names it is known by (those clients such as SPARQLWrapper send). The
first record of a kind is what ``*/*`` (or no Accept header) gets.
"""
from dataclasses import dataclass

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from kg.namespaces import NAMESPACES

RESULTS = "results"
GRAPH = "graph"
_W3C = NAMESPACES["fmt"]


def content_type(media_type: str) -> str:
    """Every format written here is text in UTF-8."""
    return f"{media_type}; charset=utf-8"


@dataclass(frozen=True)
class ResultFormat:
    short: str  # the format= value
    media_type: str  # what Content-Type announces
    oxigraph_format: str  # name in pyoxigraph's QueryResultsFormat (results) or RdfFormat (graph)
    kind: str  # RESULTS or GRAPH
    iri: str  # http://www.w3.org/ns/formats/ IRI, for the service description
    aliases: tuple[str, ...] = ()  # other media types that get this format (answered with the asked type)
    names: tuple[str, ...] = ()  # other format= values meaning it (e.g. SPARQLWrapper's "turtle", "json-ld")

    @property
    def content_type(self) -> str:
        return content_type(self.media_type)

    @property
    def writer(self):
        """The pyoxigraph QueryResultsFormat or RdfFormat."""
        enum = ox.QueryResultsFormat if self.kind == RESULTS else ox.RdfFormat
        return getattr(enum, self.oxigraph_format)

    @property
    def is_dataset(self) -> bool:
        return self.kind == GRAPH and self.writer.supports_datasets


FORMATS = (
    ResultFormat("json", "application/sparql-results+json", "JSON", RESULTS, _W3C + "SPARQL_Results_JSON",
                 ("application/json",)),
    ResultFormat("xml", "application/sparql-results+xml", "XML", RESULTS, _W3C + "SPARQL_Results_XML",
                 ("application/xml", "text/xml")),
    ResultFormat("csv", "text/csv", "CSV", RESULTS, _W3C + "SPARQL_Results_CSV"),
    ResultFormat("tsv", "text/tab-separated-values", "TSV", RESULTS, _W3C + "SPARQL_Results_TSV"),
    ResultFormat("ttl", "text/turtle", "TURTLE", GRAPH, _W3C + "Turtle", ("application/x-turtle",),
                 ("turtle", "n3", "text/n3")),
    ResultFormat("nt", "application/n-triples", "N_TRIPLES", GRAPH, _W3C + "N-Triples", (),
                 ("ntriples", "n-triples")),
    ResultFormat("jsonld", "application/ld+json", "JSON_LD", GRAPH, _W3C + "JSON-LD", ("application/json",),
                 ("json-ld", "json")),
    ResultFormat("rdf", "application/rdf+xml", "RDF_XML", GRAPH, _W3C + "RDF_XML",
                 ("application/xml", "text/xml"), ("rdf+xml", "rdfxml", "xml")),
    ResultFormat("nq", "application/n-quads", "N_QUADS", GRAPH, _W3C + "N-Quads", (), ("nquads", "n-quads")),
    ResultFormat("trig", "application/trig", "TRIG", GRAPH, _W3C + "TriG"),
)


class NotAcceptable(Exception):
    """Nothing the client accepts (or the format= it named) is written for this kind of answer."""

    def __init__(self, kind: str, asked: str):
        offered = [f for f in FORMATS if f.kind == kind]
        what = "SELECT/ASK results" if kind == RESULTS else "RDF graphs (CONSTRUCT/DESCRIBE)"
        super().__init__(f"{asked} is not available; {what} are served as "
                         + ", ".join(f.media_type for f in offered)
                         + " (format=" + "|".join(f.short for f in offered) + ")")


def negotiate(kind: str, accept: str | None, format_params=()) -> tuple[ResultFormat, str]:
    """The format and the exact media type to answer with. ``format_params`` (the format= values: short names,
    other names or media types; the first one known for this kind wins) override ``accept`` (the raw Accept
    header); otherwise its q-values decide (Werkzeug's best_match), ties going to the table order. Raises
    NotAcceptable."""
    offered = [f for f in FORMATS if f.kind == kind]
    if isinstance(format_params, str):
        format_params = [format_params]
    wanted = [p.strip().lower() for p in format_params or () if p and p.strip()]
    for name in wanted:
        for f in offered:
            if name in (f.media_type, *f.aliases):
                return f, name
            if name == f.short or name in f.names:
                return f, f.media_type
    if wanted:
        raise NotAcceptable(kind, "format=" + ",".join(wanted))
    if not accept or not accept.strip():
        return offered[0], offered[0].media_type
    by_type = {}
    for f in offered:
        for media_type in (f.media_type, *f.aliases):
            by_type.setdefault(media_type, f)
    best = parse_accept_header(accept, MIMEAccept).best_match(list(by_type))
    if best is None:
        raise NotAcceptable(kind, f"Accept: {accept}")
    return by_type[best], best
