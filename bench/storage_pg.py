"""Benchmark: the bot on PostgreSQL at the size of a large public bot.

1. Loads 100,000 circles with 2,000,000 members (and a facilitator each) into a fresh schema
   with COPY, migrated by the bot itself first.
2. Starts processes at once on that store (3 by default, as three shard processes would),
   each opening the real App (store, kernel, every feature, their timers re-armed) with no
   platform attached, and prints for each the time until it is ready and its peak RSS.
3. A reaction storm: 20,000 votes spread over 1,000 proposals (20 members each), sent through
   the votes repository by many tasks at once over a pool, in as many processes as step 2
   (each takes its share of the proposals); prints votes per second in total, and checks the
   tally is exact: every vote counted once, each proposal's turnout completed exactly once,
   and every reaction row there.

    .venv/bin/python bench/storage_pg.py [--circles 100000] [--members 20] [--processes 3]

PostgreSQL comes from CIRCLEKEEPER_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test);
the schema it makes is dropped at the end (keep it with --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.app import open_app, owners  # noqa: E402
from bot.config import Config, StorageConfig  # noqa: E402
from bot.storage.database import Database  # noqa: E402

SERVER = os.environ.get("CIRCLEKEEPER_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
WHEN = "2026-03-02T17:00:00.000000Z"
CHUNK = 200_000


def url_for(schema: str, pool: int | None = None) -> str:
    url = f"{SERVER}?search_path={quote(schema)}"
    return f"{url}&pool_size={pool}" if pool else url


async def load(schema: str, circles: int, members: int) -> float:
    """Migrate with the bot, then COPY the circles, members and facilitators in."""
    db = await Database.open(url_for(schema), owners())
    await db.close()
    conn = await asyncpg.connect(SERVER, server_settings={"search_path": schema})
    started = time.perf_counter()
    try:
        await conn.copy_records_to_table(
            "circles",
            columns=[
                "id",
                "platform",
                "space_id",
                "room_id",
                "name",
                "name_key",
                "description",
                "capacity",
                "is_open",
                "time_zone",
                "holder_id",
                "created_by",
                "created_at",
            ],
            records=(
                (
                    i,
                    "discord",
                    f"guild-{i // 25}",
                    f"channel-{i}",
                    f"Circle {i}",
                    f"circle {i}",
                    "",
                    members + 5,
                    1,
                    "Europe/Berlin",
                    f"u{i}-0",
                    f"u{i}-0",
                    WHEN,
                )
                for i in range(1, circles + 1)
            ),
        )
        await conn.copy_records_to_table(
            "circle_facilitators",
            columns=["circle_id", "platform", "member_id", "position"],
            records=((i, "discord", f"u{i}-0", 0) for i in range(1, circles + 1)),
        )
        total = circles * members
        for start in range(0, total, CHUNK):
            await conn.copy_records_to_table(
                "circle_members",
                columns=["circle_id", "platform", "member_id", "joined_at", "seq"],
                records=(
                    (
                        n // members + 1,
                        "discord",
                        f"u{n // members + 1}-{n % members}",
                        WHEN,
                        n % members + 1,
                    )
                    for n in range(start, min(start + CHUNK, total))
                ),
            )
        await conn.execute("SELECT setval(pg_get_serial_sequence('circles', 'id'), $1)", circles)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - started


def start_child(schema: str) -> dict[str, Any]:
    """In a fresh interpreter: import, open the App on the store, start it, report."""
    began = time.perf_counter()

    async def run() -> float:
        data_dir = tempfile.mkdtemp(prefix="ck-bench-pg-")  # the App's folder; no store in it
        config = Config(storage=StorageConfig(url=url_for(schema)), data_dir=data_dir)
        opened = time.perf_counter()
        async with open_app(config) as app:
            await app.start()
            ready = time.perf_counter() - opened
            circles = await app.db.fetchval("SELECT COUNT(*) FROM circles")
            if not circles:
                raise SystemExit("the App found no circles")
            await app.stop()
        return ready

    ready = asyncio.run(run())
    return {
        "ready": ready,
        "process": time.perf_counter() - began,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def prepare_storm(schema: str, proposals: int) -> list[int]:
    """One open, posted proposal in each of the first ``proposals`` circles."""
    from datetime import UTC, datetime, timedelta

    from bot.chat import MessageRef, Platform, RoomRef, ThreadRef
    from cogs.agreements.ballots import Process
    from cogs.agreements.model import CircleSettings, Kind, NewProposal
    from cogs.agreements.repo import AgreementsRepo

    db = await Database.open(url_for(schema, 4), owners())
    repo = AgreementsRepo(db)
    now = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    rules = CircleSettings(Process.CONSENT, 50, 67, timedelta(hours=24), timedelta(days=90))
    ids = []
    try:
        for circle_id in range(1, proposals + 1):
            proposal = await repo.open_proposal(
                NewProposal(
                    circle_id=circle_id,
                    kind=Kind.ADOPT,
                    text="We start on time.",
                    proposed_by=f"u{circle_id}-0",
                    settings=rules,
                    opened_at=now,
                    closes_at=now + timedelta(days=3),
                    remind_at=now + timedelta(days=2),
                    thread=None,
                )
            )
            room = RoomRef(Platform.DISCORD, f"guild-{circle_id // 25}", f"channel-{circle_id}")
            message = MessageRef(room, f"p{proposal.id}", None)
            await repo.place(proposal.id, proposal.version, ThreadRef(room, message.id), message)
            ids.append(proposal.id)
    finally:
        await db.close()
    return ids


def storm_child(schema: str, proposals: list[int], members: int, tasks: int) -> dict[str, Any]:
    """Every member of each given proposal's circle votes once, ``tasks`` votes at a time."""
    from cogs.agreements.ballots import Choice
    from cogs.agreements.model import VoteStatus
    from cogs.agreements.votes_repo import VotesRepo

    async def run() -> dict[str, Any]:
        db = await Database.open(url_for(schema, tasks), owners())
        repo = VotesRepo(db)
        # Circle id == proposal's circle: the proposals were opened in circles 1..n in order.
        circle_of = {
            int(r[0]): int(r[1])
            for r in await db.fetchall("SELECT id, circle_id FROM agreement_proposals")
        }
        votes = [
            (p, f"u{circle_of[p]}-{m}", Choice.CONCERN if m % 5 == 0 else Choice.CONSENT)
            for m in range(members)
            for p in proposals
        ]
        queue: asyncio.Queue[tuple[int, str, Choice]] = asyncio.Queue()
        for vote in votes:
            queue.put_nowait(vote)
        counted = 0
        everyone = 0

        async def worker() -> None:
            nonlocal counted, everyone
            while not queue.empty():
                proposal, member, choice = queue.get_nowait()
                change = await repo.add_reaction(proposal, f"p{proposal}", member, choice)
                counted += change.status is VoteStatus.COUNTED
                everyone += change.everyone_voted

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(tasks)))
        elapsed = time.perf_counter() - started
        await db.close()
        return {"votes": len(votes), "counted": counted, "everyone": everyone, "seconds": elapsed}

    return asyncio.run(run())


