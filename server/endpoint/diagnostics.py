"""Query errors a person can act on: one line, the line and column *of the text the person sent*, what was
found there, and at most a handful of expected tokens.

- pyoxigraph (the evaluator) reports ``error at L:C: expected one of …`` with every alternative its grammar
  tried, character classes included (``['A' ..= 'Z' | 'a' ..= 'z' | '\\u{00C0}'..='\\u{00D6}' …]``, 500+
  characters). The list is cut to tokens and keywords a person can type, character classes named ("a name",
  "a digit"), and the rest dropped. Messages it reports as expectations ("Prefix not found", "IRI parsing
  failed", "The SELECT contains a variable that is unbound") become the message itself; an unknown prefix is
  named (``unknown prefix 'ex:'``) with the prefixes this endpoint predefines.
- pyoxigraph often reports the end of the text as the place of an error that is earlier (e.g.
  ``FILTER(?x = )`` or a stray ``)``); then the place rdflib's parser found, if it found one, is given
  instead.
- rdflib expands ``\\u`` escapes before parsing, and a DESCRIBE query is evaluated as a rewritten SELECT:
  their positions are mapped back to the text as sent.
"""
import re

from rdflib.plugins.sparql.parser import expandUnicodeEscapes_re

from kg.namespaces import PREFIXES

PREDEFINED = dict(sorted(PREFIXES.items()))
_MAX_EXPECTED = 6
_MAX_NEAR = 24

_OX = re.compile(r"error at (\d+):(\d+): expected (?:one of )?(.*)", re.DOTALL)
_ITEM = re.compile(r"""
    [\s,]*
    (?: "(?P<quoted>(?:[^"\\]|\\.)*)"
      | \[(?P<cls>(?:'(?:[^'\\]|\\.)*'|[^\]'])*)\]
      | (?P<bare>[^,]+) )
""", re.VERBOSE)
# SPARQL's built-in functions: when the evaluator lists them, it means "an expression".
_FUNCTIONS = {
    "ABS", "AVG", "BNODE", "BOUND", "CEIL", "COALESCE", "CONCAT", "CONTAINS", "COUNT", "DATATYPE", "DAY",
    "ENCODE_FOR_URI", "EXISTS", "FLOOR", "GROUP_CONCAT", "HOURS", "IF", "IRI", "LANG", "LANGMATCHES", "LCASE",
    "MAX", "MD5", "MIN", "MINUTES", "MONTH", "NOT", "NOW", "OBJECT", "PREDICATE", "RAND", "REGEX", "REPLACE",
    "ROUND", "SAMPLE", "SECONDS", "SHA1", "SHA256", "SHA384", "SHA512", "STR", "STRAFTER", "STRBEFORE",
    "STRDT",
    "STRENDS", "STRLANG", "STRLEN", "STRSTARTS", "STRUUID", "SUBJECT", "SUBSTR", "SUM", "TIMEZONE", "TRIPLE",
    "TZ", "UCASE", "URI", "UUID", "YEAR", "ISBLANK", "ISIRI", "ISLITERAL", "ISNUMERIC", "ISTRIPLE", "ISURI",
    "SAMETERM", "LANGDIR", "HASLANG", "HASLANGDIR", "STRLANGDIR",
}
_PNAME_BEFORE = re.compile(r"((?:[^\W\d_][\w.\-]*)?):[\w\-.:%\\]*$")
_ESCAPE = expandUnicodeEscapes_re  # rdflib's own, so the mapping matches what it expanded
_TAIL = re.compile(r"(?:\s|#[^\n]*)*")
# The prologue (BASE, PREFIX) and the first keyword after it: the query form.
_FORM = re.compile(r"""(?:\s|\#[^\n]*|BASE\s*<[^>]*>|PREFIX\s*[^\s:]*:\s*<[^>]*>)*(?P<word>[A-Za-z]*)""",
                   re.IGNORECASE)
_QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_UPDATES = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def predefined_list() -> str:
    return ", ".join(f"{p}:" for p in PREDEFINED)


# ---------------------------------------------------------------- positions


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset``; lines end at LF."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def offset_of(text: str, line: int, col: int) -> int:
    pos = 0
    for _ in range(line - 1):
        nl = text.find("\n", pos)
        if nl < 0:
            return len(text)
        pos = nl + 1
    return min(pos + col - 1, len(text))


def unescaped_to_original(text: str, offset: int) -> int:
    """``offset`` in ``text`` with its ``\\u``/``\\U`` escapes expanded (as rdflib parses it) -> in
    ``text``."""
    shift = 0
    for m in _ESCAPE.finditer(text):
        if m.start() - shift >= offset:
            break
        shift += len(m.group()) - 1  # each escape became one character
    return offset + shift


def rewritten_to_original(original: str, rewritten: str, offset: int) -> int:
    """``rewritten`` is ``original`` with one span replaced (the DESCRIBE head): map an offset back."""
    head = 0
    limit = min(len(original), len(rewritten))
    while head < limit and original[head] == rewritten[head]:
        head += 1
    tail = 0
    while tail < limit - head and original[-1 - tail] == rewritten[-1 - tail]:
        tail += 1
    if offset <= head:
        return offset
    if offset >= len(rewritten) - tail:
        return offset - len(rewritten) + len(original)
    return head


def _at_end(text: str, offset: int) -> bool:
    """Only whitespace and comments follow ``offset``."""
    return _TAIL.match(text, min(offset, len(text))).end() >= len(text)


def _near(text: str, offset: int) -> str:
    rest = text[offset:].split("\n", 1)[0].strip()
    if len(rest) > _MAX_NEAR:
        rest = rest[:_MAX_NEAR] + "…"
    return rest.encode("unicode_escape").decode("ascii") if not rest.isprintable() else rest


# ---------------------------------------------------------------- expectations


def _describe_class(body: str) -> str | None:
    chars = re.findall(r"'((?:[^'\\]|\\.)*)'", body)
    if body.strip() == "_":
        return None  # "any character": only says that the text ended
    if len(chars) == 1 and ".." not in body:
        return repr(chars[0].encode().decode("unicode_escape"))
    if "'A'" in body:
        return "a name"
    if "'F'" in body:
        return "a hexadecimal digit"
    if "'0'" in body:
        return "a digit"
    return None


def _expectations(listing: str) -> tuple[list[str], list[str]]:
    """(things expected, messages) from pyoxigraph's list."""
    expected, messages, functions = [], [], False
    for m in _ITEM.finditer(listing):
        if m.group("quoted") is not None:
            token = re.sub(r"\\(.)", r"\1", m.group("quoted"))
            expected.append(repr(token))
        elif m.group("cls") is not None:
            described = _describe_class(m.group("cls"))
            if described:
                expected.append(described)
        else:
            bare = m.group("bare").strip()
            if not bare:
                continue
            if " " in bare:
                messages.append(bare)
            elif bare.upper() in _FUNCTIONS:
                functions = True
            else:
                expected.append(bare)
    if functions:
        expected.append("an expression")
    return list(dict.fromkeys(expected)), messages


def _listing(items: list[str]) -> str:
    if len(items) > _MAX_EXPECTED:
        items = items[:_MAX_EXPECTED] + ["…"]
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " or " + items[-1]


# ---------------------------------------------------------------- messages


def unknown_prefix(prefix: str, line: int | None = None, col: int | None = None, *,
                   where: str | None = None) -> str:
    if where is None and line is not None:
        where = f"line {line}, column {col}"
    at = f" at {where}" if where else ""
    return (f"unknown prefix '{prefix}:'{at}: declare it (PREFIX {prefix}: <…>) or use a full IRI; this "
            f"endpoint predefines {predefined_list()}")


