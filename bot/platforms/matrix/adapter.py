"""The Matrix platform: log in, sync without losing or repeating anything, and act on events.

Two tasks run while the bot serves:

- the **sync loop** long-polls ``/sync``, fills gaps with ``/messages`` when a room's timeline
  was ``limited``, reads each event into a small item (``translate``) and queues the batch;
  on a lost connection or a 429 it backs off with jitter and tries again, for ever;
- the **worker** acts on the batches in order (commands to the router, events to the host),
  and only then stores the batch's ``next_batch``, so a restart neither replays nor skips.
  Each event it acted on is noted, so a batch replayed after a crash is not acted on twice.

The facts behind this shape (first-sync replay, truncated bursts, creators outside the power
levels, errors as values) are in shared/testing/matrix-synapse.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import nio

from bot import metrics
from bot.chat import (
    MemberJoined,
    MemberLeft,
    MemberRef,
    MessageEdited,
    MessagePosted,
    MessageRef,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    ThreadRef,
)
from bot.cog import Cog
from bot.config import MatrixConfig, Secrets
from bot.host import Host
from bot.platforms.matrix.chat import NETWORK_ERRORS, MatrixChat, decrypted, usable_key
from bot.platforms.matrix.commands import (
    MISSING_SPACE,
    CommandLine,
    MatrixReplier,
    MemberParser,
    MissingSpace,
    read_command,
    room_ref,
    text_with_pills,
)
from bot.platforms.matrix.data_care import KEEP_REACTIONS, MatrixDataCare
from bot.platforms.matrix.login import LoginProblem, log_in, make_client
from bot.platforms.matrix.memory import EventMemory
from bot.platforms.matrix.store import MatrixStore, StoredReaction
from bot.platforms.matrix.translate import (
    Edited,
    Invited,
    Item,
    Membership,
    Posted,
    Reacted,
    Redacted,
    Removed,
    TimelineEvent,
    Undecryptable,
    invited,
    removed,
    server_of,
    translate,
)

log = logging.getLogger(__name__)
_T = TypeVar("_T")

NEXT_BATCH = "next_batch"
SYNC_TIMEOUT_MS = 30_000
TIMELINE_LIMIT = 100  # Synapse caps a filter's timeline limit at 100 by default
GAP_PAGE = 100
GAP_PAGES = 20  # at most 2,000 missed events per room are fetched back
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0
START_PATIENCE = 60.0  # seconds start() keeps trying an unreachable homeserver
STOP_GRACE = 10.0  # seconds stop() lets the current event finish
KEEP_HANDLED = timedelta(days=7)
AUTH_ERRORS = ("M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_FORBIDDEN")
LOST_PLACE = (
    "the homeserver no longer knows where the bot left off (%s); starting afresh, so anything "
    "said in the meantime is treated as history"
)


def sync_filter(timeline_limit: int) -> dict[str, Any]:
    """https://spec.matrix.org/v1.16/client-server-api/#filtering: a generous timeline, full
    member state (display names, power levels), and none of the typing, receipts or presence
    that would wake the bot for nothing."""
    return {
        "room": {
            "timeline": {"limit": timeline_limit},
            "state": {"lazy_load_members": False},
            "ephemeral": {"not_types": ["*"]},
            "account_data": {"not_types": ["*"]},
        },
        "presence": {"not_types": ["*"]},
        "account_data": {"not_types": ["*"]},
    }


class SyncFailed(Exception):
    def __init__(self, response: Any) -> None:
        self.code = str(getattr(response, "status_code", "") or "")
        self.status: int | None = getattr(
            getattr(response, "transport_response", None), "status", None
        )
        self.retry_after_ms = getattr(response, "retry_after_ms", None)
        super().__init__(f"{self.code or 'error'}: {getattr(response, 'message', response)}")

    @property
    def lost_place(self) -> bool:
        """The homeserver refuses our sync token itself (its database was reset, say):
        waiting won't help, only starting afresh will."""
        return (
            self.status is not None
            and 400 <= self.status < 500
            and self.status != 429
            and self.code not in AUTH_ERRORS
            and self.code != "M_LIMIT_EXCEEDED"
        )


