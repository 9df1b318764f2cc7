"""Query results for browsers: a browser opening ``/sparql?query=…`` gets an HTML table of the same answer the
machine formats give (server/site/results.py), linked to those formats; programs keep getting what they ask
for. The page is well-formed XML, so the tests read it as a tree and compare it with the JSON / N-Triples
answer of the same query."""
import gzip
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import pyoxigraph as ox
import pytest
import requests

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
XHTML = "{http://www.w3.org/1999/xhtml}"
BASE = "https://w3id.org/apg-kg/"
PERSONS = """SELECT ?person ?name WHERE { ?person a foaf:Person ; rdfs:label ?name
    FILTER(lang(?name) = "en") } ORDER BY ?person"""
VOTERS = """CONSTRUCT { ?vote opengov:voter ?who } WHERE {
    <https://w3id.org/apg-kg/id/vote/removal-vote-1957-06> opengov:vote ?vote . ?vote opengov:voter ?who }"""


def browse(server, query, **params):
    r = requests.get(server.endpoint, params={"query": query, **params}, headers={"Accept": BROWSER},
                     timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    return r, ET.fromstring(r.content)


def table(tree):
    """The results table: header names and, per row, per cell the (href, text of the cell)."""
    t = tree.find(f".//{XHTML}table[@id='results']")
    head = ["".join(th.itertext()) for th in t.iter(f"{XHTML}th")]
    rows = []
    for tr in t.find(f"{XHTML}tbody").iter(f"{XHTML}tr"):
        cells = []
        for td in tr.iter(f"{XHTML}td"):
            a = td.find(f"{XHTML}a")
            cells.append((a.get("href") if a is not None else None, "".join(td.itertext())))
        rows.append(cells)
    return head, rows


def test_a_select_is_a_table_of_the_same_answer(server):
    _, tree = browse(server, PERSONS)
    head, rows = table(tree)
    assert head == ["?person", "?name"]
    answer = requests.get(server.endpoint, params={"query": PERSONS, "format": "json"}, timeout=30).json()
    bindings = answer["results"]["bindings"]
    assert len(rows) == len(bindings) > 10
    for (person, name), b in zip(rows, bindings, strict=True):
        # an IRI under the dataset's base links to this server's page; a literal keeps its language
        assert person[0] == "/" + b["person"]["value"][len(BASE):]
        assert name[1] == f'{b["name"]["value"]} @en'


def test_result_iris_lead_to_pages_of_this_server(server):
    _, tree = browse(server, PERSONS + " LIMIT 1")
    href = table(tree)[1][0][0][0]
    page = requests.get(urljoin(server.url, href), headers={"Accept": BROWSER}, timeout=30)
    assert page.status_code == 200 and page.url.startswith(server.url + "/doc/person/")


def test_a_literal_shows_its_datatype_and_an_outside_iri_stays_outside(server):
    q = """SELECT ?d ?same WHERE { <https://w3id.org/apg-kg/id/event/cc-plenum-1957-06> schema:startDate ?d .
        OPTIONAL { <https://w3id.org/apg-kg/id/person/khrushchev> owl:sameAs ?same } } LIMIT 1"""
    _, tree = browse(server, q)
    (date, same), = table(tree)[1]
    assert date == (None, "1957-06-22 ^^xsd:date")
    assert same[0].startswith(("http://www.wikidata.org/entity/", "http://dbpedia.org/resource/"))


def test_ask_is_a_yes_or_no(server):
    _, tree = browse(server, "ASK { ?s a foaf:Person }")
    assert "true" in "".join(tree.find(f".//{XHTML}p[@id='results-boolean']").itertext())
    _, tree = browse(server, "ASK { ?s a <urn:nothing> }")
    assert "false" in "".join(tree.find(f".//{XHTML}p[@id='results-boolean']").itertext())


def test_construct_is_a_table_of_its_triples(server):
    _, tree = browse(server, VOTERS)
    head, rows = table(tree)
    assert len(head) == 3
    nt = requests.get(server.endpoint, params={"query": VOTERS, "format": "nt"}, timeout=30)
    triples = {(t.subject.value, t.predicate.value, t.object.value)
               for t in ox.parse(nt.content, format=ox.RdfFormat.N_TRIPLES)}
    assert len(triples) == 4
    assert {(s[0], o[0]) for s, _, o in rows} == {("/" + s[len(BASE):], "/" + o[len(BASE):])
                                                 for s, _, o in triples}


@pytest.mark.parametrize("query, formats", [
    (PERSONS, {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
               "csv": "text/csv", "tsv": "text/tab-separated-values"}),
    (VOTERS, {"ttl": "text/turtle", "nt": "application/n-triples", "jsonld": "application/ld+json",
              "rdf": "application/rdf+xml"}),
])
def test_the_page_links_the_same_answer_in_the_machine_formats(server, query, formats):
    _, tree = browse(server, query)
    links = {a.get("data-format"): a.get("href") for a in tree.iter(f"{XHTML}a") if a.get("data-format")}
    assert set(links) == set(formats)
    for name, media_type in formats.items():
        r = requests.get(urljoin(server.url, links[name]), headers={"Accept": BROWSER}, timeout=30)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    editor = tree.find(f".//{XHTML}a[@id='results-editor']").get("href")
    page = requests.get(urljoin(server.url, editor), headers={"Accept": BROWSER}, timeout=30)
    assert "<h1>SPARQL query</h1>" in page.text


@pytest.mark.parametrize("accept", [
    None,  # no Accept
    "*/*",  # curl
    # SPARQLWrapper
    "application/sparql-results+json,application/json,text/javascript,application/javascript",
    "application/sparql-results+xml, text/html;q=0.5",
    "application/sparql-results+json;q=0.9, text/html",  # names a SPARQL type: a program
    "image/png, text/html;q=0.9",  # text/html is not its first choice (406, as before)
])
def test_programs_keep_getting_what_they_ask_for(server, accept):
    headers = {"Accept": accept} if accept else {}
    r = requests.get(server.endpoint, params={"query": "ASK {}"}, headers=headers, timeout=30)
    assert not r.headers["Content-Type"].startswith("text/html"), (accept, r.headers["Content-Type"])


def test_the_page_is_cacheable_and_compressed_like_every_answer(server):
    r, _ = browse(server, PERSONS)
    etag = r.headers["ETag"]
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in r.headers["Vary"].split(",")}
    again = requests.get(server.endpoint, params={"query": PERSONS},
                         headers={"Accept": BROWSER, "If-None-Match": etag}, timeout=30)
    assert again.status_code == 304
    raw = requests.get(server.endpoint, params={"query": PERSONS},
                       headers={"Accept": BROWSER, "Accept-Encoding": "gzip"}, timeout=30, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw.raw.read()) == r.content
    json_etag = requests.get(server.endpoint, params={"query": PERSONS, "format": "json"}, timeout=30)
    assert json_etag.headers["ETag"] != etag


def test_the_page_speaks_the_asked_language(server):
    r, _ = browse(server, PERSONS, lang="lv")
    assert '<html lang="lv"' in r.text and "Vaicājuma rezultāti" in r.text
    ru = requests.get(server.endpoint, params={"query": PERSONS},
                      headers={"Accept": BROWSER, "Accept-Language": "ru"}, timeout=30)
    assert "Результаты запроса" in ru.text


def test_a_bad_query_is_still_a_one_line_error(server):
    r = requests.get(server.endpoint, params={"query": "SELECT * WHERE {"}, headers={"Accept": BROWSER},
                     timeout=30)
    assert r.status_code == 400 and r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "syntax error" in r.text
