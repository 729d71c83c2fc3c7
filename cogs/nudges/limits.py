"""Rate limits for nudges: a nudge is rare, or it stops being heard. Pure rules.

A nudge is allowed only if the member had none in the last ``per_member``, the conversation
had none in the last ``per_thread``, the member is under their daily cap, and the circle is
under its daily cap. Times come from the nudge log, so the limits hold across a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Limits:
    per_member: timedelta = timedelta(minutes=30)
    per_thread: timedelta = timedelta(minutes=15)
    daily_per_member: int = 3
    daily_per_circle: int = 20


@dataclass(frozen=True, slots=True)
class Given:
    """One nudge given, as the limits see it."""

    member: str
    conversation: str
    circle_id: int
    at: datetime


def allows(
    limits: Limits,
    past: Sequence[Given],
    *,
    member: str,
    conversation: str,
    circle_id: int,
    now: datetime,
) -> bool:
    """May a nudge go to ``member`` about ``conversation`` now?"""
    recent = [g for g in past if now - g.at < DAY]
    if any(g.member == member and now - g.at < limits.per_member for g in recent):
        return False
    if any(g.conversation == conversation and now - g.at < limits.per_thread for g in recent):
        return False
    if sum(1 for g in recent if g.member == member) >= limits.daily_per_member:
        return False
    return sum(1 for g in recent if g.circle_id == circle_id) < limits.daily_per_circle
