"""Fuzzing the real server (issue 11, item 3): a few thousand generated requests over every route, method,
header and body shape (invalid UTF-8, NUL bytes, huge and deeply nested queries, odd charsets and Accept
headers, percent-encoding), sent over raw sockets to the server of tests/server/conftest.py. No answer may be
a 5xx other than the documented 503s (time limit, answer size), no answer or log line may hold a traceback,
and /healthz must answer afterwards.

Bounded and reproducible: Hypothesis with a fixed number of examples, derandomized, no example database. The
counts (requests, statuses per route) are printed at the end and written to tests/artifacts/fuzz-counts.json.
Marked ``fuzz``: ``-m 'not fuzz'`` skips it in a quick loop.

Not generated here, because they are the HTTP server's to handle (server/serve.py): malformed chunked
encoding (an invalid chunk size) and request lines or headers of several megabytes.
"""
import json
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

EXAMPLES = 4000
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
QUERIES = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "queries").glob("*.rq"))]
# The answers the README documents as 503: the time limit and the answer size limit.
DOCUMENTED_503 = ("the query ran longer than", "the answer is larger than", "the query ran out of memory")

# ---------------------------------------------------------------- generators

KINDS = ["person", "organization", "place", "post", "rank", "membership", "holding", "event", "speech",
         "vote", "decision", "claim", "topic", "source/lvwiki", "x"]
SLUGS = ["khrushchev", "molotov", "presidium", "presidium-session-1957-06", "removal-vote-1957-06",
         "removal-vote-1957-06/count-yes", "s25", "s01", "plenum-resolution-1957-06-29", ""]
EXTENSIONS = ["", ".html", ".ttl", ".jsonld", ".nt", ".rdf", ".nq", ".trig", ".xml", ".", ".ttl.gz"]
FILES = ["dataset.nq", "dataset.trig", "data.ttl", "data.ttl.gz", "ontology.rdf", "SHA256SUMS",
         "manifest.json", "nope.txt", "../manifest.json", "%2e%2e%2fmanifest.json"]
GRAPHS = ["data", "ontology", "inferred", "metadata", "nope"]
ODD = ["%3E", "%20", "%7B", "%7D", "%22", "%00", "%0D", "%0A", "%5C", "%FF", "%C3", "%E2%80%A8", "%25", "%2F",
       "%3F", "%23", "'", "(", ";", "~", "ā", "Х", "%F0%9F%98%80", "%ED%A0%80", "..", "//", "%1B[31m"]


def _segment():
    plain = st.text(st.characters(codec="utf-8", exclude_characters="\r\n"), max_size=12).map(
        lambda s: quote(s, safe=""))
    binary = st.binary(max_size=8).map(lambda b: quote(b, safe=""))
    odd = st.lists(st.sampled_from(ODD), min_size=1, max_size=3).map("".join)
    return st.one_of(st.sampled_from(SLUGS), plain, binary, odd,
                     st.tuples(st.sampled_from(SLUGS), odd).map("".join))


KNOWN = ["person/khrushchev", "person/molotov", "organization/presidium", "event/presidium-session-1957-06",
         "vote/removal-vote-1957-06", "vote/removal-vote-1957-06/count-yes", "source/lvwiki/s25",
         "decision/plenum-resolution-1957-06-29", "holding/molotov-foreign-minister"]
PATHS = st.one_of(
    st.builds(lambda where, k, e: f"/{where}/{k}{e}", st.sampled_from(["id", "doc"]), st.sampled_from(KNOWN),
              st.sampled_from(EXTENSIONS)),
    st.sampled_from(["/", "/sparql", "/healthz", "/download", "/dataset", "/dataset.ttl", "/dataset.html",
                     "/.well-known/void", "/ontology", "/ontology.ttl", "/ontology.html", "/ontology/0.1.0",
                     "/static/yasgui/yasgui.min.js", "/static/yasgui/nope.js", "/nope", "/sparql/",
                     "//sparql", "/id", "/id/", "/doc/", "/graph/"]),
    st.builds(lambda w, k, s, e: f"/{w}/{k}/{s}{e}", st.sampled_from(["id", "doc"]), st.sampled_from(KINDS),
              _segment(), st.sampled_from(EXTENSIONS)),
    st.builds(lambda g, e: f"/graph/{g}{e}", st.one_of(st.sampled_from(GRAPHS), _segment()),
              st.sampled_from(EXTENSIONS)),
    st.builds(lambda f: f"/download/{f}", st.one_of(st.sampled_from(FILES), _segment())),
    st.builds(lambda v: f"/ontology/{v}", _segment()),
    st.builds(lambda s: f"/static/yasgui/{s}", _segment()),
    st.lists(_segment(), min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts)),
)

