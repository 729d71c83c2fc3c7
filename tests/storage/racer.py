"""One side of a two-process race on one PostgreSQL database (see test_races.py).

Run as ``python -m tests.storage.racer TASK URL FOLDER WORKER``: it opens the store, says it is
ready (a file ``ready.WORKER`` in FOLDER), waits for ``go`` there, so both processes start
together, runs its part and prints what it saw as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.app import owners
from bot.storage.database import Database
from cogs.agreements.ballots import Choice
from cogs.agreements.model import VoteStatus
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.votes_repo import VotesRepo
from cogs.reflections.repo import ReflectionsRepo
from tests.storage.conftest import at

RUNS = 40
MEMBERS = 240
CONCURRENCY = 16


def member(i: int) -> str:
    return f"m{i:03d}"


def choice_of(i: int) -> Choice:
    return Choice.CONCERN if i % 4 == 0 else Choice.CONSENT


def least_used(uses: Mapping[str, int]) -> str | None:
    return min(("a", "b"), key=lambda p: (uses.get(p, 0), p))


async def prompts(db: Database, worker: int, schedule_id: int) -> dict[str, Any]:
    """Claim every run of one schedule in turn, as a runner would that finds each one due."""
    repo = ReflectionsRepo(db)
    won = []
    for k in range(RUNS):
        schedule = await repo.schedule(schedule_id)
        assert schedule is not None
        fire = at(60 + 10 * k)
        claimed = await repo.claim(
            schedule, expected=fire, fire=fire, next_due=at(70 + 10 * k), at=fire, draw=least_used
        )
        if claimed is not None:
            won.append([k, claimed[1]])
    return {"won": won}


async def votes(db: Database, worker: int, proposal_id: int) -> dict[str, Any]:
    """Every member's vote, sent by both processes (in opposite orders, many at once), then
    both try to close the proposal."""
    repo = VotesRepo(db)
    order = list(range(MEMBERS))
    if worker:
        order.reverse()
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> tuple[str, bool]:
        async with gate:
            change = await repo.add_reaction(
                proposal_id, f"p{proposal_id}", member(i), choice_of(i)
            )
            return change.status.value, change.everyone_voted

    seen = await asyncio.gather(*(one(i) for i in order))
    closing = await AgreementsRepo(db).close(proposal_id, at(100), at(0) - at(0))
    return {
        "counted": sum(1 for status, _ in seen if status == VoteStatus.COUNTED.value),
        "everyone": sum(1 for _, everyone in seen if everyone),
        "closed": None
        if closing is None
        else {
            "counts": {c.value: n for c, n in closing.tally.counts.items()},
            "voters": closing.tally.voters,
            "members": closing.tally.members,
        },
    }


def wait_for(go: Path) -> None:
    while not go.exists():
        time.sleep(0.002)


async def main(task: str, url: str, folder: Path, worker: int, key: int) -> None:
    db = await Database.open(url, owners())
    try:
        (folder / f"ready.{worker}").touch()
        await asyncio.to_thread(wait_for, folder / "go")
        run = prompts if task == "prompts" else votes
        sys.stdout.write(json.dumps(await run(db, worker, key)) + "\n")
    finally:
        await db.close()


if __name__ == "__main__":
    asyncio.run(
        main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    )
