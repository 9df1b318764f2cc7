"""The query mix and answer normalisation, so that answers from different servers can be compared."""

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kg.namespaces import PREFIXES

XSD = PREFIXES["xsd"]
RDF_LANGSTRING = PREFIXES["rdf"] + "langString"
_DECIMALS = {
    XSD + t
    for t in (
        "decimal",
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}
_FLOATS = {XSD + "double", XSD + "float"}

RESULTS_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Query:
    name: str  # file stem, e.g. "03-claims"
    path: Path
    text: str
    kind: str  # SELECT, ASK, CONSTRUCT or DESCRIBE

    @property
    def accept(self) -> str:
        return RESULTS_JSON if self.kind in ("SELECT", "ASK") else NTRIPLES


def query_kind(text: str) -> str:
    """SELECT/ASK/CONSTRUCT/DESCRIBE, from rdflib's parser (the query must parse)."""
    from rdflib.plugins.sparql.parser import parseQuery

    name = parseQuery(text)[1].name  # e.g. "SelectQuery"
    return name.removesuffix("Query").upper()


def load_queries(directory: Path) -> list[Query]:
    out = []
    for path in sorted(Path(directory).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        out.append(Query(path.stem, path, text, query_kind(text)))
    return out


def _norm_literal(value: str, datatype: str | None, lang: str | None):
    if lang:
        return ("lit", value, "@" + lang.lower())
    datatype = datatype or XSD + "string"
    if datatype in _DECIMALS:
        try:
            d = Decimal(value.strip())
            return ("num", str(d.normalize()) if d else "0", "decimal")
        except InvalidOperation:
            pass
    elif datatype in _FLOATS:
        try:
            return ("num", f"{float(value):.12g}", "double")
        except ValueError:
            pass
    return ("lit", value, datatype)


def _norm_term(term: dict | None):
    if term is None:
        return ("unbound",)
    t = term.get("type")
    if t == "uri":
        return ("uri", term["value"])
    if t == "bnode":
        return ("bnode",)  # labels are per-response; only the position of a blank node is compared
    if t in ("literal", "typed-literal"):
        dt = term.get("datatype")
        lang = term.get("xml:lang") or (None if dt != RDF_LANGSTRING else "")
        return _norm_literal(term["value"], None if dt == RDF_LANGSTRING else dt, lang)
    if t == "triple":  # RDF-star
        v = term["value"]
        return ("triple", _norm_term(v["subject"]), _norm_term(v["predicate"]), _norm_term(v["object"]))
    return ("?", json.dumps(term, sort_keys=True))


def normalise(query: Query, body: bytes):
    """A value that is equal for two responses iff they give the same answer (order of rows ignored)."""
    if query.accept == RESULTS_JSON:
        data = json.loads(body)
        if "boolean" in data:
            return ("boolean", bool(data["boolean"]))
        names = sorted(data["head"].get("vars", []))
        rows = sorted(tuple(_norm_term(b.get(n)) for n in names) for b in data["results"]["bindings"])
        return ("bindings", tuple(names), tuple(rows))
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    g = Graph()
    g.parse(data=body.decode("utf-8"), format="nt")
    lines = to_canonical_graph(g).serialize(format="nt").splitlines()
    return ("graph", tuple(sorted(line for line in lines if line.strip())))


def describe(norm) -> str:
    """Short description of a normalised answer for the report: '12 rows', 'true', '30 triples'."""
    if norm[0] == "boolean":
        return "true" if norm[1] else "false"
    if norm[0] == "bindings":
        n = len(norm[2])
        return f"{n} row" + ("" if n == 1 else "s")
    return f"{len(norm[1])} triples"


def diff_text(a, b, limit: int = 8) -> str:
    """A few lines showing how two normalised answers differ."""
    if a[0] != b[0] or a[0] == "boolean":
        return f"reference: {a!r}\nother: {b!r}"
    if a[0] == "bindings" and a[1] != b[1]:
        return f"variables differ: {a[1]} vs {b[1]}"
    ra, rb = (list(a[2]), list(b[2])) if a[0] == "bindings" else (list(a[1]), list(b[1]))
    only_a = [r for r in ra if r not in rb]
    only_b = [r for r in rb if r not in ra]
    lines = [f"rows: reference {len(ra)}, other {len(rb)}"]
    lines += [f"- {r!r}" for r in only_a[:limit]] + [f"+ {r!r}" for r in only_b[:limit]]
    if not only_a and not only_b:
        lines.append("same rows, different multiplicities")
    return "\n".join(lines)


_WS = re.compile(r"\s+")


def one_line(text: str, width: int = 80) -> str:
    s = _WS.sub(" ", text).strip()
    return s if len(s) <= width else s[: width - 1] + "…"


# -- the expected answers kept beside the queries (queries/NN-slug.expected.json) ----------------------------

_ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)


def _strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def expected_answer(query: Query):
    """The expected file's answer, shaped as ``lexical_answer`` shapes answers; None without a file."""
    path = query.path.with_name(query.path.stem + ".expected.json")
    if not path.is_file():
        return None
    return _lexical_key(query, json.loads(path.read_text(encoding="utf-8")))


def lexical_answer(query: Query, body: bytes):
    """A SPARQL JSON answer reduced like the expected files: rows of {variable: lexical value} (unbound left
    out), or a boolean. Rows are a multiset unless the query has ORDER BY."""
    if query.accept != RESULTS_JSON:
        return None
    data = json.loads(body)
    if "boolean" in data:
        return _lexical_key(query, bool(data["boolean"]))
    rows = [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]
    return _lexical_key(query, rows)


def _lexical_key(query: Query, answer):
    if isinstance(answer, bool):
        return answer
    rows = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in answer]
    return tuple(rows) if _ORDER_BY.search(_strip_comments(query.text)) else tuple(sorted(rows))
