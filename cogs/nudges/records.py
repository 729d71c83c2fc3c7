"""What the nudges keep: how a circle wants them, a nudge given (who, when, where and the kinds
of wording noticed, never the words), and the weekly counts moderators may see. Pure types;
the repository maps rows into them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cogs.nudges.drift import Sensitivity, Situation


@dataclass(frozen=True, slots=True)
class CircleNudging:
    """How a circle wants nudges: ``off``, ``private`` or ``group``, at a sensitivity, and the
    number of the circle's agreement a note points to (None for none)."""

    mode: str
    sensitivity: Sensitivity
    agreement: int | None = None


@dataclass(frozen=True, slots=True)
class NudgeRecord:
    circle_id: int
    member_id: str | None
    conversation: str
    at: datetime
    situation: Situation
    mode: str
    delivered: bool
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WeekCount:
    circle_name: str
    week: str  # ISO year and week, "2026-W12"
    count: int
