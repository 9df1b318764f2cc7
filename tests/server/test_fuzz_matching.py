"""Generated input for search and reconciliation (server/site/search.py, reconcile.py): any text, any JSON in
a batch or an extension, any suggest prefix gets an answer or a one-line 4xx, never a 5xx."""
import json

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.fuzz

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["Хрущёв", "N. S.", '"', "*", "NEAR(", "a OR b", "ЦК*", "1e999", "https://w3id.org/apg-kg/id/person/molotov"])
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | TEXT,
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
                    max_leaves=12)
QUERY = st.fixed_dictionaries({}, optional={
    "query": TEXT | JSON, "type": st.sampled_from(["person", "foaf:Person", "nothing", ""]) | JSON,
    "limit": st.integers(-2, 200) | JSON, "type_strict": st.sampled_from(["any", "all", "x"]),
    "properties": st.lists(st.fixed_dictionaries({"pid": st.sampled_from(["wikidata", "posts", "start",
                                                                           "schema:startDate", "x"]) | TEXT,
                                                  "v": JSON}), max_size=2) | JSON})
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))


def _ok(r: requests.Response) -> None:
    assert r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code >= 400:
        assert r.text.count("\n") == 1, r.text[:300]


@SETTINGS
@given(st.dictionaries(TEXT, QUERY | JSON, max_size=3))
def test_reconciliation_batches(server, batch):
    _ok(requests.post(server.url + "/reconcile", data={"queries": json.dumps(batch)}, timeout=30))


PROPERTY = st.fixed_dictionaries({"id": st.sampled_from(["wikidata", "posts", "start", "rdfs:label"]) | TEXT},
                                 optional={"settings": JSON})


@SETTINGS
@given(st.fixed_dictionaries({"ids": st.lists(TEXT, max_size=3) | JSON,
                              "properties": st.lists(PROPERTY, max_size=3) | JSON}) | JSON)
def test_extensions(server, query):
    _ok(requests.post(server.url + "/reconcile", data={"extend": json.dumps(query)}, timeout=30))


@SETTINGS
@given(st.sampled_from(["/search", "/search/suggest", "/reconcile/suggest/entity", "/reconcile/suggest/type",
                        "/reconcile/suggest/property", "/reconcile/preview", "/reconcile/flyout/entity",
                        "/reconcile/view", "/reconcile/properties"]),
       st.dictionaries(st.sampled_from(["q", "prefix", "cursor", "type", "id", "limit", "lang", "callback"]),
                       TEXT, max_size=4))
def test_get_parameters(server, path, params):
    _ok(requests.get(server.url + path, params=params, timeout=30))
