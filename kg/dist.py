"""Writing the build output: dumps in several syntaxes, .gz copies, checksums, reports and a manifest.

Determinism: rdflib builds the graphs; pyoxigraph writes the bytes, because it writes triples in the order it
is given (rdflib's serialisers follow set order, which changes with PYTHONHASHSEED). Triples are sorted, blank
nodes (only in the SHACL report) are canonicalised, and gzip headers carry no time or file name. Same sources,
byte-identical files.
"""
import ctypes
import gzip
import hashlib
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph

from .namespaces import PREFIXES
from .parts import GZIP_LEVEL, Kept, PartSink


@dataclass(frozen=True)
class Format:
    name: str
    extension: str
    media_type: str
    oxigraph_format: str
    dataset: bool = False

    @property
    def rdf_format(self) -> ox.RdfFormat:
        return getattr(ox.RdfFormat, self.oxigraph_format)


# One table answers the file extensions here and the media types the server announces.
FORMATS = (
    Format("Turtle", "ttl", "text/turtle", "TURTLE"),
    Format("N-Triples", "nt", "application/n-triples", "N_TRIPLES"),
    Format("JSON-LD", "jsonld", "application/ld+json", "JSON_LD"),
    Format("RDF/XML", "rdf", "application/rdf+xml", "RDF_XML"),
    Format("TriG", "trig", "application/trig", "TRIG", dataset=True),
    Format("N-Quads", "nq", "application/n-quads", "N_QUADS", dataset=True),
)
FORMAT_BY_EXTENSION = {f.extension: f for f in FORMATS}
_TRIG = FORMAT_BY_EXTENSION["trig"]


def to_oxigraph(term):
    """rdflib term -> pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def _prefixes(fmt: Format) -> dict | None:
    return None if fmt.extension in ("nt", "nq") else dict(PREFIXES)


def oxigraph_triples(graph) -> list[ox.Triple]:
    """A graph's triples (an rdflib Graph, a TripleSet) as pyoxigraph triples, sorted by their N-Triples
    text: the order of every dump (a total order, the same for the same triples; a subject's triples, and a
    subject and predicate's, stay together, as no IRI or blank node label holds a space). A build converts
    each graph once and hands the list to every format (the serialisers take either). Each distinct term is
    converted once and shared (a sentence IRI is the object of thousands of triples); sorting the texts
    runs at C speed, where rdflib's term order compares in Python (a third of the time at 500x)."""
    memo: dict = {}

    def term(t):
        # rdflib terms hash by their text, and a URIRef never equals a Literal of the same text
        found = memo.get(t)
        if found is None:
            found = memo[t] = to_oxigraph(t)
        return found

    triples = [ox.Triple(term(s), term(p), term(o)) for s, p, o in graph]
    triples.sort(key=str)
    return triples


def _sorted(graph) -> list[ox.Triple]:
    return oxigraph_triples(graph) if isinstance(graph, Graph) else graph


def serialize_graph(graph, fmt: Format, output=None) -> bytes | None:
    """Serialise with pyoxigraph, which writes triples in the order given: sorted order gives stable bytes.
    ``graph``: an rdflib Graph, or its oxigraph_triples(); ``output``: a file-like (DistWriter.stream) to
    write to instead of returning the bytes."""
    return ox.serialize(_sorted(graph), output, format=fmt.rdf_format, prefixes=_prefixes(fmt))


def serialize_dataset(graphs: dict, fmt: Format, extra: dict | None = None, output=None) -> bytes | None:
    """graphs: {graph IRI: Graph}, written graph by graph in IRI order; extra: {graph IRI: [pyoxigraph
    Triple]}, RDF 1.2 triples written after that graph's own. The quads are made as the serialiser reads
    them, not held."""
    def quads():
        for iri in sorted(graphs):
            g = ox.NamedNode(str(iri))
            for triples in (_sorted(graphs[iri]), (extra or {}).get(iri, ())):
                for t in triples:
                    yield ox.Quad(t.subject, t.predicate, t.object, g)

    return ox.serialize(quads(), output, format=fmt.rdf_format, prefixes=_prefixes(fmt))


CANONICAL_MAX = 1_000  # blank nodes; the real graph's report has 16, ten copies' 280


def content_labels(graph: Graph) -> dict:
    """{blank node: BNode label}: a SHA-256 of what each blank node says (its triples, blank objects by their
    labels; nodes that say the same thing are numbered in order of what points at them). For a tree of blank
    nodes (a SHACL report: the report, its results, the shapes they cite), stable and collision-free."""
    labels: dict = {}

    def label(node, seen=()):
        if node in labels:
            return labels[node]
        def term(o):
            if not isinstance(o, BNode):
                return o.n3()
            return "_:cycle" if o in seen else label(o, seen + (node,)).n3()

        parts = sorted(f"{p.n3()} {term(o)}" for p, o in graph.predicate_objects(node))
        labels[node] = BNode("h" + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32])
        return labels[node]

    for node in sorted({t for triple in graph for t in triple if isinstance(t, BNode)}, key=str):
        label(node)
    counts: dict = {}
    final = {}
    for node, lab in sorted(labels.items(), key=lambda kv: (str(kv[1]), sorted(
            str(labels.get(s, s)) for s in graph.subjects(None, kv[0])))):
        n = counts[lab] = counts.get(lab, 0) + 1
        final[node] = BNode(f"{lab}{'' if n == 1 else f'n{n}'}")
    return final


