"""Facilitation rotates: pure rules for the rota and for who holds the circle now."""

from __future__ import annotations

from collections.abc import Sequence


def next_holder(rota: Sequence[str], holder: str | None) -> str | None:
    """The person after ``holder`` on the rota, wrapping round; the first if nobody holds it."""
    if not rota:
        return None
    if holder is None or holder not in rota:
        return rota[0]
    return rota[(list(rota).index(holder) + 1) % len(rota)]


def holder_after_removal(rota: Sequence[str], holder: str | None, removed: str) -> str | None:
    """Who holds the circle once ``removed`` leaves the rota.

    If they were holding it, it passes to the next person, as if they had passed it on.
    """
    remaining = [m for m in rota if m != removed]
    if not remaining:
        return None
    if holder != removed and holder in remaining:
        return holder
    if removed not in rota:
        return remaining[0]
    index = list(rota).index(removed)
    return remaining[index % len(remaining)]


def rotation_order(rota: Sequence[str], holder: str | None) -> list[str]:
    """The rota read from the current holder onwards: the order people will facilitate."""
    if holder is None or holder not in rota:
        return list(rota)
    start = list(rota).index(holder)
    return [*rota[start:], *rota[:start]]
