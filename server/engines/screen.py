"""What a user query must pass, in its sandboxed query process, before any of it is sent to an engine.

First the embedded store's own steps on the text as sent (nesting guard, rdflib's parse where the text may
hold SERVICE, FROM or DESCRIBE, then pyoxigraph's evaluation over an empty store): the same one-line errors
as without an engine, and a SERVICE that pyoxigraph would try is stopped by the sandbox. Then what an engine
adds, checked on the exact text the engine will get:

- that text has its ``\\u`` escapes expanded and CR LF made LF; any other line break (a lone CR, FF, VT, NEL,
  U+2028, U+2029) is refused, since those are where parsers have disagreed about where a comment ends, and
  here the last parser is the engine's, which no sandbox covers;
- rdflib parses it, whatever its words (no fast path): SERVICE anywhere is refused, and so is a call of any
  function named by an IRI outside XSD's casts — pyoxigraph knows no other, while an engine may (Virtuoso's
  ``<bif:…>`` functions include an HTTP client and file access);
- ``GRAPH <g>`` with a ``g`` outside the request's named graphs is pointed at an empty graph (Virtuoso reads
  ``g`` whatever named-graph-uri says, where the protocol and the embedded store give nothing);
- the dataset it selects (FROM / FROM NAMED) and, for DESCRIBE, the SELECT that finds the resources, are
  worked out here, so the worker sends them without parsing anything itself; FROM clauses are then taken out
  of the text, since the worker names the dataset as protocol parameters and Virtuoso merges the two
  (default-graph-uri plus FROM) where the protocol says the parameters replace the clauses.
"""
import re
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib.plugins.sparql.parser import expandUnicodeEscapes
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import URIRef, Variable

from kg.namespaces import PREFIXES

from .. import describe
from ..endpoint import query
from ..endpoint.nesting import OPAQUE
from ..formats import GRAPH, RESULTS
from . import EMPTY_GRAPH

_XSD = PREFIXES["xsd"]
_LINE_BREAKS = {"\r": "CR", "\f": "FF", "\v": "VT", "\x85": "NEL", "\u2028": "U+2028", "\u2029": "U+2029"}


@dataclass
class Vetted:
    """A query that passed: what the worker sends (picklable)."""
    text: str
    kind: str  # RESULTS or GRAPH
    form: str
    from_default: list[str] | None = None
    from_named: list[str] | None = None
    describe_iris: list[str] = field(default_factory=list)
    describe_select: str | None = None  # the SELECT finding the described resources
    describe_vars: list[str] | None = None  # None: all of them (DESCRIBE *)


class _Empty:
    """A store with nothing in it: evaluating there costs nothing and checks what pyoxigraph checks."""

    def __init__(self):
        self.store = ox.Store()

    def dataset(self, default_graph=None, named_graphs=None):
        dg = [ox.NamedNode(i) for i in default_graph] if default_graph is not None else None
        ng = [ox.NamedNode(i) for i in named_graphs] if named_graphs is not None else None
        return dg, ng

    def query(self, sparql, *, default_graph=None, named_graphs=None, base_iri=None, prefixes=None,
              substitutions=None):
        dg, ng = self.dataset(default_graph, named_graphs)
        return self.store.query(sparql, default_graph=dg, named_graphs=ng, base_iri=base_iri,
                                prefixes=prefixes, substitutions=substitutions)

    def describe(self, resources, graphs):
        return []


def _embedded_checks(empty: _Empty, text: str, job: query.Job):
    pq = query.prepare(text, job.base)
    with query.evaluation_errors():
        result = query.answer(empty, text, pq, default_graph=job.default_graph,
                              named_graphs=job.named_graphs, base=job.base)
        if isinstance(result, (ox.QuerySolutions, ox.QueryTriples)):
            for _ in result:
                pass
    return pq, result


def vet_fields(fields: tuple, graphs: tuple[str, ...] = ()) -> "Vetted | query.Reply":
    """``vet`` on the pool's wire: a Job's fields in (server/endpoint/pool.py sends plain tuples)."""
    return vet(query.Job._make(fields), graphs)


def vet(job: query.Job, graphs: tuple[str, ...] = ()) -> "Vetted | query.Reply":
    """The handler of an engine's query processes: a Vetted query, or the Reply refusing it. ``graphs``:
    the build's graph IRIs."""
    try:
        empty = _Empty()
        _, result = _embedded_checks(empty, job.query, job)
        text = sendable(job.query)
        if text != job.query:
            _, result = _embedded_checks(empty, text, job)
        pq = query.parse_checked(text, job.base)
        _check_functions(pq.tree)
        sent = pq
        if pq.from_default is not None:  # the dataset is sent as protocol parameters; the text keeps none
            text = without_dataset_clauses(text)
            sent = query.parse_checked(text, job.base)
            if sent.from_default is not None:
                raise query.QueryError(400, "this endpoint could not set the query's FROM clauses aside for "
                                            "its external SPARQL engine; give default-graph-uri instead")
            _check_functions(sent.tree)
        text, sent = _graphs_outside(text, sent, _named(job, pq, graphs), job.base)
        query.negotiate_format(pq.kind, job)
        vetted = Vetted(text, pq.kind, pq.form, pq.from_default, pq.from_named)
        if pq.form == "DESCRIBE":
            _describe_parts(vetted, sent)
        return vetted
    except query.QueryError as exc:
        return query.Reply(exc.status, query.one_line(exc).encode())
    except MemoryError:
        return query.Reply(503, b"the query ran out of memory and was stopped")


