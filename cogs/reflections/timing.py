"""When things happen: schedule forms, their wall times, and the DST rule. Pure rules, no I/O.

A schedule is a *rule* about wall-clock times in a circle's time zone ("daily 09:30" means
09:30 on the circle's clocks). Two kinds of rule exist:

- five-field cron expressions (``30 9 * * 1-5``), with the friendly forms ``daily 09:30``,
  ``weekdays 08:00``, ``weekends 10:00``, ``mondays 19:00`` and ``mondays and thursdays 19:00``
  compiled to cron. APScheduler's ``CronTrigger`` does the calendar arithmetic, run on naive
  wall times (we give it UTC, which has no DST), so its own DST handling never gets involved;
- ``every 2 weeks on thursday 18:00``: every N weeks on one weekday, counted from an anchor
  date that is stored with the rule (``... from 2026-03-05``).

**The DST rule** (ours, and tested): a wall time ``w`` happens at *the first moment the
circle's clock reads ``w`` or later*.

- On an ordinary day that is simply ``w``.
- When the clocks go forward and ``w`` does not exist (02:30 in Berlin on the last Sunday of
  March), it is the moment the clocks jump: 03:00 local. Every wall time inside the gap lands
  on that one instant, so a schedule posts there once.
- When the clocks go back and ``w`` happens twice (02:30 in Berlin on the last Sunday of
  October), it is the first of the two (``fold=0``). The repeat an hour later is not a new run.
"""

from __future__ import annotations

import functools
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.clock import parse_zone

log = logging.getLogger(__name__)

MAX_EVERY_WEEKS = 12
# A rule whose next time is further away than this is almost certainly a slip (31 February).
HORIZON = timedelta(days=4 * 366 + 1)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # cron counts from Sunday = 0
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CRON_FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of the month", 1, 31),
    ("month", 1, 12),
    ("day of the week", 0, 7),
)
_CRON_ITEM = re.compile(
    r"^(?:\*|[0-9]{1,2}|[a-z]{3})(?:-(?:[0-9]{1,2}|[a-z]{3}))?(?:/[0-9]{1,2})?$"
)
_CRON_LOOKS = re.compile(r"^[0-9a-z*/,\-]+$")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")

EXAMPLES = "`daily 09:30`, `mondays 19:00`, `weekdays 08:00`, `every 2 weeks on thursday 18:00`, or five cron fields like `30 9 * * 1`"
NOT_UNDERSTOOD = (
    "I couldn't read “{text}” as a time for a schedule. A few shapes I know: {examples}."
)
NO_TIME = "I need a time of day for “{text}”, like `{text} 09:30`."
BAD_TIME = "“{text}” isn't a time of day I can read. Times look like 09:30 or 19:00 (or 7pm)."
CRON_FIELD_COUNT = "A cron expression has five fields (minute, hour, day of the month, month, day of the week), and “{text}” has {count}."
CRON_FIELD_BAD = "In “{text}”, I couldn't read the {name} “{value}”. It can be {low} to {high}, a range like 1-5, a list like 1,3, or *."
NEVER_COMES = (
    "“{text}” never comes round (or only once in years), so there would be nothing to post."
)
EVERY_RANGE = "I can repeat every 1 to {most} weeks; “{text}” asks for {weeks}."


class FormError(ValueError):
    """A schedule form that can't be used; ``str(error)`` is a kind sentence for the person."""


class Rule(Protocol):
    """Wall times on a circle's clock. ``canonical`` reads back into the same rule."""

    @property
    def canonical(self) -> str: ...

    def describe(self) -> str: ...

    def next_wall(self, after: datetime) -> datetime | None:
        """The first wall time strictly after the naive wall time ``after``."""
        ...


# --- cron -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CronRule:
    expr: str  # five normalised fields
    label: str = ""  # the friendly form it came from, if any
    _triggers: tuple[CronTrigger, ...] = field(default=(), compare=False, repr=False)

    @property
    def canonical(self) -> str:
        return self.expr

    def describe(self) -> str:
        return self.label or f"cron `{self.expr}`"

    def next_wall(self, after: datetime) -> datetime | None:
        # Whole seconds, then one more: cron times are on the minute, so nothing is skipped.
        start = after.replace(microsecond=0, tzinfo=UTC) + timedelta(seconds=1)
        found = [t.get_next_fire_time(None, start) for t in self._triggers]
        times = [f for f in found if f is not None]
        return min(times).replace(tzinfo=None) if times else None


def parse_cron(text: str, label: str = "") -> CronRule:
    """A standard five-field cron expression (Sunday is 0 or 7; both day fields restricted means
    either may match, as in Vixie cron)."""
    fields = text.lower().split()
    if len(fields) != 5:
        raise FormError(CRON_FIELD_COUNT.format(text=text, count=len(fields)))
    for value, (name, low, high) in zip(fields, _CRON_FIELDS, strict=True):
        if not all(_CRON_ITEM.match(item) for item in value.split(",")):
            raise FormError(
                CRON_FIELD_BAD.format(text=text, name=name, value=value, low=low, high=high)
            )
    minute, hour, day, month, weekday = fields
    try:
        weekdays = _cron_weekdays(weekday)
    except ValueError:
        raise FormError(
            CRON_FIELD_BAD.format(text=text, name="day of the week", value=weekday, low=0, high=7)
        ) from None
    names = ",".join(_CRON_DAYS[d] for d in sorted(weekdays))
    on_days = "*" if len(weekdays) == 7 else names
    try:
        if not day.startswith("*") and not weekday.startswith("*"):
            # Vixie cron: when both day fields are restricted, a day matches if either does.
            triggers: tuple[CronTrigger, ...] = (
                CronTrigger(minute=minute, hour=hour, day=day, month=month, timezone=UTC),
                CronTrigger(
                    minute=minute, hour=hour, month=month, day_of_week=on_days, timezone=UTC
                ),
            )
        else:
            triggers = (
                CronTrigger(
                    minute=minute,
                    hour=hour,
                    day=day,
                    month=month,
                    day_of_week=on_days,
                    timezone=UTC,
                ),
            )
    except ValueError as error:
        name, value, low, high = _which_field(fields, str(error))
        raise FormError(
            CRON_FIELD_BAD.format(text=text, name=name, value=value, low=low, high=high)
        ) from None
    return CronRule(" ".join(fields), label, triggers)


def _cron_weekdays(value: str) -> set[int]:
    """The days (0 = Sunday) a cron day-of-week field names."""
    days: set[int] = set()
    for item in value.split(","):
        part, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(item)
        if part == "*":
            first, last = 0, 6
        else:
            low, _, high = part.partition("-")
            first = _cron_day(low)
            last = (7 if high == "7" else _cron_day(high)) if high else (6 if step_text else first)
        if first > last:
            raise ValueError(item)
        days.update(d % 7 for d in range(first, last + 1, step))
    return days


def _cron_day(text: str) -> int:
    if text in _CRON_DAYS:
        return _CRON_DAYS.index(text)
    number = int(text)  # ValueError for anything else
    if not 0 <= number <= 7:
        raise ValueError(text)
    return number % 7


def _which_field(fields: Sequence[str], message: str) -> tuple[str, str, int, int]:
    for value, (name, low, high) in zip(fields, _CRON_FIELDS, strict=True):
        if f"'{value}'" in message:
            return name, value, low, high
    # APScheduler names the expression it rejected; fall back to the first that isn't a star
    for value, (name, low, high) in zip(fields, _CRON_FIELDS, strict=True):
        if value != "*":
            return name, value, low, high
    return _CRON_FIELDS[0][0], fields[0], _CRON_FIELDS[0][1], _CRON_FIELDS[0][2]


