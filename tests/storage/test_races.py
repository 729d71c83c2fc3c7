"""What SQLite got from having one writer, PostgreSQL gets from claims: two OS processes race
on one database, and each prompt run is claimed exactly once (with the shuffle bag's counts
exact), every vote is counted exactly once, exactly one vote completes the turnout, and one
proposal is closed once with an exact tally.

Each side is ``tests/storage/racer.py`` in its own interpreter, released by one ``go`` file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import owners
from bot.storage.database import Database
from cogs.agreements.ballots import Choice
from cogs.agreements.repo import AgreementsRepo
from cogs.circles.repo import CirclesRepo
from cogs.reflections.model import Kind
from cogs.reflections.repo import ReflectionsRepo
from tests.storage import racer
from tests.storage.agreements_support import posted
from tests.storage.conftest import at, make_circle
from tests.storage.postgres_support import fresh_postgres

ROOT = Path(__file__).parents[2]


@pytest.fixture
async def pg() -> AsyncIterator[tuple[str, Database]]:
    async with fresh_postgres() as url:
        db = await Database.open(url, owners())
        try:
            yield url, db
        finally:
            await db.close()


def race(task: str, url: str, folder: Path, key: int) -> list[dict[str, Any]]:
    """Start both sides, release them together, and read what each saw."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    sides = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.storage.racer", task, url, str(folder), str(w), str(key)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in (0, 1)
    ]
    deadline = time.monotonic() + 60
    while not all((folder / f"ready.{w}").exists() for w in (0, 1)):
        if time.monotonic() > deadline or any(side.poll() is not None for side in sides):
            for side in sides:
                side.kill()
            raise AssertionError([side.communicate()[1][-2000:] for side in sides])
        time.sleep(0.01)
    (folder / "go").touch()
    seen = []
    for side in sides:
        out, err = side.communicate(timeout=120)
        assert side.returncode == 0, err[-3000:]
        seen.append(json.loads(out.strip().splitlines()[-1]))
    return seen


async def test_two_processes_claim_each_prompt_run_exactly_once(
    pg: tuple[str, Database], tmp_path: Path
) -> None:
    url, db = pg
    circle = await make_circle(CirclesRepo(db))
    schedule_id, _ = await ReflectionsRepo(db).add_schedule(
        circle_id=circle.id,
        kind=Kind.PROMPT,
        form="every 10 minutes",
        rule="daily 18:00",
        time_zone=None,
        deck_id="ips",
        theme=None,
        remind=None,
        next_due=at(60),
        created_by="alice",
        at=at(0),
    )
    seen = race("prompts", url, tmp_path, schedule_id)
    won = [run for side in seen for run in side["won"]]
    assert sorted(k for k, _ in won) == list(range(racer.RUNS))  # each run once, none lost
    rows = await db.fetchall(
        "SELECT fire_time, prompt_id FROM reflection_runs WHERE schedule_id = ?", (schedule_id,)
    )
    assert len(rows) == racer.RUNS
    # The bag drew under the same claim, so it saw every earlier run: a and b take turns.
    prompts = [p for _, p in sorted(won)]
    assert prompts == ["a", "b"] * (racer.RUNS // 2)


async def test_two_processes_voting_at_once_give_an_exact_tally(
    pg: tuple[str, Database], tmp_path: Path
) -> None:
    url, db = pg
    circles = CirclesRepo(db)
    circle = await make_circle(circles, capacity=500, creator=racer.member(0))
    for i in range(1, racer.MEMBERS):
        await circles.join(circle.id, racer.member(i), at(1))
    proposal = await posted(AgreementsRepo(db), circle)
    seen = race("votes", url, tmp_path, proposal.id)
    assert sum(side["counted"] for side in seen) == racer.MEMBERS  # each member's vote once
    assert sum(side["everyone"] for side in seen) == 1  # one vote completed the turnout
    closed = [side["closed"] for side in seen if side["closed"] is not None]
    assert len(closed) == 1, seen  # closed once, by one of them
    expected = {c.value: 0 for c in Choice}
    for i in range(racer.MEMBERS):
        expected[racer.choice_of(i).value] += 1
    got = closed[0]["counts"]
    assert {k: got.get(k, 0) for k in expected} == expected
    assert closed[0]["voters"] == closed[0]["members"] == racer.MEMBERS
    assert (
        await db.fetchval("SELECT COUNT(*) FROM agreements WHERE id = ?", (proposal.id,)) == 1
    )  # adopted once
