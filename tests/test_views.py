"""The linked-data pages without Flask: what server/site/views.py collects, what server/site/pages.py renders
from the
templates, and the SVG pictures of server/site/svg.py, all on the session build."""

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from rdflib import Namespace, URIRef
from rdflib.namespace import ORG, PROV, RDF

from server.site import corrections, pages, svg, views
from server.store import OxigraphStore

SVG = "{http://www.w3.org/2000/svg}svg"
XHTML = "{http://www.w3.org/1999/xhtml}"
VOID_ELEMENTS = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}
PAGES = {
    "person": "person/khrushchev",
    "organ": "organization/presidium",
    "session": "event/presidium-session-1957-06",
    "vote": "vote/removal-vote-1957-06",
    "decision": "decision/plenum-resolution-1957-06-29",
    "sentence": "source/lvwiki/s25",
    "sub-resource": "vote/removal-vote-1957-06/count-yes",
    "holding": "holding/molotov-foreign-minister",
}


@pytest.fixture(scope="module")
def store(dist):
    return OxigraphStore(dist)


@pytest.fixture(scope="module")
def base(store):
    return store.manifest["base"]


def iri(base, path):
    return f"{base}id/{path}"


# ---------------------------------------------------------------- collected data


def test_khrushchev(store, base):
    view = views.resource_view(store, iri(base, "person/khrushchev"), "en")
    assert view["kind"] == "person"
    assert view["label"] == "Nikita Khrushchev"
    assert {(label["lang"], label["text"]) for label in view["labels"]} >= {
        ("lv", "Ņikita Hruščovs"),
        ("ru", "Никита Сергеевич Хрущёв"),
    }
    posts = {e["title"]: e for e in view["timeline"] if e["kind"] == "post"}
    # s16: he held the chair as the Presidium session began, until the vote of s17
    assert set(posts) == {"First Secretary of the CPSU", "chair of the Presidium session of June 1957"}
    first = posts["First Secretary of the CPSU"]
    assert first["organization"]["href"] == "/id/organization/cpsu"
    assert first["sources"] == ["s01", "s03", "s25"]
    assert any(
        e["kind"] == "membership" and e["organization"]["label"].startswith("Presidium")
        for e in view["timeline"]
    )
    sites = {s["site"]: s for s in view["same_as"]}
    assert sites["Wikidata"]["iri"] == "http://www.wikidata.org/entity/Q35314"
    assert sites["DBpedia"]["iri"] == "http://dbpedia.org/resource/Nikita_Khrushchev"
    s01 = next(s for s in view["sources"] if s["id"] == "s01")
    assert s01["lang"] == "lv" and "Antipartijiskā grupa" in s01["text"]
    assert s01["sentence"]["href"] == "/id/source/lvwiki/s01"
    assert [s["position"] for s in view["sources"]] == sorted(s["position"] for s in view["sources"])
    voted = [e for e in view["events"] if "voter" in e["roles"]]
    assert [e["link"]["href"] for e in voted] == ["/id/vote/removal-vote-1957-06"]
    # statements shown in their own sections are not repeated in the property table
    shown = {row["curie"] for row in view["properties"]}
    assert not shown & {"rdf:type", "rdfs:label", "prov:wasDerivedFrom", "owl:sameAs"}
    assert any(row["curie"] == "apg:target" for row in view["incoming"])


def test_labels_follow_the_language_with_english_fallback(store, base):
    person = iri(base, "person/khrushchev")
    assert views.resource_view(store, person, "lv")["label"] == "Ņikita Hruščovs"
    assert views.resource_view(store, person, "ru")["label"] == "Никита Сергеевич Хрущёв"
    session = views.resource_view(store, iri(base, "event/presidium-session-1957-06"), "ru")
    assert session["label"] == "Presidium session of 18–21 June 1957"  # no Russian label: English
    assert session["session"]["pretext"]["lang"] == "en"
    lv = views.resource_view(store, iri(base, "event/presidium-session-1957-06"), "lv")
    assert lv["session"]["pretext"] == {
        "text": "Prezidija locekļu vizīte Ļeņingradā, lai atzīmētu pilsētas 250 gadu jubileju",
        "lang": "lv",
        "datatype": "rdf:langString",
    }
    assert (
        views.pick_lang("lv-LV") == "lv" and views.pick_lang("de") == "en" and views.pick_lang(None) == "en"
    )


