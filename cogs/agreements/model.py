"""The agreements' domain: proposals and their kinds, the agreements of the registry, a
circle's own rules, what a closing did, and what a vote change came to. Pure types; the
repository maps rows into them."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.chat import MessageRef, RoomRef, ThreadRef
from cogs.agreements.ballots import Ballot, Choice, Process
from cogs.agreements.closing import Result, Rules, Tally


class Kind(enum.StrEnum):
    ADOPT = "adopt"  # a new agreement
    REVIEW = "review"  # keep an agreement as it is, at its review
    REVISE = "revise"  # a new wording for an agreement (an amended review)
    RETIRE = "retire"  # let an agreement go


class NoteKind(enum.StrEnum):
    OUTSIDER = "outsider"
    CLOSED = "closed"
    OBJECTION = "objection"


class VoteStatus(enum.Enum):
    COUNTED = "counted"
    UNCHANGED = "unchanged"  # a reaction the member already held, or one they never had
    NOT_MEMBER = "not_member"
    CLOSED = "closed"
    STALE = "stale"  # on a version that has been replaced, or a proposal not yet posted


@dataclass(frozen=True, slots=True)
class VoteChange:
    status: VoteStatus
    everyone_voted: bool = False


@dataclass(frozen=True, slots=True)
class CircleSettings:
    """What a circle decides with (its own choice, or the defaults)."""

    process: Process
    quorum_percent: int
    threshold_percent: int
    reminder: timedelta
    review: timedelta
    ballot: Ballot = Ballot.OPEN

    @property
    def rules(self) -> Rules:
        return Rules(self.process, self.quorum_percent, self.threshold_percent)


@dataclass(frozen=True, slots=True)
class Settings:
    """A circle's row: None where it follows the defaults; and where its registry is."""

    circle_id: int
    process: Process | None = None
    quorum_percent: int | None = None
    threshold_percent: int | None = None
    reminder_seconds: int | None = None
    review_days: int | None = None
    registry_room_id: str | None = None
    registry_thread_id: str | None = None
    registry_message_id: str | None = None
    ballot: Ballot | None = None

    def effective(self, defaults: CircleSettings) -> CircleSettings:
        return CircleSettings(
            process=self.process or defaults.process,
            quorum_percent=self.quorum_percent or defaults.quorum_percent,
            threshold_percent=self.threshold_percent or defaults.threshold_percent,
            reminder=timedelta(seconds=self.reminder_seconds)
            if self.reminder_seconds
            else defaults.reminder,
            review=timedelta(days=self.review_days) if self.review_days else defaults.review,
            ballot=self.ballot or defaults.ballot,
        )

    def registry(self, room: RoomRef) -> MessageRef | None:
        if self.registry_message_id is None:
            return None
        where = RoomRef(room.platform, room.space_id, self.registry_room_id or room.id)
        thread = ThreadRef(where, self.registry_thread_id) if self.registry_thread_id else None
        return MessageRef(where, self.registry_message_id, thread)


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    circle_id: int
    kind: Kind
    agreement_id: int | None
    starter_id: str | None
    title: str | None
    text: str
    version: int
    proposed_by: str | None
    rules: Rules
    reminder: timedelta
    opened_at: datetime
    duration: timedelta
    closes_at: datetime
    remind_at: datetime
    reminded_version: int
    objection_noted_version: int
    room: RoomRef  # the circle's room
    thread: ThreadRef | None  # where it is talked over
    message: MessageRef | None  # the post people react to
    posted_version: int
    closed_at: datetime | None
    result: Result | None
    counts: Mapping[Choice, int]
    voters: int | None
    members: int | None
    outcome: str | None = None  # in the circle's own words, written after it closed
    outcome_at: datetime | None = None
    ballot: Ballot = Ballot.OPEN

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def posted(self) -> bool:
        """The post people react to shows the current version."""
        return self.message is not None and self.posted_version == self.version

    @property
    def process(self) -> Process:
        return self.rules.process


@dataclass(frozen=True, slots=True)
class Version:
    """One wording a proposal has had: a replaced one (``ended_at`` set, its counts as they
    stood when it was replaced), or the current one (``ended_at`` is its close, or None while
    it is open)."""

    proposal_id: int
    version: int
    kind: Kind
    text: str
    proposed_by: str | None
    started_at: datetime
    ended_at: datetime | None
    counts: Mapping[Choice, int]
    voters: int | None  # None: the current version, still open
    members: int | None
    message: MessageRef | None
    replaced: bool  # a later version replaced it
    result: Result | None = None  # the current version, once closed


@dataclass(frozen=True, slots=True)
class Agreement:
    id: int
    circle_id: int
    title: str | None
    text: str
    version: int
    starter_id: str | None
    proposed_by: str | None
    adopted_at: datetime
    changed_at: datetime
    decided_by: int
    reviewed_at: datetime | None
    review_at: datetime | None
    retired_at: datetime | None
    # the vote that made the current version
    process: Process
    counts: Mapping[Choice, int]
    voters: int
    members: int
    outcome: str | None = None  # the outcome statement of the vote that made this version

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason a member gave with their objection or block, and where the thread shows it."""

    id: int
    proposal_id: int
    version: int
    member_id: str | None  # None once a secret ballot has closed
    choice: Choice
    text: str
    named: bool
    given_at: datetime
    message: MessageRef | None


class Effect(enum.Enum):
    """What a closing did to the registry."""

    NONE = "none"
    ADOPTED = "adopted"
    NEW_VERSION = "new_version"
    KEPT = "kept"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Closing:
    proposal: Proposal
    tally: Tally
    result: Result
    effect: Effect
    agreement: Agreement | None  # the agreement concerned, as it is now
    # who chose what, only for a ballot with names revealed at close; never stored
    names: Mapping[Choice, tuple[str, ...]] | None = None


@dataclass(frozen=True, slots=True)
class NewProposal:
    """What opening a proposal needs; the rules come from the circle's settings."""

    circle_id: int
    kind: Kind
    text: str
    proposed_by: str | None
    settings: CircleSettings
    opened_at: datetime
    closes_at: datetime
    remind_at: datetime
    thread: ThreadRef | None  # a circle that lives in a thread holds its proposals there
    title: str | None = None
    agreement_id: int | None = None
    starter_id: str | None = None
    ballot: Ballot | None = None  # None: the circle's setting


class Refused(Exception):
    """A proposal that cannot be opened as asked; ``reason`` names why."""

    def __init__(self, reason: str, other: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.other = other
