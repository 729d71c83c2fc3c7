"""The kernel's domain: circles, memberships, what joining and leaving can come to, and the
events the kernel tells every feature. Pure types; the repositories map rows into them."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from bot.chat import MemberRef, Platform, RoomRef, SpaceRef, ThreadRef
from bot.clock import parse_zone
from bot.cog import DomainEvent


class Preference(enum.StrEnum):
    LISTENING = "listening"
    IDEAS = "ideas"

    @property
    def label(self) -> str:
        return "listening" if self is Preference.LISTENING else "open to ideas"


@dataclass(frozen=True, slots=True)
class Circle:
    id: int
    room: RoomRef
    thread: ThreadRef | None
    name: str
    description: str
    capacity: int
    is_open: bool
    time_zone: str
    holder_id: str | None
    created_by: str | None
    created_at: datetime
    archived_at: datetime | None

    @property
    def platform(self) -> Platform:
        return self.room.platform

    @property
    def space(self) -> SpaceRef:
        return self.room.space

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def zone(self) -> ZoneInfo:
        """The circle's time zone (UTC should a stored name ever stop being known)."""
        return parse_zone(self.time_zone) or ZoneInfo("UTC")

    @property
    def home(self) -> RoomRef | ThreadRef:
        """Where the circle talks: its thread if it is bound to one, else its room."""
        return self.thread or self.room

    def member(self, member_id: str) -> MemberRef:
        return MemberRef(self.platform, member_id)


@dataclass(frozen=True, slots=True)
class Membership:
    circle_id: int
    member_id: str
    joined_at: datetime
    preference: Preference | None


@dataclass(frozen=True, slots=True)
class CircleRoster:
    """Everything a member listing shows, read in one go."""

    circle: Circle
    members: list[Membership]
    rota: list[str]
    waitlist: list[str]
    requests: list[str]


class JoinResult(enum.Enum):
    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    FULL = "full"
    REQUESTED = "requested"
    ALREADY_REQUESTED = "already_requested"
    WAITLISTED = "waitlisted"
    ALREADY_WAITING = "already_waiting"
    NOT_REQUESTED = "not_requested"


@dataclass(frozen=True, slots=True)
class Departure:
    """What leaving changed: whether they were in, and who got the freed place."""

    was_member: bool
    was_waiting: bool
    was_requesting: bool
    promoted: str | None
    new_holder: str | None
    holder_changed: bool


class DuplicateName(Exception):
    pass


class PlaceTaken(Exception):
    def __init__(self, circle_name: str) -> None:
        super().__init__(circle_name)
        self.circle_name = circle_name


# --- what the kernel tells the features ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CircleEvent(DomainEvent):
    """Something happened to ``circle``."""

    circle: Circle


@dataclass(frozen=True, slots=True)
class MembershipEvent(DomainEvent):
    """Someone's membership of ``circle`` changed."""

    circle: Circle
    member: MemberRef


@dataclass(frozen=True, slots=True)
class JoinedCircle(MembershipEvent):
    """``member`` is part of ``circle`` now (agreements let them vote, rounds add them)."""


@dataclass(frozen=True, slots=True)
class LeftCircle(MembershipEvent):
    """``member`` left ``circle`` (their votes are dropped, their turn is skipped)."""


@dataclass(frozen=True, slots=True)
class CircleArchived(CircleEvent):
    """The circle rests now; what belongs to it is kept."""


@dataclass(frozen=True, slots=True)
class CircleReopened(CircleEvent):
    """A resting circle is open again."""


@dataclass(frozen=True, slots=True)
class TimeZoneChanged(DomainEvent):
    """The circle keeps time in another zone now (``circle`` already has the new one)."""

    circle: Circle
    previous: str


@dataclass(frozen=True, slots=True)
class AgreementAdopted(DomainEvent):
    """A circle adopted an agreement by its own vote (a new one, or a new version), with its
    words as adopted and the starter it came from, if any: a feature can act on what the
    circle agreed (support's private offers) without reading another feature's tables."""

    circle: Circle
    agreement_id: int
    starter_id: str | None
    text: str


class InfoTopic(enum.Enum):
    CIRCLE = "circle"  # `circle info`: what a newcomer would like to know
    ROTA = "rota"  # `circle rota show`


@dataclass(frozen=True, slots=True)
class InfoWanted(DomainEvent):
    """Someone asked about a circle. Each feature may add a line about itself (when it meets,
    what it has agreed, an automatic hand-over): facts anyone may read, never a member's name.
    The circles cog shows the lines in the order of their rank."""

    MEETING: ClassVar[int] = 10
    AGREEMENTS: ClassVar[int] = 20
    HAND_OVER: ClassVar[int] = 30

    circle: Circle
    topic: InfoTopic
    prefix: str
    lines: list[tuple[int, str]] = field(default_factory=list)

    def add(self, rank: int, line: str) -> None:
        self.lines.append((rank, line))

    @property
    def ordered(self) -> list[str]:
        return [line for _, line in sorted(self.lines, key=lambda item: item[0])]
