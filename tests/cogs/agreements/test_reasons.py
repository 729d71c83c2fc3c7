"""Reasons and outcomes: an objection or block invites an optional reason, shown in the thread
with a name or without one as the member chose; the proposer or a facilitator writes the
outcome once it closes, and the registry keeps it next to the agreement."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

from tests.cogs.agreements.support import (
    BLOCK,
    CONSENT,
    OBJECT,
    PROPOSAL_TEXT,
    message_text,
    registry_id,
    snapshot,
    table,
)
from tests.sandbox import Sandbox, make_circle

WHY = "I'd like us to say how we let someone know we're leaving, so nobody worries."


def reason_post(sb: Sandbox) -> str:
    (row,) = table(sb, "SELECT message_id FROM agreement_reasons")
    return str(row[0])


def exported(sb: Sandbox, member: str) -> dict[str, object]:
    text = sb.private_to(member)[-1]
    data: dict[str, object] = json.loads(text.split("```json\n", 1)[1].rsplit("\n```", 1)[0])
    return data


async def test_a_block_with_a_reason_is_shown_without_a_name(sb: Sandbox) -> None:
    """The blocker is invited privately to leave a reason; the reason they give shows in the
    thread as a block's reason, with no name anywhere near it."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /agreement settings process=proposal")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {BLOCK}")
    (invite,) = sb.private_to("carol")
    assert "`/agreement reason 1 <your reason>` shares it in the thread without your name" in invite
    assert "A reason is always optional." in invite
    await sb.say(f"carol: /agreement reason 1 {WHY}")
    assert message_text(sb, reason_post(sb)) == (
        f"💬 A reason shared with a block, without a name:\n> {WHY}"
    )
    assert sb.private_to("carol")[-1] == (
        "Thank you. Your reason is in the thread of proposal 1, without your name."
    )
    assert table(sb, "SELECT member_id, choice, text, named FROM agreement_reasons") == [
        ("carol", "block", WHY, 0)
    ]


async def test_a_named_reason_carries_the_name_and_a_second_edits_the_first(sb: Sandbox) -> None:
    """With shown=named the thread shows who; giving another reason edits the same post."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {OBJECT}")
    await sb.say(f"carol: /agreement reason 1 {WHY} shown=named")
    post = reason_post(sb)
    assert message_text(sb, post) == f"💬 **Carol** shares a reason for their objection:\n> {WHY}"
    out = await sb.say("carol: /agreement reason 1 On second thought, it's about the timing.")
    assert f"✎ #{post} now reads" in out
    assert "A reason shared with an objection, without a name" in message_text(sb, post)
    assert table(sb, "SELECT COUNT(*), MAX(text) FROM agreement_reasons") == [
        (1, "On second thought, it's about the timing.")
    ]


async def test_a_reason_without_an_objection_and_an_overlong_one_change_nothing(
    sb: Sandbox,
) -> None:
    """Someone who doesn't hold an objection, a 5,000-character reason, a non-member, a
    closed proposal: each gets a kind refusal, and nothing is kept or posted."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {CONSENT}")
    before = snapshot(sb), table(sb, "SELECT * FROM agreement_reasons")
    out = await sb.say(f"carol: /agreement reason 1 {WHY}")
    assert "A reason goes with an objection or a block, and I don't see one from you" in out
    await sb.say(f"carol +^ {OBJECT}")
    before = snapshot(sb), table(sb, "SELECT * FROM agreement_reasons")
    out = await sb.say("carol: /agreement reason 1 " + "a" * 5000)
    assert "longer than I can keep (1500 characters at most); could you shorten it?" in out
    out = await sb.say(f"dan: /agreement reason 1 {WHY}")
    assert "Proposals and votes come from the members of Tuesday" in out
    out = await sb.say(f"carol: /agreement reason 1 {WHY} shown=loudly")
    assert "anonymous" in out
    assert (snapshot(sb), table(sb, "SELECT * FROM agreement_reasons")) == before
    assert "A reason shared" not in sb.transcript


