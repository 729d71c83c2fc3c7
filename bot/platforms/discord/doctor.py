"""``circlekeeper doctor``: ask Discord how this bot stands, and say plainly what is missing.

It logs in with the configured token, connects once (guilds only, no privileged intent), and
reports: whether the token works, whether the Message Content Intent is on, and for every
server the bot is in, which permissions its role lacks, whether the bot was invited with the
applications.commands scope, and which permissions the channels of its circles take away. It
changes nothing: it sends no message, registers no command, and only reads the database (when
there is one) to find the circles' channels.

The exit code is 0 when nothing is missing, 1 when something is or Discord can't be reached.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import aiohttp
import discord

from bot.chat import Platform
from bot.config import Config, Secrets
from bot.platforms.discord.people import own_member
from bot.platforms.discord.permissions import CREATE_THREADS, NEEDS, Need, invite_url, missing
from bot.platforms.discord.servers import ServerHooks

READY_LIMIT = 30.0  # seconds to wait for Discord's READY
GUILD_READY = 1.0  # discord.py's wait after the last guild (2 s by default)

OFF = "Discord is switched off in the config ([discord] enabled = false), so there is nothing to check there."
NO_TOKEN = "CIRCLEKEEPER_DISCORD_TOKEN is not set, so I can't ask Discord anything."
BAD_TOKEN = "Discord doesn't accept the token in CIRCLEKEEPER_DISCORD_TOKEN (401). Reset it on the Bot page of the Developer Portal and try again."
UNREACHABLE = "I couldn't reach Discord ({why}). Nothing else could be checked."
LOGGED_IN = "Logged in as {name} (application {app}), in {count} server{s}."
CONTENT_ON = "Message Content Intent: on."
CONTENT_OFF = (
    "Message Content Intent: off. Nudges and typed `done`/`pass` in rounds won't work; switch on "
    "'Message Content Intent' on the Bot page of the Developer Portal."
)
NO_SERVERS = "The bot isn't in any server yet. Invite it with: {url}"
ALL_GOOD = "{guild}: everything the bot uses is allowed."
ROLE_GAP = "{guild}: my role is missing {needs}."
CHANNEL_GAP = "{guild}, #{channel}: the channel takes away {needs}."
NO_SCOPE = "{guild}: invited without the applications.commands scope, so no slash commands show there. Invite it again with the URL below."
INVITE = "An invite URL with every permission the bot uses: {url}"
SUMMARY_OK = "Nothing is missing."
SUMMARY_GAPS = "Something is missing; see above."


@dataclass
class Findings:
    lines: list[str] = field(default_factory=list)
    problems: int = 0

    def say(self, line: str, *, problem: bool = False) -> None:
        self.lines.append(line)
        self.problems += problem


def describe(needs: Sequence[Need]) -> str:
    return "; ".join(f"{need.label} ({need.stops})" for need in needs)


async def run_doctor(config: Config, secrets: Secrets, out: TextIO) -> int:
    if not config.discord.enabled:
        print(OFF, file=out)
        return 0
    if not secrets.discord_token:
        print(NO_TOKEN, file=out)
        return 1
    rooms = await circle_rooms(config.database_path)
    with ServerHooks(config.discord):
        findings = await examine(secrets.discord_token, rooms)
    for line in findings.lines:
        print(line, file=out)
    return 1 if findings.problems else 0


async def examine(token: str, rooms: dict[int, set[int]]) -> Findings:
    """Connect once and look; ``rooms`` maps each server to the channels its circles use."""
    findings = Findings()
    intents = discord.Intents.none()
    intents.guilds = True
    client = discord.Client(intents=intents, chunk_guilds_at_startup=False)
    client._connection.guild_ready_timeout = GUILD_READY  # discord.py has no public setter
    connection: asyncio.Task[None] | None = None
    try:
        await client.login(token)
        connection = asyncio.create_task(client.connect(reconnect=False))
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {connection, ready}, timeout=READY_LIMIT, return_when=asyncio.FIRST_COMPLETED
        )
        ready.cancel()
        if connection in done:
            connection.result()
        if ready not in done:
            raise TimeoutError("no READY in time")
        await report(client, rooms, findings)
    except discord.LoginFailure:
        findings.say(BAD_TOKEN, problem=True)
    except (
        OSError,
        aiohttp.ClientError,
        TimeoutError,
        discord.HTTPException,
        discord.ConnectionClosed,
    ) as error:
        findings.say(
            UNREACHABLE.format(why=" ".join(str(error).split()) or type(error).__name__),
            problem=True,
        )
    finally:
        await client.close()
        if connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await connection
    findings.say(SUMMARY_GAPS if findings.problems else SUMMARY_OK)
    return findings


async def report(client: discord.Client, rooms: dict[int, set[int]], findings: Findings) -> None:
    app = await client.application_info()
    me = client.user
    guilds = sorted(client.guilds, key=lambda g: g.name.casefold())
    count = len(guilds)
    findings.say(LOGGED_IN.format(name=me, app=app.id, count=count, s="" if count == 1 else "s"))
    flags = app.flags
    if flags.gateway_message_content or flags.gateway_message_content_limited:
        findings.say(CONTENT_ON)
    else:
        findings.say(CONTENT_OFF, problem=True)
    if not guilds:
        findings.say(NO_SERVERS.format(url=invite_url(app.id)), problem=True)
    for guild in guilds:
        await examine_guild(client, app.id, guild, rooms.get(guild.id, set()), findings)
    findings.say(INVITE.format(url=invite_url(app.id)))


async def examine_guild(
    client: discord.Client,
    application_id: int,
    guild: discord.Guild,
    channel_ids: set[int],
    findings: Findings,
) -> None:
    member = own_member(guild)
    if member is None:
        return
    clean = True
    role_gaps = missing(member.guild_permissions, NEEDS)
    if role_gaps:
        clean = False
        findings.say(ROLE_GAP.format(guild=guild.name, needs=describe(role_gaps)), problem=True)
    try:
        await client.http.get_guild_commands(application_id, guild.id)
    except discord.Forbidden:
        clean = False
        findings.say(NO_SCOPE.format(guild=guild.name), problem=True)
    for channel_id in sorted(channel_ids):
        channel = guild.get_channel(channel_id)
        if channel is None:
            continue
        needs = [
            n
            for n in NEEDS
            if not (n is CREATE_THREADS and isinstance(channel, discord.ForumChannel))
        ]
        gaps = [n for n in missing(channel.permissions_for(member), needs) if n not in role_gaps]
        if gaps:
            clean = False
            findings.say(
                CHANNEL_GAP.format(guild=guild.name, channel=channel.name, needs=describe(gaps)),
                problem=True,
            )
    if clean:
        findings.say(ALL_GOOD.format(guild=guild.name))


async def circle_rooms(database: Path) -> dict[int, set[int]]:
    """The channels the circles on Discord live in, by server; none without a database."""
    if not await asyncio.to_thread(database.exists):
        return {}
    # Imported here: the engine's storage, read only.
    from bot.storage.database import Database
    from bot.storage.rooms import BoundRooms

    db = await Database.open(database)
    try:
        rooms = await BoundRooms(db).on(Platform.DISCORD)
    finally:
        await db.close()
    found: dict[int, set[int]] = {}
    for room in rooms:
        if room.space_id.isdigit() and room.id.isdigit():
            found.setdefault(int(room.space_id), set()).add(int(room.id))
    return found