def sendable(text: str) -> str:
    """The text an engine gets: escapes expanded, CR LF as LF; QueryError for any other line break."""
    try:
        out = expandUnicodeEscapes(text).replace("\r\n", "\n")
    except ValueError as exc:
        raise query.QueryError(400, f"query syntax error: {query.one_line(exc)}") from None
    for char, name in _LINE_BREAKS.items():
        at = out.find(char)
        if at >= 0:
            line = out.count("\n", 0, at) + 1
            raise query.QueryError(400, f"line break {name} at line {line}: this endpoint passes queries to "
                                        "an external SPARQL engine and accepts only LF or CR LF line breaks")
    return out


_FROM = re.compile(r"\bfrom\b(\s+named\b)?", re.IGNORECASE)
_GRAPH_NAME = re.compile(r"\s*(<[^>]*>|[^\s{}()<>]*:[^\s{}()<>]*)")


def without_dataset_clauses(text: str) -> str:
    """``text`` with its FROM / FROM NAMED clauses blanked out (they stand outside every group)."""
    masked = OPAQUE.sub(lambda m: " " * len(m.group()), text)
    depth, spans, pos = 0, [], 0
    while pos < len(masked):
        char = masked[pos]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and char in "fF":
            found = _FROM.match(masked, pos)
            if found and (pos == 0 or not (masked[pos - 1].isalnum() or masked[pos - 1] in "_:?$")):
                name = _GRAPH_NAME.match(text, found.end())
                if name:
                    spans.append((pos, name.end()))
                    pos = name.end()
                    continue
        pos += 1
    for start, end in reversed(spans):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _named(job: query.Job, pq, graphs) -> set[str]:
    """The named graphs of the request's dataset, as the front end sends them."""
    if job.default_graph is not None or job.named_graphs is not None:
        named = job.named_graphs or []
    elif pq.from_default is not None:
        named = pq.from_named or []
    else:
        named = graphs
    return set(named) & set(graphs)


_GRAPH_WORD = re.compile(r"(?<![\w:?$])graph\b", re.IGNORECASE)
_GRAPH_TERM = re.compile(r"\s*(<[^>]*>|[?$]\w+|[^\s{}()<>]*:[^\s{}()<>]*)")


def _graph_terms(node, out: list) -> list:
    """The terms of the GRAPH patterns of a parse tree, in the order of the text."""
    if isinstance(node, CompValue):
        if node.name == "GraphGraphPattern":
            out.append(node.get("term"))
        for value in dict.values(node):
            _graph_terms(value, out)
    elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
        for value in node:
            _graph_terms(value, out)
    return out


def _graphs_outside(text: str, pq, named: set[str], base):
    """``GRAPH <g>`` for a ``g`` outside the request's named graphs names an empty graph (as on the
    embedded store); Virtuoso would read ``g`` whatever named-graph-uri says, so such a ``g`` is replaced by
    EMPTY_GRAPH in the text, which is parsed again to check that none is left."""
    terms = _graph_terms(pq.tree, [])
    if all(not isinstance(t, URIRef) or str(t) in named for t in terms):
        return text, pq
    masked = OPAQUE.sub(lambda m: " " * len(m.group()), text)
    spans = []
    for word in _GRAPH_WORD.finditer(masked):
        found = _GRAPH_TERM.match(text, word.end())
        if found:
            spans.append(found.span(1))
    if len(spans) == len(terms):
        for (start, end), term in reversed(list(zip(spans, terms, strict=True))):
            if isinstance(term, URIRef) and str(term) not in named:
                text = text[:start] + f"<{EMPTY_GRAPH}>" + text[end:]
        pq = query.parse_checked(text, base)
        if all(not isinstance(t, URIRef) or str(t) in named or str(t) == EMPTY_GRAPH
               for t in _graph_terms(pq.tree, [])):
            return text, pq
    raise query.QueryError(400, "this endpoint could not confine a GRAPH of this query to the dataset's "
                                "named graphs for its external SPARQL engine; name the graph with a variable")


def _check_functions(tree) -> None:
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "Function":
                iri = node.get("iri")
                if isinstance(iri, URIRef) and not str(iri).startswith(_XSD):
                    raise query.QueryError(400, f"the function <{iri}> is not supported by this endpoint "
                                                "(only XSD casts are)")
            stack.extend(dict.values(node))
        elif isinstance(node, (list, tuple)) or type(node).__name__ == "ParseResults":
            stack.extend(node)


def _describe_parts(vetted: Vetted, pq) -> None:
    tree = pq.tree
    targets = tree["var"] if "var" in tree else None
    vetted.describe_iris = [str(t) for t in (targets or []) if isinstance(t, URIRef)]
    described_vars = [str(t) for t in (targets or []) if isinstance(t, Variable)]
    if "where" in tree and (targets is None or described_vars):
        try:
            vetted.describe_select, vetted.describe_vars = describe.select_for(pq.text)
        except describe.RewriteError as exc:
            raise query.QueryError(400, f"cannot evaluate this DESCRIBE query: {exc}") from None


__all__ = ["Vetted", "vet", "sendable", "GRAPH", "RESULTS"]
