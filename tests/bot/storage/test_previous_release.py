"""A database made by the previous release (one sequence of migration numbers) opens in this
one: its history moves to the owners that wrote each step, and no row is lost or changed.

``previous_release.sql`` is such a database, dumped: a demo session, closed and full circles,
requests and a waitlist, an open round, schedules of each kind, suggested prompts, an open
proposal with a vote, an adopted agreement, a nudge, an opt-out and Matrix state."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.app import owners
from bot.storage.database import Database
from bot.storage.migrations import LEGACY, SchemaTooNew
from tests.sandbox import Sandbox

DUMP = Path(__file__).with_name("previous_release.sql")
# What the previous release's single sequence became, owner by owner.
ADOPTED = {
    ("core", 1, "core"),
    ("circles", 1, "circles"),
    ("reflections", 1, "reflections"),
    ("agreements", 1, "agreements"),
    ("nudges", 1, "nudges"),
    ("core", 2, "matrix"),
    ("reflections", 2, "schedule_tags"),
}


def restore(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(DUMP.read_text(encoding="utf-8"))
    return path


Rows = dict[str, list[dict[str, object]]]


def contents(path: Path, *, skip: tuple[str, ...] = ("schema_version",)) -> Rows:
    """Every row of every table (but ``skip``), by column, sorted, to compare before and after."""
    with sqlite3.connect(path) as conn:
        conn.row_factory = sqlite3.Row
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if r[0] not in skip
        ]
        found: Rows = {}
        for name in sorted(names):
            rows = conn.execute(f"SELECT * FROM {name}").fetchall()  # noqa: S608 - names from the schema
            found[name] = _sorted([dict(r) for r in rows])
        return found


def _sorted(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    return sorted(rows, key=lambda r: repr(sorted(r.items())))


def as_before(before: Rows, after: Rows) -> Rows:
    """``after``, with only the columns each table had before (newer columns may be added)."""
    return {
        table: _sorted([{k: row[k] for k in (rows[0] if rows else {})} for row in after[table]])
        for table, rows in before.items()
    }


async def test_the_history_moves_to_its_owners_and_no_row_changes(tmp_path: Path) -> None:
    """Each legacy step is recorded under its owner with its name and time; every table
    keeps every row."""
    path = restore(tmp_path / "circlekeeper.db")
    before = contents(path)
    with sqlite3.connect(path) as conn:
        applied = dict(conn.execute("SELECT version, applied_at FROM schema_version").fetchall())
    db = await Database.open(path, owners())
    await db.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT owner, version, name, applied_at FROM schema_version"
        ).fetchall()
    assert {(o, v, n) for o, v, n, _ in rows} >= ADOPTED
    by_step = {(o, v): at for o, v, _, at in rows}
    for legacy, at in applied.items():
        assert by_step[LEGACY[legacy]] == at
    assert as_before(before, contents(path)) == before


async def test_members_are_kept_with_their_platform(tmp_path: Path) -> None:
    """Every membership, waitlist place, request and rota place now says its platform, the
    circle's, and a row that names another platform than its circle's is refused."""
    path = restore(tmp_path / "circlekeeper.db")
    db = await Database.open(path, owners())
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        for table in (
            "circle_members",
            "circle_waitlist",
            "circle_requests",
            "circle_facilitators",
        ):
            mismatched = conn.execute(
                f"SELECT COUNT(*) FROM {table} t JOIN circles c ON c.id = t.circle_id "  # noqa: S608 - fixed names
                "WHERE t.platform IS NOT c.platform"
            ).fetchone()
            assert mismatched == (0,), table
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0  # noqa: S608
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO circle_members VALUES (1, 'discord', '42', '2026-01-01T00:00:00Z', 99, NULL)"
            )


async def test_opening_it_again_changes_nothing_more(tmp_path: Path) -> None:
    """Adopting the history happens once; a second open finds nothing to do."""
    path = restore(tmp_path / "circlekeeper.db")
    db = await Database.open(path, owners())
    await db.close()
    once = contents(path, skip=())
    db = await Database.open(path, owners())
    await db.close()
    assert contents(path, skip=()) == once


async def test_the_bot_runs_on_it_as_before(tmp_path: Path) -> None:
    """The circles, their members, the open round and the open vote are all there."""
    data = tmp_path / "data"
    data.mkdir()
    restore(data / "circlekeeper.db")
    sb = Sandbox(tmp_path)
    await sb.open()
    try:
        listed = await sb.say("alice: /circle list")
        for name in ("Mondays", "Evening", "Thursday"):
            assert f"**{name}**" in listed
        assert "Erin" in await sb.say("alice: /circle members Mondays")
        assert "talking piece is with" in await sb.say("alice: /round status circle=Mondays")
        assert "1 of" in await sb.say("alice: /agreement list circle=Mondays")
        assert "Frank" in await sb.say("alice: /circle requests Evening")
    finally:
        await sb.close()


async def test_a_step_the_previous_releases_never_had_is_refused(tmp_path: Path) -> None:
    """A single-sequence database with a version this code can't place was written by a
    newer build; it is refused and left exactly as it was."""
    path = restore(tmp_path / "circlekeeper.db")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'later', 'then')")
    before = contents(path, skip=())
    with pytest.raises(SchemaTooNew):
        await Database.open(path, owners())
    assert contents(path, skip=()) == before
