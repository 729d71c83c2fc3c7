"""The neutral vocabulary every cog speaks: refs, inbound events and the ``Chat`` port.

Platform adapters translate their own objects into these at the edge. Nothing here ever holds
a ``discord`` or ``nio`` object, so a cog reads the same on every platform.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable


class Platform(enum.StrEnum):
    LOCAL = "local"
    MATRIX = "matrix"
    DISCORD = "discord"


# --- refs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpaceRef:
    """A community: a Discord guild, a Matrix space (or a lone room), the local sandbox."""

    platform: Platform
    id: str


@dataclass(frozen=True, slots=True)
class RoomRef:
    """A place people talk: a Discord channel, a Matrix room, the sandbox room."""

    platform: Platform
    space_id: str
    id: str

    @property
    def space(self) -> SpaceRef:
        return SpaceRef(self.platform, self.space_id)


@dataclass(frozen=True, slots=True)
class ThreadRef:
    """A thread inside a room: a Discord thread channel, or a Matrix thread root event."""

    room: RoomRef
    id: str

    @property
    def platform(self) -> Platform:
        return self.room.platform


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A person (or bot) on one platform. ``id`` is the platform's stable user id."""

    platform: Platform
    id: str


@dataclass(frozen=True, slots=True)
class MessageRef:
    """A message the bot can react to, edit, pin or thread from."""

    room: RoomRef
    id: str
    thread: ThreadRef | None = None

    @property
    def platform(self) -> Platform:
        return self.room.platform


Destination = RoomRef | ThreadRef


def room_of(where: Destination) -> RoomRef:
    return where.room if isinstance(where, ThreadRef) else where


# --- emoji keys ------------------------------------------------------------------------------

_VARIATION_SELECTORS = {"\ufe0e", "\ufe0f"}
_SKIN_TONES = {chr(cp) for cp in range(0x1F3FB, 0x1F400)}


def normalise_emoji(key: str) -> str:
    """The one emoji normalisation: NFC, without variation selectors or skin tones.

    ``❤`` and ``❤️`` are the same reaction to a person, and so are ``✋`` and ``✋🏽``.
    """
    text = unicodedata.normalize("NFC", key.strip())
    return "".join(ch for ch in text if ch not in _VARIATION_SELECTORS and ch not in _SKIN_TONES)


# --- inbound events --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MessagePosted:
    """Someone wrote in a room or thread. ``text`` is None when the platform withholds it
    (Discord without the message-content intent)."""

    message: MessageRef
    author: MemberRef
    text: str | None
    at: datetime
    reply_to: MessageRef | None = None
    by_bot: bool = False

    @property
    def room(self) -> RoomRef:
        return self.message.room

    @property
    def thread(self) -> ThreadRef | None:
        return self.message.thread


@dataclass(frozen=True, slots=True)
class MessageEdited:
    """Someone changed a message they had sent; ``text`` is the new text."""

    message: MessageRef
    author: MemberRef
    text: str | None
    at: datetime
    by_bot: bool = False


@dataclass(frozen=True, slots=True)
class _Reaction:
    message: MessageRef
    member: MemberRef
    key: str
    at: datetime
    by_bot: bool = False


@dataclass(frozen=True, slots=True)
class ReactionAdded(_Reaction):
    """Someone reacted to a message; ``key`` is the normalised emoji."""


@dataclass(frozen=True, slots=True)
class ReactionRemoved(_Reaction):
    """Someone took a reaction back."""


@dataclass(frozen=True, slots=True)
class _Membership:
    room: RoomRef
    member: MemberRef
    at: datetime
    by_bot: bool = False


@dataclass(frozen=True, slots=True)
class MemberJoined(_Membership):
    """Someone joined a room the bot is in."""


@dataclass(frozen=True, slots=True)
class MemberLeft(_Membership):
    """Someone left a room the bot is in."""


Event = MessagePosted | MessageEdited | ReactionAdded | ReactionRemoved | MemberJoined | MemberLeft


def actor_of(event: Event) -> MemberRef:
    if isinstance(event, MessagePosted | MessageEdited):
        return event.author
    return event.member


# --- outbound --------------------------------------------------------------------------------


class Visibility(enum.Enum):
    """Who sees a reply to a command.

    PUBLIC   everyone in the room or thread.
    PERSONAL only the invoker where the platform can (Discord ephemeral); elsewhere a reply in place.
    PRIVATE  only the invoker, always: ephemeral, or else a direct message.
    """

    PUBLIC = "public"
    PERSONAL = "personal"
    PRIVATE = "private"


class DeliveryError(Exception):
    """The platform could not deliver (closed DMs, missing permission, room gone)."""


@dataclass(frozen=True, slots=True)
class ThreadStart:
    """What ``open_thread`` made: the starter message (react to it) and the thread."""

    message: MessageRef
    thread: ThreadRef


@dataclass(frozen=True, slots=True)
class Reactions:
    """The reactions on one message right now, by normalised key; bots left out."""

    by_key: Mapping[str, Sequence[MemberRef]] = field(default_factory=dict)

    def members(self, key: str) -> Sequence[MemberRef]:
        return self.by_key.get(key, ())


@runtime_checkable
class Chat(Protocol):
    """What a cog may ask of a platform. Every text sent is sent with mentions disabled;
    a cog names people by display name, never by a pinging mention.

    Adapters mark events from bots (the bot itself included) with ``by_bot``, and never turn
    a command line into a ``MessagePosted``: commands go through the router only.
    """

    async def send(self, where: Destination, text: str) -> MessageRef:
        """Post ``text`` (Markdown) in a room or thread."""
        ...

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        """Post ``text`` and open a thread titled ``title`` on it (a forum post where the room
        is a forum)."""
        ...

    async def react(self, message: MessageRef, key: str) -> None: ...

    async def edit(self, message: MessageRef, text: str) -> None: ...

    async def pin(self, message: MessageRef) -> None: ...

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        """A direct message. Raises ``DeliveryError`` when the person cannot be reached."""
        ...

    async def reactions(self, message: MessageRef) -> Reactions:
        """Read the current reactions from the platform (to reconcile after downtime)."""
        ...

    async def remove_reaction(self, message: MessageRef, member: MemberRef, key: str) -> None:
        """Take someone else's reaction off a message (a vote that must stay private). Raises
        ``DeliveryError`` where the platform doesn't let the bot (a missing permission)."""
        ...

    def message_link(self, message: MessageRef) -> str:
        """A link people can follow to the message (or, in the sandbox, its ``#id``)."""
        ...

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool: ...

    async def moderators(self, room: RoomRef) -> Sequence[MemberRef]:
        """The people who moderate the space ``room`` is in, as far as the platform can tell
        (bots left out; empty when it can't say). Support asks them when nobody else can."""
        ...

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str: ...

    def command_prefix(self, platform: Platform) -> str:
        """What commands start with on that platform: "/" or "!ck "."""
        ...

    def member_handle(self, member: MemberRef) -> str:
        """How to name this person in a typed command (``@bob``, ``@bob:example.org``)."""
        ...


class Replier(Protocol):
    """How a platform answers the person who ran a command."""

    async def reply(self, text: str, visibility: Visibility) -> None: ...

    async def acknowledge(self) -> None:
        """The command did its work without a word to the invoker (its effect speaks, like a
        round moving on). Let them know it was heard, where the platform needs that: Discord
        must answer every interaction; elsewhere a reaction or nothing at all is enough."""
        ...
