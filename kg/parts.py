"""Dumps in content-defined parts, so that a rebuild rewrites only the parts an edit touched.

A graph's sorted triples are cut into parts before a subject whose CRC-32 is a multiple of CUT (about one
subject in CUT): where the cuts fall depends only on the subjects there, so an edit moves no cut but its
own and leaves every other part's triples as they were. Each dump is its format's head, the parts' bodies
(separated where the format wants it: JSON-LD's commas) and its tail: the same bytes as pyoxigraph
serialising the whole graph, because its serialisers keep no state across a change of subject
(tests/test_parts.py checks every format on generated graphs).

The gzip copy of a dump is one gzip member whose deflate stream is each piece compressed on its own (a
fresh compressor, ended with a sync flush), then an empty final block and the trailer (CRC-32 and size of the
whole). A piece's compressed bytes depend on the piece alone, so a rebuild copies those of the parts it
kept; a full build writes the same layout (about 1 % bigger than one deflate stream at zlib's level 6).

Each file's index (per piece: key, offset, length, and the same in the .gz) lets the next build with the
same cache (kg.incremental) copy the pieces it finds again by key (the SHA-256 of the part's N-Triples and
the file's format) instead of serialising and compressing them.
"""
import functools
import hashlib
import mmap
import operator
import os
import struct
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .namespaces import PREFIXES

CUT = 256  # mean subjects per part: ~100 parts of ~300 kB of N-Triples per 240k triples
GZIP_LEVEL = 6  # zlib's default (gzip -6): half the CPU of -9 for copies about 3 % bigger
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, OS unknown
_FINAL = b"\x03\x00"  # an empty final block with fixed codes


def split(triples: list) -> list[list]:
    """The parts of a sequence of pyoxigraph triples (sorted, so a subject's triples are together): cut
    before a subject whose N-Triples text has a CRC-32 that is a multiple of CUT, never inside a run of
    one subject."""
    return _split(triples, operator.attrgetter("subject"), lambda s: str(s).encode())


def _split(items: list, subject, text) -> list[list]:
    """split() of triples or lines: ``subject(item)``, and ``text(subject)`` its N-Triples bytes."""
    parts, start, previous = [], 0, None
    for i, item in enumerate(items):
        s = subject(item)
        if s != previous:
            if i and zlib.crc32(text(s)) % CUT == 0:
                parts.append(items[start:i])
                start = i
            previous = s
    if start < len(items):
        parts.append(items[start:])
    return parts


def keyed(triples: list) -> list[tuple[list, bytes, str]]:
    """split(), each part with its N-Triples and key: for a caller that needs them twice (kg.incremental's
    Δ, then the dumps)."""
    out = []
    for part in split(triples):
        nt = ntriples(part)
        out.append((part, nt, key(nt)))
    return out


def ntriples(part: list) -> bytes:
    return ox.serialize(part, format=ox.RdfFormat.N_TRIPLES)


def key(nt: bytes) -> str:
    """A part's key: the SHA-256 of its N-Triples (the part's triples, in order)."""
    return hashlib.sha256(nt).hexdigest()


def deflate(data: bytes) -> bytes:
    """``data`` as deflate blocks that end on a byte boundary and need no earlier bytes to decode."""
    z = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, -15)
    return z.compress(data) + z.flush(zlib.Z_SYNC_FLUSH)


@dataclass(frozen=True)
class Frame:
    """What a format puts around and between the parts' bodies."""

    head: bytes
    tail: bytes
    sep: bytes = b""
    empty: bytes | None = None  # a graph without triples, when that is not head + tail

    def body(self, whole: bytes) -> bytes:
        """A part's body: its own serialisation without the head and tail (checked, not assumed)."""
        if not (whole.startswith(self.head) and whole.endswith(self.tail)):
            raise ValueError("pyoxigraph's serialisation does not have the frame expected")
        return whole[len(self.head):len(whole) - len(self.tail)]


_PROBE = ox.NamedNode("urn:x")


def _prefixes(fmt) -> dict | None:
    return None if fmt in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS) else dict(PREFIXES)


