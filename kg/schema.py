"""The schema of the fact files (``kg/facts/*.yaml``): one pydantic model per kind of record.

Field names *and* types are checked here, so a misspelt key, a date of unknown precision or a type outside its
controlled list stops the build with the file, the record and the field named. The builders can then trust
what they read. The controlled lists (event types, roles, ways a holding ends …) are defined once, here.
"""
import datetime as dt
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    StringConstraints,
    model_validator,
)

from . import dates

LANGUAGES = ("en", "lv", "ru")

ORG_TYPES = ("Party", "PartyOrgan", "StateBody", "InformalGroup")
PLACE_TYPES = ("City", "Country", "Region", "Building")
ROLES = ("FullMember", "CandidateMember", "Member", "CoreMember")
CHANGES = ("Appointment", "ForcedResignation", "Removal", "Relief", "Expulsion", "Deprivation", "ByVote",
           "Loss")
EVENT_TYPES = ("Session", "Meeting", "CrisisTalks", "Visit", "Unrest", "Revolution", "Publication",
               "Preparation", "Conspiracy", "Attempt", "Mobilisation", "Delegation", "Dismissal")
SPEECH_TYPES = ("Accusation", "Criticism", "Proposal", "Support", "ChangeOfPosition", "RefusalToRecant",
                "Rejection", "Objection", "Demand", "Declaration")
DECISION_TYPES = ("Resolution", "Recommendation", "Approval")
EFFECT_TYPES = ("Condemnation", "ExpulsionFrom", "RemovalFromPost", "ResignationFromPost",
                "AppointmentToPost", "PostAbolition", "ApprovalOfProposals")

def _date_text(value):
    """YAML reads 1957-06-29 as a date and 1958 as an int: keep what was written, as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _real_date(value: str) -> str:
    dates.parse(value)  # 1957-13-45 has the right shape but is no date
    return value


Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Cite = Annotated[str, StringConstraints(pattern=r"^(?:[a-z0-9]+(?:-[a-z0-9]+)*:)?[a-z]+[0-9]+$")]
DateText = Annotated[str, BeforeValidator(_date_text),
                     StringConstraints(pattern=r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$"), AfterValidator(_real_date)]
# a role of the controlled list, or the id of a rank record
RoleOrRank = Annotated[str, StringConstraints(pattern=rf"^(?:{'|'.join(ROLES)}|[a-z0-9]+(?:-[a-z0-9]+)*)$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
Lang = Literal[LANGUAGES]
Text = dict[Lang, NonEmpty]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# field path (or several, "member, organization") -> {sentence: the source's words that state it (one or
# several)}
Quotes = dict[str, dict[Cite, NonEmpty | list[NonEmpty]]]

# How a factual field's quote must support its value (kg/quotes.py): REF a record id (a form of its name, a
# documented reference word of that sentence, or a sentence of its scene/sequel), WORD a controlled value
# (words of kg/source/words.yaml), DATE, NUMBER, COUNT (number and option), PHRASE (the Latvian words
# themselves), GIST (every long word of the text by its stem), BOOL.
REF, WORD, DATE, NUMBER, COUNT = "ref", "word", "date", "number", "count"
PHRASE, GIST, BOOL = "phrase", "gist", "bool"
SCENE, SEQUEL = "scene", "sequel"  # REF variants: a reference to an event may rest on its scene / its sequel


class Quoted(Strict):
    """Something whose factual fields carry the source's words: a record, or an effect inside one."""

    FACTUAL: ClassVar[dict[str, str]] = {}
    cites: list[Cite] | None = None
    quotes: Quotes = {}


class Record(Quoted):
    """What every record has: its id (the IRI slug), labels, notes, the sentences it cites, the quotes of its
    factual fields, and the words by which the source refers to it (``forms`` anywhere, ``refs`` in one
    sentence only: pronouns, "the capital", "the other oppositionists")."""

    id: Slug
    label: Text | None = None
    alt: dict[Lang, list[NonEmpty]] | None = None
    cites: list[Cite] = Field(min_length=1)
    note: Text | None = None
    forms: list[NonEmpty] = []
    refs: dict[Cite, list[NonEmpty]] = {}
    # slugs this record had before; their IRIs are kept resolving (dcterms:isReplacedBy, dist/redirects.json)
    former_ids: list[Slug] = []


