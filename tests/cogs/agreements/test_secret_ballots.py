"""Secret ballots, spoken through the sandbox: members vote privately (in their direct chat
with the bot, ``bob > /agreement vote 1 object``), the thread shows only how many have voted,
a member checks and changes their own vote, reactions on the post come off with a private
note, the close gives counts only (names only when the circle chose so), and after the close
nothing in the store, nor in the database file, says who voted what."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.chat import MemberRef, MessageRef, Platform, ReactionAdded, RoomRef
from tests.cogs.agreements.support import (
    BLOCK,
    CONSENT,
    OBJECT,
    PROPOSAL_TEXT,
    message_text,
    post_of,
    snapshot,
    table,
)
from tests.sandbox import Sandbox, make_circle

# Names no other row or text would hold, so that the file scan finds only what it looks for.
VOTERS = ("zephyrine", "quillon", "marisol")


def ballots(sb: Sandbox) -> list[tuple[object, ...]]:
    return table(sb, "SELECT proposal_id, member_id, choice FROM agreement_ballots ORDER BY 2")


async def secret_circle(sb: Sandbox, ballot: str = "secret") -> str:
    """Alice's circle with the three voters; Zephyrine proposes by secret ballot."""
    await make_circle(sb, *VOTERS)
    await sb.say(f"zephyrine: /agreement propose {PROPOSAL_TEXT} ballot={ballot}")
    return post_of(sb, 1)


async def test_a_secret_proposal_says_how_to_vote_and_shows_only_the_turnout(
    sb: Sandbox,
) -> None:
    """No option reactions on the post; it says how to vote privately; after a vote the post
    shows how many have voted, and the room hears nothing about how."""
    post = await secret_circle(sb)
    assert sb.chat is not None
    assert sb.chat.messages[post].reactions == {}
    text = message_text(sb, post)
    assert (
        "with a secret ballot: each of us votes privately with `/agreement vote 1 <option>`" in text
    )
    assert "✋ `object`: I can't go along with this yet" in text
    assert "So far 0 of 4 of us have voted." in text
    sb.mark()
    await sb.say("quillon > /agreement vote 1 object")
    assert "So far 1 of 4 of us have voted." in message_text(sb, post)
    assert sb.private_to("quillon")[-1].startswith(
        "Your vote on proposal 1 is **object** now, and only you can see it."
    )
    room_lines = [
        line
        for line in sb.since_mark.splitlines()
        if "private to" not in line and "direct chat" not in line
    ]
    assert not any("uillon" in line for line in room_lines)  # the room never hears who
    assert "An objection has come in." not in sb.transcript  # the thread hears only the turnout
    out = await sb.say("alice: /agreement show 1")
    assert "1 of 4 members have voted so far." in out
    assert "stands" not in out
    assert ballots(sb) == [(1, "quillon", "object")]
    assert table(sb, "SELECT COUNT(*) FROM agreement_reactions") == [(0,)]


async def test_a_member_checks_and_changes_their_secret_vote(sb: Sandbox) -> None:
    """Asked alone, `vote 1` tells only them their vote; voting again changes it; the same vote
    twice changes nothing; withdraw takes it back; the turnout follows."""
    post = await secret_circle(sb)
    await sb.say("marisol > /agreement vote 1")
    assert "You haven't voted on proposal 1 yet." in sb.private_to("marisol")[-1]
    await sb.say("marisol > /agreement vote 1 concern", "marisol > /agreement vote 1")
    assert sb.private_to("marisol")[-1].startswith("Your vote on proposal 1 is **concern**")
    await sb.say("marisol > /agreement vote 1 consent")
    assert ballots(sb) == [(1, "marisol", "consent")]
    await sb.say("marisol > /agreement vote 1 consent")
    assert "already **consent**; nothing changed" in sb.private_to("marisol")[-1]
    await sb.say("marisol > /agreement vote 1 withdraw")
    assert "Your vote on proposal 1 is withdrawn." in sb.private_to("marisol")[-1]
    assert ballots(sb) == []
    assert "So far 0 of 4 of us have voted." in message_text(sb, post)


