"""The Reconciliation Service API 0.2 at /reconcile (server/site/reconcile.py), over HTTP against the real
server, as OpenRefine calls it: every kind of answer is validated against the API's JSON Schemas (Draft 7,
tests/fixtures/reconciliation-api-0.2/schemas/), and the names people write find the right entity.

The table of queries and their expected top match (``TABLE``: query, type, expected entity, whether it must
be a ``match``) is the reconciliation test table of the README."""
import json
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import requests
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).resolve().parent.parent / "fixtures" / "reconciliation-api-0.2" / "schemas"
ID = "https://w3id.org/apg-kg/id/"

# query -> expected top match: Latvian, English, Russian Cyrillic (with and without ё), transliterations,
# German and French spellings, initials, surname only, misspellings; with and without a type.
TABLE = [
    ("Хрущёв", None, "person/khrushchev", True),
    ("Хрущев", "foaf:Person", "person/khrushchev", True),
    ("Hruščovs", None, "person/khrushchev", True),
    ("N. S. Khrushchev", None, "person/khrushchev", True),
    ("Khrushchev, Nikita", "person", "person/khrushchev", True),
    ("Chruschtschow", None, "person/khrushchev", True),
    ("Khrouchtchev", "person", "person/khrushchev", True),
    ("Hrushchev", "person", "person/khrushchev", True),
    ("Molotow", None, "person/molotov", True),
    ("W. M. Molotow", "person", "person/molotov", True),
    ("Boulganine", "person", "person/bulganin", True),
    ("Bulgaņins", None, "person/bulganin", True),
    ("Malenkow", "person", "person/malenkov", True),
    ("G. M. Malenkov", None, "person/malenkov", True),
    ("Kaganowitsch", "person", "person/kaganovich", True),
    ("Woroschilow", "person", "person/voroshilov", True),
    ("Mikojans", None, "person/mikoyan", True),
    ("Микоян", "person", "person/mikoyan", True),
    ("Schepilow", "person", "person/shepilov", True),
    ("Perwuchin", "person", "person/pervukhin", False),
    ("Schukow", "person", "person/zhukov", True),
    ("Breschnew", "person", "person/brezhnev", True),
    ("Kyrychenko", "person", "person/kirichenko", True),
    ("Presidium", None, "organization/presidium", True),
    ("Президиум ЦК КПСС", "org:Organization", "organization/presidium", True),
    ("ЦК КПСС", "org:Organization", "organization/central-committee", True),
    ("PSKP", None, "organization/cpsu", True),
    ("Maskava", "place", "place/moscow", True),
    ("Москва", None, "place/moscow", True),
    ("Ungārija", None, "place/hungary", True),
    ("First Secretary", "org:Post", "post/first-secretary", True),
    ("Central Committee plenum", "apg:Event", "event/cc-plenum-1957-06", False),
]
# What the scores were when the table was made (README, "Reconciliation"); the test checks the top match and
# ``match``, and that a match scores at least the service's MATCH threshold.


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def validate():
    """validate(kind, document): raises when the document does not follow the API's schema ``kind``."""
    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        resources.append((doc["$id"], Resource.from_contents(doc, default_specification=DRAFT7)))
    registry = Registry().with_resources(resources)

    def check(kind: str, doc) -> None:
        schema = _schema(kind)
        Draft7Validator.check_schema(schema)
        errors = sorted(Draft7Validator(schema, registry=registry).iter_errors(doc), key=str)
        assert not errors, f"{kind}: {errors[0].message} at {list(errors[0].absolute_path)}"
    return check


def test_the_validator_wiring_rejects_what_the_schemas_reject(validate):
    """The examples shipped with the schemas: a valid manifest passes, invalid ones fail (so the wiring,
    $refs included, really checks)."""
    validate("manifest", {"versions": ["0.2"], "name": "x", "identifierSpace": "a", "schemaSpace": "b",
                          "defaultTypes": [{"id": "t", "name": "T"}]})
    with pytest.raises(AssertionError):
        validate("manifest", {"versions": ["0.1"], "name": "x", "identifierSpace": "a", "schemaSpace": "b"})
    with pytest.raises(AssertionError):  # type.json, through its $ref
        validate("manifest", {"versions": ["0.2"], "name": "x", "identifierSpace": "a", "schemaSpace": "b",
                              "defaultTypes": [{"id": "t"}]})
    with pytest.raises(AssertionError):
        validate("data-extension-response", {"meta": [], "rows": {"x": {"p": [{"date": "1957-06"}]}}})