@dataclass(slots=True)
class Batch:
    items: list[Item]
    next_batch: str
    check_handled: bool = False  # only a batch that may have been acted on before


@dataclass(slots=True)
class SyncHealth:
    """How the connection has been, for logs, tests and the benchmark."""

    syncs: int = 0
    failures: int = 0
    recoveries: int = 0
    last_problem: str | None = None


class Backoff:
    """Exponential back-off with jitter, so many bots don't return in step."""

    def __init__(self, first: float, most: float) -> None:
        self._first = first
        self._most = most
        self.failures = 0

    def next(self) -> float:
        delay = min(self._most, self._first * 2.0**self.failures)
        self.failures += 1
        return delay * random.uniform(0.75, 1.0)  # noqa: S311 - jitter, not a secret

    def reset(self) -> None:
        self.failures = 0


class MatrixAdapter:
    def __init__(
        self,
        host: Host,
        config: MatrixConfig,
        secrets: Secrets,
        *,
        data_path: Path,
        timeline_limit: int = TIMELINE_LIMIT,
        sync_timeout_ms: int = SYNC_TIMEOUT_MS,
        backoff_max: float = BACKOFF_MAX,
    ) -> None:
        self._host = host
        self._config = config
        self._secrets = secrets
        self._data_path = Path(data_path)
        self._filter = sync_filter(timeline_limit)
        self._sync_timeout_ms = sync_timeout_ms
        self._backoff_max = backoff_max
        self._store = MatrixStore(host.db)
        self._memory = EventMemory()
        self._client: nio.AsyncClient | None = None
        self._chat: MatrixChat | None = None
        self._me = config.user_id
        self._since: str | None = None
        self._pending: Batch | None = None
        self._queue: asyncio.Queue[Batch | None] = asyncio.Queue()
        self._stopping = asyncio.Event()
        self._syncer: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._groups: set[str] = set()
        self.health = SyncHealth()

    @property
    def platform(self) -> Platform:
        return Platform.MATRIX

    @property
    def chat(self) -> MatrixChat:
        if self._chat is None:
            raise RuntimeError("the Matrix adapter has not started")
        return self._chat

    @property
    def user_id(self) -> str:
        return self._me

    def cogs(self) -> Sequence[Cog]:
        """The adapter's own data care: what it keeps about people, for ``privacy``."""
        return (MatrixDataCare(self._store),)

    def _need_client(self) -> nio.AsyncClient:
        if self._client is None:
            raise RuntimeError("the Matrix adapter has not started")
        return self._client

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Log in and make the first sync; nothing reaches the host until ``run()``."""
        self._data_path.mkdir(parents=True, exist_ok=True)
        client = self._client = make_client(self._config, self._data_path)
        try:
            session = await self._patiently(
                lambda: log_in(client, self._config, self._secrets, self._data_path), "logging in"
            )
            self._me = session.user_id
            self._chat = MatrixChat(
                client,
                me=self._me,
                config=self._config,
                store=self._store,
                memory=self._memory,
                clock=self._host.clock,
            )
            self._chat.direct = await self._store.direct_rooms()
            self._groups = {spec.path[0] for spec in self._host.router.specs}
            await self._store.prune_handled(self._host.clock.now() - KEEP_HANDLED)
            await self._store.prune_reactions(self._host.clock.now() - KEEP_REACTIONS)
            await self._crypto_chores()
            saved = await self._host.state.get(Platform.MATRIX, NEXT_BATCH)
            if saved is None:
                self._pending = await self._patiently(self._fresh_start, "the first sync")
            else:
                try:
                    self._pending = await self._patiently(
                        lambda: self._catch_up(saved), "catching up"
                    )
                except SyncFailed as failure:
                    if not failure.lost_place:
                        raise
                    log.error(LOST_PLACE, failure)
                    self._pending = await self._patiently(self._fresh_start, "the first sync")
            self._since = self._pending.next_batch
            await self._crypto_chores()
        except BaseException:
            await client.close()  # type: ignore[no-untyped-call]  # nio leaves close() unannotated
            raise
        log.info("Matrix is ready as %s (%d rooms)", self._me, len(client.rooms))

    async def _catch_up(self, saved: str) -> Batch:
        """The full state gives nio every room's members and power levels again; the timeline
        since ``saved`` holds what was said while the bot was away."""
        first = await self._sync(since=saved, full_state=True, timeout_ms=0)
        items = await self._items(first, since=saved)
        return Batch(items, first.next_batch, check_handled=True)

    async def _fresh_start(self) -> Batch:
        """Sync as a bot that has never been here: what is already in the rooms is history,
        not requests (an unfiltered first sync hands over the last events of every room).
        Only open invitations are acted on."""
        first = await self._sync(since=None, full_state=False, timeout_ms=0, limit=1)
        # Synapse may answer an identical initial sync from its response cache for a couple
        # of minutes, so that token can be a little old: catch up to now, all of it history.
        now = await self._sync(since=first.next_batch, full_state=False, timeout_ms=0, limit=1)
        invites = {i.room_id: i for i in self._room_changes(first) if isinstance(i, Invited)}
        for room_id in [*now.rooms.join, *now.rooms.leave]:
            invites.pop(room_id, None)
        invites.update({i.room_id: i for i in self._room_changes(now) if isinstance(i, Invited)})
        await self._host.state.set(
            Platform.MATRIX, NEXT_BATCH, now.next_batch, self._host.clock.now()
        )
        return Batch(list(invites.values()), now.next_batch)

    async def run(self) -> None:
        """Act on what arrived meanwhile, then serve until ``stop()``."""
        if self._client is None:
            raise RuntimeError("start() the Matrix adapter first")
        self._worker = asyncio.create_task(self._work(), name="matrix-worker")
        if self._pending is not None:
            self._queue.put_nowait(self._pending)
            self._pending = None
        self._syncer = asyncio.create_task(self._sync_loop(), name="matrix-sync")
        done, _ = await asyncio.wait(
            {self._worker, self._syncer}, return_when=asyncio.FIRST_COMPLETED
        )
        for task in done:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error

    async def stop(self) -> None:
        self._stopping.set()
        if self._syncer is not None:
            self._syncer.cancel()
            await asyncio.gather(self._syncer, return_exceptions=True)
        if self._worker is not None:
            self._queue.put_nowait(None)
            try:
                await asyncio.wait_for(asyncio.shield(self._worker), STOP_GRACE)
            except TimeoutError:
                self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        if self._client is not None:
            await self._client.close()  # type: ignore[no-untyped-call]  # nio leaves close() unannotated

    # --- syncing --------------------------------------------------------------------------

    async def _sync(
        self, *, since: str | None, full_state: bool, timeout_ms: int, limit: int | None = None
    ) -> nio.SyncResponse:
        client = self._need_client()
        sync_filter = self._filter if limit is None else sync_filter_with(self._filter, limit)
        # nio gives a full-state or timeout-0 sync no client-side timeout at all.
        response = await asyncio.wait_for(
            client.sync(
                timeout=timeout_ms, since=since, sync_filter=sync_filter, full_state=full_state
            ),
            timeout_ms / 1000 + 30,
        )
        if not isinstance(response, nio.SyncResponse):
            raise SyncFailed(response)
        self.health.syncs += 1
        self._note_rooms(response)
        return response

    async def _sync_loop(self) -> None:
        backoff = Backoff(BACKOFF_FIRST, self._backoff_max)
        while not self._stopping.is_set():
            since = self._since
            try:
                response = await self._sync(
                    since=since, full_state=False, timeout_ms=self._sync_timeout_ms
                )
                items = await self._items(response, since=since)
            except asyncio.CancelledError:
                raise
            except SyncFailed as failure:
                if failure.code in AUTH_ERRORS:
                    log.error(
                        "the homeserver no longer accepts the bot's login (%s); stopping", failure
                    )
                    raise LoginProblem(
                        f"matrix: the homeserver refused the login: {failure}"
                    ) from None
                if failure.lost_place:
                    log.error(LOST_PLACE, failure)
                    try:
                        fresh = await self._fresh_start()
                    except Exception as error:
                        self._note_failure(f"{type(error).__name__}: {error}", backoff.next())
                        await self._pause(BACKOFF_FIRST)
                        continue
                    self._since = fresh.next_batch
                    self._queue.put_nowait(fresh)
                    continue
                delay = backoff.next()
                if failure.code == "M_LIMIT_EXCEEDED" and failure.retry_after_ms:
                    delay = failure.retry_after_ms / 1000 + random.uniform(0, 0.5)  # noqa: S311
                self._note_failure(str(failure), delay)
                await self._pause(delay)
                continue
            except Exception as error:  # a lost connection, a proxy's 502 page, a timeout
                delay = backoff.next()
                self._note_failure(f"{type(error).__name__}: {error}".rstrip(": "), delay)
                await self._pause(delay)
                continue
            if backoff.failures:
                log.info(
                    "back in touch with the homeserver after %d failed syncs", backoff.failures
                )
                self.health.recoveries += 1
                metrics.connection_up(Platform.MATRIX)
                backoff.reset()
            self._since = response.next_batch
            await self._crypto_chores()
            self._queue.put_nowait(Batch(items, response.next_batch))

    def _note_failure(self, problem: str, delay: float) -> None:
        self.health.failures += 1
        self.health.last_problem = problem
        metrics.connection_down(Platform.MATRIX)
        log.warning("Matrix sync failed (%s); trying again in %.1f s", problem, delay)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _patiently(self, attempt: Callable[[], Awaitable[_T]], what: str) -> _T:
        """Retry ``attempt`` through outages and 429s for a while (the bot may start before
        its homeserver does); refusals such as a bad token are raised at once."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_PATIENCE
        backoff = Backoff(BACKOFF_FIRST, min(self._backoff_max, 10.0))
        while True:
            try:
                return await attempt()
            except LoginProblem:
                raise
            except SyncFailed as failure:
                if failure.code in AUTH_ERRORS:
                    raise LoginProblem(
                        f"matrix: the homeserver refused the login: {failure}"
                    ) from None
                if failure.lost_place:
                    raise
                problem = str(failure)
            except (*NETWORK_ERRORS, nio.LocalProtocolError) as error:
                problem = f"{type(error).__name__}: {error}"
            delay = backoff.next()
            if loop.time() + delay > deadline:
                raise LoginProblem(
                    f"matrix: {what} failed, and kept failing for a minute ({problem})"
                )
            log.warning("Matrix: %s failed (%s); trying again in %.1f s", what, problem, delay)
            await asyncio.sleep(delay)

    async def _crypto_chores(self) -> None:
        """What nio's sync_forever does for encryption, since we own the loop."""
        client = self._client
        if client is None or client.olm is None:
            return
        try:
            if client.should_upload_keys:
                await client.keys_upload()
            if client.should_query_keys:
                await client.keys_query()
            if client.should_claim_keys:
                await client.keys_claim(client.get_users_for_key_claiming())
            await client.send_to_device_messages()
        except Exception:
            log.warning("an encryption key exchange failed; it will be tried again", exc_info=True)

    def _note_rooms(self, response: nio.SyncResponse) -> None:
        chat = self._chat
        if chat is None:
            return
        for room_id, info in response.rooms.join.items():
            for event in [*info.state, *info.timeline.events]:
                if isinstance(event, nio.RoomCreateEvent):
                    chat.note_creators(room_id, event)
            chat.note_joined(room_id)

    def _room_changes(self, response: nio.SyncResponse) -> list[Item]:
        items: list[Item] = []
        for room_id, info in response.rooms.invite.items():
            invitation = invited(info, room_id, self._me)
            if invitation is not None:
                items.append(invitation)
        for room_id, left in response.rooms.leave.items():
            items.append(removed(left, room_id, self._me))
        return items

    async def _items(self, response: nio.SyncResponse, *, since: str | None) -> list[Item]:
        items = self._room_changes(response)
        for room_id, info in response.rooms.join.items():
            events = list(info.timeline.events)
            if info.timeline.limited and since is not None and info.timeline.prev_batch:
                events = await self._fill_gap(room_id, info.timeline.prev_batch, since) + events
            for event in self._after_own_join(events):
                item = translate(self._decrypted(event), room_id)
                if item is not None:
                    items.append(item)
        return items

    def _after_own_join(self, events: list[TimelineEvent]) -> list[TimelineEvent]:
        """A room the bot has just joined comes with some of its history; what was said
        before the bot arrived is not for it to act on."""
        for index in range(len(events) - 1, -1, -1):
            event = events[index]
            if (
                isinstance(event, nio.RoomMemberEvent)
                and event.state_key == self._me
                and event.membership == "join"
                and event.prev_membership != "join"
            ):
                return events[index:]
        return events

    async def _fill_gap(self, room_id: str, prev_batch: str, since: str) -> list[TimelineEvent]:
        """The events a ``limited`` timeline left out: page back from ``prev_batch`` to
        ``since`` (where the previous sync ended), stopping early at an event we've seen."""
        client = self._need_client()
        missed: list[TimelineEvent] = []
        token = prev_batch
        for _ in range(GAP_PAGES):
            page = await client.room_messages(room_id, start=token, end=since, limit=GAP_PAGE)
            if not isinstance(page, nio.RoomMessagesResponse):
                raise SyncFailed(page)
            for event in page.chunk:  # newest first
                if self._memory.seen(getattr(event, "event_id", "")):
                    return missed[::-1]
                missed.append(event)
            if not page.chunk or not page.end or page.end == token:
                return missed[::-1]
            token = page.end
        log.warning(
            "more than %d events arrived in %s at once; the oldest were not read",
            len(missed),
            room_id,
        )
        return missed[::-1]

    def _decrypted(self, event: TimelineEvent) -> TimelineEvent:
        return event if self._client is None else decrypted(self._client, event)

    # --- acting ---------------------------------------------------------------------------

    async def _work(self) -> None:
        while True:
            batch = await self._queue.get()
            if batch is None:
                return
            for item in batch.items:
                if self._stopping.is_set():
                    return  # the rest comes again after a restart: next_batch was not stored
                await self._act(item, check=batch.check_handled)
            await self._host.state.set(
                Platform.MATRIX, NEXT_BATCH, batch.next_batch, self._host.clock.now()
            )

    async def _act(self, item: Item, *, check: bool) -> None:
        event_id = item.event_id
        if (
            isinstance(item, Posted | Edited | Reacted | Redacted | Membership)
            and item.sender == self._me
        ):
            self._remember_own(item)
            return
        if event_id is not None and check and await self._store.was_handled(event_id):
            return
        try:
            await self._dispatch(item)
        except Exception:
            log.exception("handling %s %s failed", type(item).__name__, event_id or "")
        if event_id is not None:
            await self._store.mark_handled(event_id, self._host.clock.now())

    def _remember_own(self, item: Item) -> None:
        if isinstance(item, Posted):
            self._memory.remember(item.event_id, item.sender, item.thread_id)
            if item.thread_id:
                self._memory.note_in_thread(item.room_id, item.thread_id, item.event_id)
        elif isinstance(item, Membership) and item.change == "joined" and self._chat is not None:
            self._chat.note_joined(item.room_id)

    async def _dispatch(self, item: Item) -> None:
        if isinstance(item, Posted):
            await self._on_posted(item)
        elif isinstance(item, Edited):
            await self._on_edited(item)
        elif isinstance(item, Reacted):
            await self._on_reacted(item)
        elif isinstance(item, Redacted):
            await self._on_redacted(item)
        elif isinstance(item, Membership):
            await self._on_membership(item)
        elif isinstance(item, Invited):
            await self._on_invited(item)
        elif isinstance(item, Removed):
            await self._on_removed(item)
        elif isinstance(item, Undecryptable):
            log.warning(
                "could not decrypt %s from %s in %s", item.event_id, item.sender, item.room_id
            )

    def _thread(self, room_id: str, thread_id: str | None) -> ThreadRef | None:
        return ThreadRef(room_ref(room_id), thread_id) if thread_id else None

    async def _on_posted(self, item: Posted) -> None:
        chat = self.chat
        room = room_ref(item.room_id)
        thread = self._thread(item.room_id, item.thread_id)
        if item.thread_id:
            self._memory.note_in_thread(item.room_id, item.thread_id, item.event_id)
        # m.notice is how Matrix bots speak, and a bot never answers one (spec: m.notice).
        found = (
            None
            if item.notice
            else read_command(item.body, self._config.command_prefix, self._groups)
        )
        self._memory.remember(item.event_id, item.sender, item.thread_id, command=found is not None)
        if isinstance(found, MissingSpace):
            bare = self._config.command_prefix
            text = MISSING_SPACE.format(
                prefix=chat.command_prefix(Platform.MATRIX),
                suggestion=found.suggestion[:80],
                bare=bare,
            )
            await chat.answer(item.room_id, thread, item.event_id, text)
            return
        author = MemberRef(Platform.MATRIX, item.sender)
        if isinstance(found, CommandLine):
            with_pills = read_command(
                text_with_pills(item.body, item.html), self._config.command_prefix, self._groups
            )
            line = with_pills.line if isinstance(with_pills, CommandLine) else found.line
            direct = item.room_id in chat.direct
            await self._host.router.run_text(
                line,
                invoker=author,
                room=None if direct else room,
                thread=None if direct else thread,
                replier=MatrixReplier(
                    chat,
                    invoker=author,
                    room_id=item.room_id,
                    thread=thread,
                    event_id=item.event_id,
                    direct=direct,
                ),
                parse_member=MemberParser(self._me, lambda: chat.display_names(item.room_id)),
                prefix=chat.command_prefix(Platform.MATRIX),
            )
            return
        reply_to = None
        if item.reply_to:
            reply_to = MessageRef(
                room,
                item.reply_to,
                self._thread(item.room_id, self._memory.thread_of(item.reply_to)),
            )
        await self._host.receive(
            MessagePosted(
                MessageRef(room, item.event_id, thread),
                author,
                item.body,
                item.at,
                reply_to,
                by_bot=item.notice,
            )
        )

    async def _on_edited(self, item: Edited) -> None:
        """An edit never runs a command (not even a corrected one: that would run it twice);
        an edit of an ordinary message, by its author, becomes ``MessageEdited``."""
        if read_command(item.body, self._config.command_prefix, self._groups) is not None:
            return
        original = self._memory.get(item.target_id)
        if original is None:
            fetched = await self._fetch_posted(item.room_id, item.target_id)
            if fetched is None:
                return
            command = (
                read_command(fetched.body, self._config.command_prefix, self._groups) is not None
            )
            self._memory.remember(
                fetched.event_id, fetched.sender, fetched.thread_id, command=command
            )
            original = self._memory.get(item.target_id)
        if original is None or original.command or original.sender != item.sender:
            return
        room = room_ref(item.room_id)
        message = MessageRef(room, item.target_id, self._thread(item.room_id, original.thread_id))
        await self._host.receive(
            MessageEdited(message, MemberRef(Platform.MATRIX, item.sender), item.body, item.at)
        )

    async def _fetch_posted(self, room_id: str, event_id: str) -> Posted | None:
        try:
            response = await self._need_client().room_get_event(room_id, event_id)
        except NETWORK_ERRORS:
            return None
        if not isinstance(response, nio.RoomGetEventResponse):
            return None
        item = translate(self._decrypted(response.event), room_id)
        return item if isinstance(item, Posted) else None

    async def _on_reacted(self, item: Reacted) -> None:
        key = usable_key(item.key)
        if key is None:
            log.debug("ignoring a reaction with a key we can't count: %r", item.key[:80])
            return
        thread_id = self._memory.thread_of(item.target_id)
        await self._store.add_reaction(
            StoredReaction(
                item.event_id, item.room_id, item.target_id, thread_id, item.sender, key, item.at
            )
        )
        room = room_ref(item.room_id)
        message = MessageRef(room, item.target_id, self._thread(item.room_id, thread_id))
        await self._host.receive(
            ReactionAdded(message, MemberRef(Platform.MATRIX, item.sender), key, item.at)
        )

    async def _on_redacted(self, item: Redacted) -> None:
        """Taking a reaction back is a redaction of the reaction event itself."""
        stored = await self._store.take_reaction(item.redacts)
        if stored is None:
            return  # a message, or something we never counted: nothing to undo
        room = room_ref(stored.room_id)
        message = MessageRef(room, stored.target_id, self._thread(stored.room_id, stored.thread_id))
        member = MemberRef(Platform.MATRIX, stored.member_id)
        await self._host.receive(
            ReactionRemoved(
                message, member, stored.key, item.at, by_bot=stored.member_id == self._me
            )
        )

    async def _on_membership(self, item: Membership) -> None:
        if item.member == self._me:
            return
        member = MemberRef(Platform.MATRIX, item.member)
        room = room_ref(item.room_id)
        if item.change == "joined":
            await self._host.receive(MemberJoined(room, member, item.at))
        else:
            await self._host.receive(MemberLeft(room, member, item.at))

    def _may_invite(self, inviter: str) -> bool:
        allowed = self._config.allowed_inviters or (server_of(self._me),)
        for entry in allowed:
            if entry.startswith("@") and inviter == entry:
                return True
            if not entry.startswith("@") and server_of(inviter) == entry:
                return True
        return False

    async def _on_invited(self, item: Invited) -> None:
        client = self._need_client()
        if not self._may_invite(item.inviter):
            log.warning(
                "declining an invitation to %s from %s: not in matrix.allowed_inviters",
                item.room_id,
                item.inviter,
            )
            await client.room_leave(item.room_id)
            return
        joined = await client.join(item.room_id)
        if not isinstance(joined, nio.JoinResponse):
            log.warning("could not join %s (invited by %s): %s", item.room_id, item.inviter, joined)
            return
        log.info("joined %s, invited by %s", item.room_id, item.inviter)
        if item.is_direct:
            await self._store.set_direct_room(item.inviter, item.room_id, self._host.clock.now())
            self.chat.direct[item.room_id] = item.inviter

    async def _on_removed(self, item: Removed) -> None:
        if item.sender and item.sender != self._me:
            how = "banned" if item.membership == "ban" else "removed"
            reason = f" ({item.reason})" if item.reason else ""
            log.warning(
                "%s from %s by %s%s; forgetting the room",
                how.capitalize(),
                item.room_id,
                item.sender,
                reason,
            )
        else:
            log.info("left %s", item.room_id)
        self.chat.forget_room(item.room_id)
        await self._store.forget_direct_room(item.room_id)
        with contextlib.suppress(*NETWORK_ERRORS):
            await self._need_client().room_forget(item.room_id)


def sync_filter_with(base: dict[str, Any], limit: int) -> dict[str, Any]:
    room = dict(base["room"])
    room["timeline"] = {"limit": limit}
    return {**base, "room": room}
