"""X-Forwarded-* headers, against the real server: believed only when ``APG_PROXY_FIX`` says how many reverse
proxies are in front (Werkzeug's ProxyFix), so the service description names the public endpoint behind a
proxy, and a server reached directly cannot be told another host by any client. The whole chain (w3id.org
rules, Apache reverse proxy) is tests/server/test_w3id_apache.py."""
import pytest
import requests
from liveserver import clean_env, start, stop
from rdflib import Graph, URIRef

SD = "http://www.w3.org/ns/sparql-service-description#"
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "apg-kg.example.org",
             "X-Forwarded-For": "192.0.2.7", "Accept": "text/turtle"}


@pytest.fixture(scope="module")
def proxied(dist, tmp_path_factory):
    srv = start(dist, tmp_path_factory.mktemp("proxied") / "serve.log",
                env=clean_env(APG_WORKERS=1, APG_PROXY_FIX=1))
    yield srv
    stop(srv)


def _endpoints(resp) -> set[str]:
    g = Graph().parse(data=resp.content, format="turtle")
    return {str(o) for o in g.objects(None, URIRef(SD + "endpoint"))}


def test_behind_a_trusted_proxy_the_service_description_names_the_public_endpoint(proxied):
    resp = requests.get(proxied.url + "/sparql", headers=FORWARDED, timeout=30)
    assert _endpoints(resp) == {"https://apg-kg.example.org/sparql"}
    # the same request straight to the server (no proxy headers) is another answer, not the cached one
    direct = requests.get(proxied.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    assert _endpoints(direct) == {proxied.url + "/sparql"}


def test_without_proxy_fix_forwarded_headers_are_ignored(server):
    resp = requests.get(server.url + "/sparql", headers=FORWARDED, timeout=30)
    assert _endpoints(resp) == {server.url + "/sparql"}


def test_a_bad_proxy_fix_setting_stops_start_up(dist, tmp_path):
    with pytest.raises(RuntimeError, match="APG_PROXY_FIX"):
        start(dist, tmp_path / "serve.log", env=clean_env(APG_PROXY_FIX="many"))
