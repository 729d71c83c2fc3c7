"""Which process owns which circle, when the bot runs as several processes over one store.

A circle is owned by the process that hears its space: for Discord, the process whose shards
hold the circle's guild (Discord routes a guild to shard ``(guild_id >> 22) % shard_count``);
for Matrix, the one process given the Matrix role (one sync loop per account); the local
sandbox is always one process. Only the owner arms the circle's timers, so its prompts,
rounds and votes run in one place; commands and events about it already arrive there, since
the platform sends them to that shard. The one exception is a private message, which Discord
delivers on shard 0 only: see ``bot/handoff.py``.

With no shards and no roles configured (the default: one process), everything is local.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.chat import Platform, SpaceRef

# Discord's snowflakes keep their creation time above bit 22; the shard formula uses that part.
SNOWFLAKE_SHIFT = 22
DM_SHARD = 0  # Discord delivers private messages on shard 0 only


def parse_shards(text: str) -> tuple[int, ...]:
    """``"0-3"``, ``"0,2,5-7"`` -> the shard ids, sorted; raises ValueError with a plain reason."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise ValueError("an empty item in the list")
        low, dash, high = part.partition("-")
        try:
            first = int(low)
            last = int(high) if dash else first
        except ValueError:
            raise ValueError(f"{part!r} is not a shard number or a range like 0-3") from None
        if first < 0 or last < first:
            raise ValueError(f"{part!r} is not a range from a lower to a higher shard number")
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def shard_of(guild_id: int, shard_count: int) -> int:
    """The shard Discord sends a guild's events to."""
    return (guild_id >> SNOWFLAKE_SHIFT) % max(shard_count, 1)


@dataclass(frozen=True, slots=True)
class Ownership:
    """What this process owns. ``shards`` None: every Discord shard (not sharded, or all of
    them here); ``platforms`` None: every platform."""

    shards: frozenset[int] | None = None
    shard_count: int = 1
    platforms: frozenset[Platform] | None = None

    @classmethod
    def everything(cls) -> Ownership:
        return cls()

    @classmethod
    def of(
        cls,
        *,
        shards: Iterable[int] = (),
        shard_count: int = 0,
        platforms: Iterable[Platform] | None = None,
    ) -> Ownership:
        chosen = frozenset(shards)
        count = max(shard_count, 1)
        whole = not chosen or chosen == frozenset(range(count))
        return cls(
            shards=None if whole else chosen,
            shard_count=count,
            platforms=None if platforms is None else frozenset(platforms) | {Platform.LOCAL},
        )

    @property
    def partial(self) -> bool:
        """True when other processes own some circles."""
        return self.shards is not None or self.platforms is not None

    def runs(self, platform: Platform) -> bool:
        return self.platforms is None or platform in self.platforms

    def shard_of(self, guild_id: int) -> int:
        return shard_of(guild_id, self.shard_count)

    def is_local(self, space: SpaceRef) -> bool:
        """Does this process own the circles of ``space``?"""
        if not self.runs(space.platform):
            return False
        if space.platform is not Platform.DISCORD or self.shards is None:
            return True
        try:
            guild_id = int(space.id)
        except ValueError:
            return False
        return self.shard_of(guild_id) in self.shards

    @property
    def hears_private_messages(self) -> bool:
        """Discord's private messages arrive here (shard 0 is ours)."""
        return self.runs(Platform.DISCORD) and (self.shards is None or DM_SHARD in self.shards)

    def describe(self) -> str:
        """For the log: ``discord shards 0-3 of 8, matrix``."""
        parts = []
        if self.runs(Platform.DISCORD):
            if self.shards is None:
                parts.append("discord (all shards)")
            else:
                parts.append(f"discord shards {spans(self.shards)} of {self.shard_count}")
        if self.runs(Platform.MATRIX):
            parts.append("matrix")
        return ", ".join(parts) or "local only"


def spans(ids: Iterable[int]) -> str:
    """``{0, 1, 2, 5}`` -> ``"0-2,5"``."""
    ordered = sorted(ids)
    out: list[str] = []
    start = prev = None
    for n in [*ordered, None]:
        if start is not None and prev is not None and n != prev + 1:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = None
        if n is not None and start is None:
            start = n
        prev = n
    return ",".join(out)
