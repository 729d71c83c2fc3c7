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

Discord's rules the adapter keeps whatever else is going on:

- Every interaction gets its first response within 3 s. The answer watchdog starts the moment
  discord.py hands the interaction over, and while the bot is still starting (the gate is
  closed) it defers at once, so the person sees "thinking…" rather than an error.
- Syncing the slash commands never ends the bot: any error is logged in one line, and the sync
  is tried again in the background, waiting longer each time (``sync_retry``).
- A gateway event that discord.py can't read (a field newer than the pinned discord.py, say)
  costs that event, logged with what went wrong; the connection carries on. What discord.py
  can't survive (an unreadable READY) ends ``run()`` with one clear line, so that the process
  exits non-zero and its supervisor starts it again (``deploy/`` has a systemd unit and a
  container recipe that do).
- The bot checks its own permissions when it connects, joins a server or sees its role change,
  and whenever Discord refuses something; moderators hear once what is missing
  (``permissions.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

import discord

from bot import metrics
from bot.chat import Event, MemberRef, Platform, RoomRef, SpaceRef, Visibility
from bot.commands import CommandSpec, RawValue
from bot.config import DiscordConfig, Secrets
from bot.host import Host
from bot.ownership import DM_SHARD, shard_of, spans
from bot.platforms.discord.chat import PREFIX, DiscordChat
from bot.platforms.discord.people import People, Recent, own_member
from bot.platforms.discord.permissions import PermissionWatch
from bot.platforms.discord.replies import InteractionReplier
from bot.platforms.discord.servers import ServerHooks
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
    "Discord refused the slash commands for %s (%s). Was the bot invited with the "
    "applications.commands scope? I'll try again in %s; everything else keeps working meanwhile."
)
SYNC_FAILED = (
    "Syncing the slash commands for %s failed (%s). I'll try again in %s; "
    "everything else keeps working meanwhile."
)
DROPPED_EVENT = (
    "Dropped a %s event from Discord that discord.py could not read (%s: %s); "
    "the connection carries on without it. Upgrading discord.py may fix this."
)
UNREADABLE = (
    "discord.py could not read what Discord sent (%s: %s), and the connection can't go on. "
    "Exiting, so that the service manager (systemd, Docker, ...) can start the bot again; "
    "if this repeats, an upgrade of discord.py may be needed."
)
CONNECTION_ENDED = (
    "The Discord connection ended (%s: %s). Exiting, so that the service manager "
    "(systemd, Docker, ...) can start the bot again."
)
STILL_STARTING_STOPPED = "I'm restarting just now. Could you try that again in a minute?"
IDENTIFY_WINDOW = 5.0  # seconds: Discord takes one IDENTIFY per bucket in this long
SHARDS_STARTING = (
    "Starting Discord shards %s of %d (Discord recommends %d for this bot's servers; "
    "%d session starts left today, %d at a time)."
)
FEW_SESSION_STARTS = (
    "Discord allows only %d more session starts today, and this process needs %d; shards past "
    "that wait until the limit resets in %s."
)
SYNC_LOCK = "discord:command-sync"  # the advisory lock's name (PostgreSQL)
DEFER_AFTER = 2.0  # seconds of silence before a command is deferred (Discord allows 3)
HANDLED_IDS = 10_000  # how many handled events are remembered, to handle each only once
SHUTDOWN_GRACE = 10.0  # seconds that commands and events in hand get to finish on stop
SYNC_RETRY = (5.0, 900.0)  # seconds before the first command-sync retry, and the longest wait
SYNC_WAIT = 5.0  # how long start() waits for the first sync before leaving it to the background
# Events discord.py must read to have a session at all: these stay fatal when unreadable.
MUST_READ = frozenset({"READY", "RESUMED"})
# What a parser raises on a payload it doesn't expect.
UNREADABLE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError)

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

    def __init__(self, adapter: DiscordAdapter, intents: discord.Intents, **extra: Any) -> None:
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            member_cache_flags=discord.MemberCacheFlags.none(),
            chunk_guilds_at_startup=False,
            **extra,
        )
        self._adapter = adapter
        self._tolerate_unreadable_events()

    def _tolerate_unreadable_events(self) -> None:
        """Wrap discord.py's event parsers so that one it can't read is dropped, not fatal.

        discord.py has no hook for this: an exception in a parser ends ``connect()``. Its
        parsers live in ``ConnectionState.parsers``, which the websocket reads on every
        connect, so wrapping them once covers reconnects too."""
        parsers = self._connection.parsers
        for event, parse in list(parsers.items()):
            if event not in MUST_READ:
                parsers[event] = self._tolerant(event, parse)

    def _tolerant(self, event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
        def read(data: Any) -> None:
            self._adapter.seen(event, data)
            try:
                parse(data)
            except Exception as error:
                self._adapter.dropped(event, error)

        return read

    # The gateway's state, for /healthz and the reconnect count (bot/metrics.py): READY
    # ("connect") and RESUMED after a drop ("disconnect") both mean it is back.
    async def on_connect(self) -> None:
        metrics.connection_up(Platform.DISCORD)

    async def on_resumed(self) -> None:
        metrics.connection_up(Platform.DISCORD)

    async def on_disconnect(self) -> None:
        metrics.connection_down(Platform.DISCORD)

    async def on_shard_connect(self, shard_id: int) -> None:
        metrics.connection_up(Platform.DISCORD, shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        metrics.connection_up(Platform.DISCORD, shard_id)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        metrics.connection_down(Platform.DISCORD, shard_id)

    async def on_guild_join(self, guild: discord.Guild) -> None:
        self._adapter.check_permissions(guild)

    async def on_guild_role_update(self, before: discord.Role, after: discord.Role) -> None:
        me = own_member(after.guild)
        if me is not None and after in me.roles:
            self._adapter.check_permissions(after.guild)

    async def on_message(self, message: discord.Message) -> None:
        self._adapter.post(("message", message.id), ("message", message))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        edited = payload.message.edited_at
        self._adapter.post(("edit", payload.message_id, edited), ("edit", payload.message))

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self._adapter.post_reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self._adapter.post_reaction(payload, added=False)


class _ShardedClient(_Client, discord.AutoShardedClient):
    """discord.py's own sharding: the configured shards of ``shard_count``, one gateway
    connection each, in this one client. Connection state is kept per shard (the
    ``on_shard_*`` events); the unsharded ``on_connect`` family would blur them."""

    def __init__(
        self,
        adapter: DiscordAdapter,
        intents: discord.Intents,
        *,
        shard_ids: list[int],
        shard_count: int,
        identify: IdentifyGate,
    ) -> None:
        super().__init__(adapter, intents, shard_ids=shard_ids, shard_count=shard_count)
        self._identify = identify

    async def on_connect(self) -> None:
        return None

    async def on_resumed(self) -> None:
        return None

    async def on_disconnect(self) -> None:
        return None

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        await self._identify.wait_turn(shard_id or 0)


class IdentifyGate:
    """Discord's start-up rule for shards: at most ``max_concurrency`` IDENTIFYs per window
    (5 s), one per bucket ``shard_id % max_concurrency``. discord.py's default waits 5 s
    before every IDENTIFY but the first, whatever the bucket; this waits only when the
    shard's own bucket was used within the window, so large bots start their shards in
    parallel buckets as Discord allows. Reconnects go through here too."""

    def __init__(self, max_concurrency: int = 1, window: float = IDENTIFY_WINDOW) -> None:
        self.max_concurrency = max(max_concurrency, 1)
        self.window = window
        self._last: dict[int, float] = {}
        self._lock = asyncio.Lock()

    async def wait_turn(self, shard_id: int) -> None:
        bucket = shard_id % self.max_concurrency
        async with self._lock:
            loop = asyncio.get_running_loop()
            last = self._last.get(bucket)
            if last is not None:
                wait = last + self.window - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
            self._last[bucket] = loop.time()


class DiscordAdapter:
    def __init__(
        self,
        host: Host,
        config: DiscordConfig,
        secrets: Secrets,
        *,
        guild_ready_timeout: float = 2.0,
        sync_retry: tuple[float, float] = SYNC_RETRY,
    ) -> None:
        self._host = host
        self._config = config
        self._token = secrets.discord_token
        self._guild_ready_timeout = guild_ready_timeout
        self._sync_retry = sync_retry
        self.defer_after = DEFER_AFTER
        self.reads_message_content = True
        self.dropped_events: list[str] = []  # events discord.py could not read, in order
        self._client: _Client | None = None
        self._tree: CommandTree | None = None
        self._connection: asyncio.Task[None] | None = None
        self._syncing: asyncio.Task[None] | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._people = People(config.moderator_roles)
        self._places = Places(lambda: self.client)
        self._translator = Translator(lambda: self.client, self._places, self._people)
        self.permissions = PermissionWatch(lambda: self.client, host.state, host.clock)
        self._chat = DiscordChat(lambda: self.client, self._people, self.permissions)
        self._inbox: asyncio.Queue[_InboxItem] = asyncio.Queue()
        self._gate = asyncio.Event()  # set in run(): from then on events and commands flow
        self._stopped = asyncio.Event()  # set in stop(): from then on nothing new is taken
        self._worker: asyncio.Task[None] | None = None
        self._in_flight: set[asyncio.Task[Any]] = set()
        self._handled: Recent[object, bool] = Recent(HANDLED_IDS)
        self._reactions: Recent[tuple[int, int, str], bool] = Recent(HANDLED_IDS)
        self._hooks = ServerHooks(config)
        self._sharded = config.shard_count > 0
        self._identify = IdentifyGate()

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
        """Connect, check the bot's permissions in every server, and sync the slash commands.
        Neither of the last two holds start-up up for long: a sync that fails or takes its
        time goes on in the background."""
        if not self._token:
            raise RuntimeError(NO_TOKEN)
        self._hooks.point()
        try:
            try:
                await self._connect(message_content=True)
            except discord.PrivilegedIntentsRequired:
                log.warning(NO_MESSAGE_CONTENT)
                self.reads_message_content = False
                await self._close_client()
                await self._connect(message_content=False)
        except BaseException as error:
            if isinstance(error, UNREADABLE_ERRORS):
                log.error(UNREADABLE, type(error).__name__, error)
            await self.stop()
            raise
        me = self.client.user
        log.info("connected to Discord as %s in %d servers", me, len(self.client.guilds))
        for guild in self.client.guilds:
            self.check_permissions(guild)
        first_try = asyncio.Event()
        self._syncing = asyncio.create_task(
            self._keep_syncing(first_try), name="discord-sync-commands"
        )
        waiting = asyncio.create_task(first_try.wait())
        await asyncio.wait(
            {waiting, self._syncing}, timeout=SYNC_WAIT, return_when=asyncio.FIRST_COMPLETED
        )
        waiting.cancel()

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
            if self._connection in done and not self._stopped.is_set():
                error = self._connection.exception()
                if error is None:
                    error = ConnectionError("the connection closed")
                line = UNREADABLE if isinstance(error, UNREADABLE_ERRORS) else CONNECTION_ENDED
                log.error(line, type(error).__name__, error)
                raise error
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
        for task in [*self._background, *([self._syncing] if self._syncing else [])]:
            task.cancel()
        await asyncio.gather(
            *self._background, *([self._syncing] if self._syncing else []), return_exceptions=True
        )
        await self._finish_work()
        await self._close_client()
        self._hooks.restore()

    async def settled(self) -> None:
        """Wait until every command and event taken in so far has been handled through (what
        a handler published after its reply included). The tests call it before they compare
        the database with what it was."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))
        if self._worker is not None:
            await self._inbox.join()

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

    @property
    def shard_ids(self) -> tuple[int, ...]:
        """The shards this process runs (empty when not sharded)."""
        return self._config.shard_ids if self._sharded else ()

    def seen(self, event: str, data: Any) -> None:
        """A gateway event arrived: note when, per shard (Discord's formula names the shard;
        events without a guild are private messages, which come on shard 0)."""
        if not self._sharded or not isinstance(data, dict):
            return
        guild = data.get("id") if event.startswith("GUILD_") and "guild_id" not in data else None
        guild = guild or data.get("guild_id")
        try:
            shard = shard_of(int(guild), self._config.shard_count) if guild else DM_SHARD
        except (TypeError, ValueError):
            return
        metrics.shard_event(Platform.DISCORD, shard)

    def _new_client(self, intents: discord.Intents) -> _Client:
        if not self._sharded:
            return _Client(self, intents)
        return _ShardedClient(
            self,
            intents,
            shard_ids=list(self.shard_ids),
            shard_count=self._config.shard_count,
            identify=self._identify,
        )

    async def _learn_session_limits(self, client: _Client) -> None:
        """Ask Discord (GET /gateway/bot) how many IDENTIFYs it takes at once, and say in the
        log what starts and what the daily session limit leaves."""
        recommended, _, limit = await client.http.get_bot_gateway()
        self._identify.max_concurrency = max(int(limit.get("max_concurrency", 1)), 1)
        remaining = int(limit.get("remaining", 0))
        log.info(
            SHARDS_STARTING,
            spans(self.shard_ids),
            self._config.shard_count,
            recommended,
            remaining,
            self._identify.max_concurrency,
        )
        if remaining < len(self.shard_ids):
            reset = format_wait(int(limit.get("reset_after", 0)) / 1000)
            log.warning(FEW_SESSION_STARTS, remaining, len(self.shard_ids), reset)

    async def _connect(self, *, message_content: bool) -> None:
        client = self._new_client(wanted_intents(message_content=message_content))
        client._connection.guild_ready_timeout = self._guild_ready_timeout
        self._client = client
        self._tree = CommandTree(client, self._admit)
        for command in build_commands(self._host.router.specs, self._run_command, self._suggest):
            self._tree.add_command(command)
        await client.login(self._token or "")
        if self._sharded:
            await self._learn_session_limits(client)
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

    async def _keep_syncing(self, first_try: asyncio.Event) -> None:
        """Sync every scope; what fails is tried again later, waiting twice as long each time
        (up to the longest wait), until it works or the bot stops. ``first_try`` is set once
        every scope has been tried."""
        scopes: list[discord.Object | None] = [
            discord.Object(g) for g in self._config.dev_guild_ids
        ] or [None]
        wait, longest = self._sync_retry
        while scopes:
            failed = []
            for guild in scopes:
                try:
                    await self._sync_scope(guild)
                except Exception as error:
                    failed.append(guild)
                    self._log_sync_failure(guild, error, wait)
            scopes = failed
            first_try.set()
            if scopes:
                await asyncio.sleep(wait)
                wait = min(wait * 2, longest)

    def _log_sync_failure(
        self, guild: discord.Object | None, error: Exception, wait: float
    ) -> None:
        where = f"server {guild.id}" if guild else "all servers"
        why = " ".join(str(error).split())  # discord.py's messages run over several lines
        if isinstance(error, discord.HTTPException):
            why = f"{error.status}: {why}"
        else:
            why = f"{type(error).__name__}: {why}"
        later = format_wait(wait)
        if isinstance(error, discord.Forbidden):
            log.error(NO_COMMANDS_SCOPE, where, why, later)
        elif isinstance(error, discord.HTTPException | OSError | TimeoutError):
            log.error(SYNC_FAILED, where, why, later)
        else:
            log.error(SYNC_FAILED, where, why, later, exc_info=error)

    async def _sync_scope(self, guild: discord.Object | None) -> None:
        """Sync one scope, once across every process sharing the store: on PostgreSQL the
        sync runs under an advisory lock, so when several processes start together one syncs
        and the others, let in after it, find the fingerprint it stored and skip. SQLite has
        one process (and its write lock must not be held across a slow HTTP call)."""
        db = self._host.db
        if db.backend != "postgresql":
            await self._sync_scope_once(guild)
            return
        async with db.transaction() as tx:
            await tx.claim(SYNC_LOCK, guild.id if guild else 0)
            # The lock's transaction belongs to this task; the sync reads and writes the
            # fingerprint on connections of its own, so it runs as a task of its own.
            await asyncio.create_task(self._sync_scope_once(guild), name="discord-sync-scope")

    async def _sync_scope_once(self, guild: discord.Object | None) -> None:
        """Sync globally, or to one of ``discord.dev_guild_ids`` while developing (they show at
        once there). A scope whose commands have not changed since the last sync is skipped:
        Discord limits how often commands may be written."""
        tree = self.tree
        if guild is not None:
            tree.copy_global_to(guild=guild)
        payload = tree.payload(guild)
        fingerprint = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        key = f"commands:{self.client.application_id}:{guild.id if guild else 'global'}"
        where = guild.id if guild else "all servers"
        if await self._host.state.get(Platform.DISCORD, key) == fingerprint:
            log.info("slash commands for %s are up to date", where)
            return
        synced = await tree.sync(guild=guild)
        await self._host.state.set(Platform.DISCORD, key, fingerprint, self._host.clock.now())
        log.info("synced %d slash commands to %s", len(synced), where)

    # --- permissions and background work ---------------------------------------------------

    def check_permissions(self, guild: discord.Guild) -> None:
        """Audit the bot's role in ``guild`` in the background (a note may go out by DM)."""
        self._spawn(self.permissions.audit(guild), f"discord-permissions-{guild.id}")

    def _spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        if self._stopped.is_set():
            work.close()
            return
        task = asyncio.create_task(self._logged(work, name), name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, Any], name: str) -> None:
        try:
            await work
        except Exception:
            log.exception("%s failed", name)

    def dropped(self, event: str, error: Exception) -> None:
        """discord.py could not read one gateway event: say so, and carry on without it."""
        self.dropped_events.append(event)
        log.error(DROPPED_EVENT, event, type(error).__name__, error, exc_info=error)

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
        """Run each interaction once, and only after run(). The answer watchdog starts here,
        before anything can hold the interaction up; while the bot is still starting, it
        defers at once. Autocomplete needs only the circle directory, so it never waits."""
        if self._stopped.is_set():
            return False
        key = ("interaction", interaction.id)
        if key in self._handled:
            log.debug("dropping a repeat of interaction %s", interaction.id)
            return False
        self._handled.put(key, True)
        if interaction.type is discord.InteractionType.autocomplete:
            return True
        replier = InteractionReplier(interaction)
        interaction.extras["replier"] = replier
        watchdog = asyncio.create_task(replier.defer_after(self.defer_after), name="discord-defer")
        interaction.extras["watchdog"] = watchdog
        if not self._gate.is_set():
            await replier.defer_now()
            await self._gate.wait()
        if self._stopped.is_set():
            watchdog.cancel()
            if interaction.response.is_done():
                await replier.reply(STILL_STARTING_STOPPED, Visibility.PERSONAL)
            return False
        return True

    async def _run_command(
        self, interaction: discord.Interaction, spec: CommandSpec, values: Mapping[str, Any]
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
        replier = interaction.extras.get("replier") or InteractionReplier(interaction)
        watchdog = interaction.extras.get("watchdog") or asyncio.create_task(
            replier.defer_after(self.defer_after), name="discord-defer"
        )
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
                    room, thread = await self._places.of_channel(
                        interaction.channel_id, interaction.guild_id
                    )
            invoker = MemberRef(Platform.DISCORD, str(interaction.user.id))
            await self._host.router.run(
                spec.path,
                raw,
                invoker=invoker,
                room=room,
                thread=thread,
                replier=replier,
                prefix=PREFIX,
            )
            if room is not None and interaction.guild_id is not None:
                await self._pass_on_notes(interaction.guild_id, invoker, room, replier)
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog

    async def _pass_on_notes(
        self, guild_id: int, invoker: MemberRef, room: RoomRef, replier: InteractionReplier
    ) -> None:
        """Permission notes that reached nobody go, privately, to a moderator who is here."""
        if not self.permissions.has_pending(guild_id) or not await self._chat.is_moderator(
            invoker, room
        ):
            return
        for note in await self.permissions.take_pending(guild_id):
            await replier.reply(note, Visibility.PRIVATE)

    async def _suggest(self, interaction: discord.Interaction, typed: str) -> list[str]:
        if interaction.guild_id is None:
            return []
        space = SpaceRef(Platform.DISCORD, str(interaction.guild_id))
        return await self._host.router.directory.suggest(space, typed.strip())


def format_wait(seconds: float) -> str:
    """``5 s``, ``2 min``, for log lines."""
    return f"{seconds:g} s" if seconds < 120 else f"{seconds / 60:.0f} min"
