"""Minting IRIs: ``{base}id/{kind}/{slug}`` for things, ``{base}graph/{name}`` for named graphs.

Slugs are the readable ``id`` of each fact record, so IRIs stay stable as long as the facts keep their ids.
Sentences belong to a source: ``{base}id/source/{source}/{sentence}`` (e.g. ``.../id/source/lvwiki/s32``), so
a second source brings its own sentence IDs without clashing.
"""
import re
from dataclasses import dataclass

from rdflib import URIRef

DEFAULT_BASE = "https://w3id.org/apg-kg/"
KINDS = (
    "person", "organization", "place", "post", "rank", "membership", "holding", "event", "speech", "vote",
    "decision", "claim", "topic", "source", "statement", "correction",
)
GRAPHS = ("data", "ontology", "inferred", "metadata", "provenance")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Iris:
    base: str = DEFAULT_BASE

    def __post_init__(self):
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+/$", self.base):
            raise ValueError(f"base IRI must be an http(s) IRI ending in '/': {self.base!r}")

    def thing(self, kind: str, slug: str, *rest: str) -> URIRef:
        if kind not in KINDS:
            raise ValueError(f"unknown IRI kind {kind!r}")
        for part in (slug, *rest):
            if not _SLUG.match(part):
                raise ValueError(f"not a lowercase slug: {part!r}")
        return URIRef("/".join([f"{self.base}id/{kind}", slug, *rest]))

    def graph(self, name: str) -> URIRef:
        if name not in GRAPHS:
            raise ValueError(f"unknown graph {name!r}")
        return URIRef(f"{self.base}graph/{name}")

    def source(self, source: str, sentence: str | None = None) -> URIRef:
        return self.thing("source", source, *([sentence] if sentence else []))

    @property
    def statements(self) -> str:
        """The namespace of the reifiers of statement-level provenance: ``{base}id/statement/{hash}``."""
        return f"{self.base}id/statement/"

    @property
    def dataset(self) -> URIRef:
        return URIRef(f"{self.base}dataset")
