"""IRIs that resolve, end to end: Debian's Apache httpd plays w3id.org (the shipped
deploy/w3id/apg-kg/.htaccess in a document root, as w3id.org's servers read the repository) and the deployment
host (deploy/apache/apg-kg.conf, included as it is), in front of a real ``apg serve`` behind the proxy
(APG_PROXY_FIX=1, as deploy/apg-kg.service sets it). Real clients dereference an IRI of every kind through the
rules, following every redirect, in every RDF format and HTML: rdflib's ``Graph().parse(iri)`` (in its own
process), raptor's ``rapper`` and curl.

How ``https://w3id.org/…`` reaches the loopback Apache, honestly: nothing on the machine is changed (no
/etc/hosts, no system CA store). The clients are given an HTTPS proxy in their environment (``https_proxy``,
which urllib, curl and libcurl read), a CONNECT tunnel in this process that sends ``w3id.org:443`` and
``apg-kg.example.org:443`` (the placeholder host of the shipped files) to Apache and refuses every other
destination. TLS is end to end, with the names of the IRIs (SNI, certificate, Host): Apache's certificate is
issued in the fixture by a throwaway CA (trustme), which rdflib (``SSL_CERT_FILE``) and curl (``--cacert``)
verify. rapper's libcurl-gnutls reads only the system CA store, which a test must not change: rapper is run
with ``wwwSslVerifyPeer=0``/``wwwSslVerifyHost=0``, the one client that does not check the certificate.
raptor has no JSON-LD parser: rapper is proven on Turtle, N-Triples, RDF/XML and its guessing mode.

Marked ``apache``; skips when /usr/sbin/apache2 is missing (unless APG_REQUIRE_APACHE=1, which .ci/run sets).
Run as root, Apache runs as nobody (its whole process, not only its children)."""
import json
import os
import pwd
import selectors
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from liveserver import HOST, clean_env, free_port, start, stop
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

pytestmark = pytest.mark.apache

REPO = Path(__file__).resolve().parents[2]
APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
HOSTNAME = "apg-kg.example.org"  # the placeholder deployment host of deploy/w3id and deploy/apache
BASE = "https://w3id.org/apg-kg/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"

# kind: (IRI, a triple the answer must hold, with None for "any"; the page the HTML lands on)
KINDS = {
    "person": (BASE + "id/person/khrushchev", None, "/doc/person/khrushchev"),
    "organisation": (BASE + "id/organization/presidium", None, "/doc/organization/presidium"),
    "session": (BASE + "id/event/presidium-session-1957-06", None, "/doc/event/presidium-session-1957-06"),
    "vote": (BASE + "id/vote/removal-vote-1957-06", None, "/doc/vote/removal-vote-1957-06"),
    "decision": (BASE + "id/decision/plenum-resolution-1957-06-29", None,
                 "/doc/decision/plenum-resolution-1957-06-29"),
    "sentence": (BASE + "id/source/lvwiki/s32", None, "/doc/source/lvwiki/s32"),
    "ontology term": (BASE + "ontology#PartyOrgan",
                      (URIRef(BASE + "ontology#PartyOrgan"), RDF.type, OWL.Class), "/ontology"),
    "named graph": (BASE + "graph/metadata", (URIRef(BASE + "dataset"), RDF.type, URIRef(VOID + "Dataset")),
                    "/download"),
    "dataset": (BASE + "dataset", (URIRef(BASE + "dataset"), RDF.type, URIRef(VOID + "Dataset")), "/"),
    "linkset": (BASE + "dataset/linkset/wikidata",
                (URIRef(BASE + "dataset/linkset/wikidata"), RDF.type, URIRef(VOID + "Linkset")), "/"),
}
# format: (Accept header a client sends, media type answered, rdflib parser name)
FORMATS = {
    "Turtle": ("text/turtle", "text/turtle", "turtle"),
    "JSON-LD": ("application/ld+json", "application/ld+json", "json-ld"),
    "N-Triples": ("application/n-triples", "application/n-triples", "nt"),
    "RDF/XML": ("application/rdf+xml", "application/rdf+xml", "xml"),
}
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RAPPER = {"Turtle": "turtle", "N-Triples": "ntriples", "RDF/XML": "rdfxml", "guessed": None}
RDFLIB = {"default": None, "Turtle": "turtle", "JSON-LD": "json-ld", "N-Triples": "nt", "RDF/XML": "xml"}


def _holds(g: Graph, kind: str) -> bool:
    iri, triple, _ = KINDS[kind]
    if triple is None:
        triple = (URIRef(iri), None, None)
    return len(g) > 0 and triple in g


# ---------------------------------------------------------------- the CONNECT tunnel


