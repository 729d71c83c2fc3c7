"""`circlekeeper run` as a real process: the sandbox room survives `:quit`, a kill -9 at any
moment, and a lost room file, without ever letting a reaction count on the wrong message."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.sandbox_process import run, start

CONSENT = "\N{WHITE HEAVY CHECK MARK}"


def ids(out: str) -> list[int]:
    return [int(n) for n in re.findall(r"^#(\d+) ", out, re.MULTILINE)]


def proposal_rows(folder: Path) -> list[tuple[int, str | None]]:
    with sqlite3.connect(folder / "data" / "circlekeeper.db") as conn:
        return conn.execute("SELECT id, message_id FROM agreement_proposals ORDER BY id").fetchall()


def room_message(folder: Path, message_id: str) -> tuple[str, str] | None:
    with sqlite3.connect(folder / "data" / "sandbox.db") as conn:
        row = conn.execute(
            "SELECT author, text FROM messages WHERE id = ?", (int(message_id),)
        ).fetchone()
    return None if row is None else (row[0], row[1])


SETUP = """\
alice: /circle create Tuesday A small circle.
bob: /circle join
carol: /circle join
dan: /circle join
bob: /agreement propose We start on time.
alice +^ consent
:wait 2h
"""


def test_a_second_run_carries_on_where_the_first_stopped(tmp_path: Path) -> None:
    """After `:quit`, a new run on the same data folder keeps the messages, ids, threads,
    votes and the clock: a ✅ on a new message is not a vote, and `+^` still is."""
    first = run(tmp_path, SETUP + ":quit\n")
    before = ids(first)
    ((_, post),) = proposal_rows(tmp_path)
    second = run(
        tmp_path,
        "carol: a new message\n"
        f"bob +{max(before) + 1} ✅\n"
        "bob ^: I'm glad we're talking about this\n"
        ":time\n"
        "bob +^ consent\n"
        "carol +^ consent\n"
        "dan +^ consent\n",
    )
    assert "Welcome back: the room is as you left it" in second
    assert "the clock runs 2 hours ahead" in second
    assert min(ids(second)) == max(before) + 1
    assert f"[in #{post} " in second  # ^ found the proposal's thread again
    assert "2 hours ahead of the real clock" in second
    assert "**Proposal 1 is adopted.**" in second
    assert "4 of 4 members voted" in second  # bob's ✅ on the new message did not count
    author, text = room_message(tmp_path, str(max(before) + 1)) or ("", "")
    assert (author, text) == ("carol", "a new message")  # and the closing left it alone


def test_down_and_up_in_a_real_run(tmp_path: Path) -> None:
    """In a real run, `:down` stops the bot, reactions meanwhile are kept by the room, and
    `:up` reconciles them."""
    out = run(
        tmp_path,
        SETUP
        + ":down\n"
        + "bob +^ consent\ncarol +^ consent\ndan +^ concern\n"
        + "dan: /agreement list\n"
        + ":up\n",
    )
    away = out.split("The bot is away now", 1)[1].split("The bot is back", 1)[0]
    assert "nobody answers `/agreement`" in away
    assert "Proposal 1 is" not in away
    back = out.split("The bot is back", 1)[1]
    assert "**Proposal 1 is adopted.**" in back
    assert "4 of 4 members voted" in back


def test_a_lost_room_file_never_lets_old_ids_be_reused(tmp_path: Path) -> None:
    """If the room's file goes but the bot's database stays, the new room's messages can't be
    taken for the old room's: reacting to the new #N is never a vote on the old proposal."""
    run(tmp_path, SETUP + ":quit\n")
    ((_, post),) = proposal_rows(tmp_path)
    assert post is not None
    for name in ("sandbox.db", "sandbox.db-wal", "sandbox.db-shm"):
        (tmp_path / "data" / name).unlink(missing_ok=True)
    out = run(
        tmp_path,
        "".join(f"bob: message {n}\n" for n in range(int(post)))
        + f"bob +{post} ✅\ncarol +{post} ✅\n",
    )
    assert "this is a new room" in out
    assert "Proposal 1 is" not in out
    with sqlite3.connect(tmp_path / "data" / "circlekeeper.db") as conn:
        assert conn.execute("SELECT COUNT(*) FROM agreement_reactions").fetchone() == (
            1,
        )  # alice's


SESSION = SETUP + "".join(
    f"carol: thinking out loud, part {n}\nbob +^ concern\nbob -^ concern\n:wait 10m\n"
    for n in range(40)
)


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.5, 1.0])
def test_a_kill_at_any_moment_leaves_a_room_that_carries_on(tmp_path: Path, delay: float) -> None:
    """Killed with SIGKILL somewhere in the middle of a busy session, the next run reads the
    room back, goes on counting ids from where it was, and every stored proposal post is the
    bot's own post of that proposal."""
    process = start(tmp_path)
    assert process.stdin is not None
    assert process.stdout is not None
    ready = process.stdout.readline()
    assert "Circlekeeper sandbox" in ready
    process.stdin.write(SESSION)
    process.stdin.flush()
    time.sleep(delay)
    os.kill(process.pid, signal.SIGKILL)
    printed = process.stdout.read()
    process.wait(timeout=30)
    process.stdin.close()
    process.stdout.close()
    seen = ids(printed)

    out = run(tmp_path, "erin: after the kill\n")
    (after,) = ids(out)
    assert after > max(seen, default=0)
    with sqlite3.connect(tmp_path / "data" / "sandbox.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT MAX(id) FROM messages").fetchone() == (after,)
    for proposal, message in proposal_rows(tmp_path):
        if message is None:
            continue
        stored = room_message(tmp_path, message)
        assert stored is not None
        assert stored[0] == "circlekeeper"
        assert f"Proposal {proposal}" in stored[1]


def test_the_log_of_a_session_is_readable(tmp_path: Path) -> None:
    """A session with timers leaves a log without the scheduler's job chatter, and each line
    after a `:wait` carries the sandbox time next to the real time."""
    run(
        tmp_path,
        SETUP
        + "alice: /schedule add daily 09:00\n:wait 1d\nalice: /round start\n:wait 5m\n:down\n:up\n",
    )
    log = (tmp_path / "data" / "circlekeeper.log").read_text(encoding="utf-8")
    assert "Added job" not in log
    assert "Removed job" not in log
    assert re.search(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \[sandbox \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\] (INFO|WARNING) ",
        log,
        re.MULTILINE,
    )
