"""Check-in rounds through the sandbox: order, turns, time box, late joiners, restart."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from tests.sandbox import Sandbox, make_circle


def turns(sb: Sandbox) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(
            "SELECT member_id, outcome FROM round_turns ORDER BY position"
        ).fetchall()


async def test_a_round_names_the_order_and_passes_the_piece_to_the_end(sb: Sandbox) -> None:
    """The facilitator begins; each person says done or pass in turn; the summary names who shared and passed."""
    await make_circle(sb, "bob", "carol")
    out = await sb.say("alice: /round start How are you arriving today?")
    assert "The talking piece goes round in this order: Alice, Bob, Carol." in out
    assert "> How are you arriving today?" in out
    assert "Alice, the talking piece is with you." in out
    out = await sb.say("alice ^: done")
    assert "Thank you, Alice. Bob, the talking piece is with you." in out
    out = await sb.say("bob ^: pass")
    assert "passing is always welcome. Carol, the talking piece is with you." in out
    out = await sb.say("carol ^: /round done")
    assert "That completes the round for **Tuesday**" in out
    assert "Shared: Alice, Carol" in out
    assert "Passed: Bob" in out
    assert turns(sb) == []  # nothing about the turns outlives the round


async def test_done_out_of_turn_is_refused_gently(sb: Sandbox) -> None:
    """Someone who says done before their turn hears whose turn it is, and the piece stays put."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /round start")
    before = turns(sb)
    out = await sb.say("carol ^: /round done")
    assert (
        "only carol sees: The talking piece is with Alice right now. Your turn comes after 1 more."
        in out
    )
    out = await sb.say("carol ^: done")
    assert "The talking piece is with Alice right now." in out
    assert turns(sb) == before


async def test_a_non_facilitator_cannot_start_a_round(sb: Sandbox) -> None:
    """Starting a round is for facilitators; a member is told so and no round opens."""
    await make_circle(sb, "bob")
    out = await sb.say("bob: /round start")
    assert "That one is for the facilitators of Tuesday" in out
    assert "There's no round open in Tuesday" in await sb.say("bob: /round status")


async def test_one_round_at_a_time(sb: Sandbox) -> None:
    """A second start while a round is open points to the open one."""
    await make_circle(sb, "bob")
    await sb.say("alice: /round start")
    out = await sb.say("alice: /round start")
    assert "A round is already open in Tuesday" in out


async def test_next_moves_the_piece_and_only_for_facilitators(sb: Sandbox) -> None:
    """A facilitator's `next` moves the piece on; from anyone else, "next" is just a word."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /round start", "alice ^: done")
    quiet = await sb.say("carol ^: next")
    assert "moves on" not in quiet
    out = await sb.say("alice ^: next")
    assert "The talking piece moves on. Carol, the talking piece is with you." in out
    out = await sb.say("carol ^: done")
    assert "Moved on: Bob" in out


def time_notes(sb: Sandbox, member: str) -> list[str]:
    return [n for n in sb.private_to(member) if "No rush" in n]


async def test_the_time_box_sends_one_private_no_rush_note(sb: Sandbox) -> None:
    """When a turn's time is up, the person sharing hears once, privately, that there's no
    rush; the thread names nobody, and a second note never comes."""
    await make_circle(sb, "bob")
    out = await sb.say("alice: /round start turn=3m")
    assert (
        "Each turn has about 3 minutes. When it's up, whoever has the talking piece hears so privately; there's no rush."
        in out
    )
    await sb.wait(timedelta(minutes=2))
    assert time_notes(sb, "alice") == []
    sb.mark()
    await sb.wait(timedelta(minutes=2))
    assert time_notes(sb, "alice") == [
        "Your turn in the round for **Tuesday** has had its 3 minutes. No rush: finish in your own time, then say `done` in the round's thread."
    ]
    assert "[in #" not in sb.since_mark  # nothing said in the round's thread
    await sb.wait(timedelta(minutes=10))
    assert len(time_notes(sb, "alice")) == 1
    await sb.say("alice ^: done")
    await sb.wait(timedelta(minutes=3))
    assert len(time_notes(sb, "bob")) == 1


async def test_with_private_messages_closed_the_time_box_stays_quiet(sb: Sandbox) -> None:
    """If the person sharing can't be reached privately, nothing is said aloud instead."""
    await make_circle(sb, "bob")
    await sb.say(":dms alice closed", "alice: /round start turn=1m")
    sb.mark()
    await sb.wait(timedelta(minutes=2))
    assert "No rush" not in sb.since_mark
    assert "Alice" not in sb.since_mark


async def test_a_late_joiner_goes_to_the_end_and_a_leaver_is_skipped(sb: Sandbox) -> None:
    """Joining mid-round adds you at the end; leaving mid-round takes your turn out."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /round start")
    out = await sb.say("dan: /circle join")
    assert "Welcome, Dan. You're at the end of the order for this round." in out
    await sb.say("alice ^: done")
    out = await sb.say("bob: /circle leave")
    assert "Carol, the talking piece is with you." in out
    await sb.say("carol ^: done")
    out = await sb.say("dan ^: done")
    assert "Shared: Alice, Carol, Dan" in out
    assert "Left the circle: Bob" in out


async def test_a_round_survives_a_restart_and_continues_with_the_right_person(sb: Sandbox) -> None:
    """Closing the bot mid-round and opening it again carries on with whoever held the piece."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /round start turn=5m", "alice ^: done")
    await sb.restart()
    out = await sb.say("carol ^: done")
    assert "The talking piece is with Bob right now" in out
    out = await sb.wait(timedelta(minutes=6))
    assert len(time_notes(sb, "bob")) == 1  # the time box was re-armed from the database
    out = await sb.say("bob ^: done")
    assert "Carol, the talking piece is with you." in out
    out = await sb.say("carol ^: pass")
    assert "Shared: Alice, Bob" in out


async def test_a_round_closes_when_the_circle_rests(sb: Sandbox) -> None:
    """Resting a circle closes its open round with a summary."""
    await make_circle(sb, "bob")
    await sb.say("alice: /round start", "alice ^: done")
    out = await sb.say("alice: /circle close")
    assert "Tuesday is resting now, so this round closes here." in out
    assert "Still to come when it closed: Bob" in out


async def test_ending_early_and_status(sb: Sandbox) -> None:
    """Status tells where the piece is; a facilitator can end the round early."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /round start", "alice ^: pass")
    out = await sb.say("carol: /round status")
    assert "the talking piece is with Bob. Still to come: Carol." in out
    out = await sb.say("alice: /round end")
    assert "The round for **Tuesday** closes here." in out
    assert "Passed: Alice" in out


async def test_someone_outside_the_circle_is_not_in_the_round(sb: Sandbox) -> None:
    """A non-member who says done is told the round is for members; the piece stays."""
    await make_circle(sb, "bob")
    await sb.say("alice: /round start")
    out = await sb.say("zoe ^: /round done")
    assert "This round is for the members of Tuesday" in out
    quiet = await sb.say("zoe ^: done")
    assert "circlekeeper" not in quiet  # plain words from outsiders get no public reply
