"""The seeded variant of a synthetic graph: one known break of every node shape of shapes/violations.ttl, and
a known OWL 2 RL inconsistency, made in the last copy of the built graphs (bench/synth.py).

The breaks are made on the graphs, after the builders: most of them (a second post organisation, a sentence
ID of the wrong form, a quote that is not the sentence's words) cannot be written in a fact file that the
fact loader and the quote check accept. ``seed(data, provenance, k)`` changes the two graphs in place and
returns the expected results, (focus node, path or None, constraint component) — each must be in the SHACL
report, among others a break may cause (a triple added without its reifier, say) — and the expected
inconsistency message. tests/test_scale.py checks both engines find them; bench/build.py --seeded at every
size.
"""
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from kg.namespaces import APG, OA, OPENGOV, ORG, SCHEMA

MIN, MAX, CLASS, DATATYPE = SH.MinCountConstraintComponent, SH.MaxCountConstraintComponent, \
    SH.ClassConstraintComponent, SH.DatatypeConstraintComponent
QMIN, UNIQUE, PATTERN, OR = SH.QualifiedMinCountConstraintComponent, SH.UniqueLangConstraintComponent, \
    SH.PatternConstraintComponent, SH.OrConstraintComponent
MINLEN, SPARQL = SH.MinLengthConstraintComponent, SH.SPARQLConstraintComponent


def _copy(k: int) -> str:
    """The IRI tail of the last copy's things (copy 0 is the real facts)."""
    return f"-x{k - 1}" if k > 1 else ""


def _pick(g: Graph, cls, k: int, where=lambda node: True) -> URIRef:
    """The first (in IRI order) instance of ``cls`` in the last copy that ``where`` accepts."""
    tail = _copy(k)
    for node in sorted(g.subjects(RDF.type, cls)):
        if isinstance(node, URIRef) and _in_copy(node, tail, k) and where(node):
            return node
    raise LookupError(f"no {cls} to seed in copy {k - 1}")


def _in_copy(node: URIRef, tail: str, k: int) -> bool:
    parts = str(node).split("/id/", 1)[-1].split("/")
    if k == 1:
        return not any("-x" in p and p.rsplit("-x", 1)[1].isdigit() for p in parts)
    return any(p.endswith(tail) or p == f"lvwiki{tail}" for p in parts)


def _set(g: Graph, s, p, o) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))


