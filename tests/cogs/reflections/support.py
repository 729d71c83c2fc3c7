"""Helpers for the reflections tests: read the tables, and walk the manual clock."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from tests.sandbox import Sandbox

TABLES = (
    "reflection_schedules",
    "reflection_runs",
    "reflection_suggestions",
    "meeting_polls",
    "meeting_poll_slots",
    "meeting_poll_answers",
    "meeting_member_zones",
)


def table(sb: Sandbox, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(sql, params).fetchall()


def state(sb: Sandbox) -> dict[str, object]:
    """Every reflections table and the armed timers, to prove that a refusal changed nothing."""
    assert sb.app is not None
    found: dict[str, object] = {
        name: table(sb, f"SELECT * FROM {name} ORDER BY 1")  # noqa: S608
        for name in TABLES
    }
    found["timers"] = sb.app.scheduler.pending()
    return found


def thread_titles(sb: Sandbox) -> list[str]:
    assert sb.chat is not None
    return list(sb.chat.threads.values())


async def walk(
    sb: Sandbox, until: datetime, step: timedelta = timedelta(minutes=15)
) -> list[tuple[datetime, str]]:
    """Move the clock in steps up to ``until``, firing what is due at each; return (time, title)
    for every thread that opened, at the step it appeared."""
    assert sb.app is not None
    assert sb.chat is not None
    opened: list[tuple[datetime, str]] = []
    while sb.clock.now() < until:
        before = len(sb.chat.threads)
        await sb.app.advance_and_run(min(step, until - sb.clock.now()))
        for title in list(sb.chat.threads.values())[before:]:
            opened.append((sb.clock.now(), title))
    return opened


async def jump_to(sb: Sandbox, when: datetime) -> None:
    """Move the clock without firing anything (as if the circle were created later)."""
    assert sb.app is not None
    sb.clock.set(when)
    await sb.app.advance(timedelta())
