"""Builders: one small function per fact kind, turning records into RDF in the project's terms.

Every fact node gets ``prov:wasDerivedFrom`` to the sentence(s) it cites. Every factual triple is added with
``Context.fact``, which records the quotes that state it (``kg.quotes``): the statement-level provenance that
``kg.provenance`` writes. Types, labels, notes and the links to sub-resources are added with ``Context.add``.
Dates keep the source's precision and get derived ``apg:notBefore`` / ``apg:notAfter`` ``xsd:date`` bounds.
"""
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from . import dates
from .facts import FactError, Record
from .iris import Iris
from .namespaces import APG, DBR, OA, OPENGOV, ORG, SCHEMA, WD
from .provenance import Words, add_words, statement_iri
from .schema import ROLES
from .sources import Source

# IRI kinds of apg:Event resources: events, speech acts, votes
EVENT_KINDS = ("event", "speech", "vote")


@dataclass
class Context:
    graph: Graph
    iris: Iris
    sources: dict[str, Source]
    default_source: str
    registry: dict[str, tuple[str, URIRef]] = field(default_factory=dict)
    spans: dict[str, tuple] = field(default_factory=dict)  # id -> (start FuzzyDate|None, end FuzzyDate|None)
    quotes: object = None  # kg.quotes.Quotes: which words of which sentence state each value
    # factual triple -> {(source, sentence, start, end): Quote}: the words that state it
    statements: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)  # factual triple -> [kg.provenance.Words], after the build
    former: dict = field(default_factory=dict)  # retired IRI -> the IRI that replaces it
    provenance_graph: object = None  # the provenance graph (RDF 1.1, a kg.triples.TripleSet), after the build
    # with a kg.fragments.Trace: which records each record's build read, and its statements' quote keys
    trace: object = None
    reads_by: dict = field(default_factory=dict)  # record id -> ids read
    statements_by: dict = field(default_factory=dict)  # record id -> {triple: {quote key}}

    def add(self, s, p, o):
        self.graph.add((s, p, o))

    def fact(self, rec: Record, path: str, s, p, o, value, part: tuple | None = None, also=()) -> None:
        """Add a factual triple with the quotes that state ``value`` of field ``path`` (of effect ``part``);
        ``also``: (record, path, value) of further fields a derived triple rests on."""
        self.graph.add((s, p, o))
        bucket = self.statements.setdefault((s, p, o), {})
        primary = self.quotes.support(rec, path, value, part)
        keys = []
        for q in primary:
            keys.append((q.source, q.sid, q.start, q.end))
            bucket[keys[-1]] = q
        here = {(q.source, q.sid) for q in primary}
        for r, pa, v in also:
            more = self.quotes.support(r, pa, v)
            if self.trace is not None:  # what that record's check read, this one reads
                self.trace.read(r.id)
                self.trace.read_all(self.quotes.checked.get(r.id, ()))
            # the premise's words in the same sentences where there are any, else wherever they are
            for q in [q for q in more if (q.source, q.sid) in here] or more:
                keys.append((q.source, q.sid, q.start, q.end))
                bucket[keys[-1]] = q
        if self.trace is not None:
            self.statements_by.setdefault(self.trace.current, {}).setdefault((s, p, o), set()).update(keys)

    def language(self, cite: str) -> str:
        source, _, sid = cite.rpartition(":")
        return self.sources[source or self.default_source].language(sid)

    def words_of(self, rec: Record, cite: str, text: str) -> Words:
        """Words of a cited sentence as a resource (checked by kg.quotes to occur there exactly once)."""
        source, _, sid = cite.rpartition(":")
        source = source or self.default_source
        sentence = self.sources[source].sentences[sid]
        start = sentence.index(text)
        return Words(self.iris.thing("source", source, sid, f"words-{start}-{start + len(text)}"),
                     self.sentence(rec, cite), sentence, start, start + len(text))

    def text(self, rec: Record, key: str, node: URIRef, prop) -> None:
        """A {lang: text} field as language-tagged literals, each stated by the field's quotes."""
        value = rec.get(key)
        for lang, text in sorted((value or {}).items()):
            self.fact(rec, key, node, prop, Literal(text, lang=lang), value)

    def ref(self, rec: Record, key: str, value: str, kinds: tuple[str, ...] | None = None) -> URIRef:
        if value not in self.registry:
            raise FactError(f"{rec.where()}: {key} refers to unknown id {value!r}")
        kind, iri = self.registry[value]
        if kinds and kind not in kinds:
            raise FactError(f"{rec.where()}: {key} must refer to a {'/'.join(kinds)}, {value!r} is a {kind}")
        return iri

    def sentence(self, rec: Record, cite: str) -> URIRef:
        source, _, sid = cite.rpartition(":")
        source = source or self.default_source
        if source not in self.sources or sid not in self.sources[source].sentences:
            raise FactError(f"{rec.where()}: cites unknown sentence {cite!r}")
        return self.iris.source(source, sid)

    def provenance(self, rec: Record, node: URIRef, cites=None) -> None:
        for cite in cites or rec.get("cites"):
            self.add(node, PROV.wasDerivedFrom, self.sentence(rec, cite))

    def labels(self, node: URIRef, label: dict, alt: dict | None = None) -> None:
        for lang, text in sorted((label or {}).items()):
            self.add(node, RDFS.label, Literal(text, lang=lang))
        for lang, texts in sorted((alt or {}).items()):
            for text in texts:
                self.add(node, SKOS.altLabel, Literal(text, lang=lang))

    def notes(self, node: URIRef, rec: Record) -> None:
        for lang, text in sorted((rec.get("note") or {}).items()):
            self.add(node, SKOS.note, Literal(text, lang=lang))

    def when(self, rec: Record, node: URIRef, start_p=SCHEMA.startDate, end_p=SCHEMA.endDate) -> None:
        """Typed dates at their precision plus derived bounds; ``after`` gives a lower bound."""
        start, end = self.spans[rec.id]
        one = rec.get("date") is not None
        if start:
            key = "date" if one else "start"
            self.fact(rec, key, node, start_p, start.literal, rec.get(key))
        if end and end_p is not None:
            key = "date" if one else "end"
            self.fact(rec, key, node, end_p, end.literal, rec.get(key))
        lower = [start.first] if start else []
        if rec.get("after"):
            after = self.ref(rec, "after", rec.get("after"), (*EVENT_KINDS, "decision"))
            self.fact(rec, "after", node, APG.after, after, rec.get("after"))
            a_start, a_end = self.spans[rec.get("after")]
            if a_end or a_start:
                lower.append((a_end or a_start).first)
        if lower:
            self.add(node, APG.notBefore, dates.date_literal(max(lower)))
        if end:
            self.add(node, APG.notAfter, dates.date_literal(end.last))