def seed(data: Graph, prov: Graph, k: int) -> tuple[list[tuple], str]:
    """Break every shape once in copy k-1; (expected results, expected inconsistency message)."""
    expected = []

    def lang(node, tag):
        return [o for o in data.objects(node, RDFS.label) if getattr(o, "language", None) == tag]

    person = _pick(data, FOAF.Person, k, lambda n: lang(n, "ru"))
    for o in lang(person, "ru"):
        data.remove((person, RDFS.label, o))
    expected.append((person, RDFS.label, QMIN))
    place = _pick(data, PROV.Location, k)
    org = _pick(data, ORG.Organization, k)
    data.add((org, ORG.unitOf, place))
    expected.append((org, ORG.unitOf, CLASS))
    data.remove((place, PROV.wasDerivedFrom, None))
    expected.append((place, PROV.wasDerivedFrom, MIN))
    post = _pick(data, ORG.Post, k, lambda n: (n, ORG.postIn, None) in data)
    data.add((post, ORG.postIn, org))
    expected.append((post, ORG.postIn, MAX))
    rank = _pick(data, APG.Rank, k)
    data.add((rank, RDFS.label, Literal("a second English label", lang="en")))
    expected.append((rank, RDFS.label, UNIQUE))
    topic = _pick(data, SKOS.Concept, k, lambda n: lang(n, "lv"))
    for o in lang(topic, "lv"):
        data.remove((topic, RDFS.label, o))
    expected.append((topic, RDFS.label, QMIN))
    membership = _pick(data, ORG.Membership, k, lambda n: (n, RDF.type, APG.PostHolding) not in data)
    data.remove((membership, ORG.member, None))
    expected.append((membership, ORG.member, MIN))
    dated = _pick(data, ORG.Membership, k, lambda n: (n, APG.notBefore, None) in data and n != membership)
    _set(data, dated, APG.notAfter, Literal("1800-01-01", datatype=XSD.date))  # ends before it starts
    expected.append((dated, None, SPARQL))
    holding = _pick(data, APG.PostHolding, k, lambda n: (n, APG.post, None) in data)
    _set(data, holding, APG.post, person)
    expected.append((holding, APG.post, CLASS))
    decision = _pick(data, APG.Decision, k, lambda n: (n, APG.notAfter, None) not in data)
    data.add((decision, APG.notAfter, Literal("1957", datatype=XSD.gYear)))
    expected.append((decision, APG.notAfter, DATATYPE))
    event = _pick(data, APG.Event, k, lambda n: (n, RDF.type, APG.Session) not in data
                  and (n, RDF.type, OPENGOV.VoteEvent) not in data)
    data.add((event, APG.participantCount, Literal(5)))  # xsd:integer, not xsd:nonNegativeInteger
    expected.append((event, APG.participantCount, DATATYPE))
    part = _pick(data, APG.Event, k, lambda n: any((sup, APG.notBefore, None) in data
                                                   for sup in data.objects(n, SCHEMA.superEvent)))
    _set(data, part, APG.notBefore, Literal("1900-01-01", datatype=XSD.date))
    expected.append((part, None, SPARQL))
    session = _pick(data, APG.Session, k)
    data.remove((session, APG.organ, None))
    expected.append((session, APG.organ, MIN))
    speech = _pick(data, APG.SpeechAct, k)
    data.add((speech, APG.topic, person))
    expected.append((speech, APG.topic, CLASS))
    vote_event = _pick(data, OPENGOV.VoteEvent, k, lambda n: (n, OPENGOV.vote, None) in data)
    option = data.value(data.value(vote_event, OPENGOV.vote), OPENGOV.option)
    for c in data.objects(vote_event, OPENGOV["count"]):
        if data.value(c, OPENGOV.option) == option:
            _set(data, c, RDF.value, Literal(0, datatype=XSD.nonNegativeInteger))
    expected.append((vote_event, None, SPARQL))
    other_vote = _pick(data, OPENGOV.VoteEvent, k, lambda n: n != vote_event)
    count = next(iter(sorted(data.objects(other_vote, OPENGOV["count"]))))
    twin = URIRef(f"{count}-twin")
    data.add((other_vote, OPENGOV["count"], twin))
    data.add((twin, OPENGOV.option, data.value(count, OPENGOV.option)))
    expected.append((other_vote, None, SPARQL))
    data.add((count, RDF.value, Literal(99, datatype=XSD.nonNegativeInteger)))
    expected.append((count, RDF.value, MAX))
    vote = _pick(data, OPENGOV.Vote, k)
    data.remove((vote, OPENGOV.voter, None))
    expected.append((vote, OPENGOV.voter, MIN))
    motion = _pick(data, OPENGOV.Motion, k)
    for o in lang(motion, "en"):
        data.remove((motion, RDFS.label, o))
    expected.append((motion, RDFS.label, QMIN))
    data.remove((decision, APG.adoptedBy, None))
    expected.append((decision, APG.adoptedBy, MIN))
    effect = _pick(data, APG.Effect, k)
    data.remove((effect, APG.effectType, None))
    expected.append((effect, APG.effectType, MIN))
    claim = _pick(data, APG.Claim, k)
    data.remove((claim, APG.about, None))
    expected.append((claim, APG.about, MIN))
    sentence = _pick(data, APG.Sentence, k)
    _set(data, sentence, APG.sentenceId, Literal("S-1"))
    expected.append((sentence, APG.sentenceId, PATTERN))
    data.add((person, OWL.sameAs, URIRef("http://example.org/not-an-entity")))
    expected.append((person, OWL.sameAs, OR))
    # statement-level provenance (the provenance graph)
    agent = _pick(data, FOAF.Person, k, lambda n: n != person)
    data.add((event, APG.participant, agent))
    expected.append((event, APG.participant, SPARQL))
    statements = sorted(s for s in prov.subjects(RDF.type, RDF.Statement) if _in_copy(
        prov.value(s, RDF.subject), _copy(k), k))
    st1, st2 = statements[0], statements[1]
    prov.remove((st1, RDF.object, None))
    expected.append((st1, RDF.object, MIN))
    sentences = set(prov.objects(st2, PROV.wasDerivedFrom))
    foreign = next(w for w in sorted(prov.subjects(RDF.type, OA.SpecificResource))
                   if prov.value(w, OA.hasSource) not in sentences and _in_copy(w, _copy(k), k))
    prov.add((st2, OA.hasTarget, foreign))
    expected.append((st2, None, SPARQL))
    words = sorted(prov.objects(statements[2], OA.hasTarget))[0]
    position = URIRef(f"{words}/position")
    prov.remove((words, OA.hasSelector, position))
    expected.append((words, OA.hasSelector, QMIN))
    quotes = sorted(q for q in prov.subjects(RDF.type, OA.TextQuoteSelector) if _in_copy(q, _copy(k), k))
    _set(prov, quotes[0], OA.exact, Literal(""))
    expected.append((quotes[0], OA.exact, MINLEN))
    _set(prov, quotes[1], OA.exact, Literal("words the sentence does not have"))
    expected.append((quotes[1], None, SPARQL))
    # editorial corrections
    correction = _pick(data, APG.Correction, k)
    data.remove((correction, APG.sourceReading, None))
    expected.append((correction, APG.sourceReading, MIN))
    factual = _pick(data, APG.FactualCorrection, k)
    data.remove((factual, APG.correctedValue, None))
    expected.append((factual, APG.correctedValue, MIN))
    normalisation = _pick(data, APG.Normalisation, k)
    data.remove((normalisation, APG.normalisedText, None))
    expected.append((normalisation, APG.normalisedText, MIN))
    # the inconsistency: a person who is also an organisation (foaf:Person owl:disjointWith org:Organization)
    data.add((agent, RDF.type, ORG.Organization))
    message = f"Disjoint classes {FOAF.Person} and {ORG.Organization} have a common individual {agent}"
    return expected, message



def found(report_graph: Graph, expected: list[tuple]) -> list[tuple]:
    """The expected results that ``report_graph`` (a SHACL report) has; a path of None matches any."""
    have = set()
    for r in report_graph.subjects(RDF.type, SH.ValidationResult):
        have.add((report_graph.value(r, SH.focusNode), report_graph.value(r, SH.resultPath),
                  report_graph.value(r, SH.sourceConstraintComponent)))
    anypath = {(f, c) for f, _, c in have}
    return [e for e in expected if e in have or (e[1] is None and (e[0], e[2]) in anypath)]
