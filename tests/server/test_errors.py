"""No 500s from request paths (issue 11, item 3): a path that makes no IRI (``/id/a%3Eb``, ``%00``, CR,
``{}``, ``\\``, invalid UTF-8) is a 404, and the pages' own queries are constant texts, the page's IRI
bound as a checked term."""
import http.client
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest

from server.site import views
from server.store import OxigraphStore

BASE = "https://w3id.org/apg-kg/"
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def raw_get(server, path: str, headers=None) -> tuple[int, dict, bytes]:
    """GET ``path`` exactly as given (http.client does not re-encode it)."""
    netloc = urlsplit(server.url).netloc
    conn = http.client.HTTPConnection(netloc, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()  # header names case-insensitive
    finally:
        conn.close()


NOT_IRIS = [
    "/id/person/a%3Eb", "/doc/person/a%20b", "/doc/person/a%7Bb.ttl", "/id/x%22y", "/id/x%00y", "/id/x%0Dy",
    "/doc/x%7B%7Dy", "/id/x%5Cy", "/id/x%FFy", "/doc/person/a%FF%FE.nt", "/doc/x%60y.jsonld", "/id/x%7Cy",
    "/doc/x%5Ey", "/id/person/khrushchev%3E", "/doc/person/%E2%80%A8x", "/doc/person/a%1Bb.html",
]


@pytest.mark.parametrize("path", NOT_IRIS)
@pytest.mark.parametrize("accept", ["text/html", "text/turtle", "*/*"])
def test_paths_that_make_no_iri_are_404(server, path, accept):
    status, headers, body = raw_get(server, path, {"Accept": accept})
    assert status == 404, (status, body[:300])
    text = body.decode("utf-8")
    assert "Traceback" not in text
    assert not CONTROL.search(text), text  # the 404 never echoes raw control characters
    if headers["Content-Type"].startswith("text/html"):
        ET.fromstring(body)  # still well-formed (a raw NUL would not be)
    else:
        assert text.startswith("404 Not Found: nothing is known about https://w3id.org/apg-kg/")
    assert "Traceback" not in server.log_text()


def test_known_things_still_answer(server):
    status, _, _ = raw_get(server, "/id/person/khrushchev")
    assert status == 303
    status, headers, body = raw_get(server, "/doc/person/khrushchev.ttl")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")


def test_views_refuse_invalid_iris_before_any_query(dist):
    store = OxigraphStore(dist)
    with pytest.raises(ValueError):
        views.resource_view(store, BASE + "id/person/a>b")


class RecordingStore:
    """An OxigraphStore that records every query text it is asked."""

    def __init__(self, store):
        self._store, self.texts = store, []

    def __getattr__(self, name):
        return getattr(self._store, name)

    def query(self, sparql, **kwargs):
        self.texts.append(sparql)
        return self._store.query(sparql, **kwargs)


PAGES = ["person/khrushchev", "person/molotov", "event/presidium-session-1957-06",
         "vote/removal-vote-1957-06", "decision/plenum-resolution-1957-06-29", "source/lvwiki/s25",
         "vote/removal-vote-1957-06/count-yes", "holding/molotov-foreign-minister", "organization/presidium"]


@pytest.mark.parametrize("page", PAGES)
def test_page_queries_are_constant_texts(dist, page):
    """No IRI of the dataset (so no request text) is ever written into a page query: the page's IRI is bound
    through substitutions."""
    store = RecordingStore(OxigraphStore(dist))
    view = views.resource_view(store, BASE + "id/" + page, "lv")
    assert view is not None and store.texts
    for text in store.texts:
        assert BASE + "id/" not in text, text
        assert "SERVICE" not in text.upper()


def test_other_404s_do_not_echo_control_characters(server):
    for path in ("/static/yasgui/a%12b%00c", "/download/x%1B%5B2J", "/graph/x%0D%07"):
        status, _, body = raw_get(server, path, {"Accept": "text/plain"})
        assert status == 404, (path, status)
        assert not CONTROL.search(body.decode("utf-8")), body
