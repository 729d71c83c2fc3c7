"""How the command router finds circles: by name in a space, or by the room it lives in.
It hands the router the kernel's own circles, so a command never fetches its circle again."""

from __future__ import annotations

from bot.chat import MemberRef, RoomRef, SpaceRef, ThreadRef
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo


class CircleDirectory:
    def __init__(self, repo: CirclesRepo) -> None:
        self._repo = repo

    async def find(self, space: SpaceRef, name: str) -> Circle | None:
        return await self._repo.find(space, name)

    async def bound_to(self, room: RoomRef, thread: ThreadRef | None) -> Circle | None:
        return await self._repo.bound_to(room, thread)

    async def facilitates(self, circle_id: int, member: MemberRef) -> bool:
        return await self._repo.is_facilitator(circle_id, member.id)

    async def facilitates_any(self, space: SpaceRef, member: MemberRef) -> bool:
        return await self._repo.facilitates_any(space, member.id)

    async def in_space(self, space: SpaceRef) -> list[Circle]:
        return await self._repo.in_space(space)

    async def suggest(self, space: SpaceRef, prefix: str, limit: int = 25) -> list[str]:
        return await self._repo.suggest(space, prefix, limit)
