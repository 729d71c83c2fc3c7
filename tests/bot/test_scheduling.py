"""The scheduler: timers keyed by stable ids, fired by run_due on a manual clock or by APScheduler."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from bot.clock import ManualClock, OffsetClock, SystemClock
from bot.scheduling import Scheduler


async def test_due_timers_fire_in_time_order_once() -> None:
    """run_due fires what is due, earliest first, and each timer only once."""
    clock = ManualClock()
    scheduler = Scheduler(clock, real_time=False)
    fired: list[str] = []

    def record(name: str) -> Callable[[datetime], Awaitable[None]]:
        async def callback(_: datetime) -> None:
            fired.append(name)

        return callback

    scheduler.at("b", clock.now() + timedelta(minutes=2), record("b"))
    scheduler.at("a", clock.now() + timedelta(minutes=1), record("a"))
    scheduler.at("c", clock.now() + timedelta(hours=1), record("c"))
    assert await scheduler.run_due() == 0
    clock.advance(timedelta(minutes=5))
    assert await scheduler.run_due() == 2
    assert await scheduler.run_due() == 0
    assert fired == ["a", "b"]
    assert scheduler.pending() == [("c", clock.now() + timedelta(minutes=55))]


async def test_rearming_a_stable_id_replaces_the_timer() -> None:
    """Arming the same id again moves it instead of adding a second one."""
    clock = ManualClock()
    scheduler = Scheduler(clock, real_time=False)
    fired: list[datetime] = []

    async def callback(due: datetime) -> None:
        fired.append(due)

    scheduler.at("job", clock.now() + timedelta(minutes=1), callback)
    scheduler.at("job", clock.now() + timedelta(minutes=3), callback)
    clock.advance(timedelta(minutes=10))
    await scheduler.run_due()
    assert fired == [clock.now() - timedelta(minutes=7)]


async def test_a_failing_callback_does_not_stop_the_others() -> None:
    """One timer raising is logged; the next still fires."""
    clock = ManualClock()
    scheduler = Scheduler(clock, real_time=False)
    fired: list[str] = []

    async def broken(_: datetime) -> None:
        raise RuntimeError("boom")

    async def fine(_: datetime) -> None:
        fired.append("fine")

    scheduler.at("a", clock.now(), broken)
    scheduler.at("b", clock.now(), fine)
    await scheduler.run_due()
    assert fired == ["fine"]


async def test_apscheduler_wakes_a_due_timer_on_the_real_clock() -> None:
    """With the real clock, APScheduler fires the callback by itself (no run_due)."""
    scheduler = Scheduler(SystemClock(), real_time=True)
    woke = asyncio.Event()

    async def callback(_: datetime) -> None:
        woke.set()

    await scheduler.start()
    try:
        scheduler.at("now", SystemClock().now(), callback)
        await asyncio.wait_for(woke.wait(), timeout=5)
        assert len(scheduler) == 0
    finally:
        await scheduler.shutdown()


async def test_the_alarm_clock_and_run_due_never_fire_side_by_side() -> None:
    """After a jump on the sandbox clock, APScheduler and run_due both wake: the due timers
    still fire one at a time, earliest first, and each once."""
    clock = OffsetClock()
    scheduler = Scheduler(clock, real_time=True)
    happened: list[str] = []

    def slow(name: str) -> Callable[[datetime], Awaitable[None]]:
        async def callback(_: datetime) -> None:
            happened.append(f"{name} starts")
            await asyncio.sleep(0.05)
            happened.append(f"{name} ends")

        return callback

    await scheduler.start()
    try:
        scheduler.at("remind", clock.now() + timedelta(hours=1), slow("remind"))
        scheduler.at("close", clock.now() + timedelta(hours=2), slow("close"))
        clock.advance(timedelta(hours=3))
        scheduler.rearm_all()
        await scheduler.run_due()
        await asyncio.sleep(0.3)  # room for any late wake-up of the alarm clock
    finally:
        await scheduler.shutdown()
    assert happened == ["remind starts", "remind ends", "close starts", "close ends"]
    assert len(scheduler) == 0


async def test_an_owner_arms_and_cancels_only_its_own_timers() -> None:
    """Two namespaces may use the same key; cancelling all of one leaves the other armed."""
    clock = ManualClock()
    scheduler = Scheduler(clock, real_time=False)
    rounds, rooms = scheduler.namespace("round"), scheduler.namespace("rounds")

    async def nothing(_: datetime) -> None:
        return None

    rounds.at("7", clock.now() + timedelta(minutes=1), nothing)
    rooms.at("7", clock.now() + timedelta(minutes=2), nothing)
    assert [job for job, _ in scheduler.pending()] == ["round:7", "rounds:7"]
    assert rooms.when("7") == clock.now() + timedelta(minutes=2)
    rounds.cancel_all()
    assert [job for job, _ in scheduler.pending()] == ["rounds:7"]
    rooms.cancel("7")
    assert scheduler.pending() == []


def test_a_namespace_is_one_word_and_has_one_owner() -> None:
    """A second owner can't take a namespace, and a name can't smuggle in the separator."""
    scheduler = Scheduler(ManualClock(), real_time=False)
    scheduler.namespace("agreements")
    for taken in ("agreements", "agreements:close", ""):
        with pytest.raises(ValueError, match="namespace"):
            scheduler.namespace(taken)
