"""Search (server/site/search.py) over HTTP against the real server: the box in every page's header, the
results page grouped by kind with snippets, the suggestions as you type, and bad input."""
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import requests
from liveserver import apg, clean_env, start, stop

XHTML = "{http://www.w3.org/1999/xhtml}"


class Results(HTMLParser):
    """The groups of a results page: {kind: [(href, label)]}, and the snippets' text."""

    def __init__(self):
        super().__init__()
        self.groups: dict[str, list] = {}
        self.kind = None
        self.href = None
        self.text = ""
        self.snippets: list[str] = []
        self.in_snippet = 0
        self.marks: list[str] = []
        self.in_mark = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and "data-kind" in a:
            self.kind = a["data-kind"]
            self.groups[self.kind] = []
        elif tag == "a" and self.kind and "href" in a and not self.in_snippet:
            self.href, self.text = a["href"], ""
        elif tag == "span" and "snippet" in a.get("class", ""):
            self.in_snippet = 1
            self.snippets.append("")
        elif tag == "mark":
            self.in_mark = True
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag == "a" and self.href is not None:
            self.groups[self.kind].append((self.href, self.text))
            self.href = None
        elif tag == "span" and self.in_snippet:
            self.in_snippet = 0
        elif tag == "mark":
            self.in_mark = False
        elif tag == "section":
            self.kind = None

    def handle_data(self, data):
        if self.href is not None:
            self.text += data
        if self.in_snippet:
            self.snippets[-1] += data
        if self.in_mark:
            self.marks[-1] += data


def search(server, q, **params) -> Results:
    r = requests.get(server.url + "/search", params={"q": q, **params}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/html")
    ET.fromstring(r.text)  # well-formed, like every page
    parsed = Results()
    parsed.feed(r.text)
    return parsed


@pytest.mark.parametrize("q, first", [
    ("Hrushchev", "/id/person/khrushchev"),  # a transliteration nobody wrote into the graph
    ("Хрущев", "/id/person/khrushchev"),  # Cyrillic without ё
    ("Хрущов", "/id/person/khrushchev"),  # misspelt
    ("Mikojans", "/id/person/mikoyan"),
    ("Mikoyan", "/id/person/mikoyan"),
    ("Шепилов", "/id/person/shepilov"),
    ("Molotow", "/id/person/molotov"),
    ("Molotof", "/id/person/molotov"),  # typos that change the key: found by the key trigrams
    ("Pervuhkin", "/id/person/pervukhin"),
])
def test_names_in_any_spelling_find_the_person_first(server, q, first):
    page = search(server, q)
    assert list(page.groups)[0] == "person"
    assert page.groups["person"][0][0] == first


@pytest.mark.parametrize("q, kind, href", [
    ("Presidium", "organization", "/id/organization/presidium"),
    ("ЦК КПСС", "organization", "/id/organization/central-committee"),
    ("First Secretary", "post", "/id/post/first-secretary"),
    ("Finland", "event", "/id/event/finland-visit-1957-06"),
    ("plenum", "session", "/id/event/cc-plenum-1957-06"),
    ("removal vote", "vote", "/id/vote/removal-vote-1957-06"),
    ("resolution", "decision", "/id/decision/plenum-resolution-1957-06-29"),
    ("Maskava", "place", "/id/place/moscow"),
    ("destalinization", "topic", "/id/topic/destalinization"),
    ("aviācijas lidmašīnas", "sentence", "/id/source/lvwiki/s32"),  # words of a source sentence
    ("military aircraft", "sentence", "/id/source/lvwiki/s32"),  # words of its English gloss
])
def test_every_kind_is_found(server, q, kind, href):
    page = search(server, q)
    assert kind in page.groups, (q, list(page.groups))
    assert href in [h for h, _ in page.groups[kind]], (q, page.groups[kind][:5])


def test_groups_come_in_order_with_snippets(server):
    page = search(server, "Hruščovs")
    order = ["person", "organization", "post", "event", "session", "vote", "decision", "speech", "claim",
             "place", "topic", "sentence"]
    assert list(page.groups) == [k for k in order if k in page.groups]
    assert {"person", "event", "sentence"} <= set(page.groups)
    assert page.snippets and any("Hruščov" in s for s in page.snippets)


def test_sentence_snippets_mark_the_words(server):
    page = search(server, "aviācijas")
    assert "aviācijas" in page.marks
    assert any("Žukovam" in s for s in page.snippets)


def test_results_follow_the_page_language(server):
    ru = search(server, "Hrushchev", lang="ru")
    assert ru.groups["person"][0] == ("/id/person/khrushchev?lang=ru", "Никита Сергеевич Хрущёв")
    r = requests.get(server.url + "/search", params={"q": "Hrushchev", "lang": "lv"}, timeout=10)
    assert "Meklēšanas rezultāti" in r.text and "Personas" in r.text


def test_nothing_found_and_empty(server):
    r = requests.get(server.url + "/search", params={"q": "qqqqxxxzzz"}, timeout=10)
    assert r.status_code == 200 and 'class="none"' in r.text
    r = requests.get(server.url + "/search", timeout=10)
    assert r.status_code == 200 and "Type a name" in r.text


def test_the_box_is_on_every_page_and_works_without_javascript(server):
    """A plain GET form to /search in the header of every page, and a small local script (no CDN)."""
    for path in ("/", "/id/person/khrushchev", "/download", "/corrections", "/id/nothing/here"):
        r = requests.get(server.url + path, headers={"Accept": "text/html"}, timeout=10)
        form = re.search(r'<form class="search" role="search" action="/search" method="get">(.*?)</form>',
                         r.text, re.S)
        assert form and 'name="q"' in form.group(1), path
        # the only code is the search script; a schema.org JSON-LD data block (never run) may sit beside it
        scripts = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", r.text, re.S)
                   if s[0] != ' type="application/ld+json"']
        assert scripts == [(' src="/static/search/search.js" defer="defer"', "")], (path, scripts)
    js = requests.get(server.url + "/static/search/search.js", timeout=10)
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    assert "http://" not in js.text and "https://" not in js.text and "/search/suggest" not in js.text


