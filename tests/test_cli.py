"""The apg command through Click's CliRunner."""
import json
import shutil

from click.testing import CliRunner

from kg.cli import main
from kg.facts import FACTS_DIR


def test_query_prints_a_table_and_formats(dist):
    runner = CliRunner()
    q = ('SELECT ?n WHERE { ?v a <http://www.w3.org/ns/opengov#Count> ; '
         '<http://www.w3.org/1999/02/22-rdf-syntax-ns#value> ?n } ORDER BY ?n')
    res = runner.invoke(main, ["query", q, "--dist", str(dist)])
    assert res.exit_code == 0, res.output
    assert "(4 rows)" in res.output
    res = runner.invoke(main, ["query", q, "--dist", str(dist), "--format", "json"])
    values = [b["n"]["value"] for b in json.loads(res.output)["results"]["bindings"]]
    assert values == ["2", "4", "6", "7"]


def test_query_errors_are_one_line(dist, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["query", "SELECT WHERE {", "--dist", str(dist)])
    assert res.exit_code == 1 and "Error:" in res.output and "Traceback" not in res.output
    res = runner.invoke(main, ["query", "ASK {}", "--dist", str(tmp_path)])
    assert res.exit_code == 1 and "apg build" in res.output


def test_coverage_reports_all_sentences_and_no_uncited():
    res = CliRunner().invoke(main, ["coverage"])
    assert res.exit_code == 0
    assert res.output.startswith("sentences cited: 49/49;")
    assert "uncited statements: 0" in res.output.splitlines()[0]


def test_links_report_totals():
    res = CliRunner().invoke(main, ["links", "--json"])
    report = json.loads(res.output)
    assert report["totals"]["candidate"] == 1
    assert {e["key"] for e in report["linked"]} >= {"khrushchev", "malenkov", "molotov", "kaganovich"}
    assert "bulganin" not in {e["key"] for e in report["linked"]}


def test_validate_a_file_reports_focus_path_message(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('<https://example.org/p> a <http://xmlns.com/foaf/0.1/Person> ; '
                   '<http://www.w3.org/2000/01/rdf-schema#label> "P"@en .\n')
    res = CliRunner().invoke(main, ["validate", str(bad)])
    assert res.exit_code == 1
    assert "Violation: https://example.org/p | path http://www.w3.org/2000/01/rdf-schema#label" in res.output


def test_build_fails_on_a_violation_with_a_readable_report(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, facts)
    text = (facts / "persons.yaml").read_text().replace(", ru: \"Никита Сергеевич Хрущёв\"", "")
    (facts / "persons.yaml").write_text(text)
    res = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), "--facts", str(facts)])
    assert res.exit_code == 1
    assert "person/khrushchev" in res.output and "Russian" in res.output and "sentence s01" in res.output
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_build_rejects_a_citation_of_a_missing_sentence(tmp_path):
    facts = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, facts)
    text = (facts / "claims.yaml").read_text().replace("cites: [s27]", "cites: [s99]")
    (facts / "claims.yaml").write_text(text)
    res = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), "--facts", str(facts)])
    assert res.exit_code == 1 and "unknown sentence 's99'" in res.output
