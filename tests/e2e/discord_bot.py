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
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
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
from tests.e2e.discord_protocol.errors import Json
from tests.e2e.discord_protocol.state import Channel, Guild, Role

T = TypeVar("T")
WAIT_LIMIT = 5.0  # far above the milliseconds an exchange takes
MANAGE_GUILD = 1 << 5
MODERATOR_ROLE = "Stewards"
README = Path(__file__).resolve().parents[2] / "README.md"
INVITE_URL = re.compile(r"https://discord\.com/oauth2/authorize\?\S*permissions=(\d+)")


@cache
def readme_invite_permissions() -> int:
    """The permissions the README's invite URL asks for: the role Discord gives the bot."""
    found = INVITE_URL.search(README.read_text(encoding="utf-8"))
    assert found, "the README's Discord section has no invite URL with permissions"
    return int(found[1])


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


def make_folk(server: DiscordServer, *, bot_permissions: int | None = None) -> Folk:
    """@everyone may do nothing here, so every permission the bot uses must come from its
    invite: by default exactly what the README's invite URL asks for."""
    guild = server.create_guild(
        "Peer Support Commons",
        everyone_permissions=0,
        bot_permissions=readme_invite_permissions() if bot_permissions is None else bot_permissions,
    )
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

    async def command(self, user: User, channel: Channel, name: str, *options: Json) -> Interaction:
        """``user`` runs ``/name ...`` in ``channel``; returns the interaction (not waiting)."""
        return await self.server.dispatch_command(user, channel, name, *options)

    async def ask(
        self, user: User, channel: Channel, name: str, *options: Json
    ) -> InteractionReply:
        """``user`` runs ``/name ...``; returns the bot's first answer."""
        interaction = await self.command(user, channel, name, *options)
        return await self.server.wait_for_reply(interaction)

    async def answers(self, interaction: Interaction, count: int) -> list[InteractionReply]:
        await self.server.wait_for_reply(interaction, count=count)
        return interaction.replies

    async def wait_for_bot_message(self, channel: Channel, containing: str) -> Message:
        """The bot's message in ``channel`` (a room or a thread) that contains ``containing``."""

        def found() -> Message | None:
            return next(
                (m for m in self.server.bot_messages(channel) if containing in m.content), None
            )

        return await self.server.wait_until(found, f"a bot message with {containing!r}")

    def table(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with contextlib.closing(sqlite3.connect(self.app.db.path)) as db:
            return db.execute(sql, params).fetchall()

    def snapshot(self) -> dict[str, list[tuple[object, ...]]]:
        """Every table the cogs write, to prove that a refusal changed nothing."""
        with contextlib.closing(sqlite3.connect(self.app.db.path)) as db:
            names = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
                )
                if row[0] not in ("platform_state", "schema_version")
                and not row[0].startswith("sqlite_")
            ]
            return {
                name: db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()  # noqa: S608
                for name in names
            }


def newest_thread(server: DiscordServer, parent: Channel) -> Channel:
    """The thread (or forum post) opened last under ``parent``."""
    threads = [
        c for c in server.world.channels.values() if c.is_thread and c.parent_id == parent.id
    ]
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
    bodies += [
        c.json["message"] for c in server.requests_to("POST", "/channels/{channel_id}/threads")
    ]
    return bodies


def assert_never_mentions(server: DiscordServer) -> None:
    """Everything the bot wrote so far went out with every mention switched off."""
    bodies = sent_bodies(server)
    assert bodies
    assert all(body.get("allowed_mentions") == {"parse": []} for body in bodies), bodies


def bot_config(server: DiscordServer, data: Path, **discord: object) -> Config:
    settings: dict[str, Any] = {
        "enabled": True,
        "api_base": server.api_base,
        "gateway_url": server.gateway_url,
        "moderator_roles": (MODERATOR_ROLE,),
    }
    settings.update(discord)
    return Config(data_dir=str(data), discord=DiscordConfig(**settings))


@asynccontextmanager
async def running_bot(
    server: DiscordServer,
    data: Path,
    *,
    run: bool = True,
    config: Config | None = None,
    listeners: Sequence[Callable[[App], None]] = (),
    clock: Clock | None = None,
    adapter_options: Mapping[str, Any] | None = None,
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
        options: dict[str, Any] = {"guild_ready_timeout": 0.05, **(adapter_options or {})}
        adapter = DiscordAdapter(app, config.discord, secrets, **options)
        await app.attach(adapter)
        await app.start()
        bot = RunningBot(server, app, adapter, ear)
        serving = asyncio.create_task(adapter.run(), name="discord-run") if run else None
        # Open proposals are read back in the background; tests start once that is done.
        for cog in app.cogs:
            restored = getattr(cog, "restored", None)
            if restored is not None:
                await restored()
        try:
            yield bot
        finally:
            if serving is not None:
                serving.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await serving
        # A gateway event the bot had to drop is a bug in the server's payloads, unless the
        # test sent it on purpose (and cleared it).
        assert not adapter.dropped_events, adapter.dropped_events
        # Whatever else went wrong, the bot never sent a body that Discord refuses.
        refused = [
            f"{c.method} {c.path}: {c.json}"
            for c in server.requests
            if c.status == 400 and not c.injected
        ]
        assert not refused, refused


@dataclass
class StartingBot:
    """A bot starting in the background, as after a restart: commands may arrive meanwhile."""

    server: DiscordServer
    task: asyncio.Task[None]
    started: asyncio.Event = field(default_factory=asyncio.Event)
    finish: asyncio.Event = field(default_factory=asyncio.Event)
    bot: RunningBot | None = None
    identified_at: float = 0.0  # time.monotonic() when this start's IDENTIFY came in

    async def running(self, limit: float = 60.0) -> RunningBot:
        """Wait until start-up is over and the bot serves."""
        async with asyncio.timeout(limit):
            await self.started.wait()
        assert self.bot is not None
        return self.bot


@asynccontextmanager
async def starting_bot(
    server: DiscordServer, data: Path, **options: Any
) -> AsyncIterator[StartingBot]:
    """``running_bot`` in a task of its own, yielding as soon as the bot has sent IDENTIFY,
    long before start-up is done; the bot stops when the block ends."""
    from tests.e2e.discord_protocol.gateway import IDENTIFY

    seen = len(server.frames_with_op(IDENTIFY))

    async def serve() -> None:
        async with running_bot(server, data, **options) as bot:
            starting.bot = bot
            starting.started.set()
            await starting.finish.wait()

    starting = StartingBot(server, asyncio.create_task(serve(), name="starting-bot"))
    try:
        identify = asyncio.ensure_future(
            server.wait_for_frame(IDENTIFY, count=seen + 1, limit=WAIT_LIMIT * 2)
        )
        await asyncio.wait({identify, starting.task}, return_when=asyncio.FIRST_COMPLETED)
        if not identify.done():
            identify.cancel()
            starting.task.result()  # raises what stopped the start
            raise AssertionError("the bot stopped before it identified")
        starting.identified_at = identify.result().at
        yield starting
    finally:
        starting.finish.set()
        await starting.task
