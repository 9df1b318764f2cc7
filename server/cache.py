"""A per-worker cache of serialised SPARQL answers, keyed by the answer's ETag.

The dataset is immutable for a build and the ETag already covers everything an answer depends on (dataset
digest, base IRI, query text, dataset parameters, format and Accept), so a repeated request can be answered
without a query process. Least recently used answers are dropped beyond ``ANSWER_CACHE_BYTES`` (0 disables it);
answers larger than a tenth of that are never kept. Public caches in front of the server (HTTP ``ETag`` and
``Cache-Control``) serve the same purpose across replicas.
"""
from collections import OrderedDict

from .extensions import attach, lookup

_EXTENSION = "apg.answer_cache"


class AnswerCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, tuple[bytes, str]] = OrderedDict()

    def get(self, key: str) -> tuple[bytes, str] | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: str, body: bytes, content_type: str) -> None:
        if len(body) * 10 > self.max_bytes or key in self._items:
            return
        self._items[key] = (body, content_type)
        self.size += len(body)
        while self.size > self.max_bytes:
            _, (old, _) = self._items.popitem(last=False)
            self.size -= len(old)


def init_app(app) -> AnswerCache:
    return attach(app, _EXTENSION, AnswerCache(app.config["ANSWER_CACHE_BYTES"]))


def get_cache(app=None) -> AnswerCache:
    return lookup(_EXTENSION, app)
