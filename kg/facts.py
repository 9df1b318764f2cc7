"""Loading the curated fact files (``kg/facts/*.yaml``): one file per kind, one record per fact.

Every record is validated against its pydantic model (``kg.schema``): field names and types, controlled lists,
dates of known precision. Ids are unique across all files. A bad record stops the load with the file, the
record and the field named, so a misspelt field never drops a fact silently.
"""
import hashlib
import pickle
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import KINDS
from .schema import Record as Model

FACTS_DIR = Path(__file__).parent / "facts"


class _Loader(yaml.SafeLoader):
    """Safe YAML without timestamps: a date stays the text the curator wrote (1957-06 or 1957-06-29), and the
    schema checks it, instead of PyYAML turning 1957-06-29 into a date and failing on 1957-13-45."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
if hasattr(yaml, "CSafeLoader"):  # libyaml's parser (ten times faster on big files), the same resolvers
    class _CLoader(yaml.CSafeLoader):
        yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers

    _FAST_LOADER = _CLoader
else:
    _FAST_LOADER = _Loader


class FactError(ValueError):
    """A fact file is malformed or refers to something that does not exist."""


@dataclass(frozen=True)
class Record:
    file: str
    kind: str
    model: Model

    @property
    def id(self) -> str:
        return self.model.id

    @cached_property
    def data(self) -> dict:
        # by_alias: the model's ``in_`` is the file's ``in``
        return self.model.model_dump(by_alias=True, exclude_none=True)

    def get(self, key, default=None):
        return self.data.get(key, default)

    def where(self) -> str:
        return f"{self.file}: record {self.id!r}"


def _field(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(record)"


def _errors(name: str, data, exc: ValidationError) -> str:
    rid = data.get("id") if isinstance(data, dict) else None
    where = f"{name}: record {rid!r}" if rid else f"{name}: record {data!r}"
    return "\n".join(f"{where}: field {_field(e['loc'])}: {e['msg']}" for e in exc.errors())


def read_yaml(path: Path):
    """The YAML of one fact file; FactError names the file, the line and the column of a syntax error."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_FAST_LOADER)
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start]
        raise FactError(f"{path.name}: not UTF-8 text (byte {byte:#04x} at offset {exc.start})") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise FactError(f"{path.name}: not valid YAML{at}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise FactError(f"{path.name}: not valid YAML: {' '.join(str(exc).split())}") from None


def _validated(path: Path, model) -> list:
    """The file's records, each validated by ``model``."""
    records = read_yaml(path) or []
    if not isinstance(records, list):
        raise FactError(f"{path.name}: must be a list of records")
    out = []
    for data in records:
        if not isinstance(data, dict):
            raise FactError(f"{path.name}: every record must be a mapping with an 'id': {data!r}")
        try:
            out.append(model.model_validate(data))
        except ValidationError as exc:
            raise FactError(_errors(path.name, data, exc)) from None
    return out


def _cached(path: Path, model, cache: Path | None) -> list:
    """_validated(), kept in ``cache`` by the file's SHA-256 (incremental rebuilds: an edit re-reads one
    file), each record also by the SHA-256 of its text (an edited file: only its edited records are read
    again, ``_chunks``); the checks across records and files run every time."""
    if cache is None:
        return _validated(path, model)
    text = path.read_bytes()
    code = b"".join(Path(__file__).with_name(c).read_bytes() for c in ("facts.py", "schema.py"))
    h = hashlib.sha256(text + code)  # and what validation means
    kept = cache / f"{path.stem}-{h.hexdigest()}.pickle"
    try:
        return pickle.loads(kept.read_bytes())[0]
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError, KeyError):
        pass
    chunks = _chunks(text.decode("utf-8", errors="replace"))
    keys = [hashlib.sha256(c.encode() + code).hexdigest() for c in chunks] if chunks else None
    records = None
    if keys:
        for old in cache.glob(f"{path.stem}-*.pickle"):  # the file's last version: its records by text
            try:
                _, by_text = pickle.loads(old.read_bytes())
                records = [by_text[k] if k in by_text else _one(chunks[i], path.name, model)
                           for i, k in enumerate(keys)]
            except Exception:  # noqa: BLE001 (any doubt: the whole file, which names any error exactly)
                records = None
            break
    if records is None:
        records = _validated(path, model)
    by_text = dict(zip(keys, records, strict=True)) if keys and len(keys) == len(records) else {}
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{path.stem}-*.pickle"):
        old.unlink()
    kept.write_bytes(pickle.dumps((records, by_text), protocol=pickle.HIGHEST_PROTOCOL))
    return records


_ITEM = re.compile(r"^- ", re.MULTILINE)
_UNSPLITTABLE = re.compile(r"^(---|\.\.\.|%)|(^|[\s\[{,])![^\s]", re.MULTILINE)  # documents, tags
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&([^\s\[\]{},]+)")
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*([^\s\[\]{},]+)")


def _chunks(text: str) -> list[str] | None:
    """A fact file's top-level records as texts (each starts with ``- `` at the line's start: no other line
    can, in a block list), or None where a record's value could depend on another's text (an alias to an
    anchor outside its record, a tag, several documents)."""
    if _UNSPLITTABLE.search(text):
        return None
    starts = [m.start() for m in _ITEM.finditer(text)]
    if not starts or any(line.strip() and not line.lstrip().startswith("#")
                         for line in text[:starts[0]].splitlines()):
        return None
    chunks = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    for chunk in chunks:
        if "*" in chunk and not set(_ALIAS.findall(chunk)) <= set(_ANCHOR.findall(chunk)):
            return None
    return chunks


def _one(chunk: str, name: str, model):
    """The record of one chunk (_chunks), validated."""
    data = yaml.load(chunk, Loader=_FAST_LOADER)
    if not (isinstance(data, list) and len(data) == 1 and isinstance(data[0], dict)):
        raise ValueError("not one record")
    return model.model_validate(data[0])


def load_facts(facts_dir: Path = FACTS_DIR, cache: Path | None = None) -> dict[str, list[Record]]:
    """Return {file stem: [Record]} in file order; raise FactError naming file, record and field.
    ``cache``: a directory keeping each file's validated records (``_cached``)."""
    facts, seen, former = {}, {}, {}
    for path in sorted(facts_dir.glob("*.yaml")):
        stem = path.stem
        if stem not in KINDS:
            raise FactError(f"{path.name}: unknown fact file (known: {', '.join(KINDS)})")
        kind, model = KINDS[stem]
        out = []
        for rec in _cached(path, model, cache):
            if rec.id in seen:
                raise FactError(f"{path.name}: record {rec.id!r}: field id: already used in {seen[rec.id]}")
            if rec.id in former:
                raise FactError(f"{path.name}: record {rec.id!r}: field id: {rec.id!r} is a former id of "
                                f"{former[rec.id]!r}")
            for old in rec.former_ids:
                if old in seen or old in former:
                    raise FactError(f"{path.name}: record {rec.id!r}: field former_ids: {old!r} is an id "
                                    "in use")
                former[old] = rec.id
            seen[rec.id] = path.name
            out.append(Record(path.name, kind, rec))
        facts[stem] = out
    return facts
