"""Log lines that requests cannot forge (issue 11, item 3): control characters escaped, tracebacks indented
under their record, a filter for other handlers (server/logs.py)."""
import io
import logging
import re
import sys

from server import create_app, logs


def test_escape_makes_every_control_character_visible():
    raw = "GET /id/x\r\n[12:00:00] INFO forged\x00\x1b[31m\x7f\x85\u2028\u2029\t"
    escaped = logs.escape(raw)
    assert not re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", escaped)
    assert "\\r\\n" in escaped and "\\x00" in escaped and "\\x1b" in escaped and "\\u2028" in escaped
    assert logs.escape(escaped) == escaped  # idempotent: two escaping handlers do no harm
    assert logs.escape("Хрущёв ā") == "Хрущёв ā"


def _record(message, *args, exc_info=None):
    return logging.LogRecord("server.http", logging.ERROR, __file__, 1, message, args, exc_info)


def test_formatter_keeps_a_record_on_its_own_line():
    formatter = logs.EscapingFormatter()
    try:
        raise ValueError("bad IRI 'x\nERROR forged record'")
    except ValueError:
        info = sys.exc_info()
    line = formatter.format(_record("unexpected error on %s %s", "GET", "/id/a\rb\nc", exc_info=info))
    first, *rest = line.split("\n")
    assert "/id/a\\rb\\nc" in first and "\r" not in line
    assert rest and all(r.startswith("    | ") for r in rest), rest  # no traceback line at the margin


def test_filter_escapes_records_for_other_formatters():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("test_errors.access")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logs.install(logger)
        logs.install(logger)  # once is enough
        assert sum(isinstance(f, logs.EscapingFilter) for f in handler.filters) == 1
        logger.warning('"GET /id/x\r\n127.0.0.1 - - forged" %s', "\x1b[2J")
    finally:
        logger.removeHandler(handler)
    assert out.getvalue().count("\n") == 1
    assert "\\r\\n" in out.getvalue() and "\\x1b" in out.getvalue()


def test_the_apps_log_lines_escape_request_text(dist, capsys):
    app = create_app({"DIST": dist})

    @app.get("/boom/<path:p>")
    def boom(p):
        raise RuntimeError(f"cannot handle {p}")

    capsys.readouterr()
    # (a LF would not match the route: Werkzeug's path converter stops at it)
    resp = app.test_client().get("/boom/a%0Db%0D%5B2026%5D%20INFO%20forged%1B%00")
    assert resp.status_code == 500  # the app's own catch-all (server/http.py), for a bug like this route
    text = capsys.readouterr().err
    first = text.split("\n", 1)[0]
    assert "unexpected error on GET /boom/a\\rb\\r[2026] INFO forged\\x1b\\x00" in first
    assert "\r" not in text and "\x1b" not in text and "\x00" not in text
    assert all(line.startswith("    | ") for line in text.rstrip("\n").split("\n")[1:])


def test_the_servers_access_log_is_opt_in_and_escaped(dist, tmp_path):
    """granian's access log goes through the same escaping formatter (server/logs.py LOG_CONFIG)."""
    import requests
    from liveserver import clean_env, start, stop

    srv = start(dist, tmp_path / "serve.log", env=clean_env(APG_WORKERS=1, APG_ACCESS_LOG="true"))
    try:
        assert requests.get(srv.url + "/id/person/a%0Db%1B%5B31m", timeout=30).status_code == 404
        assert requests.get(srv.url + "/healthz", timeout=30).status_code == 200
    finally:
        stop(srv)
    text = srv.log_text()
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", text), text
    quiet = start(dist, tmp_path / "quiet.log", env=clean_env(APG_WORKERS=1))
    try:
        requests.get(quiet.url + "/healthz", timeout=30)
    finally:
        stop(quiet)
    assert '"GET /healthz' not in quiet.log_text()  # off by default
