"""Objects that belong to one app (the store, the query pool, the answer cache): each module attaches its
object in ``init_app`` and reaches it through its accessor (``get_store()`` …), never through a module
global."""
from flask import current_app


def attach(app, name: str, obj):
    app.extensions[name] = obj
    return obj


def lookup(name: str, app=None):
    """The object ``name`` of ``app`` (default: the current Flask app)."""
    return (current_app if app is None else app).extensions[name]
