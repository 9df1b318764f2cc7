"""The search box in a real browser (server/site/search.py, static/search.js): type a misspelt Russian name,
pick the suggestion, land on the person; the same without JavaScript through the results page."""
import pytest

pytestmark = pytest.mark.browser

MISSPELT = "Хрущов"  # Хрущёв with о for ё: no label of the graph is written so


def test_typing_a_misspelt_russian_name_suggests_the_person_and_enter_opens_the_page(page, live):
    page.goto(live.url + "/id/event/cc-plenum-1957-06?lang=ru")
    box = page.locator('form.search input[name="q"]')
    box.click()
    box.press_sequentially(MISSPELT, delay=60)
    options = page.locator("#search-suggestions li[role=option]")
    options.first.wait_for(state="visible")
    assert box.get_attribute("aria-expanded") == "true"
    assert "Хрущёв" in options.first.inner_text()  # the Russian page suggests the Russian name
    page.set_viewport_size({"width": 1200, "height": 420})
    page.shot("search-suggestions-misspelt-russian", full_page=False)
    box.press("ArrowDown")
    assert options.first.get_attribute("aria-selected") == "true"
    with page.expect_navigation():
        box.press("Enter")
    assert page.url == live.url + "/doc/person/khrushchev?lang=ru"
    assert "Хрущёв" in page.locator("h1").first.inner_text()
    page.shot("search-landed-on-khrushchev", full_page=False)
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_clicking_a_suggestion_opens_its_page(page, live):
    page.goto(live.url + "/")
    box = page.locator('form.search input[name="q"]')
    box.fill("Mikojans")
    option = page.locator("#search-suggestions li[role=option] a").first
    option.wait_for(state="visible")
    with page.expect_navigation():
        option.click()
    assert page.url == live.url + "/doc/person/mikoyan"
    assert not page.errors, page.errors


def test_without_javascript_the_form_gives_results_grouped_by_kind(page_without_js, live):
    page = page_without_js
    page.goto(live.url + "/")
    box = page.locator('form.search input[name="q"]')
    box.fill(MISSPELT)
    with page.expect_navigation():
        box.press("Enter")
    assert page.url.startswith(live.url + "/search?q=")
    groups = page.locator("section.results h2").all_inner_texts()
    assert groups[0].startswith("Persons"), groups
    assert any(g.startswith("Source sentences") for g in groups), groups
    page.shot("search-results-no-javascript")
    with page.expect_navigation():
        page.locator("section#person a").first.click()
    assert page.url == live.url + "/doc/person/khrushchev"
    assert not page.foreign, page.foreign
