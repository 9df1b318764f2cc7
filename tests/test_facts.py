"""The fact-file schema (kg/schema.py): names and types of fields, with errors naming file, record and
field."""

import pytest

from kg import schema
from kg.facts import FactError, load_facts
from kg.namespaces import APG


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_fact_files_load():
    facts = load_facts()
    assert set(facts) == set(schema.KINDS)
    assert sum(len(v) for v in facts.values()) > 150


@pytest.mark.parametrize("file,old,new,message", [
    ("memberships.yaml", "  member: malenkov\n", "  membr: malenkov\n",
     "memberships.yaml: record 'malenkov-core-member': field membr: Extra inputs are not permitted"),
    ("memberships.yaml", "  role: CoreMember\n", "  role: Core Member\n",
     "memberships.yaml: record 'malenkov-core-member': field role:"),
    ("holdings.yaml", "end: 1958\n", "end: 1958-13-45\n",
     "holdings.yaml: record 'bulganin-head-of-government': field end:"),
    ("holdings.yaml", "end: 1958\n", "end: June 1958\n",
     "holdings.yaml: record 'bulganin-head-of-government': field end:"),
    ("events.yaml", "participant_count: 56", "participant_count: fifty-six",
     "events.yaml: record 'cc-delegation-1957-06-21': field participant_count:"),
    ("votes.yaml", 'counts: {"yes": 6, "no": 2}', 'counts: {"yes": -6, "no": 2}',
     "votes.yaml: record 'chair-vote-1957-06': field counts.yes:"),
    ("persons.yaml", "- id: khrushchev\n", "- id: Khrushchev\n",
     "persons.yaml: record 'Khrushchev': field id:"),
    ("claims.yaml", "cites: [s27]", "cites: []",
     "claims.yaml: record 'cc-would-have-approved': field cites:"),
    ("places.yaml", "  type: Building\n  label: {en: \"Bulganin's office\"",
     "  type: Office\n  label: {en: \"Bulganin's office\"",
     "places.yaml: record 'bulganin-office': field type:"),
])
def test_schema_errors_name_file_record_and_field(facts, file, old, new, message):
    _edit(facts / file, old, new)
    with pytest.raises(FactError) as err:
        load_facts(facts)
    assert message in str(err.value)


def test_duplicate_ids_are_errors(facts):
    _edit(facts / "places.yaml", "- id: urals\n", "- id: moscow\n")
    with pytest.raises(FactError,
                       match=r"places.yaml: record 'moscow': field id: already used in places.yaml"):
        load_facts(facts)


def test_unknown_fact_file_is_an_error(facts):
    (facts / "rumours.yaml").write_text("[]\n")
    with pytest.raises(FactError, match="rumours.yaml: unknown fact file"):
        load_facts(facts)


def test_yaml_dates_keep_their_written_precision():
    facts = load_facts()
    holdings = {r.id: r for r in facts["holdings"]}
    assert holdings["bulganin-head-of-government"].get("end") == "1958"
    assert holdings["malenkov-head-of-government"].get("end") == "1955-02"
    memberships = {r.id: r for r in facts["memberships"]}
    assert memberships["molotov-central-committee"].get("end") == "1957-06-29"


def test_every_controlled_value_is_an_ontology_term():
    for values in (schema.ROLES, schema.CHANGES, schema.EVENT_TYPES, schema.SPEECH_TYPES,
                   schema.DECISION_TYPES, schema.EFFECT_TYPES, ("PartyOrgan", "StateBody", "InformalGroup")):
        for name in values:
            assert name in APG.__annotations__, name


def test_a_cached_load_reads_again_only_the_edited_records(facts, tmp_path, monkeypatch):
    from kg import facts as module

    cache = tmp_path / "cache"
    load_facts(facts, cache)
    _edit(facts / "persons.yaml", "- id: khrushchev\n", "- id: khrushchev\n  # reviewed\n")
    fresh = load_facts(facts)
    real = module._validated
    monkeypatch.setattr(module, "_validated", lambda path, model: pytest.fail(f"read whole: {path.name}")
                        if path.name == "persons.yaml" else real(path, model))
    assert load_facts(facts, cache) == fresh
    # an error in an edited record: the whole file is read, and the error is the one a fresh load gives
    monkeypatch.setattr(module, "_validated", real)
    _edit(facts / "memberships.yaml", "  member: malenkov\n", "  membr: malenkov\n")
    with pytest.raises(FactError, match="'malenkov-core-member': field membr: Extra inputs"):
        load_facts(facts, cache)
