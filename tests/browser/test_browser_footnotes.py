"""Footnotes in a real browser: on a person's page and a session's page the source's words of a statement are
marked (<mark>) inside their Latvian sentence and visible; a statement row's footnote link leads to the
footnote, and the footnote's sentence link to the sentence's page, which lists the statement."""
import re

import pytest

pytestmark = pytest.mark.browser

BULGANIN_CHAIR = "nobalsoja sapulces vadību uzticēt valdības vadītājam Bulgaņinam"  # s17


def _footnote(page, words):
    """The footnote (li#fn-N) whose marked words are ``words``, and its number."""
    exactly = page.locator("mark", has_text=re.compile(f"^{re.escape(words)}$"))
    note = page.locator("ol.footnotes > li").filter(has=exactly).first
    assert note.locator("mark").is_visible()
    return note, note.get_attribute("id")


def test_person_page_footnote_marks_the_words_and_leads_to_the_sentence(page, live):
    response = page.goto(live.url + "/id/person/bulganin")
    assert response.status == 200
    note, fn = _footnote(page, BULGANIN_CHAIR)
    quote = note.locator('blockquote[lang="lv"]')
    assert quote.inner_text().startswith("Prezidija locekļi ar 6 pret 2 balsīm")
    mark = quote.locator("mark")
    assert mark.inner_text() == BULGANIN_CHAIR
    # the mark stands out from the sentence around it
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != quote.evaluate(
        "q => getComputedStyle(q).backgroundColor")
    assert note.locator(".translation span[lang=en]").inner_text().startswith("The Presidium members voted")
    # the statement row links to the footnote: following it brings the footnote into view
    ref = page.locator(f'table a.fn[href="#{fn}"]').first
    assert ref.is_visible()
    ref.click()
    assert page.url.endswith(f"#{fn}")
    assert note.is_visible() and note.evaluate("n => n.matches(':target')")
    page.shot("footnotes", page.locator("#footnotes"))
    # the footnote's sentence link leads to the sentence page, which lists the statement
    with page.expect_navigation():
        note.locator("a.sentence").first.click()
    assert page.url == live.url + "/doc/source/lvwiki/s17"
    statements = page.locator("#sentence-statements tbody tr", has_text="Nikolai Bulganin")
    assert statements.filter(has=page.locator("mark", has_text=BULGANIN_CHAIR)).count() >= 1
    assert page.locator("#sentence blockquote mark").first.is_visible()
    page.shot("footnotes-sentence-s17")
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors


def test_session_page_footnotes(page, live):
    response = page.goto(live.url + "/id/event/presidium-session-1957-06")
    assert response.status == 200
    pretext = page.locator("#statements tr", has_text="pretext").first
    ref = pretext.locator("a.fn").first
    fn = ref.get_attribute("href").lstrip("#")
    words = ref.get_attribute("title")
    note = page.locator(f"li#{fn}")
    assert note.locator("mark").inner_text() == words
    assert "Ļeņingradā" in note.locator('blockquote[lang="lv"]').inner_text()
    ref.click()
    assert note.is_visible()
    page.shot("footnotes-session")
    sentence = pretext.locator("a.sentence").first
    target = sentence.get_attribute("href")
    with page.expect_navigation():
        sentence.click()
    assert page.url == live.url + target.replace("/id/", "/doc/")
    assert page.locator("#sentence-statements mark", has_text=words).first.is_visible()
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors
