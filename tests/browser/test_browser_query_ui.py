"""The query page in a real browser: YASGUI from this server, the competency queries as tabs, queries answered
by this endpoint, no request to any other host; and the plain form when YASGUI or JavaScript is missing."""
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

QUERIES = Path(__file__).resolve().parent.parent.parent / "queries"
CORE = ("Georgy Malenkov", "Vyacheslav Molotov", "Lazar Kaganovich")


def examples() -> list[tuple[str, str, int]]:
    """(stem, question, expected row count) of each queries/*.rq."""
    out = []
    for rq in sorted(QUERIES.glob("*.rq")):
        first = rq.read_text(encoding="utf-8").splitlines()[0]
        expected = json.loads(rq.with_suffix(".expected.json").read_text(encoding="utf-8"))
        out.append((rq.stem, first.lstrip("#").strip(), len(expected) if isinstance(expected, list) else 1))
    return out


def open_yasgui(page, live):
    response = page.goto(live.endpoint)
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/html")
    page.wait_for_function("window.apgYasgui && window.apgYasgui.getTab() "
                           "&& window.apgYasgui.getTab().getYasqe()")


def test_yasgui_loads_with_the_competency_queries_as_tabs(page, live):
    open_yasgui(page, live)
    names = page.locator(".yasgui .tabsList .tab > a > span:first-child").all_inner_texts()
    names = [n.strip() for n in names if n.strip()]
    assert names == [question for _, question, _ in examples()]
    active = page.evaluate("window.apgYasgui.getTab().getName()")
    assert active == examples()[0][1]
    config = page.evaluate("""() => {
        const tab = window.apgYasgui.getTab();
        return {endpoint: tab.getEndpoint(), autocompleters: tab.getYasqe().config.autocompleters,
                prefixCcApi: tab.getYasqe().config.prefixCcApi || null,
                value: tab.getYasqe().getValue()};
    }""")
    assert config["endpoint"] == live.endpoint
    assert "property" not in config["autocompleters"] and "class" not in config["autocompleters"]
    assert config["prefixCcApi"] is None
    assert config["value"] == (QUERIES / "01-core-members.rq").read_text(encoding="utf-8")
    page.shot("yasgui-loaded")
    assert not page.errors, page.errors
    assert not page.foreign, page.foreign


def test_yasgui_runs_the_core_members_query(page, live):
    open_yasgui(page, live)
    with page.expect_response(lambda r: r.url == live.endpoint and r.request.method == "POST") as answer:
        page.locator(".yasqe_queryButton").first.click()
    assert answer.value.status == 200
    assert answer.value.headers["content-type"].startswith("application/sparql-results+json")
    table = page.locator(".yasr table.dataTable")
    table.wait_for()
    for name in CORE:
        assert table.get_by_text(name).count() >= 1, name
    assert table.locator("tbody tr").count() == 3
    page.shot("yasgui-core-members")
    assert not page.errors, page.errors
    assert not page.foreign, page.foreign


def test_every_example_tab_gets_its_expected_number_of_rows(page, live):
    open_yasgui(page, live)
    counts = page.evaluate("""async () => {
        const yasgui = window.apgYasgui, out = {};
        for (const id of yasgui.persistentConfig.getTabs()) {
            yasgui.selectTabId(id);
            const tab = yasgui.getTab();
            await tab.query();
            const results = tab.getYasr().results;
            out[tab.getName()] = results.getType() === "ask" ? 1 : results.getBindings().length;
        }
        return out;
    }""")
    assert counts == {question: rows for _, question, rows in examples()}
    assert not page.errors, page.errors
    assert not page.foreign, page.foreign


def type_with_completion(page) -> None:
    """Type a query with autocompletion asked for a prefix, a class and a property."""
    page.locator(".yasqe .CodeMirror").first.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("PREFIX fo")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(300)
    page.keyboard.press("Escape")
    page.keyboard.type("af: <http://xmlns.com/foaf/0.1/>\nSELECT * WHERE { ?s a foaf:Pe")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(500)
    page.keyboard.type("rson ; foaf:na")
    page.keyboard.press("Control+Space")
    page.wait_for_timeout(1500)


