"""Retired IRIs keep resolving: the real server answers the old IRI of a slug that changed
(dist/redirects.json, ``<old> dcterms:isReplacedBy <new>``) with 301 Moved Permanently to the new IRI's
same form."""
import json

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS


@pytest.fixture
def server(any_server):
    """Every test here runs over the embedded store and each external engine (tests/server/conftest.py)."""
    return any_server

BASE = "https://w3id.org/apg-kg/"
OLD, NEW = "event/tito-visit-moscow-1955", "event/tito-visit-moscow-1956"


def get(server, path, **headers):
    return requests.get(server.url + path, headers=headers, allow_redirects=False, timeout=30)


def test_the_build_retires_the_old_tito_slug(dist):
    redirects = json.loads((dist / "redirects.json").read_text(encoding="utf-8"))
    assert redirects[BASE + "id/" + OLD] == BASE + "id/" + NEW
    data = Graph().parse(dist / "data.nt")
    assert (URIRef(BASE + "id/" + OLD), DCTERMS.isReplacedBy, URIRef(BASE + "id/" + NEW)) in data


@pytest.mark.parametrize(
    ("path", "target"),
    [
        (f"/id/{OLD}", f"/id/{NEW}"),
        (f"/id/{OLD}?lang=lv", f"/id/{NEW}?lang=lv"),
        (f"/doc/{OLD}", f"/doc/{NEW}"),
        (f"/doc/{OLD}.ttl", f"/doc/{NEW}.ttl"),
        (f"/doc/{OLD}.html", f"/doc/{NEW}.html"),
    ],
)
def test_old_iri_moved_permanently(server, path, target):
    resp = get(server, path, Accept="text/turtle")
    assert resp.status_code == 301, (path, resp.status_code)
    assert resp.headers["Location"].removeprefix(server.url) == target
    # and the new IRI answers as usual
    final = requests.get(server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert final.status_code == 200
    assert final.url.split("?")[0].removeprefix(server.url).startswith(f"/doc/{NEW}")


def test_the_new_iri_and_others_are_not_moved(server):
    assert get(server, f"/id/{NEW}").status_code == 303
    assert get(server, "/id/person/khrushchev").status_code == 303
    assert get(server, f"/doc/{NEW}.ttl").status_code == 200
    assert get(server, "/id/event/tito-visit-moscow-1957").status_code == 404