def test_suggestions(server):
    r = requests.get(server.url + "/search/suggest", params={"q": "Хрущ"}, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/x-suggestions+json")
    q, labels, kinds, urls = r.json()
    assert q == "Хрущ" and labels[0] == "Nikita Khrushchev" and kinds[0] == "Persons"
    assert urls[0] == "/id/person/khrushchev" and len(labels) == len(kinds) == len(urls) <= 8
    q, labels, kinds, urls = requests.get(server.url + "/search/suggest", params={"q": "Mikoj", "lang": "ru"},
                                          timeout=10).json()
    assert labels[0] == "Анастас Иванович Микоян" and urls[0] == "/id/person/mikoyan?lang=ru"
    empty = requests.get(server.url + "/search/suggest", params={"q": ""}, timeout=10)
    assert empty.json() == ["", [], [], []]


def test_opensearch_description(server):
    r = requests.get(server.url + "/opensearch.xml", timeout=10)
    root = ET.fromstring(r.content)
    urls = [u.get("template") for u in root.iter("{http://a9.com/-/spec/opensearch/1.1/}Url")]
    assert urls == [server.url + "/search?q={searchTerms}", server.url + "/search/suggest?q={searchTerms}"]


@pytest.mark.parametrize("path, params", [
    ("/search", {"q": "x" * 201}),
    ("/search/suggest", {"q": "x" * 201}),
    ("/search", {"q": "a\x00b"}),
    ("/search/suggest", {"q": "a\x1bb"}),
])
def test_bad_input_is_a_400_with_one_line(server, path, params):
    r = requests.get(server.url + path, params=params, timeout=10)
    assert r.status_code == 400 and r.text.count("\n") == 1, r.text


@pytest.mark.parametrize("q", ['"', "'", "*", "NEAR(a b)", "a OR", "^", "x:y", "(((", "AND", "-", "ё", "ß",
                               "𝔐olotov", "\u200b", "Molotov\u0301", "١٢٣", "ЦК*"])
def test_text_that_means_something_to_fts5_is_just_text(server, q):
    for path in ("/search", "/search/suggest"):
        r = requests.get(server.url + path, params={"q": q}, timeout=10)
        assert r.status_code == 200, (q, r.text)
    assert json.loads(requests.get(server.url + "/search/suggest", params={"q": "Molotov*"},
                                   timeout=10).text)[3][0] == "/id/person/molotov"


def _copy(dist, tmp_path, with_index: bool):
    out = tmp_path / "dist"
    out.mkdir()
    for name in ("manifest.json", "dataset.nq") + (("search.sqlite",) if with_index else ()):
        shutil.copy(dist / name, out / name)
    return out


def test_a_broken_index_stops_the_server_with_one_line(dist, tmp_path):
    copy = _copy(dist, tmp_path, with_index=True)
    with open(copy / "search.sqlite", "r+b") as f:
        f.write(b"not a database")
    done = subprocess.run([apg(), "serve", "--dist", str(copy), "--port", "1"], capture_output=True,
                          text=True, timeout=60, env=clean_env(), stdin=subprocess.DEVNULL)
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert done.returncode == 4 and len(lines) == 1 and "search.sqlite does not match" in lines[0], lines


def test_a_build_without_an_index_serves_and_says_so(dist, tmp_path):
    srv = start(_copy(dist, tmp_path, with_index=False), tmp_path / "serve.log")
    try:
        for path in ("/search?q=Molotov", "/search/suggest?q=Mol", "/reconcile?queries=" + json.dumps(
                {"q": {"query": "Molotov"}})):
            r = requests.get(srv.url + path, timeout=10)
            assert r.status_code == 503 and "rebuild" in r.text and r.text.count("\n") == 1, (path, r.text)
        assert requests.get(srv.url + "/id/person/molotov", timeout=10).status_code == 200
    finally:
        stop(srv)
    assert "Traceback" not in srv.log_text()