def register(ctx: Context, facts: dict[str, list[Record]]) -> None:
    """First pass: mint every record's IRI and parse its dates, so records may refer to later ones."""
    for records in facts.values():
        for rec in records:
            kind = "rank" if rec.kind == "post" and rec.get("type") == "Rank" else rec.kind
            ctx.registry[rec.id] = (kind, ctx.iris.thing(kind, rec.id))
            for old in rec.get("former_ids") or []:  # unique among ids and former ids (kg.facts)
                ctx.registry[old] = (kind, ctx.iris.thing(kind, old))
                ctx.former[ctx.iris.thing(kind, old)] = ctx.iris.thing(kind, rec.id)
            try:
                start = rec.get("start") or rec.get("date")
                end = rec.get("end") or rec.get("date")
                ctx.spans[rec.id] = (dates.parse(start) if start else None, dates.parse(end) if end else None)
            except ValueError as exc:
                raise FactError(f"{rec.where()}: {exc}") from exc
            s, e = ctx.spans[rec.id]
            if s and e and s.first > e.last:
                raise FactError(f"{rec.where()}: starts after it ends")


def _node(ctx: Context, rec: Record, *types) -> URIRef:
    node = ctx.registry[rec.id][1]
    for old in rec.get("former_ids") or []:
        # the retired IRI keeps resolving: it names the same thing (dist/redirects.json for the server)
        ctx.add(ctx.registry[old][1], DCTERMS.isReplacedBy, node)
    for t in types:
        ctx.add(node, RDF.type, t)
    ctx.labels(node, rec.get("label"), rec.get("alt"))
    ctx.notes(node, rec)
    ctx.provenance(rec, node)
    return node


def build_person(ctx: Context, rec: Record) -> None:
    _node(ctx, rec, FOAF.Person)


