"""Finding a meeting time: a poll of a few times, each member reading them on their own clock
and answering yes, if need be or no; the poll closing by itself, and the chosen time becoming
the circle's weekly meeting time."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.chat import MemberRef, Platform, Visibility
from bot.platforms.local.adapter import parse_member
from bot.platforms.local.chat import BOT_ID
from cogs.reflections.timing import load_rule, upcoming
from tests.cogs.reflections.support import state, table
from tests.sandbox import Sandbox, make_circle

# Monday 8 March 2027. The US clocks go forward on Sunday 14 March, the EU's on Sunday 28 March.
MARCH_2027 = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)
CLOSED = "**The meeting poll for Tuesday has closed**"
NEW_YORK_SLOTS = "2027-03-12 12:00, 2027-03-19 12:00, 2027-03-29 12:00"


@pytest.fixture
async def sb27(tmp_path: Path) -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(tmp_path, start=MARCH_2027)
    await sandbox.open()
    yield sandbox
    await sandbox.close()


def times_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("**")]


async def test_each_member_reads_the_times_on_their_own_clock_across_both_dst_changes(
    sb27: Sandbox,
) -> None:
    """Times offered in New York, read in New York, Berlin and Kolkata, before and after the US
    and the EU change their clocks; the chosen one meets weekly at its Berlin wall time."""
    sb = sb27
    await make_circle(sb, "bob", "carol", "dan", extra="time_zone=Europe/Berlin")
    await sb.say("bob: /meeting zone America/New_York", "dan: /meeting zone Asia/Kolkata")
    out = await sb.say(
        f"alice: /meeting poll {NEW_YORK_SLOTS} closes=2027-03-11T12:00 time_zone=America/New_York"
    )
    # The room sees them on the circle's clock: Berlin is 6 hours ahead, then 5, then 6 again.
    assert times_lines(out)[:3] == [
        "**1.** Fri 12 Mar, 18:00 (Europe/Berlin)",
        "**2.** Fri 19 Mar, 17:00 (Europe/Berlin)",
        "**3.** Mon 29 Mar, 18:00 (Europe/Berlin)",
    ]
    assert "Answers are taken until Thu 11 Mar, 18:00 (Europe/Berlin)" in out

    bob = await sb.say("bob: /meeting times")
    assert "in your time zone (America/New_York)" in bob
    assert times_lines(bob) == [
        "**1.** Fri 12 Mar 2027, 12:00",
        "**2.** Fri 19 Mar 2027, 12:00",
        "**3.** Mon 29 Mar 2027, 12:00",
    ]
    carol = await sb.say("carol: /meeting times")
    assert "in your time zone (Europe/Berlin)" in carol  # no zone of her own: the circle's
    assert times_lines(carol) == [
        "**1.** Fri 12 Mar 2027, 18:00",
        "**2.** Fri 19 Mar 2027, 17:00",
        "**3.** Mon 29 Mar 2027, 18:00",
    ]
    dan = await sb.say("dan: /meeting times")
    assert "in your time zone (Asia/Kolkata)" in dan  # Kolkata keeps no summer time
    assert times_lines(dan) == [
        "**1.** Fri 12 Mar 2027, 22:30",
        "**2.** Fri 19 Mar 2027, 21:30",
        "**3.** Mon 29 Mar 2027, 21:30",
    ]
    assert table(sb, "SELECT position, starts_at FROM meeting_poll_slots ORDER BY position") == [
        (1, "2027-03-12T17:00:00.000000Z"),
        (2, "2027-03-19T16:00:00.000000Z"),
        (3, "2027-03-29T16:00:00.000000Z"),
    ]

    await sb.say(
        "bob: /meeting answer no yes yes",
        "carol: /meeting answer no yes if-need-be",
        "dan: /meeting answer yes yes no",
    )
    out = await sb.wait(timedelta(days=3, hours=5))
    assert "**2.** Fri 19 Mar, 17:00 (Europe/Berlin): yes Bob, Carol and Dan" in out
    assert "Most can come to 2." in out

    out = await sb.say("alice: /meeting pick 2")
    assert (
        "🗓️ **Tuesday** meets `fridays 17:00` (Europe/Berlin) from now on, chosen from meeting poll #1. The first meeting is Fri 19 Mar, 17:00"
        in out
    )
    ((rule, next_due),) = table(
        sb, "SELECT rule, next_due FROM reflection_schedules WHERE kind = 'meeting'"
    )
    assert next_due == "2027-03-19T16:00:00.000000Z"
    # 17:00 on Berlin's clock every Friday: 16:00 UTC until the EU changes, then 15:00.
    later = upcoming(load_rule(rule), ZoneInfo("Europe/Berlin"), MARCH_2027 + timedelta(days=11), 3)
    assert [o.at.strftime("%d %H:%M") for o in later] == ["19 16:00", "26 16:00", "02 15:00"]
    # The reminder comes an hour before, on Berlin's clock, after the EU change too.
    sb.mark()
    while sb.clock.now() < datetime(2027, 4, 2, 14, 0, tzinfo=UTC):
        await sb.wait(timedelta(hours=1))
    reminders = [line for line in sb.since_mark.splitlines() if "meets in 1 hour" in line]
    assert [r.split("meets in 1 hour, ")[1][:17] for r in reminders] == [
        "Fri 19 Mar, 17:00",
        "Fri 26 Mar, 17:00",
        "Fri 2 Apr, 17:00 ",
    ]


async def test_an_open_poll_shows_who_can_come_and_answers_change_until_the_close(
    sb: Sandbox,
) -> None:
    """Open answers are said in the room with the name; a member changes one; the result names
    who can come to each time, and after the close answers no longer change."""
    await make_circle(sb, "bob", "carol")
    out = await sb.say("alice: /meeting poll 2026-03-10 19:00, 2026-03-11 18:30 closes=1d")
    assert "Answers are open: everyone can see who can come." in out
    out = await sb.say("bob: /meeting answer yes no")
    assert "Bob answered the meeting poll for Tuesday (#1): 1 yes, 2 no." in out
    assert "only bob sees" not in out
    await sb.say("carol: /meeting answer if need be, yes")
    out = await sb.say("bob: /meeting answer 2 maybe")
    assert "Bob answered the meeting poll for Tuesday (#1): 2 if need be." in out
    mine = await sb.say("bob: /meeting times")
    assert "**1.** Tue 10 Mar 2026, 19:00 (you: yes)" in mine
    assert "**2.** Wed 11 Mar 2026, 18:30 (you: if need be)" in mine

    out = await sb.wait(timedelta(days=1))
    assert "**The meeting poll for Tuesday has closed** (#1). 2 members answered." in out
    assert "**1.** Tue 10 Mar, 19:00 (UTC): yes Bob; if need be Carol" in out
    assert "**2.** Wed 11 Mar, 18:30 (UTC): yes Carol; if need be Bob" in out
    assert "Most can come to 1 and 2." in out
    assert sb.private_to("alice") == [
        "The meeting poll you started for **Tuesday** (#1) has closed. The result is in the circle's room; `/meeting pick <number>` makes one of its times the circle's meeting time."
    ]
    before = state(sb)
    out = await sb.say("bob: /meeting answer no no")
    assert "Meeting poll #1 closed Tue 3 Mar, 17:00 (UTC), so answers can't change now." in out
    assert state(sb) == before


async def test_a_secret_poll_answers_privately_and_keeps_only_counts_after_the_close(
    sb: Sandbox,
) -> None:
    """In a secret poll each answer is confirmed only to the member; the result gives counts
    without names, and after the close nobody's answers are kept."""
    await make_circle(sb, "bob", "carol", "dan")
    out = await sb.say(
        "alice: /meeting poll 2026-03-10 19:00, 2026-03-11 18:30, 2026-03-12 08:00 mode=secret closes=1d"
    )
    assert "Answers are private: only the counts are shown" in out
    out = await sb.say("bob: /meeting answer yes no if-need-be")
    assert "Bob answered" not in sb.transcript
    assert "private to bob: Thank you. Your answers for Tuesday (poll #1), in UTC:" in out
    assert "**3.** Thu 12 Mar, 08:00: if need be" in out
    await sb.say("carol: /meeting answer yes yes no", "dan: /meeting answer 1 no")
    out = await sb.say("dan: /meeting answer 1 yes 2 no")
    assert "private to dan" in out
    assert "**3.** Thu 12 Mar, 08:00: not answered yet" in out
    assert table(sb, "SELECT COUNT(*) FROM meeting_poll_answers") == [(8,)]

    out = await sb.wait(timedelta(days=1))
    assert "3 members answered." in out
    assert "**1.** Tue 10 Mar, 19:00 (UTC): 3 yes, 0 if need be, 0 no" in out
    assert "**2.** Wed 11 Mar, 18:30 (UTC): 1 yes, 0 if need be, 2 no" in out
    assert "**3.** Thu 12 Mar, 08:00 (UTC): 0 yes, 1 if need be, 1 no" in out
    result = out.split("has closed")[1]
    assert not any(name in result for name in ("Bob", "Carol", "Dan"))
    # Who said what is gone; how many said what stays.
    assert table(sb, "SELECT COUNT(*) FROM meeting_poll_answers") == [(0,)]
    for member in ("bob", "carol", "dan"):
        assert (
            sb.rows_naming(member, ("meeting_poll_answers", "meeting_poll_slots", "meeting_polls"))
            == 0
        )
    assert table(
        sb, "SELECT yes_count, if_need_be_count, no_count FROM meeting_poll_slots ORDER BY position"
    ) == [(3, 0, 0), (1, 0, 2), (0, 1, 1)]
    later = await sb.say("carol: /meeting times")
    assert "**1.** Tue 10 Mar, 19:00 (UTC): 3 yes, 0 if need be, 0 no" in later


