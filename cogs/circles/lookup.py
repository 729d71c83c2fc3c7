"""The circles as every feature may read them, and the circle a command is about.

Features get a ``CircleLookup``: read-only, so the kernel stays the one place where circles
and memberships change. The router finds a command's circle once and hands it over in the
invocation; ``circle_of`` gives it back as the kernel's own ``Circle``.
"""

from __future__ import annotations

from typing import Protocol

from bot.chat import RoomRef, SpaceRef, ThreadRef
from bot.commands import Invocation
from cogs.circles.model import Circle, Membership


class CircleLookup(Protocol):
    """What a feature may ask the kernel about circles. Nothing here changes anything."""

    async def get(self, circle_id: int) -> Circle | None:
        """The circle as it is now (None once it is gone)."""
        ...

    async def bound_to(self, room: RoomRef, thread: ThreadRef | None) -> Circle | None:
        """The circle of this thread, or else of the room the thread is in."""
        ...

    async def in_space(self, space: SpaceRef) -> list[Circle]:
        """Every circle of a space, resting ones last."""
        ...

    async def members(self, circle_id: int) -> list[Membership]:
        """The circle's members in the order they joined."""
        ...

    async def is_member(self, circle_id: int, member_id: str) -> bool: ...

    async def rota(self, circle_id: int) -> list[str]:
        """The facilitation rota, in order (the holder is ``Circle.holder_id``)."""
        ...

    async def is_facilitator(self, circle_id: int, member_id: str) -> bool: ...


def circle_of(inv: Invocation) -> Circle:
    """The circle the router found for this command (it declares a circle option)."""
    circle = inv.need_circle
    if not isinstance(circle, Circle):
        raise TypeError(f"the router found a {type(circle).__name__}, not a kernel Circle")
    return circle
