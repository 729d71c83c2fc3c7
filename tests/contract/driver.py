"""What the contract scenarios may do on a platform: the ``Driver`` a platform's tests provide.

A scenario is written once, as people would live it: someone says something in the room or in
a thread, reacts and takes a reaction back, runs a command and reads the answer, reads their
private messages; the bot goes down and comes back; time passes. A driver does each of these
the way its platform does them, for real (nothing is mocked): the sandbox through its console
lines, Matrix through nio clients on a real Synapse, Discord through the loopback server and
the unmodified discord.py.

Everyone is in one room, ``home``. The cast are named by their first names in lowercase
(``alice``, ``bob``, ...); ``alice`` is always present and always a moderator, as the person
who set the community up. A driver returns from ``say`` and ``react`` once the bot has heard
(while it is up), so a scenario never sleeps.

How to write one, and how to add a platform: README.md in this folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from bot.app import App
from bot.chat import Chat, MemberRef, MessageRef, Platform, RoomRef, ThreadRef

T = TypeVar("T")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning: every world starts here
WAIT = 15.0  # seconds any one expectation may take; the slowest platform needs well under one
CAST = ("alice", "bob", "carol", "dan", "erin")
MODERATOR = "alice"


@dataclass(frozen=True, slots=True)
class Post:
    """A message in the home room or one of its threads, as the platform keeps it.

    ``id`` is the platform's own message id, the one the bot stores. A thread is named by the
    post it grew from, so ``thread`` is that root post's id (None for the room itself).
    """

    id: str
    text: str
    thread: str | None = None


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot said that the person who ran a command saw next.

    ``private`` when only they see it: an ephemeral answer or a private message. ``post``
    when it is a message in the home room or one of its threads.
    """

    text: str
    private: bool
    post: Post | None = None


class Driver(Protocol):
    """One platform, with the bot running on it and the cast in its home room."""

    platform: Platform
    prefix: str  # what commands start with there: "/" or "!ck "

    # --- who and where ---------------------------------------------------------------------

    @property
    def room(self) -> RoomRef:
        """The home room, as the bot names it."""
        ...

    @property
    def chat(self) -> Chat:
        """The platform's ``Chat`` port, as the cogs use it (the bot must be up)."""
        ...

    @property
    def app(self) -> App:
        """The running bot (the bot must be up)."""
        ...

    @property
    def database(self) -> Path: ...

    def member(self, who: str) -> MemberRef: ...

    def name(self, who: str) -> str:
        """The name the bot calls this person by."""
        ...

    def handle(self, who: str) -> str:
        """How a command line names this person in a member option."""
        ...

    # --- people ----------------------------------------------------------------------------

    async def say(self, who: str, text: str, *, thread: Post | None = None) -> Post:
        """``who`` writes ``text`` in the room, or in the thread that grew from ``thread``."""
        ...

    async def answer(self, who: str, to: Post, text: str) -> Post:
        """``who`` answers someone's post where people there answer one: in a thread on it
        where people may open threads (Matrix, Discord), in the room where they can't (the
        sandbox)."""
        ...

    async def edit(self, who: str, post: Post, text: str) -> None: ...

    async def react(self, who: str, post: Post, key: str) -> None: ...

    async def unreact(self, who: str, post: Post, key: str) -> None: ...

    async def ask(self, who: str, line: str, *, expect: str, thread: Post | None = None) -> Reply:
        """``who`` runs ``line`` (a command without its prefix, as typed on a text platform;
        Discord fills the slash command's options from it) in the room or a thread; returns
        the first thing the bot then said that ``who`` can see and that contains ``expect``."""
        ...

    # --- what the bot said -----------------------------------------------------------------

    async def bot_post(self, containing: str, *, thread: Post | None = None) -> Post:
        """The bot's first post (in the room and its threads, or in ``thread`` only) that
        contains ``containing``, waiting for it."""
        ...

    async def bot_posts(self, *, thread: Post | None = None) -> list[Post]:
        """Everything the bot has posted so far (in the room and its threads, or in
        ``thread``), once it has handled everything before this call."""
        ...

    async def text_of(self, post: Post) -> str:
        """What ``post`` says now (the bot may have edited it)."""
        ...

    async def private(self, who: str, containing: str) -> str:
        """The first private message to ``who`` that contains ``containing``, waiting for it."""
        ...

    async def told_privately(self, who: str) -> list[str]:
        """Every private message to ``who`` so far, once the bot has handled everything."""
        ...

    def heard(self, kind: type[T]) -> list[T]:
        """The events of ``kind`` that reached the cogs since the bot last came up."""
        ...

    async def close_dms(self, who: str) -> None:
        """From now on ``who`` takes no private messages from the bot (the platform refuses
        them). Where a platform has no such refusal, the scenario is skipped there."""
        ...

    # --- the bot and the clock ---------------------------------------------------------------

    async def down(self) -> None:
        """Stop the bot. People may go on talking and reacting; the bot hears none of it."""
        ...

    async def up(self) -> None:
        """Start the bot again on the same data; returns once it has caught up."""
        ...

    async def pass_time(self, delta: timedelta) -> int:
        """Move the clock on; while the bot is up, fire what fell due. Returns how many fired."""
        ...

    async def run_due(self) -> int:
        """Fire what is due now (after a start: what fell due while the bot was away)."""
        ...


OpenWorld = Callable[..., Awaitable[Driver]]


# --- helpers every driver and scenario shares --------------------------------------------------


def message_ref(driver: Driver, post: Post) -> MessageRef:
    room = driver.room
    return MessageRef(room, post.id, ThreadRef(room, post.thread) if post.thread else None)


def thread_ref(driver: Driver, root: Post) -> ThreadRef:
    return ThreadRef(driver.room, root.id)


def table(driver: Driver, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows from the bot's database (while it is down, too)."""
    with contextlib.closing(sqlite3.connect(driver.database)) as db:
        return db.execute(sql, params).fetchall()


def snapshot(driver: Driver) -> dict[str, list[tuple[Any, ...]]]:
    """Every table the cogs write, to show that a refusal changed nothing. The adapters' own
    tables are left out: Matrix notes every event it handled, refusals included."""
    with contextlib.closing(sqlite3.connect(driver.database)) as db:
        names = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if row[0] not in ("platform_state", "schema_version")
            and not row[0].startswith(("sqlite_", "matrix_"))
        ]
        return {
            name: db.execute(f"SELECT * FROM {name} ORDER BY 1").fetchall()  # noqa: S608
            for name in sorted(names)
        }


async def eventually(check: Callable[[], T | None], what: str, within: float = WAIT) -> T:
    """Poll ``check`` (cheap, in memory) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        found = check()
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def until(check: Callable[[], Awaitable[T | None]], what: str, within: float = WAIT) -> T:
    """Like ``eventually``, for a check that has to talk to the platform."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        found = await check()
        if found:
            return found
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


async def caught_up(app: App) -> None:
    """Wait until the cogs have read back what they keep open (proposals) after a start."""
    for cog in app.bus.cogs:
        restored = getattr(cog, "restored", None)
        if restored is not None:
            await restored()


class ErrorLog(logging.Handler):
    """Error records from the bot's own loggers: a scenario fails on any."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "cogs")):
            self.records.append(record)

    def check(self) -> None:
        messages = [r.getMessage() for r in self.records]
        assert messages == [], f"the bot logged errors: {messages}"
