"""A test harness around the real engine on the local platform.

It opens the real app (real cogs, a real SQLite file in ``tmp_path``, the real scheduler on a
manual clock) with the sandbox as its platform, so a test reads like a conversation:

    await sb.say("alice: /circle create Tuesday")
    assert sb.saw("has a home here now")
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
from bot.platforms.local import LocalAdapter, LocalChat

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # a Monday


class Sandbox:
    def __init__(self, tmp_path: Path, *, moderators: tuple[str, ...] = ("alice",), config: Config | None = None) -> None:
        self.config = config or Config(
            data_dir=str(tmp_path / "data"), local=LocalConfig(moderators=moderators)
        )
        self.clock = ManualClock(START)
        self.chat: LocalChat | None = None
        self.app: App | None = None
        self._context: AbstractAsyncContextManager[App] | None = None
        self._mark = 0

    async def open(self) -> Sandbox:
        self._context = open_app(self.config, clock=self.clock)
        self.app = await self._context.__aenter__()
        adapter = LocalAdapter(self.app, self.config.local, out=None, banner=False, chat=self.chat)
        self.chat = adapter.chat
        self.adapter = adapter
        await self.app.attach(adapter)
        await self.app.start()
        return self

    async def close(self) -> None:
        if self._context is not None:
            await self._context.__aexit__(None, None, None)
            self._context = None
            self.app = None

    async def restart(self) -> None:
        """Stop the bot and start it again on the same database; the room stays as it was."""
        await self.close()
        await self.open()

    @asynccontextmanager
    async def down(self) -> AsyncIterator[LocalChat]:
        """Stop the bot; what the test does to the room (``chat``) or the clock meanwhile
        happens while it is down, unseen; then start it again.

            async with sb.down() as chat:
                chat.toggle_reaction("bob", "7", "✋", add=True)
        """
        await self.close()
        assert self.chat is not None
        try:
            yield self.chat
        finally:
            await self.open()

    # --- talking ---------------------------------------------------------------------------

    async def say(self, *lines: str) -> str:
        """Feed lines; return what was printed meanwhile."""
        start = len(self.lines)
        for line in lines:
            await self.adapter.feed(line)
        return "\n".join(self.lines[start:])

    async def wait(self, delta: timedelta) -> str:
        start = len(self.lines)
        assert self.app is not None
        await self.app.advance_and_run(delta)
        return "\n".join(self.lines[start:])

    # --- reading ---------------------------------------------------------------------------

    @property
    def lines(self) -> list[str]:
        assert self.chat is not None
        return self.chat.transcript.lines

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


@asynccontextmanager
async def sandbox(tmp_path: Path, **kwargs: object) -> AsyncIterator[Sandbox]:
    sb = Sandbox(tmp_path, **kwargs)  # type: ignore[arg-type]
    await sb.open()
    try:
        yield sb
    finally:
        await sb.close()


async def make_circle(sb: Sandbox, *members: str, extra: str = "") -> None:
    """Alice (a moderator) creates "Tuesday" in the sandbox room; the others join."""
    await sb.say(f"alice: /circle create Tuesday A small circle. {extra}".strip())
    for member in members:
        await sb.say(f"{member}: /circle join")
