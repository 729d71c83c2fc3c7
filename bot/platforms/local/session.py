"""``circlekeeper run`` with no platform: the console sandbox, across the bot's restarts.

The session owns what outlives the bot: the room (kept in ``data/sandbox.db``), the sandbox
clock (its lead over the real clock is kept in the room), and the console. Inside, the bot
comes and goes: ``:down`` stops it for real (cogs, timers, database), the room carries on, and
``:up`` starts it again, so it rebuilds its timers and reconciles with the room exactly as it
does after any restart. ``:quit`` ends the session; the next run carries on from the files.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Generic, Protocol, TypeVar

from bot.clock import Clock, OffsetClock
from bot.config import Config
from bot.host import Adapter, Host
from bot.logs import stamp_sandbox_time
from bot.platforms.local.adapter import LocalAdapter, Outcome
from bot.platforms.local.chat import LocalChat, Output, Transcript
from bot.platforms.local.console import (
    CurrentStdout,
    LineReader,
    PipedLines,
    TerminalLines,
    is_terminal,
    terminal_manners,
)
from bot.platforms.local.room import Room

log = logging.getLogger(__name__)

PROMPT = "sandbox › "
PROMPT_AWAY = "sandbox (bot away) › "


class Engine(Host, Protocol):
    """The running bot, as the session needs it."""

    async def attach(self, adapter: Adapter) -> None: ...

    async def start(self) -> None: ...


E = TypeVar("E", bound=Engine)


class SandboxSession(Generic[E]):
    def __init__(
        self,
        config: Config,
        open_engine: Callable[[Clock], AbstractAsyncContextManager[E]],
        *,
        out: Output | None = None,
        reader: LineReader | None = None,
        on_ready: Callable[[E], None] | None = None,
    ) -> None:
        self._config = config
        self._open_engine = open_engine
        self._out = out
        self._reader = reader
        self._on_ready = on_ready
        self._away = False

    async def run(self) -> int:
        config = self._config
        terminal = self._reader is None and is_terminal()
        room = Room.open(config.sandbox_path)
        clock = OffsetClock()
        clock.advance(room.clock_offset)
        stamp_sandbox_time(clock)
        try:
            with terminal_manners(terminal):
                reader = self._reader or self._default_reader(terminal)
                out = self._out if self._out is not None else CurrentStdout()
                chat = LocalChat(Transcript(out), config.local, room)
                await self._serve(chat, clock, reader)
        finally:
            stamp_sandbox_time(None)
            room.close()
        return 0

    def _default_reader(self, terminal: bool) -> LineReader:
        if terminal:
            return TerminalLines(
                lambda: PROMPT_AWAY if self._away else PROMPT,
                self._config.data_path / "sandbox-history",
            )
        return PipedLines()

    async def _serve(self, chat: LocalChat, clock: OffsetClock, reader: LineReader) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, stop.set)
        first = True
        try:
            while True:
                async with self._open_engine(clock) as engine:
                    adapter = LocalAdapter(
                        engine, self._config.local, chat=chat, banner=first, restartable=True
                    )
                    await engine.attach(adapter)
                    if first:
                        adapter.welcome_back()
                    await engine.start()
                    if first and self._on_ready is not None:
                        self._on_ready(engine)
                    first = False
                    self._away = False
                    outcome = await self._pump(adapter, reader, stop)
                if outcome is not Outcome.DOWN:
                    return
                self._away = True
                log.info("sandbox: the bot is away")
                outcome = await self._pump(adapter, reader, stop)
                if outcome is not Outcome.UP:
                    return
                log.info("sandbox: the bot is back")
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)

    async def _pump(
        self, adapter: LocalAdapter, reader: LineReader, stop: asyncio.Event
    ) -> Outcome:
        """Feed lines until one asks for more than the adapter can do, the input ends, or a
        signal arrives."""
        stopper = asyncio.ensure_future(stop.wait())
        try:
            while True:
                reading = asyncio.ensure_future(reader.read())
                await asyncio.wait({reading, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if not reading.done():
                    reading.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await reading
                    return Outcome.QUIT
                line = reading.result()
                if line is None:
                    return Outcome.QUIT
                outcome = await adapter.feed(line)
                if outcome is not Outcome.CONTINUE:
                    return outcome
        finally:
            stopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopper
