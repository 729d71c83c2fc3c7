"""The talking piece's pure rules."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.circles.rounds import NotInRound, NotYourTurn, Outcome, Round, RoundOver

people = st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=8, unique=True)


def test_the_piece_starts_with_the_first_person() -> None:
    """A new round is held by the first person in the order."""
    assert Round.begin(["a", "b"]).holder == "a"


def test_only_the_holder_may_end_their_turn() -> None:
    """Ending a turn out of order raises NotYourTurn naming the holder; outsiders get NotInRound."""
    round_ = Round.begin(["a", "b"])
    with pytest.raises(NotYourTurn) as caught:
        round_.end_turn("b", Outcome.SHARED)
    assert caught.value.holder == "a"
    with pytest.raises(NotInRound):
        round_.end_turn("z", Outcome.SHARED)


def test_a_finished_round_refuses_moves() -> None:
    """After the last turn nothing else can happen."""
    done = Round.begin(["a"]).end_turn("a", Outcome.PASSED)
    assert done.finished
    with pytest.raises(RoundOver):
        done.move_on()


@given(people, st.lists(st.sampled_from(["done", "pass", "next"]), max_size=12))
def test_every_person_gets_exactly_one_outcome_in_order(order: list[str], moves: list[str]) -> None:
    """However the turns go, the piece only moves forward and each person gets one outcome."""
    round_ = Round.begin(order)
    seen: list[str] = []
    for move in moves:
        if round_.finished:
            break
        holder = round_.holder
        assert holder is not None
        seen.append(holder)
        if move == "next":
            round_ = round_.move_on()
        else:
            round_ = round_.end_turn(holder, Outcome.SHARED if move == "done" else Outcome.PASSED)
    assert seen == order[: len(seen)]
    summary = round_.summary()
    decided = [*summary.shared, *summary.passed, *summary.moved_on]
    assert sorted(decided) == sorted(seen)


@given(people, st.sampled_from("abcdefghij"))
def test_late_joiners_go_to_the_end_once(order: list[str], late: str) -> None:
    """Adding someone appends them once; adding someone already there changes nothing."""
    round_ = Round.begin(order).add_late(late)
    assert round_.order.count(late) == 1
    if late not in order:
        assert round_.order[-1] == late


@given(people, st.data())
def test_a_leaver_is_skipped_and_the_piece_moves_if_it_was_theirs(
    order: list[str], data: st.DataObject
) -> None:
    """Removing someone marks them as left; if they held the piece, the next person holds it."""
    leaver = data.draw(st.sampled_from(order))
    round_ = Round.begin(order)
    after = round_.remove(leaver)
    assert leaver in after.summary().left
    assert after.holder != leaver
    if round_.holder != leaver:
        assert after.holder == round_.holder


@given(people, st.data())
def test_forgetting_someone_removes_them_and_keeps_the_holder(
    order: list[str], data: st.DataObject
) -> None:
    """An erased person vanishes from the order; whoever else held the piece still holds it."""
    moves = data.draw(st.integers(min_value=0, max_value=len(order)))
    round_ = Round.begin(order)
    for _ in range(moves):
        if not round_.finished:
            round_ = round_.move_on()
    gone = data.draw(st.sampled_from(order))
    after = round_.forget(gone)
    assert gone not in after.order
    if round_.holder not in (None, gone):
        assert after.holder == round_.holder