def content_labelled(graph: Graph) -> Graph:
    """The graph with each blank node labelled by content_labels()."""
    final = content_labels(graph)
    out = Graph()
    for s, p, o in graph:
        out.add((final.get(s, s), p, final.get(o, o)))
    return out


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


class DistWriter:
    """Collects files, then writes them with .gz copies, SHA256SUMS and manifest.json.

    Builds never break a running service: files go to a staging directory beside ``out``, and ``finish()``
    swaps it in atomically (Linux ``renameat2(RENAME_EXCHANGE)``: readers see the old build or the new one,
    never a mix or nothing), then removes the old one. A build that fails before ``finish()`` leaves the last
    good ``out`` untouched (its staging directory is removed by the next build, or by ``discard()``). A
    running server switches to the new build by itself (server/reload.py).
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        # gzip is the slowest part of writing a big build; zlib lets go of the GIL, so the copies are
        # compressed on two threads while the next dump is serialised (the bytes are the same)
        self.pool = ThreadPoolExecutor(max_workers=2)
        self.pending = []
        # the dumps written in parts go to disk as each is finished, while the next ones are written (the
        # sync before the swap then waits for little)
        self.syncer, self.syncing = ThreadPoolExecutor(max_workers=1), []
        self.stage = self.out.parent / f".{self.out.name}.building-{os.getpid()}"
        self.files: dict[str, dict] = {}
        # dumps written in parts (kg.parts): the last build's pieces to copy, this build's scratch pieces,
        # and each published file's index (kept for the next build)
        self.kept, self.scratch_kept, self.indexes = Kept(), Kept(self.stage / ".scratch"), {}
        self.pieces = [0, 0]  # parts' pieces copied from the last build, of all written
        for stale in self.out.parent.glob(f".{self.out.name}.building-*"):  # left by a build that failed
            if not _running(stale.name.rsplit("-", 1)[1]) or stale == self.stage:
                shutil.rmtree(stale, ignore_errors=True)
        self.stage.mkdir(parents=True)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is not None:
            self.discard()

    def add(self, name: str, data: bytes, *, media_type: str, triples: int | None = None,
            graph: str | None = None,
            compress: bool = True) -> None:
        (self.stage / name).write_bytes(data)
        self.files[name] = {"media_type": media_type, "bytes": len(data),
                            "sha256": hashlib.sha256(data).hexdigest()}
        if triples is not None:
            self.files[name]["triples"] = triples
        if graph is not None:
            self.files[name]["graph"] = graph
        if compress:
            # at most two dumps wait for their copy: the ones waiting hold their bytes
            while len([j for j in self.pending if not j.done()]) >= 2:
                next(j for j in self.pending if not j.done()).result()
            self.pending.append(self.pool.submit(self._gzip, name, data, media_type))

    def scratch_dir(self) -> Path:
        """A folder for files the build reads back but does not publish (removed by finish())."""
        folder = self.stage / ".scratch"
        folder.mkdir(exist_ok=True)
        return folder

    def parts(self, name: str, *, media_type: str | None = None, triples: int | None = None,
              graph: str | None = None, scratch: str | None = None) -> PartSink:
        """A dump written in pieces (kg.parts) with its .gz copy and index: ``with writer.parts(...) as
        sink: sink.write(key, make)``; ``scratch``: not published, the name of the dataset file that will
        copy its pieces."""
        meta = {"media_type": media_type, **({"triples": triples} if triples is not None else {}),
                **({"graph": graph} if graph is not None else {})}
        return PartSink(self, name, meta, scratch)

    def parts_written(self, sink: PartSink, entries: dict) -> None:
        if sink.scratch:
            self.scratch_kept.add(sink.name, sink.index)
        else:
            self.files.update(entries)
            self.indexes[sink.name] = sink.index

    def written(self) -> Kept:
        """This build's dumps written so far, as pieces to copy."""
        return Kept(self.stage, self.indexes)

    def _gzip(self, name: str, data: bytes, media_type: str) -> None:
        gz = gzip_bytes(data)
        (self.stage / f"{name}.gz").write_bytes(gz)
        self.files[f"{name}.gz"] = {"media_type": media_type, "encoding": "gzip", "bytes": len(gz),
                                    "sha256": hashlib.sha256(gz).hexdigest(), "of": name}

    def add_canonical_report(self, name: str, graph: Graph) -> None:
        # Blank-node labels from the canonical graph are hashes of their content, hence stable. rdflib's
        # canonicalisation takes minutes for tens of thousands of blank nodes: a big report (a big graph's
        # warnings) gets labels hashed from each node's own content instead, also stable.
        bnodes = {t for triple in graph for t in triple if isinstance(t, BNode)}
        canonical = to_canonical_graph(graph) if len(bnodes) <= CANONICAL_MAX else content_labelled(graph)
        self.add(name, serialize_graph(canonical, FORMAT_BY_EXTENSION["ttl"]), media_type="text/turtle",
                 compress=False)

    def sync_and_close(self, *fds: int) -> None:
        def job():
            for fd in fds:
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

        self.syncing.append(self.syncer.submit(job))

    def finish(self, manifest: dict) -> None:
        self._wait()
        for job in self.syncing:
            job.result()
        self.syncer.shutdown()
        shutil.rmtree(self.stage / ".scratch", ignore_errors=True)
        sums = "".join(f"{self.files[n]['sha256']}  {n}\n" for n in sorted(self.files))
        (self.stage / "SHA256SUMS").write_text(sums, encoding="utf-8")
        manifest = {**manifest, "files": {n: self.files[n] for n in sorted(self.files)}}
        (self.stage / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        os.sync()  # the new files are on disk before any name points at them
        swap_in(self.stage, self.out)

    def wait_copies(self) -> None:
        """Wait for every gzip copy started so far (and record it)."""
        for job in self.pending:
            job.result()  # an error writing a copy is the build's error
        self.pending.clear()

    def _wait(self) -> None:
        self.wait_copies()
        self.pool.shutdown()

    def discard(self) -> None:
        for job in self.pending:
            job.cancel()
        self.pool.shutdown(wait=True)
        self.syncer.shutdown(wait=True)  # its jobs close their files
        shutil.rmtree(self.stage, ignore_errors=True)


def _running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:  # alive, someone else's
        pass
    return True


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def swap_in(new: Path, out: Path) -> None:
    """Make ``new`` be ``out`` atomically (``out`` may exist, as a directory); the old tree is removed."""
    if not out.exists():
        os.rename(new, out)
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        done = libc.renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(out), _RENAME_EXCHANGE) == 0
    except (OSError, AttributeError):  # not Linux, or a libc without renameat2
        done = False
    if not done:  # two renames: for a moment there is no out (the server keeps the store it loaded)
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        os.rename(new, out)
        new = old
    shutil.rmtree(new, ignore_errors=True)  # after the exchange, ``new`` names the old build
