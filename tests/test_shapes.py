"""Every shape catches a small invalid fixture and passes the valid one; shapes use only real SHACL terms.

Each case names the constraint it breaks, and the test checks that this one fired, on that focus node: the
result's sh:focusNode, sh:sourceShape (the node shape or one of its property shapes),
sh:sourceConstraintComponent and sh:resultPath (for SPARQL constraints: their message), and that nothing else
was hit.
"""
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg import provenance
from kg.pipeline import load_ontology
from kg.validation import SHAPES_DIR, load_shapes, validate

FIXTURE = Path(__file__).parent / "fixtures" / "shapes" / "valid.ttl"
EX = "https://example.org/id/"
PREFIXES = FIXTURE.read_text().split("\n\n")[0]
WORDS = "<https://example.org/id/s1/words-0-7>"  # "Teikums" in ex:s1 "Teikums."
OTHER = ('ex:s2 a apg:Sentence ; apg:sentenceId "s2" ; rdf:value "Otrs."@lv ; '
         'apg:position "2"^^xsd:positiveInteger ; dcterms:isPartOf ex:article . '
         'ex:w2 a oa:SpecificResource ; oa:hasSource ex:s2 ; oa:hasSelector ex:w2q , ex:w2p . '
         'ex:w2q a oa:TextQuoteSelector ; oa:exact "Otrs" ; oa:prefix "" ; oa:suffix "." . '
         'ex:w2p a oa:TextPositionSelector ; oa:start "0"^^xsd:nonNegativeInteger ; '
         'oa:end "4"^^xsd:nonNegativeInteger .')

NS = dict(re.findall(r"@prefix (\w+): <([^>]+)>", PREFIXES))
APGSH = "https://w3id.org/apg-kg/shapes#"

