"""The SQLite database: one aiosqlite connection, PRAGMAs on connect, explicit transactions.

Every statement runs under one asyncio lock, so a transaction begun by one task never sees
another task's half-finished writes on the shared connection. Repositories are the only
callers; they pass parameters, never format input into SQL.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.migrations import Owner, migrate

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA foreign_keys = ON",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA synchronous = NORMAL",
    # What is deleted is overwritten, not left in free pages: a secret ballot's votes and a
    # forgotten person's rows must not be readable from the file afterwards.
    "PRAGMA secure_delete = ON",
)

Row = sqlite3.Row
Params = Sequence[Any] | dict[str, Any]


class Transaction:
    """Statements inside ``Database.transaction()``; committed together or not at all.

    Each call is one trip to aiosqlite's thread (cursors are left to the garbage collector
    rather than closed, which would cost a second trip for nothing).
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the last inserted row id (0 if none)."""
        cursor = await self._conn.execute(sql, params)
        return cursor.lastrowid or 0

    async def execute_count(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""
        cursor = await self._conn.execute(sql, params)
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        await self._conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))


class Database:
    """The bot's store. Open with :meth:`open`, which applies the PRAGMAs and migrations."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @classmethod
    async def open(cls, path: Path | str, owners: Sequence[Owner] = ()) -> Database:
        """Open (and make) the file, and migrate the engine and ``owners`` to their newest
        schema. Tables of parts not named are left as they are."""
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await connect(path)
        try:
            await migrate(conn, owners)
        except BaseException:
            await conn.close()
            raise
        return cls(conn, path)

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    @asynccontextmanager
    async def _locked(self) -> AsyncIterator[aiosqlite.Connection]:
        task = asyncio.current_task()
        if task is not None and task is self._holder:
            raise RuntimeError(
                "database used again inside its own transaction; pass the Transaction"
            )
        async with self._lock:
            self._holder = task
            try:
                yield self._conn
            finally:
                self._holder = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; any exception rolls everything back."""
        async with self._locked() as conn:
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write on its own: SQLite makes a single statement its own transaction, so this
        costs one trip instead of three. Returns how many rows it changed."""
        async with self._locked() as conn:
            return await Transaction(conn).execute_count(sql, params)

    async def write_returning(self, sql: str, params: Params = ()) -> Row | None:
        """One write with a RETURNING clause, on its own: a single statement is its own
        transaction in SQLite, so the change and what it returns cost one trip, not three."""
        async with self._locked() as conn:
            return await Transaction(conn).fetchone(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._locked() as conn:
            return await Transaction(conn).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._locked() as conn:
            return await Transaction(conn).fetchall(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open a connection with the PRAGMAs every connection needs (they are per connection)."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn


def backup(source: Path, target: Path) -> None:
    """Write a consistent copy of a live database with SQLite's online backup API.

    Safe while the bot runs: the backup reads a snapshot, page by page, and WAL lets the bot
    keep writing meanwhile.
    """
    if not source.exists():
        raise FileNotFoundError(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=1024)
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    partial.replace(target)
