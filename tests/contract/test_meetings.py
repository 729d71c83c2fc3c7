"""Finding a meeting time on every platform: a secret poll read on a member's own clock,
answered privately, carried across a restart, closed by its alarm once, and its chosen time
made the circle's meeting time."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.driver import OpenWorld, snapshot, table
from tests.contract.test_circles import make_circle

CLOSED = "The meeting poll for Tuesday has closed"


async def test_a_secret_meeting_poll_from_the_offer_to_the_meeting_time(world: OpenWorld) -> None:
    """Times are read in the member's own zone, answers are private, a restart loses nothing,
    the close comes once with counts only, and the pick sets the weekly meeting."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    await d.ask("bob", "meeting zone Asia/Kolkata", expect="poll times in Asia/Kolkata now")
    opened = await d.ask(
        "alice",
        "meeting poll 2026-03-10 19:00, 2026-03-11 18:30 closes=1d mode=secret",
        expect="Finding a meeting time for Tuesday",
    )
    assert not opened.private
    assert "**1.** Tue 10 Mar, 19:00 (UTC)" in opened.text

    times = await d.ask("bob", "meeting times", expect="Meeting poll #1 for Tuesday")
    assert times.private
    assert "**1.** Wed 11 Mar 2026, 00:30" in times.text  # 19:00 UTC is past midnight in Kolkata
    assert "**2.** Thu 12 Mar 2026, 00:00" in times.text

    answered = await d.ask("bob", "meeting answer yes no", expect="Your answers for Tuesday")
    assert answered.private
    assert "**2.** Thu 12 Mar, 00:00: no" in answered.text
    before = snapshot(d)
    refused = await d.ask("bob", "meeting answer yes perhaps", expect="isn't one of them")
    assert refused.private
    assert snapshot(d) == before

    await d.down()
    await d.up()
    await d.ask("carol", "meeting answer yes if-need-be", expect="Your answers for Tuesday")
    assert not [p for p in await d.bot_posts() if "answered the meeting poll" in p.text]

    assert await d.pass_time(timedelta(days=1)) >= 1
    result = await d.bot_post(CLOSED)
    assert "**1.** Tue 10 Mar, 19:00 (UTC): 2 yes, 0 if need be, 0 no" in result.text
    assert "**2.** Wed 11 Mar, 18:30 (UTC): 0 yes, 1 if need be, 1 no" in result.text
    assert d.name("bob") not in result.text
    assert d.name("carol") not in result.text
    await d.private("alice", "The meeting poll you started for **Tuesday** (#1) has closed")
    assert table(d, "SELECT COUNT(*) FROM meeting_poll_answers") == [(0,)]

    await d.down()
    await d.up()
    assert await d.run_due() == 0
    assert len([p for p in await d.bot_posts() if CLOSED in p.text]) == 1

    picked = await d.ask("alice", "meeting pick 1", expect="meets `tuesdays 19:00` (UTC)")
    assert not picked.private
    assert table(d, "SELECT kind, form, next_due FROM reflection_schedules") == [
        ("meeting", "tuesdays 19:00", "2026-03-10T19:00:00.000000Z")
    ]
