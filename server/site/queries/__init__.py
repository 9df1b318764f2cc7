"""The pages' SPARQL: one named query per file here (``<name>.rq``), package data of the wheel.

A file holds the query without its prologue: ``load`` puts the project's prefixes (kg.namespaces.PREFIXES, the
one table) in front, so no file repeats them. Every query is a constant text; what a page asks about (its IRI,
a language, a position) is bound to a variable through the store's ``substitutions`` (views.select), never
written into the text. tests/test_page_queries.py parses every file and checks that some code loads it.
"""
from functools import cache
from importlib.resources import files

from kg.namespaces import PREFIXES

PROLOGUE = "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in PREFIXES.items())


@cache
def load(name: str) -> str:
    """The query ``name`` (the file ``name.rq``) with the prologue; read once per process."""
    return PROLOGUE + (files(__name__) / f"{name}.rq").read_text(encoding="utf-8")


def names() -> list[str]:
    """The names of every query file."""
    return sorted(f.name[: -len(".rq")] for f in files(__name__).iterdir() if f.name.endswith(".rq"))