def test_person_timeline_dates(store, base):
    timeline = views.person_timeline(store, iri(base, "person/molotov"), "en")
    foreign = next(e for e in timeline if e["iri"].endswith("/holding/molotov-foreign-minister"))
    # s04 says June 1955; the graph records June 1956 (correction s04-molotov-foreign-ministry-date)
    assert (foreign["end"], foreign["not_after"], foreign["not_before"]) == ("1956-06", "1956-06-30", None)
    assert foreign["ended_by"]["iri"].endswith("#Loss")
    mongolia = next(e for e in timeline if e["iri"].endswith("/holding/molotov-ambassador-mongolia"))
    assert mongolia["after"]["href"] == "/id/event/cc-plenum-1957-06"
    assert mongolia["not_before"] == "1957-06-29"
    dated = [e["not_before"] or e["not_after"] for e in timeline if e["not_before"] or e["not_after"]]
    assert dated == sorted(dated)
    assert timeline.index(foreign) < timeline.index(mongolia)


def test_presidium_session(store, base):
    view = views.resource_view(store, iri(base, "event/presidium-session-1957-06"), "en")
    assert view["kinds"][0] == "session"
    session = view["session"]
    # the chair changed during the session (s16, s17): no chair of the whole session
    assert session["chair"] == []
    assert [o["href"] for o in session["organ"]] == ["/id/organization/presidium"]
    assert (session["start"], session["end"]) == ("1957-06-18", "1957-06-21")
    assert session["agenda"] is None  # the source states no agenda, only the pretext
    assert "Leningrad" in session["pretext"]["text"]
    speech = {s["link"]["href"]: s for s in session["speech_acts"]}
    objection = speech["/id/speech/malenkov-objects-to-chair"]
    assert [p["href"] for p in objection["speakers"]] == ["/id/person/malenkov"]
    assert [p["href"] for p in objection["targets"]] == ["/id/person/khrushchev"]
    assert objection["not_before"] == "1957-06-18"
    assert [d["href"] for d in session["decisions"]] == ["/id/decision/presidium-recommendation-1957-06"]
    votes = {v["link"]["href"]: v for v in session["votes"]}
    removal = votes["/id/vote/removal-vote-1957-06"]
    counts = {c["option"]: c for c in removal["counts"]}
    assert (counts["yes"]["value"], counts["no"]["value"]) == (7, 4)
    assert {v["href"] for v in counts["no"]["voters"]} == {
        "/id/person/khrushchev",
        "/id/person/kirichenko",
        "/id/person/mikoyan",
        "/id/person/suslov",
    }
    assert counts["no"]["unnamed"] == 0 and counts["yes"]["unnamed"] == 7 and counts["yes"]["voters"] == []
    chair_vote = {c["option"]: c["value"] for c in votes["/id/vote/chair-vote-1957-06"]["counts"]}
    assert chair_vote == {"yes": 6, "no": 2}


def test_vote(store, base):
    vote = views.vote_view(store, iri(base, "vote/removal-vote-1957-06"), "lv")
    assert [c["option"] for c in vote["counts"]] == ["yes", "no"]
    assert [c["option_label"] for c in vote["counts"]] == ["par", "pret"]
    assert vote["total"] == 11 and vote["result"] == "pass"
    assert vote["session"]["href"] == "/id/event/presidium-session-1957-06"
    assert vote["decision"]["href"] == "/id/decision/presidium-recommendation-1957-06"
    assert vote["motion"]["label"].startswith("Ieteikt Centrālkomitejas plēnumam")
    view = views.resource_view(store, iri(base, "vote/removal-vote-1957-06"), "en")
    parts = {p["resource"]["href"]: p["resource"]["label"] for p in view["parts"]}
    assert parts["/id/vote/removal-vote-1957-06/count-yes"] == "yes: 7"
    assert parts["/id/vote/removal-vote-1957-06/vote-suslov"] == "Mikhail Suslov: no"
    assert [s["id"] for s in view["sources"]] == ["s25"]


