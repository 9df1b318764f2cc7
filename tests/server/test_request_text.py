"""Request text as the protocol says (issue 11, items 2 and 3): UTF-8 only (415 for another charset, 400 for
bytes that are not UTF-8, W3C protocol test bad_query_non_utf8), and the query page's length limit."""
import pytest
import requests
from liveserver import MAX_QUERY_LENGTH
from sparqlhttp import one_line


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "UTF-16", "utf-16le", "latin-1",
                                     "x-nope", "utf-32"])
def test_query_bodies_in_another_charset_are_415(server, charset):
    """W3C protocol test bad_query_non_utf8: a 4xx; a body is UTF-8 or nothing."""
    headers = {"Content-Type": f"application/sparql-query; charset={charset}"}
    resp = requests.post(server.endpoint, data=b"ASK {}", headers=headers, timeout=30)
    assert "UTF-8" in one_line(resp, 415)
    form = {"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"}
    one_line(requests.post(server.endpoint, data=b"query=ASK+%7B%7D", headers=form, timeout=30), 415)


@pytest.mark.parametrize("content_type", [
    "application/sparql-query", "application/sparql-query; charset=utf-8",
    "application/sparql-query; charset=UTF-8", 'application/sparql-query; charset="utf-8"'])
def test_utf8_bodies_are_answered(server, content_type):
    resp = requests.post(server.endpoint, data="ASK { ?s ?p 'Хрущёв' }".encode(),
                         headers={"Content-Type": content_type}, timeout=30)
    assert resp.status_code == 200 and resp.json()["boolean"] is False


def test_bytes_that_are_not_utf8_are_400(server):
    ep = server.endpoint
    direct = {"Content-Type": "application/sparql-query"}
    text = one_line(requests.post(ep, data=b"ASK { \xff }", headers=direct, timeout=30), 400)
    assert "not valid UTF-8" in text
    text = one_line(requests.post(ep, data="ASK {}".encode("utf-16"), headers=direct, timeout=30), 400)
    assert "not valid UTF-8" in text
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    text = one_line(requests.post(ep, data=b"query=ASK%20%7B%FF%7D", headers=form, timeout=30), 400)
    assert "'query' parameter in the form body is not valid UTF-8" in text
    # in the URL: Werkzeug would keep the bad byte as the text "%FF" and the query would change
    text = one_line(requests.get(ep + "?query=ASK%20%7B%FF%7D", timeout=30), 400)
    assert "'query' parameter in the URL is not valid UTF-8" in text
    one_line(requests.get(ep + "?query=ASK%20%7B%7D&format=%C3", timeout=30), 400)
    # U+FFFD itself, sent as UTF-8, is a character like any other
    resp = requests.get(ep, params={"query": "ASK { ?s ?p '\ufffd' }"}, timeout=30)
    assert resp.status_code == 200


def test_query_page_obeys_the_length_limit(server):
    ep = server.endpoint
    text = one_line(requests.get(ep, params={"format": "html", "query": "#" * (MAX_QUERY_LENGTH + 1)},
                                 timeout=30), 413)
    assert str(MAX_QUERY_LENGTH) in text
    resp = requests.get(ep, params={"format": "html", "query": "#" * MAX_QUERY_LENGTH}, timeout=30)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
