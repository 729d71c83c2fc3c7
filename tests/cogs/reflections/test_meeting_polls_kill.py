"""A meeting poll in `circlekeeper run` as a real process, killed with SIGKILL somewhere in a
busy stretch of answers and waiting: the next run closes it (or has closed it) exactly once,
its counts agree with the answers kept, and no result is posted twice."""

from __future__ import annotations

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.sandbox_process import run, start

CLOSED = "**The meeting poll for Tuesday has closed**"

SETUP = """\
alice: /circle create Tuesday A small circle.
bob: /circle join
carol: /circle join
alice: /meeting poll 2031-06-10 19:00, 2031-06-11 18:30, 2031-06-12 08:00 closes=1d
"""
BUSY = "".join(
    f"bob: /meeting answer {'yes no yes' if n % 2 else 'no yes if-need-be'}\n"
    f"carol: /meeting answer {n % 3 + 1} {'yes' if n % 2 else 'no'}\n"
    ":wait 1h\n"
    for n in range(30)
)


@pytest.mark.parametrize("delay", [0.1, 0.6, 1.5])
def test_a_kill_mid_poll_loses_nothing_and_closes_once(tmp_path: Path, delay: float) -> None:
    """Killed at any moment of a poll's busy day, the next run carries on: one close, one
    result at most, counts that match the answers kept."""
    run(tmp_path, SETUP + ":quit\n")
    process = start(tmp_path)
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdout.readline()
    process.stdin.write(BUSY)
    process.stdin.flush()
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    process.stdout.read()
    process.wait(timeout=30)
    process.stdin.close()
    process.stdout.close()

    run(tmp_path, ":wait 2d\n:down\n:up\n:wait 1d\n")
    with sqlite3.connect(tmp_path / "data" / "circlekeeper.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute(
            "SELECT COUNT(*) FROM meeting_polls WHERE closed_at IS NULL"
        ).fetchone() == (0,)
        frozen = db.execute(
            "SELECT position, yes_count, if_need_be_count, no_count FROM meeting_poll_slots ORDER BY position"
        ).fetchall()
        kept = db.execute(
            "SELECT position, SUM(answer = 'yes'), SUM(answer = 'if_need_be'), SUM(answer = 'no') "
            "FROM meeting_poll_answers GROUP BY position ORDER BY position"
        ).fetchall()
        (answered,) = db.execute("SELECT answered FROM meeting_polls").fetchone()
        members = db.execute(
            "SELECT COUNT(DISTINCT member_id) FROM meeting_poll_answers"
        ).fetchone()
    by_position = {p: (y, m, n) for p, y, m, n in kept}
    assert [(p, y, m, n) for p, y, m, n in frozen] == [
        (p, *by_position.get(p, (0, 0, 0))) for p in (1, 2, 3)
    ]
    assert (answered,) == members
    with sqlite3.connect(tmp_path / "data" / "sandbox.db") as room:
        results = room.execute(
            "SELECT COUNT(*) FROM messages WHERE author = 'circlekeeper' AND text LIKE ?",
            (f"%{CLOSED}%",),
        ).fetchone()
    # At most once: a kill in the instant between the close's commit and its post would lose
    # the post (the result stays readable with `meeting times`), never double it.
    assert results[0] <= 1
