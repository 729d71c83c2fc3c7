"""Activity gating: a prompt waits for a quiet moment rather than landing in someone's sharing.

Pure rules plus a small in-memory record of when each room last had a message. The record is
memory only, on purpose: after a restart every room counts as quiet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.chat import RoomRef

ROUND_CHECK = timedelta(minutes=1)  # how often a prompt held by an open round looks again


@dataclass(slots=True)
class RoomActivity:
    """When each room (its threads included) last had a message from a person."""

    _last: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def saw(self, room: RoomRef, at: datetime) -> None:
        key = (room.platform.value, room.id)
        previous = self._last.get(key)
        if previous is None or at > previous:
            self._last[key] = at

    def last(self, room: RoomRef) -> datetime | None:
        return self._last.get((room.platform.value, room.id))


def hold_until(
    *,
    now: datetime,
    due: datetime,
    last_message: datetime | None,
    quiet: timedelta,
    max_wait: timedelta,
    round_open: bool,
) -> datetime | None:
    """When to look again before posting a prompt due at ``due``; None means post now.

    A prompt waits while the room had a message in the last ``quiet``, or while a check-in
    round is open in the circle, but never past ``due + max_wait``: then it posts anyway (in
    its own thread, so it interrupts nothing).
    """
    deadline = due + max_wait
    if now >= deadline:
        return None
    wake: datetime | None = None
    if last_message is not None and now < last_message + quiet:
        wake = last_message + quiet
    if round_open:
        wake = max(wake or now, now + ROUND_CHECK)
    if wake is None:
        return None
    return min(wake, deadline)
