"""One SPARQL query, from text to response bytes: parse, check, negotiate, evaluate, serialise.

This runs inside a query process (server/endpoint/pool.py), so the time limit covers all of it, parsing
included.

- A query that may contain ``SERVICE``, a dataset clause (FROM) or DESCRIBE is parsed with rdflib's SPARQL 1.1
  parser first. The parse tree is searched for ``SERVICE`` (anywhere: nested groups, sub-queries, EXISTS):
  pyoxigraph would fetch the remote endpoint, so such a query is refused (400) before pyoxigraph ever sees it.
  Which queries "may contain" them is decided conservatively on the text: after expanding ``\\u``/``\\U``
  escapes (as both parsers do) and case folding, a query in which none of the words ``service``, ``from``,
  ``describe`` occurs anywhere (in IRIs, literals and comments included) cannot have those clauses, so it goes
  to pyoxigraph directly and skips the slower rdflib parse; its form then follows from pyoxigraph's answer.
  Parses are cached per query process.
- Before any parser: a cheap check on the text refuses (400) queries nested deeply enough to overflow a
  parser's stack (server/endpoint/nesting.py).
- The prefixes of this graph (kg.namespaces.PREFIXES: apg:, foaf:, org:, …) are predefined for every query,
  for both parsers; a query's own PREFIX wins.
- Errors are one line a person can act on (server/endpoint/diagnostics.py): line and column in the text as
sent,
  what was found there, a few expected tokens, ``unknown prefix 'ex:'`` with the predefined prefixes.
- The dataset: protocol ``default-graph-uri`` / ``named-graph-uri`` if any, else the query's FROM / FROM
  NAMED, else the default dataset (data + ontology as default graph, every graph named). Graph IRIs only
  *select* graphs of the loaded build; an IRI that names none is an empty graph. Nothing is ever fetched or
  read from a file.
- DESCRIBE is answered by server/describe.py (symmetric concise bounded description).
- The answer is written into a buffer that refuses to grow past the result-size cap.

``execute`` is the endpoint's whole path; ``apg query`` (kg/cli.py) takes the same steps, ``prepare``,
``answer`` inside ``evaluation_errors`` and ``serialize``, so both give the same answers and the same errors.
"""
import contextlib
import functools
import re
from dataclasses import dataclass
from typing import NamedTuple

import pyoxigraph as ox
from pyparsing import ParseException
from rdflib.graph import Graph
from rdflib.namespace import NamespaceManager
from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse
from rdflib.plugins.sparql.parser import expandUnicodeEscapes, parseQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Prologue
from rdflib.term import URIRef, Variable

from .. import describe
from ..formats import GRAPH, RESULTS, NotAcceptable, content_type, negotiate
from . import diagnostics, nesting

PREFIXES = diagnostics.PREDEFINED  # predefined for user queries (README, query page, service description)
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT",
          "DescribeQuery": "DESCRIBE"}
_UNKNOWN_PREFIX = re.compile(r"Unknown namespace prefix : (\S*)")
_TOO_DEEP = ("the query is nested too deeply for this endpoint's parser of queries with FROM, DESCRIBE or "
             "SERVICE (about 30 levels)")
# An RDF/XML property element needs a name: the predicate IRI must end in an XML name (NCName) to be written.
_XML_NAME_END = re.compile(r"[^\W\d][\w.\-\u00B7\u0300-\u036F\u203F\u2040]*$")


class Job(NamedTuple):
    """What a query process needs to answer one request. It crosses to the query process as a plain tuple
    (``tuple(job)``, see ``execute_fields``): a tuple pickles several times faster than a class instance."""
    query: str
    default_graph: list[str] | None = None  # protocol default-graph-uri values; None: not given
    named_graphs: list[str] | None = None  # protocol named-graph-uri values; None: not given
    accept: str | None = None  # the raw Accept header
    formats: tuple[str, ...] = ()  # the format= parameter values
    base: str | None = None
    max_result_bytes: int = 16 * 1024 * 1024


class Reply(NamedTuple):
    status: int
    body: bytes  # for errors: the one-line reason
    content_type: str | None = None


class QueryError(Exception):
    def __init__(self, status: int, message: str, offset: int | None = None):
        super().__init__(message)
        self.status = status
        self.offset = offset  # where in the query text a syntax error was found, if known


class ResultTooLarge(Exception):
    pass


@dataclass
class ParsedQuery:
    text: str
    form: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    from_default: list[str] | None  # FROM graphs; None when the query has no dataset clause
    from_named: list[str] | None
    tree: CompValue

    @property
    def kind(self) -> str:
        return RESULTS if self.form in ("SELECT", "ASK") else GRAPH


