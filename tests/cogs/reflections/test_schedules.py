"""Managing schedules through commands: add, list, preview, pause, resume, skip, remove, and
every refusal (a kind sentence, and nothing changes)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cogs.reflections.support import state, table, thread_titles, walk
from tests.sandbox import START, Sandbox, make_circle


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def test_adding_a_schedule_says_when_the_first_prompt_comes(sb: Sandbox) -> None:
    """A facilitator adds a schedule; the reply names the deck, the form, the zone and the first time."""
    await make_circle(sb, extra="time_zone=Europe/Berlin")
    out = await sb.say("alice: /schedule add mondays 19:30 theme=connection")
    assert (
        "🗓️ Schedule #1 for **Tuesday**: a prompt from the “ips” deck, theme “connection”, "
        "`mondays 19:30` (Europe/Berlin). The first one comes Mon 2 Mar, 19:30."
    ) in out
    assert table(
        sb,
        "SELECT kind, form, rule, deck_id, theme, next_due, created_by FROM reflection_schedules",
    ) == [
        (
            "prompt",
            "mondays 19:30",
            "30 19 * * 1",
            "ips",
            "connection",
            "2026-03-02T18:30:00.000000Z",
            "alice",
        )
    ]
    assert sb.app is not None
    assert sb.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 2, 18, 30)


async def test_a_schedule_may_keep_its_own_time_zone(sb: Sandbox) -> None:
    """`time_zone=` gives one schedule its own zone; the list names it."""
    await make_circle(sb, extra="time_zone=Europe/Berlin")
    await sb.say("alice: /schedule add daily 09:00 time_zone=America/New_York")
    assert table(sb, "SELECT time_zone, next_due FROM reflection_schedules") == [
        ("America/New_York", "2026-03-03T14:00:00.000000Z")
    ]
    assert "· in America/New_York ·" in await sb.say("bob: /schedule list")


async def test_the_list_shows_every_schedule_and_the_stated_rules(sb: Sandbox) -> None:
    """`schedule list` shows each schedule, its next time, and the missed-run and quiet-moment rules."""
    await make_circle(sb, "bob")
    await sb.say(
        "alice: /schedule add weekdays 08:00 deck=check-ins",
        "alice: /meeting set tuesdays 19:00",
        "alice: /circle rota auto mondays 09:00",
    )
    out = await sb.say("bob: /schedule list")
    assert "**Schedules for Tuesday** (times in UTC)" in out
    assert "• #1 · prompts `weekdays 08:00` · deck check-ins · next: Tue 3 Mar, 08:00" in out
    assert (
        "• #2 · meeting `tuesdays 19:00` · reminder 1 hour before · next: Tue 3 Mar, 19:00" in out
    )
    assert "• #3 · facilitation hand-over `mondays 09:00` · next: Mon 9 Mar, 09:00" in out
    assert (
        "I post it once when I'm back, as long as it's less than 6 hours late; older ones are skipped."
        in out
    )
    assert (
        "A prompt waits for a quiet moment (no messages for 10 minutes and no check-in round open), for 1 hour at most. Two prompts never land within 10 minutes of each other."
        in out
    )


async def test_preview_shows_the_next_five_times_with_dst_marked(sb: Sandbox) -> None:
    """Preview lists five local times; a time moved by the clocks going forward says so."""
    await make_circle(sb, extra="time_zone=Europe/Berlin")
    out = await sb.say("bob: /schedule preview every 4 weeks on sunday 02:30")
    assert "The next times for `every 4 weeks on sunday 02:30`, in Europe/Berlin:" in out
    assert "• Sun 8 Mar 2026, 02:30" in out
    assert "• Sun 5 Apr 2026, 02:30" in out
    await sb.say("alice: /schedule add daily 02:30")
    sb.clock.set(utc(2026, 3, 27, 12))
    out = await sb.say("bob: /schedule preview 1")
    assert (
        "• Sun 29 Mar 2026, 03:00 (the clocks go forward that night, so 02:30 comes as 03:00)"
        in out
    )
    assert len([line for line in out.splitlines() if line.strip().startswith("• ")]) == 5


async def test_pausing_until_a_date_and_resuming(sb: Sandbox) -> None:
    """A paused schedule rests until the date, then carries on; resume starts it again at once."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    out = await sb.say("alice: /schedule pause 1 until 2026-03-05")
    assert (
        "Schedule #1 rests until Thu 5 Mar 2026. The first one after that is Thu 5 Mar, 18:00."
        in out
    )
    assert "resting until Thu 5 Mar 2026" in await sb.say("alice: /schedule list")
    opened = await walk(sb, utc(2026, 3, 5, 19), step=timedelta(hours=1))
    assert [when for when, _ in opened] == [utc(2026, 3, 5, 18)]
    await sb.say("alice: /schedule pause 1 2026-03-20")
    out = await sb.say("alice: /schedule resume 1")
    assert "Schedule #1 is running again. The next one is Fri 6 Mar, 18:00." in out


