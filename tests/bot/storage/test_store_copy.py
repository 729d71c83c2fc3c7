"""``circlekeeper store copy``: a store with rows in every kind of table goes from SQLite to
PostgreSQL and back, every table checked; ids are never handed out twice afterwards; and a
target that already holds rows is refused, kindly, with nothing changed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import owners
from bot.chat import Platform, RoomRef
from bot.storage.copy import TableCheck, table_check
from bot.storage.database import Database
from cogs.agreements.ballots import Choice
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles.repo import CirclesRepo
from cogs.nudges.repo import NudgesRepo
from cogs.reflections.model import Kind
from cogs.reflections.repo import ReflectionsRepo
from tests.storage.agreements_support import posted
from tests.storage.conftest import OTHER_ROOM, at, local, make_circle
from tests.storage.postgres_support import drop_schema, make_schema, server_url, with_schema


async def schedule(repo: ReflectionsRepo, circle_id: int) -> int:
    new_id, _ = await repo.add_schedule(
        circle_id=circle_id,
        kind=Kind.PROMPT,
        form="daily 18:00",
        rule="daily 18:00",
        time_zone=None,
        deck_id="ips",
        theme="café ☕ 'quoted'",
        remind=None,
        next_due=at(60),
        created_by="alice",
        at=at(0),
    )
    return new_id


async def fill(url: str) -> None:
    """Rows in the kernel's, the features' and the engine's tables, with an id given out and
    taken back (AUTOINCREMENT must not give it again after the copy)."""
    db = await Database.open(url, owners())
    try:
        circles = CirclesRepo(db)
        circle = await make_circle(circles, members=("bob", "chloé"))
        await make_circle(circles, "Thursday", room=OTHER_ROOM)
        proposal = await posted(AgreementsRepo(db), circle)
        await VotesRepo(db).add_reaction(proposal.id, f"p{proposal.id}", "bob", Choice.CONSENT)
        reflections = ReflectionsRepo(db)
        await schedule(reflections, circle.id)
        gone = await schedule(reflections, circle.id)
        await reflections.remove_schedule(gone)
        await NudgesRepo(db).opt_out(local("bob"), at(3))
        await db.execute(
            "INSERT INTO platform_state (platform, key, value, updated_at) VALUES (?, ?, ?, ?)",
            (Platform.MATRIX.value, "next_batch", "s72_\u00e9", "t"),
        )
    finally:
        await db.close()


async def checks(url: str) -> dict[str, TableCheck]:
    db = await Database.open(url, owners())
    try:
        return {t: await table_check(db, t) for t in await db.tables() if t != "schema_version"}
    finally:
        await db.close()


@pytest.fixture
def pg_url() -> Iterator[str]:
    schema = asyncio.run(make_schema())
    yield with_schema(server_url(), schema)
    asyncio.run(drop_schema(schema))


def test_a_store_goes_to_postgres_and_back_unchanged(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lite = f"sqlite:///{tmp_path / 'live.db'}"
    asyncio.run(fill(lite))
    before = asyncio.run(checks(lite))
    assert all(c.rows for t, c in before.items() if t in {"circles", "agreement_reactions"})

    assert main(["store", "copy", "--from", lite, "--to", pg_url, "--quiet"]) == 0
    said = capsys.readouterr().out
    assert "every table's row count and checksum match" in said
    assert asyncio.run(checks(pg_url)) == before

    back = f"sqlite:///{tmp_path / 'back.db'}"
    assert main(["store", "copy", "--from", pg_url, "--to", back, "--quiet"]) == 0
    assert asyncio.run(checks(back)) == before

    async def new_ids(url: str) -> tuple[int, int]:
        db = await Database.open(url, owners())
        try:
            circle = await make_circle(
                CirclesRepo(db), "Friday", room=RoomRef(Platform.LOCAL, "space", "room-3")
            )
            return circle.id, await schedule(ReflectionsRepo(db), circle.id)
        finally:
            await db.close()

    # The next ids follow on; the schedule id taken back (2) is never given again.
    assert asyncio.run(new_ids(pg_url)) == (3, 3)
    assert asyncio.run(new_ids(back)) == (3, 3)


def test_a_target_with_rows_is_refused_and_left_as_it_was(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lite = f"sqlite:///{tmp_path / 'live.db'}"
    asyncio.run(fill(lite))
    assert main(["store", "copy", "--from", lite, "--to", pg_url, "--quiet"]) == 0
    capsys.readouterr()

    async def add_circle() -> None:
        db = await Database.open(pg_url, owners())
        try:
            await make_circle(
                CirclesRepo(db),
                "Only in PostgreSQL",
                room=RoomRef(Platform.LOCAL, "space", "room-9"),
            )
        finally:
            await db.close()

    asyncio.run(add_circle())
    there = asyncio.run(checks(pg_url))
    assert main(["store", "copy", "--from", lite, "--to", pg_url, "--quiet"]) == 1
    refusal = capsys.readouterr().err
    assert "Nothing was copied" in refusal
    assert "already holds rows" in refusal
    assert "--force" in refusal
    assert asyncio.run(checks(pg_url)) == there  # untouched

    assert main(["store", "copy", "--from", lite, "--to", pg_url, "--force", "--quiet"]) == 0
    assert asyncio.run(checks(pg_url)) == asyncio.run(checks(lite))


def test_a_store_that_is_not_there_and_the_same_store_twice_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"sqlite:///{tmp_path / 'none.db'}"
    assert main(["store", "copy", "--from", missing, "--to", str(tmp_path / "x.db")]) == 1
    assert "there is no SQLite store" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
    here = str(tmp_path / "x.db")
    assert main(["store", "copy", "--from", here, "--to", f"sqlite:///{here}"]) == 1
    assert "the same store" in capsys.readouterr().err
