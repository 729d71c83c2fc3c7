"""What the circles cog tells the other cogs (agreements drop a leaver's vote, and so on)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import ClassVar

from bot.chat import MemberRef
from bot.cog import DomainEvent
from cogs.circles.repo import Circle


@dataclass(frozen=True, slots=True)
class JoinedCircle(DomainEvent):
    circle: Circle
    member: MemberRef


@dataclass(frozen=True, slots=True)
class LeftCircle(DomainEvent):
    circle: Circle
    member: MemberRef


@dataclass(frozen=True, slots=True)
class TimeZoneChanged(DomainEvent):
    """The circle keeps time in another zone now (``circle`` already has the new one)."""

    circle: Circle
    previous: str


@dataclass(frozen=True, slots=True)
class CircleArchived(DomainEvent):
    circle: Circle


@dataclass(frozen=True, slots=True)
class CircleReopened(DomainEvent):
    circle: Circle


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
