"""The request path's shortcuts give what the slower code they replace gives (issue 11, the throughput goal):
each is checked against its reference on generated inputs, so a shortcut that drifts fails here.

- ``query._has_word`` (str.find) against the ``query._WORDS`` regex it replaces in the FROM/DESCRIBE screen;
- ``nesting._surely_within``'s operator count (one bytes.translate) against counting each character;
- ``fastpath.parse_query_string`` with its memo of repeated parameters: the same pairs on every call;
- ``sparql.answer_etag``: requests that differ get different tags (no two field layouts write the same bytes);
- ``OxigraphStore.dataset`` with its memo: the same graphs on every call, and a list given is not kept by
  reference.
"""
from hypothesis import given, settings
from hypothesis import strategies as st

from server.endpoint import fastpath, nesting, query, sparql
from server.endpoint.query import Job

_TEXT = st.lists(st.one_of(
    st.sampled_from(["from", "describe", "FROM", "x", "_", ":", "?", "$", " ", "é", "1", "\u0663", "½", "·",
                     "<", ">", "#", "\n", "\"", "ſ", "K", "wasDerivedFrom"]),
    st.text(max_size=3)), max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_TEXT)
def test_the_word_finder_finds_what_the_regex_finds(text):
    folded = text.casefold()
    assert query._has_word(folded) == (query._WORDS.search(folded) is not None)


@settings(max_examples=300, deadline=None)
@given(_TEXT.map(lambda t: "SELECT * WHERE { " + t + " }"))
def test_the_screen_skips_the_mask_only_when_the_masked_text_has_no_word(text):
    folded = text.casefold()
    masked = query._WORDS.search(query._OPAQUE.sub(" ", folded)) is not None
    assert query.needs_parse(text) == (query._SERVICE in folded or masked)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("-+*/=<>!|^&(){}[]abé\u2028 ")) | st.characters(), max_size=40))
def test_the_operator_count_is_the_count_of_each_operator(text):
    counted = sum(text.count(c) for c in "-+*/=<>!|^&")
    raw = text.encode("utf-8", "surrogatepass")
    assert len(raw) - len(raw.translate(None, nesting._OPERATOR_BYTES)) == counted
    assert nesting._surely_within(text) == (text.count("(") + text.count("{") + text.count("[")
                                            <= nesting.MAX_DEPTH and
                                            text.count("{") + text.casefold().count("bind")
                                            + text.casefold().count("values") <= nesting.MAX_GROUPS and
                                            counted <= nesting.MAX_OPERATORS)


def test_repeated_parameters_decode_the_same_every_time():
    raw = b"default-graph-uri=https%3A%2F%2Fw3id.org%2Fapg%2Fgraph%2Fdata&query=ASK+%7B%7D&format=json"
    first = fastpath.parse_query_string(raw)
    assert first == [("default-graph-uri", "https://w3id.org/apg/graph/data"), ("query", "ASK {}"),
                     ("format", "json")]
    assert fastpath.parse_query_string(raw) == first
    assert raw.split(b"&")[0] in fastpath._decoded  # kept: it is short and not the query
    assert b"query=ASK+%7B%7D" not in fastpath._decoded  # queries are never kept


class _Store:
    dataset_sha256 = "0" * 64


def test_different_requests_get_different_entity_tags():
    cfg = {"BASE": "https://w3id.org/apg/"}
    jobs = [Job("ASK {}"), Job("ASK {}", default_graph=[]), Job("ASK {}", default_graph=[""]),
            Job("ASK {}", default_graph=["a", "b"]), Job("ASK {}", default_graph=["a,b"]),
            Job("ASK {}", default_graph=["a"], named_graphs=["b"]), Job("ASK {}", default_graph=["a", "b"],
                                                                       named_graphs=[]),
            Job("ASK {}", accept="a"), Job("ASK {}", formats=("a",)), Job("ASK {}a"), Job("ASK {}", base="a"),
            Job("ASK {}\n1:x"), Job("ASK {}", accept="-"), Job("ASK {}", max_result_bytes=1)]
    tags = [sparql.answer_etag(cfg, _Store, j) for j in jobs]
    assert len(set(tags)) == len(jobs)
    assert sparql.answer_etag(cfg, _Store, Job("ASK {}")) == tags[0]  # and the same request, the same tag


def test_the_dataset_memo_gives_the_same_graphs(dist):
    from server.store import OxigraphStore

    store = OxigraphStore(dist)
    graphs = [g.value for g in store.graphs.values()]
    asked = list(store.default_graph and [g.value for g in store.default_graph])
    first = store.dataset(asked, graphs)
    assert store.dataset(list(asked), list(graphs)) == first  # from the memo: the same graphs
    asked.append(graphs[-1])  # the caller's list changes afterwards: the memo was keyed on a copy
    assert store.dataset(asked, graphs)[0] != first[0]
    one = store.dataset([graphs[0]], [])
    assert [g.value for g in one[0]] == [graphs[0]] and one[1] == []
    other = store.dataset([graphs[1]], [])  # as long a list, other graphs: another entry of the memo
    assert [g.value for g in other[0]] == [graphs[1]]
    assert store.dataset(None, None) == store.dataset(None, None)
