"""The ontology is OWL 2 DL and HermiT classifies it, alone and with the data (issue 14).

The tools are the ones an ontologist opening the ontology in Protégé meets: the OWL API (its OWL 2 DL profile
checker) and HermiT, both from owlready2's HermiT.jar, on Debian's JRE (see tests/owl2dl.py). Without java
these tests skip locally; with APG_REQUIRE_JAVA=1 (set by .ci/run) they fail instead.
"""
import os
import shutil
from pathlib import Path

import owlready2
import pytest
from owl2dl import check, datatype_issues, dl_view, write_rdfxml
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, XSD

from kg.namespaces import APG, OPENGOV, ORG
from kg.pipeline import ONTOLOGY_FILE

FIXTURES = Path(__file__).parent / "fixtures" / "dl"
MINTED = str(APG._NS)
# Every class apg: mints sits under a class of one of these vocabularies.
ALIGNED_TO = (str(ORG), str(PROV), str(OPENGOV), str(FOAF))
DATES = {XSD.date, XSD.gYearMonth, XSD.gYear}


@pytest.fixture(scope="session")
def java() -> str:
    exe = shutil.which("java")
    if exe is None:
        if os.environ.get("APG_REQUIRE_JAVA") == "1":
            pytest.fail("APG_REQUIRE_JAVA=1 but there is no java on PATH (install default-jre-headless)")
        pytest.skip("no java on PATH: install Debian's default-jre-headless to run HermiT and the OWL API")
    return exe


@pytest.fixture(scope="module")
def view(built):
    return dl_view(built.data)


@pytest.fixture(scope="module")
def reports(java, dist, built, view, tmp_path_factory):
    """The checks of each document, keyed by name: the build's own ontology dumps as Protégé would open them,
    and RDF/XML written for the combinations with the data and the fixtures. One JVM for all of them."""
    out = tmp_path_factory.mktemp("dl")
    kept, _ = view
    fixture = {name: Graph().parse(FIXTURES / f"{name}.ttl") for name in ("contradiction", "unsatisfiable")}
    files = {
        "apg.ttl": ONTOLOGY_FILE,
        "ontology.ttl": dist / "ontology.ttl",
        "ontology.rdf": dist / "ontology.rdf",
        "ontology+data": write_rdfxml(out / "ontology+data.rdf", built.ontology, kept),
        "contradiction": write_rdfxml(out / "contradiction.rdf", built.ontology, kept,
                                      fixture["contradiction"]),
        "unsatisfiable": write_rdfxml(out / "unsatisfiable.rdf", built.ontology, fixture["unsatisfiable"]),
        "not-dl": FIXTURES / "not-dl.ttl",
    }
    results = check(java, files.values())
    return {name: results[path] for name, path in files.items()}


def test_no_datatype_outside_the_owl2_datatype_map(built, view):
    """The OWL API's profile checker lets xsd:date through; HermiT and the OWL 2 specification do not."""
    kept, set_aside = view
    assert datatype_issues(built.ontology) == []
    union = Graph()
    for t in (*built.ontology, *kept):
        union.add(t)
    assert datatype_issues(union) == []
    # What is set aside: the dates at their precision, the day without a year that s30 misstates (a
    # correction's apg:sourceValue, "--05-21"^^xsd:gMonthDay), and rdf:value (reserved vocabulary: counts,
    # texts).
    assert {o.datatype for _, p, o in set_aside if p != RDF.value} == DATES | {XSD.gMonthDay}
    assert {p for _, p, o in set_aside if o.datatype == XSD.gMonthDay} == {APG.sourceValue}
    assert {p for _, p, o in set_aside if o.datatype not in DATES | {XSD.gMonthDay}} == {RDF.value}
    assert len(kept) + len(set_aside) == len(built.data)


def test_the_datatype_check_catches_ranges_outside_the_datatype_map():
    issues = datatype_issues(Graph().parse(FIXTURES / "not-dl.ttl"))
    assert issues == [f"https://example.org/ontology#{p} rdfs:range {dt}: datatype outside the OWL 2 "
                      "datatype map" for p, dt in (("notBefore", XSD.date), ("pretext", RDF.langString))]


