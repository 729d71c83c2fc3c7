"""Both backends migrate to the same schema: the same tables with the same columns in the same
order, and the same versions per owner. The PostgreSQL variants of a step
(``NNNN_what.postgres.sql``) differ only in how they spell a row id; this is what keeps them
from drifting."""

from __future__ import annotations

from pathlib import Path

from bot.app import owners
from bot.storage.database import Database
from bot.storage.postgres import translate
from tests.storage.postgres_support import fresh_postgres


async def schema(db: Database) -> dict[str, list[str]]:
    return {table: [name for name, _ in await db.columns(table)] for table in await db.tables()}


async def test_sqlite_and_postgres_migrate_to_the_same_tables(tmp_path: Path) -> None:
    lite = await Database.open(tmp_path / "s.db", owners())
    try:
        expected = await schema(lite)
        versions = await lite.fetchall("SELECT owner, version FROM schema_version ORDER BY 1, 2")
    finally:
        await lite.close()
    async with fresh_postgres() as url:
        pg = await Database.open(url, owners())
        try:
            assert await schema(pg) == expected
            got = await pg.fetchall("SELECT owner, version FROM schema_version ORDER BY 1, 2")
            assert [tuple(r) for r in got] == [tuple(r) for r in versions]
            assert await pg.has_relation("bound_rooms")
            assert not await pg.has_relation("no_such_table")
        finally:
            await pg.close()
        again = await Database.open(url, owners())  # a second start migrates nothing
        await again.close()


async def test_a_new_row_gets_its_id_from_the_identity_column() -> None:
    async with fresh_postgres() as url:
        pg = await Database.open(url, owners())
        try:
            async with pg.transaction() as tx:
                first = await tx.fetchval(
                    "INSERT INTO circles (platform, space_id, room_id, name, name_key, capacity, "
                    "time_zone, created_at) VALUES ('local', 's', 'r', 'A', 'a', 4, 'UTC', 'x') "
                    "RETURNING id"
                )
                second = await tx.fetchval(
                    "INSERT INTO circles (platform, space_id, room_id, name, name_key, capacity, "
                    "time_zone, created_at) VALUES ('local', 's', 'r2', 'B', 'b', 4, 'UTC', 'x') "
                    "RETURNING id"
                )
            assert (first, second) == (1, 2)
        finally:
            await pg.close()


def test_placeholders_become_numbered_outside_strings_and_comments() -> None:
    assert translate("SELECT ? , '?' , \"a?\" -- ?\n, ?") == (
        "SELECT $1 , '?' , \"a?\" -- ?\n, $2",
        (),
    )
    assert translate("SELECT 'it''s ?', ?::text /* ? */") == (
        "SELECT 'it''s ?', $1::text /* ? */",
        (),
    )
    assert translate("WHERE a = :member AND b = :choice OR c = :member") == (
        "WHERE a = $1 AND b = $2 OR c = $1",
        ("member", "choice"),
    )


def test_every_step_that_makes_a_row_id_has_its_postgresql_spelling() -> None:
    """SQLite hands out ``INTEGER PRIMARY KEY`` ids by itself and PostgreSQL doesn't: a step
    that makes such an id column without a ``.postgres.sql`` variant would migrate on
    PostgreSQL and then refuse every insert."""
    import re

    from bot.storage.migrations import CORE

    row_id = re.compile(r"^\s+id\s+INTEGER PRIMARY KEY", re.M)
    missing = [
        f"{owner.name} {plain.version:04d}_{plain.name}"
        for owner in (CORE, *owners())
        for plain, spelled in zip(
            owner.migrations("sqlite"), owner.migrations("postgres"), strict=True
        )
        if row_id.search(plain.sql) and spelled.sql == plain.sql
    ]
    assert missing == []
