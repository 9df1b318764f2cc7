"""The ``apg`` command: a thin Click layer over plain functions.

Every failure is one line on standard error (``Error: …``) with an exit status that says what failed (the
table EXIT_STATUSES, also in ``apg --help`` and the README). Click's own usage errors are made one line too,
and an exception nobody expected is reported in one line as a bug (APG_TRACEBACK=1 lets its traceback
through). Commands import their modules when they run, so ``apg --help`` and shell completion stay fast.
"""
import contextlib
import json
import os
import time
from pathlib import Path

import click

from . import __version__
from .facts import FACTS_DIR
from .iris import DEFAULT_BASE, Iris
from .resources import default_dist

DIST = default_dist()  # the checkout's dist/, or dist/ in the current directory when installed

OK, FAILED, USAGE, INPUT, NO_BUILD, INVALID = 0, 1, 2, 3, 4, 5
EXIT_STATUSES = (  # kept short: `apg --help` shows them as they are
    (OK, "success"),
    (FAILED, "other failure: cannot write the build, port in use, a bug in apg"),
    (USAGE, "usage: unknown command or option, bad value, --format missing or unfit"),
    (INPUT, "input: a fact file, query or RDF file unreadable or invalid"),
    (NO_BUILD, "no usable build in --dist (missing, damaged: 'apg build') or in --engine ('apg load')"),
    (INVALID, "validation failed: SHACL violations, OWL 2 RL inconsistency"),
)


class Failure(click.ClickException):
    """One line on standard error and an exit status from EXIT_STATUSES."""

    def __init__(self, message: str, exit_code: int):
        super().__init__(" ".join(str(message).split()))
        self.exit_code = exit_code


@contextlib.contextmanager
def _one_line_errors():
    try:
        yield
    except click.exceptions.NoArgsIsHelpError:
        raise  # `apg` alone: the help text
    except click.UsageError as exc:
        hint = f"; see '{exc.ctx.command_path} --help'" if exc.ctx else ""
        raise Failure(exc.format_message().rstrip(".") + hint, USAGE) from None
    except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
        raise  # Click reports these (a closed pipe, as in `apg query … | head`, is no error)
    except Exception as exc:
        if os.environ.get("APG_TRACEBACK"):
            raise
        raise Failure(f"unexpected {type(exc).__name__}: {exc} (a bug in apg; APG_TRACEBACK=1 shows where)",
                      FAILED) from None


class _Apg(click.Group):
    """Click's group, with every error (its usage errors included) in one line."""

    def make_context(self, info_name, args, parent=None, **extra):
        with _one_line_errors():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx):
        with _one_line_errors():
            return super().invoke(ctx)


# ---------------------------------------------------------------- options shared by commands


def dist_option(*names: str, help: str):
    """--dist (APG_DIST) the same way on every command that reads or writes a build."""
    return click.option(*names, "dist", type=click.Path(path_type=Path), envvar="APG_DIST", default=DIST,
                        show_default=True, show_envvar=True, help=help)


def facts_option(command):
    return click.option("--facts", type=click.Path(path_type=Path), default=FACTS_DIR,
                        help="Directory of fact files (default: the package's kg/facts).")(command)


def json_option(command):
    return click.option("--json", "as_json", is_flag=True, help="JSON on standard output instead of text.")(
        command)


def _check_base(ctx, param, value):
    try:
        Iris(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _version(ctx, param, value):
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"apg-kg {__version__}")
    dist = Path(os.environ.get("APG_DIST") or DIST)
    try:  # the manifest's word for the checksum: --version reads no dump
        manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
        sha = manifest["files"]["dataset.nq"]["sha256"]
        click.echo(f"dataset {manifest['version']} (sha256 {sha[:12]}) built in {dist}")
    except (OSError, ValueError, KeyError, TypeError):
        click.echo(f"dataset: no build in {dist} ('apg build' makes one)")
    ctx.exit()