async def test_non_members_bots_and_bad_votes_change_nothing(sb: Sandbox) -> None:
    """A non-member's vote, an option of the other process, an unknown proposal, a vote on an
    open-ballot proposal, and a bot's reaction: kind refusals, and nothing is kept."""
    post = await secret_circle(sb)
    await sb.say("alice: /agreement propose We ask before offering ideas.")
    before = snapshot(sb), ballots(sb)
    await sb.say("dan > /agreement vote 1 consent")
    assert "Proposals and votes come from the members of Tuesday" in sb.private_to("dan")[-1]
    await sb.say("quillon > /agreement vote 1 block")
    assert "Proposal 1 takes one of `consent`, `concern`, `object`" in sb.private_to("quillon")[-1]
    await sb.say("quillon > /agreement vote 9 consent")
    assert "I couldn't find an open proposal 9" in sb.private_to("quillon")[-1]
    await sb.say("quillon > /agreement vote 2 consent")
    assert "decided with reactions on its post" in sb.private_to("quillon")[-1]
    assert sb.app is not None
    await sb.app.receive(
        ReactionAdded(
            MessageRef(RoomRef(Platform.LOCAL, "sandbox", "room"), post),
            MemberRef(Platform.LOCAL, "helperbot"),
            CONSENT,
            datetime.now(UTC),
            by_bot=True,
        )
    )
    assert (snapshot(sb), ballots(sb)) == before
    assert sb.private_to("helperbot") == []


async def test_a_reaction_on_a_secret_post_comes_off_with_a_private_note(sb: Sandbox) -> None:
    """A member's ✋ on the post is taken off and they hear privately how to vote; it isn't a
    vote. A non-member's comes off too, with the note for people outside the circle. Any other
    reaction stays."""
    post = await secret_circle(sb)
    await sb.say(f"quillon +^ {OBJECT}", "dan +^ ✅", "marisol +^ heart")
    assert sb.chat is not None
    assert set(sb.chat.messages[post].reactions) == {"❤"}
    (note,) = sb.private_to("quillon")
    assert "decided by secret ballot, so I've taken your reaction off its post" in note
    assert "`/agreement vote 1 <option>`" in note
    assert "your reaction isn't counted" in sb.private_to("dan")[0]
    assert ballots(sb) == []
    assert table(sb, "SELECT COUNT(*) FROM agreement_reactions") == [(0,)]


async def test_the_close_gives_counts_only_and_keeps_no_choices(sb: Sandbox) -> None:
    """When everyone has voted the proposal closes early (nobody objects): the outcome gives
    counts and no names, and every private vote is erased from the store."""
    await secret_circle(sb)
    for who, choice in (("alice", "consent"), ("zephyrine", "consent"), ("quillon", "concern")):
        await sb.say(f"{who} > /agreement vote 1 {choice}")
    out = await sb.say("marisol > /agreement vote 1 consent")
    assert "**Proposal 1 is adopted.**" in out
    assert "✅ consent 3 · 🤔 concern 1 · ✋ object 0 · 4 of 4 members voted." in out
    assert "As the circle chose" not in out
    assert not any(name.capitalize() in out for name in VOTERS[1:])
    assert ballots(sb) == []


async def test_names_are_shown_at_the_close_only_when_the_circle_chose_so(sb: Sandbox) -> None:
    """With named-at-close the close names who chose what, once, in the thread; the store
    still keeps none of it."""
    await make_circle(sb, *VOTERS)
    await sb.say("alice: /agreement settings ballot=named-at-close")
    await sb.say(f"zephyrine: /agreement propose {PROPOSAL_TEXT}")
    for who, choice in (("alice", "consent"), ("zephyrine", "consent"), ("quillon", "object")):
        await sb.say(f"{who} > /agreement vote 1 {choice}")
    out = await sb.wait(timedelta(hours=73))
    assert "**Proposal 1 isn't adopted this time.**" in out
    assert (
        "As the circle chose, who chose what: ✅ consent: Alice, Zephyrine · 🤔 concern: nobody "
        "· ✋ object: Quillon." in out
    )
    assert ballots(sb) == []


