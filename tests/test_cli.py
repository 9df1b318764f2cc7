"""The apg command through Click's CliRunner: every command, every query form in every format, every error
path with its exit status and its one line; and one real `apg build` on a pseudo-terminal."""
import hashlib
import io
import json
import os
import pty
import re
import select
import shutil
import socket
import subprocess
import time

import pytest
from click.testing import CliRunner
from liveserver import apg, clean_env
from rdflib import Dataset, Graph, Literal, URIRef, Variable
from rdflib.namespace import FOAF, RDF
from rdflib.query import Result

from kg import cli
from kg.cli import main
from kg.namespaces import APG, OPENGOV

BASE = "https://w3id.org/apg-kg/"
KHRUSHCHEV = URIRef(BASE + "id/person/khrushchev")
COUNTS = ('SELECT ?n WHERE { ?v a opengov:Count ; rdf:value ?n } ORDER BY ?n')  # predefined prefixes
RESULT_FORMATS = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv"}  # --format -> rdflib parser
GRAPH_FORMATS = {"table": "turtle", "ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml",
                 "nq": "nquads", "trig": "trig"}
GRAPH_QUERIES = {
    "CONSTRUCT": "CONSTRUCT { ?v opengov:option ?o } WHERE { ?v a opengov:Count ; opengov:option ?o }",
    "DESCRIBE": f"DESCRIBE <{KHRUSHCHEV}>",
}


def run(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="apg", **kwargs)


def ok(res) -> str:
    assert res.exit_code == 0, res.output
    return res.stdout


def fails(res, status: int, *, last: bool = False) -> str:
    """The command failed with ``status`` and said why in one line on standard error (``last``: its last
    line, after the build's stage lines or a report), no traceback."""
    assert res.exit_code == status, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    lines = res.stderr.splitlines()
    assert (lines[-1:] if last else lines) == [lines[-1]] and lines[-1].startswith("Error: "), lines
    assert not any(line.startswith("Error:") for line in lines[:-1]), lines
    return lines[-1].removeprefix("Error: ")


def query(dist, *args, **kwargs):
    return run("query", "--dist", dist, *args, **kwargs)


def graph_of(data: bytes | str, parser: str) -> Graph:
    """The triples of a graph answer (N-Quads/TriG: of all its graphs)."""
    if parser in ("nquads", "trig"):
        ds = Dataset()
        ds.parse(data=data, format=parser)
        g = Graph()
        for s, p, o, _ in ds.quads():
            g.add((s, p, o))
        return g
    return Graph().parse(data=data, format=parser)


# ---------------------------------------------------------------- query: every form, every format


def test_select_as_a_table_with_prefixed_names(dist):
    out = ok(query(dist, COUNTS))
    lines = out.splitlines()
    assert lines[0].strip() == "n" and [line.strip() for line in lines[2:6]] == ["2", "4", "6", "7"]
    assert lines[-1] == "(4 rows)"
    out = ok(query(dist, f"SELECT ?c WHERE {{ <{KHRUSHCHEV}> a ?c }}"))
    assert "foaf:Person" in out.splitlines()  # an IRI the project's prefixes fit is a prefixed name
    assert ok(query(dist, "SELECT ?x WHERE { ?x a <urn:x:none> }")).splitlines()[-1] == "(0 rows)"
    out = ok(query(dist, f'SELECT ?long ?lines WHERE {{ BIND("{"ab" * 50}" AS ?long) '
                         'BIND("один\\nдва" AS ?lines) }'))
    (row,) = out.splitlines()[2:-1]  # a value with a line break stays on its row
    long, lines = (cell.strip() for cell in row.split(" | "))
    assert long == "ab" * 39 + "a…" and lines == "один\\nдва"


@pytest.mark.parametrize("fmt", RESULT_FORMATS)
def test_select_in_each_results_format(dist, fmt):
    res = query(dist, COUNTS, "--format", fmt)
    result = Result.parse(io.BytesIO(ok(res).encode()), format=RESULT_FORMATS[fmt])
    assert [int(b[Variable("n")]) for b in result.bindings] == [2, 4, 6, 7]