def _epilog() -> str:
    lines = ["\b", "Exit statuses:"] + [f"  {code}  {meaning}" for code, meaning in EXIT_STATUSES]
    lines += ["", "\b", "Shell completion (bash; zsh_source, fish_source for zsh and fish):",
              '  eval "$(_APG_COMPLETE=bash_source apg)"']
    return "\n".join(lines)


@click.group(cls=_Apg, epilog=_epilog(), context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_version,
              help="The version of apg-kg and of the build in APG_DIST (default: dist/), then exit.")
def main():
    """apg-kg: the Anti-Party Group knowledge graph."""


# ---------------------------------------------------------------- reading facts and builds


def _facts_error(exc: Exception) -> Failure:
    """The Failure for an exception of reading the facts or building the graph from them."""
    from .facts import FactError
    from .pipeline import BuildError
    from .reasoning import InconsistencyError

    if isinstance(exc, BuildError | InconsistencyError):
        return Failure(str(exc).split("\n", 1)[0].rstrip(":"), INVALID)
    if isinstance(exc, FactError | ValueError):
        return Failure(str(exc), INPUT)
    if isinstance(exc, OSError) and exc.filename:
        return Failure(f"{exc.strerror or exc}: {exc.filename}", FAILED)
    return Failure(str(exc), FAILED)


def _check_facts(facts: Path) -> Path:
    if not facts.is_dir():
        raise Failure(f"no directory of fact files at {facts}", INPUT)
    return facts


def _facts_graph(facts: Path):
    """build_graph() on the facts in ``facts``: (data, context, links)."""
    from .pipeline import build_graph

    try:
        return build_graph(facts_dir=_check_facts(facts))
    except (ValueError, OSError) as exc:
        raise _facts_error(exc) from None


def _open_store(dist: Path):
    from server.store import BuildMissing, OxigraphStore, StoreError

    try:
        return OxigraphStore(dist)
    except BuildMissing as exc:
        raise Failure(str(exc), NO_BUILD) from None
    except StoreError as exc:
        raise Failure(str(exc), FAILED) from None


# ---------------------------------------------------------------- build


class _Stages:
    """The ``progress`` callback of pipeline.build(): rich's live display on a terminal (standard error), one
    plain line per stage otherwise, nothing with -q. Stages the pipeline adds later are simply counted."""

    def __init__(self, stages: tuple[str, ...], quiet: bool):
        self.stages, self.quiet, self.started = stages, quiet, 0
        self.current, self.since = None, 0.0
        self.live = None if quiet else _live_display()

    def __call__(self, stage: str) -> None:
        total = max(len(self.stages), self.started + 1)
        self._finish()
        self.started += 1
        self.current, self.since = stage, time.perf_counter()
        if self.live is not None:
            self.live.update(self.task, description=stage, completed=self.started - 1, total=total,
                             refresh=True)  # every stage is shown, however short
        elif not self.quiet:
            click.echo(f"[{self.started}/{total}] {stage}", err=True)

    def _finish(self) -> None:
        if self.live is not None and self.current is not None:
            self.live.console.print(f"[green]✓[/green] {self.current} "
                                    f"[dim]{time.perf_counter() - self.since:.1f} s[/dim]", highlight=False)

    def __enter__(self):
        if self.live is not None:
            self.live.start()
            self.task = self.live.add_task("", total=len(self.stages))
        return self

    def __exit__(self, kind, exc, tb):
        if self.live is not None:
            if kind is None:
                self._finish()
            self.live.stop()


def _live_display():
    """A rich Progress on standard error when that is a terminal, else None."""
    if not click.get_text_stream("stderr").isatty():
        return None
    from rich import progress as rp
    from rich.console import Console

    return rp.Progress(rp.SpinnerColumn(), rp.TextColumn("{task.description:<8}"), rp.BarColumn(),
                       rp.MofNCompleteColumn(), rp.TimeElapsedColumn(), console=Console(stderr=True),
                       transient=True, refresh_per_second=5)