def test_no_request_leaves_the_server_even_while_typing(page, live):
    """Autocompletion of prefixes, classes and properties: the bundle would ask LOV (lov.linkeddata.es) for
    classes and properties; here it may only use what it carries."""
    open_yasgui(page, live)
    type_with_completion(page)
    page.shot("yasgui-typing")
    assert "foaf:Person" in page.evaluate("window.apgYasgui.getTab().getYasqe().getValue()")
    assert not page.foreign, page.foreign
    hosts = {urlsplit(u).netloc for u in page.requests if u.startswith("http")}
    assert hosts == {urlsplit(live.url).netloc}, hosts


def test_the_foreign_request_check_catches_the_bundles_lov_completers(page, live):
    """Control for the test above: with YASGUI's own class and property completers switched back on, the same
    typing asks lov.linkeddata.es (the request is aborted by the test's router, so it never leaves)."""
    open_yasgui(page, live)
    page.evaluate("""() => {
        const yasqe = window.apgYasgui.getTab().getYasqe();
        yasqe.enableCompleter("class");
        yasqe.enableCompleter("property");
    }""")
    type_with_completion(page)
    assert {urlsplit(u).hostname for u in page.foreign} == {"lov.linkeddata.es"}, page.foreign
    page.foreign.clear()


def test_without_yasgui_files_the_page_is_a_plain_form_that_works(page, live_without_yasgui):
    response = page.goto(live_without_yasgui.endpoint)
    assert response.status == 200
    assert page.locator("#no-editor").is_visible()
    assert page.locator("#plain-examples li").count() == len(examples())
    page.shot("plain-form-no-yasgui")
    page.select_option("#plain-query-format", "json")
    with page.expect_navigation():
        page.locator("#plain-query button[type=submit]").click()
    body = json.loads(page.locator("body").inner_text())
    assert {b["name"]["value"] for b in body["results"]["bindings"]} == set(CORE)
    assert not page.foreign, page.foreign
    # the page asked for nothing it does not have
    assert not [u for u in page.requests if "/static/yasgui/" in u]


def test_without_javascript_the_noscript_form_works(page_without_js, live):
    page = page_without_js
    response = page.goto(live.endpoint)
    assert response.status == 200
    assert page.locator("#plain-query").is_visible()
    page.shot("plain-form-no-javascript")
    page.select_option("#plain-query-format", "json")
    with page.expect_navigation():
        page.locator("#plain-query button[type=submit]").click()
    body = json.loads(page.locator("body").inner_text())
    assert {b["name"]["value"] for b in body["results"]["bindings"]} == set(CORE)
    assert not page.foreign, page.foreign


@pytest.mark.parametrize("accept", ["*/*", "text/turtle", "application/ld+json"])
def test_rdf_clients_still_get_the_service_description(page, live, accept):
    """Not a browser navigation: the page's own fetch with an RDF Accept header gets the description."""
    page.goto(live.url + "/healthz")
    result = page.evaluate("""async ([url, accept]) => {
        const r = await fetch(url, {headers: {Accept: accept}});
        return [r.status, r.headers.get("content-type"), (await r.text()).length];
    }""", [live.endpoint, accept])
    status, content_type, size = result
    assert status == 200 and size > 0
    assert content_type.startswith(accept if accept == "application/ld+json" else "text/turtle")


def test_landing_page_run_link_opens_the_query_in_yasgui(page, live):
    """The landing page's example links open the query page with that query as the first tab."""
    assert page.goto(live.url + "/").status == 200
    page.locator("a", has_text="run").first.click()
    page.wait_for_function("window.apgYasgui && window.apgYasgui.getTab() "
                           "&& window.apgYasgui.getTab().getYasqe()")
    value = page.evaluate("window.apgYasgui.getTab().getYasqe().getValue()")
    assert value == (QUERIES / "01-core-members.rq").read_text(encoding="utf-8")
    with page.expect_response(lambda r: r.url == live.endpoint and r.request.method == "POST") as answer:
        page.locator(".yasqe_queryButton").first.click()
    assert answer.value.status == 200
    page.locator(".yasr table.dataTable").wait_for()
    text = page.locator(".yasr table.dataTable").inner_text()
    assert all(name in text for name in CORE)
    page.shot("landing-run-link-yasgui")
    assert not page.foreign, page.foreign
