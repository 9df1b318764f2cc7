"""The server's layout holds: the SPARQL endpoint (server/endpoint/) and the site (server/site/) do not import
each other (both use the shared top level: the store interface, formats, HTTP manners, caches; the engines
package stands behind the store interface), and no module of the project reaches into another's private names
(``from .x import _y``, ``module._y``); both reach the store only through its interface (``query``,
``describe``, ``matching``), never the embedded pyoxigraph Store behind it (``store.store``), which an engine
has not."""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted(p for folder in ("kg", "server", "bench") for p in (ROOT / folder).rglob("*.py"))
OURS = ("kg", "server", "bench")
NAMEDTUPLE = {"_make", "_replace", "_fields", "_asdict"}  # namedtuple's public API has leading underscores


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package(path: Path) -> str:
    module = _module(path)
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def _imports(path: Path):
    """(absolute module, imported name or None, node) for each import of the file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, alias.asname or alias.name.split(".")[0], node
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _package(path).split(".")
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([node.module] if node.module else []))
            for alias in node.names:
                yield base, alias.name, alias.asname or alias.name, node


@pytest.mark.parametrize("half, other", [("server.site", ("server.endpoint", "server.engines")),
                                         ("server.endpoint", ("server.site",))])
def test_the_halves_do_not_import_each_other(half, other):
    bad = []
    for path in CODE:
        if not _module(path).startswith(half):
            continue
        for module, name, _, node in _imports(path):
            full = f"{module}.{name}" if name else module
            if any(full == o or full.startswith(o + ".") or module.startswith(o) for o in other):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {full}")
    assert not bad, "\n".join(bad)


def test_no_module_reaches_into_another_private_names():
    bad = []
    for path in CODE:
        ours = {}  # local name -> module of the project it names
        for module, name, local, node in _imports(path):
            if module.split(".")[0] not in OURS:
                continue
            if name and name.startswith("_") and not name.startswith("__"):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {module}.{name}")
            ours[local] = module
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            private = getattr(node, "attr", "").startswith("_") and not node.attr.startswith("__")
            if isinstance(node, ast.Attribute) and private and node.attr not in NAMEDTUPLE:
                base = node.value
                while isinstance(base, ast.Attribute):
                    base = base.value
                if isinstance(base, ast.Name) and base.id in ours:
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {ast.unparse(node)}")
    assert not bad, "\n".join(bad)


def test_the_halves_do_not_reach_past_the_store_interface():
    bad = []
    for path in CODE:
        if not _module(path).startswith(("server.site", "server.endpoint")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr == "store" and isinstance(node.value, ast.Name)
                    and node.value.id == "store"):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno} uses store.store")
    assert not bad, "\n".join(bad)
