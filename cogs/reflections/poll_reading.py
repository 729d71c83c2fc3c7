"""Reading what people type for a meeting poll: its slots, when it closes, and a member's
answers. Pure rules, no I/O; each refusal is a ``PollInputError`` whose text is a sentence
for the person (from ``texts.py``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.commands import parse_duration
from bot.text import clip
from cogs.reflections.poll_model import MAX_SLOTS, MIN_SLOTS, Answer
from cogs.reflections.texts import (
    ANSWER_COUNT,
    ANSWER_NUMBER,
    ANSWER_WORD,
    CLOSES_AFTER_FIRST,
    CLOSES_BAD,
    CLOSES_PAST,
    SLOT_BAD,
    SLOT_PAST,
    SLOT_REPEATED,
    SLOTS_TOO_FEW,
    SLOTS_TOO_MANY,
)
from cogs.reflections.timing import resolve, say_when

_SLOT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s+|t)(\d{1,2}):(\d{2})$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[,;\n]+")
_WORDS = {
    "yes": Answer.YES,
    "y": Answer.YES,
    "✅": Answer.YES,
    "if-need-be": Answer.IF_NEED_BE,
    "ifneedbe": Answer.IF_NEED_BE,
    "if_need_be": Answer.IF_NEED_BE,
    "maybe": Answer.IF_NEED_BE,
    "?": Answer.IF_NEED_BE,
    "no": Answer.NO,
    "n": Answer.NO,
    "❌": Answer.NO,
}


class PollInputError(ValueError):
    """What was typed can't make or answer a poll; ``str(error)`` says why, kindly."""


def read_wall(text: str) -> datetime | None:
    """``2027-03-10 19:00`` (or ``2027-03-10T19:00``) as a naive wall time, or None."""
    match = _SLOT.match(text.strip())
    if match is None:
        return None
    try:
        day = date.fromisoformat(match[1])
        return datetime.combine(day, time(int(match[2]), int(match[3])))
    except ValueError:
        return None


def read_slots(text: str, zone: ZoneInfo, now: datetime) -> list[datetime]:
    """The slots offered (aware UTC, earliest first), read as wall times in ``zone``."""
    items = [item.strip() for item in _SEPARATORS.split(text) if item.strip()]
    if len(items) < MIN_SLOTS:
        raise PollInputError(SLOTS_TOO_FEW.format(least=MIN_SLOTS, given=len(items)))
    if len(items) > MAX_SLOTS:
        raise PollInputError(SLOTS_TOO_MANY.format(most=MAX_SLOTS, given=len(items)))
    found: list[datetime] = []
    for item in items:
        wall = read_wall(item)
        if wall is None:
            raise PollInputError(SLOT_BAD.format(text=clip(item, 40)))
        instant = resolve(wall, zone)
        if instant <= now:
            raise PollInputError(
                SLOT_PAST.format(slot=say_when(instant, zone, year=True), zone=zone.key)
            )
        if instant in found:
            raise PollInputError(SLOT_REPEATED.format(slot=say_when(instant, zone, year=True)))
        found.append(instant)
    return sorted(found)


def read_closing(text: str | None, zone: ZoneInfo, now: datetime, first: datetime) -> datetime:
    """When the poll closes: ``2d`` from now, or a date and time in ``zone``; by default a day
    before the first slot. It must come after now and no later than the first slot."""
    if text is None or not text.strip():
        closes = first - timedelta(days=1)
        if closes <= now:
            raise PollInputError(CLOSES_PAST.format(when=say_when(closes, zone), zone=zone.key))
        return closes
    given = text.strip()
    wait = parse_duration(given)
    if wait is not None:
        closes = now + wait
    else:
        wall = read_wall(given)
        if wall is None:
            raise PollInputError(CLOSES_BAD.format(text=clip(given, 40)))
        closes = resolve(wall, zone)
    if closes <= now:
        raise PollInputError(CLOSES_PAST.format(when=say_when(closes, zone), zone=zone.key))
    if closes > first:
        raise PollInputError(
            CLOSES_AFTER_FIRST.format(
                when=say_when(closes, zone), first=say_when(first, zone), zone=zone.key
            )
        )
    return closes


def read_answers(text: str, count: int) -> dict[int, Answer]:
    """A member's answers: one word per slot in order (``yes no if-need-be``), or numbered
    (``2 yes 3 no``, ``2=yes``) to change a few."""
    cleaned = re.sub(r"\bif\s+need\s+be\b", "if-need-be", text.strip().lower())
    tokens = [t for t in re.split(r"[\s,;=]+", cleaned) if t]
    if tokens and all(t.isdigit() for t in tokens[::2]) and len(tokens) % 2 == 0:
        pairs: Sequence[tuple[str, str]] = list(zip(tokens[::2], tokens[1::2], strict=True))
        numbered = True
    else:
        pairs = [(str(i), t) for i, t in enumerate(tokens, start=1)]
        numbered = False
        if len(tokens) != count:
            raise PollInputError(ANSWER_COUNT.format(count=count, given=len(tokens)))
    answers: dict[int, Answer] = {}
    for number, word in pairs:
        position = int(number)
        if numbered and not 1 <= position <= count:
            raise PollInputError(ANSWER_NUMBER.format(number=position, count=count))
        answer = _WORDS.get(word)
        if answer is None:
            raise PollInputError(ANSWER_WORD.format(word=clip(word, 30)))
        answers[position] = answer
    return answers