TOKENS = ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "[", "]", ".", ";", ",", "*",
          "?s", "?p", "?o", "$x", "<https://w3id.org/apg-kg/id/person/khrushchev>", "<x>", "<>", "a",
          "foaf:Person", "ex:y", "rdfs:label", "apg:", "'Хрущёв'@ru", '"x"', '"""a\nb"""', "'", '"', "1",
          "-1.5e3",
          "true", "OPTIONAL", "UNION", "MINUS", "FILTER", "EXISTS", "NOT", "BIND", "AS", "VALUES", "GRAPH",
          "FROM", "NAMED", "LIMIT", "10", "OFFSET", "ORDER", "BY", "GROUP", "HAVING", "COUNT(*)", "DISTINCT",
          "PREFIX", "ex:", "BASE", "#", "# c\r", "\\u0041", "\\U0001F600", "\x00", "\r", "\u2028", "\ufeff",
          "&&", "||", "+", "=", "!", "^", "/", "|", "?", "STR(", "REGEX(", "LANG(", "INSERT", "DATA", "LOAD"]
# Deeply nested or long-chained shapes (server/endpoint/nesting.py): some below the limits, some far above.
NESTINGS = [
    lambda n: "SELECT * WHERE " + "{" * n + "}" * n,
    lambda n: "SELECT * WHERE { FILTER(" + "(" * n + "1" + ")" * n + ") }",
    lambda n: "SELECT * WHERE { " + "OPTIONAL { " * n + "}" * n + " }",
    lambda n: "ASK { " + "FILTER NOT EXISTS { " * n + "}" * n + " }",
    lambda n: "SELECT * WHERE { BIND(" + "STR(" * n + "1" + ")" * n + " AS ?x) }",
    lambda n: "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }",
    lambda n: "ASK { FILTER(" + "+".join(["1"] * max(n, 1)) + ") }",
    lambda n: "SELECT * FROM <https://w3id.org/apg-kg/graph/data> WHERE " + "{" * n + "}" * n,
    lambda n: "DESCRIBE ?s WHERE " + "{" * n + " ?s ?p ?o " + "}" * n + " LIMIT 1",
]


def _mutate(text: str, cuts) -> str:
    for position, insert, delete in cuts:
        i = position % (len(text) + 1)
        text = text[:i] + insert + text[i + delete:]
    return text


VALID = st.one_of(st.sampled_from(QUERIES), st.sampled_from([
    "DESCRIBE <https://w3id.org/apg-kg/id/person/khrushchev>", "ASK {}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 3",
    "CONSTRUCT WHERE { ?s a foaf:Person } LIMIT 5", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 2",
    "SELECT ?n WHERE { ?p a foaf:Person ; rdfs:label ?n FILTER(LANG(?n) = 'lv') }",
    "DESCRIBE ?p WHERE { ?p a foaf:Person } LIMIT 2",
    "SELECT * FROM NAMED <https://w3id.org/apg-kg/graph/data> WHERE { GRAPH ?g { ?s a foaf:Person } }",
    "ASK { ?s rdfs:label 'Хрущёв'@ru }",
]))
QUERY_TEXTS = st.one_of(
    VALID, VALID,
    st.builds(_mutate, st.sampled_from(QUERIES), st.lists(st.tuples(
        st.integers(0, 5000), st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), st.integers(0, 8)),
        min_size=1, max_size=4)),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.text(max_size=120),
    st.builds(lambda shape, n: shape(n), st.sampled_from(NESTINGS),
              st.one_of(st.integers(0, 70), st.integers(70, 3000))),
    st.integers(18_000, 30_000).map(lambda n: "#" * n + "\nASK {}"),  # around the 20 000 byte limit
)

QUERY_BYTES = st.one_of(
    QUERY_TEXTS.map(lambda q: q.encode("utf-8", "surrogatepass")),
    QUERY_TEXTS.map(lambda q: q.encode("utf-8", "surrogatepass")),
    st.binary(max_size=200),
    st.tuples(QUERY_TEXTS, st.sampled_from(["utf-16", "latin-1", "utf-32"])).map(
        lambda t: t[0].encode(t[1], "replace")),
    st.tuples(QUERY_TEXTS, st.binary(min_size=1, max_size=3)).map(lambda t: t[0].encode() + t[1]),
)

MEDIA = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
         "text/tab-separated-values", "text/turtle", "application/n-triples", "application/ld+json",
         "application/rdf+xml", "application/n-quads", "application/trig", "text/html",
         "application/xhtml+xml", "application/json", "application/xml", "text/plain", "*/*", "text/*",
         "image/png", "", "garbage", "text/html;q=0", "*/*;q=0", "text/turtle;q=abc", "a/b;q=0.5, */*;q=0.1",
         ";;;", "text/turtle; charset=x"]
