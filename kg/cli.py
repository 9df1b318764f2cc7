"""The ``apg`` command: a thin Click layer over plain functions; errors become one-line ClickExceptions."""
import sys
from pathlib import Path

import click

from .iris import DEFAULT_BASE
from .pipeline import BuildError
from .resources import default_dist

DIST = default_dist()  # the checkout's dist/, or dist/ in the current directory when installed


@click.group()
@click.version_option(package_name="apg-kg")
def main():
    """apg-kg: the Anti-Party Group knowledge graph."""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), default=DIST, show_default=True,
              help="Output directory.")
@click.option("--base", envvar="APG_BASE", default=DEFAULT_BASE, show_default=True,
              help="Base IRI of the data.")
@click.option("--facts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Directory of fact files (default: kg/facts).")
def build(out, base, facts):
    """Facts → graph → SHACL + OWL 2 RL → dumps in OUT."""
    from .facts import FactError
    from .pipeline import build as run_build
    from .reasoning import InconsistencyError

    try:
        run_build(out, base, log=click.echo, **({"facts_dir": facts} if facts else {}))
    except (BuildError, FactError, InconsistencyError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(files):
    """SHACL report of the current facts, or of the RDF FILES given."""
    from rdflib import Graph

    from .pipeline import build_graph, load_ontology
    from .validation import validate as run_validate

    provenance = None
    if files:
        data = Graph()
        for f in files:
            try:
                data.parse(f)
            except Exception as exc:  # rdflib raises many parser-specific types
                raise click.ClickException(f"{f}: cannot parse: {exc}") from exc
    else:
        data, ctx, _ = build_graph()
        provenance = ctx.provenance_graph
    report = run_validate(data, load_ontology(), provenance=provenance)
    click.echo(report.text(), nl=False)
    sys.exit(0 if report.conforms else 1)


_QUERY_FORMATS = {"table": None, "json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV"}
_GRAPH_FORMATS = {"table": "TURTLE", "ttl": "TURTLE", "nt": "N_TRIPLES", "rdf": "RDF_XML",
                  "jsonld": "JSON_LD"}


@main.command()
@click.argument("sparql")
@click.option("--format", "fmt", default="table", show_default=True,
              type=click.Choice(sorted(set(_QUERY_FORMATS) | set(_GRAPH_FORMATS))))
@click.option("--dist", type=click.Path(path_type=Path), default=DIST, show_default=True)
def query(sparql, fmt, dist):
    """Run SPARQL on the built dataset (default graph: data + ontology)."""
    import pyoxigraph as ox

    from server.store import OxigraphStore, StoreError

    try:
        store = OxigraphStore(dist)
        result = store.query(sparql)
    except (StoreError, SyntaxError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    if isinstance(result, bool):
        click.echo("true" if result else "false")
    elif isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            click.echo(_table(result), nl=False)
        elif fmt in _QUERY_FORMATS:
            click.echo(result.serialize(format=getattr(ox.QueryResultsFormat, _QUERY_FORMATS[fmt])).decode(),
                       nl=False)
        else:
            raise click.ClickException(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE; use table, json, xml, csv, tsv")
    else:
        if fmt not in _GRAPH_FORMATS:
            raise click.ClickException(f"--format {fmt} is for SELECT/ASK; use ttl, nt, rdf or jsonld")
        click.echo(ox.serialize(result, format=getattr(ox.RdfFormat, _GRAPH_FORMATS[fmt])).decode(), nl=False)


def _table(solutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [["" if s[n] is None else _term(s[n]) for n in names] for s in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    return "\n".join(out) + f"\n({len(rows)} rows)\n"


def _term(term) -> str:
    import pyoxigraph as ox

    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    return str(term.value) if isinstance(term, ox.NamedNode) else str(term)


@main.command()
def coverage():
    """Per sentence, the statements that cite it; the statements that cite none; factual triples without
    statement-level provenance."""
    from .coverage import coverage as run_coverage
    from .coverage import coverage_text
    from .pipeline import build_graph

    data, ctx, _ = build_graph()
    click.echo(coverage_text(run_coverage(data, ctx.provenance_graph)), nl=False)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def links(as_json):
    """Identity link report: linked, candidate (unpublished), unlinked."""
    from .links import link_report, report_json, report_text
    from .pipeline import build_graph

    _, ctx, rows = build_graph()
    rep = link_report(ctx.registry, rows)
    click.echo(report_json(rep) if as_json else report_text(rep), nl=False)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON instead of text.")
def corrections(as_json):
    """Editorial corrections: where the graph records other than the source says (with reason and evidence), and
    the source's typos that the labels normalise."""
    from .corrections import list_corrections, report_json, report_text
    from .pipeline import build_graph

    rows = list_corrections(build_graph()[0])
    click.echo(report_json(rows) if as_json else report_text(rows), nl=False)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (APG_HOST; default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="TCP port (APG_PORT; default 8000).")
@click.option("--workers", type=int, default=None, help="HTTP worker processes (APG_WORKERS; default 2).")
@click.option("--threads", type=int, default=None,
              help="Request threads per worker (APG_THREADS; default 8).")
@click.option("--query-slots", type=int, default=None,
              help="Queries evaluating at once per worker (APG_QUERY_SLOTS; default 2).")
@click.option("--access-log/--no-access-log", default=None,
              help="One line per request on stderr (APG_ACCESS_LOG; default off).")
@click.option("--max-query-memory", type=int, default=None,
              help="Bytes a query process may use beyond the store (APG_MAX_QUERY_MEMORY; default 1 GiB).")
@click.option("--timeout", type=float, default=None,
              help="Per-query time limit in seconds (APG_TIMEOUT; default 10).")
@click.option("--dist", type=click.Path(path_type=Path), default=None,
              help="Build to serve (APG_DIST; default dist/).")
@click.option("--base", default=None,
              help="Base IRI for relative IRIs in queries (APG_BASE; default: the build's).")
@click.option("--store-path", type=click.Path(path_type=Path), default=None,
              help="Keep the store on disk in this directory instead of memory (APG_STORE_PATH).")
@click.option("--max-query-length", type=int, default=None,
              help="Largest query accepted, in bytes (APG_MAX_QUERY_LENGTH; default 100000).")
@click.option("--max-result-bytes", type=int, default=None,
              help="Largest answer served, in bytes (APG_MAX_RESULT_BYTES; default 16 MiB).")
@click.option("--answer-cache-bytes", type=int, default=None,
              help="Per-worker memory for repeated answers (APG_ANSWER_CACHE_BYTES; default 64 MiB; 0: off).")
def serve(**options):
    """Serve the build as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql (granian).

    SIGHUP reloads the build in --dist without dropping requests."""
    from server import StoreError, create_app
    from server.serve import PortInUse, check_port, run

    config = {key.upper(): value for key, value in options.items() if value is not None}
    try:
        settings = dict(create_app(config).config)  # checks the build and the settings: one line if wrong
        check_port(settings["HOST"], settings["PORT"])
    except (StoreError, ValueError, PortInUse) as exc:
        raise click.ClickException(str(exc)) from exc
    run(config, settings)
