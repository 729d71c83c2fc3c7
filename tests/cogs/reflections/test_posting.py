"""Scheduled prompts arriving: on time in the circle's zone, once, after restarts, on DST days,
across two instances, and only in a quiet moment."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat import ThreadStart
from cogs.reflections.shuffle_bag import round_order
from tests.cogs.reflections.support import jump_to, table, thread_titles, walk
from tests.sandbox import START, Sandbox, make_circle

HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def posted(sb: Sandbox) -> list[tuple[object, ...]]:
    return table(
        sb,
        "SELECT schedule_id, fire_time, outcome FROM reflection_runs WHERE outcome = 'posted' ORDER BY id",
    )


# --- arriving ---------------------------------------------------------------------------------


async def test_a_scheduled_prompt_opens_its_own_thread_on_time(sb: Sandbox) -> None:
    """At the schedule's time, a prompt from the deck opens a thread titled with the prompt's title."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00 theme=connection")
    out = await sb.wait(timedelta(minutes=59))
    assert "💭" not in out
    out = await sb.wait(timedelta(minutes=1))
    assert "💭 **" in out
    assert (
        "_A reflection for Tuesday. Reply here if you'd like, lightly or deeply; passing is always fine._"
        in out
    )
    assert len(thread_titles(sb)) == 1
    assert table(
        sb, "SELECT fire_time, outcome, deck_id, thread_id IS NOT NULL FROM reflection_runs"
    ) == [("2026-03-02T18:00:00.000000Z", "posted", "ips", 1)]
    assert "@everyone" not in out
    assert "@here" not in out
    assert "@room" not in out


async def test_the_circles_own_order_is_the_seeded_shuffle_bag(sb: Sandbox) -> None:
    """The prompts come in the order of the circle's seeded bag, so the sequence is predictable."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00 deck=check-ins theme=check-out")
    opened = await walk(sb, START + timedelta(days=3, hours=2), step=HOUR)
    assert sb.app is not None
    reflections = next(cog for cog in sb.app.cogs if cog.name == "reflections")
    deck = reflections.library.get("check-ins")  # type: ignore[attr-defined]  # found by name, so a plain Cog
    order = [
        p
        for p in round_order([p.id for p in deck.prompts], "1:check-ins", 0)
        if deck.get(p).theme == "check-out"
    ]
    assert [title for _, title in opened] == [deck.get(p).title for p in order[:4]]


async def test_prompts_do_not_repeat_until_the_deck_is_used_up(sb: Sandbox) -> None:
    """With three prompts in the circle's own deck, six posts are two full rounds, each without repeats."""
    await make_circle(sb, "bob")
    for text in (
        "What is something small that made you smile this week?",
        "Where do you feel most at ease, and what makes it so?",
        "What would you like more of in the month ahead?",
    ):
        await sb.say(f"bob: /prompt suggest {text}")
    await sb.say(
        "alice: /prompt approve 1 Smiles",
        "alice: /prompt approve 2 At ease",
        "alice: /prompt approve 3 More of",
    )
    for _ in range(6):
        await sb.say("alice: /prompt now deck=circle")
    titles = thread_titles(sb)
    assert len(titles) == 6
    assert len(set(titles[:3])) == 3
    assert set(titles[3:]) == set(titles[:3])


async def test_a_circle_in_a_thread_gets_its_prompts_there(sb: Sandbox) -> None:
    """A circle that lives in a thread gets prompts written in that thread, not new threads."""
    await make_circle(sb)
    await sb.say("alice: /round start")
    await sb.say("alice ^: /circle create Thursday")
    out = await sb.say("alice ^: /prompt now")
    assert len(thread_titles(sb)) == 1  # only the round's thread
    round_thread = next(iter(sb.chat.threads)) if sb.chat else ""
    assert f"[in #{round_thread} Check-in · Tuesday] circlekeeper: 💭 **" in out


# --- DST, driven by the manual clock -------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "form", "start", "expected"),
    [
        pytest.param(
            "Europe/Berlin",
            "daily 02:30",
            utc(2026, 3, 28, 12),
            [utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)],
            id="berlin-spring-forward-03:00",
        ),
        pytest.param(
            "Europe/Berlin",
            "daily 02:30",
            utc(2026, 10, 24, 12),
            [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)],
            id="berlin-fall-back-first-02:30",
        ),
        pytest.param(
            "America/New_York",
            "daily 02:30",
            utc(2026, 3, 7, 12),
            [utc(2026, 3, 8, 7, 0), utc(2026, 3, 9, 6, 30)],
            id="new-york-spring-forward-03:00",
        ),
        pytest.param(
            "America/New_York",
            "daily 01:30",
            utc(2026, 10, 31, 12),
            [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)],
            id="new-york-fall-back-first-01:30",
        ),
    ],
)
async def test_on_dst_days_a_daily_prompt_posts_exactly_once_at_the_documented_time(
    sb: Sandbox, zone: str, form: str, start: datetime, expected: list[datetime]
) -> None:
    """Skipped hour: once, when the clocks jump. Doubled hour: once, at the first occurrence."""
    await jump_to(sb, start)
    await make_circle(sb, extra=f"time_zone={zone}")
    await sb.say(f"alice: /schedule add {form}")
    opened = await walk(sb, start + timedelta(hours=44), step=timedelta(minutes=15))
    assert [when for when, _ in opened] == expected
    assert [row[1] for row in posted(sb)] == [
        when.strftime("%Y-%m-%dT%H:%M:%S.000000Z") for when in expected
    ]


