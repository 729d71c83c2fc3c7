"""``circlekeeper store copy``: move a whole store from SQLite to PostgreSQL, or back.

Both ends are opened the way the bot opens them (so both are migrated to this code's schema),
then every table is copied in the order its foreign keys need, in batches, each table in one
transaction. A live SQLite source is first copied with SQLite's online backup, so what moves
is one consistent moment even while the bot writes. Afterwards each table is read back from
the target and its row count and checksum compared with the source's; the identity columns'
next numbers are carried over, so an id is never handed out twice.

The checksum is the sum, modulo 2**64, of a SHA-256 of each row's values: it doesn't depend on
the order rows come back in (PostgreSQL and SQLite sort text differently), and any changed,
lost or doubled row changes it.

A target that already holds rows is refused unless told (``force``): then its rows are
replaced. Nothing in the source ever changes.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.storage.database import POSTGRES_SCHEMES, Database, Row, backup, sqlite_path
from bot.storage.migrations import Owner

BATCH = 2000
VERSIONS = "schema_version"


class CopyRefused(Exception):
    """The copy would be wrong or would overwrite something; nothing was changed."""


@dataclass(frozen=True, slots=True)
class TableCheck:
    table: str
    rows: int
    checksum: int


@dataclass(frozen=True, slots=True)
class CopyReport:
    tables: tuple[TableCheck, ...]

    @property
    def rows(self) -> int:
        return sum(check.rows for check in self.tables)


Progress = Callable[[str, int, int], None]  # (table, rows copied now, the table's rows)


def row_hash(row: Row | Sequence[Any]) -> int:
    """One row's share of its table's checksum."""
    text = json.dumps([_plain(value) for value in row], ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def redact(url: str) -> str:
    """A URL fit to print: a password in it becomes ``***``."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    who, at, where = rest.rpartition("@")
    if ":" in who:
        who = who.split(":", 1)[0] + ":***"
    return f"{scheme}://{who}{at}{where}"