def test_decision(store, base):
    decision = views.decision_view(store, iri(base, "decision/plenum-resolution-1957-06-29"), "en")
    assert decision["adopted_at"]["href"] == "/id/event/cc-plenum-1957-06"
    assert decision["date"] == "1957-06-29"
    expelled = {
        a["href"]
        for e in decision["effects"]
        if any(t["iri"].endswith("#ExpulsionFrom") for t in e["type"])
        for a in e["affects"]
    }
    assert expelled == {f"/id/person/{p}" for p in ("molotov", "malenkov", "kaganovich", "shepilov")}
    assert all(e["sources"] == ["s44"] for e in decision["effects"])


def test_sentence(store, base):
    view = views.resource_view(store, iri(base, "source/lvwiki/s25"), "en")
    assert view["kind"] == "sentence"
    sentence = view["sentence"]
    assert sentence["id"] == "s25" and sentence["position"] == 25 and sentence["lang"] == "lv"
    assert sentence["text"].startswith("Ar septiņām balsīm")
    assert sentence["previous"]["href"] == "/id/source/lvwiki/s24"
    assert sentence["next"]["href"] == "/id/source/lvwiki/s26"
    assert sentence["document"]["href"] == "/id/source/lvwiki"
    assert sentence["url"] == "https://lv.wikipedia.org/wiki/Antipartijisk%C4%81_grupa"
    derived = {d["link"]["href"] for d in sentence["derived"]}
    assert {
        "/id/vote/removal-vote-1957-06",
        "/id/vote/removal-vote-1957-06/count-no",
        "/id/holding/khrushchev-first-secretary",
    } <= derived
    assert not any(row["curie"] == "prov:wasDerivedFrom" for row in view["incoming"])
    first = views.sentence_view(store, iri(base, "source/lvwiki/s01"), "en")
    assert first["previous"] is None and first["next"]["href"] == "/id/source/lvwiki/s02"


def test_unknown_and_invalid(store, base):
    assert views.resource_view(store, iri(base, "person/nobody"), "en") is None
    with pytest.raises(ValueError):
        views.resource_view(store, iri(base, "person/a b>"), "en")
    with pytest.raises(ValueError):
        views.resource_view(store, "not an iri", "en")


def test_local_path(base):
    assert views.local_path(f"{base}id/person/khrushchev", base) == "/id/person/khrushchev"
    assert views.local_path(f"{base}id/vote/x/count-yes", base) == "/id/vote/x/count-yes"
    assert views.local_path("http://www.wikidata.org/entity/Q35314", base) is None
    assert views.local_path(base, base) is None


def test_episode_items(store):
    items = views.episode_items(store, "en")
    by_href = {i["link"]["href"]: i for i in items}
    session = by_href["/id/event/presidium-session-1957-06"]
    assert (session["not_before"], session["not_after"]) == ("1957-06-18", "1957-06-21")
    assert by_href["/id/holding/malenkov-head-of-government"]["not_before"] is None
    assert (
        by_href["/id/holding/molotov-ambassador-mongolia"]["after"]["href"] == "/id/event/cc-plenum-1957-06"
    )
    assert all(i["not_before"] or i["not_after"] for i in items)
    assert {i["kind"] for i in items} >= {"event", "speech", "holding", "membership", "decision"}


def test_example_queries():
    queries = views.example_queries(pages.QUERIES)
    assert len(queries) == len(list(pages.QUERIES.glob("*.rq"))) >= 12
    first = queries[0]
    assert first["name"] == "01-core-members"
    assert first["title"] == "Who formed the core of the Anti-Party Group?"
    assert first["href"].startswith("/sparql?format=html&query=%23%20Who")


