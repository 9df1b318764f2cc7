"""The index pages in a real browser (server/site/indexes.py): the header's Index link, a kind's page, the
events in date order, the sentences with their statements, and a link from the persons' index to a person."""
import pytest

pytestmark = pytest.mark.browser


def test_index_from_the_header_to_a_person(page, live):
    assert page.goto(live.url + "/").status == 200
    with page.expect_navigation():
        page.locator("header.site nav a#nav-index").click()
    assert page.url == live.url + "/index"
    assert page.locator("h1").inner_text() == "Index"
    page.shot("index-kinds")
    with page.expect_navigation():
        page.locator('#index-kinds a[href="/index/persons"]').click()
    assert page.locator("h1").inner_text() == "Persons"
    assert page.locator("#index-items li").count() > 10
    page.shot("index-persons")
    with page.expect_navigation():
        page.locator('#index-items a[href="/id/person/khrushchev"]').click()
    assert page.url == live.url + "/doc/person/khrushchev"
    assert "Khrushchev" in page.locator("h1").first.inner_text()
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_events_and_sentences_indexes(page, live):
    assert page.goto(live.url + "/index/events").status == 200
    rows = page.locator("#index-events tbody tr")
    assert rows.count() > 40
    assert "undated" in (rows.last.get_attribute("class") or "")
    assert rows.last.locator(".undated").is_visible()
    page.shot("index-events")
    assert page.goto(live.url + "/index/sentences?lang=ru").status == 200
    assert page.locator("header.site nav a#nav-index").inner_text() == "Указатель"
    first = page.locator("section.sentence").first
    assert first.get_attribute("id") == "s01"
    assert page.locator("section.sentence").last.get_attribute("id") == "r2"
    s17 = page.locator("section#s17")
    assert s17.locator("blockquote.source mark").count() >= 1 and s17.locator("table tbody tr").count() >= 1
    page.shot("index-sentences", s17)
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors
