"""The build at scale: the fast engines (kg.fastshacl, kg.fastowl) give what pySHACL and owlrl give, the
synthetic graphs of bench/synth.py are valid, and the seeded variant's breaks are all found.

Small sizes only (the real graph, two copies); ten copies and the reference engines on copies are `slow`.
The figures live in bench/results-build.md (python -m bench.build), never in a test."""
import time

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, SH

from bench import seeded, synth
from kg import fastowl, fastshacl
from kg.pipeline import Forked, build, build_graph, load_ontology
from kg.reasoning import InconsistencyError, infer
from kg.validation import load_shapes, validate


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


def _copies(tmp_path_factory, k: int):
    root = synth.write(tmp_path_factory.mktemp(f"x{k}"), k)
    data, ctx, _ = build_graph(facts_dir=root / "facts", sources_dir=root / "source")
    return data, ctx.provenance_graph


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    return _copies(tmp_path_factory, 2)


def _keys(report) -> set:
    """Each result as (severity, focus, path, value, component, source shape): blank source shapes are the
    same nodes of the same shapes graph for both engines."""
    g = report.graph
    return {tuple(g.value(r, p) for p in (SH.resultSeverity, SH.focusNode, SH.resultPath, SH.value,
                                           SH.sourceConstraintComponent, SH.sourceShape))
            for r in g.subjects(RDF.type, SH.ValidationResult)}


# ---------------------------------------------------------------- the real graph: the same bytes


def test_fast_engines_build_the_same_bytes(dist, tmp_path):
    """pySHACL + owlrl (the session's build) and kg.fastshacl + kg.fastowl give identical dumps and
    reports."""
    build(tmp_path / "fast", log=lambda *_: None, engine="fast")
    names = sorted(p.name for p in dist.iterdir())
    assert names == sorted(p.name for p in (tmp_path / "fast").iterdir())
    for name in names:
        assert (tmp_path / "fast" / name).read_bytes() == (dist / name).read_bytes(), name


def test_owl_rl_and_dumps_in_forked_processes_build_the_same_bytes(dist, tmp_path, monkeypatch):
    """Above FAST_ABOVE the build infers, and writes the source graphs' dumps, in forked processes while
    SHACL runs: the same files."""
    from kg import pipeline

    forks = []
    real = pipeline.Forked
    monkeypatch.setattr(pipeline, "FAST_ABOVE", 0)
    monkeypatch.setattr(pipeline, "Forked", lambda job, *name: forks.append(name) or real(job, *name))
    build(tmp_path / "forked", log=lambda *_: None, engine="fast")
    assert forks == [(), ("dumps",)]
    assert sorted(p.name for p in (tmp_path / "forked").iterdir()) == sorted(p.name for p in dist.iterdir())
    for path in sorted(dist.iterdir()):
        assert (tmp_path / "forked" / path.name).read_bytes() == path.read_bytes(), path.name


def test_a_failed_build_takes_back_its_forked_processes_and_staging(tmp_path, monkeypatch):
    """SHACL fails while the forked processes infer and dump: they are ended, and no staging directory
    (with their half-written dumps) is left beside the output."""
    from kg import pipeline

    forks = []
    real = pipeline.Forked
    monkeypatch.setattr(pipeline, "FAST_ABOVE", 0)
    monkeypatch.setattr(pipeline, "Forked", lambda job, *name: forks.append(real(job, *name)) or forks[-1])

    def fail(*args):
        raise pipeline.BuildError("SHACL found 1 violation(s)")

    monkeypatch.setattr(pipeline, "validate_with", fail)
    monkeypatch.setattr(pipeline, "graph_dumps", lambda *args: time.sleep(60))  # still dumping
    with pytest.raises(pipeline.BuildError):
        build(tmp_path / "out", log=lambda *_: None, engine="fast")
    assert len(forks) == 2 and not any(f.process.is_alive() for f in forks)
    assert list(tmp_path.iterdir()) == []


def test_fast_shacl_report_is_pyshacls(built, shapes):
    fast = validate(built.data, built.ontology, shapes, provenance=built.provenance, engine="fast")
    assert isomorphic(fast.graph, built.report.graph)
    assert sorted(r.line() for r in fast.results) == sorted(r.line() for r in built.report.results)
    assert fast.warnings and not fast.violations


def test_fast_inferred_triples_are_owlrls(built):
    assert set(fastowl.fast_infer(built.ontology, built.data)) == set(built.inferred)


def test_auto_keeps_the_real_graph_on_the_reference_engines(built):
    from kg.pipeline import FAST_ABOVE, choose_engine

    assert len(built.data) < FAST_ABOVE
    assert choose_engine("auto", built.data) == "reference"
    with pytest.raises(ValueError, match="unknown engine"):
        choose_engine("turbo", built.data)


# ---------------------------------------------------------------- synthetic copies


def test_synthetic_facts_are_deterministic(tmp_path):
    a, b = synth.write(tmp_path / "a", 2), synth.write(tmp_path / "b", 2)
    for sub in ("facts", "source"):
        for f in sorted((a / sub).iterdir()):
            assert (b / sub / f.name).read_bytes() == f.read_bytes(), f.name