async def test_skipping_lets_the_next_time_pass(sb: Sandbox) -> None:
    """`skip` lets the next run pass (logged as skipped), and the one after comes as usual."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    out = await sb.say("alice: /schedule skip 1")
    assert (
        "Schedule #1 will let Mon 2 Mar, 18:00 pass quietly. The one after is Tue 3 Mar, 18:00."
        in out
    )
    opened = await walk(sb, utc(2026, 3, 3, 19), step=timedelta(hours=1))
    assert [when for when, _ in opened] == [utc(2026, 3, 3, 18)]
    assert table(sb, "SELECT fire_time, outcome FROM reflection_runs ORDER BY id") == [
        ("2026-03-02T18:00:00.000000Z", "skipped"),
        ("2026-03-03T18:00:00.000000Z", "posted"),
    ]


async def test_removing_a_schedule_stops_it(sb: Sandbox) -> None:
    """A removed schedule has no timer and posts nothing."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    assert "Schedule #1 (`daily 18:00`) is removed." in await sb.say("alice: /schedule remove 1")
    assert sb.app is not None
    assert sb.app.scheduler.when("reflections:schedule:1") is None
    await sb.wait(timedelta(days=1))
    assert thread_titles(sb) == []


async def test_schedules_survive_a_restart(sb: Sandbox) -> None:
    """Timers are rebuilt from the database with the same ids."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00", "alice: /meeting set daily 20:00 remind=30m")
    await sb.restart()
    assert sb.app is not None
    assert sb.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 2, 18)
    assert sb.app.scheduler.when("reflections:schedule:2") == utc(2026, 3, 2, 19, 30)


# --- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param(
            "alice: /schedule add 61 9 * * *",
            "I couldn't read the minute “61”. It can be 0 to 59",
            id="invalid-cron",
        ),
        pytest.param(
            "alice: /schedule add 9 * *", "A cron expression has five fields", id="cron-field-count"
        ),
        pytest.param(
            "alice: /schedule add once in a blue moon 09:00",
            "I couldn't read “once in a blue moon 09:00” as a time for a schedule. A few shapes I know:",
            id="invalid-friendly-form",
        ),
        pytest.param(
            "alice: /schedule add daily", "I need a time of day for “daily”", id="no-time"
        ),
        pytest.param(
            "alice: /schedule add 0 0 31 2 *",
            "has no time coming up, so there would be nothing to post",
            id="never",
        ),
        pytest.param(
            "alice: /schedule add daily 09:00 time_zone=Mars/Olympus_Mons",
            "I don't know the time zone “Mars/Olympus_Mons”",
            id="unknown-time-zone",
        ),
        pytest.param(
            "alice: /schedule add daily 09:00 deck=circle",
            "The circle's own deck for Tuesday has no prompts yet",
            id="empty-deck",
        ),
        pytest.param(
            "alice: /schedule add daily 09:00 deck=check-ins theme=worldview",
            "The “check-ins” deck has no prompts with the theme “worldview”. Its themes are: check-in, check-out.",
            id="theme-matches-nothing",
        ),
        pytest.param(
            "alice: /schedule add daily 09:00 theme=hope",
            "For theme, the choices are:",
            id="unknown-theme",
        ),
        pytest.param(
            "alice: /schedule add daily 09:00 deck=garden",
            "I don't know a deck called “garden”",
            id="unknown-deck",
        ),
        pytest.param(
            "alice: /schedule pause 1 until 2026-03-01",
            "A pause needs a date after today (Mon 2 Mar 2026 in UTC), and Sun 1 Mar 2026 has already come.",
            id="pause-date-in-the-past",
        ),
        pytest.param(
            "alice: /schedule pause 1 until 2026-03-02",
            "and Mon 2 Mar 2026 has already come",
            id="pause-until-today",
        ),
        pytest.param(
            "alice: /schedule pause 1 until next spring",
            "I read the date as something like 2026-12-24",
            id="pause-bad-date",
        ),
        pytest.param(
            "alice: /schedule resume 1",
            "Schedule #1 isn't paused, so it's already running.",
            id="resume-running",
        ),
        pytest.param(
            "bob: /schedule add daily 09:00",
            "That one is for the facilitators of Tuesday",
            id="non-facilitator-adds",
        ),
        pytest.param(
            "bob: /schedule remove 1",
            "That one is for the facilitators of Tuesday",
            id="non-facilitator-removes",
        ),
        pytest.param(
            "bob: /schedule pause 1 until 2026-04-01",
            "That one is for the facilitators of Tuesday",
            id="non-facilitator-pauses",
        ),
        pytest.param(
            "bob: /schedule skip 1",
            "That one is for the facilitators of Tuesday",
            id="non-facilitator-skips",
        ),
        pytest.param(
            "alice: /schedule remove 42",
            "I couldn't find schedule #42. `/schedule list` shows the schedules of Tuesday.",
            id="unknown-id",
        ),
        pytest.param(
            "alice: /schedule skip 42", "I couldn't find schedule #42.", id="unknown-id-skip"
        ),
        pytest.param(
            "alice: /schedule preview 42", "I couldn't find schedule #42.", id="unknown-id-preview"
        ),
        pytest.param(
            "alice: /schedule remove zero", "The id should be a whole number", id="not-a-number"
        ),
    ],
)
async def test_refusals_explain_and_change_nothing(sb: Sandbox, line: str, sentence: str) -> None:
    """Bad input gets a clear, kind sentence, and no schedule, run or timer changes."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00")
    before = state(sb)
    out = await sb.say(line)
    assert sentence in out
    assert "only" in out  # a personal reply, not a message to the room
    assert state(sb) == before


