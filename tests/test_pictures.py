"""Honest pictures, without Flask, on the session build: dates known only to the month or year drawn as
hatched spans between the graph's xsd:date bounds (never a solid bar), undated events listed apart from the
axis, and who stood where in June 1957 (server/site/standing.py, svg.standing_chart): every mark a statement
of the graph with its reifier and sentence, "not stated" wherever the source is silent."""
import xml.etree.ElementTree as ET

import pytest

from server.site import pages, standing, svg, views
from server.store import OxigraphStore

NS = {"s": "http://www.w3.org/2000/svg"}
WORDS = pages.strings("en")


@pytest.fixture(scope="module")
def store(dist):
    return OxigraphStore(dist)


@pytest.fixture(scope="module")
def base(store):
    return store.manifest["base"]


@pytest.fixture(scope="module")
def items(store):
    return {i["link"]["iri"].rsplit("/", 1)[-1]: i for i in views.episode_items(store, "en")}


@pytest.fixture(scope="module")
def stood(store):
    return standing.standing_view(store, "en", WORDS)


def bars(svg_text):
    """The bars of a timeline: (class, fill) of each rect drawn for an item (not the background, the legend,
    the zoom band or the undated chips)."""
    tree = ET.fromstring(svg_text)
    legend = {id(r) for g in tree.iter(f"{{{NS['s']}}}g") for r in g.iter(f"{{{NS['s']}}}rect")}
    out = []
    for r in tree.iter(f"{{{NS['s']}}}rect"):
        if id(r) in legend or r.get("height") in ("100%", "10") or r.get("rx") != "2":
            continue
        out.append((r.get("class"), r.get("fill")))
    return out


def test_dates_keep_their_precision(items):
    polish = items["polish-october"]  # "1956. gada rudens" (s07): a year
    assert polish["start"] == polish["end"] == {"text": "1956", "precision": "year"}
    assert (polish["not_before"], polish["not_after"]) == ("1956-01-01", "1956-12-31")
    assert polish["uncertain"]
    assert items["polish-crisis-talks-1956"]["start"]["precision"] == "month"
    finland = items["finland-visit-1957-06"]
    assert finland["start"]["precision"] == finland["end"]["precision"] == "day" and not finland["uncertain"]


@pytest.mark.parametrize("slug", ["polish-october", "hungarian-revolution-1956", "polish-crisis-talks-1956",
                                  "budapest-meeting-1957", "supreme-soviet-session-1957-02"])
def test_a_month_or_a_year_is_a_hatched_span_not_a_bar(items, slug):
    picture = svg.episode_timeline([items[slug]], "en", words=WORDS)
    assert bars(picture) == [("uncertain", "url(#tl-hatch-" + items[slug]["kind"] + ")")]
    tip = next(t.text for t in ET.fromstring(picture).iter(f"{{{NS['s']}}}title") if t.text.startswith(
        items[slug]["link"]["label"]))
    precision = items[slug]["start"]["precision"]
    assert WORDS["precision_" + precision] in tip
    assert f"drawn between {items[slug]['not_before']} and {items[slug]['not_after']}" in tip


def test_a_day_exact_span_is_a_solid_bar(items):
    day_exact = items["polish-crisis-talks-1956"] | {"start": {"text": "1956-10-01", "precision": "day"},
                                                     "end": {"text": "1956-10-31", "precision": "day"}}
    assert bars(svg.episode_timeline([day_exact], "en", words=WORDS)) == [(None, svg.COLOURS["event"])]
    # in the inset, June 1957 day by day
    assert (None, svg.COLOURS["event"]) in bars(svg.episode_timeline([items["finland-visit-1957-06"]], "en",
                                                                      words=WORDS))


def test_a_post_ending_in_a_known_year_is_hatched_on_the_persons_page(store, base):
    timeline = views.person_timeline(store, base + "id/person/voroshilov", "en")
    chair = next(e for e in timeline if e["end_date"] and e["end_date"]["text"] == "1960")
    assert chair["end_date"]["precision"] == "year"
    picture = svg.person_posts([chair], "en", words=WORDS)
    assert bars(picture) == [("uncertain", "url(#pp-hatch-holding)")]
    html = pages.resource_page(store, base + "id/person/voroshilov", "en")
    assert "1960</span> <small class=\"muted\">(known to the year only)</small>" in html


def test_undated_events_are_listed_not_placed(store, items):
    undated = views.undated_items(store, "en")
    slugs = {u["link"]["iri"].rsplit("/", 1)[-1] for u in undated}
    assert {"conspiracy-against-khrushchev-1957", "zhukov-airlift-1957-06", "tito-visit-moscow-1956"} <= slugs
    assert not slugs & set(items)  # none of them has a bound to be placed by
    picture = svg.episode_timeline(list(items.values()), "en", words=WORDS, undated=undated)
    tree = ET.fromstring(picture)
    chips = [g for g in tree.iter(f"{{{NS['s']}}}g") if g.get("class") == "undated"]
    assert len(chips) == len(undated)
    html = pages.landing_page(store, "en")
    for u in undated:
        assert f'href="{u["link"]["href"]}"' in html.split('id="undated-events"')[1].split("</table>")[0]


