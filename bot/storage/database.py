"""The bot's store, as the repositories see it: one small API over two backends.

``Database.open(target, owners)`` opens SQLite (a path, or ``sqlite:///path``) or PostgreSQL
(``postgresql://…``) and migrates the engine and the named owners to their newest schema.
Repositories are the only callers; they pass parameters (``?`` placeholders, the same on both
backends), never format input into SQL, and read rows by column name or position.

The backends live in ``bot.storage.sqlite`` (one aiosqlite connection, PRAGMAs on connect,
``BEGIN IMMEDIATE`` transactions) and ``bot.storage.postgres`` (an asyncpg pool). What SQLite
gets for free by having one writer at a time, PostgreSQL gets from :meth:`Transaction.claim`:
the few places where two processes must never both act (a prompt run, a vote count, a
proposal's closing) take that lock first.
"""

from __future__ import annotations

import abc
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

from bot.storage.migrations import Owner

# Values for ``?`` placeholders in order, or for ``:name`` placeholders by name.
Params = Sequence[Any] | Mapping[str, Any]
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
SQLITE_SCHEME = "sqlite:///"


class Row(Protocol):
    """A result row: ``row["column"]`` or ``row[0]``, like ``sqlite3.Row`` and asyncpg's
    ``Record`` (both are rows of this kind)."""

    def __getitem__(self, key: Any, /) -> Any: ...

    def keys(self) -> Any: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[Any]: ...


class IntegrityError(Exception):
    """A constraint said no (a unique key taken, a foreign key missing), on either backend.

    The transaction it happened in is rolled back when the exception leaves it."""


class Transaction(abc.ABC):
    """Statements inside ``Database.transaction()``; committed together or not at all."""

    @abc.abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> None:
        """Run one statement. (An INSERT that needs its new id says ``RETURNING id`` and
        uses :meth:`fetchval`: that is the one way both backends give it back.)"""

    @abc.abstractmethod
    async def execute_count(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return how many rows it changed."""

    @abc.abstractmethod
    async def executemany(self, sql: str, rows: Iterable[Params]) -> None: ...

    @abc.abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    @abc.abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @abc.abstractmethod
    async def claim(self, scope: str, key: int) -> None:
        """Hold the lock named (``scope``, ``key``) until this transaction ends: another
        transaction claiming the same name, in this process or another, waits until then.

        SQLite's ``BEGIN IMMEDIATE`` already lets one writer in at a time, so there it costs
        nothing; PostgreSQL takes a transaction-scoped advisory lock."""


class Database(abc.ABC):
    """The bot's store. Open with :meth:`open`, which also applies the migrations."""

    backend: str

    @property
    @abc.abstractmethod
    def url(self) -> str:
        """Where the store is, as ``storage.url`` spells it."""

    @property
    @abc.abstractmethod
    def path(self) -> Path:
        """The SQLite file. PostgreSQL keeps no file of its own: there it raises
        ``AttributeError``; ask ``backend`` first."""

    @classmethod
    async def open(cls, target: Path | str, owners: Sequence[Owner] = ()) -> Database:
        """Open the store ``target`` names (a path, ``sqlite:///path`` or
        ``postgresql://…``) and migrate the engine and ``owners`` to their newest schema.
        Tables of parts not named are left as they are."""
        text = str(target)
        if text.startswith(POSTGRES_SCHEMES):
            from bot.storage.postgres import PostgresDatabase

            return await PostgresDatabase.connect(text, owners)
        from bot.storage.sqlite import SQLiteDatabase

        return await SQLiteDatabase.connect(sqlite_path(text), owners)

    @abc.abstractmethod
    async def close(self) -> None: ...

    @abc.abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """One transaction; any exception rolls everything back."""

    @abc.abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """One write on its own; returns how many rows it changed."""

    @abc.abstractmethod
    async def write_returning(
        self, sql: str, params: Params = (), *, claim: tuple[str, int] | None = None
    ) -> Row | None:
        """One write with a RETURNING clause, on its own. With ``claim``, it runs while holding
        that lock (see :meth:`Transaction.claim`), so it can't slip between the statements of
        a transaction that claims the same name (a vote and the closing that counts it)."""

    @abc.abstractmethod
    async def fetchone(self, sql: str, params: Params = ()) -> Row | None: ...

    @abc.abstractmethod
    async def fetchall(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @abc.abstractmethod
    async def has_relation(self, name: str) -> bool:
        """Whether a table or view of this name exists (in this store's schema)."""

    @abc.abstractmethod
    async def tables(self) -> list[str]:
        """The store's tables (not views), sorted by name."""

    @abc.abstractmethod
    async def columns(self, table: str) -> list[tuple[str, str]]:
        """A table's columns in order, each with its type in capitals (``TEXT``, ``INTEGER``)."""

    @abc.abstractmethod
    def stream(self, sql: str, params: Params = (), *, batch: int = 5000) -> AsyncIterator[Row]:
        """The rows of one query, read a batch at a time (for copying whole tables)."""


def sqlite_path(target: str) -> Path:
    """The file a SQLite target names: a plain path, or a URL as SQLAlchemy spells it,
    ``sqlite:///relative/file.db`` or ``sqlite:////absolute/file.db``."""
    if target.startswith(SQLITE_SCHEME):
        target = target[len(SQLITE_SCHEME) :]
    return Path(target)


def backup(source: Path, target: Path) -> None:
    """Write a consistent copy of a live SQLite database with SQLite's online backup API.

    Safe while the bot runs: the backup reads a snapshot, page by page, and WAL lets the bot
    keep writing meanwhile.
    """
    from bot.storage.sqlite import BUSY_TIMEOUT_MS

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
