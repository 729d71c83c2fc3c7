"""The sandbox in a real terminal: a prompt, line editing, history, and each line shown once.

The sandbox runs on a pseudo-terminal, and a terminal emulator (pyte) shows the screen as a
person would see it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable
from pathlib import Path

import pyte

from bot.platforms.local.session import PROMPT

ROOT = Path(__file__).parents[4]
COLUMNS, ROWS = 120, 40
LEFT, UP, ENTER = "\x1b[D", "\x1b[A", "\r"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


class Terminal:
    """A pseudo-terminal with the sandbox on the other side, and the screen it draws."""

    def __init__(self, folder: Path) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
        # No cursor-position requests: the emulator here doesn't answer them.
        env.update(TERM="xterm", PYTHONPATH=str(ROOT), PROMPT_TOOLKIT_NO_CPR="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            stdin=slave,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            cwd=folder,
            env=env,
            start_new_session=True,
        )
        os.close(slave)
        self.screen = pyte.Screen(COLUMNS, ROWS)
        self.stream = pyte.ByteStream(self.screen)

    @property
    def lines(self) -> list[str]:
        return [line.rstrip() for line in self.screen.display]

    def pump(self, until: Callable[[list[str]], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not until(self.lines):
            left = deadline - time.monotonic()
            assert left > 0, "the screen never showed what was expected:\n" + "\n".join(
                filter(None, self.lines)
            )
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    self.stream.feed(os.read(self.master, 65536))
                except OSError:  # the sandbox has gone
                    return

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def close(self) -> int:
        """Wait for the sandbox to end by itself."""
        return self.process.wait(timeout=30)

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        os.close(self.master)


def showing(text: str) -> Callable[[list[str]], bool]:
    return lambda lines: any(text in line for line in lines)


def prompt_last(lines: list[str]) -> bool:
    written = [line for line in lines if line]
    return bool(written) and written[-1] == PROMPT.strip()


def test_a_terminal_has_a_prompt_editing_history_and_no_double_lines(tmp_path: Path) -> None:
    """The console shows a prompt; arrow keys edit the line and bring back the last one; a sent
    line appears once, as the room's message with its id, not also as it was typed; and
    pasted lines are sent one by one."""
    terminal = Terminal(tmp_path)
    try:
        terminal.pump(prompt_last)
        terminal.type("alice: wrld" + LEFT * 3 + "o" + ENTER)
        terminal.pump(showing("#1 alice: world"))
        terminal.pump(prompt_last)
        terminal.type(UP + ENTER)
        terminal.pump(showing("#2 alice: world"))
        terminal.pump(prompt_last)
        terminal.type("Bob: /circle list" + ENTER)
        terminal.pump(showing("only bob sees"))
        terminal.pump(prompt_last)
        terminal.type(PASTE_START + "carol: pasted\rdan: together\r" + PASTE_END)
        terminal.pump(showing("dan: together"))
        terminal.pump(prompt_last)
        screen = "\n".join(terminal.lines)
        assert [line for line in terminal.lines if "alice: world" in line] == [
            "#1 alice: world",
            "#2 alice: world",
        ]
        assert screen.count("/circle list") == 1
        assert "#3 bob: /circle list" in screen
        assert "#4 carol: pasted" in screen
        assert "#5 dan: together" in screen
        assert screen.count("pasted") == 1
        terminal.type(":quit" + ENTER)
        assert terminal.close() == 0
    finally:
        terminal.kill()
    history = (tmp_path / "data" / "sandbox-history").read_text(encoding="utf-8")
    assert "alice: world" in history
