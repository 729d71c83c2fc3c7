"""Benchmark: three shard processes over one PostgreSQL, and 10,000 prompts due in one minute.

1. Loads 100,000 circles with 2,000,000 members (bench/storage_pg.py's loader, COPY), then
   gives each circle's server a real Discord snowflake, so that Discord's formula spreads the
   servers over the shards, and adds a prompt schedule to 10,000 circles, all due at the
   same minute.
2. Starts 3 processes at once, each with ``discord.shards = "<n>"`` of ``shard_count = 3``
   (the Discord connection itself left out: a recording Chat stands in for it), and prints for
   each its time to ready, its peak RSS, and how many prompt timers it armed: only those of
   the circles on its shard.
3. Waits out the minute and prints, per process and in all, how many prompts were posted and
   how late (p50, p99, max); then checks in the store that every prompt was posted exactly
   once (one posted run per schedule, and one post each in what the processes said).

    .venv/bin/python bench/shards.py [--circles 100000] [--members 20] [--prompts 10000] [--pool 10]

PostgreSQL comes from CIRCLEKEEPER_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test);
the schema is dropped at the end (keep it with --keep).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from storage_pg import SERVER, drop, load, make, url_for  # noqa: E402

from bot.app import open_app  # noqa: E402
from bot.chat import (  # noqa: E402
    Destination,
    MemberRef,
    MessageRef,
    Platform,
    Reactions,
    RoomRef,
    ThreadRef,
    ThreadStart,
    room_of,
)
from bot.config import Config, DiscordConfig, StorageConfig  # noqa: E402

PROCESSES = 3
GUILD_BASE = 1_300_000_000_000  # a millisecond stamp of 2021; a guild per 25 circles above it
LEAD = timedelta(seconds=45)  # the prompts fall due at the first whole minute after this


class RecordingChat:
    """Discord as the runner sees it, minus the network: every post is noted with its time."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, float]] = []  # (room id, wall time)
        self._n = 0

    def _ref(self, where: Destination) -> MessageRef:
        self._n += 1
        thread = where if isinstance(where, ThreadRef) else None
        return MessageRef(room_of(where), str(self._n), thread)

    async def send(self, where: Destination, text: str) -> MessageRef:
        self.posts.append((room_of(where).id, time.time()))
        return self._ref(where)

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        self.posts.append((room.id, time.time()))
        message = self._ref(room)
        return ThreadStart(message, ThreadRef(room, f"t{message.id}"))

    async def react(self, message: MessageRef, key: str) -> None:
        return None

    async def edit(self, message: MessageRef, text: str) -> None:
        return None

    async def pin(self, message: MessageRef) -> None:
        return None

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        return self._ref(RoomRef(member.platform, "", f"dm-{member.id}"))

    async def reactions(self, message: MessageRef) -> Reactions:
        return Reactions()

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool:
        return False

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        return member.id

    def command_prefix(self, platform: Platform) -> str:
        return "/"

    def member_handle(self, member: MemberRef) -> str:
        return member.id


