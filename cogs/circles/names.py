"""How the circle's people are named in a sentence, for every cog that speaks about them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.chat import Chat
from cogs.circles.model import Circle

NOBODY_NAMED = "the facilitators"


def spoken_list(names: Sequence[str], *, empty: str = NOBODY_NAMED) -> str:
    """``Alice``, ``Alice and Bob``, ``Alice, Bob and Carol``; ``empty`` when there are none."""
    if not names:
        return empty
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


class Names:
    """The names people go by in a circle's room, as the platform shows them."""

    def __init__(self, chat: Chat) -> None:
        self._chat = chat

    async def of(self, circle: Circle, member_id: str) -> str:
        return await self._chat.display_name(circle.member(member_id), circle.room)

    async def all(self, circle: Circle, member_ids: Sequence[str]) -> list[str]:
        return [await self.of(circle, member_id) for member_id in member_ids]