class Span(Strict):
    """A span (``start`` / ``end``), each a day, month or year at the source's precision."""

    start: DateText | None = None
    end: DateText | None = None


class Dated(Span):
    """A date of one day, month or year (``date``), or a span."""

    date: DateText | None = None

    @model_validator(mode="after")
    def _one_way(self):
        if self.date is not None and (self.start is not None or self.end is not None):
            raise ValueError("give either date or start/end, not both")
        return self


class Person(Record):
    pass


class Organization(Record):
    FACTUAL = {"part_of": REF}
    type: Literal[ORG_TYPES]
    part_of: Slug | None = None


class Place(Record):
    type: Literal[PLACE_TYPES]


class Post(Record):
    FACTUAL = {"in": REF, "place": REF}
    type: Literal["Rank"] | None = None
    in_: Slug | None = Field(None, alias="in")
    place: Slug | None = None


class Topic(Record):
    FACTUAL = {"related": REF, "broader": REF}
    related: list[Slug] = []
    broader: list[Slug] = []


class Tenure(Record, Span):
    FACTUAL = {"start": DATE, "end": DATE, "after": SEQUEL, "began_by": WORD, "ended_by": WORD}
    after: Slug | None = None
    began_by: Literal[CHANGES] | None = None
    ended_by: Literal[CHANGES] | None = None


class Membership(Tenure):
    FACTUAL = {**Tenure.FACTUAL, "member": REF, "organization": REF, "role": WORD}
    member: Slug
    organization: Slug | None = None
    role: RoleOrRank


class Holding(Tenure):
    FACTUAL = {**Tenure.FACTUAL, "holder": REF, "post": REF, "before": REF}
    holder: Slug
    post: Slug | None = None
    before: Slug | None = None


class Effect(Quoted):
    """One effect of a decision or content of a proposal; it cites the record's sentences unless it says."""

    FACTUAL = {"type": WORD, "affects": REF, "organization": REF, "post": REF, "topics": REF}
    type: Literal[EFFECT_TYPES]
    affects: Slug | None = None
    organization: Slug | None = None
    post: Slug | None = None
    topics: list[Slug] = []
    note: Text | None = None


class Happening(Record, Dated):
    """What events and speech acts share: when (also relative to other events), where, who, about what."""

    FACTUAL = {"date": DATE, "start": DATE, "end": DATE, "after": SEQUEL, "concurrent_with": REF,
               "time": PHRASE, "place": REF, "from_place": REF, "to_place": REF, "participants": REF,
               "targets": REF, "topics": REF, "manner": PHRASE, "appeals_to": REF}

    after: Slug | None = None
    concurrent_with: Slug | None = None
    time: Text | None = None
    place: Slug | None = None
    from_place: Slug | None = None
    to_place: Slug | None = None
    participants: list[Slug] = []
    targets: list[Slug] = []
    topics: list[Slug] = []
    manner: Text | None = None
    appeals_to: list[Slug] = []
    proposes: list[Effect] = []


class Event(Happening):
    """An event. ``scene``: the sentences that narrate what happened at it (a quote from one of them supports
    a ``session`` / ``part_of`` / ``adopted_at`` reference to it); ``sequel``: the sentences that narrate what
    followed it (a quote from one of them supports an ``after`` reference to it)."""

    FACTUAL = {**Happening.FACTUAL, "organ": REF, "chair": REF, "participant_count": NUMBER, "pretext": GIST,
               "agenda": GIST, "part_of": SCENE, "successful": BOOL}
    scene: list[Cite] = []
    sequel: list[Cite] = []
    type: Literal[EVENT_TYPES]
    organ: Slug | None = None
    chair: Slug | None = None
    participant_count: NonNegativeInt | None = None
    pretext: Text | None = None
    agenda: Text | None = None
    part_of: Slug | None = None
    successful: bool | None = None