async def copy_store(
    source_url: str,
    target_url: str,
    owners: Sequence[Owner],
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every table of ``source_url`` into ``target_url`` and check each one."""
    if _same(source_url, target_url):
        raise CopyRefused("the source and the target are the same store")
    async with AsyncExitStack() as stack:
        snapshot_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ck-copy-")))
        if not source_url.startswith(POSTGRES_SCHEMES):
            live = sqlite_path(source_url)
            if not live.exists():
                raise CopyRefused(f"there is no SQLite store at {live}")
            snapshot = snapshot_dir / "snapshot.db"
            backup(live, snapshot)
            source_url = str(snapshot)
        source = await Database.open(source_url, owners)
        stack.push_async_callback(source.close)
        target = await Database.open(target_url, owners)
        stack.push_async_callback(target.close)

        tables = await _tables_to_copy(source, target)
        order = await dependency_order(source, tables)
        filled = [t for t in order if await target.fetchval(f"SELECT 1 FROM {t} LIMIT 1")]  # noqa: S608 - names from the schema
        if filled and not force:
            raise CopyRefused(
                "the target already holds rows (in "
                + ", ".join(filled)
                + "); nothing was copied. To replace them, say --force."
            )
        if filled:
            await _empty(target, order)

        sequences = await next_ids(source)
        checks = []
        for table in order:
            checks.append(await _copy_table(source, target, table, progress))
        await set_next_ids(target, sequences)

        for check in checks:
            found = await table_check(target, check.table)
            if found != check:
                raise CopyRefused(
                    f"{check.table}: the target has {found.rows} rows (checksum {found.checksum:x}) "
                    f"but the source {check.rows} (checksum {check.checksum:x}); the copy is not "
                    "to be trusted"
                )
        return CopyReport(tuple(checks))
    raise AssertionError("unreachable")  # pragma: no cover - the with block returns


def _same(a: str, b: str) -> bool:
    if a.startswith(POSTGRES_SCHEMES) or b.startswith(POSTGRES_SCHEMES):
        return a == b
    return sqlite_path(a).resolve() == sqlite_path(b).resolve()


async def _tables_to_copy(source: Database, target: Database) -> list[str]:
    theirs = set(await target.tables())
    ours = [t for t in await source.tables() if t != VERSIONS]
    unknown = [t for t in ours if t not in theirs]
    if unknown:
        raise CopyRefused(
            "the source has tables this Circlekeeper doesn't know ("
            + ", ".join(unknown)
            + "); copy with the version that wrote them"
        )
    mine = await source.fetchall(f"SELECT owner, version FROM {VERSIONS} ORDER BY 1, 2")  # noqa: S608
    there = await target.fetchall(f"SELECT owner, version FROM {VERSIONS} ORDER BY 1, 2")  # noqa: S608
    if [tuple(r) for r in mine] != [tuple(r) for r in there]:
        raise CopyRefused("the two stores are at different schema versions")
    for table in ours:
        if [c for c, _ in await source.columns(table)] != [
            c for c, _ in await target.columns(table)
        ]:
            raise CopyRefused(f"{table} has different columns in the two stores")
    return ours


async def references(db: Database, table: str) -> set[str]:
    """The tables ``table``'s foreign keys point at."""
    if db.backend == "sqlite":
        rows = await db.fetchall('SELECT "table" FROM pragma_foreign_key_list(?)', (table,))
    else:
        rows = await db.fetchall(
            "SELECT DISTINCT r.relname::text FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
            "WHERE c.contype = 'f' AND t.relname = ? AND t.relnamespace = current_schema()::regnamespace",
            (table,),
        )
    return {str(row[0]) for row in rows} - {table}


async def dependency_order(db: Database, tables: Sequence[str]) -> list[str]:
    """``tables`` with every table after the ones it references (by name where free)."""
    needs = {t: await references(db, t) & set(tables) for t in tables}
    order: list[str] = []
    while needs:
        ready = sorted(t for t, deps in needs.items() if not deps - set(order))
        if not ready:
            raise CopyRefused("the tables' foreign keys go round in a circle: " + ", ".join(needs))
        order.extend(ready)
        for t in ready:
            del needs[t]
    return order


async def _empty(target: Database, order: Sequence[str]) -> None:
    async with target.transaction() as tx:
        for table in reversed(order):
            await tx.execute(f"DELETE FROM {table}")  # noqa: S608 - names from the schema


async def _copy_table(
    source: Database, target: Database, table: str, progress: Progress | None
) -> TableCheck:
    names = [c for c, _ in await source.columns(table)]
    listed = ", ".join(names)
    total = int(await source.fetchval(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608
    insert = f"INSERT INTO {table} ({listed}) VALUES ({', '.join('?' for _ in names)})"  # noqa: S608
    checksum = 0
    rows = 0
    batch: list[tuple[Any, ...]] = []
    async with target.transaction() as tx:
        async for row in source.stream(f"SELECT {listed} FROM {table}", batch=BATCH):  # noqa: S608
            values = tuple(row)
            checksum = (checksum + row_hash(values)) % (1 << 64)
            batch.append(values)
            if len(batch) >= BATCH:
                await tx.executemany(insert, batch)
                rows += len(batch)
                if progress:
                    progress(table, len(batch), total)
                batch = []
        if batch:
            await tx.executemany(insert, batch)
            rows += len(batch)
            if progress:
                progress(table, len(batch), total)
    if progress and not rows:
        progress(table, 0, 0)
    return TableCheck(table, rows, checksum)


async def table_check(db: Database, table: str) -> TableCheck:
    """The row count and checksum of one table, as it is now."""
    names = ", ".join(c for c, _ in await db.columns(table))
    checksum = 0
    rows = 0
    async for row in db.stream(f"SELECT {names} FROM {table}", batch=BATCH):  # noqa: S608
        checksum = (checksum + row_hash(row)) % (1 << 64)
        rows += 1
    return TableCheck(table, rows, checksum)


async def next_ids(db: Database) -> dict[str, int]:
    """For each table with generated ids, the next id it will hand out (never one used)."""
    found: dict[str, int] = {}
    if db.backend == "sqlite":
        for table in await db.tables():
            columns = await db.fetchall("SELECT name, type, pk FROM pragma_table_info(?)", (table,))
            keys = [c for c in columns if c["pk"]]
            if len(keys) == 1 and str(keys[0]["type"]).upper() == "INTEGER":
                top = await db.fetchval(f"SELECT MAX({keys[0]['name']}) FROM {table}")  # noqa: S608
                found[table] = int(top or 0) + 1
        if await db.has_relation("sqlite_sequence"):
            for row in await db.fetchall("SELECT name, seq FROM sqlite_sequence"):
                found[str(row[0])] = max(found.get(str(row[0]), 1), int(row[1]) + 1)
        return found
    for row in await db.fetchall(
        "SELECT table_name::text, column_name::text FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND is_identity = 'YES'"
    ):
        table, column = str(row[0]), str(row[1])
        sequence = await db.fetchval("SELECT pg_get_serial_sequence(?, ?)", (table, column))
        state = await db.fetchone(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        top = await db.fetchval(f"SELECT MAX({column}) FROM {table}")  # noqa: S608
        if state is None:
            raise CopyRefused(f"the sequence of {table}.{column} can't be read")
        following = int(state[0]) + 1 if state[1] else int(state[0])
        found[table] = max(following, int(top or 0) + 1)
    return found


async def set_next_ids(db: Database, wanted: dict[str, int]) -> None:
    """Make each table's generated ids start at least where ``wanted`` says."""
    if db.backend == "sqlite":
        if not await db.has_relation("sqlite_sequence"):
            return
        autoincrement = {
            str(r[0])
            for r in await db.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'"
            )
        }
        async with db.transaction() as tx:
            for table, following in wanted.items():
                if table in autoincrement:
                    await tx.execute("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
                    await tx.execute(
                        "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                        (table, following - 1),
                    )
        return
    here = await next_ids(db)
    for table, following in here.items():
        column = await db.fetchval(
            "SELECT column_name::text FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? AND is_identity = 'YES'",
            (table,),
        )
        sequence = await db.fetchval("SELECT pg_get_serial_sequence(?, ?)", (table, column))
        await db.fetchval(
            "SELECT setval(?::regclass, ?, false)",
            (sequence, max(following, wanted.get(table, 1))),
        )
