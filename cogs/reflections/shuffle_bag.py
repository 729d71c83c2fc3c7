"""Which prompt comes next: a shuffle bag per circle and deck. Pure rules.

Every prompt in a deck goes into the bag; one is drawn at a time until the bag is empty, then it
is filled again. In numbers: a prompt's *uses* counts how often the circle has had it, and the
next prompt is always one with the fewest uses. So no prompt comes twice before every other
prompt has come once, and a prompt added to the deck later joins the current round at once.

Within a round (all prompts at the same number of uses) the order is a shuffle seeded by the
circle, the deck and the round, so it is different for each circle and each round, and the same
every time it is computed (tests can predict it; two instances agree).

A theme filter draws only from the prompts with that theme, and the same rule holds among them.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence


def round_order(prompt_ids: Collection[str], seed: str, round_number: int) -> list[str]:
    """The shuffled order of one round of the bag."""
    order = sorted(set(prompt_ids))
    # Not for secrets: a varied, repeatable order is all we need.
    random.Random(f"{seed}:{round_number}").shuffle(order)  # noqa: S311
    return order


def draw(
    prompt_ids: Sequence[str],
    uses: Mapping[str, int],
    seed: str,
    eligible: Collection[str] | None = None,
) -> str | None:
    """The next prompt from the bag, or None when no prompt is eligible.

    ``prompt_ids`` is the whole deck, ``uses`` how often the circle has had each prompt, and
    ``eligible`` the ones this draw may take (a theme filter); all of them when None.
    """
    allowed = set(prompt_ids) if eligible is None else set(prompt_ids) & set(eligible)
    if not allowed:
        return None
    fewest = min(uses.get(p, 0) for p in allowed)
    for prompt_id in round_order(prompt_ids, seed, fewest):
        if prompt_id in allowed and uses.get(prompt_id, 0) == fewest:
            return prompt_id
    return None  # unreachable: some allowed prompt has the fewest uses
