"""The shuffle bag: no prompt comes twice before the whole deck has come once."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from cogs.reflections.shuffle_bag import draw, round_order

prompt_ids = st.lists(
    st.from_regex(r"[a-z]{1,3}-[0-9]{2}", fullmatch=True), min_size=1, max_size=25, unique=True
)
seeds = st.text(max_size=12)


@given(prompt_ids, seeds, st.integers(min_value=1, max_value=4))
def test_the_deck_never_repeats_before_it_is_exhausted(
    deck: list[str], seed: str, rounds: int
) -> None:
    """Drawing round after round: each run of len(deck) draws holds every prompt exactly once."""
    uses: Counter[str] = Counter()
    drawn = []
    for _ in range(len(deck) * rounds):
        chosen = draw(deck, uses, seed)
        assert chosen is not None
        uses[chosen] += 1
        drawn.append(chosen)
    size = len(deck)
    for k in range(rounds):
        assert sorted(drawn[k * size : (k + 1) * size]) == sorted(deck)


@given(prompt_ids, seeds, st.data())
def test_every_draw_takes_a_least_used_eligible_prompt(
    deck: list[str], seed: str, data: st.DataObject
) -> None:
    """With theme filters mixed in, each draw is eligible and among the least used of the eligible,
    so within any filter nothing repeats before the others have come."""
    uses: Counter[str] = Counter()
    for _ in range(data.draw(st.integers(min_value=1, max_value=60))):
        eligible = data.draw(st.one_of(st.none(), st.sets(st.sampled_from(deck), min_size=1)))
        chosen = draw(deck, uses, seed, eligible)
        pool = set(deck) if eligible is None else eligible
        assert chosen in pool
        assert uses[chosen] == min(uses[p] for p in pool)
        uses[chosen] += 1


@given(prompt_ids, seeds, st.data())
def test_a_prompt_added_mid_round_joins_the_current_round(
    deck: list[str], seed: str, data: st.DataObject
) -> None:
    """A prompt added part-way (an approved suggestion) comes before any prompt's second time."""
    uses: Counter[str] = Counter()
    drawn: list[str | None] = []
    for _ in range(data.draw(st.integers(min_value=0, max_value=len(deck)))):
        drawn.append(draw(deck, uses, seed))
        uses[drawn[-1] or ""] += 1
    grown = [*deck, "zz-new"]
    while len(drawn) < len(grown):
        drawn.append(draw(grown, uses, seed))
        uses[drawn[-1] or ""] += 1
    assert sorted(d or "" for d in drawn) == sorted(grown)


@given(prompt_ids, seeds)
def test_draws_are_the_same_for_the_same_seed(deck: list[str], seed: str) -> None:
    """The order depends only on the seed and the round: two instances, or a test, can predict it."""
    assert round_order(deck, seed, 0) == round_order(list(reversed(deck)), seed, 0)
    assert draw(deck, {}, seed) == round_order(deck, seed, 0)[0]


def test_rounds_and_circles_shuffle_differently() -> None:
    """Each round, and each circle's seed, gives its own order."""
    deck = [f"p-{i:02d}" for i in range(30)]
    assert round_order(deck, "1:ips", 0) != round_order(deck, "1:ips", 1)
    assert round_order(deck, "1:ips", 0) != round_order(deck, "2:ips", 0)


def test_nothing_eligible_draws_nothing() -> None:
    """A filter that matches no prompt in the deck draws None."""
    assert draw(["a-01"], {}, "s", eligible={"b-01"}) is None
    assert draw([], {}, "s") is None
