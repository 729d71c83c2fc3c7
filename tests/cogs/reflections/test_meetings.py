"""Meeting reminders and the automatic facilitation rota, on the same alarm clock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from tests.cogs.reflections.support import state, table, walk
from tests.sandbox import Sandbox, make_circle


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def test_a_reminder_comes_the_chosen_time_before_each_meeting(sb: Sandbox) -> None:
    """`meeting set mondays 19:00 remind=1h` reminds at 18:00 every Monday, in the circle's zone."""
    await make_circle(sb, "bob", extra="time_zone=Europe/Berlin")
    out = await sb.say("alice: /meeting set mondays 20:00 remind=1h")
    assert (
        "🗓️ **Tuesday** meets `mondays 20:00` (Europe/Berlin), with a reminder 1 hour before. The next meeting is Mon 2 Mar, 20:00."
        in out
    )
    assert "💭" not in await sb.wait(timedelta(minutes=59))
    out = await sb.wait(timedelta(minutes=1))  # 19:00 Berlin
    assert (
        "🕯️ **Tuesday** meets in 1 hour, Mon 2 Mar, 20:00 (Europe/Berlin). Come as you are." in out
    )
    assert "meets in" not in await sb.wait(timedelta(days=6, hours=23))
    assert "meets in 1 hour, Mon 9 Mar, 20:00" in await sb.wait(timedelta(hours=1))


async def test_meeting_show_and_clear(sb: Sandbox) -> None:
    """Anyone can see the next meeting; a facilitator can clear it, and the reminders stop."""
    await make_circle(sb, "bob")
    assert "No meeting time is set for Tuesday yet." in await sb.say("bob: /meeting show")
    await sb.say("alice: /meeting set every 2 weeks on thursday 18:30 remind=2h")
    out = await sb.say("bob: /meeting show")
    assert (
        "**Tuesday** meets `every 2 weeks on thursday 18:30` (UTC). The next meeting is Thu 5 Mar, 18:30; a reminder goes out 2 hours before."
        in out
    )
    out = await sb.say("alice: /meeting set tuesdays 19:00")
    assert "(This replaces the earlier meeting time.)" in out
    assert table(sb, "SELECT kind, form FROM reflection_schedules") == [
        ("meeting", "tuesdays 19:00")
    ]
    assert "The meeting time of Tuesday is cleared" in await sb.say("alice: /meeting clear")
    assert "meets in" not in await sb.wait(timedelta(days=8))


async def test_a_late_reminder_still_goes_before_the_meeting_but_not_after(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Back 30 minutes after the reminder time: it goes out ("in 30 minutes"). Back after the start: it doesn't."""
    await make_circle(sb)
    await sb.say("alice: /meeting set daily 19:00 remind=1h")
    await sb.close()
    sb.clock.advance(timedelta(hours=1, minutes=30))  # 18:30
    await sb.open()
    assert sb.app is not None
    await sb.app.run_due()
    assert "**Tuesday** meets in 30 minutes" in sb.transcript
    await sb.close()
    sb.clock.advance(timedelta(days=1))  # the next day 18:30... then past 19:00
    sb.clock.advance(timedelta(minutes=45))
    await sb.open()
    with caplog.at_level(logging.WARNING, logger="cogs.reflections.cog"):
        await sb.app.run_due()
    assert sb.transcript.count("meets in") == 1
    assert "missed; the meeting had begun" in caplog.text
    assert table(sb, "SELECT outcome FROM reflection_runs ORDER BY id") == [
        ("posted",),
        ("missed",),
    ]


async def test_facilitation_passes_on_by_itself(sb: Sandbox) -> None:
    """`circle rota auto mondays 18:00` hands facilitation to the next person each Monday."""
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob")
    out = await sb.say("alice: /circle rota auto mondays 18:00")
    assert (
        "🔁 Facilitation of **Tuesday** will pass on by itself, `mondays 18:00` (UTC). The first hand-over is Mon 2 Mar, 18:00."
        in out
    )
    out = await sb.wait(timedelta(hours=1))
    assert "Facilitation of **Tuesday** passes to Bob. Thank you, Alice. 🌿" in out
    assert table(sb, "SELECT holder_id FROM circles") == [("bob",)]
    out = await sb.wait(timedelta(days=7))
    assert "Facilitation of **Tuesday** passes to Alice. Thank you, Bob. 🌿" in out
    assert "passes on by hand again" in await sb.say("bob: /circle rota auto off")
    assert "passes to" not in await sb.wait(timedelta(days=7))


async def test_a_rota_of_one_stays_quiet(sb: Sandbox) -> None:
    """With only one person on the rota there is nobody to pass to, and nothing is said each week."""
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota auto daily 18:00")
    sb.mark()
    await walk(sb, utc(2026, 3, 4, 12), step=timedelta(hours=1))
    assert "Facilitation" not in sb.since_mark
    assert table(sb, "SELECT outcome FROM reflection_runs") == [("skipped",), ("skipped",)]


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param(
            "alice: /meeting set someday", "I need a time of day for “someday”", id="bad-form"
        ),
        pytest.param(
            "alice: /meeting set daily 19:00 remind=1m",
            "The remind can be between 5 minutes and 7 days",
            id="remind-too-short",
        ),
        pytest.param(
            "bob: /meeting set daily 19:00",
            "That one is for the facilitators of Tuesday",
            id="member-sets",
        ),
        pytest.param(
            "alice: /meeting clear",
            "No meeting time is set for Tuesday yet.",
            id="nothing-to-clear",
        ),
        pytest.param(
            "bob: /circle rota auto mondays 09:00",
            "That one is for the facilitators of Tuesday",
            id="member-rota",
        ),
        pytest.param(
            "alice: /circle rota auto off",
            "isn't passing on by itself, so there's nothing to stop",
            id="rota-off-when-off",
        ),
        pytest.param(
            "alice: /circle rota auto 99 9 * * *",
            "I couldn't read the minute “99”",
            id="rota-bad-cron",
        ),
    ],
)
async def test_refusals_change_nothing(sb: Sandbox, line: str, sentence: str) -> None:
    """Bad meeting and rota commands are refused with a clear sentence, and nothing changes."""
    await make_circle(sb, "bob")
    before = state(sb)
    out = await sb.say(line)
    assert sentence in out
    assert state(sb) == before
