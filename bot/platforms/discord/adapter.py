"""The Discord platform: one discord.py client, its slash commands, and the way in for events.

``start()`` points discord.py at the configured servers, logs in, connects, waits for READY
and syncs the slash commands. Events and commands that arrive before ``run()`` wait: events in an
ordered inbox, commands at a gate. ``run()`` opens both, and ``stop()`` closes the client and
puts discord.py's two class-level hooks back.

Message content is a privileged intent. The bot asks for it; when the application does not have
it, Discord closes the connection with 4014, and the bot connects again without it and says in
one log line what that costs.

Discord may deliver an event twice around a resume, so everything is handled at most once:
messages and interactions by id, edits by id and edit time, and reactions by their last state.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from bot.chat import Event, MemberRef, Platform, SpaceRef
from bot.commands import CommandSpec, RawValue
from bot.config import DiscordConfig, Secrets
from bot.host import Host
from bot.platforms.discord.chat import PREFIX, DiscordChat
from bot.platforms.discord.people import People, Recent
from bot.platforms.discord.replies import InteractionReplier
from bot.platforms.discord.slash import CommandTree, build_commands
from bot.platforms.discord.translate import Places, Translator, member_ref

log = logging.getLogger(__name__)

NO_TOKEN = "Discord is switched on, but CIRCLEKEEPER_DISCORD_TOKEN is not set."
NO_MESSAGE_CONTENT = (
    "Discord did not grant the message content intent, so I can't read what people write in "
    "servers: nudges are off, and typing done, pass or next in a round does nothing. Slash "
    "commands (/round done, /round pass, ...) work as usual. To bring the rest back, switch on "
    "'Message Content Intent' on the Bot page of the Discord Developer Portal and restart."
)
NO_COMMANDS_SCOPE = (
    "Discord refused the slash commands for %s. Was the bot invited with the "
    "applications.commands scope? Everything else keeps working meanwhile."
)
DEFER_AFTER = 2.0  # seconds of silence before a command is deferred (Discord allows 3)
HANDLED_IDS = 10_000  # how many handled events are remembered, to handle each only once
SHUTDOWN_GRACE = 10.0  # seconds that commands and events in hand get to finish on stop

_InboxItem = tuple[str, Any]


def wanted_intents(*, message_content: bool) -> discord.Intents:
    """Guilds, messages and reactions in servers and DMs; message text if allowed.

    Not the members intent: people are looked up as they are met (see ``people.py``).
    """
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.guild_reactions = True
    intents.dm_messages = True
    intents.dm_reactions = True
    intents.message_content = message_content
    return intents


class _Client(discord.Client):
    """Hands every gateway event to the adapter at once, without awaiting anything, so the
    inbox keeps Discord's order."""

    def __init__(self, adapter: DiscordAdapter, intents: discord.Intents) -> None:
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
        )
        self._adapter = adapter

    async def on_message(self, message: discord.Message) -> None:
        self._adapter.post(("message", message.id), ("message", message))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        edited = payload.message.edited_at
        self._adapter.post(("edit", payload.message_id, edited), ("edit", payload.message))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self._adapter.post_reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self._adapter.post_reaction(payload, added=False)


