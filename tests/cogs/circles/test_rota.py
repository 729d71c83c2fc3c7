"""The facilitation rota's pure rules."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogs.circles.rota import holder_after_removal, next_holder, rotation_order

rotas = st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=7, unique=True)


@given(rotas)
def test_passing_len_times_comes_back_round(rota: list[str]) -> None:
    """Passing facilitation once per person returns it to whoever started, visiting everyone once."""
    holder = rota[0]
    visited = []
    for _ in rota:
        visited.append(holder)
        holder = next_holder(rota, holder) or ""
    assert holder == rota[0]
    assert sorted(visited) == sorted(rota)


def test_nobody_holding_means_the_first_holds_next() -> None:
    """With no current holder the first on the rota takes it; an empty rota has nobody."""
    assert next_holder(["a", "b"], None) == "a"
    assert next_holder([], "a") is None


@given(rotas, st.data())
def test_removing_someone_never_leaves_them_holding(rota: list[str], data: st.DataObject) -> None:
    """After removal the holder is someone still on the rota (or nobody if it emptied)."""
    holder = data.draw(st.sampled_from(rota))
    removed = data.draw(st.sampled_from(rota))
    after = holder_after_removal(rota, holder, removed)
    remaining = [m for m in rota if m != removed]
    assert after in remaining if remaining else after is None
    if holder != removed:
        assert after == holder


def test_removing_the_holder_passes_to_the_next() -> None:
    """The person after the removed holder takes over, wrapping at the end."""
    assert holder_after_removal(["a", "b", "c"], "b", "b") == "c"
    assert holder_after_removal(["a", "b", "c"], "c", "c") == "a"


def test_rotation_order_reads_from_the_holder() -> None:
    """The rota is shown from the current holder onwards."""
    assert rotation_order(["a", "b", "c"], "b") == ["b", "c", "a"]
