"""What the sentence-by-sentence audit of issue 8 found, held in the graph: it says what the source says."""
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.namespaces import APG, ORG, SCHEMA

BASE = "https://w3id.org/apg-kg/id/"
PROV_LOCATION = URIRef("http://www.w3.org/ns/prov#atLocation")


def ID(path: str) -> URIRef:
    return URIRef(BASE + path)


def test_the_group_has_only_the_members_the_source_names(built):
    g = built.data
    group = ID("organization/anti-party-group")
    members = {g.value(m, ORG.member) for m in g.subjects(ORG.organization, group)}
    assert members == {ID(f"person/{p}") for p in ("malenkov", "molotov", "kaganovich")}
    assert {g.value(m, ORG.role) for m in g.subjects(ORG.organization, group)} == {APG.CoreMember}
    # s02's "several more Presidium members" are not named: a claim about the group, no invented members
    claim = ID("claim/further-members-joined")
    assert (claim, APG.about, group) in g and (claim, APG.about, ID("organization/presidium")) in g
    # the opposition is wider than the group (s47: "the other oppositionists")
    assert (ID("organization/opposition"), RDF.type, APG.InformalGroup) in g
    assert not list(g.subjects(ORG.organization, ID("organization/opposition")))


def test_each_dismissal_targets_the_people_it_concerns(built):
    g = built.data
    days = ID("event/group-lose-other-posts-1957")
    assert set(g.objects(days, APG.target)) == {ID("organization/anti-party-group")}
    assert (days, APG.after, ID("decision/plenum-resolution-1957-06-29")) in g
    assert Literal("Nākamajās dienās", lang="lv") in set(g.objects(days, APG.timeDescription))
    gradual = ID("event/other-oppositionists-dismissed")
    assert set(g.objects(gradual, APG.target)) == {
        ID(f"person/{p}") for p in ("bulganin", "voroshilov", "pervukhin", "saburov")}
    assert Literal("pakāpeniski", lang="lv") in set(g.objects(gradual, APG.manner))


def test_kaganovich_spoke_of_ukraine_not_in_ukraine(built):
    g = built.data
    speech = ID("speech/kaganovich-points-to-ukraine")
    assert g.value(speech, PROV_LOCATION) is None
    topic = g.value(speech, APG.topic)
    assert (topic, RDFS.seeAlso, ID("place/ukraine")) in g
    assert (topic, SKOS.broader, ID("topic/stalinist-terror")) in g


def test_the_planned_abolition_is_not_an_effect_of_the_vote(built):
    g = built.data
    recommendation = ID("decision/presidium-recommendation-1957-06")
    types = {g.value(e, APG.effectType) for e in g.objects(recommendation, APG.hasEffect)}
    assert types == {APG.RemovalFromPost}
    plan = ID("event/first-secretary-abolition-plan")
    assert (plan, RDF.type, APG.Preparation) in g
    effect = g.value(plan, APG.proposes)
    assert g.value(effect, APG.effectType) == APG.PostAbolition
    assert not list(g.objects(plan, APG.participant))  # impersonal: "Plānojās"


def test_khrushchev_prepared_removals_no_conspiracy(built):
    g = built.data
    prep = ID("event/khrushchev-plans-removals-1957")
    assert (prep, RDF.type, APG.Preparation) in g and (prep, RDF.type, APG.Conspiracy) not in g
    assert (ID("event/conspiracy-against-khrushchev-1957"), RDF.type, APG.Conspiracy) in g


def test_meanwhile_is_alongside_not_part_of(built):
    g = built.data
    session = ID("event/presidium-session-1957-06")
    for slug in ("cc-members-summoned-1957-06", "presidium-members-arrive-1957-06"):
        assert g.value(ID(f"event/{slug}"), SCHEMA.superEvent) is None
    summoned = ID("event/cc-members-summoned-1957-06")
    assert (summoned, APG.concurrentWith, session) in g
    assert (summoned, SCHEMA.fromLocation, ID("place/provinces")) in g
    assert (summoned, SCHEMA.toLocation, ID("place/moscow")) in g
    assert Literal("steidzīgi", lang="lv") in set(g.objects(summoned, APG.manner))


def test_the_chair_changed_during_the_session(built):
    g = built.data
    assert g.value(ID("event/presidium-session-1957-06"), APG.chair) is None
    chair = ID("post/chair-of-the-presidium-session")
    holdings = {g.value(h, ORG.member): h for h in g.subjects(APG.post, chair)}
    assert set(holdings) == {ID("person/khrushchev"), ID("person/bulganin")}
    khrushchev, bulganin = holdings[ID("person/khrushchev")], holdings[ID("person/bulganin")]
    assert g.value(khrushchev, SCHEMA.startDate) == Literal("1957-06-18", datatype=XSD.date)
    assert g.value(khrushchev, APG.endedBy) == APG.ByVote and g.value(bulganin, APG.beganBy) == APG.ByVote


def test_missing_statements_are_there(built):
    g = built.data
    # s01: what the group is, and its failed attempt
    attempt = ID("event/group-attempt-1957-06")
    assert (attempt, APG.participant, ID("organization/anti-party-group")) in g
    assert g.value(attempt, APG.successful) == Literal(False)
    # s30: the party statutes as the basis of the demand; s31: the opposition could not prevent the plenum
    assert (ID("speech/delegation-demands-plenum"), APG.appealsTo, ID("topic/party-statutes")) in g
    fail = ID("event/opposition-fails-to-prevent-plenum")
    assert (fail, APG.target, ID("event/cc-plenum-1957-06")) in g
    assert g.value(fail, APG.successful) == Literal(False)
    # s34-s35: Suslov as the plenum opened, Zhukov after him; "against party workers"
    zhukov = ID("speech/zhukov-accuses-repressions")
    assert (zhukov, APG.after, ID("speech/suslov-declares-destalinization")) in g
    assert (zhukov, APG.topic, ID("topic/repressions-against-party-workers")) in g
    assert Literal("Sākoties plēnumam", lang="lv") in set(
        g.objects(ID("speech/suslov-declares-destalinization"), APG.timeDescription))
    # s20: "within the next few years"
    assert "within the next few years" in str(g.value(ID("topic/overtaking-usa"), RDFS.label))
    # s13: the conspirators' meetings in Bulganin's office
    meetings = ID("event/conspirators-meetings-1957")
    assert (meetings, RDF.type, APG.Meeting) in g
    assert (meetings, PROV_LOCATION, ID("place/bulganin-office")) in g


def test_reference_r2_is_tagged_russian(built):
    r2 = ID("source/lvwiki/r2")
    assert built.data.value(r2, RDF.value).language == "ru"
    assert built.data.value(ID("source/lvwiki/r1"), RDF.value).language == "lv"
