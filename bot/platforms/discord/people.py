"""Who people are on Discord, as the adapter last saw them: names, bots, moderators.

The bot does not ask for the privileged members intent, so discord.py keeps no member cache.
Instead every member the bot meets (the person running a command, a message's author, someone
picked in an option, a reactor) is noted here, and a REST fetch fills the gaps. Moderator
decisions only trust what was seen in the last minute, so a role taken away counts soon.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

import discord

K = TypeVar("K")
V = TypeVar("V")

FRESH_FOR = 60.0  # seconds a member's roles are trusted for a moderator decision


class Recent(Generic[K, V]):
    """A bounded mapping that forgets the least recently used entries."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)

    def items(self) -> list[tuple[K, V]]:
        """Every entry, least recently used first, without touching their order."""
        return list(self._items.items())

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True, slots=True)
class SeenMember:
    """A guild member as of ``seen_at`` (``time.monotonic()``)."""

    name: str
    manages_guild: bool
    role_ids: frozenset[int]
    role_names: frozenset[str]
    seen_at: float


def own_member(guild: discord.Guild) -> discord.Member | None:
    """The bot itself as a member of ``guild``, or None while discord.py has not cached it.

    discord.py types ``Guild.me`` as always a ``Member``, but it is a lookup in its member
    cache, which finds nothing while the guild's payload has not brought the bot's member.
    """
    me: discord.Member | None = guild.me
    return me


class People:
    def __init__(self, moderator_roles: tuple[str, ...], size: int = 10_000) -> None:
        self._role_ids = {int(r) for r in moderator_roles if r.strip().isdigit()}
        self._role_names = {
            r.strip().casefold() for r in moderator_roles if not r.strip().isdigit()
        }
        self._names: Recent[int, str] = Recent(size)
        self._bots: Recent[int, bool] = Recent(size)
        self._members: Recent[tuple[int, int], SeenMember] = Recent(size)

    def note(self, who: discord.abc.User) -> None:
        """Remember a user or member the bot has just seen."""
        self._names.put(who.id, who.display_name)
        self._bots.put(who.id, who.bot)
        if isinstance(who, discord.Member):
            self._members.put(
                (who.guild.id, who.id),
                SeenMember(
                    name=who.display_name,
                    manages_guild=who.guild_permissions.manage_guild,
                    role_ids=frozenset(r.id for r in who.roles),
                    role_names=frozenset(r.name.casefold() for r in who.roles),
                    seen_at=time.monotonic(),
                ),
            )

    def name(self, user_id: int) -> str | None:
        return self._names.get(user_id)

    def member_name(self, guild_id: int, user_id: int) -> str | None:
        seen = self._members.get((guild_id, user_id))
        return seen.name if seen else None

    def is_bot(self, user_id: int) -> bool | None:
        return self._bots.get(user_id)

    def moderators_seen(self, guild_id: int) -> list[int]:
        """The members of the guild seen lately (commands, messages, the member cache) who
        moderate it, in the order they were seen."""
        return [
            user_id
            for (guild, user_id), seen in self._members.items()
            if guild == guild_id
            and (
                seen.manages_guild
                or bool(seen.role_ids & self._role_ids)
                or bool(seen.role_names & self._role_names)
            )
        ]

    def moderates(self, guild_id: int, user_id: int) -> bool | None:
        """Whether the member moderates the guild, or None when not seen lately."""
        seen = self._members.get((guild_id, user_id))
        if seen is None or time.monotonic() - seen.seen_at > FRESH_FOR:
            return None
        return (
            seen.manages_guild
            or bool(seen.role_ids & self._role_ids)
            or bool(seen.role_names & self._role_names)
        )
