"""Sharding on the loopback Discord: the server keeps Discord's rules, and the bot runs the
shards it is given with discord.py's own AutoShardedClient.

Discord's rules (Gateway topic, "Sharding"): IDENTIFY carries ``shard: [shard_id,
num_shards]``; a guild's events go to shard ``(guild_id >> 22) % num_shards``; private
messages to shard 0 only; an invalid shard closes with 4010, too many guilds for one shard
with 4011; IDENTIFYs are one per bucket (``shard_id % max_concurrency``) per 5 s.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import discord
import pytest

from tests.e2e.discord_bot import bot_config, running_bot
from tests.e2e.discord_fixtures import connected
from tests.e2e.discord_protocol import DiscordServer, option, subcommand
from tests.e2e.discord_protocol.gateway import (
    HELLO,
    IDENTIFY,
    INVALID_SESSION,
    INVALID_SHARD,
    SHARDING_REQUIRED,
    shard_of,
)

pytestmark = pytest.mark.e2e

WAIT = 3.0


async def _socket(server: DiscordServer) -> tuple[aiohttp.ClientSession, Any]:
    session = aiohttp.ClientSession()
    socket = await session.ws_connect(server.gateway_url + "?v=10&encoding=json")
    msg = await asyncio.wait_for(socket.receive(), WAIT)
    assert json.loads(msg.data)["op"] == HELLO
    return session, socket


def _identify(server: DiscordServer, shard: object = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "token": server.token,
        "intents": 1,
        "properties": {"os": "linux", "browser": "test", "device": "test"},
    }
    if shard is not None:
        data["shard"] = shard
    return {"op": IDENTIFY, "d": data}


async def _answer(socket: Any) -> tuple[int | None, dict[str, Any] | None]:
    """(close code, None) when the server closed, else (None, the first frame)."""
    msg = await asyncio.wait_for(socket.receive(), WAIT)
    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
        return socket.close_code, None
    return None, dict(json.loads(msg.data))


@pytest.mark.parametrize(
    "shard", [[2, 2], [0, 0], [-1, 4], [0], [0, 1, 2], ["0", "2"], [True, 2], "0,2", 3]
)
async def test_an_invalid_shard_is_refused_with_4010(
    discord_server: DiscordServer, shard: object
) -> None:
    session, socket = await _socket(discord_server)
    try:
        await socket.send_json(_identify(discord_server, shard))
        code, frame = await _answer(socket)
        assert (code, frame) == (INVALID_SHARD, None)
        assert discord_server.gateway.sessions == {}
    finally:
        await session.close()


async def test_too_many_guilds_for_one_shard_is_refused_with_4011(
    discord_server: DiscordServer,
) -> None:
    """Discord's limit is 2,500 guilds a shard; here it is lowered to two."""
    discord_server.gateway.max_guilds_per_shard = 2
    for n in range(3):
        discord_server.create_guild(f"g{n}", shard=(0, 2))
    discord_server.create_guild("other", shard=(1, 2))
    session, socket = await _socket(discord_server)
    try:
        await socket.send_json(_identify(discord_server))  # unsharded: all four guilds
        assert await _answer(socket) == (SHARDING_REQUIRED, None)
    finally:
        await session.close()
    session, socket = await _socket(discord_server)
    try:
        await socket.send_json(_identify(discord_server, [0, 2]))  # shard 0 holds three
        assert await _answer(socket) == (SHARDING_REQUIRED, None)
    finally:
        await session.close()
    session, socket = await _socket(discord_server)
    try:
        await socket.send_json(_identify(discord_server, [1, 2]))  # shard 1 holds one: fine
        code, ready = await _answer(socket)
        assert code is None
        assert ready is not None
        assert ready["t"] == "READY"
        assert ready["d"]["shard"] == [1, 2]
        assert [g["id"] for g in ready["d"]["guilds"]] == [
            str(g.id) for g in discord_server.world.guilds.values() if shard_of(g.id, 2) == 1
        ]
    finally:
        await session.close()


async def test_an_identify_too_soon_in_its_bucket_gets_invalid_session(
    discord_server: DiscordServer,
) -> None:
    gateway = discord_server.gateway
    gateway.identify_window = 60.0
    gateway.max_concurrency = 2
    sockets = []
    try:
        for shard, expected in (([0, 4], "READY"), ([1, 4], "READY"), ([2, 4], INVALID_SESSION)):
            session, socket = await _socket(discord_server)
            sockets.append(session)
            await socket.send_json(_identify(discord_server, shard))
            code, frame = await _answer(socket)
            assert code is None
            assert frame is not None
            assert frame.get("t") == expected or frame["op"] == expected, (shard, frame)
        assert gateway.refused_identifies == 1  # shard 2 shares bucket 0 with shard 0
    finally:
        for session in sockets:
            await session.close()