async def test_a_reason_kept_but_not_posted_before_a_stop_is_posted_on_start(
    sb: Sandbox,
) -> None:
    """The bot stopped between keeping a reason and posting it: on start it is posted, once."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {OBJECT}")
    await sb.say(f"carol: /agreement reason 1 {WHY}")
    async with sb.down():
        with sqlite3.connect(sb.config.database_path) as conn:
            conn.execute("UPDATE agreement_reasons SET message_id = NULL")
        sb.mark()
    assert sb.since_mark.count("A reason shared with an objection") == 1
    await sb.restart()
    assert table(sb, "SELECT COUNT(*) FROM agreement_reasons WHERE message_id IS NOT NULL") == [
        (1,)
    ]


async def test_the_outcome_goes_into_the_thread_and_the_registry(sb: Sandbox) -> None:
    """After the close the thread invites an outcome statement; the proposer writes it, the
    thread shows it and the registry keeps it next to the agreement."""
    await make_circle(sb, "bob", "carol")
    out = await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}",
        f"alice +^ {CONSENT}",
        f"bob +^ {CONSENT}",
        f"carol +^ {CONSENT}",
    )
    assert "`/agreement outcome 1 <what we decided, and why>`" in out
    outcome = "We agreed that time is shared, so we keep to it, and leaving is always fine."
    out = await sb.say(f"bob: /agreement outcome 1 {outcome}")
    assert "📝 **The outcome of proposal 1, in our own words:**" in out
    assert message_text(sb, sb.last_message) == (
        f"📝 **The outcome of proposal 1, in our own words:**\n> {outcome}"
    )
    assert (
        "The outcome of proposal 1 is in its thread and next to agreement 1 in our registry" in out
    )
    registry = registry_id(sb)
    assert registry is not None
    assert f"_{outcome}_" in message_text(sb, registry)
    out = await sb.say("carol: /agreement show 1")
    assert f"In our words: {outcome}" in out
    assert table(sb, "SELECT outcome FROM agreement_proposals") == [(outcome,)]


async def test_a_facilitator_writes_the_outcome_of_a_proposal_not_adopted(sb: Sandbox) -> None:
    """Alice (a facilitator) writes the outcome of a proposal that didn't pass: it goes into
    the thread; there is no agreement, so the registry isn't touched."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {OBJECT}")
    await sb.wait(timedelta(hours=73))
    out = await sb.say("alice: /agreement outcome 1 We'll talk about leaving early next time.")
    assert "**The outcome of proposal 1, in our own words:**" in out
    assert "The outcome of proposal 1 is in its thread." in out
    assert registry_id(sb) is None
    out = await sb.say("bob: /agreement show 1")
    assert "In our words: We'll talk about leaving early next time." in out


async def test_only_the_proposer_or_a_facilitator_writes_it_and_only_after_the_close(
    sb: Sandbox,
) -> None:
    """Another member, an open proposal, an unknown one, too long: kind refusals, nothing kept."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    before = snapshot(sb)
    out = await sb.say("bob: /agreement outcome 1 We did it.")
    assert "Proposal 1 is still open, so its outcome isn't known yet." in out
    await sb.wait(timedelta(hours=73))
    before = snapshot(sb)
    out = await sb.say("carol: /agreement outcome 1 We did it.")
    assert "is written by whoever proposed it, or by a facilitator" in out
    out = await sb.say("bob: /agreement outcome 7 We did it.")
    assert "I couldn't find proposal 7 in Tuesday." in out
    out = await sb.say("bob: /agreement outcome 1 " + "b" * 1001)
    assert "1000 characters at most" in out
    assert snapshot(sb) == before


async def test_reasons_are_in_the_export_and_go_when_forgotten(sb: Sandbox) -> None:
    """A member's reasons are in their copy, with how they were shown; forgetting erases them."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {OBJECT}")
    await sb.say(f"carol: /agreement reason 1 {WHY} shown=named", "carol: /privacy export")
    data = exported(sb, "carol")["agreements"]
    assert isinstance(data, dict)
    assert data["reasons_shared"] == [
        {
            "proposal": 1,
            "circle": "Tuesday",
            "version": 1,
            "with": "object",
            "text": WHY,
            "shown": "named",
            "given_at": "2026-03-02T17:00:00.000000Z",
        }
    ]
    await sb.say("carol: /privacy forget", "carol: /privacy forget confirm")
    assert table(sb, "SELECT COUNT(*) FROM agreement_reasons") == [(0,)]
    assert sb.rows_naming("carol") == 0
