"""The real bot on a real Synapse, and people talking to it with plain nio clients.

``BotRunner`` runs ``bot.app.open_app`` with a ``MatrixAdapter`` (the real clock unless a test
passes ``clock=ManualClock(...)``, real SQLite in a temporary data directory) in the test's
event loop, and can stop and start it again on the same data, keeping the same clock. ``Person`` is a human: a nio client syncing in the background, collecting what it
sees, so a test waits for what it expects instead of sleeping. Fixtures: ``matrix_bot`` and
``people`` (registered in tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, TypeVar

import nio
import pytest

from bot.app import App, open_app
from bot.chat import Event
from bot.clock import Clock, SystemClock
from bot.cog import Cog, DomainEvent
from bot.config import Config, MatrixConfig, Secrets
from bot.platforms.matrix import MatrixAdapter
from tests.e2e.synapse import RegisteredUser, Synapse
from tests.e2e.synapse_fixtures import MakeClient, RegisterUser

WAIT = 15.0  # seconds any one expectation may take; loopback answers in well under one
# What people and the bot write: text and notices (nio reads both as formatted messages).
Said = nio.RoomMessageText | nio.RoomMessageNotice
_T = TypeVar("_T")
TIMELINE_100 = {"room": {"timeline": {"limit": 100}}}


async def eventually(check: Callable[[], _T | None], what: str, within: float = WAIT) -> _T:
    """Poll ``check`` (cheap, in memory) until it returns something truthy; fail after ``within``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        found = check()
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Ear(Cog):
    """A listening cog: every event the host hands the cogs."""

    name = "ear"

    def __init__(self) -> None:
        self.heard: list[Event | DomainEvent] = []

    async def handle(self, event: Event | DomainEvent) -> None:
        self.heard.append(event)

    def of(self, kind: type[_T]) -> list[_T]:
        return [e for e in self.heard if isinstance(e, kind)]


class Errors(logging.Handler):
    """Error records from the bot's own loggers: a test fails on any it did not expect."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "cogs")):
            self.records.append(record)


class BotRunner:
    """The whole bot on Matrix: ``await runner.start()``, ``await runner.stop()``, again."""

    def __init__(
        self,
        synapse: Synapse,
        account: RegisteredUser,
        data_dir: Path,
        *,
        use_password: bool = False,
        adapter_options: dict[str, Any] | None = None,
        clock: Clock | None = None,
        **matrix: Any,
    ) -> None:
        self.account = account
        # A ManualClock means no alarm rings by itself: the test calls app.advance_and_run().
        self.clock: Clock = clock or SystemClock()
        self.user_id = account.user_id
        self.config = Config(
            data_dir=str(data_dir),
            matrix=MatrixConfig(
                enabled=True, homeserver=synapse.url, user_id=account.user_id, **matrix
            ),
        )
        self.secrets = Secrets(
            discord_token=None,
            matrix_access_token=None if use_password else account.access_token,
            matrix_password=account.password if use_password else None,
        )
        self.adapter_options = {"backoff_max": 2.0, **(adapter_options or {})}
        self.ear = Ear()
        self.errors = Errors()
        self.app: App | None = None
        self.adapter: MatrixAdapter | None = None
        self._context: AbstractAsyncContextManager[App] | None = None
        self._run: asyncio.Task[None] | None = None
        self.run_error: BaseException | None = None

    async def start(self) -> BotRunner:
        logging.getLogger().addHandler(self.errors)
        self._context = open_app(self.config, clock=self.clock)
        self.app = await self._context.__aenter__()
        self.ear = Ear()
        self.app.bus.attach(self.ear)
        self.adapter = MatrixAdapter(
            self.app,
            self.config.matrix,
            self.secrets,
            data_path=self.config.data_path,
            **self.adapter_options,
        )
        await self.app.attach(self.adapter)
        await self.app.start()
        self._run = asyncio.create_task(self.adapter.run(), name="bot-run")
        return self

    async def stop(self) -> None:
        if self._context is None:
            return
        run, self._run = self._run, None
        if run is not None:
            if run.done() and not run.cancelled() and run.exception() is not None:
                self.run_error = run.exception()
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
        await self._context.__aexit__(None, None, None)
        self._context = None
        self.app = None
        logging.getLogger().removeHandler(self.errors)

    def table(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows from the bot's database (also while it is stopped)."""
        with contextlib.closing(sqlite3.connect(self.config.database_path)) as db:
            return db.execute(sql, params).fetchall()

    def check_no_errors(self) -> None:
        assert self.run_error is None, f"the adapter stopped: {self.run_error!r}"
        messages = [r.getMessage() for r in self.errors.records]
        assert messages == [], f"the bot logged errors: {messages}"


