"""``apg serve``: the app under gunicorn, started programmatically.

The app (and the store in it) is created once in the gunicorn master (preload), so a missing or broken build
stops start-up before any worker exists, and the workers fork with the store already in memory. Workers are
gunicorn's synchronous ones: each handles one request at a time and hands the query to its own query process
(server/pool.py), so the gunicorn worker timeout only has to exceed the query time limit.
"""
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self.application, self.options = app, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        # gunicorn >= 25 opens a control socket, by default one shared path (~/.gunicorn/gunicorn.ctl): none.
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)

    def load(self):
        return self.application


def gunicorn_options(config) -> dict:
    host = config["HOST"]
    bind_host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    return {
        "bind": f"{bind_host}:{config['PORT']}",
        "workers": config["WORKERS"],
        "worker_class": "sync",
        "timeout": int(config["TIMEOUT"]) + 30,
        "graceful_timeout": int(config["TIMEOUT"]) + 5,
        # Long GET queries are the app's to judge (413 above MAX_QUERY_LENGTH), not the HTTP parser's (400).
        "limit_request_line": 0,
        "preload_app": True,
        "proc_name": "apg-serve",
    }


def run(app) -> None:
    """Serve ``app`` (from server.create_app) until stopped; gunicorn exits the process."""
    _Gunicorn(app, gunicorn_options(app.config)).run()