_ORG_TYPES = {
    "Party": (ORG.FormalOrganization, SCHEMA.PoliticalParty),
    "PartyOrgan": (APG.PartyOrgan, ORG.OrganizationalUnit),
    "StateBody": (APG.StateBody, ORG.FormalOrganization),
    "InformalGroup": (APG.InformalGroup,),
}


def build_organization(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, ORG.Organization, *_ORG_TYPES[rec.get("type")])
    if rec.get("part_of"):
        parent = ctx.ref(rec, "part_of", rec.get("part_of"), ("organization",))
        prop = ORG.unitOf if rec.get("type") == "PartyOrgan" else ORG.subOrganizationOf
        ctx.fact(rec, "part_of", node, prop, parent, rec.get("part_of"))


_PLACE_TYPES = {"City": SCHEMA.City, "Country": SCHEMA.Country, "Region": SCHEMA.Place,
                "Building": SCHEMA.Place}


def build_place(ctx: Context, rec: Record) -> None:
    _node(ctx, rec, PROV.Location, DCTERMS.Location, _PLACE_TYPES[rec.get("type")])


def build_post(ctx: Context, rec: Record) -> None:
    if rec.get("type") == "Rank":
        _node(ctx, rec, APG.Rank, ORG.Role)
        return
    node = _node(ctx, rec, ORG.Post)
    if rec.get("in"):
        ctx.fact(rec, "in", node, ORG.postIn, ctx.ref(rec, "in", rec.get("in"), ("organization",)),
                 rec.get("in"))
    if rec.get("place"):
        ctx.fact(rec, "place", node, PROV.atLocation, ctx.ref(rec, "place", rec.get("place"), ("place",)),
                 rec.get("place"))


def build_topic(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, SKOS.Concept)
    ctx.add(node, SKOS.inScheme, ctx.iris.thing("topic", "scheme"))
    for other in rec.get("related") or []:
        ctx.fact(rec, "related", node, RDFS.seeAlso, ctx.ref(rec, "related", other), other)
    for other in rec.get("broader") or []:
        ctx.fact(rec, "broader", node, SKOS.broader, ctx.ref(rec, "broader", other, ("topic",)), other)


def _tenure(ctx: Context, rec: Record, node: URIRef) -> None:
    for key, prop in (("began_by", APG.beganBy), ("ended_by", APG.endedBy)):
        if rec.get(key):
            ctx.fact(rec, key, node, prop, APG[rec.get(key)], rec.get(key))
    ctx.when(rec, node)


def build_membership(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, ORG.Membership)
    ctx.fact(rec, "member", node, ORG.member, ctx.ref(rec, "member", rec.get("member"), ("person",)),
             rec.get("member"))
    if rec.get("organization"):
        ctx.fact(rec, "organization", node, ORG.organization,
                 ctx.ref(rec, "organization", rec.get("organization"), ("organization",)),
                 rec.get("organization"))
    role = rec.get("role")
    ctx.fact(rec, "role", node, ORG.role,
             APG[role] if role in ROLES else ctx.ref(rec, "role", role, ("rank",)), role)
    _tenure(ctx, rec, node)


def build_holding(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, APG.PostHolding, ORG.Membership)
    ctx.fact(rec, "holder", node, ORG.member, ctx.ref(rec, "holder", rec.get("holder"), ("person",)),
             rec.get("holder"))
    if rec.get("post"):
        post = ctx.ref(rec, "post", rec.get("post"), ("post",))
        ctx.fact(rec, "post", node, APG.post, post, rec.get("post"))
        # the post's organisation, copied: stated by the words of the holding's post and of the post's
        # org:postIn
        post_rec = ctx.quotes.records[rec.get("post")]
        if post_rec.get("in"):
            org = ctx.ref(post_rec, "in", post_rec.get("in"), ("organization",))
            ctx.fact(rec, "post", node, ORG.organization, org, rec.get("post"),
                     also=[(post_rec, "in", post_rec.get("in"))])
    if rec.get("before"):
        ctx.fact(rec, "before", node, APG.before, ctx.ref(rec, "before", rec.get("before"), EVENT_KINDS),
                 rec.get("before"))
    _tenure(ctx, rec, node)