class DiscordAdapter:
    def __init__(
        self,
        host: Host,
        config: DiscordConfig,
        secrets: Secrets,
        *,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        self._host = host
        self._config = config
        self._token = secrets.discord_token
        self._guild_ready_timeout = guild_ready_timeout
        self.defer_after = DEFER_AFTER
        self.reads_message_content = True
        self._client: _Client | None = None
        self._tree: CommandTree | None = None
        self._connection: asyncio.Task[None] | None = None
        self._people = People(config.moderator_roles)
        self._places = Places(lambda: self.client)
        self._translator = Translator(lambda: self.client, self._places, self._people)
        self._chat = DiscordChat(lambda: self.client, self._people)
        self._inbox: asyncio.Queue[_InboxItem] = asyncio.Queue()
        self._gate = asyncio.Event()  # set in run(): from then on events and commands flow
        self._stopped = asyncio.Event()  # set in stop(): from then on nothing new is taken
        self._worker: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._handled: Recent[object, bool] = Recent(HANDLED_IDS)
        self._reactions: Recent[tuple[int, int, str], bool] = Recent(HANDLED_IDS)
        self._saved_hooks: tuple[str, yarl.URL] | None = None

    # --- Adapter ---------------------------------------------------------------------------

    @property
    def platform(self) -> Platform:
        return Platform.DISCORD

    @property
    def chat(self) -> DiscordChat:
        return self._chat

    @property
    def client(self) -> discord.Client:
        if self._client is None:
            raise RuntimeError("the Discord adapter has not started")
        return self._client

    @property
    def tree(self) -> CommandTree:
        if self._tree is None:
            raise RuntimeError("the Discord adapter has not started")
        return self._tree

    async def start(self) -> None:
        if not self._token:
            raise RuntimeError(NO_TOKEN)
        self._point_at_servers()
        try:
            try:
                await self._connect(message_content=True)
            except discord.PrivilegedIntentsRequired:
                log.warning(NO_MESSAGE_CONTENT)
                self.reads_message_content = False
                await self._close_client()
                await self._connect(message_content=False)
            await self._sync_commands()
        except BaseException:
            await self.stop()
            raise
        me = self.client.user
        log.info("connected to Discord as %s in %d servers", me, len(self.client.guilds))

    async def run(self) -> None:
        self._gate.set()
        if self._worker is None:
            self._worker = asyncio.create_task(self._drain_inbox(), name="discord-inbox")
        stopped = asyncio.create_task(self._stopped.wait(), name="discord-stopped")
        watched: set[asyncio.Task[Any]] = {stopped}
        if self._connection is not None:
            watched.add(self._connection)
        try:
            done, _ = await asyncio.wait(watched, return_when=asyncio.FIRST_COMPLETED)
            if self._connection in done:
                self._connection.result()  # raises what ended the connection
                raise ConnectionError("the Discord connection ended")
        finally:
            stopped.cancel()
            await asyncio.gather(stopped, return_exceptions=True)

    def cogs(self) -> tuple[()]:
        """Discord keeps no data about people of its own: reactions and messages are read back
        from Discord when needed, and only a fingerprint of the command list is stored."""
        return ()

    async def stop(self) -> None:
        """Take nothing new, let commands and events in hand finish (briefly), then close.
        The database is still open meanwhile: the app closes it after the adapters."""
        self._stopped.set()
        self._gate.set()  # commands held at the gate are turned away now
        await self._finish_work()
        await self._close_client()
        self._restore_hooks()

    async def _finish_work(self) -> None:
        waits: set[asyncio.Future[Any]] = set(self._in_flight)
        if self._worker is not None:
            waits.add(asyncio.ensure_future(self._inbox.join()))
        if waits:
            _, late = await asyncio.wait(waits, timeout=SHUTDOWN_GRACE)
            if late:
                log.warning("stopping with %d Discord tasks unfinished", len(late))
            for task in late:
                task.cancel()
            await asyncio.gather(*waits, return_exceptions=True)
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
            self._worker = None

    # --- connecting ------------------------------------------------------------------------

    def _point_at_servers(self) -> None:
        """discord.py reads both hooks on every request and connect (class attributes)."""
        if not (self._config.api_base or self._config.gateway_url) or self._saved_hooks is not None:
            return
        self._saved_hooks = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        if self._config.api_base:
            discord.http.Route.BASE = self._config.api_base.rstrip("/")
        if self._config.gateway_url:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self._config.gateway_url)

    def _restore_hooks(self) -> None:
        if self._saved_hooks is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved_hooks
            self._saved_hooks = None

    async def _connect(self, *, message_content: bool) -> None:
        client = _Client(self, wanted_intents(message_content=message_content))
        client._connection.guild_ready_timeout = self._guild_ready_timeout
        self._client = client
        self._tree = CommandTree(client, self._admit)
        for command in build_commands(self._host.router.specs, self._run_command, self._suggest):
            self._tree.add_command(command)
        await client.login(self._token or "")
        # login, then connect as a task: a task running start() races with wait_until_ready().
        self._connection = asyncio.create_task(client.connect(), name="discord-connect")
        ready = asyncio.create_task(client.wait_until_ready(), name="discord-ready")
        try:
            await asyncio.wait({self._connection, ready}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            ready.cancel()
        if self._connection.done():
            self._connection.result()  # raises PrivilegedIntentsRequired, LoginFailure, ...
            raise ConnectionError("the Discord connection ended before it was ready")

    async def _close_client(self) -> None:
        if self._client is not None:
            await self._client.close()
        if self._connection is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await self._connection
            self._connection = None

    async def _sync_commands(self) -> None:
        """Sync globally, or only to ``discord.dev_guild_ids`` while developing (they show at
        once there). A scope whose commands have not changed since the last sync is skipped:
        Discord limits how often commands may be written."""
        tree = self.tree
        scopes: list[discord.Object | None] = [discord.Object(g) for g in self._config.dev_guild_ids] or [None]
        for guild in scopes:
            if guild is not None:
                tree.copy_global_to(guild=guild)
            payload = [command.to_dict(tree) for command in tree.get_commands(guild=guild)]
            fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            key = f"commands:{self.client.application_id}:{guild.id if guild else 'global'}"
            if await self._host.state.get(Platform.DISCORD, key) == fingerprint:
                log.info("slash commands for %s are up to date", guild.id if guild else "all servers")
                continue
            try:
                synced = await tree.sync(guild=guild)
            except discord.Forbidden:
                log.error(NO_COMMANDS_SCOPE, guild.id if guild else "all servers")
                continue
            await self._host.state.set(Platform.DISCORD, key, fingerprint, self._host.clock.now())
            log.info("synced %d slash commands to %s", len(synced), guild.id if guild else "all servers")

    # --- events ----------------------------------------------------------------------------

    def post(self, handled_key: object, item: _InboxItem) -> None:
        """Queue one gateway event for the host, unless it was handled already."""
        if self._stopped.is_set():
            return
        if handled_key in self._handled:
            log.debug("dropping a repeat of %s", handled_key)
            return
        self._handled.put(handled_key, True)
        self._inbox.put_nowait(item)

    def post_reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        if self._stopped.is_set():
            return
        key = (payload.message_id, payload.user_id, str(payload.emoji))
        if self._reactions.get(key) is added:
            log.debug("dropping a repeated reaction %s", key)
            return
        self._reactions.put(key, added)
        self._inbox.put_nowait(("reaction", payload))

    async def _drain_inbox(self) -> None:
        while True:
            kind, item = await self._inbox.get()
            try:
                event = await self._translate(kind, item)
                if event is not None:
                    await self._host.receive(event)
            except Exception:
                log.exception("handling a Discord %s failed", kind)
            finally:
                self._inbox.task_done()

    async def _translate(self, kind: str, item: Any) -> Event | None:
        now = self._host.clock.now()
        reads = self.reads_message_content
        if kind == "message":
            return await self._translator.message_posted(item, reads_content=reads, at=now)
        if kind == "edit":
            return await self._translator.message_edited(item, reads_content=reads, at=now)
        return await self._translator.reaction(item, at=now)

    # --- slash commands --------------------------------------------------------------------

    async def _admit(self, interaction: discord.Interaction) -> bool:
        """Hold commands until run(), and run each interaction once."""
        await self._gate.wait()
        if self._stopped.is_set():
            return False
        key = ("interaction", interaction.id)
        if key in self._handled:
            log.debug("dropping a repeat of interaction %s", interaction.id)
            return False
        self._handled.put(key, True)
        return True

    async def _run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, values: Mapping[str, Any]
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        replier = InteractionReplier(interaction)
        watchdog = asyncio.create_task(replier.defer_after(self.defer_after), name="discord-defer")
        try:
            self._people.note(interaction.user)
            raw: dict[str, RawValue] = {}
            for name, value in values.items():
                if isinstance(value, discord.User | discord.Member):
                    self._people.note(value)
                    raw[name] = member_ref(value.id)
                elif value is not None:
                    raw[name] = value
            room, thread = None, None
            if interaction.guild_id is not None and interaction.channel_id is not None:
                if interaction.channel is not None:
                    room, thread = self._places.of_object(interaction.channel, interaction.guild_id)
                else:
                    room, thread = await self._places.of_channel(interaction.channel_id, interaction.guild_id)
            await self._host.router.run(
                spec.path,
                raw,
                invoker=MemberRef(Platform.DISCORD, str(interaction.user.id)),
                room=room,
                thread=thread,
                replier=replier,
                prefix=PREFIX,
            )
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _suggest(self, interaction: discord.Interaction, typed: str) -> list[str]:
        if interaction.guild_id is None:
            return []
        space = SpaceRef(Platform.DISCORD, str(interaction.guild_id))
        return await self._host.router.directory.suggest(space, typed.strip())