async def test_a_secret_vote_survives_a_restart_and_a_reaction_made_meanwhile_comes_off(
    sb: Sandbox,
) -> None:
    """Killed mid-ballot and started again: the private votes stand, the turnout is right, and
    a reaction added on the post while the bot was away comes off with its note."""
    post = await secret_circle(sb)
    await sb.say("quillon > /agreement vote 1 concern")
    async with sb.down() as chat:
        chat.toggle_reaction("marisol", post, OBJECT, add=True)
    assert sb.chat is not None
    assert OBJECT not in sb.chat.messages[post].reactions
    assert "taken your reaction off" in sb.private_to("marisol")[-1]
    assert ballots(sb) == [(1, "quillon", "concern")]
    await sb.say("marisol > /agreement vote 1 consent")
    assert "So far 2 of 4 of us have voted." in message_text(sb, post)


async def test_export_and_forget_on_a_secret_ballot(sb: Sandbox) -> None:
    """The export holds one's own open secret vote and says what happens at the close;
    forgetting erases it, and the turnout follows."""
    post = await secret_circle(sb)
    await sb.say("quillon > /agreement vote 1 object", "quillon: /privacy export")
    text = sb.private_to("quillon")[-1]
    data = json.loads(text.split("```json\n", 1)[1].rsplit("\n```", 1)[0])["agreements"]
    assert data["secret_votes_on_open_proposals"] == [
        {
            "proposal": 1,
            "circle": "Tuesday",
            "vote": "object",
            "cast_at": "2026-03-02T17:00:00.000000Z",
            "names_shown_at_close": False,
        }
    ]
    assert (
        "When it closes, how each of us voted is erased and only the counts remain"
        in (data["secret_ballots"])
    )
    await sb.say("quillon: /privacy forget", "quillon: /privacy forget confirm")
    assert ballots(sb) == []
    assert sb.rows_naming("quillon") == 0
    await sb.say("marisol > /agreement vote 1 consent")
    assert "So far 1 of 3 of us have voted." in message_text(sb, post)


def scan(path: Path, needles: list[bytes]) -> list[bytes]:
    """Which needles appear anywhere in the file's bytes (and its write-ahead log)."""
    found = []
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            data = file.read_bytes()
            found += [n for n in needles if n in data]
    return found


async def test_after_the_close_the_database_file_holds_no_one_s_vote(sb: Sandbox) -> None:
    """Every table is read, and the database file itself is scanned byte by byte, after the
    close: no row and no leftover page pairs a voter with what they chose."""
    await make_circle(sb, *VOTERS)
    await sb.say("alice: /agreement settings process=proposal")
    await sb.say(f"zephyrine: /agreement propose {PROPOSAL_TEXT} ballot=secret")
    choices = {"zephyrine": "agree", "quillon": "block", "marisol": "disagree"}
    for who, choice in choices.items():
        await sb.say(f"{who} > /agreement vote 1 {choice}")
    assert sb.app is not None
    path = Path(sb.app.db.path)
    # while open the votes are there (the scan can see them)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert scan(path, [b"quillon" + b"block"]) == [b"quillon" + b"block"]
    await sb.wait(timedelta(hours=73))
    assert "**Proposal 1 isn't adopted this time.**" in sb.transcript
    assert "👍 agree 1 · 🤷 abstain 0 · 👎 disagree 1 · 🛑 block 1" in sb.transcript
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            for row in conn.execute(f"SELECT * FROM {name}"):  # noqa: S608 - names from the schema
                cells = {str(c) for c in row}
                for who, choice in choices.items():
                    assert not (who in cells and choice in cells), (name, row)
    needles = [who.encode() + choice.encode() for who, choice in choices.items()]
    needles += [choice.encode() + who.encode() for who, choice in choices.items()]
    assert scan(path, needles) == []
    assert BLOCK in sb.transcript  # the count line names the option, not the person