# --- every N weeks --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeeklyRule:
    """Every ``every`` weeks on ``weekday`` (0 = Monday) at ``at``, counted from ``anchor``."""

    weekday: int
    at: time
    every: int
    anchor: date  # a date on ``weekday``; runs fall on anchor ± k·every weeks

    @property
    def canonical(self) -> str:
        return f"every {self.every} weeks on {WEEKDAYS[self.weekday]} {self.at:%H:%M} from {self.anchor.isoformat()}"

    def describe(self) -> str:
        return f"every {self.every} weeks on {WEEKDAYS[self.weekday]} at {self.at:%H:%M}"

    def next_wall(self, after: datetime) -> datetime | None:
        period = 7 * self.every
        offset = (after.date() - self.anchor).days
        weeks = -(-offset // period)  # ceiling, also for dates before the anchor
        day = self.anchor + timedelta(days=weeks * period)
        candidate = datetime.combine(day, self.at)
        if candidate <= after:
            candidate = datetime.combine(day + timedelta(days=period), self.at)
        return candidate


# --- friendly forms -------------------------------------------------------------------------

_DAY_WORDS = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d + "s": i for i, d in enumerate(WEEKDAYS)},
    **{d[:3]: i for i, d in enumerate(WEEKDAYS)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_NOISE = {"on", "at", "and", "weekly", "every", "each", "week", "weeks", "other"}


def parse_form(text: str, *, today: date) -> Rule:
    """Read a schedule as people type it. ``today`` (the circle's local date) anchors
    ``every N weeks`` to its first coming occurrence."""
    cleaned = " ".join(text.strip().lower().replace(",", " , ").split())
    if not cleaned:
        raise FormError(NOT_UNDERSTOOD.format(text=text.strip(), examples=EXAMPLES))
    words = cleaned.split()
    plain = text.strip().lower().split()
    if (
        len(plain) >= 3
        and all(_CRON_LOOKS.match(w) for w in plain)
        and any(ch.isdigit() or ch == "*" for ch in plain[0])
    ):
        return parse_cron(" ".join(plain))  # cron-shaped; it explains a wrong number of fields
    words = [w for w in words if w != ","]
    anchor: date | None = None
    if len(words) >= 2 and words[-2] == "from":
        try:
            anchor = date.fromisoformat(words[-1])
        except ValueError:
            raise FormError(NOT_UNDERSTOOD.format(text=text.strip(), examples=EXAMPLES)) from None
        words = words[:-2]
    at, words = _take_time(words, text.strip())
    every = 1
    if (
        len(words) >= 3
        and words[0] == "every"
        and words[1].isdigit()
        and words[2] in ("weeks", "week")
    ):
        every = int(words[1])
        words = words[3:]
    elif len(words) >= 2 and words[0] == "every" and words[1] == "other":
        every = 2
        words = words[2:]
    elif words[:1] == ["fortnightly"]:
        every = 2
        words = words[1:]
    if not 1 <= every <= MAX_EVERY_WEEKS:
        raise FormError(EVERY_RANGE.format(most=MAX_EVERY_WEEKS, text=text.strip(), weeks=every))
    label_time = f"{at:%H:%M}"
    rest = [w for w in words if w not in _NOISE]
    if every == 1:
        if rest in (["daily"], ["day"]):
            return parse_cron(f"{at.minute} {at.hour} * * *", f"daily at {label_time}")
        if rest == ["weekdays"]:
            return parse_cron(f"{at.minute} {at.hour} * * 1-5", f"weekdays at {label_time}")
        if rest in (["weekends"], ["weekend"]):
            return parse_cron(f"{at.minute} {at.hour} * * 0,6", f"weekends at {label_time}")
    days = _days(rest)
    if days is None:
        raise FormError(NOT_UNDERSTOOD.format(text=text.strip(), examples=EXAMPLES))
    if every == 1:
        cron_days = ",".join(str((d + 1) % 7) for d in days)
        names = " and ".join(WEEKDAYS[d] + "s" for d in days)
        return parse_cron(f"{at.minute} {at.hour} * * {cron_days}", f"{names} at {label_time}")
    if len(days) != 1:
        raise FormError(
            f"For a schedule every {every} weeks, I need one day of the week, like `every {every} weeks on thursday 18:00`."
        )
    weekday = days[0]
    if anchor is None:
        anchor = today + timedelta(days=(weekday - today.weekday()) % 7)
    elif anchor.weekday() != weekday:
        raise FormError(NOT_UNDERSTOOD.format(text=text.strip(), examples=EXAMPLES))
    return WeeklyRule(weekday, at, every, anchor)


@functools.lru_cache(maxsize=4096)
def load_rule(canonical: str) -> Rule:
    """Read back a stored rule (its ``canonical`` text). Rules are immutable, and many circles
    share one ("0 19 * * 1"), so they are cached."""
    return parse_form(canonical, today=date(2000, 1, 3))


def _take_time(words: list[str], original: str) -> tuple[time, list[str]]:
    """Find the time of day (the last words: ``19:00``, ``7pm``, ``7 pm``)."""
    if not words:
        raise FormError(NOT_UNDERSTOOD.format(text=original, examples=EXAMPLES))
    if len(words) >= 2 and words[-1] in ("am", "pm") and words[-2].replace(":", "").isdigit():
        words = [*words[:-2], words[-2] + words[-1]]
    last = words[-1]
    match = _TIME.match(last)
    if match is None or (":" not in last and match[3] is None):
        if any(ch.isdigit() for ch in last):
            raise FormError(BAD_TIME.format(text=last))
        raise FormError(NO_TIME.format(text=original))
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3] is not None:
        if not 1 <= hour <= 12:
            raise FormError(BAD_TIME.format(text=last))
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    if hour > 23 or minute > 59:
        raise FormError(BAD_TIME.format(text=last))
    return time(hour, minute), words[:-1]


