"""The reflections' domain: schedules (prompts, meetings, automatic hand-overs), their runs
and how each ended, the prompts members suggest, and the pure choice a claim makes. Pure
types; the repository maps rows into them."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.chat import RoomRef, SpaceRef, ThreadRef
from cogs.reflections.decks import PromptFilter


class Kind(enum.StrEnum):
    PROMPT = "prompt"
    MEETING = "meeting"
    ROTA = "rota"


class Outcome(enum.StrEnum):
    CLAIMED = "claimed"  # taken by an instance, not yet confirmed as posted
    POSTED = "posted"
    FAILED = "failed"  # the platform refused, or the process stopped before confirming
    SKIPPED = "skipped"  # a facilitator skipped it, or the circle was resting
    MISSED = "missed"  # the bot was away for longer than the grace period


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    circle_id: int
    kind: Kind
    form: str
    rule: str
    time_zone: str | None
    deck_id: str | None
    theme: str | None
    tag: str | None
    without: tuple[str, ...]
    remind: timedelta | None
    next_due: datetime | None
    paused_until: date | None
    created_by: str | None
    created_at: datetime
    # about the circle, read in the same query
    circle_name: str
    circle_zone: str
    room: RoomRef
    thread: ThreadRef | None
    archived: bool
    round_open: bool

    @property
    def zone_name(self) -> str:
        return self.time_zone or self.circle_zone

    @property
    def home(self) -> RoomRef | ThreadRef:
        return self.thread or self.room

    @property
    def choosing(self) -> PromptFilter:
        return PromptFilter(theme=self.theme, tag=self.tag, without=self.without)

    def paused_on(self, today: date) -> bool:
        return self.paused_until is not None and self.paused_until > today


@dataclass(frozen=True, slots=True)
class Timer:
    """Just enough of a schedule to arm its alarm at start-up."""

    schedule_id: int
    kind: Kind
    next_due: datetime
    remind: timedelta | None
    space: SpaceRef | None = None  # the circle's space: only its owner arms the alarm


@dataclass(frozen=True, slots=True)
class Suggestion:
    id: int
    circle_id: int
    member_id: str | None
    text: str
    title: str | None
    theme: str | None
    approved: bool
    suggested_at: datetime


@dataclass(frozen=True, slots=True)
class Unconfirmed:
    run_id: int
    circle_id: int
    schedule_id: int | None
    kind: Kind
    fire_time: datetime | None


# A pure choice made inside the claim: prompt uses so far -> the prompt to post.
Draw = Callable[[Mapping[str, int]], str | None]
