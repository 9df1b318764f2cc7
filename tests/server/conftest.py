"""The real server: ``apg serve`` in its own process group on a free loopback port, serving the session build
(tests/conftest.py ``dist``), and an in-process oracle over the same build to compute expected answers.

The test server is configured partly by flags and partly by APG_* environment variables (both paths are used):
see tests/liveserver.py for its settings and the helpers that start and stop it.
"""
import pytest
from engines import STORES
from liveserver import MAX_QUERY_LENGTH, MAX_RESULT_BYTES, TIMEOUT, WORKERS, clean_env, start, stop

from server.store import OxigraphStore

ENGINE_WORKERS = 2


@pytest.fixture(scope="session")
def embedded_server(dist, tmp_path_factory):
    log = tmp_path_factory.mktemp("server") / "serve.log"
    srv = start(dist, log, args=["--max-query-length", str(MAX_QUERY_LENGTH)],
                env=clean_env(APG_WORKERS=WORKERS, APG_TIMEOUT=TIMEOUT,
                              APG_MAX_RESULT_BYTES=MAX_RESULT_BYTES))
    yield srv
    stop(srv)
    text = srv.log_text()
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="session")
def server(embedded_server):
    """The session server over the embedded store."""
    return embedded_server


@pytest.fixture(scope="session")
def engine_servers(dist, engines, tmp_path_factory):
    """``apg serve --engine`` in front of each engine (same settings as ``server``), started on first use."""
    started = {}

    def get(name: str):
        if name not in started:
            engine = engines.get(name)
            log = tmp_path_factory.mktemp(f"server-{name}") / "serve.log"
            started[name] = start(dist, log, args=["--max-query-length", str(MAX_QUERY_LENGTH),
                                                   "--engine", engine.url],
                                  env=clean_env(APG_WORKERS=ENGINE_WORKERS, APG_TIMEOUT=TIMEOUT,
                                                APG_MAX_RESULT_BYTES=MAX_RESULT_BYTES))
        return started[name]

    yield get
    for srv in started.values():
        stop(srv)
    for srv in started.values():
        text = srv.log_text()
        assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="session", params=STORES)
def any_server(request, embedded_server, engine_servers):
    """The session server, then the same front end over each engine: a module whose tests take ``server``
    from this fixture (``def server(any_server)``) runs over every store."""
    return embedded_server if request.param == "embedded" else engine_servers(request.param)


@pytest.fixture(scope="session")
def oracle(dist) -> OxigraphStore:
    """The same build, queried in-process with pyoxigraph, for expected answers."""
    return OxigraphStore(dist)
