"""Storage: PRAGMAs on every connection, migrations with their version inside, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.app import owners
from bot.storage.database import Database, backup
from bot.storage.migrations import CORE, SchemaTooNew, statements


def every_step() -> list[tuple[str, int]]:
    """(owner, version) of every migration the bot has, in the order they run."""
    return [(m.owner, m.version) for owner in [CORE, *owners()] for m in owner.migrations()]


async def test_migrating_an_empty_database_reaches_the_head(tmp_path: Path) -> None:
    """A new file is migrated step by step, the engine first, then circles, then the
    features, and each owner's version is stored in the database."""
    db = await Database.open(tmp_path / "ck.db", owners())
    try:
        rows = await db.fetchall("SELECT owner, version FROM schema_version ORDER BY rowid")
        assert [(r[0], r[1]) for r in rows] == every_step()
        owners_in_order = list(dict.fromkeys(o for o, _ in every_step()))
        assert owners_in_order[:2] == ["core", "circles"]
    finally:
        await db.close()


async def test_every_connection_has_the_pragmas(tmp_path: Path) -> None:
    """WAL, foreign keys, a busy timeout and synchronous=NORMAL are set."""
    db = await Database.open(tmp_path / "ck.db")
    try:
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA busy_timeout") == 5000
        assert await db.fetchval("PRAGMA synchronous") == 1
    finally:
        await db.close()


async def test_data_survives_reopening(tmp_path: Path) -> None:
    """What was committed is there after closing and opening again, without migrating twice."""
    db = await Database.open(tmp_path / "ck.db")
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO platform_state (platform, key, value, updated_at) VALUES ('local', 'k', 'v', 'now')"
        )
    await db.close()
    db = await Database.open(tmp_path / "ck.db")
    try:
        assert await db.fetchval("SELECT value FROM platform_state") == "v"
        assert await db.fetchval("SELECT COUNT(*) FROM schema_version") == len(CORE.migrations())
    finally:
        await db.close()


async def test_a_failing_transaction_changes_nothing(tmp_path: Path) -> None:
    """An exception inside a transaction rolls back every statement in it."""
    db = await Database.open(tmp_path / "ck.db")
    try:

        async def insert_then_fail() -> None:
            async with db.transaction() as tx:
                await tx.execute(
                    "INSERT INTO platform_state (platform, key, value, updated_at) VALUES ('local', 'k', 'v', 'x')"
                )
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await insert_then_fail()
        assert await db.fetchval("SELECT COUNT(*) FROM platform_state") == 0
    finally:
        await db.close()


async def test_a_database_from_the_future_is_refused(tmp_path: Path) -> None:
    """A database written by a newer version is refused with an explanation, untouched."""
    path = tmp_path / "ck.db"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO schema_version VALUES ('core', 999, 'future', 'later')")
    with pytest.raises(SchemaTooNew) as refusal:
        await Database.open(path)
    assert "written by a newer version" in str(refusal.value)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (999,)


async def test_using_the_database_inside_its_own_transaction_is_caught(tmp_path: Path) -> None:
    """Re-entering the lock from the same task fails loudly instead of deadlocking."""
    db = await Database.open(tmp_path / "ck.db")
    try:
        with pytest.raises(RuntimeError, match="inside its own transaction"):
            async with db.transaction():
                await db.fetchone("SELECT 1")
    finally:
        await db.close()


async def test_backup_copies_a_live_database(tmp_path: Path) -> None:
    """The online backup writes a consistent copy while the database is open and in use."""
    db = await Database.open(tmp_path / "ck.db")
    try:
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO platform_state (platform, key, value, updated_at) VALUES ('local', 'k', 'v', 'x')"
            )
        backup(tmp_path / "ck.db", tmp_path / "copy.db")
    finally:
        await db.close()
    with sqlite3.connect(tmp_path / "copy.db") as conn:
        assert conn.execute("SELECT value FROM platform_state").fetchone() == ("v",)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_statements_keep_triggers_whole() -> None:
    """Splitting a script keeps a trigger body with its inner semicolons together."""
    script = "CREATE TABLE a (x);\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;\n-- done\n"
    parts = statements(script)
    assert len(parts) == 2
    assert parts[1].endswith("END;")
