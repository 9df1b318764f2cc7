"""Identity links: read only from ``kg/source/wikidata-links.tsv`` (a copy of ../shared/reference), and their
report.

``verified`` rows become owl:sameAs links; ``candidate`` rows are reported with their ID and never published;
``none`` rows and graph entities without a row are reported as unlinked.
"""
import csv
import json
import re
from pathlib import Path

LINKS_FILE = Path(__file__).parent / "source" / "wikidata-links.tsv"
_QID = re.compile(r"^Q[1-9][0-9]*$")


def load_links(path: Path = LINKS_FILE) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        if row["status"] not in {"verified", "candidate", "none"}:
            raise ValueError(f"{path.name}: {row['key']}: unknown status {row['status']!r}")
        if row["wikidata"] and not _QID.match(row["wikidata"]):
            raise ValueError(f"{path.name}: {row['key']}: malformed Wikidata ID {row['wikidata']!r}")
    return rows


def link_report(registry: dict, links: list[dict]) -> dict:
    """Classify every named entity of the graph (persons, organisations, places, posts, ranks, events,
    topics)."""
    by_key = {row["key"]: row for row in links}
    report = {"linked": [], "candidate": [], "unlinked": [], "not_in_graph": []}
    for key, (kind, iri) in sorted(registry.items()):
        if kind not in {"person", "organization", "place", "post", "rank", "event", "topic"}:
            continue
        row = by_key.get(key)
        entry = {"key": key, "kind": kind, "iri": str(iri)}
        if row and row["status"] == "verified":
            report["linked"].append({**entry, "wikidata": row["wikidata"],
                                     "dbpedia": row["enwiki_title"] or None})
        elif row and row["status"] == "candidate":
            report["candidate"].append({**entry, "candidate": row["wikidata"], "note": row["note"],
                                        "dbpedia": row["enwiki_title"] or None})
        else:
            report["unlinked"].append({**entry, "dbpedia": (row or {}).get("enwiki_title") or None})
    report["not_in_graph"] = sorted(row["key"] for row in links if row["key"] not in registry)
    report["totals"] = {k: len(v) for k, v in report.items() if k != "totals"}
    return report


def report_text(report: dict) -> str:
    lines = ["# Identity link report", ""]
    t = report["totals"]
    lines.append(f"linked: {t['linked']}  candidate (unpublished): {t['candidate']}  "
                 f"unlinked: {t['unlinked']}  reference rows not in graph: {t['not_in_graph']}")
    lines.append("")
    lines.append("## linked (owl:sameAs published)")
    lines += [f"  {e['kind']:<12} {e['key']:<36} wd:{e['wikidata']}"
              + (f"  dbr:{e['dbpedia']}" if e["dbpedia"] else "") for e in report["linked"]]
    lines.append("## candidate (not published)")
    lines += [f"  {e['kind']:<12} {e['key']:<36} candidate wd:{e['candidate']}  ({e['note']})"
              for e in report["candidate"]]
    lines.append("## unlinked to Wikidata")
    lines += [f"  {e['kind']:<12} {e['key']}" + (f"  dbr:{e['dbpedia']}" if e["dbpedia"] else "")
              for e in report["unlinked"]]
    lines.append("## reference rows with no entity in the graph")
    lines += [f"  {k}" for k in report["not_in_graph"]]
    return "\n".join(lines) + "\n"


def report_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
