"""Who is asked to take a call, and in what order: pure rules, no I/O."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from cogs.support.model import Tier


def line_up(
    *,
    caller: str,
    holder: str | None,
    rota: Sequence[str],
    moderators: Sequence[str],
    away: Collection[str],
) -> list[tuple[Tier, str]]:
    """The people to ask, tier by tier: the one holding the circle, then the other
    facilitators on the rota (in rota order from the holder), then the space's moderators. Nobody twice,
    never the caller, never someone who said they are away."""
    if holder is not None and holder in rota:
        start = list(rota).index(holder)
        ordered = [*rota[start + 1 :], *rota[:start]]
    else:
        ordered = list(rota)
    seen: set[str] = {caller, *away}
    found: list[tuple[Tier, str]] = []

    def add(tier: Tier, who: str) -> None:
        if who not in seen:
            seen.add(who)
            found.append((tier, who))

    if holder is not None and holder in rota:
        add(Tier.HOLDER, holder)
    for who in ordered:
        add(Tier.FACILITATORS, who)
    for who in moderators:
        add(Tier.MODERATORS, who)
    return found
