"""The sandbox across the bot's restarts: the room is read back from its file, ids go on
counting, threads stay, and reactions made while the bot was away are reconciled."""

from __future__ import annotations

import sqlite3

from bot.chat import ReactionAdded
from tests.bot.platforms.local.test_adapter import ear
from tests.sandbox import Sandbox, make_circle

CONSENT = "\N{WHITE HEAVY CHECK MARK}"
OBJECT = "\N{RAISED HAND}"


def voters(sb: Sandbox, proposal: int = 1) -> set[str]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        rows = conn.execute(
            "SELECT member_id FROM agreement_reactions WHERE proposal_id = ?", (proposal,)
        )
        return {row[0] for row in rows}


def proposal_post(sb: Sandbox, proposal: int = 1) -> str:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        row = conn.execute(
            "SELECT message_id FROM agreement_proposals WHERE id = ?", (proposal,)
        ).fetchone()
    return str(row[0])


async def test_after_a_restart_a_reaction_counts_only_on_the_message_it_was_made_on(
    sb: Sandbox,
) -> None:
    """New messages after a restart take new numbers, so a ✅ on one of them is never a vote,
    and the closing edits the proposal's own post, not a stranger's."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say("bob: /agreement propose We start on time.", f"alice +^ {CONSENT}")
    post = proposal_post(sb)
    before = {int(m) for m in sb.chat_or_fail().messages}
    await sb.restart()
    await sb.say(*(f"carol: an ordinary message {n}" for n in range(12)))
    newest = sb.last_message
    assert int(newest) > max(before)
    await sb.say(f"bob +{newest} {CONSENT}", f"dan +{newest} {CONSENT}")
    assert voters(sb) == {"alice"}
    await sb.say(f"bob +{post} {CONSENT}", f"carol +^ {CONSENT}", f"dan +^ {OBJECT}")
    assert voters(sb) == {"alice", "bob", "carol", "dan"}
    assert sb.chat_or_fail().messages[newest].text == "an ordinary message 11"


async def test_threads_come_back_so_the_newest_thread_still_works(sb: Sandbox) -> None:
    """A round's thread is still the newest thread after a restart, and the round goes on in it."""
    await make_circle(sb, "bob")
    await sb.say("alice: /round start How are you arriving?")
    thread = sb.last_thread
    await sb.restart()
    out = await sb.say("alice ^: done")
    assert f"[in #{thread} " in out
    assert "Bob" in out  # the talking piece moves on to Bob


async def test_the_bot_away_hears_nothing_and_catches_up_when_it_is_back(sb: Sandbox) -> None:
    """Between `:down` and `:up` the room takes reactions, messages and time, the bot hears
    none of it, and on `:up` it reconciles: the votes made meanwhile count."""
    await make_circle(sb, "bob", "carol")
    await sb.say("bob: /agreement propose We start on time.", f"alice +^ {CONSENT}")
    out = await sb.say(":down")
    assert "The bot is away now" in out
    assert not sb.up
    out = await sb.say(f"bob +^ {CONSENT}", "carol: I'll vote in a moment", f"carol +^ {CONSENT}")
    assert "✅ bob reacted to" in out
    assert "Proposal 1 is adopted" not in out
    out = await sb.say(":up")
    assert sb.up
    assert "The bot is back" in out
    assert "**Proposal 1 is adopted.**" in out
    assert "3 of 3 members voted" in out


async def test_commands_while_the_bot_is_away_get_no_answer(sb: Sandbox) -> None:
    """A command typed while the bot is away is a message in the room and nothing more."""
    await sb.say(":down")
    out = await sb.say("alice: /circle create Tuesday")
    assert "#1 alice: /circle create Tuesday" in out
    assert "The bot is away, so nobody answers `/circle`" in out
    await sb.say(":up")
    assert "isn't home to a circle" in await sb.say("alice: /circle members")


async def test_time_moved_while_away_is_caught_up_on_up(sb: Sandbox) -> None:
    """`:wait` while away moves only the clock; the proposal that closed meanwhile is counted
    with the reactions made meanwhile once the bot is back."""
    await make_circle(sb, "bob", "carol")
    await sb.say("bob: /agreement propose We start on time.")
    out = await sb.say(":down", f"bob +^ {CONSENT}", ":wait 4d")
    assert "the bot is away, so it catches up on `:up`" in out
    assert "Proposal 1 is" not in out
    out = await sb.say(":up")
    assert "**Proposal 1" in out
    assert "1 of 3 members voted" in out


async def test_down_and_up_say_so_when_there_is_nothing_to_do(sb: Sandbox) -> None:
    """`:up` while the bot is here, and `:down` while it is away, change nothing."""
    assert "here already" in await sb.say(":up")
    assert sb.up
    await sb.say(":down")
    assert "away already" in await sb.say(":down")
    assert not sb.up
    await sb.say(":up")
    assert sb.up


async def test_the_bot_hears_the_room_again_after_up(sb: Sandbox) -> None:
    """After `:up`, reactions are events again."""
    await sb.say("alice: hello", ":down", ":up")
    listener = ear(sb)
    await sb.say(f"bob +1 {CONSENT}")
    assert [type(e) for e in listener.heard] == [ReactionAdded]


async def test_time_waited_while_away_stays_waited(sb: Sandbox) -> None:
    """The clock moved while the bot was away is where the bot finds it when it is back."""
    await sb.say(":down", ":wait 2h", ":up")
    assert "Monday 2 March 2026, 19:00 UTC" in await sb.say(":time")
