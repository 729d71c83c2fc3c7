"""Benchmark: reflection schedules at scale.

1. 10,000 circles with one prompt schedule each. How long `circlekeeper run` takes to start on
   that database (re-arming every schedule's timer is part of it), and its peak memory.
2. 1,000 prompts due in the same minute (all at its start), posted to the local platform by the real alarm clock
   (APScheduler on the system clock): how late each post is, p50 and p99.

The data is written straight into the tables for speed; what is timed is the real start-up
and posting path.

    .venv/bin/python bench/reflections.py [--circles 10000] [--due 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import open_app
from bot.chat import RoomRef, ThreadStart
from bot.clock import to_iso
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter, LocalChat, Transcript
from cogs.reflections.timing import next_after, parse_form

CIRCLE_ROW = (
    "INSERT INTO circles (platform, space_id, room_id, name, name_key, capacity, time_zone, holder_id, "
    "created_by, created_at) VALUES ('local', 'sandbox', ?, ?, ?, 12, ?, 'mod', 'mod', ?)"
)
SCHEDULE_ROW = (
    "INSERT INTO reflection_schedules (circle_id, kind, form, rule, deck_id, next_due, created_by, created_at) "
    "VALUES (?, 'prompt', ?, ?, 'ips', ?, 'mod', ?)"
)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")


async def fill(data_dir: Path, circles: int, due: datetime | None) -> None:
    """Write ``circles`` circles with one daily prompt schedule each, in a few time zones. With
    ``due`` (a whole minute), every schedule's daily time is that instant on its circle's clock;
    otherwise the times are spread over the day."""
    config = Config(data_dir=str(data_dir))
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with open_app(config) as app:
        async with app.db.transaction() as tx:
            await tx.executemany(
                CIRCLE_ROW,
                [
                    (f"room-{i}", f"Circle {i}", f"circle {i}", ZONES[i % len(ZONES)], to_iso(now))
                    for i in range(circles)
                ],
            )
        rows = []
        for i in range(circles):
            zone = ZoneInfo(ZONES[i % len(ZONES)])
            if due is None:
                hour, minute = rng.randrange(24), rng.randrange(60)
            else:
                local = due.astimezone(zone)
                hour, minute = local.hour, local.minute
            form = f"daily {hour:02d}:{minute:02d}"
            rule = parse_form(form, today=now.astimezone(zone).date())
            next_due = due or next_after(rule, zone, now)
            if next_due is None:
                raise SystemExit(f"{form} has no next time")
            rows.append((i + 1, form, rule.canonical, to_iso(next_due), to_iso(now)))
        async with app.db.transaction() as tx:
            await tx.executemany(SCHEDULE_ROW, rows)


def measure_start(data_dir: Path) -> tuple[float, float, float, int]:
    """Start `circlekeeper run` on the database and quit; (ready s, re-arm s, peak MB, timers)."""
    config = data_dir.parent / "bench.toml"
    config.write_text(f'data_dir = "{data_dir}"\nlog_level = "info"\n', encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(config)],
        input=":quit\n",
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    log = (data_dir / "circlekeeper.log").read_text(encoding="utf-8")
    ready = float(re.findall(r"ready in ([0-9.]+) s", log)[-1])
    rearm = re.findall(r"reflections: (\d+) schedule timers re-armed in ([0-9.]+) s", log)[-1]
    return ready, float(rearm[1]), peak_mb, int(rearm[0])


class TimedChat(LocalChat):
    """The local platform, noting the wall-clock moment each prompt thread opens."""

    def __init__(self, config: LocalConfig, expected: int) -> None:
        super().__init__(Transcript(None), config)
        self.opened: list[float] = []
        self.expected = expected
        self.all_opened = asyncio.Event()

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        self.opened.append(time.time())
        if len(self.opened) >= self.expected:
            self.all_opened.set()
        return await super().open_thread(room, title, text)


async def measure_lateness(data_dir: Path, count: int) -> tuple[list[float], float]:
    """Post ``count`` prompts due at one instant; return each one's lateness (s) and the total time."""
    # the next whole minute at least five seconds away: cron times are on the minute
    due = (datetime.now(UTC) + timedelta(seconds=65)).replace(second=0, microsecond=0)
    await fill(data_dir, count, due)
    config = Config(data_dir=str(data_dir), local=LocalConfig(moderators=("mod",)))
    chat = TimedChat(config.local, count)
    async with open_app(config) as app:  # the system clock: APScheduler rings the alarms
        await app.attach(LocalAdapter(app, config.local, out=None, banner=False, chat=chat))
        await app.start()
        await asyncio.wait_for(chat.all_opened.wait(), timeout=120)
        await asyncio.sleep(0.5)  # let the last posts be confirmed in the log
        posted = await app.db.fetchval(
            "SELECT COUNT(*) FROM reflection_runs WHERE outcome = 'posted'"
        )
    if posted != count or len(chat.opened) != count:
        raise SystemExit(
            f"expected {count} posts, saw {len(chat.opened)} threads and {posted} logged"
        )
    target = due.timestamp()
    late = sorted(t - target for t in chat.opened)
    return late, late[-1] - late[0]


def percentile(sorted_values: list[float], share: float) -> float:
    index = min(len(sorted_values) - 1, max(0, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=10_000)
    parser.add_argument("--due", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ck-bench-reflections-") as folder:
        data_dir = Path(folder) / "start" / "data"
        started = time.perf_counter()
        asyncio.run(fill(data_dir, args.circles, None))
        print(
            f"setup: {args.circles:,} circles with one schedule each, written in {time.perf_counter() - started:.1f} s"
        )
        ready, rearm, peak, timers = measure_start(data_dir)
        print(
            f"`circlekeeper run` start-up: ready after {ready:.2f} s (target <= 3 s), of which re-arming {timers:,} schedule timers {rearm:.2f} s"
        )
        print(f"`circlekeeper run` peak RSS: {peak:.0f} MB (target <= 200 MB)")
        late, spread = asyncio.run(measure_lateness(Path(folder) / "due" / "data", args.due))
        print(
            f"{args.due:,} prompts due at one instant, posted to the local platform: "
            f"lateness p50 {statistics.median(late):.3f} s, p99 {percentile(late, 0.99):.3f} s (target <= 2 s), "
            f"max {late[-1]:.3f} s; all posted within {spread:.2f} s of the first"
        )


if __name__ == "__main__":
    main()
