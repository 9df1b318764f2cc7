"""Honest pictures and results for browsers, in Chromium: the timeline's uncertain dates drawn as hatched
spans and its undated events apart from the axis; who stood where in June 1957 with its marks leading to the
facts and sentences (with and without JavaScript); a /sparql?query= link opened as a page, an HTML table; and
YASGUI's result IRIs opening this server's pages."""
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

PERSONS = """SELECT ?person ?name WHERE { ?person a foaf:Person ; rdfs:label ?name
    FILTER(lang(?name) = "en") } ORDER BY ?name"""


def test_uncertain_dates_are_hatched_spans_and_undated_events_stand_apart(page, live):
    assert page.goto(live.url + "/").status == 200
    timeline = page.locator("#episode-timeline svg")
    timeline.scroll_into_view_if_needed()
    assert timeline.is_visible()
    hatched = timeline.locator("rect.uncertain")
    assert hatched.count() >= 10
    fill = hatched.first.evaluate("r => getComputedStyle(r).fill")
    assert fill.startswith("url(") and "hatch" in fill, fill
    assert timeline.locator("pattern").count() >= 6
    tips = timeline.locator("title").all_text_contents()
    unrest = next(t for t in tips if t.startswith("Unrest in Poland in autumn 1956"))
    assert "known to the year only" in unrest and "drawn between 1956-01-01 and 1956-12-31" in unrest
    undated = timeline.locator("g.undated")
    assert undated.count() >= 8
    axis_bottom = max(b["y"] + b["height"] for b in
                      (timeline.locator("text", has_text="1958").first.bounding_box(),))
    assert all(undated.nth(i).bounding_box()["y"] > axis_bottom for i in range(undated.count()))
    page.shot("timeline-uncertain-dates", page.locator("#episode-timeline"))
    page.locator("#timeline-table summary").click()
    row = page.locator("#timeline-table tr", has_text="Unrest in Poland in autumn 1956")
    assert "known to the year only" in row.inner_text()
    page.shot("timeline-table", page.locator("#timeline"))
    with page.expect_navigation():
        page.locator("#episode-timeline g.undated", has_text="Zhukov provides").locator("xpath=..").click()
    assert page.url.split("?")[0] == live.url + "/doc/event/zhukov-airlift-1957-06"
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_who_stood_where_leads_to_the_facts_and_sentences(page, live):
    assert page.goto(live.url + "/id/event/cc-plenum-1957-06").status == 200
    chart = page.locator("#standing-chart svg")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible()
    assert chart.locator("desc").count() == 1
    assert chart.locator("rect.current").count() == 1  # this session's column
    assert chart.locator("g.not-stated").count() > 20
    page.shot("who-stood-where-plenum", page.locator("#standing-chart"))
    saburov = chart.locator("g.mark.side-changed", has=page.locator("title", has_text="Maksim Saburov"))
    assert saburov.count() == 1
    with page.expect_navigation():
        saburov.locator("rect").click()
    assert page.url.split("?")[0] == live.url + "/doc/speech/four-change-position"
    page.go_back()
    saburov = page.locator("#standing-chart g.mark.side-changed",
                           has=page.locator("title", has_text="Maksim Saburov"))
    with page.expect_navigation():
        saburov.locator("text.sid").click()
    assert page.url.split("?")[0] == live.url + "/doc/source/lvwiki/s41"
    page.go_back()
    page.locator("#standing-details summary").click()
    table = page.locator("#standing-table")
    assert table.is_visible()
    row = table.locator("tr", has_text="Maksim Saburov")
    assert row.locator("td").nth(1).inner_text().strip() == "not stated"  # s21 does not name him
    page.shot("who-stood-where-table", page.locator("#standing"))
    with page.expect_navigation():
        row.locator("a.statement").first.click()
    assert page.locator("#results").is_visible()  # the reifier's triples, as an HTML result table
    assert page.locator("#results", has_text="rdf:subject").count() == 1
    page.shot("who-stood-where-statement")
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_who_stood_where_needs_no_javascript(page_without_js, live):
    page = page_without_js
    assert page.goto(live.url + "/?lang=lv").status == 200
    chart = page.locator("#standing-chart svg")
    chart.scroll_into_view_if_needed()
    assert chart.is_visible() and "Kas kur stāvēja" in chart.locator("title").first.text_content()
    page.shot("who-stood-where-landing-lv-no-js", page.locator("#standing-chart"))
    assert not page.foreign, page.foreign


def test_a_sparql_link_opens_as_an_html_table(page, live):
    response = page.goto(live.endpoint + "?query=" + quote(PERSONS, safe=""))
    assert response.status == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    table = page.locator("#results")
    assert table.is_visible()
    assert table.locator("thead th").all_inner_texts() == ["?person", "?name"]
    assert table.locator("tbody tr").count() >= 14
    assert table.locator("tbody tr").first.locator("td").nth(1).inner_text().endswith("@en")
    page.shot("sparql-html-results")
    for name, media_type in (("JSON", "application/sparql-results+json"), ("CSV", "text/csv"),
                             ("XML", "application/sparql-results+xml")):
        href = page.locator("#results-formats a", has_text=name).first.get_attribute("href")
        answer = page.request.get(live.url + href)
        assert answer.headers["content-type"].startswith(media_type), name
    with page.expect_navigation():
        table.locator("tbody tr").first.locator("a").first.click()
    assert page.url.startswith(live.url + "/doc/person/")
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_yasgui_result_iris_open_this_servers_pages(page, live):
    assert page.goto(live.endpoint).status == 200
    page.wait_for_function("window.apgYasgui && window.apgYasgui.getTab() "
                           "&& window.apgYasgui.getTab().getYasqe()")
    page.locator(".yasqe_queryButton").first.click()
    table = page.locator(".yasr table.dataTable")
    table.wait_for()
    links = table.locator("a[href*='/id/person/']")
    links.first.wait_for()
    hrefs = links.evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert hrefs and all(h.startswith("/id/person/") for h in hrefs), hrefs
    assert not table.locator("a[href^='https://w3id.org/']").count()
    page.shot("yasgui-local-iris")
    with page.expect_navigation():
        links.first.click()
    assert page.url.startswith(live.url + "/doc/person/")
    assert not page.foreign, page.foreign