@pytest.mark.parametrize("fmt", ["table", *RESULT_FORMATS])
def test_ask_true_and_false_in_each_format(dist, fmt):
    for text, expected in (("ASK { ?s a foaf:Person }", True), ("ASK { ?s a <urn:x:none> }", False)):
        out = ok(query(dist, text, "--format", fmt))
        if fmt in ("table", "csv", "tsv"):  # CSV/TSV define no boolean: pyoxigraph writes the bare word
            assert out == f"{str(expected).lower()}\n"
        else:
            assert Result.parse(io.BytesIO(out.encode()), format=RESULT_FORMATS[fmt]).askAnswer is expected


@pytest.mark.parametrize("form", GRAPH_QUERIES)
@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
def test_construct_and_describe_in_each_graph_format(dist, built, form, fmt):
    out = ok(query(dist, GRAPH_QUERIES[form], "--format", fmt))
    g = graph_of(out, GRAPH_FORMATS[fmt])
    if form == "CONSTRUCT":
        expected = {(v, OPENGOV.option, o) for v, o in built.data.subject_objects(OPENGOV.option)
                    if (v, RDF.type, OPENGOV.Count) in built.data}
        assert set(g) == expected and len(expected) == 4
    else:
        assert (KHRUSHCHEV, RDF.type, FOAF.Person) in g
        assert set(built.data.triples((KHRUSHCHEV, None, None))) <= set(g)
    if GRAPH_FORMATS[fmt] == "turtle":  # the project's prefixes, used
        assert dict(g.namespaces())["foaf"] == URIRef(str(FOAF)) and dict(g.namespaces())["apg"] == URIRef(
            str(APG._NS))
        if form == "DESCRIBE":
            assert "foaf:Person" in out and f"<{FOAF.Person}>" not in out