class Speech(Happening):
    FACTUAL = {**Happening.FACTUAL, "speakers": REF, "session": SCENE}
    type: Literal[SPEECH_TYPES]
    speakers: list[Slug] = []
    session: Slug | None = None


class Vote(Record, Dated):
    FACTUAL = {"date": DATE, "start": DATE, "end": DATE, "organ": REF, "session": SCENE, "motion": GIST,
               "counts": COUNT, "votes": REF, "result": WORD, "decision": REF}
    organ: Slug
    session: Slug | None = None
    motion: Text
    counts: dict[str, NonNegativeInt] = Field(min_length=1)
    votes: dict[str, list[Slug]] = {}
    result: Literal["pass", "fail"] | None = None
    decision: Slug | None = None


class Decision(Record):
    FACTUAL = {"date": DATE, "title": GIST, "adopted_at": SCENE, "adopted_by": REF, "addressed_to": REF}
    type: Literal[DECISION_TYPES]
    date: DateText | None = None
    title: Text | None = None
    adopted_at: Slug | None = None
    adopted_by: Slug | None = None
    addressed_to: Slug | None = None
    effects: list[Effect] = Field(min_length=1)


class Claim(Record):
    FACTUAL = {"about": REF}
    about: list[Slug] = Field(min_length=1)


# what a source reading means, where it is a date: as written (1955-06), or a day of a month without a year
# (--05-21)
SourceValue = Annotated[str, BeforeValidator(_date_text),
                        StringConstraints(pattern=r"^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|--\d{2}-\d{2})$")]


class Evidence(Strict):
    """Why a correction is right: a bibliographic work (``id`` and ``citation``), or words of a sentence of
    the source itself (``sentence`` and ``quote``)."""

    id: Slug | None = None
    citation: NonEmpty | None = None
    sentence: Cite | None = None
    quote: NonEmpty | None = None

    @model_validator(mode="after")
    def _one_kind(self):
        if (self.id is None) == (self.sentence is None) or (self.id is None) != (self.citation is None) \
                or (self.sentence is None) != (self.quote is None):
            raise ValueError("evidence is either {id, citation} (a work) or {sentence, quote} (the source's "
                             "words)")
        return self


class Target(Strict):
    record: Slug
    field: NonEmpty


class Correction(Record):
    """An editorial correction: where the graph records a value other than the source's words. ``kind``:
    FactualCorrection (the source is wrong: s04, s30) or Normalisation (a typo of the source, normalised in
    the labels). ``source_reading``: the source's exact words in ``sentence``; ``applies_to``: the fields of
    the records that carry the corrected value (``corrected_value``) or the normalised text
    (``normalised``)."""

    kind: Literal["FactualCorrection", "Normalisation"]
    sentence: Cite
    source_reading: NonEmpty
    source_value: SourceValue | None = None
    corrected_value: DateText | None = None
    normalised: NonEmpty | None = None
    applies_to: list[Target] = Field(min_length=1)
    reason: Text
    evidence: list[Evidence] = []

    @model_validator(mode="after")
    def _value(self):
        if self.kind == "FactualCorrection" and self.corrected_value is None:
            raise ValueError("a FactualCorrection needs corrected_value")
        if self.kind == "Normalisation" and self.normalised is None:
            raise ValueError("a Normalisation needs normalised")
        return self


# file stem -> (IRI kind, model)
KINDS: dict[str, tuple[str, type[Record]]] = {
    "persons": ("person", Person),
    "organizations": ("organization", Organization),
    "places": ("place", Place),
    "posts": ("post", Post),
    "topics": ("topic", Topic),
    "memberships": ("membership", Membership),
    "holdings": ("holding", Holding),
    "events": ("event", Event),
    "speeches": ("speech", Speech),
    "votes": ("vote", Vote),
    "decisions": ("decision", Decision),
    "claims": ("claim", Claim),
    "corrections": ("correction", Correction),
}