@main.command()
@dist_option("--dist", "--out", help="Where to write the build (swapped in whole when it is complete).")
@click.option("--base", envvar="APG_BASE", default=DEFAULT_BASE, show_default=True, show_envvar=True,
              callback=_check_base, help="Base IRI of the data.")
@facts_option
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary: errors only.")
@click.option("--engine", type=click.Choice(("auto", "reference", "fast")), default="auto", show_default=True,
              help="SHACL and OWL RL engines: pySHACL + owlrl (reference), kg.fastshacl + kg.fastowl (fast, "
                   "the same results), or by size (auto: fast above 10,000 data triples).")
@click.option("--cache", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Incremental rebuilds (fast engine): keep the dumps (hard links), a store of the graphs, "
                   "each record's triples and what SHACL and OWL RL found here, and next time rebuild only "
                   "the edited records and what their changed triples touch (kg/rebuild.py, "
                   "kg/incremental.py; the same output). About the size of the dumps, plus the store.")
@json_option
def build(dist, base, facts, quiet, engine, as_json, cache):
    """Facts → graph → SHACL + OWL 2 RL → dumps in DIST.

    The stages (facts, graph, SHACL, OWL RL, dumps) show as a progress display on a terminal, one line each
    otherwise (standard error); the summary ends on standard output (--json: as JSON). Nothing is written
    when SHACL finds a violation or OWL 2 RL an inconsistency: the report goes to standard error."""
    from .pipeline import STAGES, BuildError
    from .pipeline import build as run_build

    summary = []
    started = time.perf_counter()
    try:
        with _Stages(STAGES, quiet) as progress:
            run_build(dist, base, log=summary.append, facts_dir=_check_facts(facts), progress=progress,
                      engine=engine, cache=cache)
    except BuildError as exc:  # the SHACL report, then the one line
        head, _, report = str(exc).partition("\n")
        click.echo(report, err=True, nl=False)
        raise Failure(f"{head.rstrip(':')}; nothing was written to {dist}", INVALID) from None
    except (ValueError, OSError) as exc:
        raise _facts_error(exc) from None
    if as_json:
        click.echo(json.dumps(_summary(dist, time.perf_counter() - started), indent=2))
    elif not quiet:
        click.echo("\n".join(summary))


def _summary(dist: Path, seconds: float) -> dict:
    manifest = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    return {"dist": str(dist), "version": manifest["version"], "base": manifest["base"],
            "triples": {n: g["triples"] for n, g in manifest["graphs"].items()},
            "shacl": manifest["shacl"], "links": manifest["links"],
            "dataset_sha256": manifest["files"]["dataset.nq"]["sha256"], "files": len(manifest["files"]),
            "seconds": round(seconds, 2)}


# ---------------------------------------------------------------- validate


def _rdf_formats() -> dict:
    """File extensions -> kg.dist's format records (the dumps' table), plus the usual other names."""
    from .dist import FORMAT_BY_EXTENSION as by_ext

    return {**by_ext, "owl": by_ext["rdf"], "xml": by_ext["rdf"], "json": by_ext["jsonld"],
            "turtle": by_ext["ttl"]}


_RDF_FORMAT_NAMES = ("ttl", "nt", "jsonld", "rdf", "trig", "nq")