# --- restarts and missed runs ---------------------------------------------------------------------


async def test_a_restart_inside_the_grace_period_posts_once(sb: Sandbox) -> None:
    """Away from 17:30 to 20:00 with an 18:00 prompt: it posts once on start-up, and not again."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    await sb.close()
    sb.clock.advance(3 * HOUR)
    await sb.open()
    assert sb.app is not None
    await sb.app.run_due()
    assert len(thread_titles(sb)) == 1
    await sb.restart()
    await sb.app.run_due()
    assert len(thread_titles(sb)) == 1
    assert [r[1:] for r in posted(sb)] == [("2026-03-02T18:00:00.000000Z", "posted")]


async def test_runs_missed_while_away_become_one_post(sb: Sandbox) -> None:
    """An hourly prompt missed three times while away comes once, for the latest hour."""
    await make_circle(sb)
    await sb.say("alice: /schedule add 0 * * * *")
    await sb.close()
    sb.clock.advance(timedelta(hours=3, minutes=30))
    await sb.open()
    assert sb.app is not None
    await sb.app.run_due()
    assert len(thread_titles(sb)) == 1
    assert [r[1] for r in posted(sb)] == ["2026-03-02T20:00:00.000000Z"]
    assert sb.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 2, 21)


async def test_a_restart_after_the_grace_period_posts_nothing_and_logs_it(
    sb: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Away for eight hours past an 18:00 prompt: nothing posts, the log says so, and tomorrow's comes."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    await sb.close()
    sb.clock.advance(9 * HOUR)
    await sb.open()
    assert sb.app is not None
    with caplog.at_level(logging.WARNING, logger="cogs.reflections.cog"):
        await sb.app.run_due()
    assert thread_titles(sb) == []
    assert (
        "the run due at 2026-03-02T18:00:00.000000Z is 8 hours late, beyond the 6 hours grace period; skipped"
        in caplog.text
    )
    assert table(sb, "SELECT fire_time, outcome FROM reflection_runs") == [
        ("2026-03-02T18:00:00.000000Z", "missed")
    ]
    opened = await walk(sb, utc(2026, 3, 3, 18), step=HOUR)
    assert [when for when, _ in opened] == [utc(2026, 3, 3, 18)]


async def test_a_post_claimed_but_never_confirmed_is_not_posted_again(
    sb: Sandbox, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the process stopped between claiming and posting, the run stays unposted: at most once."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    assert sb.app is not None
    assert sb.chat is not None
    refused: list[str] = []

    async def crash(*_: object) -> ThreadStart:
        refused.append("open_thread")
        raise asyncio.CancelledError  # the process dies mid-post

    monkeypatch.setattr(sb.chat, "open_thread", crash)
    with pytest.raises(asyncio.CancelledError):
        await sb.wait(HOUR)
    assert refused == ["open_thread"]
    assert table(sb, "SELECT outcome FROM reflection_runs") == [("claimed",)]
    await sb.close()
    sb.chat = None  # a fresh room, as after a real restart
    sb.clock.advance(timedelta(minutes=20))
    with caplog.at_level(logging.WARNING, logger="cogs.reflections.cog"):
        await sb.open()
        await sb.app.run_due()
    assert thread_titles(sb) == []
    assert "was claimed but never confirmed; not posting it again" in caplog.text
    assert table(sb, "SELECT outcome FROM reflection_runs") == [("failed",)]


async def test_two_instances_on_one_database_post_once(tmp_path: Path) -> None:
    """Two bots on the same database file, both with the timer due: exactly one post."""
    first = Sandbox(tmp_path)
    await first.open()
    second: Sandbox | None = None
    try:
        await make_circle(first)
        await first.say("alice: /schedule add daily 18:00")
        second = Sandbox(tmp_path)
        await second.open()
        assert first.app is not None
        assert second.app is not None
        for sandbox in (first, second):
            sandbox.clock.set(START + HOUR)
        fired = await asyncio.gather(first.app.run_due(), second.app.run_due())
        assert list(fired) == [1, 1]  # both alarms rang
        assert len(thread_titles(first)) + len(thread_titles(second)) == 1
        assert table(first, "SELECT fire_time, outcome FROM reflection_runs") == [
            ("2026-03-02T18:00:00.000000Z", "posted")
        ]
        assert first.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 3, 18)
        assert second.app.scheduler.when("reflections:schedule:1") == utc(2026, 3, 3, 18)
    finally:
        if second is not None:
            await second.close()
        await first.close()


# --- activity gating ------------------------------------------------------------------------------


async def test_a_busy_room_delays_the_prompt_until_it_is_quiet(sb: Sandbox) -> None:
    """A message at 17:55 holds an 18:00 prompt until 18:05, ten quiet minutes later."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00")
    await sb.wait(timedelta(minutes=55))
    await sb.say("bob: I'm having a slow evening, it's nice to be here.")
    assert "💭" not in await sb.wait(timedelta(minutes=5))
    assert "💭" not in await sb.wait(timedelta(minutes=4))
    assert "💭" in await sb.wait(timedelta(minutes=1))
    assert posted(sb) == [(1, "2026-03-02T18:00:00.000000Z", "posted")]