_NO_SERVICE = "SERVICE (federated query) is not supported by this endpoint: it never contacts other servers"


def one_line(text: str) -> str:
    return " ".join(str(text).split())


# SERVICE is screened as a bare substring of the whole text (comments, strings and IRIs included): pyoxigraph
# accepts it glued to a preceding keyword ("?s ?p trueSERVICE <...> {}"), so no word boundary can be assumed.
# FROM and DESCRIBE only change how a query is answered, not what the server may reach; they are screened as
# words (not glued to a name, a prefixed name or a variable) outside comments, strings and IRIs, so a question
# in a leading comment ("… expel from …") or prov:wasDerivedFrom does not force rdflib's slow parse. They can
# only stand in a query's head, where "<" always opens an IRI.
_SERVICE = "service"
_WORDS = re.compile(r"(?<![\w:?$])(?:from|describe)")
_OPAQUE = nesting.OPAQUE  # comments, IRIs and strings: one lexical mask for both screens


def needs_parse(text: str) -> bool:
    """False only if the query cannot contain SERVICE, FROM or DESCRIBE (see the module docstring)."""
    try:
        folded = expandUnicodeEscapes(text).casefold()
    except ValueError:  # an escape beyond Unicode: let the parser report it
        return True
    if _SERVICE in folded:
        return True
    # Masking only removes text, and what can precede a word right after a masked token (">", a quote, the
    # line end after a comment) is no name character: without a word in the whole text there is none outside
    # the masked parts either, and the mask (the costly step) is skipped.
    return _has_word(folded) and _has_word(_OPAQUE.sub(" ", folded))


def _has_word(folded: str) -> bool:
    """``_WORDS.search(folded) is not None``, with str.find (a regex whose lookbehind comes first tries every
    position: 40 µs for a 1 KiB query, against 2 µs): a word not glued to a preceding name character (``\\w``
    in Python's re is ``isalnum()`` or ``_``), a prefixed name's colon or a variable's sigil."""
    for word in ("from", "describe"):
        at = folded.find(word)
        while at != -1:
            if at == 0 or not (folded[at - 1].isalnum() or folded[at - 1] in "_:?$"):
                return True
            at = folded.find(word, at + 1)
    return False


@functools.lru_cache(maxsize=256)
def _parse_cached(text: str, base: str | None) -> ParsedQuery | QueryError:
    try:
        return parse(text, base)
    except QueryError as exc:
        return exc


def parse_checked(text: str, base: str | None) -> ParsedQuery:
    """``parse``, cached."""
    result = _parse_cached(text, base)
    if isinstance(result, QueryError):
        raise QueryError(result.status, str(result), result.offset)
    return result


def parse(text: str, base: str | None) -> ParsedQuery:
    """Parse and check a query; QueryError(400) for syntax errors, unknown prefixes and SERVICE."""
    try:
        parsed = parseQuery(text)
    except ValueError as exc:  # e.g. a \\U escape beyond Unicode
        raise QueryError(400, f"query syntax error: {one_line(exc)}") from None
    except ParseException as exc:
        offset, message = diagnostics.rdflib(exc.loc, text, str(exc))
        raise QueryError(400, message, offset) from None
    except RecursionError:
        raise QueryError(400, _TOO_DEEP) from None
    if contains_service(parsed):
        raise QueryError(400, _NO_SERVICE)
    try:
        prologue = translatePrologue(parsed[0], base, initNs=PREFIXES, prologue=_prologue())
        tree = traverse(parsed[1], visitPost=lambda node: translatePName(node, prologue))
    except RecursionError:
        raise QueryError(400, _TOO_DEEP) from None
    except Exception as exc:  # rdflib raises bare Exception for an undeclared prefix
        unknown = _UNKNOWN_PREFIX.search(str(exc))
        if unknown:
            prefix = unknown.group(1)
            at = diagnostics.find_prefix_use(text, prefix)
            where = diagnostics.line_col(text, at) if at is not None else (None, None)
            raise QueryError(400, diagnostics.unknown_prefix(prefix, *where), at) from None
        raise QueryError(400, f"query error: {one_line(exc)}") from None
    form = _FORMS.get(tree.name)
    if form is None:
        raise QueryError(400, f"not a query: {tree.name}")
    from_default = from_named = None
    if "datasetClause" in tree and tree["datasetClause"]:
        clauses = tree["datasetClause"]
        from_default = [str(c["default"]) for c in clauses if "default" in c]
        from_named = [str(c["named"]) for c in clauses if "named" in c]
    return ParsedQuery(text, form, from_default, from_named, tree)


