"""The SQLite backend: one aiosqlite connection, PRAGMAs on connect, explicit transactions.

Every statement runs under one asyncio lock, so a transaction begun by one task never sees
another task's half-finished writes on the shared connection. ``BEGIN IMMEDIATE`` takes the
file's write lock at once, so two processes on one file take turns, and a claim costs nothing.
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

from bot.storage.database import Database, IntegrityError, Params, Row, Transaction
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


class SQLiteTransaction(Transaction):
    """Each call is one trip to aiosqlite's thread (cursors are left to the garbage collector
    rather than closed, which would cost a second trip for nothing)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> None:
        try:
            await self._conn.execute(sql, params)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def execute_count(self, sql: str, params: Params = ()) -> int:
        try:
            cursor = await self._conn.execute(sql, params)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        try:
            await self._conn.executemany(sql, rows)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        try:
            rows = await self._conn.execute_fetchall(sql, params)
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            return list(await self._conn.execute_fetchall(sql, params))
        except sqlite3.IntegrityError as error:
            raise IntegrityError(str(error)) from error

    async def claim(self, scope: str, key: int) -> None:
        """Nothing to take: ``BEGIN IMMEDIATE`` holds the file's one write lock already."""


class SQLiteDatabase(Database):
    backend = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self._conn = conn
        self._path = path
        self._lock = asyncio.Lock()
        self._holder: asyncio.Task[Any] | None = None

    @property
    def path(self) -> Path:
        return self._path

    @property
    def url(self) -> str:
        return f"sqlite:///{self._path}"

    @classmethod
    async def connect(cls, path: Path, owners: Sequence[Owner] = ()) -> SQLiteDatabase:
        """Open (and make) the file, and migrate it."""
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
                yield SQLiteTransaction(conn)
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """SQLite makes a single statement its own transaction, so this costs one trip
        instead of three."""
        async with self._locked() as conn:
            return await SQLiteTransaction(conn).execute_count(sql, params)

    async def write_returning(
        self, sql: str, params: Params = (), *, claim: tuple[str, int] | None = None
    ) -> Row | None:
        """A single statement is its own transaction in SQLite, so the change and what it
        returns cost one trip, not three; and no other transaction can run in the middle of
        it, so a claim needs nothing more."""
        async with self._locked() as conn:
            return await SQLiteTransaction(conn).fetchone(sql, params)

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        async with self._locked() as conn:
            return await SQLiteTransaction(conn).fetchone(sql, params)

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._locked() as conn:
            return await SQLiteTransaction(conn).fetchall(sql, params)

    async def has_relation(self, name: str) -> bool:
        found = await self.fetchone(
            "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", (name,)
        )
        return found is not None

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
        )
        return [str(row[0]) for row in rows]

    async def columns(self, table: str) -> list[tuple[str, str]]:
        rows = await self.fetchall("SELECT name, type FROM pragma_table_info(?)", (table,))
        return [(str(row[0]), str(row[1]).upper()) for row in rows]

    async def stream(
        self, sql: str, params: Params = (), *, batch: int = 5000
    ) -> AsyncIterator[Row]:
        # One read transaction, so the rows are one snapshot even while the bot writes.
        async with self._locked() as conn:
            await conn.execute("BEGIN")
            try:
                cursor = await conn.execute(sql, params)
                while rows := await cursor.fetchmany(batch):
                    for row in rows:
                        yield row
                await cursor.close()
            finally:
                await conn.execute("COMMIT")


async def connect(path: Path | str) -> aiosqlite.Connection:
    """Open a connection with the PRAGMAs every connection needs (they are per connection)."""
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = sqlite3.Row
    for pragma in PRAGMAS:
        await conn.execute(pragma)
    return conn