async def test_a_poll_survives_a_restart_and_closes_once(sb: Sandbox) -> None:
    """Answers given before a restart count; the alarm is armed again from the database; a
    close due while the bot was away happens on start, once, and never again after."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /meeting poll 2026-03-10 19:00, 2026-03-11 18:30 closes=1d")
    await sb.say("bob: /meeting answer yes no")
    await sb.restart()
    assert sb.app is not None
    assert any(job.endswith("poll:1") for job, _ in sb.app.scheduler.pending())
    await sb.say("carol: /meeting answer yes yes")
    async with sb.down():
        sb.clock.advance(timedelta(days=2))  # the close comes and goes while the bot is away
    assert sb.app is not None
    await sb.app.run_due()
    assert sb.transcript.count(CLOSED) == 1
    assert "**1.** Tue 10 Mar, 19:00 (UTC): yes Bob and Carol" in sb.transcript
    await sb.restart()
    await sb.wait(timedelta(days=1))
    assert sb.transcript.count(CLOSED) == 1
    assert len(sb.private_to("alice")) == 1
    assert table(sb, "SELECT closed_at FROM meeting_polls") == [("2026-03-04T17:00:00.000000Z",)]
    assert "meets `tuesdays 19:00`" in await sb.say("alice: /meeting pick 1")
    await sb.restart()
    out = await sb.say("alice: /meeting pick 2")
    assert "Time 1 of meeting poll #1 was chosen already." in out
    assert table(sb, "SELECT form FROM reflection_schedules") == [("tuesdays 19:00",)]


async def test_a_member_who_leaves_takes_their_answers_and_forgetting_reaches_the_rest(
    sb: Sandbox,
) -> None:
    """Leaving drops one's answers to the open poll; export shows answers and zone; forgetting
    removes them and the zone, and takes the name off the poll one started."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /meeting poll 2026-03-10 19:00, 2026-03-11 18:30 closes=1d")
    await sb.say("bob: /meeting answer yes no", "carol: /meeting answer no yes")
    await sb.say("carol: /circle leave")
    assert table(sb, "SELECT DISTINCT member_id FROM meeting_poll_answers") == [("bob",)]

    await sb.say("bob: /meeting zone Europe/Berlin")
    assert sb.app is not None
    cog = next(c for c in sb.app.cogs if c.name == "reflections")
    bob = MemberRef(Platform.LOCAL, "bob")
    exported = await cog.export_member(bob)
    assert exported["meeting_poll_answers"] == [
        {"circle": "Tuesday", "poll": 1, "time": "2026-03-10T19:00:00.000000Z", "answer": "yes"},
        {"circle": "Tuesday", "poll": 1, "time": "2026-03-11T18:30:00.000000Z", "answer": "no"},
    ]
    assert exported["time_zone_for_poll_times"] == "Europe/Berlin"
    json.dumps(exported)
    await cog.forget_member(bob)
    await cog.forget_member(MemberRef(Platform.LOCAL, "alice"))
    for member in ("bob", "alice"):
        assert (
            sb.rows_naming(
                member, ("meeting_poll_answers", "meeting_member_zones", "meeting_polls")
            )
            == 0
        )
    assert table(sb, "SELECT COUNT(*) FROM meeting_poll_slots") == [(2,)]  # the poll stays


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param(
            "alice: /meeting poll ,",
            "at least 2 times to choose from, and I found 0",
            id="no-slots",
        ),
        pytest.param("alice: /meeting poll 2026-03-10 19:00", "and I found 1", id="one-slot"),
        pytest.param(
            "alice: /meeting poll " + ", ".join(f"2026-03-{d:02d} 19:00" for d in range(10, 19)),
            "at most 8 times, so it stays easy to answer; I found 9",
            id="nine-slots",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-01 19:00, 2026-03-11 19:00",
            "Sun 1 Mar 2026, 19:00 (UTC) has already come",
            id="slot-in-the-past",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-10 19:00, 2026-03-10 19:00",
            "is offered twice",
            id="slot-twice",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-10 19:00, soon",
            "I couldn't read “soon” as a date",
            id="bad-slot",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 time_zone=Mars/Olympus",
            "I don't know the time zone “Mars/Olympus”",
            id="unknown-zone",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 closes=2026-03-10T20:00",
            "after the first time it offers (Tue 10 Mar, 19:00)",
            id="closes-after-first",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 closes=2026-03-01T20:00",
            "which has already come",
            id="closes-in-the-past",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-03 09:00, 2026-03-11 19:00",
            "which has already come",
            id="default-close-in-the-past",
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 closes=someday",
            "I couldn't read “someday” as a closing time",
            id="bad-closing",
        ),
        pytest.param(
            "bob: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00",
            "That one is for the facilitators of Tuesday",
            id="member-starts-a-poll",
        ),
        pytest.param(
            "bob: /meeting answer yes no", "Tuesday has no meeting poll just now", id="no-poll"
        ),
        pytest.param(
            "alice: /meeting pick 1",
            "Tuesday has no closed meeting poll waiting",
            id="nothing-to-pick",
        ),
        pytest.param(
            "bob: /meeting zone Mars/Olympus",
            "I don't know the time zone “Mars/Olympus”",
            id="own-zone-unknown",
        ),
    ],
)
async def test_bad_polls_are_refused_and_change_nothing(
    sb: Sandbox, line: str, sentence: str
) -> None:
    """Each bad poll, answer or zone gets a clear sentence, and no table or timer changes."""
    await make_circle(sb, "bob")
    before = state(sb)
    out = await sb.say(line)
    assert sentence in out
    assert state(sb) == before


