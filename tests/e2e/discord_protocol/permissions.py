"""Discord's permission rules, as the loopback server enforces them on the bot's requests.

The bits and the computation follow Discord's "Permissions" topic: a member's base permissions
are @everyone's plus those of their roles (the owner and Administrator have all); in a channel,
the @everyone overwrite applies first, then the member's role overwrites together, then the
member's own overwrite. A thread has no overwrites of its own: it takes its parent's. Two
implicit rules follow: without View Channel nothing else in the channel is granted, and
without Send Messages neither are the permissions that only make sense when sending (embeds,
files, @everyone, text-to-speech).

A refusal carries Discord's codes: 50001 "Missing Access" when the bot can't see the channel
(or read its history, for reads), 50013 "Missing Permissions" for an action it may not take.
"""

from __future__ import annotations

from dataclasses import dataclass

CREATE_INSTANT_INVITE = 1 << 0
KICK_MEMBERS = 1 << 1
BAN_MEMBERS = 1 << 2
ADMINISTRATOR = 1 << 3
MANAGE_CHANNELS = 1 << 4
MANAGE_GUILD = 1 << 5
ADD_REACTIONS = 1 << 6
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
SEND_TTS_MESSAGES = 1 << 12
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
MENTION_EVERYONE = 1 << 17
MANAGE_ROLES = 1 << 28
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36
SEND_MESSAGES_IN_THREADS = 1 << 38
# Since February 2026 pinning has its own permission; Manage Messages no longer allows it.
PIN_MESSAGES = 1 << 51
BYPASS_SLOWMODE = 1 << 52
ALL_PERMISSIONS = (1 << 53) - 1

# What only matters when sending: gone with Send Messages (Discord's "implicit permissions").
NEEDS_SENDING = SEND_TTS_MESSAGES | EMBED_LINKS | ATTACH_FILES | MENTION_EVERYONE

NAMES = {
    ADD_REACTIONS: "ADD_REACTIONS",
    VIEW_CHANNEL: "VIEW_CHANNEL",
    SEND_MESSAGES: "SEND_MESSAGES",
    MANAGE_MESSAGES: "MANAGE_MESSAGES",
    EMBED_LINKS: "EMBED_LINKS",
    ATTACH_FILES: "ATTACH_FILES",
    READ_MESSAGE_HISTORY: "READ_MESSAGE_HISTORY",
    MANAGE_CHANNELS: "MANAGE_CHANNELS",
    MANAGE_THREADS: "MANAGE_THREADS",
    CREATE_PUBLIC_THREADS: "CREATE_PUBLIC_THREADS",
    CREATE_PRIVATE_THREADS: "CREATE_PRIVATE_THREADS",
    SEND_MESSAGES_IN_THREADS: "SEND_MESSAGES_IN_THREADS",
    PIN_MESSAGES: "PIN_MESSAGES",
}

ROLE, MEMBER = 0, 1  # overwrite types


@dataclass
class Overwrite:
    """A channel's exception for one role (type 0) or one member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0


def apply(permissions: int, allow: int, deny: int) -> int:
    return (permissions & ~deny) | allow


def base_permissions(*, owner: bool, everyone: int, roles: list[int] | tuple[int, ...]) -> int:
    """Guild-level permissions: the owner and Administrator have everything."""
    if owner:
        return ALL_PERMISSIONS
    value = everyone
    for role in roles:
        value |= role
    return ALL_PERMISSIONS if value & ADMINISTRATOR else value


def channel_permissions(
    base: int,
    overwrites: list[Overwrite],
    *,
    guild_id: int,
    user_id: int,
    role_ids: list[int] | tuple[int, ...],
    thread: bool = False,
) -> int:
    """``base`` with the channel's overwrites applied in Discord's order, then the implicit rules.

    In a thread (``thread=True``, with the parent's overwrites) sending is Send Messages in
    Threads, so that is what the sending-only permissions hang on there."""
    if base & ADMINISTRATOR or base == ALL_PERMISSIONS:
        return ALL_PERMISSIONS
    value = base
    everyone = next((o for o in overwrites if o.type == ROLE and o.id == guild_id), None)
    if everyone is not None:
        value = apply(value, everyone.allow, everyone.deny)
    allow = deny = 0
    for overwrite in overwrites:
        if overwrite.type == ROLE and overwrite.id != guild_id and overwrite.id in role_ids:
            allow |= overwrite.allow
            deny |= overwrite.deny
    value = apply(value, allow, deny)
    mine = next((o for o in overwrites if o.type == MEMBER and o.id == user_id), None)
    if mine is not None:
        value = apply(value, mine.allow, mine.deny)
    if not value & VIEW_CHANNEL:
        return 0
    if not value & (SEND_MESSAGES_IN_THREADS if thread else SEND_MESSAGES):
        value &= ~NEEDS_SENDING
    return value


def names(bits: int) -> str:
    """``PIN_MESSAGES, ADD_REACTIONS`` for error messages and assertions."""
    return ", ".join(name for bit, name in NAMES.items() if bits & bit) or str(bits)
