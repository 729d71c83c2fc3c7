"""What a platform adapter is given, and what it must provide.

An adapter turns its platform's traffic into ``bot.chat`` events and command runs (``Host``),
and offers the ``Chat`` port back. The composition root starts adapters, registers their
``Chat`` with the hub, and stops them in reverse order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Protocol

from bot.chat import (
    Chat,
    DeliveryError,
    Destination,
    Event,
    MemberRef,
    MessageRef,
    Platform,
    Reactions,
    RoomRef,
    ThreadStart,
    room_of,
)
from bot.clock import Clock
from bot.cog import Cog
from bot.commands import CommandRouter
from bot.storage.database import Database
from bot.storage.platform_state import PlatformStateRepo


class Host(Protocol):
    """The engine, as an adapter sees it."""

    @property
    def router(self) -> CommandRouter: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def state(self) -> PlatformStateRepo: ...

    @property
    def db(self) -> Database:
        """For an adapter's own repository (its tables come with its migration)."""
        ...

    async def receive(self, event: Event) -> None:
        """Hand over one inbound event. Events from bots (the bot itself too) may be passed;
        the host drops them."""
        ...

    async def advance(self, delta: timedelta) -> bool:
        """Move a manual or sandbox clock forward; False for the real clock."""
        ...

    async def run_due(self) -> int:
        """Fire the timers that are due now."""
        ...

    async def pass_time(self, delta: timedelta, *, leap: bool = False) -> bool:
        """Move a manual or sandbox clock on, firing each timer due on the way at its own time
        (with ``leap``: all at once, late); False for the real clock."""
        ...


class Adapter(Protocol):
    @property
    def platform(self) -> Platform: ...

    @property
    def chat(self) -> Chat: ...

    async def start(self) -> None:
        """Connect and catch up; return once commands and events can flow."""
        ...

    async def run(self) -> None:
        """Serve until stopped or, for the sandbox, until its input ends."""
        ...

    async def stop(self) -> None: ...

    def cogs(self) -> Sequence[Cog]:
        """Cogs the platform brings: at least its own data care, when it keeps anything about
        people (Matrix keeps reactions and direct rooms). Empty for most."""
        ...


class ChatHub:
    """One ``Chat`` for the cogs that routes each call to the platform of its ref."""

    def __init__(self) -> None:
        self._chats: dict[Platform, Chat] = {}

    def register(self, platform: Platform, chat: Chat) -> None:
        self._chats[platform] = chat

    def unregister(self, platform: Platform) -> None:
        self._chats.pop(platform, None)

    @property
    def platforms(self) -> Mapping[Platform, Chat]:
        return dict(self._chats)

    def _for(self, platform: Platform) -> Chat:
        chat = self._chats.get(platform)
        if chat is None:
            raise DeliveryError(f"{platform.value} is not connected")
        return chat

    async def send(self, where: Destination, text: str) -> MessageRef:
        return await self._for(room_of(where).platform).send(where, text)

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        return await self._for(room.platform).open_thread(room, title, text)

    async def react(self, message: MessageRef, key: str) -> None:
        await self._for(message.platform).react(message, key)

    async def edit(self, message: MessageRef, text: str) -> None:
        await self._for(message.platform).edit(message, text)

    async def pin(self, message: MessageRef) -> None:
        await self._for(message.platform).pin(message)

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        return await self._for(member.platform).send_private(member, text)

    async def reactions(self, message: MessageRef) -> Reactions:
        return await self._for(message.platform).reactions(message)

    async def remove_reaction(self, message: MessageRef, member: MemberRef, key: str) -> None:
        await self._for(message.platform).remove_reaction(message, member, key)

    def message_link(self, message: MessageRef) -> str:
        chat = self._chats.get(message.platform)
        return chat.message_link(message) if chat else f"#{message.id}"

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool:
        return await self._for(room.platform).is_moderator(member, room)

    async def moderators(self, room: RoomRef) -> Sequence[MemberRef]:
        return await self._for(room.platform).moderators(room)

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        return await self._for(member.platform).display_name(member, room)

    def command_prefix(self, platform: Platform) -> str:
        chat = self._chats.get(platform)
        return chat.command_prefix(platform) if chat else "/"

    def member_handle(self, member: MemberRef) -> str:
        chat = self._chats.get(member.platform)
        return chat.member_handle(member) if chat else member.id
