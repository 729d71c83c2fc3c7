"""The storage contract: one suite per repository, written against its public methods and run
on every backend the bot can store in: SQLite (a real file, migrated to head) and PostgreSQL
(a real server; each test gets a schema of its own, made fresh and dropped after).

PostgreSQL is found at ``CIRCLEKEEPER_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
When it can't be reached, its half of the suite is skipped with the reason in the summary,
except under ``CI=true``, where that is a failure: CI must never pass on SQLite alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import owners
from bot.chat import MemberRef, Platform, RoomRef, ThreadRef
from bot.storage.database import Database
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo
from tests.storage.postgres_support import fresh_postgres

BACKENDS = ("sqlite", "postgresql")
T0 = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
ROOM = RoomRef(Platform.LOCAL, "space", "room")
OTHER_ROOM = RoomRef(Platform.LOCAL, "space", "room-2")


def at(minutes: int) -> datetime:
    """A moment ``minutes`` after the start of every test."""
    return T0 + timedelta(minutes=minutes)


def local(member_id: str) -> MemberRef:
    return MemberRef(Platform.LOCAL, member_id)


@pytest.fixture(params=BACKENDS)
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database of the named backend, empty and migrated to head."""
    if request.param == "postgresql":
        async with fresh_postgres() as url:
            database = await Database.open(url, owners())
            try:
                yield database
            finally:
                await database.close()
        return
    database = await Database.open(tmp_path / "contract.db", owners())
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
def circles(db: Database) -> CirclesRepo:
    return CirclesRepo(db)


async def make_circle(
    circles: CirclesRepo,
    name: str = "Tuesday",
    *,
    room: RoomRef = ROOM,
    thread: ThreadRef | None = None,
    capacity: int = 4,
    is_open: bool = True,
    creator: str = "alice",
    members: tuple[str, ...] = (),
) -> Circle:
    """A circle made by ``creator`` (its first member, facilitator and holder), then joined by
    ``members`` in order."""
    circle = await circles.create(
        room=room,
        thread=thread,
        name=name,
        description="",
        capacity=capacity,
        is_open=is_open,
        time_zone="Europe/Berlin",
        creator=creator,
        at=at(0),
    )
    for minute, member in enumerate(members, start=1):
        await circles.join(circle.id, member, at(minute))
    return circle