class Person:
    """Someone using Matrix with an ordinary client, syncing in the background."""

    def __init__(self, client: nio.AsyncClient, name: str) -> None:
        self.client = client
        self.name = name
        self.user_id: str = client.user_id
        self.seen: list[tuple[str, nio.Event]] = []  # (room id, event), in arrival order
        self.invites: list[str] = []
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> Person:
        reply = await self.client.set_displayname(self.name)
        assert isinstance(reply, nio.ProfileSetDisplayNameResponse), reply
        if self.client.olm is not None:
            uploaded = await self.client.keys_upload()
            assert isinstance(uploaded, nio.KeysUploadResponse), uploaded
        first = await self.client.sync(timeout=0, sync_filter=TIMELINE_100)
        assert isinstance(first, nio.SyncResponse), first
        self._task = asyncio.create_task(self._sync_forever(), name=f"sync-{self.name}")
        return self

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _sync_forever(self) -> None:
        while True:
            try:
                response = await self.client.sync(timeout=30_000, sync_filter=TIMELINE_100)
            except (OSError, TimeoutError, nio.LocalProtocolError):
                await asyncio.sleep(0.1)  # the homeserver is away (an outage test)
                continue
            except Exception as error:  # aiohttp's errors while Synapse restarts
                if "Connect" in type(error).__name__ or "Disconnect" in type(error).__name__:
                    await asyncio.sleep(0.1)
                    continue
                raise
            if not isinstance(response, nio.SyncResponse):
                await asyncio.sleep(0.1)
                continue
            for room_id, info in response.rooms.join.items():
                self.seen.extend((room_id, event) for event in info.timeline.events)
            self.invites.extend(response.rooms.invite)
            if self.client.olm is not None:
                if self.client.should_query_keys:
                    await self.client.keys_query()
                if self.client.should_claim_keys:
                    await self.client.keys_claim(self.client.get_users_for_key_claiming())
                await self.client.send_to_device_messages()

    # --- doing ----------------------------------------------------------------------------

    def mark(self) -> int:
        return len(self.seen)

    async def say(self, room_id: str, text: str, *, thread: str | None = None, **extra: Any) -> str:
        content: dict[str, Any] = {"msgtype": "m.text", "body": text, **extra}
        if thread is not None:
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": thread},
            }
        sent = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(sent, nio.RoomSendResponse), sent
        return str(sent.event_id)

    async def react(self, room_id: str, target: str, key: str) -> str:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}}
        sent = await self.client.room_send(room_id, "m.reaction", content)
        assert isinstance(sent, nio.RoomSendResponse), sent
        return str(sent.event_id)

    async def redact(self, room_id: str, event_id: str) -> None:
        done = await self.client.room_redact(room_id, event_id)
        assert isinstance(done, nio.RoomRedactResponse), done

    async def room_with(self, *others: str | Person, encrypted: bool = False, **create: Any) -> str:
        """A new room with ``others`` invited (people join; the bot joins by itself); returns
        once every one of them is in."""
        initial_state = [nio.EnableEncryptionBuilder().as_dict()] if encrypted else []
        invite = [o.user_id if isinstance(o, Person) else o for o in others]
        created = await self.client.room_create(
            invite=invite, initial_state=initial_state, **create
        )
        assert isinstance(created, nio.RoomCreateResponse), created
        room_id = str(created.room_id)
        for other in others:
            if isinstance(other, Person):
                await other.join(room_id)
        for user_id in invite:
            await self.wait_joined(room_id, user_id)
        return room_id

    async def join(self, room_id: str) -> None:
        joined = await self.client.join(room_id)
        assert isinstance(joined, nio.JoinResponse), joined
        await self.wait_joined(room_id, self.user_id)

    async def wait_joined(self, room_id: str, user_id: str) -> None:
        def joined() -> bool:
            return any(
                isinstance(e, nio.RoomMemberEvent)
                and e.state_key == user_id
                and e.membership == "join"
                for r, e in self.seen
                if r == room_id
            )

        await eventually(joined, f"{user_id} to join {room_id}")

    async def set_power(self, room_id: str, user_id: str, level: int) -> None:
        current = await self.client.room_get_state_event(room_id, "m.room.power_levels")
        assert isinstance(current, nio.RoomGetStateEventResponse), current
        content = dict(current.content)
        content["users"] = {**content.get("users", {}), user_id: level}
        put = await self.client.room_put_state(room_id, "m.room.power_levels", content)
        assert isinstance(put, nio.RoomPutStateResponse), put

    # --- reading --------------------------------------------------------------------------

    def messages_from(self, sender: str, room_id: str | None = None, since: int = 0) -> list[Said]:
        return [
            e
            for r, e in self.seen[since:]
            if (room_id is None or r == room_id)
            and isinstance(e, nio.RoomMessageText | nio.RoomMessageNotice)
            and e.sender == sender
        ]

    async def expect(
        self,
        sender: str,
        text: str,
        *,
        room_id: str | None = None,
        since: int = 0,
        within: float = WAIT,
    ) -> Said:
        """The first message from ``sender`` (after mark ``since``) whose body contains ``text``."""

        def found() -> Said | None:
            return next(
                (e for e in self.messages_from(sender, room_id, since) if text in e.body), None
            )

        try:
            return await eventually(found, f"{sender} to say {text!r}", within)
        except AssertionError:
            said = [e.body[:120] for e in self.messages_from(sender, room_id, since)]
            raise AssertionError(f"{sender} never said {text!r}; it said {said}") from None

    def answers_to(self, sender: str, event_id: str) -> list[Said]:
        """``sender``'s messages that reply to ``event_id`` (how the bot answers in place)."""
        out = []
        for event in self.messages_from(sender):
            relates = event.source.get("content", {}).get("m.relates_to", {})
            if relates.get("m.in_reply_to", {}).get("event_id") == event_id:
                out.append(event)
        return out

    async def ask(self, room_id: str, bot: str, text: str, *, thread: str | None = None) -> Said:
        """Say a command and wait for the bot's answer to it (a reply in place)."""
        event_id = await self.say(room_id, text, thread=thread)
        return await eventually(
            lambda: next(iter(self.answers_to(bot, event_id)), None), f"an answer to {text!r}"
        )