def test_the_timeline_table_gives_each_precision(store):
    html = pages.landing_page(store, "en")
    table = ET.fromstring(html).find(".//{http://www.w3.org/1999/xhtml}details[@id='timeline-table']")
    rows = {"".join(tr[0].itertext()): "".join(tr[2].itertext()) for tr in table.iter(
        "{http://www.w3.org/1999/xhtml}tr") if tr[0].tag.endswith("td")}
    assert rows["Unrest in Poland in autumn 1956"] == "known to the year only"
    assert rows["Crisis talks in Poland, October 1956"] == "known to the month only"
    assert rows["Central Committee plenum of 22–29 June 1957"] == "known to the day"


# ---------------------------------------------------------------- who stood where


def cells(stood):
    return {r["person"]["iri"].rsplit("/", 1)[-1]: r["cells"] for r in stood["rows"]}


def step(stood, key, n=0):
    return [i for i, s in enumerate(stood["steps"]) if s["key"] == key][n]


def test_the_steps_are_those_the_source_describes(stood):
    keys = [s["key"] for s in stood["steps"]]
    assert keys == ["conspiracy", "speech", "vote", "vote", "speech", "decision", "after"]
    votes = [s["sub"] for s in stood["steps"] if s["key"] == "vote"]
    assert votes == ["6 for, 2 against", "7 for, 4 against"]


def test_sides_are_what_the_source_states(stood):
    c = cells(stood)
    sides = {p: [{m["side"] for m in cell} for cell in row] for p, row in c.items()}
    conspiracy, session, chair_vote, removal_vote, plenum, resolution, after = range(7)
    for core in ("malenkov", "molotov", "kaganovich"):
        assert sides[core][conspiracy] == {"against"}
        assert sides[core][removal_vote] == set()  # the seven "for" are not named (s25)
        assert sides[core][resolution] == {"target"}
        assert any(m["group"] for m in c[core][resolution])  # condemned as the group's members
    assert sides["bulganin"][conspiracy] == {"against"}  # s13
    for person in ("bulganin", "voroshilov", "pervukhin", "saburov"):
        assert "changed" in sides[person][plenum]  # s41
        assert sides[person][resolution] == set()
        assert "gradually" in [m["manner"]["text"] for m in c[person][after] if m["manner"]]  # s47
    assert sides["saburov"][session] == set()  # s21 does not name him
    assert sides["shepilov"][after] == set()  # neither the group's member nor an "other oppositionist"
    for person in ("khrushchev", "kirichenko", "mikoyan", "suslov"):
        assert sides[person][removal_vote] == {"for"}  # the four "against" the motion (s25)
    for row in sides.values():
        assert row[chair_vote] == set()  # s17 names no voter
    assert sides["zhukov"][plenum] == {"for"}  # he accuses the group's members (s35), not Khrushchev
    assert sides["malenkov"][plenum] == {"against", "target"}


def test_every_mark_is_a_statement_with_its_sentence(store, stood):
    graph = store.manifest["graphs"]["provenance"]["iri"]
    marks = [m for r in stood["rows"] for cell in r["cells"] for m in cell]
    assert len(marks) > 40
    for m in marks:
        assert m["cited"], m
        assert views.resource_view(store, m["link"]["iri"], "en") is not None
        for c in m["cited"]:
            assert c["sentence"]["href"].startswith("/id/source/")
            rows = views.select(store, "SELECT ?g ?st ?s WHERE { GRAPH ?g { ?st rdf:subject ?s } }",
                                g=graph, st=c["statement"])
            assert rows, c["statement"]
            assert c["statement_href"].startswith("/sparql?query=")


def test_the_picture_links_every_mark_and_says_not_stated(store, stood, base):
    picture = svg.standing_chart(stood, "en", words=WORDS, current=base + "id/event/cc-plenum-1957-06")
    tree = ET.fromstring(picture)
    assert tree.find("s:title", NS).text == WORDS["standing_title"]
    assert tree.find("s:desc", NS).text == WORDS["standing_desc"]
    groups = list(tree.iter(f"{{{NS['s']}}}g"))
    empty = sum(1 for r in stood["rows"] for cell in r["cells"] if not cell)
    assert sum(1 for g in groups if g.get("class") == "mark not-stated") == empty > 20
    marks = [g for g in groups if (g.get("class") or "").startswith("mark side-")]
    assert marks
    for g in marks:
        links = [a.get("href") for a in g.iter(f"{{{NS['s']}}}a")]
        assert len(links) == 2 and links[1].startswith("/id/source/"), links
    assert len([r for r in tree.iter(f"{{{NS['s']}}}rect") if r.get("class") == "current"]) == 1


def test_the_june_sessions_and_the_landing_page_show_it(store, base):
    for page in (pages.resource_page(store, base + "id/event/presidium-session-1957-06", "lv"),
                 pages.resource_page(store, base + "id/event/cc-plenum-1957-06", "ru"),
                 pages.landing_page(store, "en")):
        assert 'id="standing-chart"' in page and 'id="standing-table"' in page
    other = pages.resource_page(store, base + "id/event/supreme-soviet-session-1957-02", "en")
    assert 'id="standing' not in other