@pytest.fixture(scope="module")
def manifest(server, validate):
    r = requests.get(server.url + "/reconcile", timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json")
    doc = r.json()
    validate("manifest", doc)
    return doc


def _url(service: dict, path_key: str = "service_path") -> str:
    return service["service_url"] + service[path_key]


def test_manifest(manifest, server):
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == ID
    assert manifest["schemaSpace"] == "https://w3id.org/apg-kg/ontology#"
    assert {t["id"] for t in manifest["defaultTypes"]} >= {
        "http://xmlns.com/foaf/0.1/Person", "http://www.w3.org/ns/org#Organization",
        "http://www.w3.org/ns/org#Post", "https://w3id.org/apg-kg/ontology#Event",
        "http://www.w3.org/ns/prov#Location"}
    for url in (manifest["view"]["url"], manifest["preview"]["url"]):
        assert url.startswith(server.url + "/") and "{{id}}" in url
    assert set(manifest["suggest"]) == {"entity", "type", "property"}
    assert manifest["extend"]["propose_properties"]["service_url"] == server.url
    assert r"Access-Control-Allow-Origin" in requests.get(server.url + "/reconcile", timeout=10).headers


def _post(server, queries: dict) -> dict:
    r = requests.post(server.url + "/reconcile", data={"queries": json.dumps(queries)}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


@pytest.fixture(scope="module")
def table_results(server, validate):
    """The whole table as one batch, as OpenRefine sends it (POST, form field ``queries``, types as
    strings, a limit)."""
    batch = {f"q{i}": {"query": q, "limit": 5, **({"type": t, "type_strict": "should"} if t else {})}
             for i, (q, t, _, _) in enumerate(TABLE)}
    doc = _post(server, batch)
    validate("reconciliation-result-batch", doc)
    return doc


@pytest.mark.parametrize("i", range(len(TABLE)), ids=[f"{q}->{e}" for q, _, e, _ in TABLE])
def test_table_top_match(table_results, i):
    query, type_, expected, must_match = TABLE[i]
    result = table_results[f"q{i}"]["result"]
    assert result, f"no candidate for {query!r}"
    top = result[0]
    assert top["id"] == ID + expected, (query, [(c["id"], c["score"]) for c in result[:3]])
    assert all(a["score"] >= b["score"] for a, b in zip(result, result[1:], strict=False))  # sorted by score
    if must_match:
        assert top["match"] is True and top["score"] >= 90, (query, top["score"])
    assert [c for c in result if c["match"]] in ([], [top])  # at most one match, the top
    features = {f["id"]: f["value"] for f in top["features"]}
    assert features["name"] == top["score"]
    if type_:
        assert features["type"] is True


def test_ambiguous_first_name_is_no_match(server):
    """Two Mikhails (Suslov, Pervukhin): both are candidates, neither is a match."""
    result = _post(server, {"q": {"query": "Mikhail", "type": "foaf:Person"}})["q"]["result"]
    assert {c["id"] for c in result[:2]} == {ID + "person/suslov", ID + "person/pervukhin"}
    assert not any(c["match"] for c in result)


def test_an_iri_as_query_finds_its_entity(server):
    result = _post(server, {"q": {"query": ID + "person/saburov"}})["q"]["result"]
    assert result[0]["id"] == ID + "person/saburov" and result[0]["match"]


def test_types_filter_and_candidates_carry_their_types(server):
    result = _post(server, {"q": {"query": "Bulganin", "type": "http://www.w3.org/ns/prov#Location"}})["q"]
    assert [c["id"] for c in result["result"]][:1] == [ID + "place/bulganin-office"]
    person = _post(server, {"q": {"query": "Bulganin"}})["q"]["result"][0]
    assert {"id": "http://xmlns.com/foaf/0.1/Person", "name": "person"} in person["type"]
    assert "Bulgaņins" in person["description"]


def test_type_strict_all_needs_every_type(server):
    both = ["apg:Event", "apg:Session"]
    any_ = _post(server, {"q": {"query": "Presidium", "type": both}})["q"]["result"]
    all_ = _post(server, {"q": {"query": "Presidium", "type": both, "type_strict": "all"}})["q"]["result"]
    assert {c["id"] for c in all_} < {c["id"] for c in any_}
    assert all(any(t["id"].endswith("#Session") for t in c["type"]) for c in all_)


def test_property_constraints(server, validate):
    """A property narrows the candidates: a Wikidata item alone finds its entity; a wrong one lowers the
    score; a date of an event fits by its precision."""
    batch = {
        "wd": {"properties": [{"pid": "wikidata", "v": "Q35314"}], "type": "person"},
        "both": {"query": "Khrushchev", "properties": [{"pid": "wikidata", "v": "Q35314"}]},
        "wrong": {"query": "Khrushchev", "type": "person", "properties": [{"pid": "wikidata", "v": "Q1"}]},
        "post": {"query": "Kaganovich", "properties": [{"pid": "posts", "v": "First Deputy Premier"}]},
        "date": {"query": "plenum", "type": "apg:Session", "properties": [{"pid": "start", "v": "1957-06"}]},
        "entity": {"query": "Molotov", "properties": [
            {"pid": "memberships", "v": [{"id": ID + "organization/presidium", "name": "Presidium"}]}]},
    }
    doc = _post(server, batch)
    validate("reconciliation-result-batch", doc)
    assert doc["wd"]["result"][0]["id"] == ID + "person/khrushchev" and doc["wd"]["result"][0]["score"] == 100
    assert doc["both"]["result"][0]["match"]
    assert doc["wrong"]["result"][0]["score"] < doc["both"]["result"][0]["score"]
    assert not doc["wrong"]["result"][0]["match"]
    assert doc["date"]["result"][0]["id"] == ID + "event/cc-plenum-1957-06"
    features = {f["id"]: f["value"] for f in doc["date"]["result"][0]["features"]}
    assert features["property:start"] == 100
    assert doc["entity"]["result"][0]["id"] == ID + "person/molotov"


def test_get_queries_and_jsonp(server, validate):
    queries = json.dumps({"q0": {"query": "Хрущёв"}})
    r = requests.get(server.url + "/reconcile", params={"queries": queries}, timeout=10)
    assert r.status_code == 200
    validate("reconciliation-result-batch", r.json())
    assert r.json()["q0"]["result"][0]["id"] == ID + "person/khrushchev"
    r = requests.get(server.url + "/reconcile", params={"queries": queries, "callback": "jQuery123_cb"},
                     timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/javascript")
    text = r.text
    assert text.startswith("/**/jQuery123_cb(") and text.endswith(");")
    validate("reconciliation-result-batch", json.loads(text[len("/**/jQuery123_cb("):-2]))
    r = requests.get(server.url + "/reconcile", params={"callback": "cb"}, timeout=10)  # the manifest too
    validate("manifest", json.loads(r.text[len("/**/cb("):-2]))


def test_suggest_services(server, manifest, validate):
    s = manifest["suggest"]
    r = requests.get(_url(s["entity"]), params={"prefix": "Хрущ"}, timeout=10)
    validate("suggest-entities-response", r.json())
    assert r.json()["result"][0]["id"] == ID + "person/khrushchev"
    r = requests.get(_url(s["entity"]), params={"prefix": "Mikoj", "type": "person"}, timeout=10)
    assert [x["id"] for x in r.json()["result"]] == [ID + "person/mikoyan"]
    paged = requests.get(_url(s["entity"]), params={"prefix": "Molotov", "cursor": 1}, timeout=10).json()
    first = requests.get(_url(s["entity"]), params={"prefix": "Molotov"}, timeout=10).json()
    assert paged["result"][0] == first["result"][1]
    r = requests.get(_url(s["type"]), params={"prefix": "pers"}, timeout=10)
    validate("suggest-types-response", r.json())
    assert r.json()["result"][0]["id"] == "http://xmlns.com/foaf/0.1/Person"
    r = requests.get(_url(s["property"]), params={"prefix": "Wikidata"}, timeout=10)
    validate("suggest-properties-response", r.json())
    assert r.json()["result"][0]["id"] == "wikidata"
    # the entity suggest's flyout
    flyout = s["entity"]["service_url"] + s["entity"]["flyout_service_path"].replace(
        "${id}", quote(ID + "person/molotov", safe=""))
    r = requests.get(flyout, timeout=10)
    assert r.status_code == 200 and set(r.json()) == {"id", "html"}
    assert r.json()["id"] == ID + "person/molotov" and "Q" in r.json()["html"]


def test_preview_and_view(server, manifest):
    iri = ID + "person/khrushchev"
    r = requests.get(manifest["preview"]["url"].replace("{{id}}", quote(iri, safe="")), timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    assert "Nikita Khrushchev" in r.text and "Хрущёв" in r.text and "Q35314" in r.text
    r = requests.get(manifest["view"]["url"].replace("{{id}}", quote(iri, safe="")), timeout=10,
                     allow_redirects=False)
    assert r.status_code == 303 and urlsplit(r.headers["Location"]).path == "/id/person/khrushchev"
    page = requests.get(manifest["view"]["url"].replace("{{id}}", quote(iri, safe="")), timeout=10)
    assert page.status_code == 200 and "Khrushchev" in page.text
    nobody = manifest["preview"]["url"].replace("{{id}}", quote(ID + "person/nobody"))
    missing = requests.get(nobody, timeout=10)
    assert missing.status_code == 404


def test_data_extension(server, manifest, validate):
    """OpenRefine's "add columns from reconciled values": propose properties for persons, then extend with
    dates, posts, memberships and the Wikidata item (POST form field ``extend``, settings as strings)."""
    ext = manifest["extend"]["propose_properties"]
    r = requests.get(ext["service_url"] + ext["service_path"],
                     params={"type": "http://xmlns.com/foaf/0.1/Person", "limit": 6}, timeout=10)
    validate("data-extension-property-proposal", r.json())
    proposed = [p["id"] for p in r.json()["properties"]]
    assert len(proposed) == 6 and {"wikidata", "posts", "memberships"} <= set(proposed)
    ids = [ID + "person/khrushchev", ID + "person/molotov", ID + "event/cc-plenum-1957-06"]
    query = {"ids": ids, "properties": [{"id": "wikidata"}, {"id": "posts"}, {"id": "post_periods"},
                                        {"id": "memberships", "settings": {"limit": "1"}},
                                        {"id": "start"}, {"id": "end"}, {"id": "schema:startDate"}]}
    validate("data-extension-query", query)
    r = requests.post(server.url + "/reconcile", data={"extend": json.dumps(query)}, timeout=30)
    assert r.status_code == 200, r.text
    doc = r.json()
    validate("data-extension-response", doc)
    assert [m["id"] for m in doc["meta"]] == [p["id"] for p in query["properties"]]
    rows = doc["rows"]
    assert rows[ids[0]]["wikidata"] == [{"str": "http://www.wikidata.org/entity/Q35314"}]
    molotov_posts = {v["id"] for v in rows[ids[1]]["posts"]}
    assert ID + "post/minister-foreign-affairs" in molotov_posts
    assert len(rows[ids[1]]["memberships"]) == 1
    assert any("(" in v["str"] for v in rows[ids[1]]["post_periods"])  # a post with its dates
    assert rows[ids[2]]["start"] == [{"date": "1957-06-22T00:00:00Z"}]
    assert rows[ids[2]]["schema:startDate"] == rows[ids[2]]["start"]
    assert rows[ids[0]]["start"] == []
    # GET works too
    r = requests.get(server.url + "/reconcile", params={"extend": json.dumps(query)}, timeout=30)
    assert r.json() == doc


def test_dates_keep_their_precision(server, validate):
    """A month (xsd:gYearMonth) is no day: it stays the string the graph has."""
    query = {"ids": [ID + "event/polish-crisis-talks-1956", ID + "person/molotov"],
             "properties": [{"id": "start"}, {"id": "post_periods"}]}
    doc = requests.post(server.url + "/reconcile", data={"extend": json.dumps(query)}, timeout=30).json()
    validate("data-extension-response", doc)
    starts = doc["rows"][query["ids"][0]]["start"]
    assert starts and all(set(v) == {"str"} and len(v["str"]) == 7 for v in starts), starts


@pytest.mark.parametrize("params, why", [
    ({"queries": "{not json"}, "not JSON"),
    ({"queries": "[1, 2]"}, "JSON object"),
    ({"queries": json.dumps({"q": "Molotov"})}, "not an object"),
    ({"queries": json.dumps({"q": {"query": ""}})}, "non-empty query"),
    ({"queries": json.dumps({"q": {"query": "x", "limit": 0}})}, "limit"),
    ({"queries": json.dumps({"q": {"query": "x", "limit": "5"}})}, "limit"),
    ({"queries": '{"q": {"query": "x", "limit": 1e999}}'}, "limit"),
    ({"queries": '{"q": {"query": "x", "limit": NaN}}'}, "limit"),
    ({"queries": json.dumps({"q": {"query": "x", "type": "foaf:Nothing"}})}, "unknown type"),
    ({"queries": json.dumps({"q": {"query": "x", "type": 7}})}, "type"),
    ({"queries": json.dumps({"q": {"query": "x", "properties": [{"pid": "nope", "v": "1"}]}})}, "property"),
    ({"queries": json.dumps({"q": {"query": "x", "properties": [{"v": "1"}]}})}, "properties"),
    ({"queries": json.dumps({"q": {"query": "x", "colour": "red"}})}, "unknown field"),
    ({"queries": json.dumps({"q": {"query": "x", "type_strict": "maybe"}})}, "type_strict"),
    ({"queries": json.dumps({"q": {"query": "x"}}), "callback": "alert(1)//"}, "callback"),
    ({"extend": "{}"}, "ids"),
    ({"extend": json.dumps({"ids": [ID + "person/molotov"], "properties": [{"id": "nope"}]})}, "property"),
    ({"extend": json.dumps({"ids": ["x"], "properties": [{"id": "posts", "settings": {"limit": "many"}}]})},
     "limit"),
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_bad_input_is_a_400_with_one_line(server, params, why, method):
    if method == "GET":
        r = requests.get(server.url + "/reconcile", params=params, timeout=10)
    else:
        r = requests.post(server.url + "/reconcile", data=params, timeout=10)
    assert r.status_code == 400, r.text
    assert r.headers["Content-Type"].startswith("text/plain")
    assert r.text.count("\n") == 1 and why in r.text, r.text


def test_deeply_nested_json_is_a_400(server):
    r = requests.post(server.url + "/reconcile", data={"queries": "[" * 5000 + "]" * 5000}, timeout=10)
    assert r.status_code == 400 and "nested" in r.text and r.text.count("\n") == 1, r.text


def test_too_large_a_batch_is_a_413(server, manifest):
    batch = {f"q{i}": {"query": "Molotov"} for i in range(manifest["batchSize"] + 1)}
    r = requests.post(server.url + "/reconcile", data={"queries": json.dumps(batch)}, timeout=30)
    assert r.status_code == 413 and r.text.count("\n") == 1
    extend = {"ids": [f"{ID}person/x{i}" for i in range(101)], "properties": [{"id": "posts"}]}
    r = requests.post(server.url + "/reconcile", data={"extend": json.dumps(extend)}, timeout=30)
    assert r.status_code == 413 and r.text.count("\n") == 1


@pytest.mark.parametrize("path", [
    "/reconcile/suggest/entity?cursor=-1&prefix=x", "/reconcile/suggest/entity?cursor=x&prefix=x",
    "/reconcile/suggest/entity?prefix=" + "x" * 201, "/reconcile/suggest/entity?prefix=x&type=nothing",
    "/reconcile/properties", "/reconcile/properties?type=nothing",
    "/reconcile/properties?type=person&limit=x",
    "/reconcile/preview", "/reconcile/flyout/entity",
])
def test_bad_suggest_preview_and_proposal_input(server, path):
    r = requests.get(server.url + path, timeout=10)
    assert r.status_code == 400 and r.text.count("\n") == 1, (path, r.status_code, r.text)
