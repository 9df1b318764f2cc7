"""Russian (and Latvian) pages in a real browser: no English interface word is left in what the reader sees.

The page's visible text (what Chromium renders, SVG pictures included) is compared with every text of the
English catalogue (kg/translations/en) that the Russian catalogue says differently; a text with placeholders
is compared piece by piece. The page's data are not interface words and are left out: elements marked with
another language (lang="en", "lv": glosses, quotes, English labels where a resource has no Russian one),
links to resources (their labels are the data's), program text (pre, code, textarea), RDF terms as
written, and the citation.
"""
import re
from urllib.parse import quote

import pytest

from kg import i18n

pytestmark = pytest.mark.browser

PAGES = {  # name: path (the test adds ?lang=)
    "landing": "/",
    "person-khrushchev": "/id/person/khrushchev",
    "session-presidium-1957-06": "/id/event/presidium-session-1957-06",
    "vote": "/id/vote/removal-vote-1957-06",
    "sentence": "/id/source/lvwiki/s25",
    "ontology": "/ontology",
    "query-page": "/sparql",
    "results": "/sparql?query=" + quote("SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3"),
    "search": "/search?q=Molotov",
    "downloads": "/download",
    "corrections": "/corrections",
    "fragments": "/fragments",
}

# The text the reader sees, without the data (see above): text nodes that are rendered (checkVisibility; SVG
# text by its boxes), whose nearest language is the page's, outside links to resources, program text, the
# citation line and RDF terms as written (td.iri: the fragments table).
VISIBLE_INTERFACE_TEXT = """(pageLang) => {
  const data = 'script, style, pre, code, textarea, a[href^="/id/"], a[href^="/doc/"], #cite-line, td.iri';
  const parts = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest(data)) continue;
    const lang = el.closest('[lang]');
    if (lang && lang.getAttribute('lang') !== pageLang) continue;
    const shown = el.closest('svg') ? el.getClientRects().length > 0 : el.checkVisibility();
    if (shown) parts.push(n.textContent);
  }
  return parts.join(' ');
}"""

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
PLACEHOLDER = re.compile(r"\{\w+\}")


def english_interface_texts(lang: str = "ru") -> list[tuple[str, str, str]]:
    """(group, key, English piece) for every English text that ``lang``'s catalogue writes differently; a
    text with placeholders gives its pieces between them. Pieces without a Latin word (punctuation, numbers)
    and texts written alike in both (SPARQL, VoID, IRI) cannot tell the languages apart and are left out."""
    en, other = i18n.messages("en"), i18n.messages(lang)
    out = []
    for (group, key), text in sorted(en.items()):
        if other.get((group, key)) == text:
            continue
        out += [(group, key, piece.strip()) for piece in PLACEHOLDER.split(text) if LATIN_WORD.search(piece)]
    return out


def found_in(piece: str, text: str) -> bool:
    """``piece`` as words of ``text``: not inside a longer word, a CURIE, a path or a file name."""
    return re.search(rf"(?<![\w\-:/#.]){re.escape(piece)}(?![\w\-:/#])", text) is not None


def test_the_comparison_finds_an_english_interface_word():
    texts = english_interface_texts()
    assert ("page", "home", "Home") in texts and not any(key == "sparql" for _, key, _ in texts)
    assert found_in("Downloads", "Home · Downloads · SPARQL") and not found_in("date", "dcterms:date")


def _no_english_interface_word(page, live, name: str, lang: str) -> str:
    path = PAGES[name]
    response = page.goto(live.url + path + ("&" if "?" in path else "?") + f"lang={lang}")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == lang
    text = page.evaluate(VISIBLE_INTERFACE_TEXT, lang)
    page.shot(f"{lang}-{name}")
    left = sorted({(g, k, p) for g, k, p in english_interface_texts(lang) if found_in(p, text)})
    assert not left, [(g, k, p, text[max(0, text.find(p) - 60):text.find(p) + 60]) for g, k, p in left]
    assert not page.foreign, page.foreign
    assert not page.errors, page.errors
    return text


@pytest.mark.parametrize("name", PAGES)
def test_a_russian_page_has_no_english_interface_word(page, live, name):
    text = _no_english_interface_word(page, live, name, "ru")
    assert len(re.findall(r"[а-яё]+", text, re.IGNORECASE)) > 20, text[:500]  # Russian words are shown


@pytest.mark.parametrize("name", ["landing", "person-khrushchev", "session-presidium-1957-06", "ontology"])
def test_a_latvian_page_has_no_english_interface_word(page, live, name):
    text = _no_english_interface_word(page, live, name, "lv")
    assert i18n.strings("lv")["downloads"] in text or i18n.strings("lv", "ontology")["contents"] in text