# (node shape, focus node, triples to remove (Turtle patterns as s p o strings), Turtle to add, expected
#  severity, (constraint component, path as a CURIE, or for SPARQL constraints a piece of their message))
CASES = [
    ("PersonShape", "p1", ['ex:p1 rdfs:label "Персона"@ru'], "", "Violation",
     ("QualifiedMinCount", "rdfs:label")),
    ("PersonShape", "p1", [], 'ex:p1 rdfs:label "Second"@en .', "Violation",
     ("UniqueLang", "rdfs:label")),
    ("PersonShape", "p1", ["ex:p1 prov:wasDerivedFrom ex:s1"], "", "Violation",
     ("MinCount", "prov:wasDerivedFrom")),
    ("PersonShape", "p1", ["ex:p1 prov:wasDerivedFrom ex:s1"], "ex:p1 prov:wasDerivedFrom ex:nowhere .",
     "Violation",
     ("Class", "prov:wasDerivedFrom")),
    ("OrganizationShape", "o1", ['ex:o1 rdfs:label "Orgāns"@lv'], "", "Violation",
     ("QualifiedMinCount", "rdfs:label")),
    ("PlaceShape", "place", ['ex:place rdfs:label "Place"@en'], "", "Violation",
     ("QualifiedMinCount", "rdfs:label")),
    ("PostShape", "post", [], "ex:post org:postIn ex:p1 .", "Violation",
     ("Class", "org:postIn")),
    ("RankShape", "rank", ["ex:rank prov:wasDerivedFrom ex:s1"], "", "Violation",
     ("MinCount", "prov:wasDerivedFrom")),
    ("TopicShape", "topic", ['ex:topic rdfs:label "Tēma"@lv'], "", "Violation",
     ("QualifiedMinCount", "rdfs:label")),
    ("MembershipShape", "m1", ["ex:m1 org:member ex:p1"], "", "Violation",
     ("MinCount", "org:member")),
    ("MembershipShape", "m1", [], 'ex:m1 schema:startDate "1955-01-01T00:00:00"^^xsd:dateTime .', "Violation",
     ("Or", "schema:startDate")),
    ("MembershipShape", "m1", ['ex:m1 apg:notBefore "1955-01-01"^^xsd:date'],
     'ex:m1 apg:notBefore "1958-01-01"^^xsd:date .', "Violation",
     ("SPARQL", "starts after it ends")),
    ("PostHoldingShape", "h1", [], "ex:h1 apg:post ex:o1 .", "Violation",
     ("Class", "apg:post")),
    ("BoundsShape", "m1", ['ex:m1 apg:notAfter "1957-06-29"^^xsd:date'], 'ex:m1 apg:notAfter "1957-06-29" .',
     "Violation", ("Datatype", "apg:notAfter")),
    ("EventShape", "event", ['ex:event apg:notBefore "1957-06-21"^^xsd:date'],
     'ex:event apg:notBefore "1957-06-22"^^xsd:date . ex:event apg:notAfter "1957-06-25"^^xsd:date .',
     "Violation",
     ("SPARQL", "within the session's dates")),
    ("EventShape", "event", ['ex:event apg:notBefore "1957-06-21"^^xsd:date',
                             'ex:event apg:notAfter "1957-06-21"^^xsd:date'],
     'ex:event apg:notBefore "1957-05-21"^^xsd:date . ex:event apg:notAfter "1957-05-21"^^xsd:date .',
     "Violation",
     ("SPARQL", "within the session's dates")),
    ("EventShape", "event", [], 'ex:event apg:participantCount "-1"^^xsd:integer .', "Violation",
     ("Datatype", "apg:participantCount")),
    ("SessionShape", "session", ["ex:session apg:organ ex:o1"], "", "Violation",
     ("MinCount", "apg:organ")),
    ("SessionShape", "session", [], "ex:session apg:chair ex:o1 .", "Violation",
     ("Class", "apg:chair")),
    ("SessionShape", "session", ['ex:session schema:startDate "1957-06-18"^^xsd:date'], "", "Violation",
     ("MinCount", "schema:startDate")),
    ("SpeechActShape", "speech", [], "ex:speech apg:speaker ex:place .", "Violation",
     ("Or", "apg:speaker")),
    ("VoteEventShape", "vote", [], "ex:vote opengov:vote ex:v2 . "
     'ex:v2 a opengov:Vote ; opengov:voter ex:p1 ; opengov:option "no" ; opengov:voteEvent ex:vote ; '
     "prov:wasDerivedFrom ex:s1 .", "Violation",
     ("SPARQL", "more named votes")),
    ("VoteEventShape", "vote", ["ex:vote opengov:motion ex:motion"], "", "Violation",
     ("MinCount", "opengov:motion")),
    ("CountShape", "yes", ['ex:yes rdf:value "7"^^xsd:nonNegativeInteger'], 'ex:yes rdf:value "seven" .',
     "Violation",
     ("Datatype", "rdf:value")),
    ("VoteShape", "v1", ["ex:v1 opengov:voter ex:p2"], "", "Violation",
     ("MinCount", "opengov:voter")),
    ("MotionShape", "motion", ['ex:motion rdfs:label "Motion"@en'], "", "Violation",
     ("QualifiedMinCount", "rdfs:label")),
    ("DecisionShape", "decision", ["ex:decision apg:adoptedBy ex:o1"], "", "Violation",
     ("MinCount", "apg:adoptedBy")),
    ("DecisionShape", "decision", ['ex:decision dcterms:date "1957-06-21"^^xsd:date'],
     'ex:decision dcterms:date "29 June" .', "Violation",
     ("Or", "dcterms:date")),
    ("EffectShape", "effect", ["ex:effect apg:effectType apg:ExpulsionFrom"], "", "Violation",
     ("MinCount", "apg:effectType")),
    ("ClaimShape", "claim", ["ex:claim apg:about ex:p1"], "", "Violation",
     ("MinCount", "apg:about")),
    ("SentenceShape", "s1", ['ex:s1 apg:sentenceId "s1"'], 'ex:s1 apg:sentenceId "S 1" .', "Violation",
     ("Pattern", "apg:sentenceId")),
    ("SentenceShape", "s1", ['ex:s1 rdf:value "Teikums."@lv'], "", "Violation",
     ("MinCount", "rdf:value")),
    ("SameAsShape", "p1", ["ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q1>"],
     "ex:p1 owl:sameAs <http://www.wikidata.org/wiki/Q1> .", "Violation",
     ("Or", "owl:sameAs")),
    ("SameAsShape", "p1", ["ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q1>"],
     "ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q0123> .", "Violation",
     ("Or", "owl:sameAs")),
    ("PersonLinkWarning", "p1", ["ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q1>"], "", "Warning",
     ("MinCount", "owl:sameAs")),
    ("EventDateWarning", "event", ['ex:event schema:startDate "1957-06-21"^^xsd:date',
                                   'ex:event apg:notBefore "1957-06-21"^^xsd:date',
                                   "ex:event schema:superEvent ex:session"], "", "Warning",
     ("Or", None)),
    ("SpeakerWarning", "speech", ["ex:speech apg:speaker ex:p1"], "", "Warning",
     ("MinCount", "apg:speaker")),
    ("PostHoldingPostWarning", "h1", ["ex:h1 apg:post ex:post"], "", "Warning",
     ("MinCount", "apg:post")),
    # statement-level provenance: a factual triple without a reifier; a reifier not derived from a sentence,
    # or pointing at words of a sentence it is not derived from; words without selectors; wrong words
    ("StatementProvenanceShape", "claim", [], "ex:claim apg:about ex:o1 .", "Violation",
     ("SPARQL", "without statement-level provenance")),
    ("StatementShape", "st", [], 'ex:st a rdf:Statement ; rdf:subject ex:p1 ; rdf:predicate rdfs:label ; '
     f'rdf:object "x" ; oa:hasTarget {WORDS} .', "Violation", ("MinCount", "prov:wasDerivedFrom")),
    ("StatementWordsShape", "st", [], OTHER + ' ex:st a rdf:Statement ; rdf:subject ex:p1 ; rdf:predicate '
     'rdfs:label ; rdf:object "x" ; prov:wasDerivedFrom ex:s1 ; oa:hasTarget ex:w2 .', "Violation",
     ("SPARQL", "in a sentence it is not derived from")),
    ("WordsShape", "w9", [], "ex:w9 a oa:SpecificResource ; oa:hasSource ex:s1 .", "Violation",
     ("QualifiedMinCount", "oa:hasSelector")),
    ("QuoteShape", "q9", [], "ex:q9 a oa:TextQuoteSelector .", "Violation", ("MinCount", "oa:exact")),
    ("CorrectionShape", "corr", ['ex:corr apg:sourceReading "Teikums"@lv'], "", "Violation",
     ("MinCount", "apg:sourceReading")),
    ("FactualCorrectionShape", "corr", ["ex:corr apg:evidence ex:s1", "ex:corr apg:evidence ex:work"], "",
     "Violation", ("MinCount", "apg:evidence")),
    ("FactualCorrectionShape", "corr", ['ex:work dcterms:bibliographicCitation "A work, p. 1"@en'], "",
     "Violation",
     ("Or", "apg:evidence")),
    ("NormalisationShape", "norm", ['ex:norm apg:normalisedText "Teikums"@lv'], "", "Violation",
     ("MinCount", "apg:normalisedText")),
    ("QuotePositionShape", "s1/words-0-7/quote",
     ['<https://example.org/id/s1/words-0-7/quote> oa:exact "Teikums"'],
     '<https://example.org/id/s1/words-0-7/quote> oa:exact "Teikum" .', "Violation",
     ("SPARQL", "not those of the sentence at the position given")),
]


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def _with_provenance(g: Graph) -> Graph:
    """The fixture plus the statement-level provenance of its factual triples: all stated by "Teikums" of
    ex:s1."""
    s1 = URIRef(EX + "s1")
    words = provenance.Words(URIRef(EX + "s1/words-0-7"), s1, "Teikums.", 0, 7)
    statements = {t: [words] for t in provenance.factual(g)}
    for t in provenance.rdf11(statements, EX + "statement/"):
        g.add(t)
    return g


