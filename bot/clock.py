"""Time, injected. Inside the bot every datetime is aware and in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """The wall clock shifted forward by a settable amount: the sandbox's time travel."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta():
            raise ValueError("time only moves forward")
        self.offset += delta


class ManualClock:
    """A clock that moves only when told to. Tests and the demo use it, so nothing sleeps."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        when = ensure_utc(when)
        if when < self._now:
            raise ValueError("time only moves forward")
        self._now = when

    def advance(self, delta: timedelta) -> None:
        self.set(self._now + delta)


def ensure_utc(when: datetime) -> datetime:
    """Refuse naive datetimes, convert aware ones to UTC."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"naive datetime {when!r}: the bot keeps time in aware UTC")
    return when.astimezone(UTC)


def to_iso(when: datetime) -> str:
    """How datetimes are stored: ISO 8601 in UTC with a Z, sortable as text."""
    return ensure_utc(when).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def parse_zone(text: str) -> ZoneInfo | None:
    """An IANA time zone by name, or None. Paths and other tricks are not names."""
    name = text.strip()
    if not name or name.startswith(("/", ".")) or ".." in name or "\\" in name:
        return None
    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None
