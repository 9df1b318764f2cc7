"""Deep nesting refused before any parser (issue 11, item 3): the shapes that crashed the query process
(SIGSEGV, a 503) get a 400 with the limit, queries at the limits are answered (server/endpoint/nesting.py)."""
from pathlib import Path

import pytest
from liveserver import clean_env, start, stop
from sparqlhttp import one_line, send

from server.endpoint import nesting


def _binds(n):
    return "SELECT * WHERE { " + " ".join(f"BIND({i} AS ?v{i})" for i in range(n)) + " }"


# Each crashed the query process (SIGSEGV: a 503) before the guard: the sizes of issue 11 and of the
# measurements in server/endpoint/nesting.py.
CRASHERS = {
    "braces": "SELECT * WHERE " + "{" * 3000 + "}" * 3000,
    "parentheses": "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "nested OPTIONAL": "SELECT * WHERE { " + "OPTIONAL { " * 3000 + "}" * 3000 + " }",
    "nested NOT EXISTS": "SELECT * WHERE { " + "FILTER NOT EXISTS { " * 1000 + "}" * 1000 + " }",
    "nested STR": "SELECT * WHERE { BIND(" + "STR(" * 1000 + "1" + ")" * 1000 + " AS ?x) }",
    "nested UNION": "SELECT * WHERE " + "{ { } UNION " * 3000 + "{ }" + " }" * 3000,
    "BIND sequence": _binds(3000),
    "MINUS sequence": "SELECT * WHERE { ?s ?p ?o " + "MINUS { ?s ?p ?o } " * 3000 + "}",
    "+ chain": "SELECT * WHERE { FILTER(" + "+".join(["1"] * 7000) + ") }",
    "OPTIONAL sequence": "SELECT * WHERE { ?s ?p ?o " + "OPTIONAL { ?s ?p ?o } " * 3000 + "}",
}


@pytest.fixture(scope="module")
def roomy_server(dist, tmp_path_factory):
    """The server with the default query length limit (100 000 bytes), so the crashers of issue 11 fit."""
    log = tmp_path_factory.mktemp("roomy") / "serve.log"
    srv = start(dist, log, args=["--workers", "2", "--timeout", "5"], env=clean_env())
    yield srv
    stop(srv)
    assert "Traceback" not in srv.log_text()


@pytest.mark.parametrize("name", CRASHERS)
def test_deep_nesting_is_refused_before_evaluation(roomy_server, name):
    text = CRASHERS[name]
    assert len(text.encode()) <= 100_000
    message = one_line(send(roomy_server.endpoint, "POST-direct", text), 400)
    assert "this endpoint accepts" in message
    assert send(roomy_server.endpoint, "GET", "ASK {}").status_code == 200


AT_THE_LIMITS = {
    "braces": "SELECT * WHERE " + "{" * nesting.MAX_DEPTH + "}" * nesting.MAX_DEPTH,
    "nested NOT EXISTS + BINDs + operators": (
        "SELECT * WHERE { " + "FILTER NOT EXISTS { " * (nesting.MAX_DEPTH - 2)
        + " ".join(f"BIND({i} AS ?v{i})" for i in range(nesting.MAX_GROUPS - nesting.MAX_DEPTH))
        + " BIND(" + "+".join(["1"] * nesting.MAX_OPERATORS) + " AS ?z)"
        + " }" * (nesting.MAX_DEPTH - 2) + " }"),
    "BINDs": _binds(nesting.MAX_GROUPS - 1),
}


@pytest.mark.parametrize("name", AT_THE_LIMITS)
def test_queries_at_the_limits_are_answered(roomy_server, name):
    text = AT_THE_LIMITS[name]
    nesting.check(text)
    resp = send(roomy_server.endpoint, "POST-direct", text)
    assert resp.status_code == 200, resp.text


def test_nesting_ignores_comments_strings_and_iris():
    text = ("# ((((((((\nSELECT * WHERE { ?s ?p '" + "{" * 500 + "' . ?s ?p \"\"\"" + "(" * 500
            + "\"\"\" FILTER(?o != <http://x/" + "%28" * 10 + ">) }")
    assert nesting.measure(text)["depth"] == 2
    nesting.check(text)
    assert nesting.measure("SELECT ?s WHERE { ?s apg:core-member ?o FILTER(?o = -1.5e-3) }")["operators"] == 2


def test_competency_queries_are_far_below_the_limits():
    for path in sorted((Path(__file__).resolve().parents[2] / "queries").glob("*.rq")):
        m = nesting.measure(path.read_text(encoding="utf-8"))
        assert m["depth"] * 4 <= nesting.MAX_DEPTH and m["groups"] * 4 <= nesting.MAX_GROUPS, (path.name, m)
        assert m["operators"] * 4 <= nesting.MAX_OPERATORS, (path.name, m)
