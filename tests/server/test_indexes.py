"""The index pages (``/index``, ``/index/{kind}``, server/site/indexes.py) against the real server: every
resource of a kind (compared with a SPARQL count over the build written here, not the page's query), events
in date order with undated ones last, the source's sentences s01..r2 in order with their statements, 404 for
an unknown kind, the page language, caching, the header, landing and sitemap links."""
import re
from html.parser import HTMLParser

import pytest
import requests

from server.store import OxigraphStore

BASE = "https://w3id.org/apg-kg/"
KINDS = {"persons": "http://xmlns.com/foaf/0.1/Person", "organisations": "http://www.w3.org/ns/org#Organization",
         "sessions": BASE + "ontology#Session", "votes": "http://www.w3.org/ns/opengov#VoteEvent",
         "decisions": BASE + "ontology#Decision", "events": BASE + "ontology#Event"}
PREFIXES = ("PREFIX apg: <https://w3id.org/apg-kg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#>\n"
            "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n")


@pytest.fixture(scope="module")
def oracle(dist):
    return OxigraphStore(dist)


def _get(server, path, **headers):
    return requests.get(server.url + path, headers={"Accept": "text/html", **headers}, timeout=60)


class _Rows(HTMLParser):
    """The links (href) inside the element with id ``target``, grouped per row (<tr>, <li>, <section>)."""

    def __init__(self, target: str):
        super().__init__()
        self.target, self.depth, self.rows = target, 0, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            self.depth += tag not in ("br", "input", "meta", "link")
            if tag in ("tr", "li", "section"):
                self.rows.append([])
            if tag == "a" and self.rows:
                self.rows[-1].append(a["href"])
        elif a.get("id") == self.target:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


def _rows(html: str, target: str) -> list[list[str]]:
    p = _Rows(target)
    p.feed(html)
    return [row for row in p.rows if row]


def _members(oracle, cls: str) -> set[str]:
    rows = oracle.query(PREFIXES + f"SELECT DISTINCT ?x WHERE {{ ?x rdf:type/rdfs:subClassOf* <{cls}> "
                                   "FILTER(isIRI(?x)) }")
    return {"/" + row["x"].value[len(BASE):] for row in rows}


@pytest.mark.parametrize("slug", KINDS)
def test_each_index_lists_every_resource_of_its_kind(server, oracle, slug):
    resp = _get(server, f"/index/{slug}")
    assert resp.status_code == 200
    target = "index-events" if slug == "events" else "index-items"
    firsts = [row[0] for row in _rows(resp.text, target)]  # a row's first link: the resource
    expected = _members(oracle, KINDS[slug])
    assert len(expected) > 1
    assert len(firsts) == len(expected) and set(firsts) == expected


def test_events_in_date_order_undated_last(server, oracle):
    html = _get(server, "/index/events").text
    table = html[html.index('id="index-events"'):]
    rows = re.findall(r'<tr class="(dated|undated)">(.*?)</tr>', table, re.S)
    kinds = [k for k, _ in rows]
    assert "undated" in kinds and kinds == sorted(kinds)  # "dated" < "undated": every undated one after
    bounds = [re.findall(r'<td class="date">([^<]*)</td>', cells)[-1] for k, cells in rows if k == "dated"]
    starts = [b.split(" – ")[0] for b in bounds]
    assert starts == sorted(starts) and all(re.fullmatch(r"\d{4}-\d\d-\d\d", s) for s in starts)
    earliest = min(r["b"].value for r in oracle.query(PREFIXES + "SELECT ?b WHERE { ?x a apg:Event ; "
                                                                 "apg:notBefore ?b }"))
    assert starts[0] == earliest
    assert all('class="muted undated"' in cells for k, cells in rows if k == "undated")
    # dates at their precision: a month- or year-only date says so; a speech act is dated by its session
    assert "known to the month only" in table or "known to the year only" in table
    speech = next(cells for _, cells in rows if "/id/speech/molotov-plenum-speech" in cells)
    assert "date of" in speech and "/id/event/cc-plenum-1957-06" in speech


def test_sentences_in_order_with_their_statements(server, oracle):
    html = _get(server, "/index/sentences").text
    html = html[:html.index('<aside id="cite">')]
    ids = re.findall(r'<section class="sentence" id="([a-z]+\d+)">', html)
    assert ids == [f"s{i:02d}" for i in range(1, 50)] + ["r1", "r2"]
    sections = dict(zip(ids, re.split(r'<section class="sentence" id="[a-z]+\d+">', html)[1:], strict=True))
    graph = oracle.manifest["graphs"]["provenance"]["iri"]
    counts = {row["sid"].value: int(row["n"].value) for row in oracle.query(
        PREFIXES + f"SELECT ?sid (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?st rdf:subject ?s ; "
        "oa:hasTarget ?w . ?w oa:hasSource ?sentence ; oa:hasSelector ?q . ?q oa:exact ?e . "
        "?st prov:wasDerivedFrom ?sentence } ?sentence apg:sentenceId ?sid } GROUP BY ?sid")}
    assert sum(counts.values()) > 100
    for sid, body in sections.items():
        assert re.search(r'<blockquote class="source" lang="(lv|ru)"><p>\S', body), sid  # r2 cites Russian
        assert body.count("<tr><td>") == counts.get(sid, 0), sid
    assert 'class="translation"' in sections["s17"]  # the English translation, as on the sentence page
    assert "/id/vote/chair-vote-1957-06" in sections["s17"]  # a statement's subject, linked


def test_the_kinds_page_and_unknown_kinds(server):
    html = _get(server, "/index").text
    assert [row[0] for row in _rows(html, "index-kinds")] == [
        f"/index/{s}" for s in ("persons", "organisations", "sessions", "votes", "decisions", "events",
                                "sentences")]
    for path in ("/index/nope", "/index/person", "/index/persons/x", "/index/%3Cscript%3E"):
        resp = _get(server, path)
        assert resp.status_code == 404, path
        assert "<script>" not in resp.text


def test_page_language_and_caching(server):
    resp = _get(server, "/index/persons?lang=ru")
    assert resp.status_code == 200 and '<html lang="ru"' in resp.text
    assert "<h1>Лица</h1>" in resp.text and ">Указатель</a>" in resp.text
    assert 'href="/id/person/khrushchev?lang=ru"' in resp.text
    assert ">Rādītājs</a>" in _get(server, "/index/events?lang=lv").text
    etag = resp.headers["ETag"]
    assert "public" in resp.headers["Cache-Control"]
    assert _get(server, "/index/persons?lang=ru", **{"If-None-Match": etag}).status_code == 304
    assert _get(server, "/index/persons?lang=en").headers["ETag"] != etag


def test_linked_from_header_landing_and_sitemap(server):
    landing = _get(server, "/").text
    assert '<a id="nav-index" href="/index">' in landing
    for slug in [*KINDS, "sentences"]:  # the browse section's "full list" of each
        assert f'href="/index/{slug}"' in landing, slug
    assert '<a id="nav-index" href="/index?lang=lv">' in _get(server, "/id/person/khrushchev?lang=lv").text
    sitemap = requests.get(server.url + "/sitemap.xml", timeout=30).text
    for slug in [*KINDS, "sentences"]:
        assert f"{server.url}/index/{slug}</loc>" in sitemap
