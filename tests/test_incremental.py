"""Incremental rebuilds (kg.incremental): edit one fact record, rebuild with the cache, and the output is
byte for byte that of a full build of the edited facts."""
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.namespace import PROV

from bench import synth
from kg import incremental, pipeline
from kg.pipeline import build

QUIET = {"log": lambda *_: None}


def _no_ending(rec) -> None:  # a factual triple and its statement-level provenance go
    del rec["ended_by"]
    rec["quotes"] = {"holder, post, end": rec["quotes"]["holder, post, end, ended_by"]}


def _no_post(rec) -> None:  # a SHACL warning comes (PostHoldingPostWarning), inferred types go
    del rec["post"]
    rec["quotes"] = {"holder, end, ended_by": rec["quotes"]["holder, post, end, ended_by"]}


def _relabel(rec) -> None:  # a label and a record-level citation go
    rec["label"]["en"] = "N. S. Khrushchev"
    rec["cites"] = rec["cites"][:-1]


def _reason(rec) -> None:  # a factual correction's reason: on it and on the record it corrects
    rec["reason"]["en"] = rec["reason"]["en"] + " (Reviewed.)"


def _fewer_words(rec) -> None:  # a post's words for its organisation: the holdings of the post copy them
    del rec["quotes"]["in"][sorted(rec["quotes"]["in"])[-1]]


def _nothing(rec) -> None:  # the record as it was: no triple changes
    pass


def _same_dist(a, b) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize("stem, rid, change, forked", [
    ("holdings", "malenkov-head-of-government-x1", _no_ending, False),
    ("holdings", "malenkov-head-of-government-x1", _no_post, False),
    (*synth.EDIT, False),  # inferred triples go (apg:speaker's super-properties)
    (*synth.EDIT, True),  # as a big graph is built: the dumps in a forked process, from the parts of Δ
    ("persons", "khrushchev-x1", _relabel, False),
    ("corrections", "s30-delegation-date-x1", _reason, False),  # the correction and what it corrects rebuilt
    ("votes", "chair-vote-1957-06-x1", _nothing, False),
    ("posts", "chairman-council-of-ministers-x1", _fewer_words, False),  # and the records that read it
])
def test_incremental_rebuild_is_a_full_build(tmp_path, stem, rid, change, forked, monkeypatch):
    if forked:  # the 2x graph as big: OWL RL and the dumps in forked processes
        monkeypatch.setattr(pipeline, "FAST_ABOVE", 1_000)
    root, cache = tmp_path / "facts", tmp_path / "cache"
    synth.write(root, 2)
    dirs = {"facts_dir": root / "facts", "sources_dir": root / "source", "engine": "fast", **QUIET}
    build(tmp_path / "first", cache=cache, **dirs)
    assert incremental.Cache(cache, incremental.key("https://w3id.org/apg-kg/", build.__globals__[
        "ONTOLOGY_FILE"])).load() is not None
    synth.edit(root, stem, rid, change)
    calls = []
    real = incremental.affected
    monkeypatch.setattr(incremental, "affected", lambda *a: calls.append(1) or real(*a))
    made = []  # the outputs derived from the whole graph that the rebuild made again
    for name in ("coverage", "data_stats"):
        real_fn = getattr(pipeline, name)
        monkeypatch.setattr(pipeline, name, lambda *a, real_fn=real_fn, name=name, **k: made.append(name) or
                            real_fn(*a, **k))
    real_index = pipeline.search_index.build
    monkeypatch.setattr(pipeline.search_index, "build", lambda *a: made.append("search") or real_index(*a))
    again = build(tmp_path / "again", cache=cache, **dirs)
    assert again.incremental
    assert calls, "the second build did not go the incremental way"
    copied, pieces = again.pieces  # the dumps' pieces the edit left alone are copied (kg.parts)
    assert pieces > 100 and copied > pieces / 2, again.pieces
    # used again while the edit spares their inputs: no name, type, citation, subject or predicate changed
    assert sorted(made) == {_relabel: ["coverage", "search"]}.get(change, []), made
    # kg.rebuild rebuilds the edited record alone (a correction: with the two records it corrects; a post:
    # with the two holdings that read it), except where a label changed (the whole graph then)
    rebuilt = {_relabel: None, _reason: 3, _fewer_words: 3, _nothing: 0}.get(change, 1)
    assert again.rebuilt == rebuilt, again.rebuilt
    build(tmp_path / "full", cache=tmp_path / "cache-full", **dirs)
    _same_dist(tmp_path / "again", tmp_path / "full")
    # and it keeps what a full build would keep for the next rebuild: the same fragments and counts
    kept, full = (incremental.Cache(c, incremental.key("https://w3id.org/apg-kg/", build.__globals__[
        "ONTOLOGY_FILE"])).load() for c in (cache, tmp_path / "cache-full"))
    for name in ("fragments", "refs", "stated", "words", "usage", "counts", "fingerprints", "registry"):
        assert kept[name] == full[name], name
    if change is not _nothing:
        with pytest.raises(AssertionError):
            _same_dist(tmp_path / "first", tmp_path / "full")  # the edit changed the output
    if change is synth.fewer_speakers:  # and what OWL RL infers
        first, full = ((tmp_path / d / "inferred.nt").read_bytes() for d in ("first", "full"))
        assert first != full