@functools.cache
def frame(fmt: ox.RdfFormat, graph: str | None = None) -> Frame:
    """The frame of a format (``graph``: a TriG block of that graph, the head without the prefix lines)."""
    probe = ox.serialize([ox.Triple(_PROBE, _PROBE, _PROBE)], format=fmt, prefixes=_prefixes(fmt)) \
        if graph is None else None
    if fmt == ox.RdfFormat.N_TRIPLES:
        return Frame(b"", b"")
    if fmt == ox.RdfFormat.TURTLE:
        return Frame(probe[:probe.index(b"<urn:x>")], b"", empty=b"")
    if fmt == ox.RdfFormat.JSON_LD:
        return Frame(b"[", b"]", b",")
    if fmt == ox.RdfFormat.RDF_XML:
        return Frame(probe[:probe.index(b"\t<rdf:Description")], probe[probe.index(b"</rdf:RDF>"):])
    if fmt == ox.RdfFormat.TRIG and graph is not None:
        return Frame(f"<{graph}> {{\n".encode(), b"}\n", empty=b"")
    raise ValueError(f"no frame for {fmt}")


def body(part: list, fmt: ox.RdfFormat, graph: str | None = None) -> bytes:
    """A part's body in a format (``graph``: as a TriG block of that graph)."""
    if fmt == ox.RdfFormat.N_TRIPLES:
        return ntriples(part)
    if graph is not None:
        g = ox.NamedNode(graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object, g) for t in part]
        whole = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=_prefixes(ox.RdfFormat.TRIG))
        return frame(fmt, graph).body(whole[len(trig_header()):])
    return frame(fmt).body(ox.serialize(part, format=fmt, prefixes=_prefixes(fmt)))


@functools.cache
def trig_header() -> bytes:
    """The lines pyoxigraph begins a TriG file with: one @prefix line per prefix given, used or not."""
    whole = ox.serialize([ox.Quad(_PROBE, _PROBE, _PROBE, _PROBE)], format=ox.RdfFormat.TRIG,
                         prefixes=_prefixes(ox.RdfFormat.TRIG))
    return whole[:whole.index(b"\n<urn:x>") + 1]


def nquads(nt: bytes, graph: str) -> bytes:
    """N-Triples lines as N-Quads lines of ``graph``: the graph before each " ." (N-Triples escapes line
    breaks in literals, so " .\\n" only ends lines)."""
    return nt.replace(b" .\n", f" <{graph}> .\n".encode())


class Kept:
    """Pieces written before, found by file name and key: the last build's files (hard-linked in the cache,
    with their index) or this build's scratch files. ``get(file, key)`` -> (bytes, gzip bytes) or None;
    ``rows(file)`` -> the file's index rows in order, ``read(file, row)`` -> (bytes, gzip bytes)."""

    def __init__(self, folder: Path | None = None, index: dict | None = None):
        self.folder, self.index, self.by_key, self.files, self.maps = folder, dict(index or {}), {}, {}, {}

    def add(self, name: str, rows: list) -> None:
        self.index[name] = rows
        self.by_key.pop(name, None)

    def rows(self, name: str) -> list:
        return self.index.get(name, [])

    def get(self, name: str, piece_key: str):
        if name not in self.by_key:
            self.by_key[name] = {row[0]: row for row in self.rows(name) if row[0] is not None}
        row = self.by_key[name].get(piece_key)
        return None if row is None else self.read(name, row)

    def read(self, name: str, row) -> tuple[bytes, bytes]:
        _, offset, length, gz_offset, gz_length = row
        return self._read(name, offset, length), self._read(f"{name}.gz", gz_offset, gz_length)

    def locate(self, name: str, piece_key: str):
        """Where the piece of that key is (a Located), or None."""
        if name not in self.by_key:
            self.by_key[name] = {row[0]: row for row in self.rows(name) if row[0] is not None}
        row = self.by_key[name].get(piece_key)
        return None if row is None else Located(self, name, row)

    def fd(self, name: str) -> int:
        fd = self.files.get(name)
        if fd is None:  # open once: a dump has hundreds of pieces
            fd = self.files[name] = os.open(self.folder / name, os.O_RDONLY)
        return fd

    def view(self, name: str, offset: int, length: int):
        """The bytes of a range as a view of the file mapped in memory (hashed without a copy)."""
        if name not in self.maps:
            self.maps[name] = mmap.mmap(self.fd(name), 0, access=mmap.ACCESS_READ)
        return memoryview(self.maps[name])[offset:offset + length]

    def _read(self, name: str, offset: int, length: int) -> bytes:
        return os.pread(self.fd(name), length, offset)

    def close(self) -> None:
        for m in getattr(self, "maps", {}).values():
            try:
                m.close()
            except BufferError:  # a view of it is still alive: the map goes with it
                pass
        self.maps = {}
        for fd in self.files.values():
            os.close(fd)
        self.files.clear()

    def __del__(self):
        self.close()


