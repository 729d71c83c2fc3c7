"""The PostgreSQL backend: an asyncpg pool behind the same small API as SQLite.

Repositories write ``?`` placeholders; each statement is translated to PostgreSQL's ``$1, $2``
once and the translation is cached, and asyncpg prepares and caches the statement itself per
connection. Rows are asyncpg ``Record`` objects, read by name or position like ``sqlite3.Row``.

Several processes may share one database. Migrations take a session advisory lock, so two
processes starting at once migrate one after the other; :meth:`PostgresTransaction.claim`
takes a transaction advisory lock for the few places where two processes must never both act.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import zlib
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

from bot.storage.database import Database, IntegrityError, Params, Row, Transaction
from bot.storage.migrations import TABLE, Migration, Owner, plan, refuse_newer

log = logging.getLogger(__name__)

POOL_SIZE = 10
STATEMENT_CACHE = 512
# The session lock every process takes while it migrates (pg_advisory_lock's one-key form).
MIGRATION_LOCK = 0x436B_4D69  # "CkMi"
_NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> tuple[str, tuple[str, ...]]:
    """``?`` placeholders (or ``:name`` ones) to ``$1``, ``$2``, …, leaving string literals,
    quoted names, ``::`` casts and comments alone. Returns the statement and, for named
    placeholders, the names in the order of their numbers."""
    out: list[str] = []
    names: list[str] = []
    n = 0
    i = 0
    length = len(sql)
    while i < length:
        char = sql[i]
        if char in ("'", '"'):
            end = i + 1
            while end < length:
                if sql[end] == char:
                    if end + 1 < length and sql[end + 1] == char:  # '' or "" inside
                        end += 2
                        continue
                    break
                end += 1
            out.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = length if end < 0 else end
            out.append(sql[i:end])
            i = end
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            end = length if end < 0 else end + 2
            out.append(sql[i:end])
            i = end
        elif sql.startswith("::", i):
            out.append("::")
            i += 2
        elif char == "?":
            n += 1
            out.append(f"${n}")
            i += 1
        elif char == ":" and (match := _NAMED.match(sql, i + 1)):
            name = match[0]
            if name not in names:
                names.append(name)
            out.append(f"${names.index(name) + 1}")
            i = match.end()
        else:
            out.append(char)
            i += 1
    if n and names:
        raise ValueError("a statement mixes ? and :name placeholders")
    return "".join(out), tuple(names)


def _args(names: tuple[str, ...], params: Params) -> Sequence[Any]:
    if isinstance(params, Mapping):
        return [params[name] for name in names]
    if names:
        raise TypeError("a statement with :name placeholders needs a mapping of values")
    return params


def _prepared(sql: str, params: Params) -> tuple[Any, ...]:
    """The translated statement followed by its arguments, ready to splat into asyncpg."""
    statement, names = translate(sql)
    return (statement, *_args(names, params))


def _count(status: str) -> int:
    """Rows changed, from a command tag such as ``UPDATE 3`` or ``INSERT 0 1``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def _pool_size(url: str, default: int) -> tuple[str, int]:
    """The URL without our own ``pool_size`` parameter (asyncpg would pass it to the server
    as a setting), and the size it asks for."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    sizes = [value for key, value in query if key == "pool_size"]
    if not sizes:
        return url, default
    if not sizes[-1].isdigit() or not 1 <= int(sizes[-1]) <= 1000:
        raise ValueError(f"pool_size in the storage URL should be 1 to 1000, not {sizes[-1]!r}")
    rest = urlencode([(key, value) for key, value in query if key != "pool_size"])
    return urlunsplit(parts._replace(query=rest)), int(sizes[-1])


def _lock_key(scope: str, key: int) -> tuple[int, int]:
    """The two 32-bit keys of ``pg_advisory_xact_lock(int, int)`` for a named lock."""

    def signed(value: int) -> int:
        value &= 0xFFFF_FFFF
        return value - (1 << 32) if value >= 1 << 31 else value

    return signed(zlib.crc32(scope.encode())), signed(key)


class PostgresTransaction(Transaction):
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, params: Params = ()) -> None:
        try:
            await self._conn.execute(*_prepared(sql, params))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def execute_count(self, sql: str, params: Params = ()) -> int:
        try:
            return _count(await self._conn.execute(*_prepared(sql, params)))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        batch = list(rows)
        if not batch:
            return
        try:
            statement, names = translate(sql)
            await self._conn.executemany(statement, [tuple(_args(names, row)) for row in batch])
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        try:
            row: Row | None = await self._conn.fetchrow(*_prepared(sql, params))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        try:
            return list(await self._conn.fetch(*_prepared(sql, params)))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def claim(self, scope: str, key: int) -> None:
        await self._conn.execute("SELECT pg_advisory_xact_lock($1, $2)", *_lock_key(scope, key))


class PostgresDatabase(Database):
    backend = "postgres"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        self._pool = pool
        self._url = url
        self._in_transaction: set[asyncio.Task[Any]] = set()

    @classmethod
    async def connect(
        cls, url: str, owners: Sequence[Owner] = (), *, pool_size: int = POOL_SIZE
    ) -> PostgresDatabase:
        """Open a pool on ``url`` and migrate the database. ``pool_size=N`` in the URL's query
        sets how many connections the pool may open (10 unless told)."""
        dsn, pool_size = _pool_size(url, pool_size)
        pool = await asyncpg.create_pool(
            dsn,
            min_size=1,
            max_size=pool_size,
            statement_cache_size=STATEMENT_CACHE,
        )
        try:
            async with pool.acquire() as conn:
                await migrate(conn, owners)
        except BaseException:
            await pool.close()
            raise
        return cls(pool, url)

    async def close(self) -> None:
        await self._pool.close()

    def _check_not_inside(self) -> None:
        task = asyncio.current_task()
        if task is not None and task in self._in_transaction:
            raise RuntimeError(
                "database used again inside its own transaction; pass the Transaction"
            )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        self._check_not_inside()
        task = asyncio.current_task()
        async with self._pool.acquire() as conn:
            if task is not None:
                self._in_transaction.add(task)
            try:
                async with conn.transaction():
                    yield PostgresTransaction(conn)
            finally:
                if task is not None:
                    self._in_transaction.discard(task)

    async def execute(self, sql: str, params: Params = ()) -> int:
        self._check_not_inside()
        try:
            return _count(await self._pool.execute(*_prepared(sql, params)))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def write_returning(
        self, sql: str, params: Params = (), *, claim: tuple[str, int] | None = None
    ) -> Row | None:
        if claim is None:
            return await self.fetchone(sql, params)  # one statement: its own transaction
        self._check_not_inside()
        # Three trips, not four: BEGIN and the lock go as one simple query (the keys are
        # integers we made, never input), then the statement, then COMMIT. The statement's
        # snapshot is taken after the lock is held, so it sees what the holder before wrote.
        first, second = _lock_key(*claim)
        async with self._pool.acquire() as conn:
            await conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({first:d}, {second:d})")
            try:
                row: Row | None = await conn.fetchrow(*_prepared(sql, params))
            except BaseException as error:
                await conn.execute("ROLLBACK")
                if isinstance(error, asyncpg.IntegrityConstraintViolationError):
                    raise IntegrityError(str(error)) from error
                raise
            await conn.execute("COMMIT")
            return row

    async def fetchone(self, sql: str, params: Params = ()) -> Row | None:
        self._check_not_inside()
        try:
            row: Row | None = await self._pool.fetchrow(*_prepared(sql, params))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error
        return row

    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]:
        self._check_not_inside()
        try:
            return list(await self._pool.fetch(*_prepared(sql, params)))
        except asyncpg.IntegrityConstraintViolationError as error:
            raise IntegrityError(str(error)) from error

    async def has_relation(self, name: str) -> bool:
        return bool(await self.fetchval("SELECT to_regclass(?::text) IS NOT NULL", (name,)))

    async def tables(self) -> list[str]:
        rows = await self.fetchall(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() "
            "ORDER BY tablename"
        )
        return [str(row[0]) for row in rows]

    @property
    def url(self) -> str:
        return self._url

    @property
    def path(self) -> Path:
        raise AttributeError("a PostgreSQL store keeps no file of its own")

    async def columns(self, table: str) -> list[tuple[str, str]]:
        rows = await self.fetchall(
            "SELECT column_name::text, data_type::text FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
            (table,),
        )
        return [(str(row[0]), str(row[1]).upper()) for row in rows]

    async def stream(
        self, sql: str, params: Params = (), *, batch: int = 5000
    ) -> AsyncIterator[Row]:
        self._check_not_inside()
        async with self._pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            async for row in conn.cursor(*_prepared(sql, params), prefetch=batch):
                yield row

    async def copy_rows(
        self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None:
        """Load rows with COPY, the fastest way in (used by ``store copy`` and the benches)."""
        async with self._pool.acquire() as conn:
            await conn.copy_records_to_table(table, columns=list(columns), records=rows)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """One pooled connection, for tools that speak asyncpg directly (``store copy``)."""
        async with self._pool.acquire() as conn:
            yield conn


async def current_versions(conn: asyncpg.Connection) -> dict[str, int]:
    """Each owner's version in this database (empty for a new one)."""
    if not await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL"):
        return {}
    rows = await conn.fetch(
        "SELECT owner, MAX(version) FROM schema_version GROUP BY owner ORDER BY owner"
    )
    return {str(row[0]): int(row[1]) for row in rows}


async def migrate(conn: asyncpg.Connection, owners: Sequence[Owner] = ()) -> dict[str, int]:
    """Bring the engine and ``owners`` to their newest schema, holding the migration lock so
    that processes starting together migrate one after the other."""
    plans = plan(owners, "postgres")
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK)
    try:
        refuse_newer(plans, await current_versions(conn))
        await conn.execute(TABLE)
        found = await current_versions(conn)
        for steps in plans.values():
            for step in steps:
                if step.version > found.get(step.owner, 0):
                    await _apply(conn, step)
        return await current_versions(conn)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK)


async def _apply(conn: asyncpg.Connection, step: Migration) -> None:
    async with conn.transaction():
        await conn.execute(step.sql)
        await conn.execute(
            "INSERT INTO schema_version (owner, version, name, applied_at) VALUES ($1, $2, $3, $4)",
            step.owner,
            step.version,
            step.name,
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        )
    log.info("database: %s migrated to version %d (%s)", step.owner, step.version, step.name)