def _effects(ctx: Context, rec: Record, node: URIRef, prop, key: str) -> None:
    kind, _ = ctx.registry[rec.id]
    for n, eff in enumerate(rec.get(key) or [], start=1):
        enode = ctx.iris.thing(kind, rec.id, f"effect-{n}")
        part = (key, n)
        ctx.add(node, prop, enode)
        ctx.add(enode, RDF.type, APG.Effect)
        ctx.fact(rec, "type", enode, APG.effectType, APG[eff["type"]], eff["type"], part)
        if eff.get("affects"):
            ctx.fact(rec, "affects", enode, APG.affects,
                     ctx.ref(rec, "affects", eff["affects"], ("person", "organization")), eff["affects"],
                     part)
        if eff.get("organization"):
            ctx.fact(rec, "organization", enode, APG.fromOrganization,
                     ctx.ref(rec, "organization", eff["organization"], ("organization",)),
                     eff["organization"], part)
        if eff.get("post"):
            ctx.fact(rec, "post", enode, APG.post, ctx.ref(rec, "post", eff["post"], ("post",)), eff["post"],
                     part)
        for topic in eff.get("topics") or []:
            ctx.fact(rec, "topics", enode, APG.topic, ctx.ref(rec, "topics", topic, ("topic",)), topic, part)
        for lang, text in sorted((eff.get("note") or {}).items()):
            ctx.add(enode, SKOS.note, Literal(text, lang=lang))
        ctx.provenance(rec, enode, eff.get("cites"))


def _event_common(ctx: Context, rec: Record, node: URIRef) -> None:
    ctx.when(rec, node)
    for key, prop in (("place", PROV.atLocation), ("from_place", SCHEMA.fromLocation),
                      ("to_place", SCHEMA.toLocation)):
        if rec.get(key):
            ctx.fact(rec, key, node, prop, ctx.ref(rec, key, rec.get(key), ("place",)), rec.get(key))
    if rec.get("concurrent_with"):
        ctx.fact(rec, "concurrent_with", node, APG.concurrentWith,
                 ctx.ref(rec, "concurrent_with", rec.get("concurrent_with"), EVENT_KINDS),
                 rec.get("concurrent_with"))
    ctx.text(rec, "time", node, APG.timeDescription)
    ctx.text(rec, "manner", node, APG.manner)
    for other in rec.get("appeals_to") or []:
        ctx.fact(rec, "appeals_to", node, APG.appealsTo, ctx.ref(rec, "appeals_to", other), other)
    for key, prop in (("participants", APG.participant), ("speakers", APG.speaker)):
        for agent in rec.get(key) or []:
            ctx.fact(rec, key, node, prop, ctx.ref(rec, key, agent, ("person", "organization")), agent)
    for target in rec.get("targets") or []:
        ctx.fact(rec, "targets", node, APG.target, ctx.ref(rec, "targets", target), target)
    for topic in rec.get("topics") or []:
        ctx.fact(rec, "topics", node, APG.topic, ctx.ref(rec, "topics", topic, ("topic",)), topic)
    for key in ("part_of", "session"):
        if rec.get(key):
            ctx.fact(rec, key, node, SCHEMA.superEvent, ctx.ref(rec, key, rec.get(key), ("event",)),
                     rec.get(key))


def build_event(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, APG.Event, APG[rec.get("type")])
    _event_common(ctx, rec, node)
    if rec.get("organ"):
        ctx.fact(rec, "organ", node, APG.organ, ctx.ref(rec, "organ", rec.get("organ"), ("organization",)),
                 rec.get("organ"))
    if rec.get("chair"):
        ctx.fact(rec, "chair", node, APG.chair, ctx.ref(rec, "chair", rec.get("chair"), ("person",)),
                 rec.get("chair"))
    ctx.text(rec, "pretext", node, APG.pretext)
    ctx.text(rec, "agenda", node, APG.agenda)
    if rec.get("participant_count") is not None:
        ctx.fact(rec, "participant_count", node, APG.participantCount,
                 Literal(int(rec.get("participant_count")), datatype=XSD.nonNegativeInteger),
                 rec.get("participant_count"))
    if rec.get("successful") is not None:
        ctx.fact(rec, "successful", node, APG.successful, Literal(rec.get("successful")),
                 rec.get("successful"))
    _effects(ctx, rec, node, APG.proposes, "proposes")


def build_speech(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, APG.Event, APG.SpeechAct, OPENGOV.Speech, APG[rec.get("type")])
    _event_common(ctx, rec, node)
    _effects(ctx, rec, node, APG.proposes, "proposes")