class _TunnelHandler(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        method, target, *_ = head.split(b"\r\n", 1)[0].decode("latin-1").split() + ["", ""]
        route = self.server.routes.get(target)
        if method != "CONNECT" or route is None:
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return
        self.server.seen.append(target)
        with socket.create_connection(route) as upstream:
            self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            _relay(self.request, upstream)


def _relay(a: socket.socket, b: socket.socket) -> None:
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, b)
    sel.register(b, selectors.EVENT_READ, a)
    while True:
        for key, _ in sel.select(timeout=60):
            data = key.fileobj.recv(65536)
            if not data:
                return
            key.data.sendall(data)


class Tunnel(socketserver.ThreadingTCPServer):
    """An HTTP CONNECT proxy that knows two names, both meaning the loopback Apache."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, routes: dict):
        self.routes, self.seen = routes, []
        super().__init__((HOST, 0), _TunnelHandler)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"


# ---------------------------------------------------------------- Apache httpd


CONF = """\
# w3id.org and the deployment host on one loopback port, told apart by SNI and Host (name-based vhosts).
ServerRoot "{root}"
ServerName localhost
Listen {host}:{port} https
PidFile "{root}/run/httpd.pid"
DefaultRuntimeDir "{root}/run"
Mutex file:{root}/run default
ErrorLog "{root}/logs/error.log"
LogLevel warn
LogFormat "%v %>s %m %U%q" vhost
CustomLog "{root}/logs/access.log" vhost
{modules}
StartServers 1
ServerLimit 1
ThreadsPerChild 16
MaxRequestWorkers 16
MinSpareThreads 1
MaxSpareThreads 16
Timeout 30
<Directory />
    AllowOverride None
    Require all denied
</Directory>

# w3id.org as its servers run it: the repository's directories as the document root and every .htaccess
# honoured (the w3id.org repository's own test set-up: AllowOverride All, mod_rewrite and mod_headers).
<VirtualHost {host}:{port}>
    ServerName w3id.org
    SSLEngine on
    SSLCertificateFile "{root}/tls/cert.pem"
    SSLCertificateKeyFile "{root}/tls/key.pem"
    DocumentRoot "{root}/w3id"
    <Directory "{root}/w3id">
        Options FollowSymLinks
        AllowOverride All
        Require all granted
    </Directory>
</VirtualHost>