def test_a_new_key_means_a_full_build(tmp_path):
    cache = incremental.Cache(tmp_path, "one")
    (tmp_path / "state.pickle").write_bytes(b"not a pickle")
    assert cache.load() is None


def _graphs(built, drop: list, add: list):
    """The built graphs with provenance triples ``drop`` (indices) removed and data triples ``add`` added:
    (data, provenance, Δ as Cache.delta gives it)."""
    from rdflib import Graph

    from kg.dist import to_oxigraph

    prov = sorted(built.provenance_triples, key=str)
    gone = [prov[i % len(prov)] for i in drop]
    data = Graph(store="SimpleMemory")
    for t in built.data:
        data.add(t)
    for t in add:
        data.add(t)
    ox3 = lambda ts: [ox.Triple(*(to_oxigraph(x) for x in t)) for t in ts]  # noqa: E731
    kept = set(built.provenance_triples) - set(gone)
    return data, kept, {"data": (ox3(add), []), "provenance": ([], ox3(set(gone)))}


class _Named:
    """A fixture's value under a short name (Hypothesis prints the arguments of a failing case)."""

    def __init__(self, value, name: str):
        self.value, self.name = value, name

    def __repr__(self) -> str:
        return self.name


@pytest.fixture
def real(built):
    return _Named(built, "the real build")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drop=st.lists(st.integers(0, 10**6), max_size=6), extra=st.integers(0, 3))
def test_unsupported_is_without_provenance(real, tmp_path_factory, drop, extra):
    """kg.incremental.unsupported (from Δ and the kept store) finds exactly the factual triples that
    kg.provenance.without_provenance finds in the whole graphs, for removed provenance triples and added
    factual triples without any."""
    built = real.value
    from rdflib import Literal

    from kg.dist import oxigraph_triples
    from kg.namespaces import APG
    from kg.provenance import without_provenance

    cited = sorted(set(built.data.subjects(PROV.wasDerivedFrom, None)))
    add = [(cited[i * 7 % len(cited)], APG.manner, Literal(f"not in the source {i}", lang="en"))
           for i in range(extra)]
    data, prov, delta = _graphs(built, drop, add)
    cache = incremental.Cache(tmp_path_factory.mktemp("cache"), "key")
    cache.save_store({"data": oxigraph_triples(built.data), "ontology": oxigraph_triples(built.ontology),
                      "provenance": oxigraph_triples(built.provenance_triples)})
    store = cache.store(delta)
    assert incremental.unsupported(store, data, delta) == without_provenance(data, prov)
    del store


def test_a_failed_rebuild_leaves_a_cache_that_makes_a_full_build(tmp_path, monkeypatch):
    """A rebuild that fails after the kept store took its Δ leaves no state behind: the next build with the
    cache is a full one (the store no longer matches the kept dumps), and right."""
    import shutil

    root, cache = tmp_path / "facts", tmp_path / "cache"
    synth.write(root, 2)
    dirs = {"facts_dir": root / "facts", "sources_dir": root / "source", "engine": "fast", **QUIET}
    build(tmp_path / "first", cache=cache, **dirs)
    kept = tmp_path / "kept-facts"
    shutil.copytree(root / "facts", kept)
    synth.edit(root, *synth.EDIT)

    def fail(*args, **kwargs):
        raise RuntimeError("the build failed after the kept store changed")

    with monkeypatch.context() as m:
        m.setattr(incremental, "validate", fail)
        with pytest.raises(RuntimeError, match="kept store changed"):
            build(tmp_path / "failed", cache=cache, **dirs)
    shutil.rmtree(root / "facts")
    shutil.copytree(kept, root / "facts")  # the failed edit undone, another made
    synth.edit(root, "persons", "khrushchev-x1", _relabel)
    again = build(tmp_path / "again", cache=cache, **dirs)
    assert not again.incremental
    build(tmp_path / "full", **dirs)
    _same_dist(tmp_path / "again", tmp_path / "full")
