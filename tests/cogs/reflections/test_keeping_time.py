"""Timers keep their word: after a time-zone change, a clock jump or downtime, what `schedule
list` promises is what happens, and two prompts never land together."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import open_app
from bot.clock import OffsetClock
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter
from tests.cogs.reflections.support import table, thread_titles, walk
from tests.sandbox import Sandbox, make_circle

HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hand_overs(out: str) -> int:
    return out.count("Facilitation of **Tuesday** passes to")


async def rota_circle(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob")


async def test_after_a_new_time_zone_the_list_shows_the_hand_over_that_really_comes(
    sb: Sandbox,
) -> None:
    """A Monday 10:00 hand-over, then the circle moves to New York: the list promises Monday
    10:00 New York time, and the hand-over comes exactly then, once."""
    await rota_circle(sb)
    await sb.say("alice: /circle rota auto mondays 10:00")
    await sb.say("alice: /circle edit time_zone=America/New_York")
    out = await sb.say("alice: /schedule list")
    assert "facilitation hand-over `mondays 10:00` · next: Mon 9 Mar, 10:00" in out
    assert table(sb, "SELECT next_due FROM reflection_schedules") == [
        ("2026-03-09T14:00:00.000000Z",)
    ]
    assert hand_overs(await sb.wait(utc(2026, 3, 9, 13, 59) - sb.clock.now())) == 0
    assert hand_overs(await sb.wait(timedelta(minutes=1))) == 1
    assert table(sb, "SELECT fire_time, outcome FROM reflection_runs") == [
        ("2026-03-09T14:00:00.000000Z", "posted")
    ]


async def test_a_jump_past_the_new_time_hands_over_once(sb: Sandbox) -> None:
    """After the zone change, a clock jump past the new time still hands over, once."""
    await rota_circle(sb)
    await sb.say(
        "alice: /circle rota auto mondays 10:00", "alice: /circle edit time_zone=Asia/Tokyo"
    )
    assert "next: Mon 9 Mar, 10:00" in await sb.say("alice: /schedule list")
    out = await sb.wait(utc(2026, 3, 9, 3) - sb.clock.now())  # 12:00 in Tokyo
    assert hand_overs(out) == 1
    assert table(sb, "SELECT fire_time, outcome FROM reflection_runs") == [
        ("2026-03-09T01:00:00.000000Z", "posted")
    ]


async def test_downtime_after_a_new_time_zone_still_brings_the_hand_over(sb: Sandbox) -> None:
    """The bot is away when the hand-over comes due in the new zone: back within the grace
    period, it hands over once, as the list said."""
    await rota_circle(sb)
    await sb.say(
        "alice: /circle rota auto mondays 10:00", "alice: /circle edit time_zone=America/New_York"
    )
    async with sb.down():
        sb.clock.set(utc(2026, 3, 9, 16))
        sb.mark()
    await sb.wait(timedelta(0))
    assert hand_overs(sb.since_mark) == 1
    assert table(sb, "SELECT fire_time, outcome FROM reflection_runs") == [
        ("2026-03-09T14:00:00.000000Z", "posted")
    ]


async def test_a_prompt_schedule_follows_a_new_time_zone_at_once(sb: Sandbox) -> None:
    """A daily 18:00 prompt in a circle that moves to Berlin: listed and posted at 18:00 Berlin."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    await sb.wait(timedelta(minutes=30))
    await sb.say("alice: /circle edit time_zone=Europe/Berlin")
    assert "prompts `daily 18:00` · deck ips · next: Tue 3 Mar, 18:00" in await sb.say(
        "alice: /schedule list"
    )
    opened = await walk(sb, utc(2026, 3, 3, 18), step=timedelta(minutes=30))
    assert [when for when, _ in opened] == [utc(2026, 3, 3, 17)]