@pytest.mark.parametrize(
    ("line", "sentence"),
    [
        pytest.param(
            "erin: /meeting answer yes no",
            "Answering is for the members of Tuesday",
            id="non-member",
        ),
        pytest.param(
            "bob: /meeting answer yes", "The poll has 2 times, and I read 1 answers", id="too-few"
        ),
        pytest.param(
            "bob: /meeting answer yes perhaps", "“perhaps” isn't one of them", id="bad-word"
        ),
        pytest.param("bob: /meeting answer 3 yes", "there is no time 3", id="no-such-time"),
        pytest.param(
            "bob: /meeting answer yes no poll=7",
            "I couldn't find meeting poll #7",
            id="unknown-poll",
        ),
        pytest.param(
            "alice: /meeting pick 1", "Meeting poll #1 is open until", id="pick-while-open"
        ),
        pytest.param(
            "alice: /meeting poll 2026-03-12 19:00, 2026-03-13 19:00",
            "Tuesday already has a meeting poll open (#1)",
            id="second-poll",
        ),
        pytest.param(
            "bob: /meeting pick 1", "That one is for the facilitators of Tuesday", id="member-picks"
        ),
    ],
)
async def test_bad_answers_are_refused_and_change_nothing(
    sb: Sandbox, line: str, sentence: str
) -> None:
    """With a poll open: answers from outside the circle, or that can't be read, and picks
    before the close, are refused kindly, and nothing changes."""
    await make_circle(sb, "bob")
    await sb.say("alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 closes=1d")
    await sb.say("bob: /meeting answer yes yes")
    before = state(sb)
    out = await sb.say(line)
    assert sentence in out
    assert state(sb) == before