def build_vote(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, APG.Event, APG.VoteEvent, OPENGOV.VoteEvent)
    _event_common(ctx, rec, node)
    ctx.fact(rec, "organ", node, APG.organ, ctx.ref(rec, "organ", rec.get("organ"), ("organization",)),
             rec.get("organ"))
    motion = ctx.iris.thing("vote", rec.id, "motion")
    ctx.add(node, OPENGOV.motion, motion)
    ctx.add(motion, RDF.type, OPENGOV.Motion)
    ctx.labels(motion, rec.get("motion"))
    ctx.provenance(rec, motion)
    if rec.get("result"):
        ctx.fact(rec, "result", node, OPENGOV.result, Literal(rec.get("result")), rec.get("result"))
    for option, value in sorted((rec.get("counts") or {}).items()):
        count = ctx.iris.thing("vote", rec.id, f"count-{option}")
        path = f"counts.{option}"
        ctx.add(node, OPENGOV["count"], count)
        ctx.add(count, RDF.type, OPENGOV.Count)
        ctx.fact(rec, path, count, OPENGOV.option, Literal(option), value)
        ctx.fact(rec, path, count, RDF.value, Literal(int(value), datatype=XSD.nonNegativeInteger), value)
        ctx.provenance(rec, count, sorted({q.sid for q in ctx.quotes.support(rec, path, value)}))
    for option, voters in sorted((rec.get("votes") or {}).items()):
        path = f"votes.{option}"
        for voter in voters:
            vote = ctx.iris.thing("vote", rec.id, f"vote-{voter}")
            ctx.add(node, OPENGOV.vote, vote)
            ctx.add(vote, RDF.type, OPENGOV.Vote)
            ctx.add(vote, OPENGOV.voteEvent, node)
            ctx.fact(rec, path, vote, OPENGOV.voter, ctx.ref(rec, "votes", voter, ("person",)), voter)
            ctx.fact(rec, path, vote, OPENGOV.option, Literal(option), voter)
            ctx.provenance(rec, vote, sorted({q.sid for q in ctx.quotes.support(rec, path, voter)}))
    if rec.get("decision"):
        ctx.fact(rec, "decision", node, APG.resultingDecision,
                 ctx.ref(rec, "decision", rec.get("decision"), ("decision",)), rec.get("decision"))


def build_decision(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, APG.Decision, APG[rec.get("type")])
    ctx.text(rec, "title", node, DCTERMS.title)
    for key, prop, kinds in (("adopted_at", APG.adoptedAt, ("event",)),
                             ("adopted_by", APG.adoptedBy, ("organization",)),
                             ("addressed_to", APG.addressedTo, ("organization",))):
        if rec.get(key):
            ctx.fact(rec, key, node, prop, ctx.ref(rec, key, rec.get(key), kinds), rec.get(key))
    ctx.when(rec, node, start_p=DCTERMS.date, end_p=None)
    _effects(ctx, rec, node, APG.hasEffect, "effects")


_DATE_PROPERTIES = {"start": (SCHEMA.startDate,), "end": (SCHEMA.endDate,), "date": (SCHEMA.startDate,
                    SCHEMA.endDate, DCTERMS.date)}