async def test_a_schedule_with_its_own_zone_stays_put_when_the_circle_moves(sb: Sandbox) -> None:
    """`time_zone=` on the schedule keeps it in that zone whatever the circle does."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00 time_zone=Asia/Tokyo")
    before = table(sb, "SELECT next_due FROM reflection_schedules")
    await sb.say("alice: /circle edit time_zone=Europe/Berlin")
    assert table(sb, "SELECT next_due FROM reflection_schedules") == before


async def test_a_zone_changed_while_down_is_shown_and_kept_after_the_restart(sb: Sandbox) -> None:
    """If the circle's zone changed without the schedules hearing of it (another instance, a
    stop at the wrong moment), the list after the restart shows the time that really comes."""
    await rota_circle(sb)
    await sb.say("alice: /circle rota auto mondays 10:00")
    async with sb.down():
        with sqlite3.connect(sb.config.database_path) as conn:
            conn.execute("UPDATE circles SET time_zone = 'America/New_York'")
    assert "next: Mon 9 Mar, 10:00" in await sb.say("alice: /schedule list")
    out = await sb.wait(utc(2026, 3, 9, 14, 30) - sb.clock.now())
    assert hand_overs(out) == 1


# --- two prompts never land together -------------------------------------------------------


async def test_two_schedules_due_together_post_a_quiet_moment_apart(sb: Sandbox) -> None:
    """Two schedules at the same minute: the second prompt waits until ten minutes after the
    bot's own first post, as it would after anyone's message."""
    await make_circle(sb)
    await sb.say(
        "alice: /schedule add daily 18:00", "alice: /schedule add daily 18:00 deck=check-ins"
    )
    opened = await walk(sb, utc(2026, 3, 2, 18, 30), step=timedelta(minutes=5))
    assert [when for when, _ in opened] == [utc(2026, 3, 2, 18), utc(2026, 3, 2, 18, 10)]


async def test_after_a_clock_jump_two_due_prompts_do_not_land_together(sb: Sandbox) -> None:
    """A jump past both schedules' times: the first prompt posts at once, the second one a
    quiet moment later."""
    await make_circle(sb)
    await sb.say(
        "alice: /schedule add daily 18:00", "alice: /schedule add daily 18:30 deck=check-ins"
    )
    await sb.wait(timedelta(hours=3))
    assert len(thread_titles(sb)) == 1
    await sb.wait(timedelta(minutes=9))
    assert len(thread_titles(sb)) == 1
    await sb.wait(timedelta(minutes=1))
    assert len(thread_titles(sb)) == 2


async def test_after_downtime_the_catch_up_posts_are_spaced_too(sb: Sandbox) -> None:
    """Back after both times passed (and near the end of the grace period), the catch-up brings
    both prompts, a quiet moment apart, and neither is lost to the wait."""
    await make_circle(sb)
    await sb.say(
        "alice: /schedule add daily 18:00", "alice: /schedule add daily 18:00 deck=check-ins"
    )
    async with sb.down():
        sb.clock.set(utc(2026, 3, 2, 23, 55))  # 5 h 55 min late; the grace is 6 hours
    await sb.wait(timedelta(0))
    assert len(thread_titles(sb)) == 1
    await sb.wait(timedelta(minutes=10))
    assert len(thread_titles(sb)) == 2
    assert [r[0] for r in table(sb, "SELECT outcome FROM reflection_runs ORDER BY id")] == [
        "posted",
        "posted",
    ]


async def test_the_real_alarm_clock_waking_two_prompts_at_once_still_spaces_them(
    tmp_path: Path,
) -> None:
    """With the real alarm clock (APScheduler), two schedules due at one instant wake side by
    side; the second still waits a quiet moment after the first."""
    clock = OffsetClock()
    config = Config(data_dir=str(tmp_path / "data"), local=LocalConfig(moderators=("alice",)))
    async with open_app(config, clock=clock) as app:
        adapter = LocalAdapter(app, config.local, out=None, banner=False)
        await app.attach(adapter)
        await app.start()
        await adapter.feed("alice: /circle create Tuesday")
        due = (clock.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
        form = f"daily {due:%H:%M}"
        await adapter.feed(f"alice: /schedule add {form}")
        await adapter.feed(f"alice: /schedule add {form} deck=check-ins")
        clock.advance(due - clock.now() + timedelta(seconds=1))
        app.scheduler.rearm_all()  # both alarms ring now, together
        for _ in range(100):
            if adapter.chat.threads:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.3)  # room for the second alarm to have posted too, if it would
        assert len(adapter.chat.threads) == 1
        clock.advance(timedelta(minutes=10))
        app.scheduler.rearm_all()
        for _ in range(100):
            if len(adapter.chat.threads) == 2:
                break
            await asyncio.sleep(0.05)
        assert len(adapter.chat.threads) == 2
