"""Dumps written in content-defined parts (kg.parts): the same bytes as serialising each graph whole, gzip
copies that decompress to them, and pieces copied from a last build exactly where its parts are unchanged."""
import gzip
import json

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg import parts
from kg.dist import FORMAT_BY_EXTENSION, FORMATS, DistWriter, serialize_dataset

SINGLE = [f for f in FORMATS if not f.dataset]
GRAPH = "http://example.org/graph/one"

iris = st.sampled_from([f"http://example.org/{c}" for c in "abcdefghij"] +
                       ["http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/ns/prov#x",
                        "https://w3id.org/apg-kg/ontology#p", "urn:x:1"]).map(ox.NamedNode)
texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
literals = st.one_of(
    texts.map(ox.Literal),
    st.tuples(texts, st.sampled_from(["en", "lv", "ru"])).map(lambda t: ox.Literal(t[0], language=t[1])),
    st.integers(0, 3000).map(lambda n: ox.Literal(str(n), datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#nonNegativeInteger"))))
blanks = st.sampled_from(["b1", "b2", "b3"]).map(ox.BlankNode)
triples = st.builds(ox.Triple, st.one_of(iris, blanks), iris, st.one_of(iris, literals, blanks))
graphs = st.lists(triples, max_size=40).map(lambda ts: sorted(set(ts), key=str))


def _write(tmp_path, graphs_: dict, kept=None, name="out"):
    """Write graphs (name: sorted triples) as the build does; the published folder and the writer."""
    writer = DistWriter(tmp_path / name)
    if kept is not None:
        writer.kept = kept
    for n, g in graphs_.items():
        parts.write_graph(writer, n, g, f"{GRAPH}/{n}", SINGLE, block=(f"{n}.trig", "dataset.trig"))
    blocks = {f"{GRAPH}/{n}": f"{n}.trig" for n in graphs_}
    files = {f"{GRAPH}/{n}": f"{n}.nt" for n in graphs_}
    total = sum(len(g) for g in graphs_.values())
    parts.write_dataset_trig(writer, "dataset.trig", blocks, total, "application/trig")
    parts.write_dataset_nquads(writer, "dataset.nq", files, total, "application/n-quads")
    indexes = dict(writer.indexes)
    writer.finish({})
    return tmp_path / name, indexes


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(one=graphs, two=graphs)
def test_parts_compose_to_the_whole_serialisation(tmp_path_factory, monkeypatch, one, two):
    monkeypatch.setattr(parts, "CUT", 2)  # about one subject in two starts a part: many parts
    folder, _ = _write(tmp_path_factory.mktemp("parts"), {"one": one, "two": two})
    for name, g in (("one", one), ("two", two)):
        for fmt in SINGLE:
            whole = ox.serialize(g, format=fmt.rdf_format, prefixes=parts._prefixes(fmt.rdf_format))
            assert (folder / f"{name}.{fmt.extension}").read_bytes() == whole, fmt.name
            assert gzip.decompress((folder / f"{name}.{fmt.extension}.gz").read_bytes()) == whole
    dataset = {f"{GRAPH}/one": one, f"{GRAPH}/two": two}
    for ext in ("trig", "nq"):
        whole = serialize_dataset(dataset, FORMAT_BY_EXTENSION[ext])
        assert (folder / f"dataset.{ext}").read_bytes() == whole, ext
        assert gzip.decompress((folder / f"dataset.{ext}.gz").read_bytes()) == whole
    assert not (folder / ".scratch").exists()


def test_cuts_depend_on_the_subjects_there_only():
    """Removing one subject's triples changes the part it was in, no other."""
    ts = sorted((ox.Triple(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"),
                           ox.Literal(str(i))) for i in range(5000)), key=str)
    before = [parts.key(parts.ntriples(p)) for p in parts.split(ts)]
    after = [parts.key(parts.ntriples(p)) for p in parts.split(ts[:2500] + ts[2501:])]
    assert len(before) > 5 and len(set(before) - set(after)) == 1 and len(set(after) - set(before)) == 1


def test_gzip_copy_is_one_stream_of_independent_pieces(tmp_path):
    """PartSink's .gz: one gzip member (zlib alone reads it whole, as HTTP clients do), each piece deflated
    on its own (a piece's gzip bytes in the index decompress alone)."""
    import zlib

    pieces = [b"abc" * 1000, b"", b"\x00\xff" * 70000, b"z"]
    writer = DistWriter(tmp_path / "out")
    with writer.parts("f.bin", media_type="application/octet-stream") as sink:
        for i, piece in enumerate(pieces):
            sink.write(str(i), lambda piece=piece: piece)
    gz = (writer.stage / "f.bin.gz").read_bytes()
    assert zlib.decompress(gz, 31) == gzip.decompress(gz) == b"".join(pieces)
    for row in writer.indexes["f.bin"]:
        _, _, _, offset, length = row
        assert zlib.decompressobj(-15).decompress(gz[offset:offset + length]) == pieces[int(row[0])]
    writer.discard()


def test_a_rebuild_copies_the_unchanged_pieces(tmp_path, monkeypatch):
    """With the last build's pieces at hand the files are the same bytes as written fresh, and every
    piece whose part is unchanged is copied, not made again."""
    p = ox.NamedNode("http://example.org/p")
    g = sorted((ox.Triple(ox.NamedNode(f"http://example.org/s{i:04}"), p, ox.Literal(f"v{i}"))
                for i in range(3000)), key=str)
    first, indexes = _write(tmp_path, {"g": g}, name="first")
    edited = [t for t in g if str(t.subject) != "<http://example.org/s1500>"]
    made = []
    real_body = parts.body
    monkeypatch.setattr(parts, "body", lambda *a, **k: made.append(a[1]) or real_body(*a, **k))
    kept = parts.Kept(first, indexes)
    again, _ = _write(tmp_path, {"g": edited}, kept=kept, name="again")
    made_again, made[:] = list(made), []
    fresh, _ = _write(tmp_path, {"g": edited}, name="fresh")
    assert len(made) == 4 * len(parts.split(edited))  # without them every part is made
    for f in sorted(p.name for p in fresh.iterdir()):
        assert (again / f).read_bytes() == (fresh / f).read_bytes(), f
    n_parts = len(parts.split(edited))
    assert n_parts > 5
    # one part changed: made again once per format that is not N-Triples (Turtle, JSON-LD, RDF/XML, block)
    assert len(made_again) == 4, made_again
    manifest = json.loads((again / "manifest.json").read_text())
    assert manifest["files"]["g.nt"]["bytes"] == (fresh / "g.nt").stat().st_size


def test_a_frame_that_is_not_there_is_an_error():
    with pytest.raises(ValueError, match="frame"):
        parts.frame(ox.RdfFormat.RDF_XML).body(b"<not rdf/>")