def build_correction(ctx: Context, rec: Record) -> None:
    """An editorial correction as a resource: an oa:Annotation motivated by oa:editing whose target is the
    source's words in error, with the source's reading, the value recorded (or the normalised text), the
    reason and the evidence; it points at the resources (apg:corrects) and statements (apg:correctsStatement)
    it concerns, and the corrected resources keep the source's reading (apg:sourceReading) and the reason
    (skos:editorialNote)."""
    m = rec.model
    node = ctx.registry[rec.id][1]
    kind = APG.FactualCorrection if m.kind == "FactualCorrection" else APG.Normalisation
    for t in (APG.Correction, kind, OA.Annotation):
        ctx.add(node, RDF.type, t)
    ctx.labels(node, rec.get("label"))
    ctx.add(node, OA.motivatedBy, OA.editing)
    words = ctx.words_of(rec, m.sentence, m.source_reading)
    ctx.add(node, OA.hasTarget, words.iri)
    add_words(ctx.graph, words)
    ctx.add(node, APG.sourceReading, Literal(m.source_reading, lang=ctx.language(m.sentence)))
    if m.source_value:
        ctx.add(node, APG.sourceValue, _source_value(m.source_value))
    if m.corrected_value:
        ctx.add(node, APG.correctedValue, dates.parse(m.corrected_value).literal)
    if m.normalised:
        ctx.add(node, APG.normalisedText, Literal(m.normalised, lang=ctx.language(m.sentence)))
    for lang, text in sorted(m.reason.items()):
        ctx.add(node, SKOS.editorialNote, Literal(text, lang=lang))
    for ev in m.evidence:
        if ev.sentence:
            ctx.add(node, APG.evidence, ctx.sentence(rec, ev.sentence))
            words = ctx.words_of(rec, ev.sentence, ev.quote)
            ctx.add(node, APG.evidenceWords, words.iri)
            add_words(ctx.graph, words)
        else:
            work = ctx.iris.source(ev.id)
            ctx.add(node, APG.evidence, work)
            ctx.add(work, RDF.type, DCTERMS.BibliographicResource)
            ctx.add(work, DCTERMS.bibliographicCitation, Literal(ev.citation, lang="en"))
            ctx.add(work, RDFS.label, Literal(ev.citation, lang="en"))
    for target in m.applies_to:
        other = ctx.registry[target.record][1]
        ctx.add(node, APG.corrects, other)
        if m.kind == "FactualCorrection":
            ctx.add(other, APG.sourceReading, Literal(m.source_reading, lang=ctx.language(m.sentence)))
            for lang, text in sorted(m.reason.items()):
                ctx.add(other, SKOS.editorialNote, Literal(text, lang=lang))
            value = dates.parse(m.corrected_value).literal
            for p in _DATE_PROPERTIES[target.field]:
                if (other, p, value) in ctx.statements:
                    ctx.add(node, APG.correctsStatement,
                            statement_iri(ctx.iris.statements, (other, p, value)))


def _source_value(text: str) -> Literal:
    if text.startswith("--"):
        return Literal(text, datatype=XSD.gMonthDay)
    return dates.parse(text).literal


def build_claim(ctx: Context, rec: Record) -> None:
    node = _node(ctx, rec, APG.Claim)
    for other in rec.get("about") or []:
        ctx.fact(rec, "about", node, APG.about, ctx.ref(rec, "about", other), other)


BUILDERS = {
    "persons": build_person, "organizations": build_organization, "places": build_place, "posts": build_post,
    "topics": build_topic, "memberships": build_membership, "holdings": build_holding, "events": build_event,
    "speeches": build_speech, "votes": build_vote, "decisions": build_decision, "claims": build_claim,
    "corrections": build_correction,
}
# Posts before holdings: a holding copies its post's organisation; corrections last: they point at the
# statements.
ORDER = tuple(BUILDERS)


def build_facts(ctx: Context, facts: dict[str, list[Record]], only: set | None = None) -> None:
    """Register every record, then build them (``only``: these ids; kg.fragments: a rebuild). With
    ``ctx.trace``, each record's build is traced: what it adds and reads (``reads_by``)."""
    register(ctx, facts)
    if ctx.trace is not None:
        from .fragments import traced

        owner = {old: rec.id for records in facts.values() for rec in records for old in rec.get("former_ids")
                 or []}
        ctx.registry = traced(ctx.registry, ctx.trace, owner)
        ctx.spans = traced(ctx.spans, ctx.trace)
    scheme = ctx.iris.thing("topic", "scheme")
    ctx.add(scheme, RDF.type, SKOS.ConceptScheme)
    ctx.add(scheme, RDFS.label, Literal("Topics of the Anti-Party Group episode", lang="en"))
    ctx.add(scheme, RDFS.label, Literal("Antipartijiskās grupas epizodes tēmas", lang="lv"))
    for stem in ORDER:
        for rec in facts.get(stem, []):
            if only is not None and rec.id not in only:
                continue
            if ctx.trace is None:
                BUILDERS[stem](ctx, rec)
                continue
            with ctx.trace.record(rec.id) as seen:
                BUILDERS[stem](ctx, rec)
            ctx.reads_by[rec.id] = seen


def add_links(ctx: Context, links: list[dict]) -> None:
    """owl:sameAs to Wikidata for verified rows only, and to DBpedia where the row gives an English title."""
    for row in links:
        if row["key"] not in ctx.registry:
            continue
        node = ctx.registry[row["key"]][1]
        if row["status"] == "verified" and row["wikidata"]:
            ctx.add(node, OWL.sameAs, WD[row["wikidata"]])
        if row["enwiki_title"]:
            ctx.add(node, OWL.sameAs, DBR[row["enwiki_title"]])
