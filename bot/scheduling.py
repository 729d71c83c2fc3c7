"""Timers: APScheduler 3.x as the alarm clock, our own registry as the truth in memory.

Cogs keep what must happen in the database and re-arm their timers from it on start, with
stable keys (``"close:42"``), so a restart neither loses nor doubles a timer. Each owner arms
its timers through its own handle, ``scheduler.namespace("agreements")``: its keys can never
meet another owner's, and stopping cancels exactly its own. The
scheduler only wakes a callback at the right moment; deciding whether the work is still due
(and claiming it, at most once) is the cog's job, inside a database transaction.

With the real clock, each timer is an APScheduler ``DateTrigger`` job. With a manual clock
(tests, the demo) nothing runs by itself: ``run_due()`` fires whatever is due at the clock's
``now()``, so tests never sleep.

``run_due()`` fires what is due one at a time, earliest first, and APScheduler never fires
beside it: after the sandbox's clock jumps both wake at once, and without that a proposal's
close could run beside its reminder in either order, so two twins could end differently. On
its own, APScheduler wakes timers side by side (a thousand prompts due at one instant post
together); cogs guard what must not overlap with their own locks.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot import metrics
from bot.chat import SpaceRef
from bot.clock import Clock, ensure_utc
from bot.ownership import Ownership

log = logging.getLogger(__name__)

# APScheduler's own misfire rule would silently drop a job that wakes too late (say, after the
# machine slept). We always want the wake-up; the cogs apply their stated rules to lateness.
MISFIRE_GRACE_SECONDS = 7 * 24 * 3600
# APScheduler may wake a hair early; a timer this close to due counts as due.
EARLY_WAKE = timedelta(milliseconds=5)

Callback = Callable[[datetime], Awaitable[None]]


@dataclass(slots=True)
class Timer:
    job_id: str
    when: datetime
    callback: Callback


class Timers:
    """One owner's timers, by its own keys (``"schedule:7"``); the job id is ``name:key``."""

    def __init__(self, scheduler: Scheduler, name: str) -> None:
        self._scheduler = scheduler
        self.name = name
        self._prefix = f"{name}:"

    def job_id(self, key: str) -> str:
        return self._prefix + key

    def at(
        self, key: str, when: datetime, callback: Callback, *, space: SpaceRef | None = None
    ) -> None:
        """Arm (or re-arm) this owner's timer ``key`` for ``when``. ``space``: the circle's
        space, where the timer is re-armed from the database rather than by a command or an
        event; in a process that doesn't own that space (``bot/ownership.py``) the timer is
        left to the process that does."""
        if space is not None and not self._scheduler.ownership.is_local(space):
            self._scheduler.cancel(self.job_id(key))
            self._scheduler.elsewhere += 1
            return
        self._scheduler.at(self.job_id(key), when, callback)

    def owns(self, space: SpaceRef) -> bool:
        """Does this process run the timers of circles in ``space``?"""
        return self._scheduler.ownership.is_local(space)

    def cancel(self, key: str) -> None:
        self._scheduler.cancel(self.job_id(key))

    def when(self, key: str) -> datetime | None:
        return self._scheduler.when(self.job_id(key))

    def cancel_all(self) -> None:
        """Cancel every timer of this owner (on stop), and no one else's."""
        self._scheduler.cancel_where(lambda job_id: job_id.startswith(self._prefix))