def children(role: str, count: int, args: list[str]) -> list[dict[str, Any]]:
    """Run ``count`` copies of this script's ``role`` at once; read their JSON lines."""
    began = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--child", role, *args, str(i)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(count)
    ]
    out = []
    for proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"a {role} process failed ({proc.returncode})")
        seen = json.loads(stdout.strip().splitlines()[-1])
        seen["wall"] = time.perf_counter() - began  # from launch to exit, imports and all
        out.append(seen)
    return out


def child(argv: list[str]) -> None:
    role, schema = argv[0], argv[1]
    if role == "start":
        result = start_child(schema)
    else:
        share = json.loads(argv[2])
        result = storm_child(schema, share, int(argv[3]), int(argv[4]))
    sys.stdout.write(json.dumps(result) + "\n")


async def tally(schema: str, proposals: int, members: int) -> tuple[int, bool]:
    conn = await asyncpg.connect(SERVER, server_settings={"search_path": schema})
    try:
        rows = await conn.fetch(
            "SELECT proposal_id, COUNT(*) FROM agreement_reactions GROUP BY proposal_id"
        )
    finally:
        await conn.close()
    total = sum(int(r[1]) for r in rows)
    return total, len(rows) == proposals and all(int(r[1]) == members for r in rows)


async def drop(schema: str) -> None:
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    finally:
        await conn.close()


async def make(schema: str) -> None:
    conn = await asyncpg.connect(SERVER)
    try:
        await conn.execute(f'CREATE SCHEMA "{schema}"')
    finally:
        await conn.close()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--proposals", type=int, default=1_000)
    parser.add_argument("--tasks", type=int, default=20, help="votes in flight per process")
    parser.add_argument("--keep", action="store_true", help="keep the schema afterwards")
    args = parser.parse_args()
    schema = f"ck_bench_{secrets.token_hex(4)}"
    asyncio.run(make(schema))
    try:
        seconds = asyncio.run(load(schema, args.circles, args.members))
        total = args.circles * args.members
        print(f"loaded {args.circles:,} circles with {total:,} members by COPY in {seconds:.1f} s")

        started = children("start", args.processes, [schema])
        for i, seen in enumerate(started):
            print(
                f"process {i}: App ready on PostgreSQL in {seen['ready']:.2f} s "
                f"(launch to exit {seen['wall']:.2f} s), peak RSS {seen['rss_mb']:.0f} MB "
                "(target <= 5 s, <= 300 MB)"
            )

        ids = asyncio.run(prepare_storm(schema, args.proposals))
        shares = [ids[i :: args.processes] for i in range(args.processes)]
        began = time.perf_counter()
        storms = _storms(schema, shares, args.members, args.tasks)
        wall = time.perf_counter() - began
        votes = sum(s["votes"] for s in storms)
        counted = sum(s["counted"] for s in storms)
        everyone = sum(s["everyone"] for s in storms)
        slowest = max(s["seconds"] for s in storms)
        rows, exact = asyncio.run(tally(schema, args.proposals, args.members))
        print(
            f"reaction storm: {votes:,} votes over {args.proposals:,} proposals from "
            f"{args.processes} processes x {args.tasks} in flight: {votes / slowest:,.0f} votes/s "
            f"(target >= 2,000; {slowest:.2f} s voting, {wall:.2f} s with process start)"
        )
        print(
            f"tally: {counted:,} counted of {votes:,}, {rows:,} reaction rows, turnout completed "
            f"{everyone:,} times for {args.proposals:,} proposals: "
            + (
                "exact"
                if counted == votes == rows and everyone == args.proposals and exact
                else "NOT EXACT"
            )
        )
    finally:
        if not args.keep:
            asyncio.run(drop(schema))


def _storms(schema: str, shares: list[list[int]], members: int, tasks: int) -> list[dict[str, Any]]:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--child",
                "storm",
                schema,
                json.dumps(share),
                str(members),
                str(tasks),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for share in shares
    ]
    out = []
    for proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode:
            raise SystemExit(f"a storm process failed ({proc.returncode})")
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


if __name__ == "__main__":
    main()
