"""kg.fragments: what each record's build adds and reads, and which records a rebuild rebuilds."""
import pytest

from kg import fragments
from kg.pipeline import build_graph


@pytest.fixture(scope="module")
def traced():
    data, ctx, _ = build_graph(trace=True)
    return data, ctx


def test_the_fragments_partition_the_graph(traced):
    data, ctx = traced
    lines = fragments.Lines()
    held = [line for _, frag, _ in ctx.fragments.values() for line in frag]
    assert sorted(set(held)) == sorted(lines(t) for t in data)
    stated = {line for *_, stmts in ctx.fragments.values() for line in stmts}
    assert stated == {lines(t) for t in ctx.statements}
    assert {fragments.SOURCES, fragments.GLOBAL} <= ctx.fragments.keys()


def test_a_record_reads_what_its_build_and_check_look_up(traced):
    _, ctx = traced
    reads = ctx.fragments["malenkov-head-of-government"][0]
    # the holder, the post, and the post's organisation (the holding copies it, with the post's quotes)
    assert {"malenkov", "chairman-council-of-ministers", "council-of-ministers"} <= reads


def test_a_rebuild_rebuilds_the_records_that_read_an_edited_one(traced):
    _, ctx = traced
    state = {"fragments": ctx.fragments}
    facts = {"corrections": []}
    again = fragments.dirty(state, facts, {"chairman-council-of-ministers"})
    assert {"chairman-council-of-ministers", "malenkov-head-of-government"} <= again
    assert "khrushchev" not in again