def _read_rdf(path: Path, fmt: str | None):
    """An RDF file as an rdflib Graph (the triples of every graph of a dataset), read by pyoxigraph, whose
    errors name the line and column. Failure: the file and the reason, in one sentence."""
    import re

    import pyoxigraph as ox
    from rdflib import Graph

    if path.is_dir():
        raise Failure(f"cannot read {path}: it is a directory", INPUT)
    formats = _rdf_formats()
    record = formats.get(fmt or path.suffix.lower().lstrip("."))
    if record is None:
        raise Failure(f"cannot tell what {path} is from its extension '{path.suffix}': say it with --format "
                      + "|".join(_RDF_FORMAT_NAMES), USAGE)
    try:
        with open(path, "rb") as f:
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(f, record.rdf_format)]
    except OSError as exc:
        raise Failure(f"cannot read {path}: {exc.strerror or exc}", INPUT) from None
    except SyntaxError as exc:
        reason = re.sub(r"\s*\((?:[^()]*, )?line \d+\)$", "", " ".join(str(exc).split()))
        m = re.fullmatch(r"Parser error (?:at|between) line (\d+) column (\d+)(?: and line \d+ column \d+)?: "
                         r"(.*)", reason)
        if m:
            reason = f"{m.group(3)} at line {m.group(1)}, column {m.group(2)}"
        if "LoadDocumentCallback" in reason:  # pyoxigraph fetches nothing, and neither does apg
            reason = "it names a remote @context, and apg fetches nothing: put the context in the file"
        reason = reason[:1].lower() + reason[1:]
        raise Failure(f"{path} is not valid {record.name}: {reason.rstrip('.')}.", INPUT) from None
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


@main.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(_RDF_FORMAT_NAMES),
              help="What the FILES are, when their extensions do not say.")
@facts_option
@json_option
def validate(files, fmt, facts, as_json):
    """SHACL report of the current facts, or of the RDF FILES given (with the ontology).

    Exit status 5 when there is a violation; warnings alone pass."""
    from rdflib import Graph

    from .pipeline import load_ontology
    from .validation import validate as run_validate

    provenance = None
    if files:
        data = Graph()
        for f in files:
            data += _read_rdf(f, fmt)
    else:
        data, ctx, _ = _facts_graph(facts)
        provenance = ctx.provenance_graph
    report = run_validate(data, load_ontology(), provenance=provenance)
    if as_json:
        results = [_result(r) for r in sorted(report.results, key=lambda r: r.line())]
        click.echo(json.dumps({"conforms": report.conforms, "violations": len(report.violations),
                               "warnings": len(report.warnings), "results": results},
                              indent=2, ensure_ascii=False))
    else:
        click.echo(report.text(), nl=False)
    if not report.conforms:
        what = ", ".join(str(f) for f in files) if files else "the facts"
        raise Failure(f"SHACL found {len(report.violations)} violation(s) in {what}", INVALID)


def _result(result) -> dict:
    return {"severity": result.severity, "focus": result.focus, "path": result.path,
            "message": result.message, "sentences": list(result.sentences), "shape": result.shape}


# ---------------------------------------------------------------- query


def _query_formats() -> dict:
    """--format values: 'table', then the endpoint's formats table (server/formats.py)."""
    from server.formats import FORMATS

    return {"table": None, **{f.short: f for f in FORMATS}}