@dataclass(frozen=True)
class Located:
    """A piece of a Kept file: copied by the kernel (copy_file_range), hashed from the file's map."""

    kept: Kept
    name: str
    row: list


def _copy(src: int, dst: int, src_offset: int, dst_offset: int, length: int) -> None:
    while length > 0:
        try:
            n = os.copy_file_range(src, dst, length, src_offset, dst_offset)
        except OSError:  # not between these files: through memory
            n = os.pwrite(dst, os.pread(src, min(length, 1 << 24), src_offset), dst_offset)
        if n <= 0:
            raise OSError(f"copy_file_range copied {n} bytes")
        src_offset, dst_offset, length = src_offset + n, dst_offset + n, length - n


def _pwrite(fd: int, data, offset: int) -> None:
    view = memoryview(data)
    while view:
        n = os.pwrite(fd, view, offset)
        view, offset = view[n:], offset + n


class PartSink:
    """A dump written piece by piece (DistWriter.parts): each piece a key and its bytes, or a key whose
    bytes and gzip bytes a Kept has; the file, its SHA-256, its gzip copy (compressed on a thread of its
    own: zlib lets go of the GIL) and its index."""

    PENDING = 8  # pieces waiting for zlib hold memory

    def __init__(self, writer, name: str, meta: dict, scratch: str | None = None):
        self.writer, self.name, self.meta, self.scratch = writer, name, meta, scratch
        self.folder = writer.scratch_dir() if scratch else writer.stage
        # a scratch file's pieces are found in the published file they end up in (``scratch``)
        self.kept, self.kept_name = writer.kept, scratch or name
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        self.fd = os.open(self.folder / name, flags, 0o644)  # closed by close() or discard()
        self.gz_fd = os.open(self.folder / f"{name}.gz", flags, 0o644)
        _pwrite(self.gz_fd, _GZIP_HEADER, 0)
        self.sha, self.gz_sha = hashlib.sha256(), hashlib.sha256(_GZIP_HEADER)
        self.size, self.gz_size, self.crc = 0, len(_GZIP_HEADER), 0
        self.index, self.pool, self.jobs = [], ThreadPoolExecutor(max_workers=1), deque()
        self.hasher, self.hashing = ThreadPoolExecutor(max_workers=1), deque()  # SHA-256 and CRC-32, in order
        self.reused = 0

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if kind is None:
            self.close()
        else:
            self.discard()

    def write(self, piece_key: str | None, make) -> None:
        """A piece: the kept one of that key if there is one, else ``make()``: its bytes, or (bytes, gzip
        bytes) copied from elsewhere. Frame pieces (head, separators, tail) have no key."""
        found = self.kept.locate(self.kept_name, piece_key) if piece_key is not None else None
        if found is not None:
            self.reused += 1
        else:
            found = make()
        if isinstance(found, Located):
            _, offset, length, gz_offset, gz_length = found.row
            if not length:
                return
            data = found.kept.view(found.name, offset, length)
            _copy(found.kept.fd(found.name), self.fd, offset, self.size, length)
            gz = (found.kept, f"{found.name}.gz", gz_offset, gz_length)
        else:
            data, gz = found if isinstance(found, tuple) else (found, None)
            if not data:
                return
            _pwrite(self.fd, data, self.size)
        row = [piece_key, self.size, len(data)]
        self.size += len(data)
        self.index.append(row)
        while len(self.jobs) >= self.PENDING:
            self.jobs.popleft().result()
        while len(self.hashing) >= self.PENDING:
            self.hashing.popleft().result()
        if not self.scratch:  # a scratch file is read back in pieces, never published whole
            self.hashing.append(self.hasher.submit(self._hash, data))
        self.jobs.append(self.pool.submit(self._gzip, row, data, gz))

    def _hash(self, data) -> None:
        self.sha.update(data)
        self.crc = zlib.crc32(data, self.crc)

    def _gzip(self, row: list, data, gz) -> None:
        if isinstance(gz, tuple):  # a kept piece's gzip bytes: copied
            kept, name, offset, length = gz
            _copy(kept.fd(name), self.gz_fd, offset, self.gz_size, length)
            self.gz_sha.update(kept.view(name, offset, length))
        else:
            gz = deflate(data) if gz is None else gz
            length = len(gz)
            _pwrite(self.gz_fd, gz, self.gz_size)
            self.gz_sha.update(gz)
        row += [self.gz_size, length]
        self.gz_size += length

    def close(self) -> None:
        """Finish both files; the writer records their manifest entries and the index."""
        for job in (*self.jobs, *self.hashing):
            job.result()
        self.pool.shutdown()
        self.hasher.shutdown()
        end = _FINAL + struct.pack("<II", self.crc, self.size & 0xFFFFFFFF)
        _pwrite(self.gz_fd, end, self.gz_size)
        self.gz_sha.update(end)
        self.gz_size += len(end)
        if self.scratch:  # removed before the build ends: never to disk
            os.close(self.fd)
            os.close(self.gz_fd)
        else:
            self.writer.sync_and_close(self.fd, self.gz_fd)
        self.writer.pieces[0] += self.reused
        self.writer.pieces[1] += len([row for row in self.index if row[0] is not None])
        self.writer.parts_written(self, {
            self.name: {**self.meta, "bytes": self.size, "sha256": self.sha.hexdigest()},
            f"{self.name}.gz": {"media_type": self.meta.get("media_type"), "encoding": "gzip",
                                "bytes": self.gz_size, "sha256": self.gz_sha.hexdigest(), "of": self.name}})

    def discard(self) -> None:
        self.pool.shutdown(cancel_futures=True)
        self.hasher.shutdown(cancel_futures=True)
        os.close(self.fd)
        os.close(self.gz_fd)