def find_prefix_use(text: str, prefix: str) -> int | None:
    """Where ``prefix:`` is first used as a prefixed name (outside comments, strings, IRIs)."""
    from .nesting import OPAQUE as _OPAQUE

    bare = _OPAQUE.sub(lambda m: " " * len(m.group()), text)
    m = re.search(rf"(?<![\w.\-:?$]){re.escape(prefix)}:", bare)
    return m.start() if m else None


def oxigraph(message: str, text: str, fallback: int | None = None, *, original: str | None = None,
             to_original=None) -> str:
    """One line for pyoxigraph's SyntaxError ``message`` about ``text`` (the text it parsed). ``fallback``: an
    offset in ``text`` where another parser found the error, used when pyoxigraph only names the end.
    ``original``, ``to_original``: the text as sent and the map of offsets in ``text`` to it, when ``text`` is
    a rewriting (the SELECT of a DESCRIBE)."""
    m = _OX.fullmatch(" ".join(message.split()))
    if not m:
        return f"query syntax error: {' '.join(message.split())[:300]}"
    sent = original if original is not None else text

    def where(offset: int) -> str:
        line, col = line_col(sent, to_original(offset) if to_original else offset)
        return f"line {line}, column {col}"

    def near(offset: int) -> str:
        found = _near(sent, to_original(offset) if to_original else offset)
        return f", at '{found}'" if found else ""

    offset = offset_of(text, int(m.group(1)), int(m.group(2)))
    expected, messages = _expectations(m.group(3))
    if "Prefix not found" in messages:
        found = _PNAME_BEFORE.search(text[:offset])
        prefix = found.group(1) if found else ""
        return unknown_prefix(prefix, where=where(found.start() if found else offset))
    if messages:
        note = messages[0]
        if note == "IRI parsing failed":
            start = text.rfind("<", 0, offset)
            end = text.find(">", start) + 1 or offset
            note = f"not a valid IRI: {_near(text[:end], start)}" if start >= 0 else "not a valid IRI"
        elif note[1:2].islower():
            note = note[0].lower() + note[1:]
        return f"invalid query at {where(offset)}: {note}"
    form = _FORM.match(text)
    word = form.group("word").upper()
    if word not in _QUERY_FORMS:
        if word in _UPDATES:
            return ("this is a SPARQL Update; this endpoint is read-only and answers queries (SELECT, ASK, "
                    "CONSTRUCT, DESCRIBE)")
        return (f"query syntax error at {where(form.start('word'))}{near(form.start('word'))}: "
                "expected SELECT, ASK, CONSTRUCT or DESCRIBE (after any BASE and PREFIX declarations)")
    at_end = _at_end(text, offset)
    if at_end and fallback is not None and not _at_end(text, fallback):
        return f"query syntax error at {where(fallback)}{near(fallback)}"
    wanted = f": expected {_listing(expected)}" if expected else ""
    if at_end and not expected:
        return ("invalid query: the evaluator rejects it at its end without naming a place or a token (for "
                "example a BIND to a variable that its group already uses)")
    if at_end:
        return f"query syntax error at {where(offset)}: the query ends too early{wanted}"
    return f"query syntax error at {where(offset)}{near(offset)}{wanted}"


def rdflib(loc: int, text: str, detail: str = "") -> tuple[int, str]:
    """(offset in ``text``, one line) for rdflib's ParseException at ``loc`` (in the escape-expanded text)."""
    offset = unescaped_to_original(text, loc)
    line, col = line_col(text, offset)
    if _at_end(text, offset):
        return offset, f"query syntax error at line {line}, column {col}: the query ends too early"
    wanted = ""
    if detail.startswith("Expected end of text"):
        wanted = ": expected the end of the query"
    found = _near(text, offset)
    at = f", at '{found}'" if found else ""
    return offset, f"query syntax error at line {line}, column {col}{at}{wanted}"