@pytest.mark.parametrize("name", ["apg.ttl", "ontology.ttl", "ontology.rdf"])
def test_ontology_is_owl2_dl(reports, built, name):
    assert reports[name].violations == []
    # the OWL API read every declared term as what it is declared to be, and nothing else
    counts = reports[name].counts
    declared = {kind: len(set(built.ontology.subjects(RDF.type, kind)))
                for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)}
    assert (counts["classes"], counts["objectProperties"], counts["dataProperties"]) == \
        (declared[OWL.Class], declared[OWL.ObjectProperty], declared[OWL.DatatypeProperty])
    assert counts["logicalAxioms"] > 100


def test_ontology_and_data_are_owl2_dl_with_the_non_dl_triples_set_aside(reports):
    assert reports["ontology+data"].violations == []
    assert reports["ontology+data"].counts["individuals"] > 300


def test_the_checks_catch_an_ontology_outside_owl2_dl(reports):
    """The fixture breaks DL the ways apg.ttl did; each is reported (so a clean report means something)."""
    kinds = {kind for kind, _ in reports["not-dl"].violations}
    assert {"UseOfUndeclaredClass", "IllegalPunning", "UseOfReservedVocabularyForAnnotationPropertyIRI"} <= \
        kinds
    assert reports["not-dl"].hermit == "error"
    assert "UnsupportedDatatypeException" in reports["not-dl"].hermit_error


def _told_superclasses(g: Graph, cls: URIRef) -> set[str]:
    found, todo = set(), [cls]
    while todo:
        for sup in g.objects(todo.pop(), RDFS.subClassOf):
            if isinstance(sup, URIRef) and str(sup) not in found:
                found.add(str(sup))
                todo.append(sup)
    return found


@pytest.mark.parametrize("name", ["apg.ttl", "ontology.rdf"])
def test_hermit_classifies_the_ontology_with_every_declared_alignment(reports, built, name):
    classified = reports[name]
    assert classified.consistent, classified.hermit_error
    assert classified.unsatisfiable == set()
    minted = sorted(c for c in built.ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(MINTED))
    assert len(minted) > 30
    for cls in minted:
        told = _told_superclasses(built.ontology, cls)
        assert any(s.startswith(ALIGNED_TO) for s in told), f"{cls}: under no ORG, PROV, Popolo or FOAF class"
        inferred = classified.superclasses(str(cls))
        assert told <= inferred, f"{cls}: HermiT lost {sorted(told - inferred)}"
    # inferred through declared steps: a vote event and an accusation (a speech act) are PROV activities
    assert str(PROV.Activity) in classified.superclasses(str(APG.VoteEvent))
    assert str(PROV.Activity) in classified.superclasses(str(APG.Accusation))


def test_hermit_finds_ontology_and_data_consistent(reports):
    assert reports["ontology+data"].consistent, reports["ontology+data"].hermit_error
    assert reports["ontology+data"].unsatisfiable == set()


def test_hermit_reports_the_contradictory_fixture_as_inconsistent(reports, built):
    # the fixture names real things of the data, so the contradiction is between it and the data
    session = URIRef("https://w3id.org/apg-kg/id/event/presidium-session-1957-06")
    presidium = URIRef("https://w3id.org/apg-kg/id/organization/presidium")
    assert (session, RDF.type, APG.Session) in built.data
    assert (presidium, RDF.type, ORG.Organization) in built.data
    assert reports["contradiction"].hermit == "inconsistent"


def test_hermit_reports_an_unsatisfiable_class(reports):
    assert reports["unsatisfiable"].consistent
    assert reports["unsatisfiable"].unsatisfiable == {"https://example.org/ontology#EventPerson"}


def test_the_build_ontology_loads_in_owlready2_and_its_hermit_classifies_it(java, dist, monkeypatch):
    """What the issue reported failing, done as the user did: owlready2's loader, then sync_reasoner."""
    monkeypatch.setattr(owlready2, "JAVA_EXE", java)
    world = owlready2.World()
    world.get_ontology((dist / "ontology.rdf").as_uri()).load()
    owlready2.sync_reasoner_hermit(world, debug=0)
    assert list(world.inconsistent_classes()) == []
    vote_event = world[str(APG.VoteEvent)]
    assert world[str(PROV.Activity)] in vote_event.ancestors()
    assert world[str(OPENGOV.VoteEvent)] in vote_event.ancestors()
