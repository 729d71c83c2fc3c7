"""What the adapter remembers about recent events while it runs (a bounded cache).

Which thread an event is in, who sent it, whether it was a command, and the newest event of
each thread (a thread message's fallback reply points there). The database keeps what must
outlive a restart; this only saves round trips.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

CAPACITY = 20_000


@dataclass(frozen=True, slots=True)
class Remembered:
    sender: str
    thread_id: str | None
    command: bool


class EventMemory:
    def __init__(self, capacity: int = CAPACITY) -> None:
        self._capacity = capacity
        self._events: OrderedDict[str, Remembered] = OrderedDict()
        self._thread_tips: OrderedDict[tuple[str, str], str] = OrderedDict()

    def remember(
        self, event_id: str, sender: str, thread_id: str | None, *, command: bool = False
    ) -> None:
        self._events[event_id] = Remembered(sender, thread_id, command)
        self._events.move_to_end(event_id)
        while len(self._events) > self._capacity:
            self._events.popitem(last=False)

    def get(self, event_id: str) -> Remembered | None:
        return self._events.get(event_id)

    def seen(self, event_id: str) -> bool:
        return event_id in self._events

    def thread_of(self, event_id: str) -> str | None:
        found = self._events.get(event_id)
        return found.thread_id if found else None

    def was_command(self, event_id: str) -> bool:
        found = self._events.get(event_id)
        return bool(found and found.command)

    def note_in_thread(self, room_id: str, root_id: str, event_id: str) -> None:
        key = (room_id, root_id)
        self._thread_tips[key] = event_id
        self._thread_tips.move_to_end(key)
        while len(self._thread_tips) > self._capacity:
            self._thread_tips.popitem(last=False)

    def thread_tip(self, room_id: str, root_id: str) -> str:
        """The newest event we know of in a thread (the root if none)."""
        return self._thread_tips.get((room_id, root_id), root_id)