async def test_picks_after_the_close_are_checked(sb: Sandbox) -> None:
    """A pick of a time the poll didn't offer is refused and changes nothing; a good one sets
    the meeting time (replacing an earlier one), once."""
    await make_circle(sb, "bob")
    await sb.say("alice: /meeting set mondays 20:00")
    await sb.say("alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 closes=1d")
    await sb.wait(timedelta(days=1))
    assert "Nobody answered this time." in sb.transcript
    before = state(sb)
    assert "there is no time 3" in await sb.say("alice: /meeting pick 3")
    assert state(sb) == before
    out = await sb.say("alice: /meeting pick 2")
    assert "meets `wednesdays 19:00` (UTC) from now on" in out
    assert "(This replaces the earlier meeting time.)" in out
    assert table(sb, "SELECT form, next_due FROM reflection_schedules") == [
        ("wednesdays 19:00", "2026-03-11T19:00:00.000000Z")
    ]


class Heard:
    """A replier that keeps what the bot answered."""

    def __init__(self) -> None:
        self.replies: list[tuple[str, Visibility]] = []

    async def reply(self, text: str, visibility: Visibility) -> None:
        self.replies.append((text, visibility))

    async def acknowledge(self) -> None:
        self.replies.append(("", Visibility.PERSONAL))


async def test_a_bot_answering_is_refused_and_changes_nothing(sb: Sandbox) -> None:
    """The bot's own account (or any account outside the circle) reaching the command router
    is told answering is for members, and no answer is kept."""
    await make_circle(sb, "bob")
    await sb.say("alice: /meeting poll 2026-03-10 19:00, 2026-03-11 19:00 closes=1d")
    assert sb.app is not None
    assert sb.chat is not None
    before = state(sb)
    heard = Heard()
    await sb.app.router.run_text(
        "meeting answer yes yes",
        invoker=MemberRef(Platform.LOCAL, BOT_ID),
        room=sb.chat.room,
        thread=None,
        replier=heard,
        parse_member=parse_member,
        prefix="/",
    )
    assert [text for text, _ in heard.replies] == [
        "Answering is for the members of Tuesday. You could join with `/circle join Tuesday`."
    ]
    assert state(sb) == before
