"""CITATION.cff is valid Citation File Format 1.2.0 (its JSON Schema, tests/fixtures/cff-1.2.0.schema.json,
as published by the citation-file-format project and shipped in cffconvert 2.0.0) and names the version and
date of the build."""
import json
from pathlib import Path

import jsonschema
import yaml

from kg import __version__
from kg.metadata import release_date
from kg.pipeline import load_ontology

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = Path(__file__).resolve().parent / "fixtures" / "cff-1.2.0.schema.json"


def _cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_cff_is_valid_cff_1_2_0():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(_cff()), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_citation_cff_names_this_version_and_its_date():
    cff = _cff()
    assert cff["version"] == __version__
    assert cff["date-released"] == release_date(load_ontology())