# the deployment host: deploy/apache/apg-kg.conf as shipped, its settings given here
Define APG_HOST_NAME {hostname}
Define APG_LISTEN {host}:{port}
Define APG_BACKEND {backend}
Define APG_TLS_CERT {root}/tls/cert.pem
Define APG_TLS_KEY {root}/tls/key.pem
Include "{root}/apg-kg.conf"
"""
LOADED = ("mpm_event", "authz_core", "dir", "rewrite", "headers", "proxy", "proxy_http", "ssl",
          "socache_shmcb")
# w3id.org's global .htaccess starts so (the repository's top-level .htaccess); its special cases are not ours
W3ID_ROOT_HTACCESS = "# w3id.org global rewrites\n\nOptions +FollowSymLinks\nRewriteEngine on\n"


def _require(tool: str, package: str) -> None:
    """Skip without the tool, saying why; under APG_REQUIRE_APACHE=1 (.ci/run) a missing tool fails."""
    if shutil.which(tool) is None:
        if os.environ.get("APG_REQUIRE_APACHE") == "1":
            pytest.fail(f"{tool} is missing (apt-get install {package})")
        pytest.skip(f"{tool} is missing (apt-get install {package}; .ci/run installs it)")


@pytest.fixture(scope="module")
def httpd_root():
    _require(str(APACHE), "apache2")
    _require("curl", "curl")
    root = Path(tempfile.mkdtemp(prefix="apg-httpd-"))  # not pytest's 0700 tmp: nobody must read it
    yield root
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def ca():
    import trustme
    return trustme.CA(organization_name="apg-kg test CA")


@pytest.fixture(scope="module")
def backend(dist, tmp_path_factory):
    srv = start(dist, tmp_path_factory.mktemp("behind-proxy") / "serve.log",
                env=clean_env(APG_WORKERS=1, APG_PROXY_FIX=1))
    yield srv
    stop(srv)
    assert "Traceback" not in srv.log_text()


@pytest.fixture(scope="module")
def apache(httpd_root, ca, backend):
    root, port = httpd_root, free_port()
    for sub in ("run", "logs", "tls", "w3id/apg-kg"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    cert = ca.issue_cert("w3id.org", HOSTNAME)
    cert.cert_chain_pems[0].write_to_path(root / "tls/cert.pem")
    for pem in cert.cert_chain_pems[1:]:
        pem.write_to_path(root / "tls/cert.pem", append=True)
    cert.private_key_pem.write_to_path(root / "tls/key.pem")
    (root / "w3id/.htaccess").write_text(W3ID_ROOT_HTACCESS)
    shutil.copy(REPO / "deploy/w3id/apg-kg/.htaccess", root / "w3id/apg-kg/.htaccess")
    shutil.copy(REPO / "deploy/apache/apg-kg.conf", root / "apg-kg.conf")
    modules = "\n".join(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in LOADED)
    (root / "httpd.conf").write_text(CONF.format(root=root, host=HOST, port=port, modules=modules,
                                                 hostname=HOSTNAME, backend=backend.url))
    user = {}
    if os.geteuid() == 0:  # an unprivileged process: Apache, all of it, as nobody
        nobody = pwd.getpwnam("nobody")
        for path in [root, *root.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        for sub in ("run", "logs"):
            os.chown(root / sub, nobody.pw_uid, nobody.pw_gid)
        user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    argv = [str(APACHE), "-f", str(root / "httpd.conf")]
    env = {"PATH": "/usr/sbin:/usr/bin:/bin", "LANG": "C"}
    check = subprocess.run([*argv, "-t"], capture_output=True, text=True, env=env)
    assert check.returncode == 0, check.stderr
    with open(root / "stderr.log", "wb") as err:
        proc = subprocess.Popen([*argv, "-DFOREGROUND"], stdout=subprocess.DEVNULL, stderr=err, env=env,
                                start_new_session=True, **user)
    deadline = time.monotonic() + 30
    while True:
        if proc.poll() is not None:
            raise RuntimeError("apache2 exited: " + (root / "stderr.log").read_text()
                               + _read(root / "logs/error.log"))
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                log = _read(root / "logs/error.log")
                raise RuntimeError("apache2 did not listen in 30 s: " + log) from None
            time.sleep(0.05)
    yield port, root
    os.killpg(proc.pid, 15)
    proc.wait(timeout=20)


def _read(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture(scope="module")
def tunnel(apache):
    port, _ = apache
    server = Tunnel({f"{name}:443": (HOST, port) for name in ("w3id.org", HOSTNAME)})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def client_env(tunnel, ca, httpd_root):
    """The environment the clients run in: the tunnel as their HTTPS proxy, the fixture's CA trusted."""
    ca.cert_pem.write_to_path(httpd_root / "ca.pem")
    return {"PATH": "/usr/bin:/bin", "HOME": str(httpd_root), "LANG": "C.UTF-8",
            "https_proxy": tunnel.url, "HTTPS_PROXY": tunnel.url, "SSL_CERT_FILE": str(httpd_root / "ca.pem")}


# ---------------------------------------------------------------- the clients

