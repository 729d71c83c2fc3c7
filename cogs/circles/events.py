"""What the circles cog tells the other cogs (agreements drop a leaver's vote, and so on)."""

from __future__ import annotations

from dataclasses import dataclass

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
