"""Where the sandbox's lines come from: a terminal, a pipe, or a script.

In a terminal, prompt_toolkit gives a prompt, line editing and a history kept between runs,
and prints the bot's words above the line being typed. The typed line is cleared once it is
sent, because the sandbox prints it back as a message with its id: each line shows once.
From a pipe, lines are read as they come, with no prompt, so a script's transcript stays clean.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from pathlib import Path
from typing import Protocol, TextIO


class LineReader(Protocol):
    async def read(self) -> str | None:
        """The next line, without its newline; None at the end of the input."""
        ...


def is_terminal(stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    return stdin.isatty() and stdout.isatty() and os.environ.get("TERM", "") != "dumb"


class PipedLines:
    """Lines from stdin, read by a daemon thread so that a pending read never holds up the
    event loop, nor shutdown."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._queue: asyncio.Queue[str | None] | None = None
        self._done = False

    def _start(self) -> asyncio.Queue[str | None]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()
        stream = self._stream or sys.stdin

        def pump() -> None:
            try:
                for line in stream:
                    loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
            except (ValueError, OSError):  # stdin closed under us
                pass
            finally:
                with contextlib.suppress(RuntimeError):  # the loop may already be gone
                    loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=pump, name="sandbox-stdin", daemon=True).start()
        return queue

    async def read(self) -> str | None:
        if self._done:
            return None
        if self._queue is None:
            self._queue = self._start()
        line = await self._queue.get()
        self._done = line is None
        return line


class ScriptLines:
    """Lines from a list (the demo, tests)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)

    async def read(self) -> str | None:
        return next(self._lines, None)


class TerminalLines:
    """A prompt with line editing and history (prompt_toolkit). Ctrl-D or Ctrl-C ends it.

    Pasting several lines at once (the README's examples, say) sends them one by one, as if
    each had been typed and sent.
    """

    def __init__(self, prompt: Callable[[], str], history: Path | None = None) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import FileHistory, History, InMemoryHistory
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
        from prompt_toolkit.keys import Keys

        kept: History = InMemoryHistory()
        if history is not None:
            history.parent.mkdir(parents=True, exist_ok=True)
            kept = FileHistory(str(history))
        keys = KeyBindings()

        @keys.add(Keys.BracketedPaste)
        def paste(event: KeyPressEvent) -> None:
            text = event.data.replace("\r\n", "\n").replace("\r", "\n")
            buffer = event.current_buffer
            buffer.insert_text(text.rstrip("\n") if text.endswith("\n") else text)
            if text.endswith("\n"):
                buffer.validate_and_handle()

        self._prompt = prompt
        self._pending: list[str] = []
        self._session: PromptSession[str] = PromptSession(
            history=kept, erase_when_done=True, key_bindings=keys
        )

    async def read(self) -> str | None:
        if not self._pending:
            try:
                text = await self._session.prompt_async(self._prompt)
            except (EOFError, KeyboardInterrupt):
                return None
            self._pending = text.split("\n")
        return self._pending.pop(0)


@contextlib.contextmanager
def terminal_manners(terminal: bool) -> Iterator[None]:
    """In a terminal: output appears above the line being typed instead of through it, and
    what is typed ahead while the bot is busy isn't echoed by the terminal (the prompt shows
    it once it reads it), so no line appears twice."""
    if not terminal:
        yield
        return
    from prompt_toolkit.patch_stdout import patch_stdout

    with _no_echo(sys.stdin), patch_stdout(raw=True):
        yield


@contextlib.contextmanager
def _no_echo(stream: TextIO) -> Iterator[None]:
    import termios

    try:
        fd = stream.fileno()
        saved = termios.tcgetattr(fd)
    except (OSError, ValueError, termios.error):
        yield
        return
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO  # lflags
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        yield
    finally:
        with contextlib.suppress(OSError, termios.error):
            termios.tcsetattr(fd, termios.TCSADRAIN, saved)


class CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at the moment (prompt_toolkit swaps it)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


async def piped_lines() -> AsyncIterator[str]:
    """Lines from stdin as an async iterator."""
    reader = PipedLines()
    while (line := await reader.read()) is not None:
        yield line


stdin_lines = piped_lines


async def script_lines(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line
