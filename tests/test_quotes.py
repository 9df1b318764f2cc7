"""The quote check (kg/quotes.py): every factual field quotes the words of its cited sentence that state
it."""

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.facts import FACTS_DIR, FactError, load_facts
from kg.quotes import Quotes, has
from kg.sources import default_source, load_sources


@pytest.fixture(scope="module")
def sources():
    return load_sources()


def _check(facts_dir, sources):
    return Quotes(load_facts(facts_dir), sources, default_source(sources).key)


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_every_factual_field_of_the_facts_quotes_its_words(sources):
    quotes = _check(FACTS_DIR, sources)
    facts = load_facts()
    holding = next(r for r in facts["holdings"] if r.id == "bulganin-session-chair")
    (q,) = quotes.support(holding, "holder", "bulganin")
    assert (q.sid, q.text) == ("s17", "nobalsoja sapulces vadību uzticēt valdības vadītājam Bulgaņinam")
    assert sources["lvwiki"].sentences["s17"][q.start:q.end] == q.text
    assert q.prefix().endswith("ar 6 pret 2 balsīm ") and q.suffix() == "."


@pytest.mark.parametrize("file,old,new,message", [
    # the words are not in the cited sentence
    ("holdings.yaml", '"Ārlietu ministra amatu zaudēja Molotovs"',
     '"Ārlietu ministra amatu zaudēja Molotovs drīz"',
     "holdings.yaml: record 'molotov-foreign-minister': field quotes.holder: 'Ārlietu ministra amatu zaudēja "
     "Molotovs drīz' is not in s04"),
    # a factual field without a quote
    ("holdings.yaml", '    before: {s04: "pirms Tito vizītes Maskavā"}\n', "",
     "holdings.yaml: record 'molotov-foreign-minister': field before: no quote states it"),
    # a date quote that does not give the date's year
    ("holdings.yaml", '  end: {s05: "1956. gada jūnijā"}', '  end: {s05: "jūnijā"}',
     "holdings.yaml: record 'kaganovich-labour-wages-committee': field end: the quotes do not give the year "
     "of 1956-06"),
    # a date quote from the wrong part of the sentence
    ("holdings.yaml", '  end: {s04: "1955. gada jūnijā"}', '  end: {s04: "1955. gada februārī"}',
     "field end: the source reads '1955. gada jūnijā' here (a correction): quote those words"),
    ("holdings.yaml", "  end: 1955-02\n", "  end: 1955-06\n",
     "record 'malenkov-head-of-government': field end: the quotes do not give the month of 1955-06"),
    # a correction must hold the corrected value in the fields it applies to
    ("holdings.yaml", "  end: 1956-06\n", "  end: 1955-06\n",
     "record 's04-molotov-foreign-ministry-date': field applies_to[1]: molotov-foreign-minister.end is "
     "'1955-06'"),
    # a person-valued field whose quote names someone else
    ("holdings.yaml", "  holder: malenkov\n  post: power-station-director",
     "  holder: molotov\n  post: power-station-director",
     "holdings.yaml: record 'malenkov-power-station-director': field holder: no quote states 'molotov'"),
    # a controlled value the words do not say ("atcēla" is removal, not relief)
    ("holdings.yaml", "  end: 1960\n  ended_by: Removal", "  end: 1960\n  ended_by: Relief",
     "record 'voroshilov-chairman-presidium-supreme-soviet': field ended_by: no quote states 'Relief'"),
    # a quote of a sentence the record does not cite
    ("holdings.yaml", "  cites: [s07, s08]", "  cites: [s08]",
     "record 'molotov-state-control-minister': field quotes.start: quotes s07, which the record does not "
     "cite"),
    # ambiguous words
    ("events.yaml",
     '  organ: {s15: "Maļenkovs lūdza sasaukt Prezidija sēdi", s16: "18. jūnija Prezidija sēdei"}',
     '  organ: {s15: "Prezidija", s16: "18. jūnija Prezidija sēdei"}',
     "record 'presidium-session-1957-06': field quotes.organ: 'Prezidija' occurs 2 times in s15; quote more "
     "words"),
    # a quote attached to a field it does not support, next to one that does
    ("events.yaml", '    place, part_of: {s13:',
     '    place: {s13: "valdības vadītājs"}\n    place, part_of: {s13:',
     "record 'conspirators-meetings-1957': field place: quote 'valdības vadītājs' (s13) states none of its "
     "values"),
    # quotes for a field that is not factual, or that the record does not give
    ("events.yaml", '    participant_count: {s30: "56 cilvēku delegācija"}',
     '    participant_count: {s30: "56 cilvēku delegācija"}\n    label: {s30: "delegācija"}',
     "record 'cc-delegation-1957-06-21': field quotes.label: 'label' is not a factual field"),
    # a phrase must be the source's own words
    ("events.yaml", 'manner: {en: "urgently", lv: "steidzīgi"}', 'manner: {en: "quickly", lv: "ātri"}',
     "record 'cc-members-summoned-1957-06': field manner: no quote states 'ātri'"),
    # a count must give its number and its option
    ("votes.yaml", 'counts: {"yes": 7, "no": 4}', 'counts: {"yes": 8, "no": 4}',
     "record 'removal-vote-1957-06': field counts.yes: no quote states 8"),
    # a named entity must be named in every sentence it cites
    ("persons.yaml", "  cites: [s24]", "  cites: [s23, s24]",
     "persons.yaml: record 'brezhnev': field cites: s23 does not name it"),
    # a reference to an event must name it, or come from a sentence of its scene (s23 narrates the Presidium
    # session)
    ("speeches.yaml", "  speakers: [khrushchev]\n  session: presidium-session-1957-06",
     "  speakers: [khrushchev]\n  session: cc-plenum-1957-06",
     "record 'khrushchev-rejects-criticism': field session: no quote states 'cc-plenum-1957-06'"),
])
def test_the_check_fails_where_the_words_do_not_say_it(facts, sources, file, old, new, message):
    _edit(facts / file, old, new)
    with pytest.raises(FactError) as err:
        _check(facts, sources)
    assert message in str(err.value), str(err.value)


def test_the_build_fails_on_a_quote_error(facts, tmp_path):
    _edit(facts / "holdings.yaml", '  end: {s04: "1955. gada jūnijā"}', '  end: {s04: "jūnijā"}')
    res = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "out"), "--facts", str(facts)])
    assert res.exit_code == 3 and "quote error" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_word_matching_is_at_word_starts():
    assert has("Hruščovu atcelt", "Hruščov") and not has("Hruščovu", "ščov")
    assert has('balsīm "par"', "par$") and not has("partijas", "par$")
    assert has("ar 6 pret 2", "6") and not has("56 cilvēku", "6")
    assert has("RUDENS", "rudens")