def thread_of(event: nio.Event) -> str | None:
    relates = event.source.get("content", {}).get("m.relates_to", {})
    return relates.get("event_id") if relates.get("rel_type") == "m.thread" else None


MakeBot = Callable[..., Awaitable[BotRunner]]
MakePeople = Callable[..., Awaitable[Person]]


@pytest.fixture
async def matrix_bot(
    synapse: Synapse, matrix_user: RegisterUser, tmp_path: Path
) -> AsyncIterator[MakeBot]:
    """Start the bot: ``bot = await matrix_bot(**matrix_settings)``; stopped after the test,
    which fails if the bot logged an error it was not told to expect."""
    runners: list[BotRunner] = []

    async def make(
        *,
        account: RegisteredUser | None = None,
        data_dir: Path | None = None,
        start: bool = True,
        **settings: Any,
    ) -> BotRunner:
        runner = BotRunner(
            synapse,
            account or matrix_user("bot"),
            data_dir or tmp_path / f"bot{len(runners)}",
            **settings,
        )
        runners.append(runner)
        if start:
            await runner.start()
        return runner

    yield make
    for runner in runners:
        await runner.stop()
    for runner in runners:
        runner.check_no_errors()


@pytest.fixture
async def people(matrix_user: RegisterUser, matrix_client: MakeClient) -> AsyncIterator[MakePeople]:
    """People with a display name and a syncing client: ``alice = await people("Alice")``."""
    made: list[Person] = []

    async def make(name: str, *, encrypted: bool = False) -> Person:
        user = matrix_user(name.lower())
        person = Person(matrix_client(user, encrypted=encrypted), name)
        made.append(person)
        return await person.start()

    yield make
    for person in made:
        await person.stop()
