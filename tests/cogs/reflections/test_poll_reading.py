"""Reading what people type for a meeting poll: slots in a zone (a time the clocks skip
included), closing times, and answers in order or numbered. Pure rules."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from cogs.reflections.poll_model import Answer, Counts, Given, Slot, best, tally
from cogs.reflections.poll_reading import PollInputError, read_answers, read_closing, read_slots

NOW = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def test_slots_are_read_in_their_zone_and_sorted() -> None:
    """Wall times in New York become instants, earliest first, across the US change."""
    slots = read_slots("2027-03-19 12:00; 2027-03-12T12:00", NEW_YORK, NOW)
    assert slots == [
        datetime(2027, 3, 12, 17, 0, tzinfo=UTC),
        datetime(2027, 3, 19, 16, 0, tzinfo=UTC),
    ]


def test_a_slot_the_clocks_skip_comes_when_they_jump() -> None:
    """02:30 on 14 March 2027 never happens in New York; it is read as 03:00, the jump."""
    slots = read_slots("2027-03-14 02:30, 2027-03-15 02:30", NEW_YORK, NOW)
    assert slots[0] == datetime(2027, 3, 14, 7, 0, tzinfo=UTC)  # 03:00 EDT


def test_closing_times() -> None:
    """A while from now, a wall time in the zone, or a day before the first slot."""
    first = datetime(2027, 3, 12, 17, 0, tzinfo=UTC)
    assert read_closing("2d", NEW_YORK, NOW, first) == datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
    assert read_closing("2027-03-11T12:00", NEW_YORK, NOW, first) == datetime(
        2027, 3, 11, 17, 0, tzinfo=UTC
    )
    assert read_closing(None, NEW_YORK, NOW, first) == datetime(2027, 3, 11, 17, 0, tzinfo=UTC)
    assert read_closing("4d5h", NEW_YORK, NOW, first) == first  # at the first slot is fine
    with pytest.raises(PollInputError, match="after the first time"):
        read_closing("5d", NEW_YORK, NOW, first)


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("yes no if-need-be", {1: Answer.YES, 2: Answer.NO, 3: Answer.IF_NEED_BE}),
        ("Yes, if need be, no", {1: Answer.YES, 2: Answer.IF_NEED_BE, 3: Answer.NO}),
        ("y ? n", {1: Answer.YES, 2: Answer.IF_NEED_BE, 3: Answer.NO}),
        ("2 yes", {2: Answer.YES}),
        ("3=maybe 1=no", {3: Answer.IF_NEED_BE, 1: Answer.NO}),
    ],
)
def test_answers_in_order_or_numbered(typed: str, read: dict[int, Answer]) -> None:
    """One word per slot, or numbered pairs to change a few."""
    assert read_answers(typed, 3) == read


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("yes no", "The poll has 3 times, and I read 2 answers"),
        ("", "and I read 0 answers"),
        ("4 yes", "there is no time 4"),
        ("yes no sometimes", "“sometimes” isn't one of them"),
    ],
)
def test_answers_that_cant_be_read(typed: str, why: str) -> None:
    with pytest.raises(PollInputError, match=why):
        read_answers(typed, 3)


def test_the_tally_and_the_times_most_can_come_to() -> None:
    """Most yes wins, then most yes-or-if-need-be; ties stand together; nobody, no best."""
    slots = [Slot(1, NOW), Slot(2, NOW), Slot(3, NOW)]
    given = [
        Given(1, "bob", Answer.YES),
        Given(2, "bob", Answer.YES),
        Given(1, "carol", Answer.NO),
        Given(2, "carol", Answer.IF_NEED_BE),
        Given(3, "carol", Answer.YES),
    ]
    counts = tally(slots, given)
    assert counts == {1: Counts(1, 0, 1), 2: Counts(1, 1, 0), 3: Counts(1, 0, 0)}
    assert best(counts) == [2]
    assert best(tally(slots, [])) == []
    assert best({1: Counts(1, 0, 0), 2: Counts(1, 0, 0)}) == [1, 2]