def write_graph(writer, name: str, triples: list, graph: str, formats, block: tuple | None = None,
                parted: list | None = None, count: int | None = None) -> None:
    """Every dump ``{name}.{ext}`` of one graph in ``formats`` (kg.dist.Format, no datasets) and its block
    of a dataset TriG file (``block``: its scratch name, the dataset file's name), all part by part (one
    part's serialisations in memory at a time); ``parted``: keyed(triples), if the caller has it, or
    Patched.parts (a kept part's triples as a loader, called only if a piece is not kept; ``triples`` None
    and ``count`` the number of triples)."""
    count = len(triples) if count is None else count
    outputs = [(fmt.rdf_format, None, writer.parts(f"{name}.{fmt.extension}", media_type=fmt.media_type,
                                                   triples=count, graph=graph)) for fmt in formats]
    if block is not None:
        outputs.append((ox.RdfFormat.TRIG, graph, writer.parts(block[0], scratch=block[1])))
    try:
        parts = parted if parted is not None else [(part, None, None) for part in split(triples)]
        for fmt, g, sink in outputs:
            f = frame(fmt, g)
            if not parts and f.empty is not None:
                sink.write(None, lambda f=f: f.empty)
            elif f.head:
                sink.write(None, lambda f=f: f.head)
        for i, (part, nt, k) in enumerate(parts):
            if nt is None and k is None:
                nt = ntriples(part)
                k = key(nt)
            if callable(part):  # kept: its triples only if a piece must be made again
                part = _Loaded(part)
            for fmt, g, sink in outputs:
                f = frame(fmt, g)
                if i and f.sep:
                    sink.write(None, lambda f=f: f.sep)
                if fmt == ox.RdfFormat.N_TRIPLES:
                    sink.write(k, lambda nt=nt, part=part: nt or ntriples(list(part)))
                else:
                    sink.write(k, lambda part=part, fmt=fmt, g=g: body(list(part), fmt, g))
        for fmt, g, sink in outputs:
            f = frame(fmt, g)
            if (parts or f.empty is None) and f.tail:
                sink.write(None, lambda f=f: f.tail)
    except BaseException:
        for _, _, sink in outputs:
            sink.discard()
        raise
    for _, _, sink in outputs:
        sink.close()