def test_query_from_a_file_and_from_standard_input(dist, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("\ufeff# a comment\n" + COUNTS + "\n", encoding="utf-8")  # with an editor's BOM
    expected = ok(query(dist, COUNTS))
    assert ok(query(dist, "-f", rq)) == expected
    assert ok(query(dist, "--file", rq)) == expected
    assert ok(query(dist, "-f", "-", input=COUNTS)) == expected
    assert ok(query(dist, "-", input=COUNTS)) == expected
    assert ok(query(dist, input=COUNTS)) == expected  # no argument, input piped


def test_query_honours_from_and_graph(dist):
    out = ok(query(dist, f"SELECT (COUNT(*) AS ?n) FROM <{BASE}graph/inferred> WHERE {{ ?s ?p ?o }}",
                   "--format", "json"))
    manifest = json.loads((dist / "manifest.json").read_text())
    (binding,) = Result.parse(io.BytesIO(out.encode()), format="json").bindings
    assert int(binding[Variable("n")]) == manifest["graphs"]["inferred"]["triples"]


# ---------------------------------------------------------------- query: errors


def test_query_errors_are_the_endpoints_lines(dist):
    """Same one line as the endpoint (server/endpoint/query.py), exit status 3."""
    from server.endpoint.query import Job, execute
    from server.store import OxigraphStore

    store = OxigraphStore(dist)
    cases = {
        "unknown prefix": ("SELECT ?x WHERE {\n  ?x a ex:Thing }",
                           "unknown prefix 'ex:' at line 2, column 8"),
        "syntax": ("SELECT * WHERE { ?s ?p ?o FILTER(?o = ) }", "query syntax error at line 1, column 27"),
        "nesting": ("ASK { " + "{ " * 80 + "}" * 80 + " }", "nested too deeply"),
        "service": ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        "evaluation": ("SELECT (<urn:x:nofunction>(1) AS ?x) WHERE {}", "query evaluation failed"),
        "describe unknown prefix": ("DESCRIBE ex:x", "unknown prefix 'ex:' at line 1, column 10"),
        "update": ("INSERT DATA { <urn:x:a> <urn:x:b> <urn:x:c> }", "SPARQL Update"),
    }
    for name, (text, expected) in cases.items():
        line = fails(query(dist, text), 3)
        assert expected in line, (name, line)
        assert line == execute(store, Job(text)).body.decode(), name
    assert "predefines apg:, dbr:" in fails(query(dist, "ASK { ?s a ex:x }"), 3)
    assert len(fails(query(dist, "SELECT WHERE {"), 3)) < 200  # a few expected tokens, no Unicode ranges


@pytest.mark.parametrize("text, fmt, form", [
    (COUNTS, "ttl", "SELECT"), ("ASK {}", "nt", "ASK"), (GRAPH_QUERIES["CONSTRUCT"], "json", "CONSTRUCT"),
    (GRAPH_QUERIES["DESCRIBE"], "csv", "DESCRIBE"),
])
def test_a_format_that_does_not_fit_the_form_is_a_usage_error(dist, text, fmt, form):
    line = fails(query(dist, text, "--format", fmt), 2)
    assert line.startswith(f"--format {fmt} is for") and f"{form} query is written as" in line


def test_query_usage_and_input_errors(dist, tmp_path):
    assert "not both" in fails(query(dist, "ASK {}", "-f", tmp_path / "q.rq"), 2)
    assert "'--format'" in fails(query(dist, "ASK {}", "--format", "yaml"), 2)
    assert "No such option" in fails(query(dist, "--bogus"), 2)
    assert fails(query(dist, "-f", tmp_path / "nope.rq"), 3) == (
        f"cannot read {tmp_path / 'nope.rq'}: No such file or directory")
    (tmp_path / "latin1.rq").write_bytes("ASK { ?s ?p 'Hruščovs' }".encode("cp1257"))
    assert "is not UTF-8 text (byte 0xf0" in fails(query(dist, "-f", tmp_path / "latin1.rq"), 3)
    assert fails(query(dist, "  \n"), 3) == "the query is empty"
    assert fails(query(dist, input=""), 3) == "the query is empty"


def test_rdfxml_that_cannot_be_written_is_a_usage_error(dist):
    line = fails(query(dist, "CONSTRUCT { ?s <urn:x:1> ?o } WHERE { ?s a foaf:Person ; rdfs:label ?o }",
                       "--format", "rdf"), 2)
    assert "cannot be written as RDF/XML" in line


def test_a_missing_or_damaged_build_is_status_4(dist, tmp_path):
    assert "run 'apg build' first" in fails(query(tmp_path / "none", "ASK {}"), 4)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for name in ("manifest.json", "dataset.nq"):
        shutil.copy(dist / name, damaged / name)
    with open(damaged / "dataset.nq", "a", encoding="utf-8") as f:
        f.write("<urn:x:a> <urn:x:b> <urn:x:c> .\n")
    assert "does not match" in fails(query(damaged, "ASK {}"), 4)
    assert "does not match" in fails(run("info", "--dist", damaged), 4)
    (damaged / "manifest.json").write_text("{not json")
    assert "not valid JSON" in fails(run("info", "--dist", damaged), 4)
    assert "run 'apg build' first" in fails(run("info", "--dist", tmp_path / "none"), 4)


def test_apg_dist_names_the_build(dist, tmp_path):
    assert ok(run("query", "ASK {}", env={"APG_DIST": str(dist)})) == "true\n"
    assert fails(run("query", "ASK {}", env={"APG_DIST": str(tmp_path)}), 4)
    assert ok(run("query", "ASK {}", "--dist", dist, env={"APG_DIST": str(tmp_path)})) == "true\n"


# ---------------------------------------------------------------- info, --version, help, completion


def test_info_names_the_build_and_checks_its_checksum(dist):
    manifest = json.loads((dist / "manifest.json").read_text())
    sha = hashlib.sha256((dist / "dataset.nq").read_bytes()).hexdigest()
    facts = json.loads(ok(run("info", "--dist", dist, "--json")))
    assert facts["dist"] == str(dist.resolve()) and facts["base"] == BASE
    assert facts["dataset"]["sha256"] == sha
    assert {n: g["triples"] for n, g in facts["graphs"].items()} == {
        n: g["triples"] for n, g in manifest["graphs"].items()}
    assert facts["files"] == len(manifest["files"])
    text = ok(run("info", "--dist", dist))
    assert f"sha256 {sha}" in text and f"base      {BASE}" in text
    for name, g in manifest["graphs"].items():
        assert re.search(rf"^  {name} +{g['triples']}  {re.escape(g['iri'])}$", text, re.MULTILINE)


def test_version_names_the_build(dist, tmp_path):
    manifest = json.loads((dist / "manifest.json").read_text())
    lines = ok(run("--version", env={"APG_DIST": str(dist)})).splitlines()
    assert lines[0].startswith("apg-kg ")
    assert lines[1] == (f"dataset {manifest['version']} (sha256 "
                        f"{manifest['files']['dataset.nq']['sha256'][:12]}) built in {dist}")
    assert "no build in" in ok(run("--version", env={"APG_DIST": str(tmp_path)}))


def test_help_lists_the_exit_statuses_and_every_command_has_help():
    text = ok(run("--help"))
    for code, meaning in cli.EXIT_STATUSES:
        assert f"{code}  {meaning}" in text
    assert "_APG_COMPLETE=bash_source apg" in text
    for command in main.commands:
        assert ok(run(command, "--help")).startswith(f"Usage: apg {command} [OPTIONS]")
    assert "No such command" in fails(run("bulid"), 2)


def test_format_choices_are_the_format_tables():
    from kg.dist import FORMATS as DUMPS
    from server.formats import FORMATS

    assert cli._QUERY_FORMAT_NAMES == ("table", *(f.short for f in FORMATS))
    assert cli._RDF_FORMAT_NAMES == tuple(f.extension for f in DUMPS)


def test_shell_completion():
    script = CliRunner().invoke(main, [], prog_name="apg", env={"_APG_COMPLETE": "bash_source"})
    assert script.exit_code == 0 and "_apg_completion()" in script.output

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        res = CliRunner().invoke(main, [], prog_name="apg", env={
            "_APG_COMPLETE": "bash_complete", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1)})
        return [w.split(",", 1)[1] for w in res.output.splitlines()]

    assert complete("apg qu") == ["query"]
    assert complete("apg query --format t") == ["table", "tsv", "ttl", "trig"]
    assert "--dist" in complete("apg info --")


