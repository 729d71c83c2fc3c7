"""Finding a meeting time: a poll's slots, members' answers and the tally. Pure types and
rules, no I/O; the poll repository maps rows into them, ``poll_reading.py`` reads what
people type."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

MIN_SLOTS = 2
MAX_SLOTS = 8


class Answer(enum.StrEnum):
    YES = "yes"
    IF_NEED_BE = "if_need_be"
    NO = "no"

    @property
    def words(self) -> str:
        return {"yes": "yes", "if_need_be": "if need be", "no": "no"}[self.value]


@dataclass(frozen=True, slots=True)
class Slot:
    position: int  # from 1, as people see and type it
    starts_at: datetime  # aware UTC


@dataclass(frozen=True, slots=True)
class Counts:
    yes: int = 0
    if_need_be: int = 0
    no: int = 0

    def add(self, answer: Answer) -> Counts:
        return Counts(
            self.yes + (answer is Answer.YES),
            self.if_need_be + (answer is Answer.IF_NEED_BE),
            self.no + (answer is Answer.NO),
        )


@dataclass(frozen=True, slots=True)
class Poll:
    id: int
    circle_id: int
    secret: bool
    stated_zone: str
    closes_at: datetime
    created_by: str | None
    created_at: datetime
    closed_at: datetime | None
    picked: int | None
    decided_by: str | None
    answered: int | None  # how many members answered, written at the close
    slots: tuple[Slot, ...]
    # written at the close, by slot number (empty while open)
    frozen: Mapping[int, Counts] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def slot(self, position: int) -> Slot | None:
        return next((s for s in self.slots if s.position == position), None)


@dataclass(frozen=True, slots=True)
class Given:
    """One member's answer for one slot."""

    position: int
    member_id: str
    answer: Answer


def tally(slots: Sequence[Slot], answers: Sequence[Given]) -> dict[int, Counts]:
    """How many said yes, if need be and no, for each slot."""
    counts = {slot.position: Counts() for slot in slots}
    for given in answers:
        if given.position in counts:
            counts[given.position] = counts[given.position].add(given.answer)
    return counts


def who_said(answers: Sequence[Given], position: int, answer: Answer) -> list[str]:
    """The members who gave ``answer`` for slot ``position``, in the order they are stored."""
    return [g.member_id for g in answers if g.position == position and g.answer is answer]


def best(counts: Mapping[int, Counts]) -> list[int]:
    """The slots most people can come to: most yes, then most yes-or-if-need-be. Ties all
    stand; nobody able to come means no slot stands out."""
    if not counts or all(c.yes + c.if_need_be == 0 for c in counts.values()):
        return []
    top = max((c.yes, c.yes + c.if_need_be) for c in counts.values())
    return sorted(p for p, c in counts.items() if (c.yes, c.yes + c.if_need_be) == top)
