"""A test harness around the real engine on the local platform.

It opens the real app (real cogs, a real SQLite file in ``tmp_path``, the real scheduler on a
manual clock) with the sandbox as its platform, so a test reads like a conversation:

    await sb.say("alice: /circle create Tuesday")
    assert sb.saw("has a home here now")

The sandbox's room is kept in its own file next to the database, as ``circlekeeper run`` keeps
it. ``restart()`` reads both back from their files; ``:down`` and ``:up`` lines stop and start
the bot while the room carries on, just as in the console.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import App, open_app
from bot.clock import ManualClock
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter, LocalChat, Outcome, Room, Transcript

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # a Monday


class Sandbox:
    def __init__(
        self,
        tmp_path: Path,
        *,
        moderators: tuple[str, ...] = ("alice",),
        config: Config | None = None,
        start: datetime = START,
    ) -> None:
        self.config = config or Config(
            data_dir=str(tmp_path / "data"), local=LocalConfig(moderators=moderators)
        )
        self.clock = ManualClock(start)
        self.chat: LocalChat | None = None
        self.app: App | None = None
        self._context: AbstractAsyncContextManager[App] | None = None
        self._mark = 0
        self._transcript = Transcript(None)

    async def open(self) -> Sandbox:
        """Start the bot; the first time, make the room (or read it back from its file)."""
        if self.chat is None:
            room = Room.open(self.config.sandbox_path)
            self.chat = LocalChat(self._transcript, self.config.local, room)
        elif not self.chat.contents.kept:
            self.chat.reopen()
        await self._start_bot()
        return self

    async def _start_bot(self) -> None:
        assert self.chat is not None
        self._context = open_app(self.config, clock=self.clock)
        self.app = await self._context.__aenter__()
        adapter = LocalAdapter(
            self.app, self.config.local, out=None, banner=False, chat=self.chat, restartable=True
        )
        self.adapter = adapter
        await self.app.attach(adapter)
        await self.app.start()

    async def _stop_bot(self) -> None:
        if self._context is not None:
            await self._context.__aexit__(None, None, None)
            self._context = None
            self.app = None

    async def close(self) -> None:
        """Stop the bot and close the room's file (``open`` reads it back)."""
        await self._stop_bot()
        if self.chat is not None:
            self.chat.contents.close()

    async def restart(self) -> None:
        """Stop the bot and start it again on the same files; the room is read back as it was."""
        await self.close()
        await self.open()

    @asynccontextmanager
    async def down(self) -> AsyncIterator[LocalChat]:
        """Stop the bot; what the test does to the room (``chat``) or the clock meanwhile
        happens while it is down, unseen; then start it again.

            async with sb.down() as chat:
                chat.toggle_reaction("bob", "7", "✋", add=True)
        """
        await self._stop_bot()
        assert self.chat is not None
        try:
            yield self.chat
        finally:
            self.chat.reopen()
            await self._start_bot()

    # --- talking ---------------------------------------------------------------------------

    async def say(self, *lines: str) -> str:
        """Feed lines; return what was printed meanwhile. ``:down`` stops the bot (the lines
        after it change only the room) and ``:up`` starts it again."""
        start = len(self.lines)
        for line in lines:
            outcome = await self.adapter.feed(line)
            if outcome is Outcome.DOWN:
                await self._stop_bot()
            elif outcome is Outcome.UP:
                self.chat_or_fail().reopen()
                await self._start_bot()
        return "\n".join(self.lines[start:])

    async def wait(self, delta: timedelta) -> str:
        """Move the clock on; while the bot is up, whatever is due happens."""
        start = len(self.lines)
        if self.app is None:
            self.clock.advance(delta)
        else:
            await self.app.advance_and_run(delta)
        return "\n".join(self.lines[start:])

    @property
    def up(self) -> bool:
        """Whether the bot is running (not between ``:down`` and ``:up``)."""
        return self.app is not None

    def chat_or_fail(self) -> LocalChat:
        assert self.chat is not None
        return self.chat

    # --- reading ---------------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        return self._transcript.lines

    @property
    def transcript(self) -> str:
        return "\n".join(self.lines)

    def saw(self, text: str) -> bool:
        return text in self.transcript

    def mark(self) -> None:
        self._mark = len(self.lines)

    @property
    def since_mark(self) -> str:
        return "\n".join(self.lines[self._mark :])

    def rows_naming(self, member: str, tables: tuple[str, ...] = ()) -> int:
        """How many rows name this member, in every table (or only in ``tables``)."""
        assert self.app is not None
        count = 0
        with sqlite3.connect(self.app.db.path) as conn:
            names = tables or tuple(
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            )
            for name in names:
                for column in [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]:
                    count += conn.execute(
                        f"SELECT COUNT(*) FROM {name} WHERE {column} = ?",  # noqa: S608 - names from the schema
                        (member,),
                    ).fetchone()[0]
        return count

    def private_to(self, member: str) -> list[str]:
        assert self.chat is not None
        return [text for who, text in self.chat.private if who == member]

    @property
    def last_thread(self) -> str:
        assert self.chat is not None
        return list(self.chat.threads)[-1]

    @property
    def last_message(self) -> str:
        """The id of the newest message in the room."""
        assert self.chat is not None
        return list(self.chat.messages)[-1]


async def make_circle(sb: Sandbox, *members: str, extra: str = "") -> None:
    """Alice (a moderator) creates "Tuesday" in the sandbox room; the others join."""
    await sb.say(f"alice: /circle create Tuesday A small circle. {extra}".strip())
    for member in members:
        await sb.say(f"{member}: /circle join")