_RDFLIB_SCRIPT = """\
import json, sys
from rdflib import Graph
out = {}
for key, iri, fmt in json.loads(sys.argv[1]):
    try:
        g = Graph().parse(iri, format=fmt) if fmt else Graph().parse(iri)
        out[key] = g.serialize(format="nt")
    except Exception as exc:  # reported per case by the test
        out[key] = "ERROR " + type(exc).__name__ + ": " + str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def rdflib_results(client_env):
    """Every (kind, format) parsed by rdflib's Graph().parse(iri) in one process of its own, with only the
    environment above (its urllib reads https_proxy, its ssl SSL_CERT_FILE)."""
    cases = [[f"{kind}|{fmt}", KINDS[kind][0], RDFLIB[fmt]] for kind in KINDS for fmt in RDFLIB]
    run = subprocess.run([sys.executable, "-c", _RDFLIB_SCRIPT, json.dumps(cases)], capture_output=True,
                         text=True, timeout=300, env=client_env)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


@pytest.mark.parametrize("fmt", RDFLIB)
@pytest.mark.parametrize("kind", KINDS)
def test_rdflib_parses_every_kind_of_iri_through_w3id(rdflib_results, kind, fmt):
    text = rdflib_results[f"{kind}|{fmt}"]
    assert not text.startswith("ERROR"), text
    assert _holds(Graph().parse(data=text, format="nt"), kind)


@pytest.mark.parametrize("fmt", RAPPER)
@pytest.mark.parametrize("kind", KINDS)
def test_rapper_parses_every_kind_of_iri_through_w3id(client_env, kind, fmt):
    _require("rapper", "raptor2-utils")
    syntax = ["-i", RAPPER[fmt]] if RAPPER[fmt] else ["-g"]
    run = subprocess.run(["rapper", "-q", *syntax, "-o", "ntriples", "-f", "wwwSslVerifyPeer=0",
                          "-f", "wwwSslVerifyHost=0", KINDS[kind][0]],
                         capture_output=True, text=True, timeout=60, env=client_env)
    assert run.returncode == 0, run.stderr
    assert _holds(Graph().parse(data=run.stdout, format="nt"), kind)


def _curl(client_env, url: str, *args: str) -> tuple[str, str, bytes]:
    """(final URL, Content-Type, body) after following every redirect."""
    with tempfile.NamedTemporaryFile() as body:
        run = subprocess.run(["curl", "-sS", "-L", "--max-redirs", "10",
                              "--cacert", client_env["SSL_CERT_FILE"], "-o", body.name,
                              "-w", "%{url_effective}\\t%{http_code}\\t%{content_type}",
                              *args, url], capture_output=True, text=True, timeout=60, env=client_env)
        assert run.returncode == 0, run.stderr
        final, status, content_type = run.stdout.split("\t")
        assert status == "200", (url, status)
        return final, content_type, Path(body.name).read_bytes()


@pytest.mark.parametrize("fmt", [*FORMATS, "HTML"])
@pytest.mark.parametrize("kind", KINDS)
def test_curl_follows_every_kind_of_iri_through_w3id(client_env, kind, fmt):
    iri, _, page = KINDS[kind]
    accept = BROWSER if fmt == "HTML" else FORMATS[fmt][0]
    final, content_type, body = _curl(client_env, iri, "-H", f"Accept: {accept}")
    assert final.startswith(f"https://{HOSTNAME}/")
    if fmt == "HTML":
        assert content_type.startswith("text/html") and final == f"https://{HOSTNAME}{page}"
        assert b"<h1" in body or b"<title" in body
        return
    assert content_type.split(";")[0] == FORMATS[fmt][1]
    assert _holds(Graph().parse(data=body, format=FORMATS[fmt][2], publicID=final), kind)


def test_every_iri_went_through_the_w3id_rules(apache, tunnel, rdflib_results):
    """Apache's access log: each IRI was answered by the w3id.org vhost's rules with a redirect, then by the
    deployment host; and the tunnel was asked for those two names only."""
    _, root = apache
    lines = (root / "logs/access.log").read_text().splitlines()
    for kind, (iri, _, _) in KINDS.items():
        path = "/" + iri.split("#")[0][len("https://w3id.org/"):]
        assert f"w3id.org 302 GET {path}" in lines, kind
    assert any(line.startswith(f"{HOSTNAME} 303 GET /id/person/khrushchev") for line in lines)
    assert any(line.startswith(f"{HOSTNAME} 200 GET /doc/person/khrushchev") for line in lines)
    assert set(tunnel.seen) == {"w3id.org:443", f"{HOSTNAME}:443"}


def test_sparql_through_w3id_names_the_public_endpoint_and_keeps_post(client_env):
    final, _, body = _curl(client_env, BASE + "sparql", "-H", "Accept: text/turtle")
    sd = Graph().parse(data=body, format="turtle")
    assert {str(o) for o in sd.objects(None, URIRef(SD + "endpoint"))} == {f"https://{HOSTNAME}/sparql"}
    # POST through the rules (307: the body is sent again to the host)
    ask = "query=ASK { ?s a <http://xmlns.com/foaf/0.1/Person> }"
    results = "Accept: application/sparql-results+json"
    _, content_type, body = _curl(client_env, BASE + "sparql", "-H", results, "--data-urlencode", ask)
    assert content_type.startswith("application/sparql-results+json") and json.loads(body)["boolean"] is True
    # the query page a browser gets names the public endpoint too
    final, content_type, body = _curl(client_env, BASE + "sparql", "-H", f"Accept: {BROWSER}")
    assert content_type.startswith("text/html") and f"<code>https://{HOSTNAME}/sparql</code>".encode() in body


def test_landing_page_and_a_retired_iri_through_w3id(client_env):
    final, content_type, _ = _curl(client_env, BASE, "-H", f"Accept: {BROWSER}")
    assert final == f"https://{HOSTNAME}/" and content_type.startswith("text/html")
    # a slug that changed keeps resolving: w3id 302, the host's 301 to the new IRI, 303, the document
    final, _, body = _curl(client_env, BASE + "id/event/tito-visit-moscow-1955", "-H", "Accept: text/turtle")
    assert final == f"https://{HOSTNAME}/doc/event/tito-visit-moscow-1956"
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(BASE + "id/event/tito-visit-moscow-1956"), None, None) in g


def test_lookup_through_w3id(client_env):
    final, content_type, body = _curl(client_env, BASE + "lookup?uri=http://www.wikidata.org/entity/Q35314",
                                      "-H", "Accept: text/turtle")
    assert final == f"https://{HOSTNAME}/doc/person/khrushchev"
    assert (URIRef(BASE + "id/person/khrushchev"), None, None) in Graph().parse(data=body, format="turtle")


def test_the_tunnel_refuses_other_hosts(tunnel):
    with socket.create_connection((HOST, tunnel.server_address[1])) as s:
        s.sendall(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.1 403")
