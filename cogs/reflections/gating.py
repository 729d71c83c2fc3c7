"""Activity gating: a prompt waits for a quiet moment rather than landing in someone's sharing,
or right on top of the bot's own last post.

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
    """When each room (its threads included) last had a message from a person, and when the
    bot last posted there itself."""

    _last: dict[tuple[str, str], datetime] = field(default_factory=dict)
    _own: dict[tuple[str, str], datetime] = field(default_factory=dict)

    def saw(self, room: RoomRef, at: datetime) -> None:
        _keep_latest(self._last, room, at)

    def posted(self, room: RoomRef, at: datetime) -> None:
        """The bot itself posted here (a prompt, a reminder, a hand-over)."""
        _keep_latest(self._own, room, at)

    def last(self, room: RoomRef) -> datetime | None:
        return self._last.get((room.platform.value, room.id))

    def last_own(self, room: RoomRef) -> datetime | None:
        return self._own.get((room.platform.value, room.id))


def hold_until(
    *,
    now: datetime,
    due: datetime,
    last_message: datetime | None,
    quiet: timedelta,
    max_wait: timedelta,
    round_open: bool,
    last_own_post: datetime | None = None,
) -> datetime | None:
    """When to look again before posting a prompt due at ``due``; None means post now.

    A prompt waits while the room had a message in the last ``quiet``, or while a check-in
    round is open in the circle, but never past ``due + max_wait``: then it posts anyway (in
    its own thread, so it interrupts nothing). It also never lands within ``quiet`` of the
    bot's own last post there, however late it is: two prompts that came due together (after
    downtime, say) arrive a quiet moment apart.
    """
    wake: datetime | None = None
    deadline = due + max_wait
    if now < deadline:
        if last_message is not None and now < last_message + quiet:
            wake = last_message + quiet
        if round_open:
            wake = max(wake or now, now + ROUND_CHECK)
        if wake is not None:
            wake = min(wake, deadline)
    if last_own_post is not None and now < last_own_post + quiet:
        wake = max(wake or now, last_own_post + quiet)
    return wake


def _keep_latest(record: dict[tuple[str, str], datetime], room: RoomRef, at: datetime) -> None:
    key = (room.platform.value, room.id)
    previous = record.get(key)
    if previous is None or at > previous:
        record[key] = at
