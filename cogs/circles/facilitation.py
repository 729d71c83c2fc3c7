"""Facilitation: who holds a circle now, and passing it on. The rota command and the
schedules that pass it on by themselves both come here, so it changes hands one way."""

from __future__ import annotations

from bot.chat import Chat, MemberRef
from cogs.circles.model import Circle
from cogs.circles.names import Names
from cogs.circles.repo import CirclesRepo
from cogs.circles.rota import next_holder
from cogs.circles.texts import (
    HOLDER_NOW,
    NO_HOLDER,
    PASS_ALONE,
    PASSED_ON,
    PASSED_ON_BY,
    ROTA_EMPTY,
)


class Facilitation:
    def __init__(self, repo: CirclesRepo, chat: Chat) -> None:
        self._repo = repo
        self._chat = chat
        self._names = Names(chat)

    async def pass_on(self, circle: Circle, prefix: str, *, by: MemberRef | None = None) -> str:
        """Move facilitation to the next person on the rota; return what to tell the circle.
        ``by``: someone other than the holder passed it (named in what the circle hears)."""
        rota = await self._repo.rota(circle.id)
        if not rota:
            return ROTA_EMPTY.format(circle=circle.name)
        current = circle.holder_id if circle.holder_id in rota else rota[0]
        following = next_holder(rota, current)
        current_name = await self._names.of(circle, current)
        if following is None or following == current:
            return PASS_ALONE.format(name=current_name, circle=circle.name, prefix=prefix)
        await self._repo.set_holder(circle.id, following)
        fmt = {
            "circle": circle.name,
            "name": await self._names.of(circle, following),
            "previous": current_name,
        }
        if by is not None:
            by_name = await self._chat.display_name(by, circle.room)
            return PASSED_ON_BY.format(by=by_name, **fmt)
        return PASSED_ON.format(**fmt)

    async def announce(self, circle: Circle, holder: str | None, prefix: str) -> None:
        """Tell the circle who holds it now (or that nobody does) after the rota changed."""
        if holder is None:
            text = NO_HOLDER.format(circle=circle.name, prefix=prefix)
        else:
            text = HOLDER_NOW.format(name=await self._names.of(circle, holder), circle=circle.name)
        await self._chat.send(circle.home, text)
