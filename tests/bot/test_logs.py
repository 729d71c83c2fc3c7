"""Logging: one format, a quiet scheduler, and the sandbox's time next to the real time."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import OffsetClock
from bot.logs import LOG_FILE, setup_logging, stamp_sandbox_time


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    scheduler_level = logging.getLogger("apscheduler").level
    try:
        yield
    finally:
        for handler in root.handlers:
            if handler not in handlers:
                handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.getLogger("apscheduler").setLevel(scheduler_level)
        stamp_sandbox_time(None)


def logged(folder: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return (folder / LOG_FILE).read_text(encoding="utf-8")


@pytest.mark.usefixtures("restore_logging")
def test_the_scheduler_logs_warnings_only_by_default(tmp_path: Path) -> None:
    """APScheduler's notes about each job added and removed stay out of the log at info."""
    setup_logging("info", to_file=tmp_path)
    logging.getLogger("apscheduler.scheduler").info("Added job 'x' to job store 'default'")
    logging.getLogger("apscheduler.scheduler").warning("Run time of job 'x' was missed")
    logging.getLogger("cogs.agreements").info("proposal 1 closed")
    text = logged(tmp_path)
    assert "Added job" not in text
    assert "was missed" in text
    assert "proposal 1 closed" in text


@pytest.mark.usefixtures("restore_logging")
def test_debug_lets_the_scheduler_speak(tmp_path: Path) -> None:
    """With log_level = "debug", the scheduler's own notes are there for whoever digs."""
    setup_logging("debug", to_file=tmp_path)
    logging.getLogger("apscheduler.scheduler").info("Added job 'x' to job store 'default'")
    assert "Added job" in logged(tmp_path)


@pytest.mark.usefixtures("restore_logging")
def test_sandbox_time_is_stamped_next_to_real_time(tmp_path: Path) -> None:
    """While the sandbox clock runs ahead, each line shows both times; without it, only one."""
    setup_logging("info", to_file=tmp_path)
    logging.getLogger("bot").info("before any sandbox")
    clock = OffsetClock()
    clock.advance(timedelta(days=40))
    stamp_sandbox_time(clock)
    logging.getLogger("bot").info("in the sandbox")
    before, during = logged(tmp_path).splitlines()
    assert "[sandbox" not in before
    ahead = f"[sandbox {clock.now():%Y-%m-%d}"
    assert ahead in during
    assert during.index(ahead) > 10  # after the real time at the start of the line
    assert during.endswith("INFO bot: in the sandbox")
