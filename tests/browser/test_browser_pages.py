"""The linked-data pages in a real browser: the landing page and its links, a person's page with the posts
timeline, a session's page with its vote chart (served by server/site/publish.py and
server/site/resources.py). A page
that answers 404 fails its test."""
import pytest

pytestmark = pytest.mark.browser

LANDING_LINKS = {  # kind: (link on the landing page, where following it lands)
    "person": ('main a[href="/id/person/khrushchev"]', "/doc/person/khrushchev"),
    "session": ('main a[href="/id/event/presidium-session-1957-06"]', "/doc/event/presidium-session-1957-06"),
    "ontology": ('a[href="/ontology"]', "/ontology"),
}


def test_landing_page_links_to_a_person_a_session_and_the_ontology(page, live):
    response = page.goto(live.url + "/")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    page.shot("landing")
    for kind, (selector, _) in LANDING_LINKS.items():
        assert page.locator(selector).count() >= 1, kind
    for kind, (selector, target) in LANDING_LINKS.items():
        page.goto(live.url + "/")
        with page.expect_navigation():
            page.locator(selector).first.click()
        assert page.url.split("?")[0] == live.url + target, (kind, page.url)
        assert page.locator("h1").first.is_visible(), kind
        page.shot(f"landing-to-{kind}")
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_person_page_shows_the_posts_timeline(page, live):
    response = page.goto(live.url + "/id/person/khrushchev")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    assert page.url == live.url + "/doc/person/khrushchev"
    assert "Khrushchev" in page.locator("h1").first.inner_text()
    timeline = page.locator("figure svg", has_text="First Secretary")
    assert timeline.count() >= 1
    assert timeline.first.is_visible()
    page.shot("person-khrushchev")
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_session_page_shows_the_vote_chart(page, live):
    response = page.goto(live.url + "/id/event/presidium-session-1957-06")
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    chart = page.locator("svg", has_text="removal").filter(has=page.locator("text", has_text="7"))
    assert chart.count() >= 1
    numbers = [t.strip() for t in chart.first.locator("text").all_text_contents()]
    assert "7" in numbers and "4" in numbers, numbers
    assert chart.first.is_visible()
    page.shot("session-vote-chart", chart.first)
    page.shot("session-presidium-1957-06")
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors
