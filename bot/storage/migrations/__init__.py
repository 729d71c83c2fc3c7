"""Migrations, numbered per owner: the engine (``core``), the circles kernel, and each feature
keep their own ``NNNN_what.sql`` files, and each owner's version lives inside the database.

``schema_version`` holds one row per applied step: (owner, version, name, applied_at). Owners
migrate in the order given (the engine first, then circles, then the features in the app's
order), each step in one transaction. A database where an owner this code knows is at a
newer version than the code is refused rather than guessed at; the tables of an owner this
code doesn't know (a feature it doesn't have) are left alone.

A step may have a PostgreSQL variant beside it, ``NNNN_what.postgres.sql``, for the few things
the two dialects spell differently (SQLite's ``INTEGER PRIMARY KEY`` row ids are identity
columns there); everything else is written once, in SQL both accept. A variant always has its
SQLite step of the same number and name.

Releases before the per-owner versions numbered every migration in one sequence. Opening such
a database moves its history to the owners that wrote each step (``LEGACY``), in one
transaction, and the tables themselves are untouched.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

import aiosqlite

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)(\.postgres)?\.sql$")
BACKENDS = ("sqlite", "postgres")
_OWNER = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
TABLE = """
    CREATE TABLE IF NOT EXISTS schema_version (
        owner      TEXT NOT NULL,
        version    INTEGER NOT NULL,
        name       TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        PRIMARY KEY (owner, version)
    )
"""
NOW = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
# Where each step of the single sequence of earlier releases went: legacy version -> owner's.
LEGACY: Mapping[int, tuple[str, int]] = {
    1: ("core", 1),
    2: ("circles", 1),
    3: ("reflections", 1),
    4: ("agreements", 1),
    5: ("nudges", 1),
    6: ("core", 2),
    8: ("reflections", 2),
    9: ("nudges", 2),
    10: ("core", 3),
}


class SchemaTooNew(Exception):
    """The database was written by a newer Circlekeeper."""

    def __init__(self, found: int, known: int, owner: str = "core") -> None:
        super().__init__(
            f"this database keeps {owner} at schema version {found}, but this Circlekeeper only "
            f"knows up to {known}. It was written by a newer version; please run that version "
            "(or restore a backup) rather than risk the data."
        )
        self.found = found
        self.known = known
        self.owner = owner


@dataclass(frozen=True, slots=True)
class Migration:
    owner: str
    version: int
    name: str
    sql: str


@dataclass(frozen=True, slots=True)
class Owner:
    """A part of the bot with tables of its own, and the folder of its migrations."""

    name: str
    folder: Traversable

    def migrations(self, backend: str = "sqlite") -> list[Migration]:
        """This owner's steps in order, in ``backend``'s dialect."""
        if not _OWNER.match(self.name):
            raise RuntimeError(f"{self.name!r} is not a lowercase owner name")
        if backend not in BACKENDS:
            raise ValueError(f"no migrations for backend {backend!r}")
        plain: dict[int, Migration] = {}
        variants: dict[int, Migration] = {}
        for entry in self.folder.iterdir():
            match = _NAME.match(entry.name)
            if match:
                sql = entry.read_text(encoding="utf-8")
                step = Migration(self.name, int(match[1]), match[2], sql)
                (variants if match[3] else plain)[step.version] = step
        for version, variant in variants.items():
            if version not in plain or plain[version].name != variant.name:
                raise RuntimeError(
                    f"{self.name}: {version:04d}_{variant.name}.postgres.sql has no "
                    f"{version:04d}_{variant.name}.sql beside it"
                )
        found = sorted(plain.values(), key=lambda m: m.version)
        versions = [m.version for m in found]
        if versions != list(range(1, len(versions) + 1)):
            raise RuntimeError(
                f"{self.name}: migrations are numbered 0001, 0002, …; found {versions}"
            )
        if backend == "postgres":
            found = [variants.get(m.version, m) for m in found]
        return found


def plan(owners: Sequence[Owner], backend: str) -> dict[str, list[Migration]]:
    """The engine's and ``owners``' steps, in the order they migrate."""
    parts = [CORE, *owners]
    names = [owner.name for owner in parts]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two parts claim one migration owner: {names}")
    return {owner.name: owner.migrations(backend) for owner in parts}


def refuse_newer(plans: Mapping[str, list[Migration]], found: Mapping[str, int]) -> None:
    """Refuse a database where an owner this code knows is ahead of the code."""
    for name, steps in plans.items():
        head = steps[-1].version if steps else 0
        if found.get(name, 0) > head:
            raise SchemaTooNew(found[name], head, name)


CORE = Owner("core", resources.files(__package__))


def statements(sql: str) -> list[str]:
    """Split a script into complete statements (triggers with inner ``;`` stay whole)."""
    out: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                out.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        part.strip().startswith("--") or not part.strip() for part in buffer.splitlines()
    ):
        raise ValueError(f"incomplete SQL statement at the end of a migration: {buffer[:80]!r}")
    return out


async def _fetchall(conn: aiosqlite.Connection, sql: str) -> list[sqlite3.Row]:
    return list(await conn.execute_fetchall(sql))


async def current_versions(conn: aiosqlite.Connection) -> dict[str, int]:
    """Each owner's version in this database (empty for a new one)."""
    if not await _fetchall(
        conn, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ):
        return {}
    rows = await _fetchall(
        conn, "SELECT owner, MAX(version) FROM schema_version GROUP BY owner ORDER BY owner"
    )
    return {str(row[0]): int(row[1]) for row in rows}


async def migrate(conn: aiosqlite.Connection, owners: Sequence[Owner] = ()) -> dict[str, int]:
    """Bring the engine and ``owners`` to their newest schema; return every owner's version."""
    await _adopt_legacy(conn)
    plans = plan(owners, "sqlite")
    refuse_newer(plans, await current_versions(conn))
    found = await current_versions(conn)
    await conn.execute(TABLE)
    for steps in plans.values():
        for step in steps:
            if step.version > found.get(step.owner, 0):
                await _apply(conn, step)
    return await current_versions(conn)


async def _apply(conn: aiosqlite.Connection, step: Migration) -> None:
    await conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have migrated while we waited for the write lock.
        if (await current_versions(conn)).get(step.owner, 0) >= step.version:
            await conn.execute("ROLLBACK")
            return
        for statement in statements(step.sql):
            await conn.execute(statement)
        await conn.execute(
            f"INSERT INTO schema_version (owner, version, name, applied_at) VALUES (?, ?, ?, {NOW})",  # noqa: S608 - fixed text
            (step.owner, step.version, step.name),
        )
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
    log.info("database: %s migrated to version %d (%s)", step.owner, step.version, step.name)


async def _adopt_legacy(conn: aiosqlite.Connection) -> None:
    """A database of the single-sequence releases: give each applied step to its owner."""
    columns = {row[1] for row in await _fetchall(conn, "PRAGMA table_info(schema_version)")}
    if not columns or "owner" in columns:
        return
    await conn.execute("BEGIN IMMEDIATE")
    try:
        columns = {row[1] for row in await _fetchall(conn, "PRAGMA table_info(schema_version)")}
        if "owner" in columns:  # another process adopted it meanwhile
            await conn.execute("ROLLBACK")
            return
        rows = await _fetchall(conn, "SELECT version, name, applied_at FROM schema_version")
        known = max(LEGACY)
        for row in rows:
            if int(row[0]) not in LEGACY:
                raise SchemaTooNew(int(row[0]), known, "its tables")
        await conn.execute("ALTER TABLE schema_version RENAME TO schema_version_legacy")
        await conn.execute(TABLE)
        await conn.executemany(
            "INSERT INTO schema_version (owner, version, name, applied_at) VALUES (?, ?, ?, ?)",
            [(*LEGACY[int(row[0])], row[1], row[2]) for row in rows],
        )
        await conn.execute("DROP TABLE schema_version_legacy")
    except BaseException:
        await conn.execute("ROLLBACK")
        raise
    await conn.execute("COMMIT")
    log.info("database: moved %d steps of the earlier single sequence to their owners", len(rows))
