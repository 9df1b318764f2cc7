"""Log lines that cannot be forged: every control character of a logged value is escaped.

A request path may carry CR, LF or other control characters (percent-decoded by the framework); written raw
into a log, a CR/LF starts a new, forged line. ``EscapingFormatter`` formats a record as usual, then escapes
every character below U+0020 (but the record's own tab), DEL, C1 controls and U+2028/U+2029 as ``\\xNN`` /
``\\uNNNN``, and tracebacks are never written (the app logs one line per unexpected error). ``LOG_CONFIG`` is
the ``logging.config.dictConfig`` for the server: granian's own and access loggers and the app's loggers, all
through the escaping formatter, to stderr."""
import logging
import re

_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def escape(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", text)


class EscapingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        record.exc_info = record.exc_text = record.stack_info = None
        return escape(super().format(record))


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
        "server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
