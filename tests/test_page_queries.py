"""The pages' SPARQL (server/site/queries/*.rq) and the one prefix table (kg/namespaces.py): every query file
parses with the project's prologue in both parsers the server uses, every file is loaded by some code, no
file declares prefixes of its own, and no module outside kg/namespaces.py spells out a namespace of the table
(the pieces a prefix table of its own would be made of)."""
import ast
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from kg.namespaces import NAMESPACES, PREFIXES
from server.site import queries

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted(p for folder in ("kg", "server", "bench") for p in (ROOT / folder).rglob("*.py"))
NAMES = queries.names()


def test_there_are_query_files():
    assert len(NAMES) > 50 and "person-timeline" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_query_parses(name):
    text = queries.load(name)
    assert text.startswith(queries.PROLOGUE)
    ox.Store().query(text)  # pyoxigraph: parsed and evaluated (on nothing)
    prepareQuery(text)  # rdflib's parser and algebra, as the engine screen reads queries


@pytest.mark.parametrize("name", NAMES)
def test_no_query_file_declares_its_prefixes(name):
    body = (ROOT / "server" / "site" / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    assert not re.search(r"(?im)^\s*(PREFIX|BASE)\b", body), f"{name}.rq: its prologue is kg.namespaces'"


def _loaded_names() -> dict[str, set[str]]:
    """query name -> the modules that call queries.load with it (every string inside the call's arguments)."""
    found: dict[str, set[str]] = {}
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            func = getattr(node, "func", None)
            if (isinstance(node, ast.Call) and isinstance(func, ast.Attribute) and func.attr == "load"
                    and isinstance(func.value, ast.Name) and func.value.id == "queries"):
                for arg in node.args:
                    for const in ast.walk(arg):
                        if isinstance(const, ast.Constant) and isinstance(const.value, str):
                            found.setdefault(const.value, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_query_file_is_used_and_every_used_name_is_a_file():
    used = _loaded_names()
    assert set(NAMES) - set(used) == set(), "query files no code loads (dead queries)"
    assert set(used) - set(NAMES) == set(), "names loaded without a file"


def test_the_prologue_is_the_prefix_table():
    declared = dict(re.findall(r"PREFIX (\w+): <([^>]*)>\n", queries.PROLOGUE))
    assert declared == PREFIXES


def test_no_module_has_a_prefix_table_of_its_own():
    namespaces = set(NAMESPACES.values())
    bad = []
    for path in CODE:
        if path == ROOT / "kg" / "namespaces.py":
            continue
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Constant) and node.value in namespaces:
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} spells out {node.value}")
        for m in re.finditer(r"PREFIX\s+[A-Za-z][\w-]*:\s*<", source):
            bad.append(f"{path.relative_to(ROOT)}:{source[:m.start()].count(chr(10)) + 1} declares a prefix")
    assert not bad, "take namespaces from kg.namespaces (PREFIXES / NAMESPACES):\n" + "\n".join(bad)
