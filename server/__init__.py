"""The read-only HTTP face of apg-kg: loads the built dataset into pyoxigraph and serves it as a SPARQL 1.1
endpoint (see README, "SPARQL endpoint").

``create_app(config=None)`` reads the settings once — server/config.py defaults, then APG_* environment
variables, then ``config`` — loads the build (a missing or broken build raises ``StoreError``; a bad setting
``ValueError``) and returns the Flask app. ``apg serve`` runs it under granian (server/serve.py).
"""
import functools

from flask import Flask

from .store import StoreError

__all__ = ["create_app", "StoreError"]


def create_app(config: dict | None = None) -> Flask:
    from . import cache, http, logs, store
    from .config import DEFAULTS, check
    from .endpoint import fastpath, pool, query, sandbox, sparql
    from .site import crawlers, fragments, lookup, publish, reconcile, resources, search, ui

    app = Flask(__name__)
    logs.init_app(app)  # first: log lines escape what requests put in them (server/logs.py)
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("APG")
    if config:
        app.config.update(config)
    check(app.config)
    if not sandbox.supported():
        raise ValueError("no network sandbox for query processes on this platform (Linux x86_64 or aarch64 "
                         "needed): refusing to serve user queries without one")
    # Bodies: a form-encoded query may take up to three bytes per query byte.
    app.config["MAX_CONTENT_LENGTH"] = 3 * app.config["MAX_QUERY_LENGTH"] + 65536
    app.config["MAX_FORM_MEMORY_SIZE"] = app.config["MAX_CONTENT_LENGTH"]
    loaded = store.init_app(app)
    if app.config["BASE"] is None:
        app.config["BASE"] = loaded.base
    if app.config["ENGINE"]:  # user queries screened in query processes, then sent to the engine
        from .engines import runner

        runner.init_app(app, loaded)
    else:
        pool.init_app(app, functools.partial(query.execute_fields, loaded))
    http.init_app(app)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(publish.bp)
    app.register_blueprint(lookup.bp)  # /lookup?uri= (server/site/lookup.py)
    app.register_blueprint(fragments.bp)  # Triple Pattern Fragments (server/site/fragments.py)
    app.register_blueprint(crawlers.bp)  # robots.txt, sitemap.xml (server/site/crawlers.py)
    app.register_blueprint(ui.bp)  # the query page's YASGUI files (server/site/ui.py)
    search.init_app(app)  # the build's full-text index, shared by search and reconciliation
    app.register_blueprint(search.bp)
    app.register_blueprint(reconcile.bp)
    fastpath.init_app(app)  # query answers without Flask's machinery, in front of it
    cache.init_app(app)  # in front of everything above: app.wsgi_app
    http.trust_proxies(app)  # outermost: the cache keys on the host and scheme the proxy forwarded
    return app
