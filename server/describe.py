"""DESCRIBE, answered with the symmetric concise bounded description (SCBD) of each described resource.

SPARQL 1.1 leaves the shape of a DESCRIBE answer to the service; pyoxigraph's own DESCRIBE gives only the
outgoing triples. This endpoint answers instead with the *symmetric* concise bounded description of every
resource (after https://www.w3.org/Submission/CBD/, without its reification clauses), taken from the query's
default graph:

1. every triple whose subject is the resource (outgoing), and, recursively, every triple whose subject is a
   blank node reached as the object of a triple already included (so blank-node structures such as OWL
   restrictions or lists come whole);
2. every triple whose object is the resource (incoming), and, recursively, every triple whose object is a
   blank node that is the subject of a triple already included by this step.

The resources are the IRIs named after DESCRIBE and the IRIs and blank nodes bound to the named variables (or,
for ``DESCRIBE *``, to every variable) in the solutions of the WHERE clause, with its dataset clauses and
solution modifiers (ORDER BY, LIMIT, OFFSET, VALUES) applied as written. To get those solutions the query is
rewritten: the ``DESCRIBE targets`` head is replaced by ``SELECT vars`` and the rest of the text is left as it
is, then evaluated by pyoxigraph. Literals are not described. The answer is the set union of the descriptions,
in sorted order.
"""
import re

import pyoxigraph as ox

# Tokens that may stand before and in the head of a DESCRIBE query (the query already passed the SPARQL
# parser, so only valid input reaches this lexer).
_TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+)
  | (?P<star>\*)
  | (?P<pname>(?:[^\W\d_][\w.\-\u00B7\u0300-\u036F\u203F\u2040]*)?:
               (?:[\w\-:.%\u00B7\u0300-\u036F\u203F\u2040]|\\[_~.\-!$&'()*+,;=/?\#@%])*)
  | (?P<keyword>[A-Za-z]+)
""", re.VERBOSE)


class RewriteError(ValueError):
    """The DESCRIBE head could not be located (should not happen for a query the parser accepted)."""


def select_for(text: str) -> tuple[str, list[str] | None]:
    """``text`` (a DESCRIBE query, with \\u escapes already expanded) as a SELECT query over the same WHERE
    clause, and the names of the variables it describes (None for ``*``: all of them)."""
    pos, state, head_start, head_end = 0, "prologue", None, None
    variables, star = [], False
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            break
        kind, token = m.lastgroup, m.group()
        if kind in ("ws", "comment"):
            pos = m.end()
            continue
        if state == "prologue":
            upper = token.upper() if kind == "keyword" else None
            if upper == "DESCRIBE":
                state, head_start = "targets", m.start()
            elif not (upper in ("BASE", "PREFIX") or kind in ("iri", "pname")):
                raise RewriteError(f"unexpected {token!r} before DESCRIBE")
        else:
            if kind == "var":
                variables.append(token[1:])
            elif kind == "star":
                star = True
            elif kind not in ("iri", "pname"):
                break
            head_end = m.end()
        pos = m.end()
    if head_start is None:
        raise RewriteError("no DESCRIBE keyword found")
    if head_end is None:
        head_end = head_start + len("DESCRIBE")
    projection = "*" if star else " ".join("?" + v for v in variables)
    return text[:head_start] + "SELECT " + projection + " " + text[head_end:], (None if star else variables)


def resources_from(solutions, variables: list[str] | None) -> list:
    """IRIs and blank nodes bound in the solutions to the variables (None: any variable), first seen first."""
    names = [v.value for v in solutions.variables] if variables is None else variables
    seen = {}
    for solution in solutions:
        for name in names:
            term = solution[name]
            if isinstance(term, (ox.NamedNode, ox.BlankNode)):
                seen.setdefault(term, None)
    return list(seen)


def scbd(store: ox.Store, resources, graphs) -> list[ox.Triple]:
    """The union of the symmetric concise bounded descriptions of ``resources`` in the merge of ``graphs``
    (pyoxigraph graph names: the query's default graph), sorted."""

    def outgoing(node):
        for g in graphs:
            for q in store.quads_for_pattern(node, None, None, g):
                yield q.triple

    def incoming(node):
        for g in graphs:
            for q in store.quads_for_pattern(None, None, node, g):
                yield q.triple

    found: set = set()
    for resource in resources:
        todo, seen = [resource], {resource}
        while todo:  # 1. outgoing, closing over blank-node objects
            for t in outgoing(todo.pop()):
                found.add(t)
                if isinstance(t.object, ox.BlankNode) and t.object not in seen:
                    seen.add(t.object)
                    todo.append(t.object)
        todo, seen = [resource], {resource}
        while todo:  # 2. incoming, closing over blank-node subjects
            for t in incoming(todo.pop()):
                found.add(t)
                if isinstance(t.subject, ox.BlankNode) and t.subject not in seen:
                    seen.add(t.subject)
                    todo.append(t.subject)
    return ordered(found)


def ordered(triples) -> list[ox.Triple]:
    """Triples in the order every DESCRIBE answer has (IRIs, blank nodes, literals)."""
    return sorted(triples, key=_triple_key)


def _triple_key(t: ox.Triple):
    return tuple(_term_key(x) for x in (t.subject, t.predicate, t.object))


def _term_key(term):
    if isinstance(term, ox.Literal):
        return (2, term.value, term.language or "", term.datatype.value)
    return (1 if isinstance(term, ox.BlankNode) else 0, term.value, "", "")