def _graph(remove=(), add="", provenance_for_added=True) -> Graph:
    """The fixture with its provenance, minus ``remove``, plus ``add`` (and the provenance of what is added,
    unless the case is about missing provenance)."""
    g = _with_provenance(Graph().parse(FIXTURE, format="turtle"))
    for pattern in remove:
        drop = Graph().parse(data=f"{PREFIXES}\n{pattern} .", format="turtle")
        assert len(drop) == 1 and next(iter(drop)) in g, f"fixture lacks {pattern}"
        g.remove(next(iter(drop)))
    if add:
        added = Graph().parse(data=f"{PREFIXES}\n{add}", format="turtle")
        for t in added:
            g.add(t)
        if provenance_for_added:
            s1 = URIRef(EX + "s1")
            words = provenance.Words(URIRef(EX + "s1/words-0-7"), s1, "Teikums.", 0, 7)
            for t in provenance.rdf11({t: [words] for t in provenance.factual(added)}, EX + "statement/"):
                g.add(t)
    return g


ENGINES = ("reference", "fast")  # pySHACL; kg.fastshacl (the shapes as pyoxigraph queries, for big graphs)


@pytest.mark.parametrize("engine", ENGINES)
def test_valid_fixture_passes_every_shape(ontology, shapes, engine):
    report = validate(_graph(), ontology, shapes, engine=engine)
    assert report.results == (), report.text()


