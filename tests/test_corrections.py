"""Editorial corrections as resources (kg/facts/corrections.yaml), `apg corrections`, and retired IRIs."""
import json

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from kg.cli import main
from kg.facts import FactError, load_facts
from kg.namespaces import APG, OA, SCHEMA
from kg.quotes import Quotes
from kg.sources import default_source, load_sources

BASE = "https://w3id.org/apg-kg/"


def ID(path: str) -> URIRef:
    return URIRef(BASE + "id/" + path)


def test_the_two_errors_of_the_source_are_corrections_with_evidence(built):
    g = built.data
    factual = set(g.subjects(RDF.type, APG.FactualCorrection))
    assert factual == {ID("correction/s04-molotov-foreign-ministry-date"),
                       ID("correction/s30-delegation-date")}
    s04 = ID("correction/s04-molotov-foreign-ministry-date")
    assert (s04, OA.motivatedBy, OA.editing) in g and (s04, RDF.type, OA.Annotation) in g
    assert g.value(s04, APG.sourceReading) == Literal("1955. gada jūnijā", lang="lv")
    assert g.value(s04, APG.sourceValue) == Literal("1955-06", datatype=XSD.gYearMonth)
    assert g.value(s04, APG.correctedValue) == Literal("1956-06", datatype=XSD.gYearMonth)
    citations = {str(g.value(e, DCTERMS.bibliographicCitation)) for e in g.objects(s04, APG.evidence)}
    assert citations == {"Foreign Relations of the United States, 1955–1957, vol. XXIV, document 49",
                         "CIA Current Intelligence Bulletin, 2 June 1956"}
    # its target is the words in error, in s04
    words = g.value(s04, OA.hasTarget)
    assert g.value(words, OA.hasSource) == ID("source/lvwiki/s04")
    (quote,) = [s for s in g.objects(words, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in g]
    assert str(g.value(quote, OA.exact)) == "1955. gada jūnijā"
    # the graph records June 1956 and keeps the source's reading on the holding
    holding = ID("holding/molotov-foreign-minister")
    assert g.value(holding, SCHEMA.endDate) == Literal("1956-06", datatype=XSD.gYearMonth)
    assert g.value(holding, APG.sourceReading) == Literal("1955. gada jūnijā", lang="lv")
    assert g.value(holding, SKOS.editorialNote) is not None
    # the corrected statement's reifier, in the provenance graph, quotes the source's reading
    (st,) = g.objects(s04, APG.correctsStatement)
    assert built.provenance.value(st, RDF.object) == Literal("1956-06", datatype=XSD.gYearMonth)
    s30 = ID("correction/s30-delegation-date")
    assert {str(g.value(e, APG.sentenceId)) for e in g.objects(s30, APG.evidence)} == {"s01", "s16", "s31"}
    assert set(g.objects(s30, APG.corrects)) == {ID("event/cc-delegation-1957-06-21"),
                                                   ID("speech/delegation-demands-plenum")}


def test_typo_normalisations_in_labels_are_listed(built):
    g = built.data
    norms = {g.value(c, OA.hasTarget): c for c in g.subjects(RDF.type, APG.Normalisation)}
    assert len(norms) >= 3
    for c in norms.values():
        normalised = str(g.value(c, APG.normalisedText))
        for other in g.objects(c, APG.corrects):
            assert any(normalised in str(label) for label in g.objects(other, RDFS.label))
    s34 = ID("correction/s34-destalinization-spelling")
    assert g.value(s34, APG.sourceReading) == Literal("destaļinizāciajs", lang="lv")


def test_apg_corrections_lists_s04_and_s30():
    res = CliRunner().invoke(main, ["corrections"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("Factual corrections: 2\n")
    assert "source reads: '1955. gada jūnijā' (1955-06)" in res.output
    assert "graph records: '1956-06'" in res.output
    assert "source reads: '21. maijā' (--05-21)" in res.output and "graph records: '1957-06-21'" in res.output
    assert "CIA Current Intelligence Bulletin, 2 June 1956" in res.output
    assert "Typo normalisations in labels:" in res.output
    rows = json.loads(CliRunner().invoke(main, ["corrections", "--json"]).output)
    assert [r["sentence"] for r in rows if r["kind"] == "factual"] == ["s04", "s30"]


def test_the_tito_visit_slug_carries_the_right_year_and_the_old_iri_is_replaced(built, dist):
    g = built.data
    old, new = ID("event/tito-visit-moscow-1955"), ID("event/tito-visit-moscow-1956")
    assert (new, RDF.type, APG.Visit) in g
    assert set(g.predicate_objects(old)) == {(DCTERMS.isReplacedBy, new)}
    assert not list(g.triples((None, None, old)))
    assert json.loads((dist / "redirects.json").read_text()) == {str(old): str(new)}
    assert (ID("holding/molotov-foreign-minister"), APG.before, new) in g


@pytest.mark.parametrize("old,new,message", [
    ('  source_reading: "destaļinizāciajs"', '  source_reading: "destaļinizācijas"',
     "record 's34-destalinization-spelling': field sentence: 'destaļinizācijas' does not occur exactly once "
     "in s34"),
    ('  normalised: "no partijas"', '  normalised: "no partijām"',
     "record 's48-genitive-ending': field applies_to[1]: the Latvian label of expelled-and-pensioned does "
     "not contain the normalised text 'no partijām'"),
    ("    - {sentence: s16, quote: ", "    - {sentence: s17, quote: ",
     "record 's30-delegation-date': field evidence[2]: s17 is not among the record's cites"),
])
def test_a_correction_must_say_exactly_what_the_source_says(facts, old, new, message):
    path = facts / "corrections.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    sources = load_sources()
    with pytest.raises(FactError) as err:
        Quotes(load_facts(facts), sources, default_source(sources).key)
    assert message in str(err.value)


def test_a_former_id_cannot_be_an_id_in_use(facts, tmp_path):
    path = facts / "events.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("former_ids: [tito-visit-moscow-1955]", "former_ids: [polish-october]"),
                    encoding="utf-8")
    res = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), "--facts", str(facts)])
    assert res.exit_code == 3  # an input error (kg/cli.py exit statuses)
    assert "'polish-october' is a former id of 'tito-visit-moscow-1956'" in res.output
