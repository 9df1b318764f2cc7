"""The test suite's own rules: no test module imports another test module or a conftest (shared helpers live
in plain modules: tests/liveserver.py, tests/server/sparqlhttp.py), so that any one test file runs alone."""
import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TEST_FILES = sorted(p for p in TESTS.rglob("*.py") if p.name.startswith("test_") or p.name == "conftest.py")


def _imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "spec_from_file_location":
            names.add("spec_from_file_location")  # loading a file as a module by hand
    return {n.split(".")[-1] for n in names}


@pytest.mark.parametrize("path", TEST_FILES, ids=[str(p.relative_to(TESTS)) for p in TEST_FILES])
def test_no_test_module_imports_another(path):
    forbidden = ("conftest", "spec_from_file_location")
    bad = {n for n in _imported(path) if n.startswith("test_") or n in forbidden}
    assert not bad, f"{path.relative_to(TESTS)} imports {sorted(bad)}: move shared code to a helper module"
