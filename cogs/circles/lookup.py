"""The circle a command is about, in full, for the cogs that act on circles."""

from __future__ import annotations

from bot.commands import CommandError, Invocation
from cogs.circles.repo import Circle, CirclesRepo

GONE = "That circle isn't here any more."


async def invoked_circle(circles: CirclesRepo, inv: Invocation) -> Circle:
    """The full circle the router found for this command (it may have gone meanwhile)."""
    circle = await circles.get(inv.need_circle.id)
    if circle is None:
        raise CommandError(GONE)
    return circle
