"""Giving a proposal more time, and what `show` says while it is open: that an objection or a
block stands, and the reminder that never goes out after the close, extended or not."""

from __future__ import annotations

from datetime import timedelta

from tests.cogs.agreements.support import (
    BLOCK,
    CONSENT,
    OBJECT,
    PROPOSAL_TEXT,
    message_text,
    post_of,
    result,
    snapshot,
    table,
)
from tests.sandbox import Sandbox, make_circle


def reminders_to(sb: Sandbox, member: str) -> list[str]:
    return [n for n in sb.private_to(member) if "proposal 1 in tuesday closes" in n.lower()]


async def test_show_says_when_an_objection_stands(sb: Sandbox) -> None:
    """While an objection is held, `show` says so; once it is taken back, it no longer does."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    out = await sb.say("carol: /agreement show 1")
    assert "stands" not in out
    await sb.say(f"carol +^ {OBJECT}")
    out = await sb.say("carol: /agreement show 1")
    assert "An objection stands, so the proposal stays open for that conversation" in out
    await sb.say(f"carol -^ {OBJECT}", f"carol +^ {CONSENT}")
    out = await sb.say("carol: /agreement show 1")
    assert "stands" not in out


async def test_show_says_when_a_block_stands(sb: Sandbox) -> None:
    """With the proposal process, the same line names a block as a block."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /agreement settings process=proposal")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {BLOCK}")
    out = await sb.say("bob: /agreement show 1")
    assert "A block stands, so the proposal stays open for that conversation" in out
    assert "objection" not in out.lower()


async def test_a_facilitator_extends_the_closing_time_and_the_thread_hears(sb: Sandbox) -> None:
    """The post shows the new closing time, the thread is told, the votes stay, and the close
    comes at the new time, not the old one."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {CONSENT}")
    post = post_of(sb, 1)
    out = await sb.say("alice: /agreement extend 1 48h")
    assert (
        "Proposal 1 has a little more time: voting now closes Saturday 7 March 2026, 17:00" in out
    )
    assert "only alice sees: Proposal 1 now closes Saturday 7 March 2026, 17:00" in out
    assert "Voting closes Saturday 7 March 2026, 17:00" in message_text(sb, post)
    assert table(sb, "SELECT closes_at FROM agreement_proposals") == [
        ("2026-03-07T17:00:00.000000Z",)
    ]
    assert table(sb, "SELECT member_id FROM agreement_reactions") == [("carol",)]
    out = await sb.wait(timedelta(hours=73))  # past the old closing time
    assert "Proposal 1 is" not in out
    assert result(sb, 1) is None
    out = await sb.wait(timedelta(hours=48))
    assert "**Proposal 1 isn't adopted this time.**" in out or "**Proposal 1 is adopted.**" in out


async def test_the_extension_survives_a_restart(sb: Sandbox) -> None:
    """The new closing time is the truth after a restart: nothing closes at the old time."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", "alice: /agreement extend 1 2d")
    await sb.restart()
    out = await sb.wait(timedelta(hours=80))
    assert result(sb, 1) is None
    out = await sb.wait(timedelta(hours=41))
    assert "**Proposal 1 isn't adopted this time.**" in out


async def test_only_facilitators_extend_and_bad_extensions_change_nothing(sb: Sandbox) -> None:
    """A member who isn't a facilitator, too little or too much time, a closed proposal: each
    gets a kind refusal, and the database stays as it was."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    before = snapshot(sb)
    out = await sb.say("bob: /agreement extend 1 24h")
    assert "facilitator" in out.lower()
    out = await sb.say("alice: /agreement extend 1 10m")
    assert "between 1 hour and 30 days" in out
    out = await sb.say("alice: /agreement extend 1 29d")
    assert "at most 30 days from now" in out
    out = await sb.say("alice: /agreement extend 9 24h")
    assert "I couldn't find proposal 9 in Tuesday." in out
    assert snapshot(sb) == before
    await sb.wait(timedelta(hours=73))
    closed = snapshot(sb)
    out = await sb.say("alice: /agreement extend 1 24h")
    assert "Proposal 1 closed on 5 March 2026, so it can't change now." in out
    assert snapshot(sb) == closed


async def test_a_reminder_racing_an_extended_close_stays_quiet_after_a_jump_past_both(
    sb: Sandbox,
) -> None:
    """Extended, then a clock jump past the new reminder time and the new closing time at once:
    the proposal closes and no reminder goes out after it."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}",
        f"alice +^ {CONSENT}",
        f"bob +^ {CONSENT}",
        "alice: /agreement extend 1 24h",
    )
    out = await sb.wait(timedelta(hours=120))
    assert "**Proposal 1 is adopted.**" in out
    assert reminders_to(sb, "carol") == []


async def test_an_extended_reminder_goes_once_before_the_new_close(sb: Sandbox) -> None:
    """The reminder follows the new closing time, and still goes out only once."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", "alice: /agreement extend 1 48h")
    await sb.wait(timedelta(hours=60))  # the old reminder time has passed
    assert reminders_to(sb, "carol") == []
    await sb.wait(timedelta(hours=50))
    (reminder,) = reminders_to(sb, "carol")
    assert "closes Saturday 7 March 2026, 17:00" in reminder
    await sb.wait(timedelta(hours=20))
    assert len(reminders_to(sb, "carol")) == 1
