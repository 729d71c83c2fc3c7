"""The real Circlekeeper on the loopback Discord: ``open_app`` plus a ``DiscordAdapter``.

    async with running_bot(discord_server, tmp_path) as bot:
        reply = await bot.command(folk.alice, folk.general, "circle", subcommand("list"))

The bot runs exactly as ``circlekeeper run`` would run it (config pointing ``api_base`` and
``gateway_url`` at the loopback server, a fresh data directory), with a listening cog on the bus
to see which events reach the cogs. Everything waits for a condition; nothing sleeps. A test
about timers passes ``clock=ManualClock(...)`` and moves it with ``bot.app.advance_and_run``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.app import App, open_app
from bot.chat import Event
from bot.clock import Clock
from bot.cog import Cog, DomainEvent
from bot.config import Config, DiscordConfig, Secrets
from bot.platforms.discord import DiscordAdapter
from tests.e2e.discord_protocol import (
    ChannelType,
    DiscordServer,
    Interaction,
    InteractionReply,
    Message,
    User,
)
from tests.e2e.discord_protocol.state import Channel, Guild, Role

T = TypeVar("T")
WAIT_LIMIT = 5.0  # far above the milliseconds an exchange takes
MANAGE_GUILD = 1 << 5
MODERATOR_ROLE = "Stewards"


class Ear(Cog):
    """A listening cog: every event that reaches the cogs, in order."""

    name = "ear"

    def __init__(self) -> None:
        self.heard: list[Event | DomainEvent] = []
        self._changed = asyncio.Condition()

    async def handle(self, event: Event | DomainEvent) -> None:
        async with self._changed:
            self.heard.append(event)
            self._changed.notify_all()

    def of_type(self, kind: type[T]) -> list[T]:
        return [e for e in self.heard if isinstance(e, kind)]

    async def wait_for(self, kind: type[T], count: int = 1) -> list[T]:
        """Wait until ``count`` events of ``kind`` were heard; return all of that kind."""
        try:
            async with asyncio.timeout(WAIT_LIMIT), self._changed:
                await self._changed.wait_for(lambda: len(self.of_type(kind)) >= count)
        except TimeoutError:
            raise AssertionError(f"heard {self.heard!r}, not {count} x {kind.__name__}") from None
        return self.of_type(kind)


@dataclass
class Folk:
    """A server with a text channel, a forum, a moderator role and some people."""

    guild: Guild
    general: Channel
    forum: Channel
    stewards: Role
    owner: User  # owns the server, so has every permission
    alice: User  # a steward: a moderator by the configured role
    bob: User
    carol: User
    dan: User
    helper: User  # another bot in the server


def make_folk(server: DiscordServer) -> Folk:
    guild = server.create_guild("Peer Support Commons")
    general = server.create_channel(guild, "circles")
    forum = server.create_channel(guild, "stories", type=ChannelType.FORUM)
    stewards = server.create_role(guild, MODERATOR_ROLE)
    people = {name: server.create_user(name) for name in ("alice", "bob", "carol", "dan")}
    server.add_member(guild, people["alice"], roles=(stewards,))
    server.add_member(guild, people["bob"], nick="Bobby")
    server.add_member(guild, people["carol"])
    server.add_member(guild, people["dan"])
    helper = server.world.create_user("Helper", bot=True)
    server.add_member(guild, helper)
    owner = server.world.users[guild.owner_id]
    return Folk(guild, general, forum, stewards, owner, helper=helper, **people)


@dataclass
class RunningBot:
    server: DiscordServer
    app: App
    adapter: DiscordAdapter
    ear: Ear

    async def command(self, user: User, channel: Channel, name: str, *options: object) -> Interaction:
        """``user`` runs ``/name ...`` in ``channel``; returns the interaction (not waiting)."""
        return await self.server.dispatch_command(user, channel, name, *options)  # type: ignore[arg-type]

    async def ask(self, user: User, channel: Channel, name: str, *options: object) -> InteractionReply:
        """``user`` runs ``/name ...``; returns the bot's first answer."""
        interaction = await self.command(user, channel, name, *options)
        return await self.server.wait_for_reply(interaction)

    async def answers(self, interaction: Interaction, count: int) -> list[InteractionReply]:
        await self.server.wait_for_reply(interaction, count=count)
        return interaction.replies

    async def wait_for_bot_message(self, channel: Channel, containing: str) -> Message:
        """The bot's message in ``channel`` (a room or a thread) that contains ``containing``."""

        def found() -> Message | None:
            return next((m for m in self.server.bot_messages(channel) if containing in m.content), None)

        return await self.server.wait_until(found, f"a bot message with {containing!r}")

    def table(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.app.db.path)) as db:
            return db.execute(sql, params).fetchall()

    def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every table the cogs write, to prove that a refusal changed nothing."""
        with contextlib.closing(sqlite3.connect(self.app.db.path)) as db:
            names = [
                row[0]
                for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                if row[0] not in ("platform_state", "schema_version") and not row[0].startswith("sqlite_")
            ]
            return {name: db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall() for name in names}  # noqa: S608


def newest_thread(server: DiscordServer, parent: Channel) -> Channel:
    """The thread (or forum post) opened last under ``parent``."""
    threads = [c for c in server.world.channels.values() if c.is_thread and c.parent_id == parent.id]
    assert threads, f"no thread in #{parent.name}"
    return max(threads, key=lambda c: c.id)


def sent_bodies(server: DiscordServer) -> list[dict[str, Any]]:
    """Every body in which the bot sent or changed message text."""
    sends = [
        ("POST", "/channels/{channel_id}/messages"),
        ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
        ("POST", "/channels/{channel_id}/threads"),
        ("POST", "/webhooks/{application_id}/{token}"),
        ("PATCH", "/webhooks/{application_id}/{token}/messages/{message_id}"),
    ]
    bodies = [c.json for method, path in sends for c in server.requests_to(method, path)]
    callbacks = server.requests_to("POST", "/interactions/{interaction_id}/{token}/callback")
    bodies += [c.json["data"] for c in callbacks if c.json.get("type") == 4]
    bodies += [c.json["message"] for c in server.requests_to("POST", "/channels/{channel_id}/threads")]
    return bodies


def assert_never_mentions(server: DiscordServer) -> None:
    """Everything the bot wrote so far went out with every mention switched off."""
    bodies = sent_bodies(server)
    assert bodies
    assert all(body.get("allowed_mentions") == {"parse": []} for body in bodies), bodies


def bot_config(server: DiscordServer, data: Path, **discord: object) -> Config:
    settings: dict[str, object] = {
        "enabled": True,
        "api_base": server.api_base,
        "gateway_url": server.gateway_url,
        "moderator_roles": (MODERATOR_ROLE,),
    }
    settings.update(discord)
    return Config(data_dir=str(data), discord=DiscordConfig(**settings))  # type: ignore[arg-type]


@asynccontextmanager
async def running_bot(
    server: DiscordServer,
    data: Path,
    *,
    run: bool = True,
    config: Config | None = None,
    listeners: Sequence[Callable[[App], None]] = (),
    clock: Clock | None = None,
) -> AsyncIterator[RunningBot]:
    """Open the app on ``data``, connect it to ``server``, start the cogs and serve.

    With ``run=False`` the adapter is started but ``run()`` is not called yet: the bot is
    connected, and nothing may reach the cogs. With a manual ``clock`` no alarm rings by itself
    (APScheduler is not started); pass the same clock again to restart on the same time line.
    """
    config = config or bot_config(server, data)
    secrets = Secrets(discord_token=server.token, matrix_access_token=None, matrix_password=None)
    async with open_app(config, clock=clock) as app:
        ear = Ear()
        app.bus.attach(ear)
        for listener in listeners:
            listener(app)
        adapter = DiscordAdapter(app, config.discord, secrets, guild_ready_timeout=0.05)
        await app.attach(adapter)
        await app.start()
        bot = RunningBot(server, app, adapter, ear)
        serving = asyncio.create_task(adapter.run(), name="discord-run") if run else None
        try:
            yield bot
        finally:
            if serving is not None:
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await serving