async def prepare(schema: str, prompts: int, circles: int) -> datetime:
    """Real snowflakes for the servers, and ``prompts`` schedules due at one minute."""
    conn = await asyncpg.connect(SERVER, server_settings={"search_path": schema})
    try:
        await conn.execute(
            "UPDATE circles SET space_id = ((($1::bigint + id / 25)) << 22)::text", GUILD_BASE
        )
        due = (datetime.now(UTC) + LEAD + timedelta(minutes=1)).replace(second=0, microsecond=0)
        rule = f"daily {due:%H:%M}"
        stamp = due.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        step = max(circles // prompts, 1)
        await conn.copy_records_to_table(
            "reflection_schedules",
            columns=[
                "circle_id",
                "kind",
                "form",
                "rule",
                "time_zone",
                "deck_id",
                "next_due",
                "created_at",
            ],
            records=(
                (1 + n * step, "prompt", rule, rule, "UTC", "ips", stamp, stamp)
                for n in range(prompts)
            ),
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return due


def shard_child(schema: str, shard: int, due_iso: str, pool: int) -> dict[str, Any]:
    """In a fresh interpreter: run shard ``shard`` of 3 until the prompts are out, report."""
    began = time.perf_counter()
    due = datetime.fromisoformat(due_iso)

    async def run() -> dict[str, Any]:
        data_dir = tempfile.mkdtemp(prefix="ck-bench-shards-")
        config = Config(
            storage=StorageConfig(url=url_for(schema, pool)),
            data_dir=data_dir,
            discord=DiscordConfig(shards=str(shard), shard_count=PROCESSES),
        )
        chat = RecordingChat()
        opened = time.perf_counter()
        async with open_app(config) as app:
            app.hub.register(Platform.DISCORD, chat)
            await app.start()
            ready = time.perf_counter() - opened
            rss_ready = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            armed = sum(1 for job, _ in app.scheduler.pending() if job.startswith("reflections:"))
            elsewhere = app.scheduler.elsewhere
            # Wait for the minute, then until the posts stop coming.
            await asyncio.sleep(max((due - datetime.now(UTC)).total_seconds(), 0))
            seen = -1
            while seen != len(chat.posts) or len(chat.posts) < armed:
                seen = len(chat.posts)
                await asyncio.sleep(2.0)
                if datetime.now(UTC) > due + timedelta(minutes=3):
                    break
            await app.stop()
        return {
            "shard": shard,
            "ready": ready,
            "rss_ready_mb": rss_ready,
            "armed": armed,
            "elsewhere": elsewhere,
            "posts": chat.posts,
        }

    out = asyncio.run(run())
    out["process"] = time.perf_counter() - began
    out["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


async def check(schema: str) -> tuple[int, int, int]:
    """(schedules, schedules posted exactly once, runs posted) as the store has them."""
    conn = await asyncpg.connect(SERVER, server_settings={"search_path": schema})
    try:
        schedules = await conn.fetchval("SELECT COUNT(*) FROM reflection_schedules")
        once = await conn.fetchval(
            "SELECT COUNT(*) FROM (SELECT schedule_id FROM reflection_runs WHERE outcome = 'posted'"
            " GROUP BY schedule_id HAVING COUNT(*) = 1) s"
        )
        runs = await conn.fetchval("SELECT COUNT(*) FROM reflection_runs WHERE outcome = 'posted'")
    finally:
        await conn.close()
    return int(schedules), int(once), int(runs)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        schema, shard, due, pool = sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
        print(json.dumps(shard_child(schema, shard, due, pool)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--prompts", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=10, help="connections per process")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    schema = f"ck_bench_shards_{secrets.token_hex(4)}"
    asyncio.run(make(schema))
    try:
        loaded = asyncio.run(load(schema, args.circles, args.members))
        print(
            f"loaded {args.circles:,} circles / {args.circles * args.members:,} members "
            f"in {loaded:.1f} s"
        )
        due = asyncio.run(prepare(schema, args.prompts, args.circles))
        print(f"{args.prompts:,} prompts due at {due:%H:%M:%S} UTC; starting {PROCESSES} processes")
        children = [
            subprocess.Popen(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    schema,
                    str(n),
                    due.isoformat(),
                    str(args.pool),
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            for n in range(PROCESSES)
        ]
        results = []
        for child in children:
            out, _ = child.communicate()
            if child.returncode != 0:
                raise SystemExit(f"a shard process failed ({child.returncode})")
            results.append(json.loads(out))
        lateness: list[float] = []
        rooms: list[str] = []
        for r in sorted(results, key=lambda r: int(r["shard"])):
            late = [at - due.timestamp() for _, at in r["posts"]]
            lateness += late
            rooms += [room for room, _ in r["posts"]]
            print(
                f"shard {r['shard']}: ready in {r['ready']:.2f} s (process {r['process']:.2f} s), "
                f"RSS {r['rss_ready_mb']:.0f} MB at ready / {r['rss_mb']:.0f} MB peak; "
                f"armed {r['armed']:,} prompt timers, left {r['elsewhere']:,} to the others; "
                f"posted {len(late):,}, p99 {quantile(late, 0.99):.2f} s late"
            )
        schedules, once, runs = asyncio.run(check(schema))
        print(
            f"in all: {len(lateness):,} posts for {schedules:,} schedules; lateness p50 "
            f"{quantile(lateness, 0.5):.2f} s, p99 {quantile(lateness, 0.99):.2f} s, "
            f"max {max(lateness, default=float('nan')):.2f} s"
        )
        exact = len(rooms) == len(set(rooms)) == schedules == once == runs
        print(
            f"exactly once: {'yes' if exact else 'NO'} ({once:,} schedules posted once, "
            f"{runs:,} posted runs, {len(set(rooms)):,} distinct rooms posted to)"
        )
        if not exact:
            raise SystemExit(1)
    finally:
        if not args.keep:
            asyncio.run(drop(schema))


if __name__ == "__main__":
    main()
