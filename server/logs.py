"""Log lines that request data cannot forge: every control character a client can put into a path, a header
or a query (CR, LF, NUL, ESC, the C1 controls, DEL, U+2028/U+2029) is written as a visible escape (``\\r``,
``\\x1b``, ``\\u2028``), so a request can neither end a log line and start a fake one nor send terminal
escape sequences to whoever reads the log.

- ``escape(text)``: the escaping itself. Idempotent (an escape contains no control character), so a record
  that passes through two escaping handlers is not mangled.
- ``EscapingFormatter``: a ``logging.Formatter`` that escapes the formatted message and indents every line of
  an exception's traceback under its record, so no traceback line can pass for a record of its own.
- ``EscapingFilter``: for a handler whose formatter is not ours (an HTTP server's access or error log):
  escapes the record's message and arguments in place.
- ``init_app(app)``: the app's logger (``server`` and its children) writes through an ``EscapingFormatter``
  to stderr, instead of Flask's default handler, and not again through the root logger.

Whatever serves the app keeps its own loggers; they get the filter with
``install(logger)``.
"""
import logging
import re
import sys

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
FORMAT = "[%(asctime)s] [%(process)d] %(levelname)s %(name)s: %(message)s"


def _one(match: re.Match) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text) -> str:
    """``text`` with every control character written as a visible escape."""
    return _CONTROL.sub(_one, str(text))


class EscapingFormatter(logging.Formatter):
    def __init__(self, fmt: str = FORMAT, datefmt: str | None = None):
        super().__init__(fmt, datefmt)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return escape(super().formatMessage(record))

    def formatException(self, ei) -> str:  # noqa: N802
        return _indent(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return _indent(stack_info)


def _indent(text: str) -> str:
    # Lines of a traceback come from the code and from exception messages (which may quote request data):
    # each is escaped and indented, so only the record's own first line starts at the margin.
    return "\n".join("    | " + escape(line) for line in text.splitlines())


class EscapingFilter(logging.Filter):
    """Escapes a record's message in place (for handlers with someone else's formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: logging's own error path reports it
            return True
        record.msg, record.args = escape(message), None
        return True


def install(logger: logging.Logger) -> None:
    """Add an ``EscapingFilter`` to every handler of ``logger`` (once)."""
    for handler in logger.handlers:
        if not any(isinstance(f, EscapingFilter) for f in handler.filters):
            handler.addFilter(EscapingFilter())


_HANDLER_MARK = "_apg_escaping"


class _Stderr(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is when a record comes (as logging's last-resort handler does), not
    to the stream of the moment the app was created."""

    def __init__(self):
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def init_app(app) -> None:
    """The app's logger writes escaped lines to stderr. Called before anything logs, so Flask does not add
    its own default handler (it only does when the logger has none)."""
    logger = logging.getLogger(app.name)
    if not any(getattr(h, _HANDLER_MARK, False) for h in logger.handlers):
        handler = _Stderr()
        handler.setFormatter(EscapingFormatter())
        setattr(handler, _HANDLER_MARK, True)
        logger.addHandler(handler)
    logger.propagate = False  # a root handler (someone else's formatter) would write the raw line again
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


# The server's logging (``logging.config.dictConfig``, given to granian): granian's own and access loggers and
# the app's, all through the escaping formatter, to stderr.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "generic": {"()": EscapingFormatter, "fmt": "[%(levelname)s] %(name)s: %(message)s"},
        "access": {"()": EscapingFormatter, "fmt": "%(message)s"},
    },
    "handlers": {
        "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
        "access": {"formatter": "access", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
    },
    "loggers": {
        "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
    },
}
