"""Synthetic fact files at K times the real graph, for the scale benchmark of the build (bench/build.py).

Deterministic: copy 0 is the curated fact files as they are; copy k (1 ≤ k < K) is every record of every kind
again, with every id (and every reference to one) suffixed ``-x{k}`` and every sentence it cites moved to a
copy of the article, source ``lvwiki-x{k}`` (same sentences, its own IRIs). So each copy passes the same
checks as the real facts (schema, quotes, SHACL, OWL RL) and the K copies are disjoint: K times the persons,
organisations, posts, memberships, holdings, events, speech acts, votes, decisions, claims and corrections,
each citing its own sentences. The copies have no identity links (those come only from the reference file),
so they carry the PersonLinkWarning that unlinked persons carry.

``write(out, k)`` writes ``out/facts/*.yaml`` and ``out/source/`` (sources.yaml naming the copies, the
sentence files shared); the same K gives the same bytes.
"""
import shutil
from pathlib import Path

import yaml

from kg.facts import FACTS_DIR
from kg.schema import ROLES
from kg.sources import SOURCE_DIR

# Fields whose value is the id of a record (a slug, or a list of them); `role` unless a controlled value.
REF_FIELDS = frozenset({
    "id", "former_ids", "member", "organization", "holder", "post", "before", "after", "concurrent_with",
    "place", "from_place", "to_place", "participants", "speakers", "targets", "topics", "appeals_to",
    "part_of", "session", "organ", "chair", "decision", "adopted_at", "adopted_by", "addressed_to", "about",
    "affects", "related", "broader", "in", "record",
})
CITE_LISTS = frozenset({"cites", "scene", "sequel"})
CITE_KEYED = frozenset({"refs"})  # {cite: …}
SOURCE = "lvwiki"


class _Dumper(yaml.SafeDumper):
    """SafeDumper quotes every string that would read back as something else (yes, 1958, 1957-06-29). No
    anchors and aliases for values the copies share: each record written out, as a curator writes it."""

    def ignore_aliases(self, data) -> bool:
        return True


def _cite(cite: str, k: int) -> str:
    source, _, sid = cite.rpartition(":")
    return f"{source or SOURCE}-x{k}:{sid}"


def _slug(value: str, k: int) -> str:
    return f"{value}-x{k}"


def _ref(value, k: int):
    if isinstance(value, list):
        return [_ref(v, k) for v in value]
    return _slug(value, k) if isinstance(value, str) else value


def remap(record, k: int, parent: str | None = None):
    """Record (or part of one) of copy k: ids suffixed, cites moved to copy k of the source."""
    if isinstance(record, list):
        return [remap(r, k, parent) for r in record]
    if not isinstance(record, dict):
        return record
    out = {}
    for key, value in record.items():
        if key == "quotes":  # {field paths: {cite: words}}
            out[key] = {paths: {_cite(c, k): w for c, w in by.items()} for paths, by in value.items()}
        elif key == "votes" and isinstance(value, dict):  # {option: [voter ids]}
            out[key] = {option: _ref(voters, k) for option, voters in value.items()}
        elif key in CITE_LISTS:
            out[key] = [_cite(c, k) for c in value]
        elif key in CITE_KEYED:
            out[key] = {_cite(c, k): v for c, v in value.items()}
        elif key == "sentence" and isinstance(value, str):
            out[key] = _cite(value, k)
        elif key == "role":
            out[key] = value if value in ROLES else _slug(value, k)
        elif key == "id" and parent == "evidence":  # a bibliographic work
            out[key] = _slug(value, k)
        elif key in REF_FIELDS and parent not in ("evidence",) and not (key == "type"):
            out[key] = _ref(value, k)
        elif isinstance(value, dict | list):
            out[key] = remap(value, k, key)
        else:
            out[key] = value
    return out


def _load(path: Path) -> list:
    from kg.facts import read_yaml  # the fact files' own YAML dialect: no timestamps

    return read_yaml(path) or []


def records(k: int, facts_dir: Path = FACTS_DIR) -> dict[str, list]:
    """{file stem: [record]} of K copies."""
    out = {}
    for path in sorted(facts_dir.glob("*.yaml")):
        base = _load(path)
        out[path.stem] = base + [remap(rec, c) for c in range(1, k) for rec in base]
    return out


def sources(k: int, source_dir: Path = SOURCE_DIR) -> list:
    metas = yaml.safe_load((source_dir / "sources.yaml").read_text(encoding="utf-8"))
    base = next(m for m in metas if m.get("default"))
    copies = []
    for c in range(1, k):
        meta = {key: v for key, v in base.items() if key != "default"}
        meta["id"] = f"{base['id']}-x{c}"
        meta["title"] = f"{base['title']} (copy {c})"
        copies.append(meta)
    return metas + copies


def write(out: Path, k: int, facts_dir: Path = FACTS_DIR, source_dir: Path = SOURCE_DIR) -> Path:
    """Write K copies to ``out/facts`` and ``out/source``; return ``out``."""
    out = Path(out)
    facts, src = out / "facts", out / "source"
    for d in (facts, src):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    for stem, recs in records(k, facts_dir).items():
        text = yaml.dump(recs, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
        (facts / f"{stem}.yaml").write_text(text, encoding="utf-8")
    for f in sorted(source_dir.iterdir()):
        if f.is_file() and f.name != "sources.yaml":
            shutil.copyfile(f, src / f.name)
    (src / "sources.yaml").write_text(yaml.safe_dump(sources(k, source_dir), allow_unicode=True,
                                                     sort_keys=False, width=1000), encoding="utf-8")
    return out


def edit(out: Path, stem: str, rid: str, change) -> None:
    """Edit record ``rid`` of ``out/facts/{stem}.yaml`` in place (``change(record)``), as an editor would:
    the incremental rebuild's benchmark and test."""
    path = Path(out) / "facts" / f"{stem}.yaml"
    recs = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    change(next(r for r in recs if r["id"] == rid))
    path.write_text(yaml.dump(recs, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000),
                    encoding="utf-8")


def fewer_speakers(rec) -> None:
    """An edit for ``edit``: a speech act keeps its first speaker only (a fact and what it entails go)."""
    rec["speakers"] = rec["speakers"][:1]


EDIT = ("speeches", "others-join-criticism-x1", fewer_speakers)  # the benchmark's edit (copy 1, K >= 2)