async def test_a_schedule_of_another_circle_cannot_be_managed_from_here(sb: Sandbox) -> None:
    """Schedule ids are shared, but a schedule belongs to its circle: managing it elsewhere is refused."""
    await make_circle(sb)
    await sb.say("alice: /round start")
    await sb.say("alice ^: /circle create Thursday", "alice ^: /schedule add daily 10:00")
    await sb.say("alice: /round end")
    before = state(sb)
    for command in ("remove 1", "skip 1", "pause 1 until 2026-04-01", "resume 1"):
        out = await sb.say(f"alice: /schedule {command}")
        assert "Schedule #1 belongs to another circle, so I can't change it from Tuesday." in out
    assert state(sb) == before
    assert "Schedule #1 (`daily 10:00`) is removed." in await sb.say(
        "alice: /schedule remove 1 circle=Thursday"
    )


async def test_a_member_outside_any_circle_room_is_asked_which_circle(sb: Sandbox) -> None:
    """Without a circle in the room, schedule commands ask for the circle's name."""
    before = state(sb)
    out = await sb.say("alice: /schedule add daily 09:00")
    assert "This room isn't home to a circle, so I'm not sure which one you mean." in out
    assert state(sb) == before


def test_start_is_a_monday_evening() -> None:
    """The sandbox starts on Monday 2 March 2026 at 17:00 UTC, which these tests rely on."""
    assert utc(2026, 3, 2, 17) == START