_QUERY_FORMAT_NAMES = ("table", "json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "rdf", "nq", "trig")


def _query_text(sparql: str | None, path: Path | None) -> str:
    if sparql is not None and path is not None:
        raise Failure("give the query as an argument or with -f, not both", USAGE)
    if path is None and sparql not in (None, "-"):
        return sparql.removeprefix("\ufeff")
    if path is None or str(path) == "-":
        stdin = click.get_binary_stream("stdin")
        if path is None and sparql is None and click.get_text_stream("stdin").isatty():
            raise Failure("no query: give it as an argument, with -f FILE, or on standard input", USAGE)
        name, data = "standard input", stdin.read()
    else:
        try:
            name, data = str(path), path.read_bytes()
        except OSError as exc:
            raise Failure(f"cannot read {path}: {exc.strerror or exc}", INPUT) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Failure(f"{name} is not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})",
                      INPUT) from None
    return text.removeprefix("\ufeff")  # a byte order mark left by an editor


@main.command()
@click.argument("sparql", required=False)
@click.option("-f", "--file", "path", type=click.Path(path_type=Path, allow_dash=True),
              help="Read the query from FILE ('-': standard input).")
@click.option("--format", "fmt", default="table", show_default=True, type=click.Choice(_QUERY_FORMAT_NAMES),
              help="table, json, xml, csv, tsv for SELECT and ASK; table, ttl, nt, jsonld, rdf, nq, trig for "
                   "CONSTRUCT and DESCRIBE.")
@dist_option("--dist", help="The build to query.")
def query(sparql, path, fmt, dist):
    """Run SPARQL on the build: SPARQL, -f FILE, or standard input.

    The dataset and the predefined prefixes (apg:, foaf:, org:, prov:, … as the endpoint's) are the
    endpoint's: the default graph is data + ontology, every graph is named for GRAPH. --format table gives
    SELECT as a table (values cut at 80 characters), ASK as true or false, and graphs as Turtle with the
    project's prefixes; the other formats are the endpoint's (ASK: the SPARQL results documents)."""
    from server.endpoint.query import QueryError, answer, evaluation_errors, prepare

    text = _query_text(sparql, path)
    if not text.strip():
        raise Failure("the query is empty", INPUT)
    store = _open_store(dist)
    try:
        pq = prepare(text, store.base)
        with evaluation_errors():
            result = answer(store, text, pq, base=store.base)
            out = _render(result, fmt, pq.form if pq else None)
    except QueryError as exc:  # the endpoint's one line; 406: the answer cannot be written in that format
        raise Failure(str(exc), USAGE if exc.status == 406 else INPUT) from None
    if isinstance(out, str):
        click.echo(out, nl=False)
    else:
        stdout = click.get_binary_stream("stdout")
        stdout.write(out if out.endswith(b"\n") else out + b"\n")
        stdout.flush()


def _render(result, fmt: str, form: str | None) -> str | bytes:
    import pyoxigraph as ox

    from server.endpoint.query import serialize
    from server.formats import GRAPH, RESULTS

    if isinstance(result, ox.QueryBoolean):
        kind, form = RESULTS, "ASK"
    elif isinstance(result, ox.QuerySolutions):
        kind, form = RESULTS, "SELECT"
    else:
        kind, form = GRAPH, form or "CONSTRUCT"
    if fmt == "table":
        if isinstance(result, ox.QueryBoolean):
            return "true\n" if result else "false\n"
        if isinstance(result, ox.QuerySolutions):
            return _table(result)
        fmt = "ttl"
    record = _query_formats()[fmt]
    if record.kind != kind:
        fits = [name for name, f in _query_formats().items() if f is None or f.kind == kind]
        what = "SELECT and ASK" if record.kind == RESULTS else "CONSTRUCT and DESCRIBE"
        article = "an" if form == "ASK" else "a"
        raise Failure(f"--format {fmt} is for {what}; {article} {form} query is written as "
                      + ", ".join(fits[:-1]) + f" or {fits[-1]}", USAGE)
    return serialize(result, record)


_CELL = 80  # a table is for reading: longer values are cut (csv, tsv, json keep them whole)


def _cell(term) -> str:
    import re

    text = "" if term is None else _term(term)
    # control characters escaped: each row on one line
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", lambda m: repr(m.group())[1:-1], text)
    return text if len(text) <= _CELL else text[:_CELL - 1] + "…"


def _table(solutions) -> str:
    names = [v.value for v in solutions.variables]
    rows = [[_cell(s[n]) for n in names] for s in solutions]
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = lambda cells: " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(names), "-+-".join("-" * w for w in widths)] + [line(r) for r in rows]
    return "\n".join(out) + f"\n({len(rows)} row{'' if len(rows) == 1 else 's'})\n"


def _term(term) -> str:
    """A cell: an IRI as a prefixed name where one of the project's prefixes fits, a literal's text (with its
    language tag), a blank node as _:id."""
    import re

    import pyoxigraph as ox

    from .namespaces import PREFIXES

    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, ox.NamedNode):
        for prefix, ns in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
            local = term.value[len(ns):]
            if term.value.startswith(ns) and re.fullmatch(r"[^\W\d][\w\-]*", local):
                return f"{prefix}:{local}"
        return term.value
    return str(term)


# ---------------------------------------------------------------- info


