"""What each of the kernel's sets of commands works with: the circles' repository, the Chat
port, the event bus (to tell the features what changed), facilitation, and people's names."""

from __future__ import annotations

from bot.chat import Chat
from bot.cog import EventBus
from cogs.circles.facilitation import Facilitation
from cogs.circles.names import Names
from cogs.circles.repo import CirclesRepo


class CommandSet:
    def __init__(
        self, repo: CirclesRepo, chat: Chat, bus: EventBus, facilitation: Facilitation
    ) -> None:
        self._repo = repo
        self._chat = chat
        self._bus = bus
        self._facilitation = facilitation
        self._names = Names(chat)