def _days(words: Sequence[str]) -> list[int] | None:
    if not words:
        return None
    days: list[int] = []
    for word in words:
        day = _DAY_WORDS.get(word)
        if day is None:
            return None
        if day not in days:
            days.append(day)
    return sorted(days)


# --- wall times to instants: the DST rule ---------------------------------------------------


def zone_named(name: str) -> ZoneInfo:
    """The zone a schedule keeps time in; UTC (and a warning) should its name not be known."""
    zone = parse_zone(name)
    if zone is None:
        log.warning("unknown time zone %r; using UTC", name)
        return ZoneInfo("UTC")
    return zone


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant ``day`` begins in ``zone`` (its first minute, should midnight be skipped)."""
    return resolve(datetime(day.year, day.month, day.day), zone)  # noqa: DTZ001 - a wall time, resolved in the zone


def resolve(wall: datetime, zone: ZoneInfo) -> datetime:
    """The instant (aware UTC) at which ``zone``'s clock first reads ``wall`` or later."""
    if wall.tzinfo is not None:
        raise ValueError("resolve takes a naive wall time")
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _local(first, zone) == wall:
        return first  # it exists; fold=0 is the earlier of two (PEP 495)
    # It falls in a gap. Before the jump the clock reads less than ``wall``, after it more;
    # find the jump to the second.
    low = math.floor(wall.replace(tzinfo=zone, fold=1).timestamp())
    high = math.ceil(first.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if _local(datetime.fromtimestamp(middle, UTC), zone) >= wall:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def is_shifted(wall: datetime, instant: datetime, zone: ZoneInfo) -> bool:
    """True when ``wall`` didn't exist and ``instant`` is the jump it was moved to."""
    return _local(instant, zone) != wall


def _local(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One run: the wall time the rule named, and when it happens."""

    wall: datetime
    at: datetime  # aware UTC
    zone: ZoneInfo

    @property
    def local(self) -> datetime:
        return self.at.astimezone(self.zone)

    @property
    def shifted(self) -> bool:
        return is_shifted(self.wall, self.at, self.zone)


def next_occurrence(rule: Rule, zone: ZoneInfo, after: datetime) -> Occurrence | None:
    """The first run strictly after the instant ``after``."""
    wall = _local(after, zone)
    for _ in range(10_000):
        candidate = rule.next_wall(wall)
        if candidate is None:
            return None
        instant = resolve(candidate, zone)
        if instant > after:
            if instant - after > HORIZON:
                return None
            return Occurrence(candidate, instant, zone)
        wall = candidate  # an earlier wall time already happened (the clocks went back)
    return None


def next_after(rule: Rule, zone: ZoneInfo, after: datetime) -> datetime | None:
    found = next_occurrence(rule, zone, after)
    return found.at if found else None


def upcoming(rule: Rule, zone: ZoneInfo, after: datetime, count: int) -> list[Occurrence]:
    found: list[Occurrence] = []
    cursor = after
    while len(found) < count:
        occurrence = next_occurrence(rule, zone, cursor)
        if occurrence is None:
            break
        found.append(occurrence)
        cursor = occurrence.at
    return found


def latest_due(
    rule: Rule, zone: ZoneInfo, first: datetime, now: datetime, limit: int = 100_000
) -> tuple[datetime, datetime | None]:
    """From the run at ``first`` (≤ now): the last run at or before ``now``, and the one after it."""
    latest = first
    for _ in range(limit):
        following = next_after(rule, zone, latest)
        if following is None or following > now:
            return latest, following
        latest = following
    return latest, next_after(rule, zone, latest)


# --- saying times -----------------------------------------------------------------------------


def say_when(instant: datetime, zone: ZoneInfo, *, year: bool = False) -> str:
    """``Mon 9 Mar, 19:30`` on the circle's clock."""
    local = instant.astimezone(zone)
    shown = f"{local:%a} {local.day} {local:%b}"
    if year:
        shown += f" {local.year}"
    return f"{shown}, {local:%H:%M}"


def say_day(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b} {day.year}"
