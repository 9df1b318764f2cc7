"""The query page at /sparql over HTTP (the browser tests in tests/browser/ drive it in Chromium): which
requests get HTML rather than the service description, the YASGUI files it loads from this server, and the
plain form when they are not installed."""
import gzip
import re
from pathlib import Path

import pytest
import requests
from liveserver import clean_env, start, stop

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
ROOT = Path(__file__).resolve().parent.parent.parent
YASGUI = ROOT / "node_modules" / "@zazuko" / "yasgui" / "build"
needs_yasgui = pytest.mark.skipif(not (YASGUI / "yasgui.min.js").is_file(),
                                  reason="node_modules missing: run make setup (npm ci)")


@pytest.mark.parametrize("headers, params", [
    ({"Accept": BROWSER}, {}),
    ({"Accept": "text/html"}, {}),
    ({"Accept": "application/xhtml+xml"}, {}),
    ({"Accept": "text/turtle;q=0.5, text/html"}, {}),
    ({}, {"format": "html"}),
    ({"Accept": "text/turtle"}, {"format": "html"}),
    ({"Accept": BROWSER}, {"format": "text/html"}),
])
def test_html_wanted_gets_the_query_page(server, headers, params):
    r = requests.get(server.endpoint, headers=headers, params=params, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>SPARQL query</h1>" in r.text
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in r.headers["Vary"].split(",")}