def test_two_copies_are_valid_and_twice_the_graph(two, built, shapes, ontology):
    data, prov = two
    report = validate(data, ontology, shapes, provenance=prov, engine="fast")
    assert report.violations == []
    # every copy has the real graph's warnings; its persons have no identity links, so one more each
    unlinked = len(set(built.data.subjects(RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")))) - len(
        [r for r in built.report.warnings if "identity link" in r.message])
    assert len(report.warnings) == 2 * len(built.report.warnings) + unlinked
    assert len(prov) == 2 * len(built.provenance)


@pytest.mark.slow
def test_two_copies_fast_equals_reference(two, shapes, ontology):
    data, prov = two
    fast = validate(data, ontology, shapes, provenance=prov, engine="fast")
    ref = validate(data, ontology, shapes, provenance=prov)
    assert isomorphic(fast.graph, ref.graph)
    assert set(fastowl.fast_infer(ontology, data)) == set(infer(ontology, data))


@pytest.mark.slow
def test_ten_copies_fast_equals_reference(tmp_path_factory, shapes, ontology):
    data, prov = _copies(tmp_path_factory, 10)
    # pySHACL (the longest part) in a forked process, owlrl and the fast engines here meanwhile: both cores
    ref = Forked(lambda: validate(data, ontology, shapes, provenance=prov).graph.serialize(format="nt"),
                  "pySHACL")
    fast = validate(data, ontology, shapes, provenance=prov, engine="fast")
    assert set(fastowl.fast_infer(ontology, data)) == set(infer(ontology, data))
    assert isomorphic(fast.graph, Graph().parse(data=ref.wait(), format="nt"))


# ---------------------------------------------------------------- the seeded variant


def _seeded(k, tmp_path_factory, built):
    if k == 1:
        data, prov = Graph(), Graph()
        data += built.data
        prov += built.provenance
    else:
        data, prov = _copies(tmp_path_factory, k)
        prov = prov.graph()  # seed() edits it as a Graph
    expected, message = seeded.seed(data, prov, k)
    return data, prov, expected, message


@pytest.mark.parametrize("k", [1, 2])
def test_fast_engines_find_every_seeded_break(k, tmp_path_factory, built, shapes, ontology):
    data, prov, expected, message = _seeded(k, tmp_path_factory, built)
    report = validate(data, ontology, shapes, provenance=prov, engine="fast")
    assert seeded.found(report.graph, expected) == expected
    # every node shape of violations.ttl is broken at least once
    broken = {s for s in report.graph.objects(None, SH.sourceShape)}
    node_shapes = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)
                   and (s, SH.severity, SH.Warning) not in shapes}
    owners = {s for s in node_shapes if s in broken or any((s, SH.property, p) in shapes for p in broken)}
    assert owners == node_shapes
    with pytest.raises(InconsistencyError) as exc:
        fastowl.fast_infer(ontology, data)
    assert str(exc.value) == message


@pytest.mark.slow
def test_seeded_breaks_reference_agrees(tmp_path_factory, built, shapes, ontology):
    data, prov, expected, message = _seeded(1, tmp_path_factory, built)
    fast = validate(data, ontology, shapes, provenance=prov, engine="fast")
    ref = validate(data, ontology, shapes, provenance=prov)
    assert _keys(fast) == _keys(ref)
    with pytest.raises(InconsistencyError) as exc:
        infer(ontology, data)
    assert str(exc.value) == message


# ---------------------------------------------------------------- what the fast engines refuse


def test_unknown_shape_features_fall_back_to_pyshacl(built, shapes):
    extra = Graph()
    shape = URIRef("https://example.org/shapes#In")
    extra.add((shape, RDF.type, SH.NodeShape))
    extra.add((shape, SH.targetClass, URIRef("http://xmlns.com/foaf/0.1/Person")))
    extra.add((shape, SH["in"], RDF.nil))
    with pytest.raises(fastshacl.Unsupported):
        fastshacl.Engine(shapes + extra).validate(fastshacl.load_store([built.data]), (built.data,))


def test_unknown_axioms_fall_back_to_owlrl(built):
    ontology = Graph()
    ontology += built.ontology
    ontology.add((URIRef("http://www.w3.org/ns/org#unitOf"), RDF.type, OWL.TransitiveProperty))
    with pytest.raises(fastowl.Unsupported):
        fastowl.fast_infer(ontology, built.data)
    from kg.pipeline import infer_with

    assert set(infer_with(ontology, built.data, "fast")) == set(infer(ontology, built.data))


def test_big_reports_get_stable_content_labels(built):
    """Above CANONICAL_MAX blank nodes the report's labels are content hashes: same graph, same labels."""
    from kg.dist import content_labelled

    once, again = content_labelled(built.report.graph), content_labelled(built.report.graph)
    assert set(once) == set(again)
    assert isomorphic(once, built.report.graph)
