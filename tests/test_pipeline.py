"""The build end to end: outputs, determinism, strict parsing, provenance, links, reasoning."""
import gzip
import hashlib
import json

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, PROV, RDF, RDFS

from kg.dist import FORMAT_BY_EXTENSION, FORMATS, serialize_dataset
from kg.namespaces import APG, ORG
from kg.pipeline import build

GRAPHS = ("data", "ontology", "inferred", "metadata", "provenance")


def test_build_writes_every_dump_with_gz_and_checksums(dist):
    manifest = json.loads((dist / "manifest.json").read_text())
    assert set(manifest["graphs"]) == set(GRAPHS)
    assert manifest["shacl"]["violations"] == 0
    expected = {f"dataset.{f.extension}" for f in FORMATS if f.dataset}
    expected |= {f"{g}.{f.extension}" for g in GRAPHS for f in FORMATS if not f.dataset}
    for name in expected:
        assert (dist / name).is_file(), name
        assert gzip.decompress((dist / f"{name}.gz").read_bytes()) == (dist / name).read_bytes()
    sums = dict(reversed(line.split("  ")) for line in (dist / "SHA256SUMS").read_text().splitlines())
    for name, digest in sums.items():
        assert hashlib.sha256((dist / name).read_bytes()).hexdigest() == digest
    assert expected <= set(sums)
    for name in ("shacl-report.ttl", "shacl-report.txt", "links.txt", "links.json", "coverage.txt"):
        assert (dist / name).is_file()


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.extension)
def test_every_dump_parses_with_pyoxigraph_strict_parser(dist, fmt):
    manifest = json.loads((dist / "manifest.json").read_text())
    names = ["dataset"] if fmt.dataset else list(GRAPHS)
    for name in names:
        quads = list(ox.parse(path=str(dist / f"{name}.{fmt.extension}"), format=fmt.rdf_format))
        expected = (sum(g["triples"] for g in manifest["graphs"].values()) if fmt.dataset
                    else manifest["graphs"][name]["triples"])
        assert len(quads) == expected, name


def test_dataset_keeps_its_named_graphs(dist, built):
    store = ox.Store()
    store.bulk_load(path=str(dist / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    names = {g.value for g in store.named_graphs()}
    manifest = json.loads((dist / "manifest.json").read_text())
    assert names == {g["iri"] for g in manifest["graphs"].values()}
    assert len(store) == sum(len(g) for g in (built.data, built.ontology, built.inferred, built.metadata,
                                              built.provenance))


def test_dataset_trig_of_blocks_is_the_one_pass_serialisation(dist, built):
    """dataset.trig is composed of each graph's TriG block (written as the graphs become ready): the same
    bytes as serialising the whole dataset at once, and no scratch file left in the build."""
    manifest = json.loads((dist / "manifest.json").read_text())
    graphs = {manifest["graphs"][n]["iri"]: getattr(built, n) for n in GRAPHS}
    trig = FORMAT_BY_EXTENSION["trig"]
    assert (dist / "dataset.trig").read_bytes() == serialize_dataset(graphs, trig)
    assert not (dist / ".scratch").exists()


def test_rebuild_is_byte_identical(dist, tmp_path):
    build(tmp_path / "again", log=lambda *_: None)
    for path in sorted(dist.iterdir()):
        assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_fact_node_cites_an_existing_sentence(built):
    from kg.coverage import coverage

    cov = coverage(built.data)
    assert cov["uncited"] == []
    body = [sid for sid in cov["sentences"] if sid.startswith("s")]
    assert len(body) == 49
    assert [sid for sid in body if not cov["sentences"][sid]] == []


def test_sentences_are_resources_with_text_position_and_article(built):
    g = built.data
    sentences = list(g.subjects(RDF.type, APG.Sentence))
    assert len(sentences) == 51
    s32 = next(s for s in sentences if str(g.value(s, APG.sentenceId)) == "s32")
    assert "Žukovam" in str(g.value(s32, RDF.value))
    assert g.value(s32, RDF.value).language == "lv"
    assert g.value(s32, APG.position).toPython() == 32
    article = g.value(s32, URIRef("http://purl.org/dc/terms/isPartOf"))
    assert (article, URIRef("http://purl.org/dc/terms/license"),
            URIRef("https://creativecommons.org/licenses/by-sa/4.0/")) in g


def test_source_error_s30_is_corrected_and_annotated(built):
    g = built.data
    delegation = next(s for s in g.subjects(RDF.type, APG.Delegation))
    assert str(g.value(delegation, URIRef("http://schema.org/startDate"))) == "1957-06-21"
    assert str(g.value(delegation, APG.sourceReading)) == "21. maijā"


def test_dates_keep_their_precision(built):
    g = built.data
    types = {o.datatype.split("#")[1] for o in g.objects(None, URIRef("http://schema.org/endDate"))}
    assert {"date", "gYearMonth", "gYear"} <= types


def test_identity_links_only_for_verified_rows(built):
    from kg.links import load_links

    rows = {r["wikidata"]: r for r in load_links() if r["wikidata"]}
    wikidata = [o for o in built.data.objects(None, OWL.sameAs) if "wikidata.org" in str(o)]
    assert wikidata
    for iri in wikidata:
        assert rows[str(iri).rsplit("/", 1)[1]]["status"] == "verified"
    kirichenko = URIRef("https://w3id.org/apg-kg/id/person/kirichenko")  # a candidate: not published
    assert not [o for o in built.data.objects(kirichenko, OWL.sameAs) if "wikidata" in str(o)]
    assert built.links["candidate"][0]["candidate"] == "Q1376528"
    bulganin = URIRef("https://w3id.org/apg-kg/id/person/bulganin")  # verified in this revision
    assert URIRef("http://www.wikidata.org/entity/Q48093") in set(built.data.objects(bulganin, OWL.sameAs))


def test_inferred_graph_holds_only_new_triples(built):
    assert len(built.inferred) > 0
    assert not set(built.inferred) & set(built.data)
    assert not set(built.inferred) & set(built.ontology)
    # subclass reasoning: a Presidium session is an apg:Event and a prov:Activity
    session = URIRef("https://w3id.org/apg-kg/id/event/presidium-session-1957-06")
    assert (session, RDF.type, PROV.Activity) in built.inferred


def test_inconsistent_data_fails_the_closure(built):
    from kg.reasoning import InconsistencyError, infer

    bad = Graph()
    x = URIRef("https://w3id.org/apg-kg/id/person/x")
    bad.add((x, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Person")))
    bad.add((x, RDF.type, ORG.Organization))
    bad.add((x, RDFS.label, Literal("x")))
    with pytest.raises(InconsistencyError):
        infer(built.ontology, bad)


def test_labels_in_three_languages_for_persons_and_organisations(built):
    g = built.data
    for cls in (URIRef("http://xmlns.com/foaf/0.1/Person"), ORG.Organization):
        for node in g.subjects(RDF.type, cls):
            langs = {lit.language for lit in g.objects(node, RDFS.label)}
            assert {"en", "lv", "ru"} <= langs, node
    khrushchev = URIRef("https://w3id.org/apg-kg/id/person/khrushchev")
    assert Literal("Ņikita Hruščovs", lang="lv") in set(g.objects(khrushchev, RDFS.label))
