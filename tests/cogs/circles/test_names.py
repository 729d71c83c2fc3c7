"""Naming the circle's people in a sentence."""

from __future__ import annotations

from cogs.circles.names import spoken_list


def test_names_are_spoken_as_a_list() -> None:
    """One name, two joined by “and”, more with commas; nobody falls back to the facilitators."""
    assert spoken_list(["Alice"]) == "Alice"
    assert spoken_list(["Alice", "Bob"]) == "Alice and Bob"
    assert spoken_list(["Alice", "Bob", "Carol"]) == "Alice, Bob and Carol"
    assert spoken_list([]) == "the facilitators"