class _Loaded:
    """A kept part's triples, loaded on first use."""

    def __init__(self, load):
        self.load, self.triples = load, None

    def __iter__(self):
        if self.triples is None:
            self.triples = self.load()
        return iter(self.triples)


def write_dataset_trig(writer, name: str, blocks: dict, triples: int, media_type: str) -> None:
    """A dataset's TriG: trig_header() and its graphs' blocks ({graph IRI: scratch name}, written by
    write_graph) in IRI order, each piece copied with its gzip bytes."""
    scratch = writer.scratch_kept
    with writer.parts(name, media_type=media_type, triples=triples) as sink:
        if any(scratch.rows(b) for b in blocks.values()):  # an empty dataset is an empty file
            sink.write(None, trig_header)
        for iri in sorted(blocks):
            for row in scratch.rows(blocks[iri]):
                sink.write(row[0], lambda b=blocks[iri], row=row: Located(scratch, b, row))


def write_dataset_nquads(writer, name: str, ntriples_files: dict, triples: int, media_type: str) -> None:
    """A dataset's N-Quads from its graphs' N-Triples dumps ({graph IRI: file name}), part by part, without
    serialising again."""
    written = writer.written()
    with writer.parts(name, media_type=media_type, triples=triples) as sink:
        for iri in sorted(ntriples_files):
            file = ntriples_files[iri]
            for row in written.rows(file):
                sink.write(None if row[0] is None else f"{row[0]}@{iri}",
                           lambda file=file, row=row, iri=iri: nquads(written.read(file, row)[0], iri))


# ------------------------------------------------------------------------- patching kept parts with Δ
_REIFIES = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#reifies>"


def _subject(line: bytes) -> bytes:
    return line[:line.index(b" ")]


def run(line: bytes) -> int:
    """Which run of an RDF 1.2 provenance dump a line belongs to: its provenance triples (0), then its
    rdf:reifies triples (1), each run sorted."""
    return 1 if line.split(b" ", 2)[1] == _REIFIES else 0


def _order(line: bytes) -> tuple:
    return run(line), line[:-2]  # a line is str(triple) + " ."


def _place(line: bytes) -> tuple:
    return run(line), _subject(line) + b" "  # ordered as the lines (no IRI or label holds a space)


