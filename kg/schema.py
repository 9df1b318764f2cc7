"""The schema of the fact files (``kg/facts/*.yaml``): one pydantic model per kind of record.

Field names *and* types are checked here, so a misspelt key, a date of unknown precision or a type outside its
controlled list stops the build with the file, the record and the field named. The builders can then trust what
they read. The controlled lists (event types, roles, ways a holding ends …) are defined once, here.
"""
import datetime as dt
from typing import Annotated, Literal

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, NonNegativeInt,
                      StringConstraints, model_validator)

from . import dates

LANGUAGES = ("en", "lv", "ru")

ORG_TYPES = ("Party", "PartyOrgan", "StateBody", "InformalGroup")
PLACE_TYPES = ("City", "Country", "Region", "Building")
ROLES = ("FullMember", "CandidateMember", "Member", "CoreMember")
CHANGES = ("Appointment", "ForcedResignation", "Removal", "Relief", "Expulsion", "Deprivation", "ByVote", "Loss")
EVENT_TYPES = ("Session", "Meeting", "CrisisTalks", "Visit", "Unrest", "Revolution", "Publication", "Preparation",
               "Conspiracy", "Attempt", "Mobilisation", "Delegation", "Dismissal")
SPEECH_TYPES = ("Accusation", "Criticism", "Proposal", "Support", "ChangeOfPosition", "RefusalToRecant",
                "Rejection", "Objection", "Demand", "Declaration")
DECISION_TYPES = ("Resolution", "Recommendation", "Approval")
EFFECT_TYPES = ("Condemnation", "ExpulsionFrom", "RemovalFromPost", "ResignationFromPost", "AppointmentToPost",
                "PostAbolition", "ApprovalOfProposals")

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


class Record(Strict):
    """What every record has: its id (the IRI slug), labels, notes and the sentences it cites."""

    id: Slug
    label: Text | None = None
    alt: dict[Lang, list[NonEmpty]] | None = None
    cites: list[Cite] = Field(min_length=1)
    note: Text | None = None


class SourceReading(Strict):
    date: NonEmpty
    note: NonEmpty


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
    type: Literal[ORG_TYPES]
    part_of: Slug | None = None


class Place(Record):
    type: Literal[PLACE_TYPES]


class Post(Record):
    type: Literal["Rank"] | None = None
    in_: Slug | None = Field(None, alias="in")
    place: Slug | None = None


class Topic(Record):
    related: list[Slug] = []
    broader: list[Slug] = []


class Tenure(Record, Span):
    after: Slug | None = None
    began_by: Literal[CHANGES] | None = None
    ended_by: Literal[CHANGES] | None = None


class Membership(Tenure):
    member: Slug
    organization: Slug | None = None
    role: RoleOrRank


class Holding(Tenure):
    holder: Slug
    post: Slug | None = None
    before: Slug | None = None


class Effect(Strict):
    type: Literal[EFFECT_TYPES]
    affects: Slug | None = None
    organization: Slug | None = None
    post: Slug | None = None
    topics: list[Slug] = []
    note: Text | None = None
    cites: list[Cite] | None = None


class Happening(Record, Dated):
    """What events and speech acts share: when (also relative to other events), where, who, about what."""

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
    source_reading: SourceReading | None = None


class Event(Happening):
    type: Literal[EVENT_TYPES]
    organ: Slug | None = None
    chair: Slug | None = None
    participant_count: NonNegativeInt | None = None
    pretext: Text | None = None
    agenda: Text | None = None
    part_of: Slug | None = None
    successful: bool | None = None


class Speech(Happening):
    type: Literal[SPEECH_TYPES]
    speakers: list[Slug] = []
    session: Slug | None = None


class Vote(Record, Dated):
    organ: Slug
    session: Slug | None = None
    motion: Text
    counts: dict[str, NonNegativeInt] = Field(min_length=1)
    votes: dict[str, list[Slug]] = {}
    result: Literal["pass", "fail"] | None = None
    decision: Slug | None = None


class Decision(Record):
    type: Literal[DECISION_TYPES]
    date: DateText | None = None
    title: Text | None = None
    adopted_at: Slug | None = None
    adopted_by: Slug | None = None
    addressed_to: Slug | None = None
    effects: list[Effect] = Field(min_length=1)


class Claim(Record):
    about: list[Slug] = Field(min_length=1)


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
}