@main.command()
@dist_option("--dist", help="The build to describe.")
@json_option
def info(dist, as_json):
    """What is built where: version, base IRI, graphs and their triples, the checksum of dataset.nq (checked
    against the manifest), SHACL and identity-link counts."""
    from server.store import BuildMissing, read_build

    try:
        manifest, sha = read_build(dist)
    except BuildMissing as exc:
        raise Failure(str(exc), NO_BUILD) from None
    dump = manifest["files"]["dataset.nq"]
    facts = {"dist": str(Path(dist).resolve()), "version": manifest.get("version"),
             "base": manifest.get("base"), "ontology": manifest.get("ontology"),
             "graphs": {n: {"iri": g["iri"], "triples": g.get("triples")}
                        for n, g in manifest["graphs"].items()},
             "default_graph": manifest["default_graph"],
             "dataset": {"file": "dataset.nq", "bytes": dump.get("bytes"), "sha256": sha},
             "shacl": manifest.get("shacl"), "links": manifest.get("links"), "files": len(manifest["files"])}
    if as_json:
        click.echo(json.dumps(facts, indent=2))
        return
    graphs = facts["graphs"]
    default = [n for n, g in graphs.items() if g["iri"] in facts["default_graph"]]
    width = max(len(n) for n in graphs)
    lines = [f"build     {facts['dist']}", f"version   {facts['version']}", f"base      {facts['base']}",
             f"ontology  {facts['ontology']}",
             f"graphs    {sum(g['triples'] or 0 for g in graphs.values())} triples; default graph: "
             + " + ".join(default)]
    lines += [f"  {n:<{width}} {g['triples']:>8}  {g['iri']}" for n, g in graphs.items()]
    lines.append(f"dataset   dataset.nq, {dump.get('bytes')} bytes, sha256 {sha} (matches the manifest)")
    if facts["shacl"]:
        lines.append(f"SHACL     {facts['shacl']['violations']} violations, {facts['shacl']['warnings']} "
                     "warnings")
    if facts["links"]:
        lines.append("links     " + ", ".join(f"{n} {k.replace('_', ' ')}"
                                              for k, n in facts["links"].items()))
    lines.append(f"files     {facts['files']} (checksums in SHA256SUMS)")
    click.echo("\n".join(lines))


# ---------------------------------------------------------------- load


@main.command()
@click.option("--engine", required=True, envvar="APG_ENGINE", show_envvar=True,
              help="The engine's SPARQL query URL (Oxigraph server: http://HOST:7878/query; Virtuoso: "
                   "http://HOST:8890/sparql).")
@dist_option("--dist", help="The build to load.")
@click.option("--graph-store", default=None,
              help="Graph Store Protocol URL (default for Oxigraph server: /store beside /query; on "
                   "Virtuoso: use its bulk loader).")
@click.option("--isql", "isql_address", default=None,
              help="Virtuoso: HOST:PORT of its SQL port for the bulk loader (default: the engine's "
                   "host, 1111).")
@click.option("--user", default="dba", show_default=True, help="Virtuoso: the isql user.")
@json_option
def load(engine, dist, graph_store, isql_address, user, as_json):
    """Load the build into an external SPARQL engine (Graph Store Protocol, or Virtuoso's bulk loader),
    check every graph's triple count against the manifest and record which build the engine holds, which
    'apg serve --engine' checks. Virtuoso's password: APG_ENGINE_PASSWORD (default dba)."""
    from server.engines.load import load as load_build
    from server.store import BuildMissing, StoreError

    try:
        summary = load_build(engine, dist, graph_store=graph_store, isql=isql_address, user=user,
                             log=lambda line: None if as_json else click.echo(line, err=True))
    except BuildMissing as exc:
        raise Failure(str(exc), NO_BUILD) from None
    except ValueError as exc:
        raise Failure(str(exc), USAGE) from None
    except StoreError as exc:
        raise Failure(str(exc), FAILED) from None
    if as_json:
        click.echo(json.dumps(summary, indent=2))
        return
    counts = ", ".join(f"{n} {c}" for n, c in summary["graphs"].items())
    click.echo(f"loaded {dist} into {engine} ({summary['engine']}, {summary['method']}) in "
               f"{summary['seconds']}s: {counts}; build {summary['dataset_sha256'][:12]} recorded")


