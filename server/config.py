"""Settings of the endpoint, read once by ``create_app``: defaults, then APG_* environment variables, then the
dict given to the factory (the CLI's flags, or a test's). Values are checked here, so a bad setting stops
start-up with one clear line."""
from pathlib import Path

from kg.resources import default_dist

DEFAULTS = {
    "DIST": default_dist(),  # the build to serve (manifest.json, dataset.nq): the checkout's, else ./dist
    "BASE": None,  # base IRI for relative IRIs in queries; None: the build's base (manifest.json "base")
    "STORE_PATH": None,  # None: the store lives in memory; a directory: an on-disk (RocksDB) store there
    "ENGINE": None,  # an external SPARQL 1.1 engine's query URL holding the build (apg load --engine)
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "WORKERS": 2,  # HTTP worker processes (granian), each with its own store and query processes
    "THREADS": 8,  # request threads per worker: cheap requests keep being served while queries evaluate
    "QUERY_SLOTS": 2,  # queries evaluating at once per worker (each in its own query process)
    "QUEUE_WAIT": 1.0,  # seconds a query waits for a free slot before a 503 with Retry-After
    "MAX_QUERY_MEMORY": 1024 * 1024 * 1024,  # bytes a query process may map beyond the shared store (503)
    "TIMEOUT": 10.0,  # seconds a query may run before its process is killed (503)
    "MAX_QUERY_LENGTH": 100_000,  # bytes of UTF-8 query text (413 above)
    "MAX_RESULT_BYTES": 16 * 1024 * 1024,  # bytes of a serialised answer before compression (503 above)
    "CACHE_MAX_AGE": 3600,  # Cache-Control max-age of answers: the dataset is immutable for a build
    "ANSWER_CACHE_BYTES": 64 * 1024 * 1024,  # per worker: repeated GETs are answered from memory (0: off)
    "HEADER_TIMEOUT": 10.0,  # seconds a client may take to send its request headers
    "THREAD_IDLE_TIMEOUT": 30,  # seconds before an idle request thread is retired (granian: 5 to 600)
    "FAST_PATH": True,  # GET /sparql?query= answered in front of Flask (server/endpoint/fastpath.py)
    "ACCESS_LOG": False,  # one line per request on stderr (off by default, as gunicorn's and Oxigraph's)
    # Reverse proxies in front whose X-Forwarded-For/-Proto/-Host/-Port are trusted (Werkzeug's ProxyFix); 0:
    # none, the headers are ignored (a client could forge them when the server is reached directly).
    "PROXY_FIX": 0,
}

_CHECKS = {
    "PORT": (int, lambda v: 0 <= v <= 65535, "a TCP port (0-65535)"),
    "WORKERS": (int, lambda v: v >= 1, "at least 1"),
    "THREADS": (int, lambda v: v >= 2, "at least 2"),
    "QUERY_SLOTS": (int, lambda v: v >= 1, "at least 1"),
    "QUEUE_WAIT": (float, lambda v: v >= 0, "a non-negative number of seconds"),
    "MAX_QUERY_MEMORY": (int, lambda v: v >= 0, "a non-negative number of bytes (0: no limit)"),
    "HEADER_TIMEOUT": (float, lambda v: 0 < v <= 60, "a number of seconds, above 0 and at most 60"),
    "THREAD_IDLE_TIMEOUT": (int, lambda v: 5 <= v <= 600, "a number of seconds from 5 to 600"),
    "TIMEOUT": (float, lambda v: v > 0, "a positive number of seconds"),
    "MAX_QUERY_LENGTH": (int, lambda v: v > 0, "a positive number of bytes"),
    "MAX_RESULT_BYTES": (int, lambda v: v > 0, "a positive number of bytes"),
    "CACHE_MAX_AGE": (int, lambda v: v >= 0, "a non-negative number of seconds"),
    "ANSWER_CACHE_BYTES": (int, lambda v: v >= 0, "a non-negative number of bytes"),
    "PROXY_FIX": (int, lambda v: 0 <= v <= 5, "the number of trusted reverse proxies (0-5; 0: none)"),
}


def check(config) -> None:
    """Coerce and check the settings in place; ValueError names the bad one."""
    for key, (kind, ok, what) in _CHECKS.items():
        value = config.get(key)
        try:
            if isinstance(value, bool):
                raise ValueError
            value = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"APG_{key}={config.get(key)!r} is not valid: must be {what}") from None
        if not ok(value):
            raise ValueError(f"APG_{key}={config.get(key)!r} is not valid: must be {what}")
        config[key] = value
    # absolute: Flask resolves a relative file it sends against the package, not the working directory
    config["DIST"] = Path(config["DIST"]).absolute()
    if config.get("STORE_PATH"):
        config["STORE_PATH"] = Path(config["STORE_PATH"])
    else:
        config["STORE_PATH"] = None
    config["HOST"] = str(config["HOST"])
    config["ENGINE"] = str(config["ENGINE"]) if config.get("ENGINE") else None
    if config["ENGINE"] and config["STORE_PATH"]:
        raise ValueError("APG_ENGINE and APG_STORE_PATH exclude each other: the engine holds the store")
    for key in ("ACCESS_LOG", "FAST_PATH"):
        value = config.get(key)
        config[key] = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if config.get("BASE") is not None:
        config["BASE"] = str(config["BASE"])