class Scheduler:
    def __init__(
        self, clock: Clock, *, real_time: bool = True, ownership: Ownership | None = None
    ) -> None:
        self._clock = clock
        self.ownership = ownership or Ownership.everything()
        self.elsewhere = 0  # timers left to the process that owns their circle
        self._real_time = real_time
        self._timers: dict[str, Timer] = {}
        # (when, job id, sequence, timer), earliest first. Entries for timers cancelled or
        # re-armed since stay until they surface (or until the heap is rebuilt); ``_timers``
        # stays the truth, so a stale entry never fires.
        self._queue: list[tuple[datetime, str, int, Timer]] = []
        self._sequence = itertools.count()
        self._aps: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[None]] = set()
        self._firing = asyncio.Lock()  # held by run_due while it fires, and while a wake-up picks
        self._namespaces: set[str] = set()

    # lifecycle

    async def start(self) -> None:
        if not self._real_time or self._aps is not None:
            return
        self._aps = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        )
        for timer in self._timers.values():
            self._arm(timer)
        self._aps.start()

    async def shutdown(self) -> None:
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            self._aps = None
        for task in list(self._running):
            task.cancel()
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    @property
    def state(self) -> str:
        """``running`` (the alarm clock is on), ``stopped``, or ``manual`` (a manual clock:
        timers fire only when ``run_due`` is called, as in tests and the demo)."""
        if not self._real_time:
            return "manual"
        return "running" if self._aps is not None and self._aps.running else "stopped"

    # timers

    def at(self, job_id: str, when: datetime, callback: Callback) -> None:
        """Arm (or re-arm) the timer ``job_id`` for ``when``."""
        timer = Timer(job_id, ensure_utc(when), callback)
        self._timers[job_id] = timer
        if len(self._queue) > 2 * len(self._timers) + 1024:
            self._rebuild_queue()
        heapq.heappush(self._queue, (timer.when, job_id, next(self._sequence), timer))
        self._arm(timer)

    def cancel(self, job_id: str) -> None:
        if self._timers.pop(job_id, None) is not None and self._aps is not None:
            with contextlib.suppress(JobLookupError):
                self._aps.remove_job(job_id)

    def namespace(self, name: str) -> Timers:
        """The handle through which one owner (a feature, say) arms its timers."""
        if not name or ":" in name:
            raise ValueError(f"a timer namespace is one word without ':', not {name!r}")
        if name in self._namespaces:
            raise ValueError(f"the timer namespace {name!r} is taken")
        self._namespaces.add(name)
        return Timers(self, name)

    def cancel_where(self, chosen: Callable[[str], bool]) -> None:
        for job_id in [j for j in self._timers if chosen(j)]:
            self.cancel(job_id)

    def when(self, job_id: str) -> datetime | None:
        timer = self._timers.get(job_id)
        return timer.when if timer else None

    def pending(self) -> list[tuple[str, datetime]]:
        return sorted(((t.job_id, t.when) for t in self._timers.values()), key=lambda p: p[1])

    def __len__(self) -> int:
        return len(self._timers)

    def rearm_all(self) -> None:
        """Recompute every wake-up (after the sandbox's clock jumped forward)."""
        for timer in self._timers.values():
            self._arm(timer)

    async def run_due(self) -> int:
        """Fire every timer due at ``clock.now()``, earliest first; return how many fired.

        Timers armed by a callback for a time already due fire in the same call. If the alarm
        clock is firing meanwhile, this waits for it, then fires what is still due.
        """
        async with self._firing:
            return await self._fire_due(timedelta())

    # internals

    async def _fire_due(self, slack: timedelta) -> int:
        """Fire due timers one by one, earliest first (the caller holds ``_firing``)."""
        fired = 0
        while self._queue:
            when, job_id, _, timer = self._queue[0]
            if when > self._clock.now() + slack:
                break
            heapq.heappop(self._queue)
            if self._timers.get(job_id) is not timer:
                continue  # cancelled or re-armed since this entry was queued
            self._take(timer)
            await self._call(timer)
            fired += 1
        return fired

    def _rebuild_queue(self) -> None:
        self._queue = [(t.when, t.job_id, next(self._sequence), t) for t in self._timers.values()]
        heapq.heapify(self._queue)

    def _arm(self, timer: Timer) -> None:
        if self._aps is None:
            return
        offset = self._clock.now() - datetime.now(UTC)
        wake = max(timer.when - offset, datetime.now(UTC))
        self._aps.add_job(
            self._wake,
            trigger=DateTrigger(run_date=wake, timezone=UTC),
            args=[timer.job_id],
            id=timer.job_id,
            replace_existing=True,
        )

    async def _wake(self, job_id: str) -> None:
        """APScheduler rang for ``job_id``. If ``run_due`` is firing, wait for it (it may have
        fired this timer already); then take the timer and run it, beside other wake-ups."""
        async with self._firing:
            timer = self._timers.get(job_id)
            if timer is None:
                return  # fired meanwhile, by run_due
            if timer.when > self._clock.now() + EARLY_WAKE:
                self._arm(timer)  # woke early (the clock moved); sleep again
                return
            self._take(timer)
        await self._call(timer)

    def _take(self, timer: Timer) -> None:
        """The timer is firing now: nothing else may fire it."""
        del self._timers[timer.job_id]
        if self._aps is not None:
            with contextlib.suppress(JobLookupError):
                self._aps.remove_job(timer.job_id)

    async def _call(self, timer: Timer) -> None:
        late = (self._clock.now() - timer.when).total_seconds()
        try:
            await timer.callback(timer.when)
        except Exception:
            log.exception("timer %s failed", timer.job_id)
            metrics.timer_fired(timer.job_id, late, failed=True)
        else:
            metrics.timer_fired(timer.job_id, late, failed=False)