ACCEPTS = st.one_of(
    st.sampled_from(MEDIA),
    st.lists(st.tuples(st.sampled_from(MEDIA), st.floats(0, 1).map(lambda q: f"{q:.3f}")), max_size=5).map(
        lambda items: ", ".join(f"{m};q={q}" for m, q in items)),
    st.text(st.characters(codec="latin-1", exclude_characters="\r\n"), max_size=40),
    st.just(",".join(MEDIA) * 20),
)
FORMATS = st.one_of(st.sampled_from(["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf", "nq", "trig",
                                     "html", "text/turtle", "application/sparql-results+json", "", "nope",
                                     "TTL", "application/*"]), st.text(max_size=10))
GRAPH_IRIS = st.one_of(st.sampled_from([f"https://w3id.org/apg-kg/graph/{g}" for g in GRAPHS]),
                       st.sampled_from(["", "<>", "not an iri", "http://x/%00", "file:///etc/passwd", "x"]),
                       st.text(max_size=20))
CHARSETS = ["utf-8", "UTF-8", '"utf-8"', "utf8", "UTF-16", "rot13", "base64", "hex", "zlib", "latin-1", "",
            "x-nope", "utf-8;x=y"]
CONTENT_TYPES = st.one_of(
    st.builds(lambda base, cs: base + (f"; charset={cs}" if cs is not None else ""),
              st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded"]),
              st.one_of(st.none(), st.sampled_from(CHARSETS))),
    st.sampled_from(["application/sparql-update", "text/plain", "multipart/form-data; boundary=x",
                     "application/json", "", "application/sparql-query;", "APPLICATION/SPARQL-QUERY"]),
)


@st.composite
def params(draw, query_odds=2):
    pairs = []
    if draw(st.integers(1, query_odds)) == 1:
        pairs.append(("query", draw(QUERY_TEXTS)))
    for name, values in (("format", FORMATS), ("default-graph-uri", GRAPH_IRIS),
                         ("named-graph-uri", GRAPH_IRIS), ("lang", st.sampled_from(["lv", "ru", "xx", ""])),
                         ("update", st.just("INSERT DATA {}")), ("query", QUERY_TEXTS)):
        if draw(st.integers(0, 29 if name == "update" else 9)) == 0:
            pairs.append((name, draw(values)))
    return pairs


def _encode_pairs(pairs, raw_bytes) -> bytes:
    body = urlencode(pairs).encode("ascii")
    if raw_bytes:  # invalid percent-encoding and raw bytes: "%FF", "%", "%zz", raw 0xff
        body += b"&" + raw_bytes
    return body


# invalid percent-encoding and raw bytes, in one query string or form of five
RAW_PARAM_BYTES = st.one_of(st.none(), st.none(), st.none(), st.none(), st.sampled_from(
    [b"query=%FF", b"query=%", b"q%zz=1", b"query=\xff", b"%C3=1", b"query=ASK%7B%7D%00", b"==", b"&&"]))


@st.composite
def requests_(draw):
    if draw(st.integers(0, 9)) < 6:  # most requests are queries
        path = "/sparql"
        method = draw(st.sampled_from(["GET"] * 9 + ["POST"] * 9 + ["HEAD", "OPTIONS", "PUT", "DELETE"]))
    else:
        path = draw(PATHS)
        method = draw(st.sampled_from(["GET"] * 12 + ["HEAD"] * 3 + ["POST"] * 2 + ["OPTIONS", "PUT",
                                                                                   "PATCH"]))
    pairs = draw(params(query_odds=2 if method in ("GET", "HEAD") else 10))
    query_string = _encode_pairs(pairs, draw(RAW_PARAM_BYTES))
    headers = {}
    for name, values in (("Accept", ACCEPTS),
                         ("Accept-Language", st.sampled_from(["lv", "ru,en;q=0.5", "*", "", "lv;q=abc"])),
                         ("Accept-Encoding", st.sampled_from(["gzip", "identity;q=0", "br", "gzip;q=0"])),
                         ("If-None-Match", st.sampled_from(['"abc"', "*", 'W/"x"', "garbage"])),
                         ("Range", st.sampled_from(["bytes=0-10", "bytes=-5", "bytes=5-", "bytes=9-1",
                                                    "bytes=0-0,2-3", "lines=1-2", "bytes=x"])),
                         ("Origin", st.just("http://example.org")),
                         ("Access-Control-Request-Method", st.sampled_from(["POST", "GET", "DELETE"]))):
        if draw(st.integers(0, 3)) == 0:
            headers[name] = draw(values)
    body = b""
    if method in ("POST", "PUT", "PATCH"):
        kind = draw(st.sampled_from(["direct"] * 3 + ["form"] * 3 + ["none", "binary"]))
        proper = draw(st.integers(0, 2)) > 0  # mostly the content type that fits the body
        if kind == "direct":
            body = draw(QUERY_BYTES)
            headers["Content-Type"] = "application/sparql-query" if proper else draw(CONTENT_TYPES)
        elif kind == "form":
            form = draw(params())
            if proper and not any(name == "query" for name, _ in form):
                form.insert(0, ("query", draw(QUERY_TEXTS)))
            body = _encode_pairs(form, None if proper else draw(RAW_PARAM_BYTES))
            headers["Content-Type"] = "application/x-www-form-urlencoded" if proper else draw(CONTENT_TYPES)
        elif kind == "binary":
            body = draw(st.binary(max_size=300))
            if draw(st.booleans()):
                headers["Content-Type"] = draw(CONTENT_TYPES)
    chunked = bool(body) and draw(st.integers(0, 5)) == 0
    target = path.encode("utf-8", "surrogatepass") + ((b"?" + query_string) if query_string else b"")
    return method, target, headers, body, chunked