class Patched:
    """A graph's parts as the last build wrote them to ``file`` (N-Triples, in a Kept), with Δ (N-Triples
    lines without the newline) applied: ``parts`` for write_graph (kept parts are loaded only if a format
    lacks their piece), ``lines(subject)`` the lines of a subject. Each run of parts Δ touches is cut again
    as split() would: from a cut that still stands (a part whose first subject went is joined to the one
    before) to the next part's first subject, which stays a cut."""

    def __init__(self, kept: Kept, file: str, added, removed):
        self.kept, self.file = kept, file
        rows = [r for r in kept.rows(file) if r[0] is not None]
        self.rows, self.cache = rows, {}
        self.bounds = [self._bounds(r) for r in rows]
        firsts = [b[0] for b in self.bounds]
        touched: dict[int, tuple[set, set]] = {}
        for sign, lines in ((0, added), (1, removed)):
            for line in lines:
                i = max(0, _bisect(firsts, _place(line)) - 1)
                touched.setdefault(i, (set(), set()))[sign].add(line)
        ranges: list[tuple[int, int, list]] = []  # patched parts i..j and their lines, in order
        for i in sorted(touched):
            if ranges and i <= ranges[-1][1]:
                continue  # in the last range already
            if ranges and i == ranges[-1][1] + 1:
                i = ranges.pop()[0]  # adjacent or overlapping: one range (no kept cut between them)
            j = i
            while j + 1 < len(rows) and j + 1 in touched:
                j += 1
            lines, i, j = self._group(i, j, touched)
            while ranges and i <= ranges[-1][1] + 1:
                lines, i, j = self._group(ranges.pop()[0], j, touched)
            ranges.append((i, j, lines))
        self.parts: list = []  # (triples or a loader, N-Triples or None, key)
        self.new_bounds: list = []  # (first _place, last _place, lines or a kept part's index)
        k = 0
        for i, j, lines in [*ranges, (len(rows), len(rows), None)]:
            for n in range(k, i):
                self._keep(n)
            for part in _cut(lines or []):
                self._new(part)
            k = j + 1
        if not rows and added:  # an empty graph before
            for part in _cut(sorted(added, key=_order)):
                self._new(part)

    def _new(self, part: list) -> None:
        nt = b"".join(line + b"\n" for line in part)
        self.parts.append((list(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)), nt, key(nt)))
        self.new_bounds.append((_place(part[0]), _place(part[-1]), part))

    def _keep(self, i: int) -> None:
        row = self.rows[i]
        self.parts.append((lambda row=row: list(ox.parse(self._read(row), format=ox.RdfFormat.N_TRIPLES)),
                           None, row[0]))
        self.new_bounds.append((*self.bounds[i], i))  # a kept part: its index

    def _group(self, i: int, j: int, touched: dict) -> tuple[list, int, int]:
        """The patched lines of parts i..j, widened until both ends are cuts of the whole graph."""
        def patched(k):
            add, rem = touched.get(k, ((), ()))
            return [line for line in self._lines(k) if line not in rem] + list(add)

        lines = [line for k in range(i, j + 1) for line in patched(k)]
        while True:
            lines.sort(key=_order)
            if i > 0 and not (lines and _starts(lines[0], self.bounds[i - 1][1])):
                i -= 1
                lines = patched(i) + lines
                continue
            if j + 1 < len(self.rows) and lines and self.bounds[j + 1][0][1] == _subject(lines[-1]) + b" ":
                j += 1
                lines = lines + patched(j)
                continue
            if j + 1 < len(self.rows) and not lines and i > 0 and \
                    self.bounds[j + 1][0][1] == self.bounds[i - 1][1][1]:
                j += 1
                lines = patched(j)
                continue
            return lines, i, j

    def _read(self, row) -> bytes:
        return self.kept.read(self.file, row)[0]

    def _lines(self, k: int) -> list:
        if k not in self.cache:
            self.cache[k] = self._read(self.rows[k]).splitlines()
        return self.cache[k]

    def _bounds(self, row) -> tuple:
        """(_place of the piece's first line, of its last line), reading only its ends."""
        _, offset, length, _, _ = row
        n = 4096
        while True:
            head = self.kept._read(self.file, offset, min(n, length))
            if b"\n" in head or n >= length:
                break
            n *= 4
        first = head.split(b"\n", 1)[0]
        n = 4096
        while True:
            tail = self.kept._read(self.file, offset + max(0, length - n), min(n, length))
            body = tail[:-1]
            if b"\n" in body or n >= length:
                break
            n *= 4
        last = body.rsplit(b"\n", 1)[-1]
        return _place(first), _place(last)

    def lines(self, subject: bytes) -> list:
        """The lines of ``subject`` (its N-Triples text), of run 0."""
        place = (0, subject + b" ")
        firsts = [b[0] for b in self.new_bounds]
        i = _bisect(firsts, place) - 1
        if i < 0:
            return []
        first, last, src = self.new_bounds[i]
        found = self._lines(src) if isinstance(src, int) else src
        return [line for line in found if line.startswith(place[1])]

    def all_lines(self):
        for _, _, src in self.new_bounds:
            yield from (self._lines(src) if isinstance(src, int) else src)


def _starts(line: bytes, before: tuple) -> bool:
    """Is a cut before ``line`` (the last line before it has _place ``before``)?"""
    s = _subject(line)
    return s + b" " != before[1] and zlib.crc32(s) % CUT == 0


def _bisect(keys: list, x) -> int:
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < keys[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def _cut(lines: list) -> list[list]:
    """split() on N-Triples lines (sorted)."""
    return _split(lines, _subject, lambda s: s)