def test_an_unexpected_exception_is_one_line(monkeypatch):
    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr("kg.coverage.coverage", broken)
    line = fails(run("coverage"), 1)
    assert line.startswith("unexpected RuntimeError: boom (a bug in apg")
    res = run("coverage", env={"APG_TRACEBACK": "1"})
    assert isinstance(res.exception, RuntimeError)


# ---------------------------------------------------------------- validate


def test_validate_the_facts(tmp_path):
    out = ok(run("validate"))
    assert out.startswith("SHACL report: 0 violation(s)")
    report = json.loads(ok(run("validate", "--json")))
    assert report["conforms"] is True and report["violations"] == 0
    assert report["warnings"] == len(report["results"]) > 0


def test_validate_a_file_reports_focus_path_message(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('<https://example.org/p> a <http://xmlns.com/foaf/0.1/Person> ; '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "P"@en .\n')
    res = run("validate", bad)
    violations = [line for line in res.stdout.splitlines() if line.startswith("Violation: ")]
    assert fails(res, 5) == f"SHACL found {len(violations)} violation(s) in {bad}"
    assert "Violation: https://example.org/p | path http://www.w3.org/2000/01/rdf-schema#label" in res.stdout
    nt = tmp_path / "bad.txt"
    nt.write_text('<https://example.org/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
                  '<http://xmlns.com/foaf/0.1/Person> .\n')
    line = fails(run("validate", nt), 2)
    assert line == (f"cannot tell what {nt} is from its extension '.txt': say it with --format "
                    "ttl|nt|jsonld|rdf|trig|nq")
    report = json.loads(run("validate", "--format", "nt", "--json", nt).stdout)
    assert report["violations"] > 0 and {r["focus"] for r in report["results"]} == {"https://example.org/p"}


@pytest.mark.parametrize("name, body, expected", [
    ("broken.ttl", '@prefix ex: <http://e/> .\nex:a ex:b ex:c ;\n  ex:d "x .\n',
     "is not valid Turtle: unexpected end of file at line 3, column 8."),
    ("broken.jsonld", '{"@id": "http://e/a", "http://e/b": [}',
     "is not valid JSON-LD: unexpected closing curly bracket, no array to close at line 1, column 38."),
    ("remote.jsonld", '{"@context": "https://schema.org/", "@id": "http://e/a", "name": "x"}',
     "is not valid JSON-LD: it names a remote @context, and apg fetches nothing: "
     "put the context in the file."),
    ("binary.nt", b"\xff\xfe<",
     "is not valid N-Triples: invalid UTF-8 character encoding at line 1, column 1."),
])
def test_validate_names_the_file_and_the_reason(tmp_path, name, body, expected):
    path = tmp_path / name
    if isinstance(body, bytes):
        path.write_bytes(body)
    else:
        path.write_text(body)
    assert fails(run("validate", path), 3) == f"{path} {expected}"


def test_validate_a_file_that_cannot_be_read(tmp_path):
    assert fails(run("validate", tmp_path / "none.ttl"), 3) == (
        f"cannot read {tmp_path / 'none.ttl'}: No such file or directory")
    assert fails(run("validate", tmp_path), 3) == f"cannot read {tmp_path}: it is a directory"


# ---------------------------------------------------------------- the facts: validate, coverage, links, build


def test_broken_facts_are_input_errors_for_every_command(facts, tmp_path):
    (facts / "claims.yaml").write_text((facts / "claims.yaml").read_text() + "- id: [unclosed\n")
    for command in (["validate"], ["coverage"], ["links"], ["build", "--dist", tmp_path / "out"]):
        line = fails(run(*command, "--facts", facts), 3, last=command[0] == "build")
        assert re.fullmatch(r"claims\.yaml: not valid YAML at line \d+, column \d+: .+", line), command
    assert fails(run("coverage", "--facts", tmp_path / "nothing"), 3) == (
        f"no directory of fact files at {tmp_path / 'nothing'}")


def test_coverage_reports_all_sentences_and_no_uncited():
    out = ok(run("coverage"))
    assert out.startswith("sentences cited: 49/49;")
    assert "uncited statements: 0" in out.splitlines()[0]
    cov = json.loads(ok(run("coverage", "--json")))
    assert cov["uncited"] == [] and all(cov["sentences"][f"s{n:02d}"] for n in range(1, 50))


def test_links_report_totals():
    report = json.loads(ok(run("links", "--json")))
    assert report["totals"]["candidate"] == 1
    assert {e["key"] for e in report["linked"]} >= {"khrushchev", "malenkov", "molotov", "kaganovich"}
    # this revision of the reference table: Bulganin and Voroshilov verified, Kirichenko a candidate
    assert {"bulganin", "voroshilov", "ukraine"} <= {e["key"] for e in report["linked"]}
    assert "kirichenko" not in {e["key"] for e in report["linked"]}
    assert "## unlinked to Wikidata" in ok(run("links"))


def test_build_fails_on_a_violation_with_a_readable_report(facts, tmp_path):
    text = (facts / "persons.yaml").read_text().replace(", ru: \"Никита Сергеевич Хрущёв\"", "")
    (facts / "persons.yaml").write_text(text)
    res = run("build", "--out", tmp_path / "out", "--facts", facts)
    assert fails(res, 5, last=True) == (
        f"SHACL found 1 violation(s); nothing was written to {tmp_path / 'out'}")
    report = res.stderr.splitlines()[:-1]  # the report, before the one line
    assert any("person/khrushchev" in line and "Russian" in line and "sentence s01" in line
               for line in report)
    assert not (tmp_path / "out").exists()
    assert fails(run("validate", "--facts", facts), 5) == "SHACL found 1 violation(s) in the facts"


def test_build_rejects_a_citation_of_a_missing_sentence(facts, tmp_path):
    text = (facts / "claims.yaml").read_text().replace("cites: [s27]", "cites: [s99]")
    (facts / "claims.yaml").write_text(text)
    res = run("build", "--out", tmp_path / "out", "--facts", facts)
    assert "unknown sentence 's99'" in fails(res, 3, last=True)


def test_build_usage_errors(tmp_path):
    line = fails(run("build", "--dist", tmp_path / "out", "--base", "ftp://x"), 2)
    assert line.startswith("Invalid value for '--base'") and "must be an http(s) IRI ending in '/'" in line
    assert line.endswith("; see 'apg build --help'")
    assert fails(run("build", "-x"), 2).startswith("No such option '-x'")


def test_build_shows_stages_as_lines_off_a_terminal_then_the_summary(tmp_path):
    out = tmp_path / "dist"
    res = run("build", "--dist", out)
    ok(res)
    assert res.stderr.splitlines() == [f"[{i}/5] {s}" for i, s in enumerate(
        ("facts", "graph", "SHACL", "OWL RL", "dumps"), 1)]
    assert re.fullmatch(rf"built {re.escape(str(out))} in \S+s: data \d+, ontology \d+, inferred \d+, "
                        r"provenance \d+, metadata \d+; SHACL 0 violations, \d+ warnings\n", res.stdout)
    assert (out / "manifest.json").is_file()


def test_build_quiet_with_a_json_summary(tmp_path, dist):
    out = tmp_path / "dist"
    res = run("build", "--out", out, "-q", "--json")
    summary = json.loads(ok(res))
    assert res.stderr == ""
    manifest = json.loads((out / "manifest.json").read_text())
    assert summary["triples"] == {n: g["triples"] for n, g in manifest["graphs"].items()}
    assert summary["dataset_sha256"] == hashlib.sha256((out / "dataset.nq").read_bytes()).hexdigest()
    assert (out / "dataset.nq").read_bytes() == (dist / "dataset.nq").read_bytes()  # the same build


def test_build_that_cannot_be_written_is_status_1(tmp_path):
    (tmp_path / "file").write_text("")
    line = fails(run("build", "-q", "--dist", tmp_path / "file" / "dist"), 1)  # -q: the error alone
    assert "Not a directory" in line and str(tmp_path / "file") in line


def test_build_progress_on_a_terminal(tmp_path):
    """A real `apg build` on a pseudo-terminal: rich's live display (spinner, bar), a tick per stage, the
    summary last."""
    out = tmp_path / "dist"
    leader, follower = pty.openpty()
    env = clean_env(TERM="xterm-256color", COLUMNS="100")
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([apg(), "build", "--dist", str(out)], stdin=follower, stdout=follower,
                            stderr=follower, env=env, close_fds=True)
    os.close(follower)
    data, deadline = b"", time.monotonic() + 300  # a guard against a hang, not a timing assertion
    while time.monotonic() < deadline:
        if not select.select([leader], [], [], 1)[0]:
            continue
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the last writer closed the terminal
            break
        if not chunk:
            break
        data += chunk
    os.close(leader)
    assert proc.wait(timeout=60) == 0, data[-2000:]
    text = data.decode("utf-8")
    assert "\x1b[" in text and re.search("[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]", text)  # a live display, not plain lines
    assert "[1/5]" not in text
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "\n")
    for n, stage in enumerate(("facts", "graph", "SHACL", "OWL RL", "dumps")):
        assert re.search(rf"^✓ {stage} \d+\.\d s$", plain, re.MULTILINE), stage
        assert re.search(rf"^. {re.escape(stage)} +━+.* {n}/5 ", plain, re.MULTILINE), stage  # in the bar
    last = [line for line in plain.splitlines() if line.strip()][-1]
    assert last.startswith(f"built {out} in ") and "SHACL 0 violations" in last
    assert (out / "manifest.json").is_file()


# ---------------------------------------------------------------- serve: start-up errors (tests/server/)


def test_serve_errors(dist, tmp_path):
    assert "run 'apg build' first" in fails(run("serve", "--dist", tmp_path / "none"), 4)
    assert "APG_THREADS=1 is not valid" in fails(run("serve", "--dist", dist, "--threads", "1"), 2)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert "already in use" in fails(run("serve", "--dist", dist, "--port", port), 1)
    assert "'--port'" in fails(run("serve", "--port", "eighty"), 2)
    assert "APG_ALLOCATOR='tcmalloc' is not valid" in fails(
        run("serve", "--dist", dist, "--allocator", "tcmalloc"), 2)


def test_serve_reads_apg_dist_like_the_other_commands(tmp_path):
    assert str(tmp_path) in fails(run("serve", env={"APG_DIST": str(tmp_path)}), 4)


def test_literals_keep_their_language_in_the_table(dist):
    out = ok(query(dist, f'SELECT ?l WHERE {{ <{KHRUSHCHEV}> rdfs:label ?l FILTER(lang(?l) = "en") }}'))
    labels = {str(o) for o in Graph().parse(data=ok(query(dist, GRAPH_QUERIES["DESCRIBE"], "--format", "nt")),
                                            format="nt").objects(KHRUSHCHEV, URIRef(
                                                "http://www.w3.org/2000/01/rdf-schema#label"))
              if isinstance(o, Literal) and o.language == "en"}
    assert {line.strip() for line in out.splitlines()[2:-1]} == {f"{label}@en" for label in labels}
