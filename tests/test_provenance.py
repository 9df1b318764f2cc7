"""Statement-level provenance (kg/provenance.py): every factual triple has a reifier with its sentence and
words, in RDF 1.1 (rdf:Statement) in every dump and in RDF 1.2 (rdf:reifies <<( s p o )>>) in the -rdf12
dumps."""
import json
import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF

from kg import provenance
from kg.dist import FORMATS
from kg.namespaces import APG, OA, ORG
from kg.validation import SHAPES_DIR, validate

BASE = "https://w3id.org/apg-kg/"
PROV_GRAPH = BASE + "graph/provenance"
QUERIES = Path(__file__).resolve().parent.parent / "queries"


def ID(path: str) -> URIRef:
    return URIRef(BASE + "id/" + path)


def _reifier(g: Graph, s, p, o):
    (st,) = [st for st in g.subjects(RDF.subject, s)
             if (st, RDF.predicate, p) in g and (st, RDF.object, o) in g]
    return st


def _words(g: Graph, st) -> set[tuple[str, str]]:
    out = set()
    for w in g.objects(st, OA.hasTarget):
        sentence = g.value(w, OA.hasSource)
        for sel in g.objects(w, OA.hasSelector):
            if (sel, RDF.type, OA.TextQuoteSelector) in g:
                out.add((str(sentence).rsplit("/", 1)[1], str(g.value(sel, OA.exact))))
    return out


def test_no_factual_triple_lacks_statement_level_provenance(built, dist):
    factual = list(provenance.factual(built.data))
    assert len(factual) > 400
    assert provenance.without_provenance(built.data, built.provenance) == []
    manifest = json.loads((dist / "manifest.json").read_text())
    assert manifest["provenance"]["factual_triples"] == len(factual)
    assert manifest["provenance"]["with_statement_provenance"] == len(factual)
    assert manifest["provenance"]["reifiers"] == len(factual)
    assert manifest["graphs"]["provenance"]["iri"] == PROV_GRAPH
    assert f"factual triples: {len(factual)}; without statement-level provenance: 0" in \
        (dist / "coverage.txt").read_text()


def test_a_triple_derives_from_exactly_the_sentences_that_state_it(built):
    g = built.provenance
    session = ID("event/presidium-session-1957-06")
    # the session record cites s01, s15, s16; its organ is stated by all three, its pretext by s15 only
    organ = _reifier(g, session, APG.organ, ID("organization/presidium"))
    assert {str(s).rsplit("/", 1)[1] for s in g.objects(organ, PROV.wasDerivedFrom)} == {"s01", "s15", "s16"}
    pretext = _reifier(g, session, APG.pretext, next(built.data.objects(session, APG.pretext)))
    assert {s for s, _ in _words(g, pretext)} == {"s15"}
    # who chaired it: Bulganin by the vote of s17, Khrushchev as it began (s16)
    chair = ID("post/chair-of-the-presidium-session")
    holdings = {built.data.value(h, ORG.member): h for h in built.data.subjects(APG.post, chair)}
    bulganin = _reifier(g, holdings[ID("person/bulganin")], ORG.member, ID("person/bulganin"))
    assert _words(g, bulganin) == {("s17", "nobalsoja sapulces vadību uzticēt valdības vadītājam Bulgaņinam")}
    khrushchev = _reifier(g, holdings[ID("person/khrushchev")], ORG.member, ID("person/khrushchev"))
    assert _words(g, khrushchev) == {("s16", "Hruščovs ieņēmis sapulces vadītāja krēslu")}
    count = ID("vote/removal-vote-1957-06/count-yes")
    value = _reifier(g, count, RDF.value, next(built.data.objects(count, RDF.value)))
    assert _words(g, value) == {("s25", 'Ar septiņām balsīm "par"')}


def test_the_words_stand_in_their_sentence_at_their_position(built):
    g, data = built.provenance, built.data
    checked = 0
    for w in set(g.subjects(RDF.type, OA.SpecificResource)):
        text = str(data.value(g.value(w, OA.hasSource), RDF.value))
        sel = {str(g.value(s, RDF.type)).rsplit("#", 1)[1]: s for s in g.objects(w, OA.hasSelector)}
        start = int(g.value(sel["TextPositionSelector"], OA.start))
        end = int(g.value(sel["TextPositionSelector"], OA.end))
        quote = sel["TextQuoteSelector"]
        assert text[start:end] == str(g.value(quote, OA.exact))
        assert text[:start].endswith(str(g.value(quote, OA.prefix)))
        assert text[end:].startswith(str(g.value(quote, OA.suffix)))
        assert str(w).endswith(f"/words-{start}-{end}")
        checked += 1
    assert checked > 150


def test_shacl_fails_the_build_when_a_factual_triple_has_no_provenance(built):
    prov = Graph()
    for t in built.provenance:
        prov.add(t)
    st = _reifier(prov, ID("event/cc-plenum-1957-06"), APG.organ, ID("organization/central-committee"))
    for t in list(prov.triples((st, None, None))):
        prov.remove(t)
    assert provenance.without_provenance(built.data, prov) == [
        (ID("event/cc-plenum-1957-06"), APG.organ, ID("organization/central-committee"))]
    report = validate(built.data, built.ontology, provenance=prov)
    hits = [r for r in report.violations if "statement-level provenance" in r.message]
    assert [(h.focus, h.path) for h in hits] == [(str(ID("event/cc-plenum-1957-06")), str(APG.organ))]


