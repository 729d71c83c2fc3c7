"""Discord objects in, ``bot.chat`` events out. Nothing past this module holds a discord object.

How Discord maps onto the neutral refs:

    guild                      SpaceRef / RoomRef.space_id   (the guild id)
    text, forum, voice channel RoomRef.id                    (the channel id)
    thread or forum post       ThreadRef(room=its parent channel's RoomRef, id=the thread id)
    direct message channel     RoomRef(space_id="@me", id=the DM channel id); no space
    message                    MessageRef(room, message id, thread); a forum post's first
                               message shares the thread's id and lives in the thread

A thread's parent never changes, so where each channel belongs is remembered once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import discord

from bot.chat import (
    MemberRef,
    MessageEdited,
    MessagePosted,
    MessageRef,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    RoomRef,
    ThreadRef,
    normalise_emoji,
)
from bot.platforms.discord.people import People, Recent

log = logging.getLogger(__name__)

DM_SPACE = "@me"  # what Discord itself calls the space of direct messages in its URLs
Place = tuple[RoomRef, ThreadRef | None]
# Only what people write; joins, pins, thread notices and the like are Discord's own.
PEOPLE_WRITE = frozenset({discord.MessageType.default, discord.MessageType.reply})


def member_ref(user_id: int) -> MemberRef:
    return MemberRef(Platform.DISCORD, str(user_id))


def emoji_key(emoji: discord.PartialEmoji | discord.Emoji | str) -> str:
    """The normalised key: the character(s) for Unicode emoji, ``name:id`` for custom ones."""
    if isinstance(emoji, str):
        return normalise_emoji(emoji)
    if emoji.id is not None:
        return f"{emoji.name or '_'}:{emoji.id}"
    return normalise_emoji(emoji.name or "")


def channel_id_of(where: RoomRef | ThreadRef) -> int:
    """The Discord channel to send to: the thread's own channel, or the room's."""
    return int(where.id)


def message_channel_id(message: MessageRef) -> int:
    return int(message.thread.id) if message.thread is not None else int(message.room.id)


class Places:
    """Where a Discord channel sits in the neutral map (room, thread)."""

    def __init__(self, client_of: Callable[[], discord.Client], size: int = 20_000) -> None:
        self._client_of = client_of
        self._known: Recent[int, Place] = Recent(size)

    async def of_channel(self, channel_id: int, guild_id: int | None) -> Place:
        if guild_id is None:
            return RoomRef(Platform.DISCORD, DM_SPACE, str(channel_id)), None
        known = self._known.get(channel_id)
        if known is not None:
            return known
        client = self._client_of()
        channel = client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await client.fetch_channel(channel_id)
            except (discord.NotFound, discord.Forbidden):
                # Gone or hidden from us: treat it as a room of its own, and don't remember.
                return RoomRef(Platform.DISCORD, str(guild_id), str(channel_id)), None
        return self.of_object(channel, guild_id)

    def of_object(self, channel: object, guild_id: int) -> Place:
        if isinstance(channel, discord.Thread) and channel.parent_id is not None:
            room = RoomRef(Platform.DISCORD, str(guild_id), str(channel.parent_id))
            place: Place = (room, ThreadRef(room, str(channel.id)))
        else:
            channel_id = getattr(channel, "id", 0)
            place = (RoomRef(Platform.DISCORD, str(guild_id), str(channel_id)), None)
        self._known.put(int(place[1].id if place[1] else place[0].id), place)
        return place

    async def of_message(self, message: discord.Message) -> Place:
        guild_id = message.guild.id if message.guild is not None else None
        channel = message.channel
        if guild_id is not None and not isinstance(channel, discord.PartialMessageable):
            return self.of_object(channel, guild_id)
        return await self.of_channel(channel.id, guild_id)


class Translator:
    """Turns what the gateway delivered into events for the host."""

    def __init__(
        self, client_of: Callable[[], discord.Client], places: Places, people: People
    ) -> None:
        self._client_of = client_of
        self._places = places
        self._people = people

    def _is_me(self, user_id: int) -> bool:
        me = self._client_of().user
        return me is not None and me.id == user_id

    async def is_bot(self, user_id: int) -> bool:
        if self._is_me(user_id):
            return True
        known = self._people.is_bot(user_id)
        if known is not None:
            return known
        client = self._client_of()
        user = client.get_user(user_id)
        if user is None:
            try:
                user = await client.fetch_user(user_id)
            except discord.HTTPException:
                return False  # someone we cannot see: count them as a person
        self._people.note(user)
        return user.bot

    async def message_posted(
        self, message: discord.Message, *, reads_content: bool, at: datetime
    ) -> MessagePosted | None:
        if message.type not in PEOPLE_WRITE:
            return None
        self._people.note(message.author)
        room, thread = await self._places.of_message(message)
        reply_to = None
        reference = message.reference
        if (
            reference is not None
            and reference.message_id is not None
            and reference.channel_id == message.channel.id
        ):
            reply_to = MessageRef(room, str(reference.message_id), thread)
        # Without the message content intent Discord blanks the text, except in DMs and in
        # messages that mention the bot; a blank then means "not readable", not "empty".
        text: str | None = message.content
        if not reads_content and not text:
            text = None
        return MessagePosted(
            message=MessageRef(room, str(message.id), thread),
            author=member_ref(message.author.id),
            text=text,
            at=at,
            reply_to=reply_to,
            by_bot=message.author.bot
            or message.webhook_id is not None
            or self._is_me(message.author.id),
        )

    async def message_edited(
        self, message: discord.Message, *, reads_content: bool, at: datetime
    ) -> MessageEdited | None:
        if message.type not in PEOPLE_WRITE or message.edited_at is None:
            return None  # an update without an edit: an embed unfurled, a pin, a thread made
        posted = await self.message_posted(message, reads_content=reads_content, at=at)
        if posted is None:
            return None
        return MessageEdited(posted.message, posted.author, posted.text, at, by_bot=posted.by_bot)

    async def reaction(
        self, payload: discord.RawReactionActionEvent, *, at: datetime
    ) -> ReactionAdded | ReactionRemoved:
        if payload.member is not None:
            self._people.note(payload.member)
        room, thread = await self._places.of_channel(payload.channel_id, payload.guild_id)
        message = MessageRef(room, str(payload.message_id), thread)
        member = member_ref(payload.user_id)
        key = emoji_key(payload.emoji)
        by_bot = await self.is_bot(payload.user_id)
        if payload.event_type == "REACTION_ADD":
            return ReactionAdded(message, member, key, at, by_bot=by_bot)
        return ReactionRemoved(message, member, key, at, by_bot=by_bot)
