"""A cheap check on a query's text before any parser sees it: queries whose parse trees would be deep enough
to overflow a parser's or the evaluator's stack are refused (400) instead of crashing the query process
(which would cost a 503 and a new process).

pyoxigraph parses and evaluates recursively and has no depth limit of its own: a deep enough query is a
SIGSEGV. Measured with pyoxigraph 0.5.13 in a query process whose stack is 8 MiB (forked from a main thread)
and 2 MiB (forked from a thread with a 2 MiB stack, as a threaded HTTP server's may have), the smallest
crashing inputs were:

=================================  ========  ========
shape                              8 MiB     2 MiB
=================================  ========  ========
nested ``FILTER [NOT] EXISTS {``   ~830      ~205
nested ``STR(`` / ``IF(``          ~950      ~240
nested ``{`` / ``{ } UNION {``     ~2,200    ~545
nested ``(``                       ~4,650    ~1,150
sequence of ``BIND`` / ``MINUS``   ~2,600    ~650
chain of ``+``                     ~6,900    ~1,700
chain of ``||``                    ~9,300    ~2,340
=================================  ========  ========

so the costliest constructs take ~10 KiB of stack per nesting level, ~3.2 KiB per element of a sequence
and ~1.2 KiB per operator. rdflib's parser (used for some queries) stops with a RecursionError, caught, at
about 30 levels. The limits below are a quarter to a third of the 2 MiB thresholds; queries at all three
limits at once (nested NOT EXISTS, STR, UNION with BINDs, MINUS and operator chains) ran in query processes
with 2 MiB and 1 MiB stacks.

The text is scanned with comments, strings and IRIs blanked out (a brace in a literal is no nesting). This is
a resource guard, not a security boundary: a query it misjudges can only fail as before.
"""
import re

MAX_DEPTH = 64  # nested (, {, [
MAX_GROUPS = 256  # {, BIND, VALUES: each adds a step to a group's chain of joins
MAX_OPERATORS = 512  # operator characters of expressions and property paths

# Comments, IRIs and strings, blanked out before counting (server/endpoint/query.py masks the same way).
OPAQUE = re.compile(r"""
    \#[^\r\n]*
  | <[^<>"{}|^`\\\x00-\x20]*>
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
  | '\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'
  | "(?:[^"\\\r\n]|\\.)*"
  | '(?:[^'\\\r\n]|\\.)*'
""", re.VERBOSE | re.DOTALL)
# Variables, prefixed names and numbers hold characters (-, .) that are no operators.
_NAMES = re.compile(r"[?$][\w\u00b7\u0300-\u036f\u203f\u2040]+|[^\W\d][\w.\-]*:[\w.\-:%\\]*|:[\w.\-:%\\]*"
                    r"|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?")
_BRACKETS = re.compile(r"[(){}\[\]]")
_GROUP_WORDS = re.compile(r"(?<![\w:?$])(?:bind|values)(?![\w:])", re.IGNORECASE)
_OPERATORS = re.compile(r"[-+*/=<>!|^&]")
_OPERATOR_BYTES = b"-+*/=<>!|^&"
_OPEN = {"(": ")", "{": "}", "[": "]"}


class TooDeep(ValueError):
    """The query is nested too deeply or is too long a chain (the message says which, and the limit)."""


def measure(text: str) -> dict[str, int]:
    """The three measures the limits apply to."""
    bare = OPAQUE.sub(" ", text)
    depth = deepest = 0
    for m in _BRACKETS.finditer(bare):
        if m.group() in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif depth:
            depth -= 1
    return {"depth": deepest, "groups": bare.count("{") + len(_GROUP_WORDS.findall(bare)),
            "operators": len(_OPERATORS.findall(_NAMES.sub(" ", bare)))}


def _surely_within(text: str) -> bool:
    """Raw character counts bound the measures from above (at C speed): most queries stop here."""
    brackets = text.count("(") + text.count("{") + text.count("[")
    folded = text.casefold()
    groups = text.count("{") + folded.count("bind") + folded.count("values")
    raw = text.encode("utf-8", "surrogatepass")  # the operators are ASCII: as many bytes as characters
    operators = len(raw) - len(raw.translate(None, _OPERATOR_BYTES))
    return brackets <= MAX_DEPTH and groups <= MAX_GROUPS and operators <= MAX_OPERATORS


def check(text: str) -> None:
    """Raise TooDeep if the query's text exceeds one of the limits."""
    if _surely_within(text):
        return
    m = measure(text)
    if m["depth"] > MAX_DEPTH:
        raise TooDeep(f"the query is nested too deeply ({m['depth']} levels of brackets and braces; this "
                      f"endpoint accepts {MAX_DEPTH}); flatten it")
    if m["groups"] > MAX_GROUPS:
        raise TooDeep(f"the query has {m['groups']} groups, BINDs and VALUES; this endpoint accepts at most "
                      f"{MAX_GROUPS} (one VALUES block can hold many values)")
    if m["operators"] > MAX_OPERATORS:
        raise TooDeep(f"the query has {m['operators']} operators in expressions and paths; this endpoint "
                      f"accepts at most {MAX_OPERATORS} (IN (...) or VALUES can hold long lists of "
                      "alternatives)")
