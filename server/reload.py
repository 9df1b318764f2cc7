"""A new build, served without dropping a request: each worker watches the build it serves and switches to a
new one in place.

``apg build`` swaps a finished build into DIST atomically (kg/dist.py), which gives ``DIST/manifest.json`` a
new inode. Every worker checks that file once per ``interval`` seconds; when it changed, the worker makes a
complete new app (store loaded and checked against its manifest, fresh query processes, empty answer cache)
beside the one serving, then points new requests at it. Requests in flight finish on the old app, whose query
processes are stopped after the query time limit has passed. Connections, keep-alive ones included, are never
closed for it, so no client sees a reset. A build that does not load (say, a manifest that does not match its
dataset) is logged in one line and the worker keeps serving the old one.

Only for the in-memory store: an on-disk store (STORE_PATH) is rebuilt by restarting the server. ``SIGHUP`` to
the master still recycles the workers (granian's graceful respawn; idle keep-alive connections are closed).
"""
import json
import logging
import os
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)


def _signature(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class Reloading:
    """The WSGI callable a worker serves: the current app, replaced when a new build appears.

    Made once in the master (``apg serve``), which loads the build there; each worker, forked from the master,
    ``adopt``s it: the embedded store is then one copy in memory shared copy-on-write by the master and every
    worker (and their query processes), instead of one load and one copy per process (at 1M triples: one
    load instead of three, and a third of the memory). A worker that finds another build in DIST than the
    master loaded (respawned after a new build, or after SIGHUP) loads the build as it is now."""

    def __init__(self, make_app, interval: float = 1.0):
        self.make_app = make_app
        self.interval = interval
        self.app = make_app()
        self.manifest = Path(self.app.config["DIST"]) / "manifest.json"
        self._seen = _signature(self.manifest)

    def adopt(self) -> "Reloading":
        """In a worker: keep the master's app if it serves the build in DIST and holds nothing that cannot
        cross a fork (an engine's app holds connections: made afresh), then watch for new builds."""
        if self.app.config.get("ENGINE") or not self._current():
            self._seen = _signature(self.manifest)  # first: a build swapped in meanwhile is seen as new
            self.app = self.make_app()
        self.grace = self.app.config["TIMEOUT"] + 5
        if self.app.config.get("STORE_PATH") is None:
            threading.Thread(target=self._watch, name="apg-reload", daemon=True).start()
        return self

    def _current(self) -> bool:
        """The app serves the build in DIST now: same manifest file, naming the dataset the store holds (the
        second check catches a build swapped in while the master was loading the one before)."""
        from .store import get_store

        if _signature(self.manifest) != self._seen:
            return False
        try:
            named = json.loads(self.manifest.read_text(encoding="utf-8"))["files"]["dataset.nq"]["sha256"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return named == get_store(self.app).dataset_sha256

    def __call__(self, environ, start_response):
        return self.app.wsgi_app(environ, start_response)

    def _watch(self) -> None:
        while True:
            time.sleep(self.interval)
            seen = _signature(self.manifest)
            if seen is None or seen == self._seen:
                continue
            self._seen = seen
            try:
                new = self.make_app()
            except Exception as exc:  # a broken build: keep serving the one we have
                log.warning("new build in %s not served: %s", self.manifest.parent,
                            " ".join(str(exc).split()))
                continue
            old, self.app = self.app, new
            log.info("serving the new build in %s", self.manifest.parent)
            threading.Timer(self.grace, _retire, args=(old,)).start()


def _retire(app) -> None:
    from .endpoint.pool import get_pool

    get_pool(app).close(for_good=True)
