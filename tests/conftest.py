"""Shared fixtures: one real build per test session, into a temporary directory (never the user's dist/)."""
import shutil
from pathlib import Path

import pytest

from kg.facts import FACTS_DIR
from kg.pipeline import build


@pytest.fixture(scope="session")
def build_result(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    built = build(out, log=lambda *_: None)
    return out, built


@pytest.fixture(scope="session")
def dist(build_result) -> Path:
    """Path of a complete build (dataset.nq, manifest.json, per-graph dumps …)."""
    return build_result[0]


@pytest.fixture(scope="session")
def built(build_result):
    """The in-memory result of that build: data, ontology, inferred and metadata graphs, SHACL report,
    links."""
    return build_result[1]


@pytest.fixture
def facts(tmp_path) -> Path:
    """A copy of the fact files that a test may edit."""
    out = tmp_path / "facts"
    shutil.copytree(FACTS_DIR, out)
    return out


@pytest.fixture(scope="session")
def engines(dist, tmp_path_factory):
    """External engines (tests/engines.py), started when a test first asks for one, loaded with ``dist``."""
    from engines import Engines
    from liveserver import TIMEOUT

    found = Engines(tmp_path_factory.mktemp("engines"), dist, TIMEOUT)
    yield found
    found.stop()