def test_the_shapes_and_the_code_agree_on_what_is_not_factual():
    text = (SHAPES_DIR / "violations.ttl").read_text()
    prefixes = dict(re.findall(r"@prefix (\w+):\s+<([^>]+)>", text))
    lists = re.findall(r"\?path NOT IN \(([^)]*)\)", text)
    assert len(lists) == 2
    for listed in lists:
        names = {prefixes[p] + n for p, n in re.findall(r"(\w+):(\w+)", listed)}
        assert names == {str(p) for p in provenance.NOT_FACTUAL}


def test_rdflib_reads_every_rdf11_dump(dist):
    manifest = json.loads((dist / "manifest.json").read_text())
    for fmt in FORMATS:
        if fmt.dataset:
            ds = Dataset()
            ds.parse(dist / f"dataset.{fmt.extension}",
                     format={"trig": "trig", "nq": "nquads"}[fmt.extension])
            quads = {q for q in ds.quads((None, None, None, None)) if q[3] is not None}
            assert len(quads) == sum(g["triples"] for g in manifest["graphs"].values())
    g = Graph().parse(dist / "provenance.nt", format="nt")
    assert len(g) == manifest["graphs"]["provenance"]["triples"]
    assert len(set(g.subjects(RDF.type, RDF.Statement))) == manifest["provenance"]["reifiers"]


def test_the_rdf12_dumps_add_one_reifies_triple_term_per_reifier(dist, built):
    rdf11 = set(ox.parse(path=str(dist / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    rdf12 = set(ox.parse(path=str(dist / "dataset-rdf12.nq"), format=ox.RdfFormat.N_QUADS))
    assert rdf11 <= rdf12
    extra = rdf12 - rdf11
    assert {q.predicate.value for q in extra} == {str(RDF) + "reifies"}
    assert {q.graph_name.value for q in extra} == {PROV_GRAPH}
    assert all(isinstance(q.object, ox.Triple) for q in extra)
    assert len(extra) == len(list(provenance.factual(built.data)))
    for q in extra:  # the triple term is the reifier's rdf:subject / rdf:predicate / rdf:object
        st = URIRef(q.subject.value)
        assert built.provenance.value(st, RDF.predicate) == URIRef(q.object.predicate.value)
    for name in ("dataset-rdf12.trig", "provenance-rdf12.ttl", "provenance-rdf12.nt"):
        fmt = {"trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE,
               "nt": ox.RdfFormat.N_TRIPLES}[name.rsplit(".")[1]]
        assert len(list(ox.parse(path=str(dist / name), format=fmt))) == \
            json.loads((dist / "manifest.json").read_text())["files"][name]["triples"]


def test_the_rdf12_form_of_the_competency_query_gives_the_same_words(dist):
    from answers import answer

    from server.store import OxigraphStore

    text = (QUERIES / "13-bulganin-chair-words.rq").read_text()
    rdf12 = text.replace(
        """    ?statement rdf:subject ?holding ;
               rdf:predicate org:member ;
               rdf:object person:bulganin ;
               oa:hasTarget ?words .""",
        """    ?statement rdf:reifies <<( ?holding org:member person:bulganin )>> ;
               oa:hasTarget ?words .""")
    assert rdf12 != text
    store = ox.Store()
    store.bulk_load(path=str(dist / "dataset-rdf12.nq"), format=ox.RdfFormat.N_QUADS)
    graphs = [ox.NamedNode(BASE + f"graph/{n}") for n in ("data", "ontology")]

    class Store12:
        def query(self, q):
            return store.query(q, default_graph=graphs, named_graphs=[ox.NamedNode(PROV_GRAPH)])

    expected = json.loads((QUERIES / "13-bulganin-chair-words.expected.json").read_text())
    assert answer(Store12(), rdf12) == expected
    assert answer(OxigraphStore(dist), text) == expected


@pytest.mark.parametrize("triple", [
    (URIRef(BASE + "id/x"), RDF.value, Literal("ā")),
    (URIRef(BASE + "id/x"), RDF.value, Literal("ā", lang="lv")),
])
def test_statement_iris_are_stable_and_distinct(triple):
    ns = BASE + "id/statement/"
    assert provenance.statement_iri(ns, triple) == provenance.statement_iri(ns, triple)
    assert re.fullmatch(re.escape(ns) + r"[0-9a-f]{16}", str(provenance.statement_iri(ns, triple)))


def test_two_literals_get_two_iris():
    ns = BASE + "id/statement/"
    s = URIRef(BASE + "id/x")
    assert provenance.statement_iri(ns, (s, RDF.value, Literal("ā"))) != \
        provenance.statement_iri(ns, (s, RDF.value, Literal("ā", lang="lv")))
