"""Benchmark: 10,000 circles with 20 members each, created through the command router.

Every operation goes the whole way a person's command goes (parsing aside): option checks,
circle lookup, the permission check, the cog, the repository and a committed SQLite
transaction on a real file. Then it measures how long `circlekeeper run` takes to start on
that database and its peak memory.

    .venv/bin/python bench/circles.py [--circles 10000] [--members 20]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.app import open_app
from bot.chat import MemberRef, Platform, RoomRef, Visibility
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter


class Counter:
    """A replier that only counts (the bench measures the bot, not a terminal)."""

    def __init__(self) -> None:
        self.replies = 0
        self.refusals: list[str] = []

    async def reply(self, text: str, visibility: Visibility) -> None:
        self.replies += 1
        if visibility is Visibility.PERSONAL and "Welcome" not in text:
            self.refusals.append(text)

    async def acknowledge(self) -> None:
        self.replies += 1


async def build(data_dir: Path, circles: int, members: int) -> tuple[int, float]:
    config = Config(data_dir=str(data_dir), local=LocalConfig(moderators=("mod",)))
    async with open_app(config) as app:
        adapter = LocalAdapter(app, config.local, out=None, banner=False)
        await app.attach(adapter)
        await app.start()
        counter = Counter()
        operations = 0
        started = time.perf_counter()
        for i in range(circles):
            room = RoomRef(Platform.LOCAL, "sandbox", f"room-{i}")
            await app.router.run(
                ("circle", "create"),
                {"name": f"Circle {i}", "capacity": str(members + 5)},
                invoker=MemberRef(Platform.LOCAL, "mod"),
                room=room,
                thread=None,
                replier=counter,
                prefix="/",
            )
            operations += 1
            for m in range(members - 1):
                await app.router.run(
                    ("circle", "join"),
                    {},
                    invoker=MemberRef(Platform.LOCAL, f"member-{i}-{m}"),
                    room=room,
                    thread=None,
                    replier=counter,
                    prefix="/",
                )
                operations += 1
            adapter.transcript.lines.clear()  # the welcomes printed to nowhere; drop them
        elapsed = time.perf_counter() - started
        if counter.refusals:
            raise SystemExit(f"unexpected refusals, e.g. {counter.refusals[0]!r}")
        count = await app.db.fetchval("SELECT COUNT(*) FROM circle_members")
        if count != circles * members:
            raise SystemExit(f"expected {circles * members} memberships, found {count}")
    return operations, elapsed


def measure_run(data_dir: Path) -> tuple[float, float, float]:
    """Start `circlekeeper run` on the database, quit at once; return (ready s, wall s, peak MB)."""
    config = data_dir.parent / "bench.toml"
    config.write_text(f'data_dir = "{data_dir}"\nlog_level = "info"\n', encoding="utf-8")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        input=":quit\n",
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    log = (data_dir / "circlekeeper.log").read_text(encoding="utf-8")
    ready = float(re.findall(r"ready in ([0-9.]+) s", log)[-1])
    return ready, wall, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-bench-") as folder:
        data_dir = Path(folder) / "data"
        operations, elapsed = asyncio.run(build(data_dir, args.circles, args.members))
        size_mb = (data_dir / "circlekeeper.db").stat().st_size / 1e6
        print(f"circles: {args.circles:,} with {args.members} members each")
        print(f"operations: {operations:,} in {elapsed:.1f} s = {operations / elapsed:,.0f} ops/s")
        print(f"database: {size_mb:.1f} MB")
        ready, wall, peak = measure_run(data_dir)
        print(
            f"`circlekeeper run` start-up: ready after {ready:.2f} s (target <= 2 s); whole process {wall:.2f} s"
        )
        print(f"`circlekeeper run` peak RSS: {peak:.0f} MB (target <= 150 MB)")


if __name__ == "__main__":
    main()