async def test_gateway_bot_recommends_shards_and_reports_the_session_start_limit(
    discord_server: DiscordServer,
) -> None:
    discord_server.gateway.max_concurrency = 16
    for n in range(3):
        discord_server.create_guild(f"g{n}")
    client = discord.Client(intents=discord.Intents.none())
    await client.login(discord_server.token)
    try:
        shards, url, limit = await client.http.get_bot_gateway()
        assert (shards, url) == (1, discord_server.gateway_url)
        assert limit == {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 16}
        session, socket = await _socket(discord_server)
        await socket.send_json(_identify(discord_server, [0, 1]))
        await _answer(socket)
        await session.close()
        _, _, limit = await client.http.get_bot_gateway()
        assert limit["remaining"] == 999  # each IDENTIFY is one session start
    finally:
        await client.close()


async def test_each_shard_gets_its_guilds_events_and_only_shard_zero_gets_dms(
    discord_server: DiscordServer,
) -> None:
    """discord.py's AutoShardedClient with two of four shards: it is told about the guilds
    on its shards only, and hears a DM only because it runs shard 0."""
    discord_server.gateway.max_concurrency = 4
    alice = discord_server.create_user("alice")
    guilds = {n: discord_server.create_guild(f"on {n}", shard=(n, 4)) for n in range(4)}
    channels = {}
    for n, guild in guilds.items():
        discord_server.add_member(guild, alice)
        channels[n] = discord_server.create_channel(guild, "general")
    intents = discord.Intents.none()
    intents.guilds = intents.guild_messages = intents.dm_messages = True
    intents.message_content = True
    heard: list[tuple[int | None, int | None]] = []
    three = asyncio.Event()

    class Sharded(discord.AutoShardedClient):
        async def before_identify_hook(
            self, shard_id: int | None, *, initial: bool = False
        ) -> None:
            return None  # shards 0 and 2 are in buckets of their own (max_concurrency 4)

        async def on_message(self, message: discord.Message) -> None:
            guild = message.guild
            heard.append((guild.id, guild.shard_id) if guild else (None, None))
            if len(heard) >= 3:
                three.set()

    client = Sharded(intents=intents, shard_ids=[0, 2], shard_count=4)
    async with connected(client, discord_server):
        assert sorted(g.id for g in client.guilds) == sorted([guilds[0].id, guilds[2].id])
        sessions = discord_server.gateway.sessions.values()
        assert sorted(s.shard for s in sessions) == [[0, 4], [2, 4]]  # type: ignore[type-var]
        for n in range(4):
            await discord_server.post_message(channels[n], alice, f"hello {n}")
        await discord_server.send_dm(alice, "hello in private")
        await asyncio.wait_for(three.wait(), WAIT)
        await asyncio.sleep(0.1)  # nothing else comes
    assert sorted(heard, key=str) == sorted(
        [(guilds[0].id, 0), (guilds[2].id, 2), (None, None)], key=str
    )


async def test_a_dm_reaches_no_process_that_does_not_run_shard_zero(
    discord_server: DiscordServer,
) -> None:
    alice = discord_server.create_user("alice")
    heard: list[str] = []
    intents = discord.Intents.none()
    intents.dm_messages = True

    class Sharded(discord.AutoShardedClient):
        async def on_message(self, message: discord.Message) -> None:
            heard.append(message.content)

    client = Sharded(intents=intents, shard_ids=[1], shard_count=2)
    async with connected(client, discord_server):
        await discord_server.send_dm(alice, "anyone?")
        await asyncio.sleep(0.2)
    assert heard == []
    assert all(s.seq == 1 for s in discord_server.gateway.sessions.values())  # READY only


async def test_the_bot_runs_the_shards_it_is_given(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """`discord.shards = "1-2"` of 4: the bot identifies those two shards, sees their guilds,
    answers a command in one, and hears nothing of the guild on shard 0."""
    discord_server.gateway.max_concurrency = 4
    owner = discord_server.world.owner
    guilds = {n: discord_server.create_guild(f"on {n}", shard=(n, 4)) for n in range(4)}
    general = {n: discord_server.create_channel(g, "general") for n, g in guilds.items()}
    config = bot_config(discord_server, tmp_path / "data", shards="1-2", shard_count=4)
    async with running_bot(discord_server, tmp_path / "data", config=config) as bot:
        sessions = sorted(s.shard for s in discord_server.gateway.sessions.values())  # type: ignore[type-var]
        assert sessions == [[1, 4], [2, 4]]
        assert isinstance(bot.adapter.client, discord.AutoShardedClient)
        assert sorted(g.id for g in bot.adapter.client.guilds) == [guilds[1].id, guilds[2].id]
        interaction = await discord_server.dispatch_command(
            owner, general[2], "circle", subcommand("create", option("name", "Tuesday"))
        )
        reply = await discord_server.wait_for_reply(interaction)
        assert "has a home here now" in (reply.content or "")
        assert bot.table("SELECT space_id FROM circles") == [(str(guilds[2].id),)]
