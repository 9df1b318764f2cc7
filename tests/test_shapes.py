"""Every shape catches a small invalid fixture and passes the valid one; shapes use only real SHACL terms."""
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
OTHER = ('ex:s2 a apg:Sentence ; apg:sentenceId "s2" ; rdf:value "Otrs."@lv ; apg:position "2"^^xsd:positiveInteger ; '
         'dcterms:isPartOf ex:article . ex:w2 a oa:SpecificResource ; oa:hasSource ex:s2 .')

# (shape, focus node, triples to remove (Turtle patterns as s p o strings), Turtle to add, expected severity)
CASES = [
    ("PersonShape", "p1", ['ex:p1 rdfs:label "Персона"@ru'], "", "Violation"),
    ("PersonShape", "p1", [], 'ex:p1 rdfs:label "Second"@en .', "Violation"),
    ("PersonShape", "p1", ["ex:p1 prov:wasDerivedFrom ex:s1"], "", "Violation"),
    ("PersonShape", "p1", ["ex:p1 prov:wasDerivedFrom ex:s1"], "ex:p1 prov:wasDerivedFrom ex:nowhere .",
     "Violation"),
    ("OrganizationShape", "o1", ['ex:o1 rdfs:label "Orgāns"@lv'], "", "Violation"),
    ("PlaceShape", "place", ['ex:place rdfs:label "Place"@en'], "", "Violation"),
    ("PostShape", "post", [], "ex:post org:postIn ex:p1 .", "Violation"),
    ("RankShape", "rank", ["ex:rank prov:wasDerivedFrom ex:s1"], "", "Violation"),
    ("TopicShape", "topic", ['ex:topic rdfs:label "Tēma"@lv'], "", "Violation"),
    ("MembershipShape", "m1", ["ex:m1 org:member ex:p1"], "", "Violation"),
    ("MembershipShape", "m1", [], 'ex:m1 schema:startDate "1955-01-01T00:00:00"^^xsd:dateTime .', "Violation"),
    ("MembershipShape", "m1", ['ex:m1 apg:notBefore "1955-01-01"^^xsd:date'],
     'ex:m1 apg:notBefore "1958-01-01"^^xsd:date .', "Violation"),
    ("PostHoldingShape", "h1", [], "ex:h1 apg:post ex:o1 .", "Violation"),
    ("EventShape", "event", ['ex:event apg:notBefore "1957-06-21"^^xsd:date'],
     'ex:event apg:notBefore "1957-06-22"^^xsd:date . ex:event apg:notAfter "1957-06-25"^^xsd:date .',
     "Violation"),
    ("EventShape", "event", ['ex:event apg:notBefore "1957-06-21"^^xsd:date',
                             'ex:event apg:notAfter "1957-06-21"^^xsd:date'],
     'ex:event apg:notBefore "1957-05-21"^^xsd:date . ex:event apg:notAfter "1957-05-21"^^xsd:date .',
     "Violation"),
    ("EventShape", "event", [], 'ex:event apg:participantCount "-1"^^xsd:integer .', "Violation"),
    ("SessionShape", "session", ["ex:session apg:organ ex:o1"], "", "Violation"),
    ("SessionShape", "session", [], "ex:session apg:chair ex:o1 .", "Violation"),
    ("SpeechActShape", "speech", [], "ex:speech apg:speaker ex:place .", "Violation"),
    ("VoteEventShape", "vote", [], "ex:vote opengov:vote ex:v2 . ex:v2 a opengov:Vote ; opengov:voter ex:p1 ; "
     'opengov:option "no" ; opengov:voteEvent ex:vote ; prov:wasDerivedFrom ex:s1 .', "Violation"),
    ("VoteEventShape", "vote", ["ex:vote opengov:motion ex:motion"], "", "Violation"),
    ("CountShape", "yes", ['ex:yes rdf:value "7"^^xsd:nonNegativeInteger'], 'ex:yes rdf:value "seven" .',
     "Violation"),
    ("VoteShape", "v1", ["ex:v1 opengov:voter ex:p2"], "", "Violation"),
    ("MotionShape", "motion", ['ex:motion rdfs:label "Motion"@en'], "", "Violation"),
    ("DecisionShape", "decision", ["ex:decision apg:adoptedBy ex:o1"], "", "Violation"),
    ("DecisionShape", "decision", ['ex:decision dcterms:date "1957-06-21"^^xsd:date'],
     'ex:decision dcterms:date "29 June" .', "Violation"),
    ("EffectShape", "effect", ["ex:effect apg:effectType apg:ExpulsionFrom"], "", "Violation"),
    ("ClaimShape", "claim", ["ex:claim apg:about ex:p1"], "", "Violation"),
    ("SentenceShape", "s1", ['ex:s1 apg:sentenceId "s1"'], 'ex:s1 apg:sentenceId "S 1" .', "Violation"),
    ("SentenceShape", "s1", ['ex:s1 rdf:value "Teikums."@lv'], "", "Violation"),
    ("SameAsShape", "p1", ["ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q1>"],
     "ex:p1 owl:sameAs <http://www.wikidata.org/wiki/Q1> .", "Violation"),
    ("SameAsShape", "p1", ["ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q1>"],
     "ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q0123> .", "Violation"),
    ("PersonLinkWarning", "p1", ["ex:p1 owl:sameAs <http://www.wikidata.org/entity/Q1>"], "", "Warning"),
    ("EventDateWarning", "event", ['ex:event schema:startDate "1957-06-21"^^xsd:date',
                                   'ex:event apg:notBefore "1957-06-21"^^xsd:date',
                                   "ex:event schema:superEvent ex:session"], "", "Warning"),
    ("SpeakerWarning", "speech", ["ex:speech apg:speaker ex:p1"], "", "Warning"),
    ("PostHoldingPostWarning", "h1", ["ex:h1 apg:post ex:post"], "", "Warning"),
    # statement-level provenance: a factual triple without a reifier; a reifier not derived from a sentence, or
    # pointing at words of a sentence it is not derived from; words without selectors; wrong words
    ("StatementProvenanceShape", "claim", [], "ex:claim apg:about ex:o1 .", "Violation"),
    ("StatementShape", "st", [], 'ex:st a rdf:Statement ; rdf:subject ex:p1 ; rdf:predicate rdfs:label ; '
     f'rdf:object "x" ; oa:hasTarget {WORDS} .', "Violation"),
    ("StatementWordsShape", "st", [], OTHER + ' ex:st a rdf:Statement ; rdf:subject ex:p1 ; rdf:predicate '
     'rdfs:label ; rdf:object "x" ; prov:wasDerivedFrom ex:s1 ; oa:hasTarget ex:w2 .', "Violation"),
    ("WordsShape", "w9", [], "ex:w9 a oa:SpecificResource ; oa:hasSource ex:s1 .", "Violation"),
    ("QuoteShape", "q9", [], "ex:q9 a oa:TextQuoteSelector .", "Violation"),
    ("CorrectionShape", "corr", ['ex:corr apg:sourceReading "Teikums"@lv'], "", "Violation"),
    ("FactualCorrectionShape", "corr", ["ex:corr apg:evidence ex:s1", "ex:corr apg:evidence ex:work"], "",
     "Violation"),
    ("FactualCorrectionShape", "corr", ['ex:work dcterms:bibliographicCitation "A work, p. 1"@en'], "", "Violation"),
    ("NormalisationShape", "norm", ['ex:norm apg:normalisedText "Teikums"@lv'], "", "Violation"),
    ("QuotePositionShape", "s1/words-0-7/quote", ['<https://example.org/id/s1/words-0-7/quote> oa:exact "Teikums"'],
     '<https://example.org/id/s1/words-0-7/quote> oa:exact "Teikum" .', "Violation"),
]


