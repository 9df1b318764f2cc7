""""Cite this": how to cite a page's thing (or the dataset) as one line and as a BibTeX entry.

The parts come from the build: the dataset's title, creator, version and date (``dcterms:modified``) from the
metadata graph, the thing's IRI and label from the page. The line follows the usual data-citation order
(creator, year, title, version, type, identifier; DataCite's recommended form), the BibTeX entry is a
``@misc`` with ``version`` and ``url`` (biblatex reads both; BibTeX keeps them as fields).
"""
import re

from . import queries
from .views import select, store_memo

_DATASET = queries.load("citation-dataset")


def dataset_facts(store) -> dict:
    """Title, creator, version, date and IRI of the dataset (memoised per store: the build is immutable)."""
    memo = store_memo(store)
    if "citation" in memo:
        return memo["citation"]
    iri = (store.base or "") + "dataset"
    rows = select(store, _DATASET, ds=iri, meta=store.graphs["metadata"])
    row = rows[0] if rows else {}

    def text(key, default=""):
        return row[key].value if row.get(key) is not None else default

    facts = {"title": text("title", "apg-kg"), "creator": text("creator", "apg-kg contributors"),
             "version": text("version", store.version), "date": text("modified"), "iri": iri}
    memo["citation"] = facts
    return facts


def _bibtex_escape(text: str) -> str:
    return re.sub(r"([{}\\%&$#_])", r"\\\1", text)


def citation(store, *, iri: str | None = None, label: str | None = None) -> dict:
    """``{"line", "bibtex", "iri", "version", "date"}`` for a thing of the dataset (``iri``, ``label``), or
    for the dataset itself."""
    ds = dataset_facts(store)
    year = ds["date"][:4]
    target = iri or ds["iri"]
    title = f"{label}. In: {ds['title']}" if label else ds["title"]
    date = f", {ds['date']}" if ds["date"] else ""
    line = f"{ds['creator']} ({year or 'n.d.'}). {title} (version {ds['version']}{date}) [Data set]. {target}"
    key = "apg-kg-" + re.sub(r"[^A-Za-z0-9]+", "-", target.rstrip("/").rsplit("/", 1)[-1]).strip("-")
    fields = [("author", "{" + _bibtex_escape(ds["creator"]) + "}"), ("title", _bibtex_escape(title)),
              ("year", year), ("date", ds["date"]), ("version", ds["version"]), ("url", target),
              ("note", "Data set, CC BY-SA 4.0; derived from the Latvian Wikipedia article "
                       "Antipartijiskā grupa")]
    bibtex = "@misc{" + key + ",\n" + ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v) + "\n}"
    return {"line": line, "bibtex": bibtex, "iri": target, "version": ds["version"], "date": ds["date"]}
