"""Logging: one format, quiet libraries, and the sandbox's own time next to the real one.

APScheduler notes every timer it adds and removes at INFO, which drowns what matters (one
sandbox afternoon made hundreds of such lines); it logs at WARNING unless ``log_level`` is
``debug``. In the sandbox, whose clock can run ahead with ``:wait``, each line also carries
the sandbox time, so a log line can be matched with what the transcript showed.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from bot.clock import Clock, OffsetClock

FORMAT = "%(asctime)s%(sandbox_time)s %(levelname)s %(name)s: %(message)s"
QUIET_LIBRARIES = ("apscheduler",)
LOG_FILE = "circlekeeper.log"

_sandbox_clock: Clock | None = None


class SandboxTime(logging.Filter):
    """Adds ``sandbox_time`` to each record: " [sandbox <time>]" while a sandbox clock runs
    ahead of the real one, else nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        clock = _sandbox_clock
        stamp = ""
        if clock is not None and (not isinstance(clock, OffsetClock) or clock.offset):
            stamp = f" [sandbox {clock.now():%Y-%m-%d %H:%M:%S}Z]"
        record.sandbox_time = stamp
        return True


def stamp_sandbox_time(clock: Clock | None) -> None:
    """Stamp log lines with this clock's time from now on (None: stop)."""
    global _sandbox_clock  # one clock per process, set by the sandbox session
    _sandbox_clock = clock


def setup_logging(level_name: str, *, to_file: Path | None = None) -> None:
    """Log to ``to_file`` (a folder: circlekeeper.log inside it) or to stderr."""
    level = getattr(logging, level_name.upper(), logging.INFO)
    handler: logging.Handler
    if to_file is not None:
        to_file.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(to_file / LOG_FILE, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SandboxTime())
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(
            level if level <= logging.DEBUG else max(level, logging.WARNING)
        )