def _expand(curie: str) -> str:
    prefix, local = curie.split(":", 1)
    return NS[prefix] + local


def _fired(report, shapes, node_shape: URIRef) -> set[tuple[str, str, str]]:
    """(focus node, constraint component, path or SPARQL message) of each result whose source shape is
    ``node_shape`` itself or one of its property shapes."""
    g = report.graph
    out = set()
    for res in g.subjects(SH.resultSeverity, None):
        source = g.value(res, SH.sourceShape)
        if source != node_shape and (node_shape, SH.property, source) not in shapes:
            continue
        component = str(g.value(res, SH.sourceConstraintComponent)).removeprefix(str(SH))
        component = component.removesuffix("ConstraintComponent")
        where = g.value(res, SH.resultMessage if component == "SPARQL" else SH.resultPath)
        out.add((str(g.value(res, SH.focusNode)), component, str(where or "")))
    return out


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("shape,focus,remove,add,severity,constraint", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shape_catches_invalid_fixture(ontology, shapes, shape, focus, remove, add, severity, constraint,
                                       engine):
    report = validate(_graph(remove, add, shape != "StatementProvenanceShape"), ontology, shapes,
                      engine=engine)
    component, what = constraint
    fired = _fired(report, shapes, URIRef(APGSH + shape))
    if component == "SPARQL":
        hits = [f for f in fired if f[:2] == (EX + focus, "SPARQL") and what in f[2]]
    else:
        hits = [f for f in fired if f == (EX + focus, component, _expand(what) if what else "")]
    assert hits, f"{shape} {constraint} did not fire on ex:{focus}: {sorted(fired)}\n{report.text()}"
    assert {r.focus for r in report.results} == {EX + focus}, report.text()
    assert {r.severity for r in report.results} == {severity}, report.text()
    assert report.conforms == (severity != "Violation")


@pytest.mark.parametrize("shape,focus,remove,add,severity,constraint", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_fast_engine_reports_what_pyshacl_reports(ontology, shapes, shape, focus, remove, add, severity,
                                                  constraint):
    """Each result's severity, focus, path, value, component and source shape; the messages too where the
    shape gives one (the default messages of the two engines differ)."""
    graph = _graph(remove, add, shape != "StatementProvenanceShape")
    reports = [validate(graph, ontology, shapes, engine=e).graph for e in ENGINES]
    keys = [{tuple(g.value(r, p) for p in (SH.resultSeverity, SH.focusNode, SH.resultPath, SH.value,
                                            SH.sourceConstraintComponent, SH.sourceShape))
             for r in g.subjects(SH.resultSeverity, None)} for g in reports]
    assert keys[0] == keys[1]
    written = {str(m) for m in shapes.objects(None, SH.message)}
    given = [{(g.value(r, SH.focusNode), m) for r in g.subjects(SH.resultSeverity, None)
              for m in g.objects(r, SH.resultMessage) if str(m) in written} for g in reports]
    assert given[0] == given[1]


def test_every_node_shape_has_a_case(shapes):
    shaped = {str(s).rsplit("#", 1)[1] for s in shapes.subjects(None, SH.NodeShape) if isinstance(s, URIRef)}
    assert shaped == {c[0] for c in CASES}


def test_every_sh_term_used_exists_in_the_shacl_vocabulary():
    from importlib.resources import files

    import pyshacl

    vocab = Graph().parse(files(pyshacl).joinpath("assets", "shacl.ttl"), format="turtle")
    known = {str(s) for s in vocab.subjects()}
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        g = Graph().parse(path, format="turtle")
        used = {str(t) for triple in g for t in triple if str(t).startswith(str(SH))}
        assert used <= known, f"{path.name}: not SHACL terms: {sorted(used - known)}"


def test_a_folder_without_shapes_is_an_error_not_a_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="no SHACL shapes"):
        load_shapes(tmp_path)