async def test_a_room_that_never_quiets_gets_the_prompt_after_the_longest_wait(sb: Sandbox) -> None:
    """Messages every five minutes: the prompt posts an hour after it was due, in its own thread."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00")
    await sb.wait(timedelta(minutes=50))
    arrived: datetime | None = None
    for _ in range(20):
        await sb.say("bob: still chatting")
        out = await sb.wait(timedelta(minutes=5))
        if "💭" in out and arrived is None:
            arrived = sb.clock.now()
    assert arrived == utc(2026, 3, 2, 19, 0)
    assert len(thread_titles(sb)) == 1


async def test_an_open_check_in_round_holds_the_prompt(sb: Sandbox) -> None:
    """While a round is open the prompt waits; once it closes, the prompt comes within a minute."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00")
    await sb.wait(timedelta(minutes=50))
    await sb.say("alice: /round start")
    assert "💭" not in await sb.wait(timedelta(minutes=25))
    await sb.say("alice: /round end")
    out = await sb.wait(timedelta(minutes=1))
    assert "💭" in out
    assert posted(sb) == [(1, "2026-03-02T18:00:00.000000Z", "posted")]


async def test_after_a_restart_every_room_counts_as_quiet(sb: Sandbox) -> None:
    """Activity is memory only: a message just before a restart does not hold the prompt after it."""
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add daily 18:00")
    await sb.wait(timedelta(minutes=58))
    await sb.say("bob: hello")
    await sb.restart()
    assert "💭" in await sb.wait(timedelta(minutes=2))


# --- resting and removed decks -------------------------------------------------------------------


async def test_a_resting_circle_gets_no_prompts(sb: Sandbox) -> None:
    """While a circle is archived its schedules pass quietly, and they carry on once it reopens."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00", "alice: /circle close")
    await sb.wait(2 * HOUR)
    assert thread_titles(sb) == []
    await sb.say("alice: /circle reopen")
    opened = await walk(sb, utc(2026, 3, 3, 19), step=HOUR)
    assert [when for when, _ in opened] == [utc(2026, 3, 3, 18)]


async def test_a_deck_that_disappeared_is_explained_in_the_circle(
    sb: Sandbox, tmp_path: Path
) -> None:
    """If a folder deck is gone when a prompt is due, the circle hears why there's no prompt."""
    folder = Path(sb.config.data_path) / "decks"
    folder.mkdir(parents=True)
    deck = (Path(__file__).parents[3] / "prompts" / "decks" / "check-ins.toml").read_text(
        encoding="utf-8"
    )
    garden = (
        deck.replace('id = "check-ins"', 'id = "garden"')
        .replace('id = "check-in-', 'id = "garden-in-')
        .replace('id = "check-out-', 'id = "garden-out-')
    )
    (folder / "garden.toml").write_text(garden, encoding="utf-8")
    await make_circle(sb)
    assert "1 deck ready (garden;" in await sb.say("alice: /prompt decks reload")
    await sb.say("alice: /schedule add daily 18:00 deck=garden")
    (folder / "garden.toml").unlink()
    await sb.say("alice: /prompt decks reload")
    out = await sb.wait(HOUR)
    assert (
        "I had a prompt due for Tuesday (schedule #1), but the “garden” deck isn't here any more"
        in out
    )
    assert thread_titles(sb) == []


async def test_a_new_circle_time_zone_moves_the_schedule(sb: Sandbox) -> None:
    """A schedule that follows the circle's zone is planned again when the circle changes zone."""
    await make_circle(sb)
    await sb.say("alice: /schedule add daily 18:00")
    await sb.say("alice: /circle edit time_zone=Europe/Berlin")
    opened = await walk(sb, utc(2026, 3, 3, 18), step=HOUR)
    assert [when for when, _ in opened] == [utc(2026, 3, 3, 17)]  # 18:00 in Berlin