@pytest.fixture(scope="module")
def ontology():
    return load_ontology()


@pytest.fixture(scope="module")
def shapes():
    return load_shapes()


def _with_provenance(g: Graph) -> Graph:
    """The fixture plus the statement-level provenance of its factual triples: all stated by "Teikums" of ex:s1."""
    s1 = URIRef(EX + "s1")
    words = provenance.Words(URIRef(EX + "s1/words-0-7"), s1, "Teikums.", 0, 7)
    statements = {t: [words] for t in provenance.factual(g)}
    for t in provenance.rdf11(statements, EX + "statement/"):
        g.add(t)
    return g


def _graph(remove=(), add="") -> Graph:
    g = _with_provenance(Graph().parse(FIXTURE, format="turtle"))
    for pattern in remove:
        drop = Graph().parse(data=f"{PREFIXES}\n{pattern} .", format="turtle")
        assert len(drop) == 1 and next(iter(drop)) in g, f"fixture lacks {pattern}"
        g.remove(next(iter(drop)))
    if add:
        g.parse(data=f"{PREFIXES}\n{add}", format="turtle")
    return g


def test_valid_fixture_passes_every_shape(ontology, shapes):
    report = validate(_graph(), ontology, shapes)
    assert report.results == (), report.text()


@pytest.mark.parametrize("shape,focus,remove,add,severity", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_shape_catches_invalid_fixture(ontology, shapes, shape, focus, remove, add, severity):
    report = validate(_graph(remove, add), ontology, shapes)
    hits = [r for r in report.results if r.focus == EX + focus and r.severity == severity]
    assert hits, report.text()
    assert report.conforms == (severity != "Violation")


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
