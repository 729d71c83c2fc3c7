"""The facts behind ``/healthz`` and the health page: the store, each platform, the timers.

Healthy means all three: the store answers a query, every attached platform says its
connection is up (and at least one is attached), and the scheduler runs with no timer stuck
far past its time. The same report feeds the JSON for machines and the page for people.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot import metrics
from bot.chat import Chat, Platform
from bot.clock import Clock, to_iso
from bot.scheduling import Scheduler
from bot.storage.database import Database

STORE_TIMEOUT = 2.0  # seconds the store may take to answer before it counts as unreachable
STUCK_AFTER = timedelta(minutes=5)  # a timer this far past due, not fired, means trouble


@dataclass(frozen=True, slots=True)
class StoreHealth:
    ok: bool
    size_bytes: int
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class PlatformHealth:
    platform: Platform
    connected: bool
    last_event: datetime | None  # wall clock


@dataclass(frozen=True, slots=True)
class SchedulerHealth:
    ok: bool
    state: str  # running, stopped, or manual (tests and the demo: timers fire when told)
    timers: int
    overdue: int  # timers more than STUCK_AFTER past due
    jobs: tuple[tuple[str, int, datetime | None], ...] = ()  # per owner: how many, the next


@dataclass(frozen=True, slots=True)
class Health:
    store: StoreHealth
    platforms: tuple[PlatformHealth, ...]
    scheduler: SchedulerHealth
    checked_at: datetime

    @property
    def platforms_ok(self) -> bool:
        return bool(self.platforms) and all(p.connected for p in self.platforms)

    @property
    def ok(self) -> bool:
        return self.store.ok and self.platforms_ok and self.scheduler.ok

    def as_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "checked_at": to_iso(self.checked_at),
            "store": {
                "ok": self.store.ok,
                "size_bytes": self.store.size_bytes,
                **({"problem": self.store.problem} if self.store.problem else {}),
            },
            "platforms": {
                p.platform.value: {
                    "connected": p.connected,
                    "last_event": to_iso(p.last_event) if p.last_event else None,
                }
                for p in self.platforms
            },
            "scheduler": {
                "ok": self.scheduler.ok,
                "state": self.scheduler.state,
                "timers": self.scheduler.timers,
                "overdue": self.scheduler.overdue,
                "jobs": {
                    owner: {"timers": n, "next": to_iso(at) if at else None}
                    for owner, n, at in self.scheduler.jobs
                },
            },
        }


class HealthCheck:
    def __init__(
        self,
        db: Database,
        platforms: Callable[[], Mapping[Platform, Chat]],
        scheduler: Scheduler,
        clock: Clock,
    ) -> None:
        self._db = db
        self._platforms = platforms  # the platforms attached right now
        self._scheduler = scheduler
        self._clock = clock

    async def check(self) -> Health:
        return Health(
            store=await self._store(),
            platforms=self._platform_health(self._platforms()),
            scheduler=self._scheduler_health(),
            checked_at=datetime.now(UTC),
        )

    async def _store(self) -> StoreHealth:
        size = _store_size(self._db.path if self._db.backend == "sqlite" else None)
        try:
            await asyncio.wait_for(self._db.fetchval("SELECT 1"), STORE_TIMEOUT)
        except TimeoutError:
            return StoreHealth(False, size, f"no answer within {STORE_TIMEOUT:g} s")
        except Exception as error:
            return StoreHealth(False, size, type(error).__name__)
        return StoreHealth(True, size)

    def _platform_health(self, platforms: Mapping[Platform, Chat]) -> tuple[PlatformHealth, ...]:
        families = metrics.live()
        out = []
        for platform in sorted(platforms, key=lambda p: p.value):
            connected, last = True, None
            if families is not None:
                said = [c for (p, _), c in families.connections.items() if p == platform.value]
                connected = all(c.up for c in said)
                seen = [t for (p, _), t in families.last_event_at.items() if p == platform.value]
                if seen:
                    last = datetime.fromtimestamp(max(seen), UTC)
            out.append(PlatformHealth(platform, connected, last))
        return tuple(out)

    def _scheduler_health(self) -> SchedulerHealth:
        state = self._scheduler.state
        pending = self._scheduler.pending()
        overdue = 0
        if state == "running":
            late = self._clock.now() - STUCK_AFTER
            overdue = sum(1 for _, when in pending if when < late)
        ok = state in ("running", "manual") and overdue == 0
        owners: dict[str, list[datetime]] = {}
        for key, when in pending:
            owners.setdefault(str(key).split(":", 1)[0], []).append(when)
        jobs = tuple((owner, len(w), min(w)) for owner, w in sorted(owners.items()))
        return SchedulerHealth(ok, state, len(pending), overdue, jobs)


def _store_size(path: Path | None) -> int:
    """The SQLite file's size with its WAL (0 for PostgreSQL, whose size is the server's)."""
    total = 0
    if path is None:
        return total
    for suffix in ("", "-wal"):
        try:
            total += Path(f"{path}{suffix}").stat().st_size
        except OSError:
            continue
    return total


def age(moment: datetime | None, *, now: float | None = None) -> str:
    """How long ago, in a few plain words: "just now", "4 minutes ago"."""
    if moment is None:
        return "nothing yet"
    seconds = int((now if now is not None else time.time()) - moment.timestamp())
    if seconds < 10:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"