def _prologue() -> Prologue:
    """An empty prologue: rdflib's own knows 29 prefixes, some with other namespaces than this graph's (its
    schema: is https://schema.org/), so rdflib would read DESCRIBE schema:Place other than pyoxigraph."""
    prologue = Prologue()
    prologue.base = ""
    prologue.namespace_manager = NamespaceManager(Graph(bind_namespaces="none"), bind_namespaces="none")
    return prologue


def contains_service(node) -> bool:
    """True if a parsed query (rdflib parse tree) has a SERVICE graph pattern anywhere."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, CompValue):
            if n.name == "ServiceGraphPattern":
                return True
            stack.extend(dict.values(n))
        elif isinstance(n, (list, tuple)) or type(n).__name__ == "ParseResults":
            stack.extend(n)
    return False


def prepare(text: str, base: str | None) -> ParsedQuery | None:
    """What is checked before evaluation: the nesting guard, then, for a text that may hold SERVICE, FROM or
    DESCRIBE, rdflib's parse (None when it cannot: the form then follows from the answer). QueryError(400)."""
    try:
        nesting.check(text)
    except nesting.TooDeep as exc:
        raise QueryError(400, str(exc)) from None
    return parse_checked(text, base) if needs_parse(text) else None


def answer(store, text: str, pq: ParsedQuery | None, *, default_graph: list[str] | None = None,
           named_graphs: list[str] | None = None, base: str | None = None):
    """Evaluate a query ``prepare`` passed, over the protocol's graphs when given, else its FROM / FROM NAMED,
    else the default dataset: pyoxigraph's answer (QuerySolutions, QueryBoolean, QueryTriples) or the triples
    of a DESCRIBE. pyoxigraph evaluates lazily: read the answer inside ``evaluation_errors()``."""
    if default_graph is not None or named_graphs is not None:
        dg, ng = default_graph or [], named_graphs or []
        _check_graph_iris(dg, "default-graph-uri")
        _check_graph_iris(ng, "named-graph-uri")
    elif pq is not None and pq.from_default is not None:
        dg, ng = pq.from_default, pq.from_named
    else:
        dg = ng = None
    if pq is not None and pq.form == "DESCRIBE":
        return _describe(store, pq, dg, ng, base)
    return _evaluate(store, text, dg, ng, base)


@contextlib.contextmanager
def evaluation_errors():
    """pyoxigraph's errors while it evaluates (and while its lazy answer is read) as QueryError(400); ours
    (QueryError, ResultTooLarge) pass."""
    try:
        yield
    except PermissionError:
        # The sandbox (server/endpoint/sandbox.py) refused a socket: the evaluator itself tried to reach
        # another
        # server, i.e. a SERVICE clause that the screen above did not see. Nothing was sent.
        raise QueryError(400, _NO_SERVICE) from None
    except (OSError, RuntimeError, ValueError) as exc:  # e.g. an unknown function
        raise QueryError(400, f"query evaluation failed: {one_line(exc)}") from None


def execute(store, job: Job) -> Reply:
    """Answer one query. Never raises for a bad query: the status and one-line reason are in the Reply."""
    try:
        pq = prepare(job.query, job.base)
        if pq is not None:
            fmt, media_type = _negotiate(pq.kind, job)
        with evaluation_errors():
            result = answer(store, job.query, pq, default_graph=job.default_graph,
                            named_graphs=job.named_graphs, base=job.base)
            if pq is None:
                fmt, media_type = _negotiate(GRAPH if isinstance(result, ox.QueryTriples) else RESULTS, job)
            body = serialize(result, fmt, job.max_result_bytes)
        return Reply(200, body, content_type(media_type))
    except QueryError as exc:
        return Reply(exc.status, one_line(exc).encode())
    except ResultTooLarge:
        return too_large(job)
    except MemoryError:
        return Reply(503, b"the query ran out of memory and was stopped")


def execute_fields(store, fields: tuple) -> tuple:
    """``execute`` on the wire: a Job's fields in, a Reply's fields out (both plain tuples)."""
    return tuple(execute(store, Job._make(fields)))


def too_large(job: Job) -> Reply:
    return Reply(503, (f"the answer is larger than the {job.max_result_bytes} bytes this endpoint "
                       "serves; narrow the query or add LIMIT").encode())


def _check_graph_iris(iris: list[str], parameter: str) -> None:
    for iri in iris:
        if iri in _GOOD_IRIS:  # a client sends the same graph IRIs with every query
            continue
        try:
            ox.NamedNode(iri)
        except ValueError as exc:
            raise QueryError(400, f"{parameter} {iri!r} is not an absolute IRI: {one_line(exc)}") from None
        if len(_GOOD_IRIS) < 256:
            _GOOD_IRIS.add(iri)


