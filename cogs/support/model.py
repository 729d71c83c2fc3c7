"""The support feature's domain: a member's own settings, a call and who was asked."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class CallStatus(enum.StrEnum):
    OPEN = "open"
    TAKEN = "taken"
    UNANSWERED = "unanswered"  # nobody could take it in time
    WITHDRAWN = "withdrawn"  # the caller withdrew it (or asked to be forgotten)


class Tier(enum.IntEnum):
    """Who is asked, in this order; each tier joins the ones before it."""

    HOLDER = 0
    FACILITATORS = 1
    MODERATORS = 2


@dataclass(frozen=True, slots=True)
class MemberSettings:
    region: str | None = None
    offers_off: bool = False
    away: bool = False


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    written_at: datetime


@dataclass(frozen=True, slots=True)
class Call:
    id: int
    circle_id: int
    member_id: str | None
    share_note: bool
    line: str | None
    status: CallStatus
    stage: int
    created_at: datetime
    next_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Ask:
    call_id: int
    member_id: str
    tier: Tier
    position: int
    asked_at: datetime | None
    reached: bool | None
    took_at: datetime | None
    told_at: datetime | None


@dataclass(frozen=True, slots=True)
class WeekOfCalls:
    week: str  # the ISO week, "2026-W10"
    calls: int
    taken: int
    median_minutes_to_take: float | None
