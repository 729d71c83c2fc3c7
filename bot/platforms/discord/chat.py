"""The ``Chat`` port on Discord: what cogs may ask, done with discord.py.

Every send goes out in parts of at most 2,000 characters and with mentions switched off. Sends
use partial channels and messages (an id is enough), so nothing waits for a cache. Any refusal
from Discord (missing permission, closed DMs, a deleted message) becomes ``DeliveryError``; a
missing permission is also handed to the ``PermissionWatch``, which tells the moderators.

Reading reactions back asks for both kinds Discord keeps apart, normal and super ("burst")
reactions, and reads the emoji of one message side by side; discord.py keeps each request
within its rate-limit bucket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

import discord

from bot.chat import (
    DeliveryError,
    Destination,
    MemberRef,
    MessageRef,
    Platform,
    Reactions,
    RoomRef,
    ThreadRef,
    ThreadStart,
)
from bot.platforms.discord.people import People
from bot.platforms.discord.permissions import Action, PermissionWatch
from bot.platforms.discord.rendering import (
    MESSAGE_LIMIT,
    NO_MENTIONS,
    THREAD_NAME_LIMIT,
    clip,
    split_message,
)
from bot.platforms.discord.translate import DM_SPACE, emoji_key, message_channel_id

log = logging.getLogger(__name__)

PREFIX = "/"
SOMEONE = "someone"
# A week: rounds and conversations in a thread can run for days. Sending into an archived
# thread reopens it anyway, as long as it isn't locked.
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080
CLOSED_DMS = 50007  # Discord's "Cannot send messages to this user"


class DiscordChat:
    def __init__(
        self,
        client_of: Callable[[], discord.Client],
        people: People,
        watch: PermissionWatch | None = None,
    ) -> None:
        self._client_of = client_of
        self._people = people
        self._watch = watch

    @property
    def _client(self) -> discord.Client:
        return self._client_of()

    def _channel(self, channel_id: int, guild_id: str | None = None) -> discord.PartialMessageable:
        guild = int(guild_id) if guild_id and guild_id != DM_SPACE else None
        return self._client.get_partial_messageable(channel_id, guild_id=guild)

    def _message(self, message: MessageRef) -> discord.PartialMessage:
        channel = self._channel(message_channel_id(message), message.room.space_id)
        return channel.get_partial_message(int(message.id))

    async def _refused(
        self,
        room: RoomRef,
        action: Action,
        error: discord.HTTPException,
        *,
        in_thread: bool = False,
    ) -> None:
        """Hand a refusal in a server to the watch, which names the missing permission."""
        if self._watch is None or room.space_id == DM_SPACE or not room.space_id.isdigit():
            return
        try:
            await self._watch.refused(
                int(room.space_id), int(room.id), action, error, in_thread=in_thread
            )
        except Exception:
            log.exception("could not work out which permission Discord refused")

    def _on_refusal(
        self, room: RoomRef, action: Action, *, in_thread: bool
    ) -> Callable[[discord.HTTPException], Awaitable[None]]:
        async def refused(error: discord.HTTPException) -> None:
            await self._refused(room, action, error, in_thread=in_thread)

        return refused

    # --- sending ---------------------------------------------------------------------------

    async def send(self, where: Destination, text: str) -> MessageRef:
        room = where.room if isinstance(where, ThreadRef) else where
        thread = where if isinstance(where, ThreadRef) else None
        channel = self._channel(int(where.id), room.space_id)
        refused = self._on_refusal(room, "send", in_thread=thread is not None)
        first = await _send_parts(channel, text, f"channel {where.id}", refused)
        return MessageRef(room, str(first.id), thread)

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        name = clip(title, THREAD_NAME_LIMIT)
        parts = split_message(text) or [name]
        action: Action = "thread"
        try:
            channel = await self._guild_channel(int(room.id))
            if isinstance(channel, discord.ForumChannel):
                action = "forum post"
                # A forum post: the thread and its first message come together, and the
                # message lives inside the thread (it shares the thread's id).
                post = await channel.create_thread(
                    name=name,
                    content=parts[0],
                    allowed_mentions=NO_MENTIONS,
                    auto_archive_duration=THREAD_ARCHIVE_MINUTES,
                )
                thread = ThreadRef(room, str(post.thread.id))
                starter = MessageRef(room, str(post.message.id), thread)
            elif isinstance(channel, discord.TextChannel):
                sent = await channel.send(parts[0], allowed_mentions=NO_MENTIONS)
                made = await sent.create_thread(
                    name=name, auto_archive_duration=THREAD_ARCHIVE_MINUTES
                )
                thread = ThreadRef(room, str(made.id))
                starter = MessageRef(room, str(sent.id), None)  # in the channel, under the thread
            else:
                raise DeliveryError(
                    f"channel {room.id} can't hold threads ({type(channel).__name__})"
                )
        except discord.HTTPException as error:
            await self._refused(room, action, error)
            raise DeliveryError(f"could not open a thread in {room.id}: {error}") from error
        if len(parts) > 1:
            rest = self._channel(int(thread.id), room.space_id)
            refused = self._on_refusal(room, "send", in_thread=True)
            await _send_parts(rest, "\n".join(parts[1:]), f"thread {thread.id}", refused)
        return ThreadStart(starter, thread)

    async def _guild_channel(self, channel_id: int) -> object:
        channel = self._client.get_channel(channel_id)
        if channel is None:
            channel = await self._client.fetch_channel(channel_id)
        return channel

    async def react(self, message: MessageRef, key: str) -> None:
        try:
            await self._message(message).add_reaction(key)  # "name:id" works for custom emoji
        except discord.HTTPException as error:
            await self._refused(message.room, "react", error, in_thread=message.thread is not None)
            raise DeliveryError(f"could not react {key} to {message.id}: {error}") from error

    async def edit(self, message: MessageRef, text: str) -> None:
        try:
            await self._message(message).edit(
                content=clip(text, MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS
            )
        except discord.HTTPException as error:
            raise DeliveryError(f"could not edit {message.id}: {error}") from error

    async def remove_reaction(self, message: MessageRef, member: MemberRef, key: str) -> None:
        """Delete User Reaction: it needs Manage Messages in the channel. The key is the
        normalised one, so the emoji as Discord holds it (a skin tone, a variation selector)
        is looked up on the message first."""
        try:
            fetched = await self._message(message).fetch()
            for reaction in fetched.reactions:
                if emoji_key(reaction.emoji) == key:
                    await fetched.remove_reaction(reaction.emoji, discord.Object(int(member.id)))
        except discord.HTTPException as error:
            raise DeliveryError(
                f"could not take {member.id}'s {key} off {message.id}: {error}"
            ) from error

    def message_link(self, message: MessageRef) -> str:
        channel = message_channel_id(message)
        return f"https://discord.com/channels/{message.room.space_id}/{channel}/{message.id}"

    async def pin(self, message: MessageRef) -> None:
        try:
            await self._message(message).pin()
        except discord.HTTPException as error:
            await self._refused(message.room, "pin", error, in_thread=message.thread is not None)
            raise DeliveryError(f"could not pin {message.id}: {error}") from error

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        try:
            dm = await self._client.create_dm(discord.Object(int(member.id)))
        except discord.HTTPException as error:
            raise DeliveryError(f"could not open a DM with {member.id}: {error}") from error
        try:
            first = await _send_parts(dm, text, f"DM to {member.id}")
        except DeliveryError as error:
            cause = error.__cause__
            if isinstance(cause, discord.Forbidden) and cause.code == CLOSED_DMS:
                raise DeliveryError(
                    f"{member.id} doesn't accept direct messages from the bot"
                ) from cause
            raise
        return MessageRef(RoomRef(Platform.DISCORD, DM_SPACE, str(dm.id)), str(first.id))

    # --- reading ---------------------------------------------------------------------------

    async def reactions(self, message: MessageRef) -> Reactions:
        """Who holds each emoji now, normal and super reactions together (bots left out)."""
        try:
            fetched = await self._message(message).fetch()
            reads = []
            for reaction in fetched.reactions:
                kinds = []
                if reaction.normal_count or not reaction.burst_count:
                    kinds.append(discord.ReactionType.normal)
                if reaction.burst_count:
                    kinds.append(discord.ReactionType.burst)
                reads += [(reaction, kind) for kind in kinds]
            found = await asyncio.gather(
                *(self._reactors(reaction, kind) for reaction, kind in reads)
            )
        except discord.HTTPException as error:
            await self._refused(message.room, "read", error, in_thread=message.thread is not None)
            raise DeliveryError(f"could not read the reactions on {message.id}: {error}") from error
        by_key: dict[str, list[MemberRef]] = {}
        for (reaction, _), users in zip(reads, found, strict=True):
            holders = by_key.setdefault(emoji_key(reaction.emoji), [])
            for user in users:
                ref = MemberRef(Platform.DISCORD, str(user.id))
                if not user.bot and ref not in holders:  # ❤ and ❤️ count once, as do both kinds
                    holders.append(ref)
        return Reactions({key: holders for key, holders in by_key.items() if holders})

    async def _reactors(
        self, reaction: discord.Reaction, kind: discord.ReactionType
    ) -> list[discord.Member | discord.User]:
        users = []
        async for user in reaction.users(limit=None, type=kind):  # pages of 100
            self._people.note(user)
            users.append(user)
        return users

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool:
        """Manage Server, or a role named in ``discord.moderator_roles``."""
        if room.space_id == DM_SPACE:
            return False
        guild_id, user_id = int(room.space_id), int(member.id)
        known = self._people.moderates(guild_id, user_id)
        if known is not None:
            return known
        fetched = await self._fetch_member(guild_id, user_id)
        return bool(fetched is not None and self._people.moderates(guild_id, user_id))

    async def moderators(self, room: RoomRef) -> list[MemberRef]:
        """The members with Manage Server (administrators have it) or a role in
        ``discord.moderator_roles``, among those the bot knows: the gateway's member cache and
        everyone seen lately in commands and messages. No request is made (listing a guild's
        members needs the privileged members intent, which the bot doesn't ask for)."""
        if room.space_id == DM_SPACE:
            return []
        guild = self._client.get_guild(int(room.space_id))
        if guild is None:
            return []
        for person in guild.members:
            if not person.bot:
                self._people.note(person)
        me = self._client.user
        return [
            MemberRef(Platform.DISCORD, str(i))
            for i in self._people.moderators_seen(guild.id)
            if (me is None or i != me.id) and not self._people.is_bot(i)
        ]

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        user_id = int(member.id)
        if room is not None and room.space_id != DM_SPACE:
            guild_id = int(room.space_id)
            name = self._people.member_name(guild_id, user_id)
            if name is None and await self._fetch_member(guild_id, user_id) is not None:
                name = self._people.member_name(guild_id, user_id)
            if name is not None:
                return discord.utils.escape_markdown(name)
        name = self._people.name(user_id)
        if name is None:
            try:
                user = self._client.get_user(user_id) or await self._client.fetch_user(user_id)
            except discord.HTTPException:
                return SOMEONE
            self._people.note(user)
            name = user.display_name
        return discord.utils.escape_markdown(name)

    async def _fetch_member(self, guild_id: int, user_id: int) -> discord.Member | None:
        guild = self._client.get_guild(guild_id)
        if guild is None:
            return None
        try:
            found = await guild.fetch_member(user_id)
        except discord.HTTPException:
            return None
        self._people.note(found)
        return found

    def command_prefix(self, platform: Platform) -> str:
        return PREFIX

    def member_handle(self, member: MemberRef) -> str:
        """``@Name`` as people would pick them in a command's member option."""
        name = self._people.name(int(member.id)) if member.id.isdigit() else None
        return f"@{name}" if name else f"<@{member.id}>"


async def _send_parts(
    channel: discord.abc.Messageable,
    text: str,
    where: str,
    refused: Callable[[discord.HTTPException], Awaitable[None]] | None = None,
) -> discord.Message:
    """Send ``text`` in as many messages as it needs; return the first."""
    first: discord.Message | None = None
    try:
        for part in split_message(text):
            sent = await channel.send(part, allowed_mentions=NO_MENTIONS)
            first = first or sent
    except discord.HTTPException as error:
        if refused is not None:
            await refused(error)
        raise DeliveryError(f"could not send to {where}: {error}") from error
    if first is None:
        raise DeliveryError(f"nothing to send to {where}: the text was empty")
    return first