# ---------------------------------------------------------------- rendered pages


class _Checker(HTMLParser):
    """Tag balance (void elements aside), resources loaded by the page, and every link."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.loads, self.links, self.tags = [], [], [], [], []
        self.data_blocks = 0  # <script type="application/ld+json">: data for crawlers, never run

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json" and not attrs.get("src"):
            self.data_blocks += 1
        else:
            self.tags.append(tag)
        if tag not in VOID_ELEMENTS:
            self.stack.append(tag)
        for name in ("src", "srcset", "data", "poster", "background"):
            if attrs.get(name):
                self.loads.append((tag, attrs[name]))
        if tag == "link" and attrs.get("href"):
            (self.links if attrs.get("rel") == "alternate" else self.loads).append((tag, attrs["href"]))
        if tag in ("a", "image", "use") and (attrs.get("href") or attrs.get("xlink:href")):
            self.links.append((tag, attrs.get("href") or attrs.get("xlink:href")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS:
            self.stack.pop()

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
        else:
            self.stack.pop()


def check_page(html: str) -> _Checker:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert not checker.errors, checker.errors[:5]
    assert not checker.stack, f"unclosed: {checker.stack}"
    assert html.startswith("<!DOCTYPE html>")
    root = ET.fromstring(html)  # also well-formed XML (XHTML with inline SVG)
    assert root.tag == f"{XHTML}html"
    assert "iframe" not in checker.tags
    # one script: the search box's suggestions, a local file (progressive enhancement), no inline code;
    # JSON-LD data for crawlers at most once
    code = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
            if 'type="application/ld+json"' not in s[0]]
    assert code in ([], [(' src="/static/search/search.js" defer="defer"', "")])
    assert checker.data_blocks <= 1
    for tag, target in checker.loads:  # nothing fetched from another host
        assert not re.match(r"(https?:)?//", target), (tag, target)
        assert target.startswith(("/", "data:", "#")), (tag, target)
    for style in re.findall(r"<style[^>]*>(.*?)</style>", html, re.S):
        assert "@import" not in style and not re.search(r"url\(\s*['\"]?(https?:)?//", style)
    assert not re.search(r"\sstyle=\"[^\"]*url\(", html)
    for tag, target in checker.links:
        assert target.startswith(("/", "#", "?", "http://", "https://")), (tag, target)
        if urlsplit(target).scheme in ("http", "https"):
            assert tag == "a", (tag, target)
    return checker


@pytest.mark.parametrize("lang", views.LANGS)
@pytest.mark.parametrize("kind", list(PAGES))
def test_resource_pages(store, base, kind, lang):
    html = pages.resource_page(store, iri(base, PAGES[kind]), lang)
    checker = check_page(html)
    assert f'<html lang="{lang}"' in html
    own = views.local_path(iri(base, PAGES[kind]), base)
    local = [t for _, t in checker.links if t.startswith("/id/") and urlsplit(t).path != own]
    assert local and all(t.endswith(f"?lang={lang}") == (lang != "en") for t in local)
    assert f"{base}id/" not in "".join(t for _, t in checker.links)  # resources link to local paths
    view = views.resource_view(store, iri(base, PAGES[kind]), lang)
    # a label in another language than the page's (no Russian label: the English one) says which
    marked = f' lang="{view["label_lang"]}"' if view["label_lang"] else ""
    assert f"<h1{marked}>{_escape(view['label'])}</h1>" in html
    if lang == "en" or kind == "person":  # every resource has an English label, every person a Russian one
        assert view["label_lang"] is None, kind
    if view["sources"]:
        assert 'lang="lv"' in html and "<blockquote" in html
        assert any(t.startswith("/id/source/lvwiki/s") for t in local)


def _escape(text):
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )


def test_every_resource_renders(store, base):
    """Every resource under {base}id/ has a well-formed page that loads nothing from elsewhere."""
    rows = store.query(
        f'SELECT DISTINCT ?x WHERE {{ ?x ?p ?o FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{base}id/")) }}'
    )
    resources = sorted(row["x"].value for row in rows)
    assert len(resources) > 200
    for n, resource in enumerate(resources):
        lang = views.LANGS[n % len(views.LANGS)]
        html = pages.resource_page(store, resource, lang)
        assert html is not None, resource
        check_page(html)


def test_person_page(store, base):
    html = pages.resource_page(store, iri(base, "person/khrushchev"), "en")
    assert "First Secretary of the CPSU" in html
    assert 'href="http://www.wikidata.org/entity/Q35314"' in html
    assert 'href="http://dbpedia.org/resource/Nikita_Khrushchev"' in html
    assert html.count("<svg") == 1
    lv = pages.resource_page(store, iri(base, "person/khrushchev"), "lv")
    assert "PSKP pirmais sekretārs" in lv and "Amati un dalība" in lv


def test_session_page_links_resolve(store, base):
    html = pages.resource_page(store, iri(base, "event/presidium-session-1957-06"), "en")
    checker = check_page(html)
    assert html.count("<svg") == 3  # one chart per vote, and who stood where
    for name in ("Kirichenko", "Mikoyan", "Suslov", "Khrushchev"):
        assert name in html
    targets = {urlsplit(t).path for _, t in checker.links if t.startswith("/id/")}
    assert len(targets) > 20
    for path in targets:
        assert views.resource_view(store, base + path[1:], "en") is not None, path


def test_sentence_page_quotes_latvian(store, base):
    html = pages.resource_page(store, iri(base, "source/lvwiki/s25"), "ru")
    assert '<blockquote class="source" lang="lv"' in html
    assert "Ar septiņām balsīm" in html
    assert 'href="https://lv.wikipedia.org/wiki/Antipartijisk%C4%81_grupa"' in html
    assert 'href="/id/source/lvwiki/s24?lang=ru"' in html


def test_unknown_resource_page(store, base):
    assert pages.resource_page(store, iri(base, "person/nobody"), "en") is None


@pytest.mark.parametrize("lang", views.LANGS)
def test_landing_page(store, lang):
    html = pages.landing_page(store, lang)
    check_page(html)
    manifest = store.manifest
    total = sum(g["triples"] for g in manifest["graphs"].values())
    assert f'<td class="num">{total}</td>' in html
    assert 'href="https://creativecommons.org/licenses/by-sa/4.0/"' in html
    assert "Antipartijiskā grupa" in html
    assert 'href="https://lv.wikipedia.org/wiki/Antipartijisk%C4%81_grupa"' in html
    for query in views.example_queries(pages.QUERIES):
        assert _escape(query["title"]) in html
    for name in manifest["files"]:
        assert f'href="/download/{name}"' in html
    assert html.count("<svg") == 2  # the timeline, who stood where
    assert 'href="/id/person/khrushchev' in html


def test_downloads_and_not_found_pages(store):
    html = pages.downloads_page(store, "lv")
    check_page(html)
    assert 'href="/download/dataset.nq.gz"' in html and "Lejupielādes" in html
    for lang in views.LANGS:
        html = pages.not_found_page(
            lang, path="/id/person/<nobody>", iri="https://w3id.org/apg-kg/id/person/x"
        )
        check_page(html)
        assert "/id/person/&lt;nobody&gt;" in html


# ---------------------------------------------------------------- pictures


def parse_svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == SVG
    assert text.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    return root


@pytest.mark.parametrize("lang", views.LANGS)
def test_episode_timeline_svg(store, lang):
    items = views.episode_items(store, lang)
    root = parse_svg(svg.episode_timeline(items, lang))
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    for year in ("1956", "1957", "1958", "1959", "1960"):
        assert year in texts
    assert " 18 " in f" {texts} " and " 29 " in f" {texts} "  # June 1957 day by day
    links = [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    assert views.page_href("/id/event/presidium-session-1957-06", lang) in links


def test_vote_and_posts_svg(store, base):
    for vote in ("vote/removal-vote-1957-06", "vote/chair-vote-1957-06"):
        for lang in views.LANGS:
            root = parse_svg(svg.vote_chart(views.vote_view(store, iri(base, vote), lang), lang))
            cells = [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if r.get("height") == "20"]
            assert len(cells) == (11 if vote.startswith("vote/removal") else 8)
    removal = ET.tostring(
        parse_svg(svg.vote_chart(views.vote_view(store, iri(base, "vote/removal-vote-1957-06"), "en"), "en")),
        encoding="unicode",
    )
    for name in ("Nikita Khrushchev", "Alexei Kirichenko", "Anastas Mikoyan", "Mikhail Suslov"):
        assert name in removal
    persons = [
        r["x"].value for r in store.query("SELECT ?x WHERE { ?x a <http://xmlns.com/foaf/0.1/Person> }")
    ]
    assert len(persons) >= 15
    for person in persons:
        parse_svg(svg.person_posts(views.person_timeline(store, person, "lv"), "lv"))


def test_svg_escapes_text():
    nasty = "A <b>&amp; \"quoted\" 'x' ]]>"
    link = {"iri": "https://example.org/x", "label": nasty, "href": "/id/x?a=1&b=<2>", "external": False}
    items = [
        {"link": link, "kind": "event", "not_before": "1957-06-18", "not_after": "1957-06-21"},
        {"link": link, "kind": "holding", "not_before": None, "not_after": "1956-06-30"},
        {"link": link, "kind": "unknown", "not_before": "1957-06-29", "not_after": None},
    ]
    root = parse_svg(svg.episode_timeline(items, "en"))
    assert nasty in "".join(root.itertext())
    assert "/id/x?a=1&b=<2>" in [a.get("href") for a in root.iter("{http://www.w3.org/2000/svg}a")]
    vote = {
        "label": nasty,
        "counts": [{"option": "yes", "option_label": nasty, "value": 2, "voters": [link], "unnamed": 1}],
        "result_label": nasty,
        "total": 2,
    }
    assert nasty in "".join(parse_svg(svg.vote_chart(vote, "en")).itertext())
    posts = [{"link": link, "kind": "post", "title": nasty, "not_before": None, "not_after": None}]
    assert nasty in "".join(parse_svg(svg.person_posts(posts, "en", title=nasty)).itertext())
    parse_svg(svg.episode_timeline([], "en"))
    parse_svg(svg.person_posts([], "en"))
    parse_svg(svg.vote_chart({"counts": []}, "en"))


# ---------------------------------------------------------------- footnotes, sentence statements, corrections

OA = Namespace("http://www.w3.org/ns/oa#")
APGNS = Namespace("https://w3id.org/apg-kg/ontology#")


def words_of(built, s, p, o) -> set[tuple[str, str, int, int]]:
    """(sentence, exact, start, end) of every words the provenance graph gives for the triple."""
    out = set()
    for st in built.provenance.subjects(RDF.subject, s):
        if (st, RDF.predicate, p) in built.provenance and (st, RDF.object, o) in built.provenance:
            for w in built.provenance.objects(st, OA.hasTarget):
                sentence = built.provenance.value(w, OA.hasSource)
                assert (st, PROV.wasDerivedFrom, sentence) in built.provenance
                for sel in built.provenance.objects(w, OA.hasSelector):
                    if (sel, RDF.type, OA.TextQuoteSelector) in built.provenance:
                        exact = str(built.provenance.value(sel, OA.exact))
                    else:
                        start = int(built.provenance.value(sel, OA.start))
                        end = int(built.provenance.value(sel, OA.end))
                out.add((str(sentence), exact, start, end))
    return out


def _shown(notes) -> set[tuple[str, str, int, int]]:
    return {(n["sentence"]["iri"], n["exact"], n["start"], n["end"]) for n in notes}


def test_footnotes_quote_the_words_of_their_sentence(store, base, built):
    """Bulganin's page: the holding 'chair of the session' (incoming org:member) cites s17's words, with the
    sentence around them and the English gloss; exactly the words the provenance graph gives."""
    bulganin = iri(base, "person/bulganin")
    view = views.resource_view(store, bulganin, "en")
    members = next(r for r in view["incoming"] if r["curie"] == "org:member")
    chair = next(v for v in members["values"] if v["iri"].endswith("/holding/bulganin-session-chair"))
    expected = words_of(built, URIRef(chair["iri"]), ORG.member, URIRef(bulganin))
    assert expected and _shown(chair["notes"]) == expected
    (note,) = chair["notes"]
    s17 = iri(base, "source/lvwiki/s17")
    text = str(built.data.value(URIRef(s17), RDF.value))
    assert note["sentence"]["href"] == "/id/source/lvwiki/s17" and note["id"] == "s17"
    assert note["exact"] == "nobalsoja sapulces vadību uzticēt valdības vadītājam Bulgaņinam"
    assert note["before"] + note["exact"] + note["after"] == text
    assert text[note["start"] : note["end"]] == note["exact"]
    assert note["gloss"]["lang"] == "en"
    assert note["gloss"]["text"].startswith("The Presidium members voted 6 to 2")
    assert view["footnotes"][note["n"] - 1] is note
    # every statement row of the page that has a reifier shows its notes (outgoing, parts, incoming)
    for page in PAGES.values():
        subject = iri(base, page)
        v = views.resource_view(store, subject, "en")
        for row in v["properties"]:
            for value in row["values"]:
                p = URIRef(row["property"]["iri"])
                if value["kind"] == "iri":
                    objects = [URIRef(value["iri"])]
                else:  # the literal of the build (the store writes integer subtypes as xsd:integer)
                    objects = [o for o in built.data.objects(URIRef(subject), p)
                               if str(o) == value["text"] and (o.language or None) == value["lang"]]
                want = set().union(*(words_of(built, URIRef(subject), p, o) for o in objects))
                assert _shown(value.get("notes", [])) == want, (page, row["curie"], value)
        for row in v["incoming"]:
            for value in row["values"]:
                want = words_of(built, URIRef(value["iri"]), URIRef(row["property"]["iri"]), URIRef(subject))
                assert _shown(value.get("notes", [])) == want, (page, row["curie"], value)


def test_footnotes_on_the_page(store, base):
    html = pages.resource_page(store, iri(base, "person/bulganin"), "lv")
    check_page(html)
    root = ET.fromstring(html)
    notes = {li.get("id"): li for li in root.iter(f"{XHTML}li") if (li.get("id") or "").startswith("fn-")}
    marked = {
        id_: "".join(m.itertext()) for id_, li in notes.items() for m in li.iter(f"{XHTML}mark")
    }
    words = "nobalsoja sapulces vadību uzticēt valdības vadītājam Bulgaņinam"
    (fn,) = [id_ for id_, text in marked.items() if text == words]
    li = notes[fn]
    quote = next(li.iter(f"{XHTML}blockquote"))
    assert quote.get("lang") == "lv" and "".join(quote.itertext()).startswith("Prezidija locekļi ar 6 pret 2")
    assert next(li.iter(f"{XHTML}a")).get("href") == "/id/source/lvwiki/s17?lang=lv"
    translation = next(p for p in li.iter(f"{XHTML}p") if p.get("class") == "translation")
    assert "Tulkojums angļu valodā" in "".join(translation.itertext())
    assert any(s.get("lang") == "en" for s in translation.iter(f"{XHTML}span"))
    # the statement row links to that footnote and to the sentence
    refs = [a for a in root.iter(f"{XHTML}a") if a.get("href") == f"#{fn}"]
    assert refs and refs[0].get("title") == words
    rows = [tr for tr in root.iter(f"{XHTML}tr")
            if any(a.get("href") == f"#{fn}" for a in tr.iter(f"{XHTML}a"))]
    assert any(a.get("href") == "/id/source/lvwiki/s17?lang=lv" for a in rows[0].iter(f"{XHTML}a"))


def test_sentence_page_lists_its_statements(store, base, built):
    s17 = URIRef(iri(base, "source/lvwiki/s17"))
    view = views.resource_view(store, str(s17), "en")["sentence"]
    shown = {(st["subject"]["iri"], st["property"]["iri"], st["value"].get("iri") or st["value"]["text"],
              st["exact"]) for st in view["statements"]}
    expected = set()
    for st in built.provenance.subjects(PROV.wasDerivedFrom, s17):
        s, p, o = (built.provenance.value(st, k) for k in (RDF.subject, RDF.predicate, RDF.object))
        for sentence, exact, _, _ in words_of(built, s, p, o):
            if sentence == str(s17):
                expected.add((str(s), str(p), str(o), exact))
    assert len(expected) >= 10 and shown == expected
    assert (iri(base, "vote/chair-vote-1957-06"), "http://www.w3.org/ns/opengov#result", "pass",
            "ar 6 pret 2 balsīm nobalsoja") in shown
    assert (iri(base, "holding/bulganin-session-chair"), str(ORG.member), iri(base, "person/bulganin"),
            "nobalsoja sapulces vadību uzticēt valdības vadītājam Bulgaņinam") in shown
    assert "".join(p["text"] for p in view["pieces"]) == view["text"]
    assert view["gloss"]["lang"] == "en"
    html = pages.resource_page(store, str(s17), "en")
    check_page(html)
    root = ET.fromstring(html)
    table = next(t for t in root.iter(f"{XHTML}table") if t.get("id") == "sentence-statements")
    assert len(list(next(table.iter(f"{XHTML}tbody")))) == len(view["statements"])


def test_corrections_page_and_corrected_resource(store, base, built):
    found = corrections.corrections(store, views.Labeller(store, "en"))
    in_graph = set(built.data.subjects(RDF.type, APGNS.Correction))
    assert {c["link"]["iri"] for c in found} == {str(c) for c in in_graph} and len(in_graph) >= 6
    by_slug = {c["link"]["iri"].rsplit("/", 1)[-1]: c for c in found}
    s04 = by_slug["s04-molotov-foreign-ministry-date"]
    assert s04["kind"] == "factual" and s04["source_reading"]["text"] == "1955. gada jūnijā"
    assert s04["corrected"]["text"] == "1956-06"
    assert {w["exact"] for w in s04["words"]} == {"1955. gada jūnijā"}
    assert any("Foreign Relations of the United States" in (e["citation"] or "") for e in s04["evidence"])
    assert by_slug["s30-delegation-date"]["kind"] == "factual"
    assert by_slug["s34-destalinization-spelling"]["kind"] == "normalisation"
    assert [c["kind"] for c in found] == sorted((c["kind"] for c in found), key=lambda k: k != "factual")
    for lang in views.LANGS:
        html = pages.corrections_page(store, lang)
        check_page(html)
        for c in found:
            assert f'id="{c["link"]["iri"].rsplit("/", 1)[-1]}"' in html
        assert "<mark>1955. gada jūnijā</mark>" in html
    landing = ET.fromstring(pages.landing_page(store, "en"))
    assert any(a.get("href") == "/corrections" for a in landing.iter(f"{XHTML}a"))
    holding = views.resource_view(store, iri(base, "holding/molotov-foreign-minister"), "en")
    assert [c["link"]["iri"] for c in holding["corrections"]] == [s04["link"]["iri"]]
    end = next(r for r in holding["properties"] if r["curie"] == "schema:endDate")
    assert [n["exact"] for n in end["values"][0]["notes"]] == ["1955. gada jūnijā"]  # the source's words
    html = pages.resource_page(store, iri(base, "holding/molotov-foreign-minister"), "en")
    assert 'id="corrections"' in html and 'href="/corrections"' in html
    assert views.resource_view(store, iri(base, "person/khrushchev"), "en")["corrections"] == []
