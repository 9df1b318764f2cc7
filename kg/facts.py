"""Loading the curated fact files (``kg/facts/*.yaml``): one file per kind, one record per fact.

Every record has an ``id`` (its IRI slug, unique across all files) and ``cites`` (sentence IDs). Unknown keys are
errors, so a misspelt field never drops a fact silently.
"""
from dataclasses import dataclass
from pathlib import Path

import yaml

FACTS_DIR = Path(__file__).parent / "facts"

LANGUAGES = {"en", "lv", "ru"}
_COMMON = {"id", "label", "alt", "cites", "note"}
# file stem -> (IRI kind, allowed keys beyond the common ones)
KINDS = {
    "persons": ("person", set()),
    "organizations": ("organization", {"type", "part_of"}),
    "places": ("place", {"type"}),
    "posts": ("post", {"type", "in", "place"}),
    "topics": ("topic", {"related"}),
    "memberships": ("membership", {"member", "organization", "role", "start", "end", "after", "began_by",
                                   "ended_by"}),
    "holdings": ("holding", {"holder", "post", "start", "end", "after", "began_by", "ended_by"}),
    "events": ("event", {"type", "date", "start", "end", "after", "place", "organ", "chair", "participants",
                         "participant_count", "targets", "topics", "pretext", "agenda", "part_of",
                         "source_reading"}),
    "speeches": ("speech", {"type", "speakers", "targets", "topics", "session", "date", "after", "place",
                            "proposes", "source_reading"}),
    "votes": ("vote", {"organ", "session", "motion", "counts", "votes", "result", "decision", "date"}),
    "decisions": ("decision", {"type", "title", "adopted_at", "adopted_by", "addressed_to", "date", "effects"}),
    "claims": ("claim", {"about"}),
}


class FactError(ValueError):
    """A fact file is malformed or refers to something that does not exist."""


@dataclass(frozen=True)
class Record:
    file: str
    kind: str
    data: dict

    @property
    def id(self) -> str:
        return self.data["id"]

    def get(self, key, default=None):
        return self.data.get(key, default)

    def where(self) -> str:
        return f"{self.file}: record {self.id!r}"


def _read_yaml(path: Path):
    """The YAML of one fact file; FactError names the file, the line and the column of a syntax error."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise FactError(f"{path.name}: not UTF-8 text (byte {byte:#04x} at offset {exc.start})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FactError(f"{path.name}: not valid YAML{at}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise FactError(f"{path.name}: not valid YAML: {' '.join(str(exc).split())}") from None


def load_facts(facts_dir: Path = FACTS_DIR) -> dict[str, list[Record]]:
    """Return {file stem: [Record]} in file order; raise FactError on unknown files, keys or duplicate ids."""
    facts, seen = {}, {}
    for path in sorted(facts_dir.glob("*.yaml")):
        stem = path.stem
        if stem not in KINDS:
            raise FactError(f"{path.name}: unknown fact file (known: {', '.join(KINDS)})")
        kind, extra = KINDS[stem]
        records = _read_yaml(path) or []
        out = []
        for data in records:
            if not isinstance(data, dict) or "id" not in data:
                raise FactError(f"{path.name}: every record needs an 'id': {data!r}")
            unknown = set(data) - _COMMON - extra
            if unknown:
                raise FactError(f"{path.name}: record {data['id']!r}: unknown keys {sorted(unknown)}")
            if not data.get("cites"):
                raise FactError(f"{path.name}: record {data['id']!r} cites no sentence")
            for key in ("label", "alt", "note", "pretext", "agenda", "motion", "title"):
                value = data.get(key)
                if value is not None and (not isinstance(value, dict) or set(value) - LANGUAGES):
                    raise FactError(f"{path.name}: record {data['id']!r}: {key} must map language codes "
                                    f"{sorted(LANGUAGES)} to text (quote text that contains ', ')")
            if data["id"] in seen:
                raise FactError(f"{path.name}: id {data['id']!r} already used in {seen[data['id']]}")
            seen[data["id"]] = path.name
            out.append(Record(path.name, kind, data))
        facts[stem] = out
    return facts