# ---------------------------------------------------------------- the client

def raw_request(netloc: str, method: str, target: bytes, headers: dict, body: bytes, chunked: bool):
    """(status, headers, body) of one request over a fresh connection, bytes exactly as generated."""
    host, port = netloc.rsplit(":", 1)
    lines = [method.encode() + b" " + target + b" HTTP/1.1", b"Host: " + netloc.encode(),
             b"Connection: close"]
    for name, value in headers.items():
        lines.append(name.encode() + b": " + value.encode("latin-1", "replace"))
    if chunked:
        lines.append(b"Transfer-Encoding: chunked")
        pieces = [body[i:i + 97] for i in range(0, len(body), 97)]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
    else:
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append(b"Content-Length: " + str(len(body)).encode())
        payload = body
    data = b"\r\n".join(lines) + b"\r\n\r\n" + payload
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    raw = b"".join(chunks)
    head, _, rest = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.split(b"\r\n")
    parts = status_line.split(b" ", 2)
    assert len(parts) >= 2 and parts[0].startswith(b"HTTP/1."), (data[:300], raw[:300])
    answer_headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        answer_headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    if answer_headers.get("transfer-encoding", "").lower() == "chunked":
        rest = _dechunk(rest)
    return int(parts[1]), answer_headers, rest


def _dechunk(data: bytes) -> bytes:
    out, pos = [], 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2:end + 2 + size])
        pos = end + 2 + size + 2


def _route(target: bytes) -> str:
    path = target.split(b"?", 1)[0].decode("utf-8", "replace")
    first = path.strip("/").split("/", 1)[0]
    known = {"sparql", "healthz", "id", "doc", "graph", "ontology", "dataset", "download", "static",
             ".well-known", ""}
    return "/" + first if first in known else "/(other)"


# ---------------------------------------------------------------- the test

def test_fuzzed_requests_get_no_5xx_and_no_traceback(server):
    netloc = urlsplit(server.url).netloc
    statuses, by_route, samples = Counter(), Counter(), {}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=(Phase.explicit, Phase.generate, Phase.shrink),
              suppress_health_check=list(HealthCheck))
    @given(requests_())
    # the documented 503s, once each (generated, they would spend the run waiting for the time limit)
    @example(("GET", b"/sparql?" + urlencode({"query": "SELECT * { ?a ?b ?c . ?d ?e ?f } LIMIT 99999"})
              .encode(), {}, b"", False))
    @example(("POST", b"/sparql", {"Content-Type": "application/sparql-query"},
              b"SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", False))
    def one(request):
        method, target, headers, body, chunked = request
        status, answer_headers, answer = raw_request(netloc, method, target, headers, body, chunked)
        statuses[status] += 1
        key = f"{method} {_route(target)} {status}"
        by_route[key] += 1
        text = answer.decode("utf-8", "replace")
        if len(samples.setdefault(key, [])) < 3 and not answer_headers.get("content-type", "").startswith(
                ("text/html", "application/")):
            samples[key].append([target[:160].decode("latin-1"), text[:240]])
        assert "Traceback" not in text, (request, text[:500])
        if status >= 500:
            documented = status == 503 and any(reason in text for reason in DOCUMENTED_503)
            assert documented, (request, status, text[:500])

    try:
        one()
    finally:
        counts = {"requests": sum(statuses.values()), "statuses": dict(sorted(statuses.items())),
                  "by_route": dict(sorted(by_route.items())), "samples": dict(sorted(samples.items()))}
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "fuzz-counts.json").write_text(json.dumps(counts, indent=1) + "\n", encoding="utf-8")
        print(f"\nfuzz: {counts['requests']} requests, statuses {counts['statuses']}")
    status, _, answer = raw_request(netloc, "GET", b"/healthz", {}, b"", False)
    assert status == 200 and answer.startswith(b"ok "), answer
    log = server.log_text()
    assert "Traceback" not in log, log[-3000:]
    assert "unexpected error" not in log, log[-3000:]