_GOOD_IRIS: set[str] = set()


def negotiate_format(kind: str, job: Job):
    """The answer format (a server/formats.py record) and media type for ``job``; QueryError(406)."""
    return _negotiate(kind, job)


def check_graph_iris(iris: list[str], parameter: str) -> None:
    """QueryError(400) for a protocol graph parameter that is no absolute IRI."""
    _check_graph_iris(iris, parameter)


def _negotiate(kind: str, job: Job):
    found = _negotiated(kind, job.accept, job.formats)
    if isinstance(found, str):
        raise QueryError(406, found)
    return found


@functools.lru_cache(maxsize=256)
def _negotiated(kind: str, accept: str | None, formats: tuple[str, ...]):
    """negotiate(), or the reason it failed; remembered: a client sends the same Accept header every time."""
    try:
        return negotiate(kind, accept, formats)
    except NotAcceptable as exc:
        return str(exc)


def _evaluate(store, text: str, dg, ng, base, original: str | None = None):
    """Evaluate ``text``; ``original``: the text as sent, when ``text`` is a rewriting of it (DESCRIBE)."""
    try:
        return store.query(text, default_graph=dg, named_graphs=ng, base_iri=base, prefixes=PREFIXES)
    except SyntaxError as exc:
        raise QueryError(400, _syntax_error(str(exc), text, original)) from None


def _syntax_error(message: str, text: str, original: str | None) -> str:
    """pyoxigraph's SyntaxError as a line a person can act on, about the text they sent."""
    if original is None:
        try:  # where rdflib finds the error: better than pyoxigraph's when that only names the end
            parseQuery(text)
            fallback = None
        except ParseException as exc:
            fallback = diagnostics.unescaped_to_original(text, exc.loc)
        except (ValueError, RecursionError):
            fallback = None
        return diagnostics.oxigraph(message, text, fallback)
    # the rewritten SELECT of a DESCRIBE: report positions in the DESCRIBE as sent
    expanded = expandUnicodeEscapes(original)
    return diagnostics.oxigraph(message, text, to_original=lambda offset: diagnostics.unescaped_to_original(
        original, diagnostics.rewritten_to_original(expanded, text, offset)), original=original)


def _describe(store, pq: ParsedQuery, dg, ng, base) -> list:
    tree = pq.tree
    targets = tree["var"] if "var" in tree else None  # None: DESCRIBE *
    resources = [ox.NamedNode(str(t)) for t in (targets or []) if isinstance(t, URIRef)]
    described_vars = [str(t) for t in (targets or []) if isinstance(t, Variable)]
    if "where" in tree and (targets is None or described_vars):
        try:
            select, variables = describe.select_for(expandUnicodeEscapes(pq.text))
        except describe.RewriteError as exc:
            raise QueryError(400, f"cannot evaluate this DESCRIBE query: {exc}") from None
        solutions = _evaluate(store, select, dg, ng, base, original=pq.text)
        resources += describe.resources_from(solutions, variables)
    graphs, _ = store.dataset(dg, ng)
    return store.describe(list(dict.fromkeys(resources)), graphs)


class _CappedBuffer:
    """A write-only byte sink that raises ResultTooLarge past ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.size, self.parts = limit, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def serialize(result, fmt, limit: int | None = None) -> bytes:
    """The answer in ``fmt`` (a server/formats.py record); ResultTooLarge past ``limit`` bytes."""
    out = _CappedBuffer(float("inf") if limit is None else limit)
    if fmt.kind == RESULTS:
        result.serialize(out, format=fmt.writer)
    else:
        triples = result
        if fmt.oxigraph_format == "RDF_XML":
            triples = _xml_writable(triples)
        if fmt.is_dataset:
            triples = (ox.Quad(t.subject, t.predicate, t.object) for t in triples)
        ox.serialize(triples, out, format=fmt.writer, prefixes=_prefixes(fmt))
    return out.getvalue()


def _xml_writable(triples):
    for t in triples:
        if not _XML_NAME_END.search(t.predicate.value):
            raise QueryError(406, "this answer cannot be written as RDF/XML: the predicate "
                                  f"<{t.predicate.value}> does not end in an XML name; ask for another "
                                  "format")
        yield t


def _prefixes(fmt) -> dict | None:
    if fmt.oxigraph_format in ("TURTLE", "TRIG", "RDF_XML"):
        from kg.namespaces import PREFIXES

        return dict(PREFIXES)
    return None