@pytest.mark.parametrize("headers, params, media_type", [
    ({}, {}, "text/turtle"),
    ({"Accept": "*/*"}, {}, "text/turtle"),
    ({"Accept": "text/html, text/turtle"}, {}, "text/turtle"),  # a tie keeps the description
    ({"Accept": "text/html;q=0.5, application/ld+json"}, {}, "application/ld+json"),
    ({"Accept": BROWSER}, {"format": "ttl"}, "text/turtle"),
    ({"Accept": "text/html"}, {"format": "jsonld"}, "application/ld+json"),
])
def test_rdf_wanted_gets_the_service_description(server, headers, params, media_type):
    r = requests.get(server.endpoint, headers=headers, params=params, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{media_type}; charset=utf-8"


def test_a_query_with_a_browser_accept_is_answered_with_a_results_page(server):
    """(tests/server/test_results_page.py has the table itself.)"""
    r = requests.get(server.endpoint, params={"query": "ASK {}"}, headers={"Accept": BROWSER}, timeout=30)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert 'id="results-boolean"' in r.text
    xml = requests.get(server.endpoint, params={"query": "ASK {}", "format": "xml"},
                       headers={"Accept": BROWSER}, timeout=30)
    assert xml.headers["Content-Type"] == "application/sparql-results+xml; charset=utf-8"
    assert "<boolean>true</boolean>" in xml.text


def test_the_page_lists_every_competency_query(server):
    page = requests.get(server.endpoint, headers={"Accept": "text/html"}, timeout=30).text
    for rq in sorted((ROOT / "queries").glob("*.rq")):
        question = rq.read_text(encoding="utf-8").splitlines()[0].lstrip("#").strip()
        assert question.replace("'", "\\u0027") in page or question.replace("'", "&#39;") in page, question


def test_the_page_speaks_the_asked_language(server):
    lv = requests.get(server.endpoint, params={"lang": "lv"}, headers={"Accept": "text/html"}, timeout=30)
    assert '<html lang="lv"' in lv.text and "SPARQL vaicājums" in lv.text
    ru = requests.get(server.endpoint, headers={"Accept": "text/html", "Accept-Language": "ru"}, timeout=30)
    assert '<html lang="ru"' in ru.text and "Запрос SPARQL" in ru.text


@needs_yasgui
def test_yasgui_is_served_from_this_server(server):
    page = requests.get(server.endpoint, headers={"Accept": BROWSER}, timeout=30).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [s for s in sources if s.startswith("/static/yasgui/")]
    assert {a.split("?")[0] for a in assets} == {"/static/yasgui/yasgui.min.js",
                                                 "/static/yasgui/yasgui.min.css"}
    assert not [s for s in re.findall(r'src="([^"]+)"', page) if not s.startswith("/")]
    for asset, media_type in zip(sorted(assets), ("text/css", "text/javascript"), strict=True):
        r = requests.get(server.url + asset, timeout=30)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == f"{media_type}; charset=utf-8"
        assert r.content == (YASGUI / asset.split("?")[0].rsplit("/", 1)[1]).read_bytes()
        assert "max-age" in r.headers["Cache-Control"]
    assert requests.get(server.url + "/static/yasgui/yasgui.esm.js", timeout=30).status_code == 404
    assert requests.get(server.url + "/static/yasgui/..%2Fpackage.json", timeout=30).status_code == 404


@pytest.fixture(scope="module")
def server_without_yasgui(dist, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("no-yasgui")
    srv = start(dist, tmp / "serve.log", env=clean_env(APG_WORKERS=1, APG_YASGUI_DIR=tmp / "missing"))
    yield srv
    stop(srv)
    assert "Traceback" not in srv.log_text()


def test_without_yasgui_the_page_is_a_plain_form(server_without_yasgui):
    srv = server_without_yasgui
    r = requests.get(srv.endpoint, headers={"Accept": BROWSER}, timeout=30)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "/static/yasgui/" not in r.text
    # the search box's local script (every page has it) and one JSON-LD data block: no other code
    assert sorted(re.findall(r"<script[^>]*>", r.text)) == [
        '<script src="/static/search/search.js" defer="defer">', '<script type="application/ld+json">']
    assert 'id="no-editor"' in r.text and "npm ci" in r.text
    assert re.search(r'<form method="get" action="/sparql"', r.text)
    assert re.search(r'<textarea [^>]*name="query"', r.text)
    assert requests.get(srv.url + "/static/yasgui/yasgui.min.js", timeout=30).status_code == 404
    # what the form sends: "as the browser asks" (format= empty) is the HTML results page
    answer = requests.get(srv.endpoint, params={"query": "ASK {}", "format": ""}, headers={"Accept": BROWSER},
                          timeout=30)
    assert answer.status_code == 200 and 'id="results-boolean"' in answer.text
    answer = requests.get(srv.endpoint, params={"query": "ASK {}", "format": "xml"},
                          headers={"Accept": BROWSER}, timeout=30)
    assert answer.status_code == 200 and "<boolean>true</boolean>" in answer.text


def test_format_html_with_a_query_opens_the_query_page_with_it(server):
    import requests

    q = "ASK { ?s ?p ?o }"
    page = requests.get(server.endpoint, params={"query": q, "format": "html"}, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "ASK { ?s ?p ?o }" in page.text
    plain = requests.get(server.endpoint, params={"query": q},
                         headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert plain.json()["boolean"] is True


@needs_yasgui
@pytest.mark.parametrize("name", ["yasgui.min.js", "yasgui.min.css"])
def test_yasgui_files_are_sent_compressed_with_working_validators(server, name):
    url = f"{server.url}/static/yasgui/{name}"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
    assert "Content-Encoding" not in plain.headers
    assert plain.content == (YASGUI / name).read_bytes()
    packed = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=30, stream=True)
    body = packed.raw.read()
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(body) < len(plain.content) / 2 and gzip.decompress(body) == plain.content
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + ':gzip"'
    for encoding, etag in (("gzip", packed.headers["ETag"]), ("identity", plain.headers["ETag"])):
        again = requests.get(url, headers={"Accept-Encoding": encoding, "If-None-Match": etag}, timeout=30)
        assert again.status_code == 304, encoding
    # the validator of one encoding does not match the other
    headers = {"Accept-Encoding": "identity", "If-None-Match": packed.headers["ETag"]}
    other = requests.get(url, headers=headers, timeout=30)
    assert other.status_code == 200 and other.content == plain.content
