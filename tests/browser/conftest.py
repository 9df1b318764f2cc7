"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``; Playwright's own browser
download is not used) against the real ``apg serve`` process, started with tests/liveserver.py on a free
loopback port.

Without Chromium (or Playwright) the browser tests skip with the reason, unless ``APG_REQUIRE_BROWSER=1`` (set
by .ci/run), where they fail: CI must never pass without having run them.

Every context records each request the page makes and aborts any that would leave 127.0.0.1, so a test can
assert that nothing did (``page.foreign``). Screenshots go to tests/artifacts/browser/ (git-ignored); their
paths are listed at the end of the run.
"""
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import liveserver
import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "browser"
LOCAL_HOSTS = {"127.0.0.1"}
LOCAL_SCHEMES = {"data", "blob", "about"}

_shots: list[Path] = []


def pytest_terminal_summary(terminalreporter):
    if _shots:
        terminalreporter.write_sep("-", "browser screenshots")
        for path in _shots:
            terminalreporter.write_line(str(path))


def _start(dist, log, **env):
    srv = liveserver.start(dist, log, env=liveserver.clean_env(APG_WORKERS=2, **env))
    return srv


@pytest.fixture(scope="session")
def live(dist, tmp_path_factory):
    """The real server (2 workers) serving the session build."""
    log = tmp_path_factory.mktemp("browser-server") / "serve.log"
    srv = _start(dist, log)
    yield srv
    liveserver.stop(srv)
    text = srv.log_text()
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="session")
def live_without_yasgui(dist, tmp_path_factory):
    """The real server as on a machine where ``npm ci`` never ran (YASGUI's files are missing)."""
    tmp = tmp_path_factory.mktemp("no-node-modules")
    srv = _start(dist, tmp / "serve.log", APG_YASGUI_DIR=tmp / "node_modules-missing")
    yield srv
    liveserver.stop(srv)
    text = srv.log_text()
    assert "Traceback" not in text, text[-3000:]


def browser_missing(why: str) -> None:
    """Fail when the browser tests are required (CI), else skip saying why."""
    if os.environ.get("APG_REQUIRE_BROWSER", "") not in ("", "0"):
        pytest.fail(f"APG_REQUIRE_BROWSER is set but {why}", pytrace=False)
    pytest.skip(f"{why}; the browser tests did not run (APG_REQUIRE_BROWSER=1 makes this a failure)")


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM.exists():
        browser_missing(f"{CHROMIUM} is missing (Debian package chromium; .ci/run installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_missing("Playwright is not installed (pip install -e '.[test]')")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


class Page:
    """A Playwright page and what it did: every request URL, those to other hosts (aborted), script errors."""

    def __init__(self, context, artifacts: Path):
        self.context = context
        self.artifacts = artifacts
        self.requests: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        self.page = None
        context.route("**/*", lambda route: self._route(route))
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)

    def _route(self, route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.foreign.append(url)
            route.abort()

    def __getattr__(self, name):
        if name == "page" or self.__dict__.get("page") is None:
            raise AttributeError(name)
        return getattr(self.page, name)

    def shot(self, name: str, locator=None, *, full_page: bool = True) -> Path:
        """A full-page screenshot (or of ``locator``, or of the viewport with ``full_page=False``), kept as
        tests/artifacts/browser/{name}.png."""
        path = self.artifacts / f"{name}.png"
        if locator is None:
            self.page.screenshot(path=str(path), full_page=full_page)
        else:
            locator.screenshot(path=str(path))
        _shots.append(path)
        print(f"screenshot: {path}")
        return path


def _page(chromium, artifacts, **options):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB", **options)
    try:
        yield Page(context, artifacts)
    finally:
        context.close()


@pytest.fixture
def page(chromium, artifacts):
    yield from _page(chromium, artifacts)


@pytest.fixture
def page_without_js(chromium, artifacts):
    yield from _page(chromium, artifacts, java_script_enabled=False)
