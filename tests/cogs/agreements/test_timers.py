"""Timers keep their word: after a clock jump or downtime past a reminder and a close, no
reminder arrives for a proposal that has closed, and dates count from the closing time."""

from __future__ import annotations

from datetime import timedelta

from tests.cogs.agreements.support import CONSENT, PROPOSAL_TEXT, table
from tests.sandbox import Sandbox, make_circle


def reminders_to(sb: Sandbox, member: str) -> list[str]:
    """The private reminders about proposal 1 this member received."""
    return [n for n in sb.private_to(member) if "proposal 1 in tuesday closes" in n.lower()]


async def test_a_jump_past_the_reminder_and_the_close_sends_no_reminder(sb: Sandbox) -> None:
    """The reminder timer fires after the closing time has passed: it stays quiet, and the
    proposal closes as it would have."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    out = await sb.wait(timedelta(hours=80))
    assert "**Proposal 1 is adopted.**" in out
    assert reminders_to(sb, "carol") == []


async def test_downtime_past_the_reminder_and_the_close_sends_no_reminder(sb: Sandbox) -> None:
    """Back after both times passed, the bot closes the proposal and sends no reminder."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    async with sb.down():
        sb.clock.advance(timedelta(hours=80))
        sb.mark()
    await sb.wait(timedelta(minutes=5))
    assert "**Proposal 1 is adopted.**" in sb.since_mark
    assert reminders_to(sb, "carol") == []


async def test_twin_proposals_with_the_same_times_are_treated_the_same(sb: Sandbox) -> None:
    """Two proposals opened together, with a jump past both reminders and closes: neither
    sends a reminder, and both close."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}",
        "bob: /agreement propose We keep what's shared here in the circle.",
    )
    out = await sb.wait(timedelta(days=4))
    assert "**Proposal 1 isn't adopted this time.**" in out
    assert "**Proposal 2 isn't adopted this time.**" in out
    assert [n for n in sb.private_to("carol") if "in tuesday closes" in n.lower()] == []


async def test_a_reminder_before_the_close_still_goes_after_a_jump_short_of_it(sb: Sandbox) -> None:
    """A jump past the reminder time but not the closing time still sends the one reminder."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    await sb.wait(timedelta(hours=60))
    assert len(reminders_to(sb, "carol")) == 1


async def test_a_late_close_after_a_jump_counts_the_review_from_the_closing_time(
    sb: Sandbox,
) -> None:
    """The clock jumps 8 hours past the closing time: the proposal is closed when it is
    processed, but the agreement is adopted as of the closing time, and its review comes 90
    days after that, not after the moment it was processed."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    await sb.wait(timedelta(hours=80))
    assert table(sb, "SELECT closed_at FROM agreement_proposals") == [
        ("2026-03-06T01:00:00.000000Z",)
    ]
    assert table(sb, "SELECT adopted_at, review_at FROM agreements") == [
        ("2026-03-05T17:00:00.000000Z", "2026-06-03T17:00:00.000000Z")
    ]


async def test_a_close_after_downtime_counts_the_review_from_the_closing_time(sb: Sandbox) -> None:
    """Back three days after the closing time, the bot closes the proposal as of that time."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}")
    async with sb.down():
        sb.clock.advance(timedelta(days=6))
    assert table(sb, "SELECT adopted_at, review_at FROM agreements") == [
        ("2026-03-05T17:00:00.000000Z", "2026-06-03T17:00:00.000000Z")
    ]


async def test_an_early_close_counts_from_the_moment_everyone_had_voted(sb: Sandbox) -> None:
    """A proposal that closes early because everyone voted counts from that moment."""
    await make_circle(sb, "bob")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    await sb.wait(timedelta(hours=2))
    await sb.say(f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    assert table(sb, "SELECT adopted_at, review_at FROM agreements") == [
        ("2026-03-02T19:00:00.000000Z", "2026-05-31T19:00:00.000000Z")
    ]
