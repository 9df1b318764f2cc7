"""Comunica, a SPARQL engine nobody here wrote (npm ``@comunica/query-sparql-file``, pinned in
tests/comunica/package.json and installed by the set-up), answers competency queries over the server's Triple
Pattern Fragments interface alone, and a federated query over the fragments and a local Turtle file; every
answer equals the SPARQL endpoint's.

Comunica finds the interface by itself: it is given ``{server}/fragments`` only, reads the ``hydra:search``
controls there, and asks fragment after fragment (following ``hydra:next``), planning its joins by the counts.
The queries are those of queries/*.rq that touch only the default graph (TPF serves no named graphs).
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import requests
from sparqlhttp import rows_from_response

from kg.resources import queries_dir

pytestmark = pytest.mark.comunica

RUNNER = Path(__file__).resolve().parents[1] / "comunica" / "run.mjs"
ENGINE = RUNNER.parent / "node_modules" / "@comunica" / "query-sparql-file"
QUERIES = ("01-core-members", "02-removal-vote", "03-expelled-from-cc", "04-plenum-dates", "06-changed-sides",
           "07-persons-wikidata", "09-zhukov-aircraft-sentence", "11-group-names", "12-finland-visit")
# Federated: the class partitions of the VoID description (a local file, dist/metadata.ttl: the metadata
# graph, which is not in the default graph) joined with the classes' English labels (the ontology, via TPF).
FEDERATED = """PREFIX void: <http://rdfs.org/ns/void#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class ?label ?n WHERE {
  ?partition void:class ?class ; void:entities ?n .
  ?class rdfs:label ?label .
  FILTER (lang(?label) = "en")
}"""


@pytest.fixture(scope="module")
def comunica(server, dist):
    """Every query run by Comunica in one Node process: {name: SPARQL JSON results}."""
    node = shutil.which("node")
    if node is None or not ENGINE.is_dir():
        message = "Comunica not installed (needs node and npm: make setup installs tests/comunica)"
        if os.environ.get("APG_REQUIRE_COMUNICA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    fragments = server.url + "/fragments"
    jobs = [{"name": name, "query": (queries_dir() / f"{name}.rq").read_text(encoding="utf-8"),
             "sources": [fragments]} for name in QUERIES]
    jobs.append({"name": "federated", "query": FEDERATED, "sources": [fragments, str(dist / "metadata.ttl")]})
    done = subprocess.run([node, str(RUNNER)], input=json.dumps(jobs).encode(), capture_output=True,
                          timeout=300, cwd=RUNNER.parent, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return json.loads(done.stdout)


def _endpoint(server, query: str, default_graphs=()) -> requests.Response:
    params = [("query", query), *(("default-graph-uri", g) for g in default_graphs)]
    resp = requests.get(server.endpoint, params=params, headers={"Accept": "application/sparql-results+json"},
                        timeout=30)
    assert resp.status_code == 200, resp.text
    return resp


def _same(got: dict, expected: requests.Response):
    assert "error" not in got, got["error"]
    variables = expected.json()["head"]["vars"]
    assert set(got["head"]["vars"]) == set(variables)
    ours = rows_from_response(expected.content, "json", variables)
    theirs = rows_from_response(json.dumps(got).encode(), "json", variables)
    assert ours, "the endpoint's answer is empty: nothing is compared"
    assert theirs == ours


@pytest.mark.parametrize("name", QUERIES)
def test_comunica_over_fragments_answers_as_the_endpoint(comunica, server, name):
    query = (queries_dir() / f"{name}.rq").read_text(encoding="utf-8")
    _same(comunica[name], _endpoint(server, query))
    assert comunica[name].get("metadata", {}).get("httpRequests", 0) > 1  # it did walk the fragments


def test_comunica_federates_fragments_and_a_local_file(comunica, server, oracle):
    # The same question to the endpoint: its default graph made the union of the same three graphs.
    graphs = [oracle.graphs[name].value for name in ("data", "ontology", "metadata")]
    _same(comunica["federated"], _endpoint(server, FEDERATED, graphs))
