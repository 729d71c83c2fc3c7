"""How the circle's people are named in a sentence, for every cog that speaks about them."""

from __future__ import annotations

from collections.abc import Sequence

NOBODY_NAMED = "the facilitators"


def spoken_list(names: Sequence[str], *, empty: str = NOBODY_NAMED) -> str:
    """``Alice``, ``Alice and Bob``, ``Alice, Bob and Carol``; ``empty`` when there are none."""
    if not names:
        return empty
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]
