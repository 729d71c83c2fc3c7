"""The in-memory Discord behind the loopback server: ids, users, guilds, channels, messages.

Everything here is plain data. `payloads.py` turns it into the JSON that Discord sends, and
`rest.py` / `gateway.py` change it the way Discord would. Ids are ints here and strings on the wire.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from .permissions import (
    ADD_REACTIONS,
    ALL_PERMISSIONS,
    ATTACH_FILES,
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    PIN_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    USE_APPLICATION_COMMANDS,
    VIEW_CHANNEL,
    Overwrite,
    base_permissions,
    channel_permissions,
)

Json = dict[str, Any]

# Snowflakes carry their creation time; discord.py reads it (http.delete_message picks a
# sub-rate-limit from the message's age), so ids are made from the clock like Discord's.
DISCORD_EPOCH_MS = 1_420_070_400_000


class ChannelType(IntEnum):
    TEXT = 0
    DM = 1
    CATEGORY = 4
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    FORUM = 15


class MessageType(IntEnum):
    DEFAULT = 0
    CHANNEL_PINNED_MESSAGE = 6
    THREAD_CREATED = 18
    REPLY = 19


# Permission bits and rules live in permissions.py; these are the defaults a test world starts with.
EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | ADD_REACTIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | USE_APPLICATION_COMMANDS
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
)
BOT_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_THREADS | PIN_MESSAGES

# Gateway intent bits (the same values as discord.Intents, discord/flags.py).
GUILDS = 1 << 0
GUILD_MEMBERS = 1 << 1
GUILD_PRESENCES = 1 << 8
GUILD_MESSAGES = 1 << 9
GUILD_MESSAGE_REACTIONS = 1 << 10
DIRECT_MESSAGES = 1 << 12
DIRECT_MESSAGE_REACTIONS = 1 << 13
MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT

TEST_TOKEN = "test-token"
CUSTOM_EMOJI = re.compile(r"^(?P<animated>a:)?(?P<name>\w+):(?P<id>\d+)$")


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class User:
    id: int
    name: str
    bot: bool = False
    # False makes every send to this user's DM channel fail like Discord's 50007.
    accepts_dms: bool = True


@dataclass
class Role:
    id: int
    name: str
    permissions: int
    position: int = 0


@dataclass
class Member:
    user_id: int
    role_ids: list[int]
    nick: str | None = None
    joined_at: datetime = field(default_factory=utcnow)


@dataclass
class Guild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, Role] = field(default_factory=dict)
    members: dict[int, Member] = field(default_factory=dict)
    channel_ids: list[int] = field(default_factory=list)
    # Community servers have a channel where Discord talks to the moderators.
    public_updates_channel_id: int | None = None
    # False: the bot was invited without the applications.commands scope (guild commands 403).
    commands_scope: bool = True

    @property
    def everyone(self) -> Role:
        # Discord gives the @everyone role the guild's own id.
        return self.roles[self.id]


@dataclass
class Channel:
    id: int
    type: ChannelType
    name: str = ""
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    topic: str | None = None
    recipient_id: int | None = None  # DMs
    owner_id: int | None = None  # threads
    message_count: int = 0  # threads
    archived: bool = False  # threads
    locked: bool = False  # threads
    auto_archive_duration: int = 1440  # threads
    created_at: datetime = field(default_factory=utcnow)
    last_message_id: int | None = None
    overwrites: list[Overwrite] = field(default_factory=list)  # threads use their parent's

    @property
    def is_thread(self) -> bool:
        return self.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)


@dataclass
class Message:
    id: int
    channel_id: int
    guild_id: int | None
    author_id: int
    content: str
    type: MessageType = MessageType.DEFAULT
    timestamp: datetime = field(default_factory=utcnow)
    edited_timestamp: datetime | None = None
    embeds: list[Json] = field(default_factory=list)
    attachments: list[Json] = field(default_factory=list)
    components: list[Json] = field(default_factory=list)
    flags: int = 0
    pinned_at: datetime | None = None
    reference: Json | None = None  # message_reference as Discord returns it
    # emoji key ("👍" or "name:id") -> ids of the users who reacted, in order: normal
    # reactions, and super ("burst") reactions, which Discord keeps and lists apart.
    reactions: dict[str, list[int]] = field(default_factory=dict)
    burst_reactions: dict[str, list[int]] = field(default_factory=dict)
    webhook_id: int | None = None  # set on interaction replies, as Discord does
    thread_id: int | None = None  # the thread this message started
    allowed_mentions: Json | None = None  # exactly what the sender asked for, for assertions


@dataclass
class Interaction:
    """An INTERACTION_CREATE the test dispatched, and everything the bot answered to it."""

    id: int
    token: str
    type: int
    channel_id: int
    guild_id: int | None
    user_id: int
    data: Json
    locale: str = "en-US"
    replies: list[InteractionReply] = field(default_factory=list)
    original_message_id: int | None = None
    acknowledged: bool = False
    created: float = 0.0  # World.clock() when it was dispatched: deadlines count from here


@dataclass
class InteractionReply:
    """One answer to an interaction: its callback, a follow-up, or an edit of either."""

    kind: str  # "callback", "followup", "edit", "delete"
    body: Json
    type: int | None = None  # the callback type (4 message, 5 deferred, 8 autocomplete, ...)
    message_id: int | None = None

    @property
    def content(self) -> str | None:
        return self._message_fields.get("content")

    @property
    def flags(self) -> int:
        return int(self._message_fields.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & 64)

    @property
    def choices(self) -> list[Json]:
        return list(self._message_fields.get("choices") or [])

    @property
    def _message_fields(self) -> Json:
        # A callback wraps its message in "data"; follow-ups and edits are the message itself.
        if self.kind == "callback":
            return self.body.get("data") or {}
        return self.body


class World:
    """All of the Discord that one bot can see."""

    def __init__(self, *, bot_name: str = "Circlekeeper", token: str = TEST_TOKEN) -> None:
        self._last_id = 0
        self.token = token
        self.users: dict[int, User] = {}
        self.guilds: dict[int, Guild] = {}
        self.channels: dict[int, Channel] = {}
        self.messages: dict[int, Message] = {}
        self.interactions: dict[str, Interaction] = {}  # by token
        # guild id (None for global) -> the commands as registered, with id and version.
        self.commands: dict[int | None, list[Json]] = {}
        # Privileged intents switched on for the application in the developer portal.
        self.privileged_intents = PRIVILEGED_INTENTS
        # Discord's interaction rules: the first response within 3 s, the token for 15 minutes.
        self.clock = time.monotonic
        self.interaction_deadline = 3.0
        self.token_lifetime = 15 * 60.0
        self.bot = self.create_user(bot_name, bot=True)
        self.owner = self.create_user("app-owner")

    @property
    def application_id(self) -> int:
        # For every bot made since 2020 the application id equals the bot user's id.
        return self.bot.id

    def new_id(self) -> int:
        stamp = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last_id = max(self._last_id + 1, stamp)
        return self._last_id

    # -- building the world (tests call these before the client connects) --

    def create_user(self, name: str, *, bot: bool = False) -> User:
        user = User(id=self.new_id(), name=name, bot=bot)
        self.users[user.id] = user
        return user

    def new_id_on_shard(self, shard: int, shard_count: int) -> int:
        """A fresh snowflake that Discord's formula, ``(id >> 22) % shard_count``, puts on
        ``shard``: the next millisecond stamp that falls there."""
        stamp = max((self._last_id >> 22) + 1, int(time.time() * 1000) - DISCORD_EPOCH_MS)
        stamp += (shard - stamp) % shard_count
        self._last_id = stamp << 22
        return self._last_id

    def create_guild(
        self,
        name: str,
        *,
        owner: User | None = None,
        everyone_permissions: int = EVERYONE_PERMISSIONS,
        bot_permissions: int = BOT_PERMISSIONS,
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        """``shard``: (shard id, shard count) the guild's id must fall on."""
        owner = owner or self.owner
        guild_id = self.new_id() if shard is None else self.new_id_on_shard(*shard)
        guild = Guild(id=guild_id, name=name, owner_id=owner.id)
        guild.roles[guild.id] = Role(
            id=guild.id, name="@everyone", permissions=everyone_permissions
        )
        self.guilds[guild.id] = guild
        # The role Discord makes for a bot from its invite's permissions (a "managed" role).
        bot_role = self.create_role(guild, self.bot.name, bot_permissions, position=1)
        self.add_member(guild, self.bot, roles=[bot_role])
        self.add_member(guild, owner)
        return guild

    def create_role(
        self, guild: Guild, name: str, permissions: int = 0, *, position: int = 1
    ) -> Role:
        role = Role(id=self.new_id(), name=name, permissions=permissions, position=position)
        guild.roles[role.id] = role
        return role

    def add_member(
        self,
        guild: Guild,
        user: User,
        *,
        roles: list[Role] | tuple[Role, ...] = (),
        nick: str | None = None,
    ) -> Member:
        member = Member(user_id=user.id, role_ids=[r.id for r in roles], nick=nick)
        guild.members[user.id] = member
        return member

    def create_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: ChannelType = ChannelType.TEXT,
        category: Channel | None = None,
        topic: str | None = None,
    ) -> Channel:
        channel = Channel(
            id=self.new_id(),
            type=type,
            name=name,
            guild_id=guild.id,
            parent_id=category.id if category else None,
            position=len(guild.channel_ids),
            topic=topic,
        )
        self.channels[channel.id] = channel
        guild.channel_ids.append(channel.id)
        return channel

    def dm_channel(self, user: User) -> Channel:
        for channel in self.channels.values():
            if channel.type is ChannelType.DM and channel.recipient_id == user.id:
                return channel
        channel = Channel(id=self.new_id(), type=ChannelType.DM, recipient_id=user.id)
        self.channels[channel.id] = channel
        return channel

    def create_thread(
        self,
        parent: Channel,
        owner: User,
        name: str,
        *,
        starter: Message | None = None,
        private: bool = False,
        auto_archive_duration: int = 1440,
    ) -> Channel:
        # A thread started from a message takes that message's id, as on Discord.
        thread_id = starter.id if starter else self.new_id()
        thread = Channel(
            id=thread_id,
            type=ChannelType.PRIVATE_THREAD if private else ChannelType.PUBLIC_THREAD,
            name=name,
            guild_id=parent.guild_id,
            parent_id=parent.id,
            owner_id=owner.id,
            auto_archive_duration=auto_archive_duration,
        )
        self.channels[thread.id] = thread
        if starter is not None:
            starter.thread_id = thread.id
        return thread

    def create_message(
        self, channel: Channel, author: User, content: str = "", **fields: Any
    ) -> Message:
        message = Message(
            id=fields.pop("id", None) or self.new_id(),
            channel_id=channel.id,
            guild_id=channel.guild_id,
            author_id=author.id,
            content=content,
            **fields,
        )
        self.messages[message.id] = message
        channel.last_message_id = message.id
        # message_count leaves out a forum post's first message, which shares the thread's id.
        if channel.is_thread and message.id != channel.id:
            channel.message_count += 1
        return message

    def create_interaction(
        self, type: int, user: User, channel: Channel, data: Json, *, locale: str = "en-US"
    ) -> Interaction:
        interaction = Interaction(
            id=self.new_id(),
            token=secrets.token_urlsafe(24),
            type=type,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            user_id=user.id,
            data=data,
            locale=locale,
            created=self.clock(),
        )
        self.interactions[interaction.token] = interaction
        return interaction

    # -- questions --

    def guild_of(self, channel: Channel) -> Guild | None:
        return self.guilds.get(channel.guild_id) if channel.guild_id else None

    def messages_in(self, channel: Channel) -> list[Message]:
        return sorted(
            (m for m in self.messages.values() if m.channel_id == channel.id), key=lambda m: m.id
        )

    def permissions(self, guild: Guild, user_id: int) -> int:
        """Guild-level permissions: @everyone plus the member's roles (no channel overwrites)."""
        member = guild.members.get(user_id)
        roles = [guild.roles[r].permissions for r in member.role_ids] if member else []
        return base_permissions(
            owner=user_id == guild.owner_id, everyone=guild.everyone.permissions, roles=roles
        )

    def channel_permissions(self, channel: Channel, user_id: int) -> int:
        """What `user_id` may do in `channel` (a thread counts with its parent's overwrites);
        everything in a DM, where only the DM rules apply."""
        guild = self.guild_of(channel)
        if guild is None:
            return ALL_PERMISSIONS
        member = guild.members.get(user_id)
        if member is None:
            return 0
        holder = self.channels.get(channel.parent_id or 0) if channel.is_thread else channel
        overwrites = holder.overwrites if holder is not None else []
        return channel_permissions(
            self.permissions(guild, user_id),
            overwrites,
            guild_id=guild.id,
            user_id=user_id,
            role_ids=member.role_ids,
            thread=channel.is_thread,
        )

    def find_command(self, name: str, guild_id: int | None) -> tuple[Json, int | None]:
        """The registered command a user could invoke here: guild commands first, then global."""
        for scope in (guild_id, None) if guild_id else (None,):
            for command in self.commands.get(scope, []):
                if command["name"] == name:
                    return command, scope
        raise LookupError(
            f"no application command named {name!r} is registered; sync the tree first"
        )
