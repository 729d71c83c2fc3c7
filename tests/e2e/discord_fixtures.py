"""Pytest plugin: a loopback Discord per test, and a quick way to connect a discord.py client.

    async def test_something(discord_server):
        guild = discord_server.create_guild("Circle")
        client = discord.Client(intents=discord.Intents.default())
        async with connected(client, discord_server):
            ...

Registered from tests/conftest.py with `pytest_plugins`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

import discord
import discord.gateway
import discord.http
import pytest
import yarl

from tests.e2e.discord_bot import Folk, RunningBot, make_folk, running_bot
from tests.e2e.discord_protocol import DiscordServer

ClientT = TypeVar("ClientT", bound=discord.Client)
# Connecting takes about 0.1 s; this only bounds a client that never gets ready.
CONNECT_LIMIT = 5.0
# Discord's rate-limit windows, shrunk for the suite: the same counts, buckets and headers, so
# the bot must follow them, without real seconds of waiting (a 5 s window lasts 0.1 s here).
RATE_SCALE = 0.02


@pytest.fixture
async def discord_server() -> AsyncIterator[DiscordServer]:
    """A started loopback Discord, with discord.py pointed at it for the test's duration."""
    server = DiscordServer(rate_scale=RATE_SCALE)
    await server.start()
    # The two hooks: class attributes read on every route and on every connect.
    saved = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = server.api_base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(server.gateway_url)
    try:
        yield server
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = saved
        await server.stop()
    assert not server.errors, f"the loopback Discord itself failed: {server.errors!r}"


@asynccontextmanager
async def connected(
    client: ClientT,
    server: DiscordServer,
    *,
    token: str | None = None,
    guild_ready_timeout: float = 0.05,
) -> AsyncIterator[ClientT]:
    """Log `client` in, connect it, wait for on_ready, and close it cleanly afterwards.

    `login` then a `connect` task, rather than `start`: a task running `start()` races with
    `wait_until_ready()`. A payload discord.py cannot parse ends `connect()` with an exception;
    that exception is raised here, so a wrong payload fails the test loudly.
    """
    # discord.py waits this long after the last GUILD_CREATE before on_ready (2 s by default).
    client._connection.guild_ready_timeout = guild_ready_timeout
    await client.login(token or server.token)
    connection = asyncio.create_task(client.connect(), name="discord.py connect()")
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        done, _ = await asyncio.wait(
            {connection, ready}, timeout=CONNECT_LIMIT, return_when=asyncio.FIRST_COMPLETED
        )
        if connection in done:
            connection.result()  # raises what ended it
            raise RuntimeError("client.connect() returned before the client was ready")
        if ready not in done:
            raise TimeoutError(f"the client was not ready after {CONNECT_LIMIT} s")
        yield client
    finally:
        ready.cancel()
        await client.close()
        # connect() returns once the client is closed, or raises what went wrong meanwhile.
        await asyncio.wait_for(connection, CONNECT_LIMIT)


@pytest.fixture
def discord_folk(discord_server: DiscordServer) -> Folk:
    """A server with a text channel, a forum, a moderator role, people and another bot."""
    return make_folk(discord_server)


@pytest.fixture
async def discord_bot(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    """The real Circlekeeper, connected to the loopback Discord and serving."""
    async with running_bot(discord_server, tmp_path / "data") as bot:
        yield bot
