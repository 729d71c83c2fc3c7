"""A database made by an earlier release (one sequence of migration numbers) opens in this
one: its history moves to the owners that wrote each step, and no row is lost or changed.

Each dump is such a database: a demo session, closed and full circles, requests and a
waitlist, an open round, schedules of each kind, suggested prompts, an open proposal with a
vote, an adopted agreement, a nudge, an opt-out and Matrix state. ``previous_release.sql``
is the release just before the per-owner versions (its sequence reaches 10: the nudges'
agreement and the web's sign-ins, whose rows it has too); ``earlier_release.sql`` one that
stopped at 8, so this release adds those two steps to it itself."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.app import owners
from bot.storage.database import Database
from bot.storage.migrations import LEGACY, SchemaTooNew
from tests.sandbox import Sandbox

HERE = Path(__file__).parent
DUMPS = ("previous_release.sql", "earlier_release.sql")
# What the single sequence became, owner by owner: (owner, version, the step's old name).
ADOPTED = {
    ("core", 1, "core"),
    ("circles", 1, "circles"),
    ("reflections", 1, "reflections"),
    ("agreements", 1, "agreements"),
    ("nudges", 1, "nudges"),
    ("core", 2, "matrix"),
    ("reflections", 2, "schedule_tags"),
    ("nudges", 2, "nudge_agreement"),
    ("core", 3, "web_sign_in"),
}


@pytest.fixture(params=DUMPS)
def dump(request: pytest.FixtureRequest) -> Path:
    return HERE / str(request.param)


def restore(dump: Path, path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.executescript(dump.read_text(encoding="utf-8"))
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


async def test_the_history_moves_to_its_owners_and_no_row_changes(
    dump: Path, tmp_path: Path
) -> None:
    """Each legacy step is recorded under its owner with its name and time; every table
    keeps every row; the steps the dump didn't have yet run afterwards."""
    path = restore(dump, tmp_path / "circlekeeper.db")
    before = contents(path)
    with sqlite3.connect(path) as conn:
        applied = {
            version: (name, at)
            for version, name, at in conn.execute(
                "SELECT version, name, applied_at FROM schema_version"
            )
        }
    db = await Database.open(path, owners())
    await db.close()
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT owner, version, name, applied_at FROM schema_version"
        ).fetchall()
    steps = {(owner, version): (name, at) for owner, version, name, at in rows}
    assert set(steps) >= {(owner, version) for owner, version, _ in ADOPTED}
    for legacy, kept in applied.items():
        assert steps[LEGACY[legacy]] == kept  # its name and time, under its owner
    assert as_before(before, contents(path)) == before


async def test_members_are_kept_with_their_platform(dump: Path, tmp_path: Path) -> None:
    """Every membership, waitlist place, request and rota place now says its platform, the
    circle's, and a row that names another platform than its circle's is refused."""
    path = restore(dump, tmp_path / "circlekeeper.db")
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


async def test_opening_it_again_changes_nothing_more(dump: Path, tmp_path: Path) -> None:
    """Adopting the history happens once; a second open finds nothing to do."""
    path = restore(dump, tmp_path / "circlekeeper.db")
    db = await Database.open(path, owners())
    await db.close()
    once = contents(path, skip=())
    db = await Database.open(path, owners())
    await db.close()
    assert contents(path, skip=()) == once


async def test_the_bot_runs_on_it_as_before(dump: Path, tmp_path: Path) -> None:
    """The circles, their members, the open round and the open vote are all there."""
    data = tmp_path / "data"
    data.mkdir()
    restore(dump, data / "circlekeeper.db")
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


async def test_a_step_the_previous_releases_never_had_is_refused(
    dump: Path, tmp_path: Path
) -> None:
    """A single-sequence database with a version this code can't place was written by a
    newer build; it is refused and left exactly as it was."""
    path = restore(dump, tmp_path / "circlekeeper.db")
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, 'later', 'then')")
    before = contents(path, skip=())
    with pytest.raises(SchemaTooNew):
        await Database.open(path, owners())
    assert contents(path, skip=()) == before