# ---------------------------------------------------------------- reports on the facts


@main.command()
@facts_option
@json_option
def coverage(facts, as_json):
    """Per sentence, the statements that cite it; the statements that cite none; factual triples without
    statement-level provenance."""
    from .coverage import coverage as run_coverage
    from .coverage import coverage_text

    data, ctx, _ = _facts_graph(facts)
    cov = run_coverage(data, ctx.provenance_graph)
    click.echo(json.dumps(cov, indent=2, ensure_ascii=False) if as_json else coverage_text(cov), nl=as_json)


@main.command()
@facts_option
@json_option
def links(facts, as_json):
    """Identity link report: linked, candidate (unpublished), unlinked."""
    from .links import link_report, report_json, report_text

    _, ctx, rows = _facts_graph(facts)
    rep = link_report(ctx.registry, rows)
    click.echo(report_json(rep) if as_json else report_text(rep), nl=False)


# ---------------------------------------------------------------- serve


@main.command()
@facts_option
@json_option
def corrections(facts, as_json):
    """Editorial corrections: where the graph records other than the source says (with reason and evidence),
    and the source's typos that the labels normalise."""
    from .corrections import list_corrections, report_json, report_text

    rows = list_corrections(_facts_graph(facts)[0])
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
@dist_option("--dist", help="The build to serve.")
@click.option("--base", default=None,
              help="Base IRI for relative IRIs in queries (APG_BASE; default: the build's).")
@click.option("--store-path", type=click.Path(path_type=Path), default=None,
              help="Keep the store on disk in this directory instead of memory (APG_STORE_PATH).")
@click.option("--engine", default=None,
              help="Answer from an external SPARQL engine holding the build ('apg load --engine'): its "
                   "query URL (APG_ENGINE).")
@click.option("--max-query-length", type=int, default=None,
              help="Largest query accepted, in bytes (APG_MAX_QUERY_LENGTH; default 100000).")
@click.option("--max-result-bytes", type=int, default=None,
              help="Largest answer served, in bytes (APG_MAX_RESULT_BYTES; default 16 MiB).")
@click.option("--answer-cache-bytes", type=int, default=None,
              help="Per-worker memory for repeated answers (APG_ANSWER_CACHE_BYTES; default 64 MiB; 0: off).")
@click.option("--proxy-fix", type=int, default=None,
              help="Reverse proxies whose X-Forwarded-* headers are trusted (APG_PROXY_FIX; default 0).")
@click.option("--allocator", default=None,
              help="The server's memory allocator (its workers and query processes inherit it): jemalloc "
                   "(when installed) or system (APG_ALLOCATOR; default jemalloc; server/allocator.py).")
def serve(allocator, **options):
    """Serve the build as a read-only SPARQL 1.1 endpoint at http://HOST:PORT/sparql (granian).

    SIGHUP reloads the build in --dist without dropping requests."""
    from server import StoreError, create_app
    from server import allocator as allocators
    from server.reload import Reloading
    from server.serve import PortInUse, check_port, run
    from server.store import BuildMissing

    config = {key.upper(): value for key, value in options.items() if value is not None}
    try:
        allocator = allocators.choice(allocator)
        # loads the build once (the workers share it) and checks it and the settings: one line if wrong
        reloading = Reloading(lambda: create_app(dict(config)))
        check_port(reloading.app.config["HOST"], reloading.app.config["PORT"])
    except BuildMissing as exc:
        raise Failure(str(exc), NO_BUILD) from None
    except ValueError as exc:
        raise Failure(str(exc), USAGE) from None
    except (StoreError, PortInUse) as exc:
        raise Failure(str(exc), FAILED) from None
    # settings and build checked: start again under the allocator (the checks are repeated), then serve
    allocators.start_with(allocator)
    run(reloading)
