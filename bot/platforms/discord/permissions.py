"""What the bot must be allowed to do in a Discord server, and telling the moderators, once,
when it isn't.

The bot checks its own permissions when it connects (and when it joins a server or its role
changes), from discord.py's cache: the role's permissions in the server. When Discord refuses
an action (403), it works out which permission that action lacked, from the cache again (the
channel's overwrites included). Either way a missing permission is logged at WARNING and told
to the server's moderators in one short note: which permission, where, and what stops
working. Each is told once: the database remembers what was said, and forgets it when the
permission is back, so that losing it again is told again.

The note goes to the moderators' own channel when the server has one (Discord's Community
updates channel), else by DM to the server's owner; when neither works, the next moderator to
run a command there reads it, privately.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import discord

from bot.chat import Platform
from bot.clock import Clock
from bot.platforms.discord.people import own_member
from bot.platforms.discord.rendering import NO_MENTIONS
from bot.storage.platform_state import PlatformStateRepo

log = logging.getLogger(__name__)

Action = Literal["send", "thread", "forum post", "react", "pin", "read"]


@dataclass(frozen=True, slots=True)
class Need:
    """One permission the bot uses: discord.py's flag name, Discord's own label for it, and
    what stops working without it (it follows "so ...")."""

    flag: str
    label: str
    stops: str


VIEW = Need(
    "view_channel",
    "View Channels",
    "I can't see what happens there, and the circles there won't hear from me",
)
SEND = Need(
    "send_messages", "Send Messages", "I can't post round invitations, prompts or proposals there"
)
SEND_IN_THREADS = Need(
    "send_messages_in_threads",
    "Send Messages in Threads",
    "I can't write in threads there, so rounds and proposal conversations stall",
)
CREATE_THREADS = Need(
    "create_public_threads",
    "Create Public Threads",
    "rounds, prompts and proposals can't open their own threads",
)
READ_HISTORY = Need(
    "read_message_history",
    "Read Message History",
    "I can't add reactions, or read votes back after a restart",
)
ADD_REACTIONS = Need(
    "add_reactions", "Add Reactions", "proposals can't show their voting reactions"
)
# Since February 2026 pinning is its own permission (bit 51); Manage Messages no longer allows it.
PIN = Need("pin_messages", "Pin Messages", "I can't pin the agreements registry")

NEEDS: tuple[Need, ...] = (
    VIEW,
    SEND,
    SEND_IN_THREADS,
    CREATE_THREADS,
    READ_HISTORY,
    ADD_REACTIONS,
    PIN,
)
# Exactly these, nothing more: the README's invite URL asks for this value.
INVITE_PERMISSIONS = discord.Permissions(**{need.flag: True for need in NEEDS})
INVITE_URL = (
    "https://discord.com/oauth2/authorize?client_id={application_id}"
    "&scope=bot+applications.commands&permissions={permissions}"
)

# What each action needs, most specific last: that one is named when the cache shows nothing
# missing (it may be stale) but Discord still said no.
ACTION_NEEDS: dict[Action, tuple[Need, ...]] = {
    "send": (VIEW, SEND),
    "thread": (VIEW, SEND, CREATE_THREADS),
    "forum post": (VIEW, SEND),
    "react": (VIEW, READ_HISTORY, ADD_REACTIONS),
    "pin": (VIEW, PIN),
    "read": (VIEW, READ_HISTORY),
}
MISSING_ACCESS = 50001  # Discord's code when the bot can't see (or read) the channel

NOTE_HEAD = "A note for the moderators of **{guild}**, from Circlekeeper."
NOTE_ONE = "I don't have the **{label}** permission {where}, so {stops}."
NOTE_MANY = "A few permissions are missing for me {where}:"
NOTE_LINE = "• **{label}**: {stops}."
FIX_ROLE = (
    "If you'd like {that} to work, {they} can be added to my role under Server Settings → Roles."
)
FIX_CHANNEL = "The channel's own settings take {them} away from my role; {they} can be allowed again under Edit Channel → Permissions."
NOTE_TAIL = "Everything else keeps working meanwhile."
IN_SERVER = "in this server"
IN_CHANNEL = "in <#{channel}>"
LOG_LINE = "missing Discord permission in %s (%s): %s"
STATE_KEY = "permissions-told:{guild}"
SERVER = "server"  # the place of a role-level gap, in what is remembered


def missing(permissions: discord.Permissions, needs: Iterable[Need]) -> list[Need]:
    return [need for need in needs if not getattr(permissions, need.flag)]


def needs_for(action: Action, *, in_thread: bool) -> tuple[Need, ...]:
    """In a thread, sending is Send Messages in Threads; Send Messages is for the channel."""
    needs = ACTION_NEEDS[action]
    if in_thread and action == "send":
        return (VIEW, SEND_IN_THREADS)
    return needs


def invite_url(application_id: int) -> str:
    return INVITE_URL.format(application_id=application_id, permissions=INVITE_PERMISSIONS.value)


def moderator_note(guild: str, channel_id: int | None, needs: Sequence[Need]) -> str:
    where = IN_CHANNEL.format(channel=channel_id) if channel_id else IN_SERVER
    lines = [NOTE_HEAD.format(guild=discord.utils.escape_markdown(guild))]
    if len(needs) == 1:
        lines.append(NOTE_ONE.format(label=needs[0].label, where=where, stops=needs[0].stops))
    else:
        lines.append(NOTE_MANY.format(where=where))
        lines += [NOTE_LINE.format(label=n.label, stops=n.stops) for n in needs]
    one = len(needs) == 1
    fix = FIX_CHANNEL if channel_id else FIX_ROLE
    lines.append(
        fix.format(
            that="that" if one else "these",
            they="it" if one else "they",
            them="it" if one else "them",
        )
    )
    lines.append(NOTE_TAIL)
    return "\n".join(lines)


class PermissionWatch:
    """Finds what the bot lacks where it acts, and tells each server's moderators once."""

    def __init__(
        self, client_of: Callable[[], discord.Client], state: PlatformStateRepo, clock: Clock
    ) -> None:
        self._client_of = client_of
        self._state = state
        self._clock = clock
        self._logged: set[tuple[int, str, str]] = set()  # warned this run: (guild, place, flag)
        self._pending: defaultdict[int, list[tuple[str, list[str]]]] = defaultdict(list)
        # One server's notes are decided one at a time: what was told is read, then written.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    # --- checking --------------------------------------------------------------------------

    async def audit(self, guild: discord.Guild) -> list[Need]:
        """Check the bot's role in ``guild`` against everything it uses; tell what's missing,
        and forget earlier notes about what is back. Returns what is missing."""
        me = own_member(guild)
        if me is None:
            return []
        gaps = missing(me.guild_permissions, NEEDS)
        async with self._locks[guild.id]:
            await self._forget_restored(guild)
        if gaps:
            await self._notice(guild, None, gaps)
        return gaps

    async def refused(
        self,
        guild_id: int,
        room_id: int,
        action: Action,
        error: discord.HTTPException,
        *,
        in_thread: bool = False,
    ) -> None:
        """Discord refused ``action`` in the room (channel) ``room_id``, or in a thread in it:
        work out which permission was missing, and where."""
        if not isinstance(error, discord.Forbidden):
            return
        guild = self._client_of().get_guild(guild_id)
        me = own_member(guild) if guild is not None else None
        if guild is None or me is None:
            return
        needs = needs_for(action, in_thread=in_thread)
        room = guild.get_channel(room_id)
        here = room.permissions_for(me) if room is not None else me.guild_permissions
        gaps = missing(here, needs)
        if not gaps:
            # The cache may be behind Discord: name what the refusal most likely means.
            gaps = [needs[0] if error.code == MISSING_ACCESS else needs[-1]]
        role = missing(me.guild_permissions, gaps)
        if role:
            await self._notice(guild, None, role)
        channel_only = [need for need in gaps if need not in role]
        if channel_only:
            await self._notice(guild, room_id, channel_only)

    # --- telling ---------------------------------------------------------------------------

    async def _notice(
        self, guild: discord.Guild, channel_id: int | None, needs: list[Need]
    ) -> None:
        async with self._locks[guild.id]:
            await self._notice_locked(guild, channel_id, needs)

    async def _notice_locked(
        self, guild: discord.Guild, channel_id: int | None, needs: list[Need]
    ) -> None:
        place = str(channel_id) if channel_id else SERVER
        told = await self._told(guild.id)
        fresh = [n for n in needs if f"{place}:{n.flag}" not in told]
        for need in needs:
            if (guild.id, place, need.flag) not in self._logged:
                self._logged.add((guild.id, place, need.flag))
                where = (
                    f"#{guild.get_channel(channel_id) or channel_id}"
                    if channel_id
                    else "the bot's role"
                )
                log.warning(LOG_LINE, guild.name, where, f"{need.label} ({need.stops})")
        if not fresh:
            return
        keys = [f"{place}:{n.flag}" for n in fresh]
        note = moderator_note(guild.name, channel_id, fresh)
        if await self._deliver(guild, note):
            await self._remember(guild.id, keys)
        elif all(note != held for held, _ in self._pending[guild.id]):
            self._pending[guild.id].append((note, keys))

    async def _deliver(self, guild: discord.Guild, note: str) -> bool:
        """The moderators' channel if the server has one and the bot may write there, else a
        DM to the owner. False when neither worked."""
        channel = guild.public_updates_channel
        me = own_member(guild)
        if channel is not None and me is not None and channel.permissions_for(me).send_messages:
            try:
                await channel.send(note, allowed_mentions=NO_MENTIONS)
                return True
            except discord.HTTPException:
                log.info("could not write in the moderators' channel of %s", guild.name)
        try:
            dm = await self._client_of().create_dm(discord.Object(guild.owner_id or 0))
            await dm.send(note, allowed_mentions=NO_MENTIONS)
            return True
        except discord.HTTPException:
            log.info(
                "could not reach the owner of %s by DM; the next moderator to run a command will hear it",
                guild.name,
            )
            return False

    def has_pending(self, guild_id: int) -> bool:
        return bool(self._pending.get(guild_id))

    async def take_pending(self, guild_id: int) -> list[str]:
        """Notes nobody could be reached with, for a moderator who is here now; once taken,
        they count as told."""
        async with self._locks[guild_id]:
            held = self._pending.pop(guild_id, [])
            for _, keys in held:
                await self._remember(guild_id, keys)
        return [note for note, _ in held]

    # --- what was told (platform state, one JSON list per server) ---------------------------

    async def _told(self, guild_id: int) -> set[str]:
        raw = await self._state.get(Platform.DISCORD, STATE_KEY.format(guild=guild_id))
        return set(json.loads(raw)) if raw else set()

    async def _remember(self, guild_id: int, keys: Iterable[str]) -> None:
        told = await self._told(guild_id) | set(keys)
        await self._save(guild_id, told)

    async def _save(self, guild_id: int, told: set[str]) -> None:
        key = STATE_KEY.format(guild=guild_id)
        if told:
            await self._state.set(
                Platform.DISCORD, key, json.dumps(sorted(told)), self._clock.now()
            )
        else:
            await self._state.delete(Platform.DISCORD, key)

    async def _forget_restored(self, guild: discord.Guild) -> None:
        told = await self._told(guild.id)
        me = own_member(guild)
        if not told or me is None:
            return
        by_flag = {need.flag: need for need in NEEDS}
        kept = set()
        for entry in told:
            place, _, flag = entry.partition(":")
            need = by_flag.get(flag)
            if need is None:
                continue
            if place == SERVER:
                where: discord.Permissions | None = me.guild_permissions
            else:
                channel = guild.get_channel(int(place)) if place.isdigit() else None
                where = channel.permissions_for(me) if channel is not None else None
            if where is not None and not getattr(where, need.flag):
                kept.add(entry)
        if kept != told:
            await self._save(guild.id, kept)
            self._logged = {
                item
                for item in self._logged
                if item[0] != guild.id or f"{item[1]}:{item[2]}" in kept
            }
