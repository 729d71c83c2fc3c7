"""Who is asked for a call, in what order: the pure rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogs.support.lineup import line_up
from cogs.support.model import Tier

people = st.lists(st.sampled_from("abcdefgh"), max_size=6, unique=True)


def test_the_holder_then_the_rota_from_them_then_moderators() -> None:
    found = line_up(
        caller="z", holder="c", rota=["a", "b", "c", "d"], moderators=["m", "a"], away=()
    )
    assert found == [
        (Tier.HOLDER, "c"),
        (Tier.FACILITATORS, "d"),
        (Tier.FACILITATORS, "a"),
        (Tier.FACILITATORS, "b"),
        (Tier.MODERATORS, "m"),
    ]


def test_nobody_holding_starts_with_the_rota() -> None:
    assert line_up(caller="z", holder=None, rota=["a"], moderators=[], away=()) == [
        (Tier.FACILITATORS, "a")
    ]


@given(people, people, people, st.sampled_from("abcdefgh"), st.none() | st.sampled_from("abcd"))
def test_never_the_caller_never_someone_away_nobody_twice(
    rota: list[str], moderators: list[str], away: list[str], caller: str, holder: str | None
) -> None:
    found = line_up(caller=caller, holder=holder, rota=rota, moderators=moderators, away=away)
    who = [w for _, w in found]
    assert caller not in who
    assert not set(away) & set(who)
    assert len(who) == len(set(who))
    assert [t for t, _ in found] == sorted(t for t, _ in found)
    assert set(who) == (set(rota) | set(moderators)) - {caller} - set(away)
