"""`support call` as conversations in the sandbox: who is asked and in what order, taking a
call, moving on when nobody answers, closed private messages, a restart mid-call, and
forgetting during an open call."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.sandbox import Sandbox

LINE = "the evenings are long lately"


@pytest.fixture
async def sbm(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A sandbox with two moderators: alice (who makes circles) and mo."""
    sandbox = Sandbox(tmp_path, moderators=("alice", "mo"))
    await sandbox.open()
    try:
        yield sandbox
    finally:
        await sandbox.close()


async def tuesday(sb: Sandbox, *, pass_to_bob: bool = True) -> None:
    """Tuesday: alice made it; bob, carol and dan joined; bob is on the rota and holds it."""
    await sb.say("alice: /circle create Tuesday A small circle.")
    for member in ("bob", "carol", "dan"):
        await sb.say(f"{member}: /circle join")
    await sb.say("alice: /circle rota add @bob")
    if pass_to_bob:
        await sb.say("alice: /circle rota pass")


def asks_to(sb: Sandbox, member: str) -> list[str]:
    return [t for t in sb.private_to(member) if "would like someone to reach out" in t]


def calls(sb: Sandbox) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute("SELECT id, status, member_id, line FROM support_calls").fetchall()


async def test_the_rota_holder_is_asked_first_and_takes_it(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say(f"carol: /support call {LINE}")
    assert len(asks_to(sbm, "bob")) == 1
    assert LINE in asks_to(sbm, "bob")[0]
    assert asks_to(sbm, "alice") == []
    assert asks_to(sbm, "mo") == []
    told = sbm.private_to("carol")[-1]
    assert "I've asked Bob, who is facilitating Tuesday now, privately." in told
    assert "findahelpline.com" in told  # the places to reach, again
    await sbm.say("bob: /support take 1")
    assert "the call is yours" in sbm.private_to("bob")[-1]
    assert sbm.private_to("carol")[-1] == "Bob has your call and will reach out to you."
    assert calls(sbm) == [(1, "taken", "carol", None)]  # the line went with the open call
    await sbm.wait(timedelta(hours=2))
    assert asks_to(sbm, "alice") == []  # taken: nobody else is asked


async def test_nothing_is_posted_in_the_circle(sbm: Sandbox) -> None:
    await tuesday(sbm)
    before = dict(sbm.chat_or_fail().messages)
    await sbm.say(f"carol: /support call {LINE}")
    await sbm.wait(timedelta(hours=13))
    bot_posts = [
        m for k, m in sbm.chat_or_fail().messages.items() if k not in before and m.author != "carol"
    ]
    assert bot_posts == []


async def test_nobody_answering_moves_on_to_the_next_in_line(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support call")
    await sbm.wait(timedelta(minutes=14))
    assert asks_to(sbm, "alice") == []
    await sbm.wait(timedelta(minutes=2))
    assert len(asks_to(sbm, "alice")) == 1  # the other facilitator
    assert "Nobody has answered yet. I've asked Alice too." in sbm.private_to("carol")[-1]
    assert "findahelpline.com" in sbm.private_to("carol")[-1]
    await sbm.wait(timedelta(minutes=15))
    assert len(asks_to(sbm, "mo")) == 1  # then the space's moderators
    await sbm.say("mo: /support take 1")
    assert sbm.private_to("carol")[-1] == "Mo has your call and will reach out to you."
    for other in ("alice", "bob"):
        assert sbm.private_to(other)[-1] == (
            "Thank you: Mo has already taken call 1, so nothing more is needed."
        )


async def test_an_unanswered_call_closes_honestly(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support call")
    await sbm.wait(timedelta(minutes=16))
    assert "everyone I can ask" not in sbm.private_to("carol")[-1]
    await sbm.wait(timedelta(minutes=15))
    told = sbm.private_to("carol")[-1]
    assert "Nobody has answered yet. I've asked Mo too. That's everyone I can ask." in told
    assert "Your call stays open until 05:00 (UTC)" in told
    await sbm.wait(timedelta(hours=12))
    assert "Nobody could take your call in Tuesday in time" in sbm.private_to("carol")[-1]
    assert "findahelpline.com" in sbm.private_to("carol")[-1]
    assert (
        sbm.private_to("bob")[-1] == "Call 1 closed without an answer; nothing more is needed now."
    )
    assert calls(sbm) == [(1, "unanswered", "carol", None)]


async def test_a_circle_without_facilitators_goes_to_the_moderators(sbm: Sandbox) -> None:
    await sbm.say("alice: /circle create Tuesday A small circle.", "carol: /circle join")
    await sbm.say("alice: /circle leave")  # the only facilitator leaves: nobody is left on duty
    await sbm.say("carol: /support call")
    assert len(asks_to(sbm, "alice")) == 1
    assert len(asks_to(sbm, "mo")) == 1
    assert "I've asked Alice and Mo privately." in sbm.private_to("carol")[-1]


async def test_nobody_reachable_gets_an_honest_answer_with_resources(sbm: Sandbox) -> None:
    await sbm.say("alice: /circle create Tuesday A small circle.", "carol: /circle join")
    await sbm.say("alice: /circle leave", ":dms alice closed", ":dms mo closed")
    await sbm.say("carol: /support call")
    told = sbm.private_to("carol")[-1]
    assert "I couldn't reach anyone for Tuesday just now" in told
    assert "findahelpline.com" in told
    assert calls(sbm) == [(1, "unanswered", "carol", None)]
    await sbm.wait(timedelta(hours=13))
    assert sbm.private_to("carol")[-1] == told  # no later word about a call already closed


async def test_closed_private_messages_are_skipped(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say(":dms bob closed")
    await sbm.say("carol: /support call")
    assert len(asks_to(sbm, "alice")) == 1  # bob can't be reached: straight to the next
    assert "I've asked Alice privately." in sbm.private_to("carol")[-1]
    sbm.mark()
    await sbm.say("bob: /support take 1")  # never reached, so not among those who may take it
    assert "only bob sees: I can't find a call 1 you were asked about" in sbm.since_mark
    assert calls(sbm)[0][1] == "open"


async def test_two_facilitators_taking_at_once_one_has_it(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support call")
    await sbm.wait(timedelta(minutes=16))  # bob and alice are both asked now
    assert sbm.adapter is not None
    await asyncio.gather(
        sbm.adapter.feed("bob: /support take 1"), sbm.adapter.feed("alice: /support take 1")
    )
    yours = [m for m in ("alice", "bob") if "the call is yours" in sbm.private_to(m)[-1]]
    assert len(yours) == 1
    other = "alice" if yours == ["bob"] else "bob"
    winner = yours[0].capitalize()
    assert f"{winner} has already taken call 1" in sbm.private_to(other)[-1]
    taken = [t for t in sbm.private_to("carol") if "has your call" in t]
    assert taken == [f"{winner} has your call and will reach out to you."]


async def test_a_restart_mid_call_resumes_without_sending_twice(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support call")
    await sbm.restart()
    assert len(asks_to(sbm, "bob")) == 1
    await sbm.wait(timedelta(minutes=16))
    await sbm.restart()
    await sbm.wait(timedelta(minutes=1))
    assert len(asks_to(sbm, "bob")) == 1
    assert len(asks_to(sbm, "alice")) == 1
    assert len([t for t in sbm.private_to("carol") if "I've asked Alice too" in t]) == 1
    async with sbm.down():
        sbm.clock.advance(timedelta(minutes=20))  # the next moment passes while the bot is down
    await sbm.wait(timedelta(seconds=1))
    assert len(asks_to(sbm, "mo")) == 1
    await sbm.restart()
    await sbm.wait(timedelta(minutes=5))
    assert len(asks_to(sbm, "mo")) == 1
    assert len(asks_to(sbm, "alice")) == 1


async def test_a_non_member_cannot_call_a_circle(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("eve: /support call circle=Tuesday")
    assert "you're not part of Tuesday" in sbm.private_to("eve")[-1]
    assert "`/support now` is open to everyone" in sbm.private_to("eve")[-1]
    assert calls(sbm) == []
    assert asks_to(sbm, "bob") == []


async def test_a_facilitator_away_is_not_asked(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("bob: /support away")
    await sbm.say("carol: /support call")
    assert asks_to(sbm, "bob") == []
    assert len(asks_to(sbm, "alice")) == 1
    await sbm.say("carol: /support withdraw", "bob: /support available")
    await sbm.say("dan: /support call")
    assert len(asks_to(sbm, "bob")) == 1


async def test_calls_are_limited_with_an_explanation(sbm: Sandbox) -> None:
    await tuesday(sbm)
    for _ in range(3):
        await sbm.say("carol: /support call", "carol: /support withdraw")
    await sbm.say("carol: /support call")
    told = sbm.private_to("carol")[-1]
    assert "You've made 3 calls today" in told
    assert "findahelpline.com" in told
    assert len(calls(sbm)) == 3
    await sbm.say("carol: /support call")  # one open call at a time, too
    await sbm.wait(timedelta(days=1, minutes=1))
    await sbm.say("carol: /support call", "carol: /support call")
    assert "Your call in Tuesday is still open" in sbm.private_to("carol")[-1]


async def test_forget_during_an_open_call_withdraws_it(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support note write Quiet company helps.")
    await sbm.say(f"carol: /support call share=yes {LINE}")
    await sbm.say("carol: /privacy forget", "carol: /privacy forget confirm")
    assert sbm.private_to("bob")[-1] == "Call 1 was withdrawn; nothing more is needed."
    assert sbm.rows_naming("carol") == 0
    assert calls(sbm) == [(1, "withdrawn", None, None)]  # counted, without anyone's name
    await sbm.wait(timedelta(hours=13))
    assert asks_to(sbm, "alice") == []
    await sbm.say("bob: /support take 1")
    assert sbm.private_to("bob")[-1] == "Call 1 isn't open any more; nothing more is needed."


async def test_the_note_reaches_only_whoever_takes_it_and_only_if_shared(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support note write Quiet company helps.")
    await sbm.say("carol: /support call")
    await sbm.say("bob: /support take 1")
    assert "Quiet company helps." not in "\n".join(sbm.private_to("bob"))
    await sbm.say("dan: /support note write A walk helps.", "dan: /support call share=yes")
    assert "A walk helps." not in asks_to(sbm, "bob")[-1]
    await sbm.say("bob: /support take 2")
    assert "A walk helps." in sbm.private_to("bob")[-1]


async def test_moderators_see_counts_only(sbm: Sandbox) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support call")
    await sbm.wait(timedelta(minutes=5))
    await sbm.say("bob: /support take 1", "dan: /support call")
    out = await sbm.say("alice: /support stats")
    assert "calls 2, taken 1, median time to take 5 min" in out
    assert "Carol" not in out
    assert "Dan" not in out
    assert "Bob" not in out
    out = await sbm.say("carol: /support stats")
    assert "calls 2" not in out


async def test_no_message_text_is_in_the_database_afterwards(sbm: Sandbox) -> None:
    """What people say in the circle, the line of a closed call and a cleared note: none of
    it is anywhere in the database file afterwards."""
    await tuesday(sbm)
    said = "I can't keep going like this, everything is too much"
    await sbm.say(f"carol: {said}")
    await sbm.say("carol: /support note write My sister's voice helps.")
    await sbm.say(f"carol: /support call share=yes {LINE}")
    await sbm.say("bob: /support take 1", "carol: /support note clear")
    assert sbm.app is not None
    path = Path(sbm.app.db.path)
    await sbm.close()
    blob = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for words in (said, LINE, "My sister's voice helps.", "keep going like this", "evenings"):
        assert words.encode() not in blob
    await sbm.open()


async def test_facilitators_change_nothing_with_a_take_for_a_call_they_were_not_asked(
    sbm: Sandbox,
) -> None:
    await tuesday(sbm)
    await sbm.say("carol: /support call")
    await sbm.say("dan: /support take 1", "bob: /support take 99")
    assert "I can't find a call 1 you were asked about" in sbm.private_to("dan")[-1]
    assert "I can't find a call 99" in sbm.private_to("bob")[-1]
    assert calls(sbm)[0][1] == "open"


async def test_a_call_made_just_before_a_stop_is_asked_on_start(sbm: Sandbox) -> None:
    """A stop between making the call and sending its first asks: the start sends them."""
    await tuesday(sbm)
    assert sbm.app is not None
    with sqlite3.connect(sbm.app.db.path) as conn:
        conn.execute(
            "INSERT INTO support_calls (circle_id, member_id, share_note, status, created_at) "
            "VALUES (1, 'carol', 0, 'open', '2026-03-02T17:00:00.000000Z')"
        )
        conn.execute(
            "INSERT INTO support_asks (call_id, member_id, tier, position) VALUES (1, 'bob', 0, 0)"
        )
    await sbm.restart()
    assert len(asks_to(sbm, "bob")) == 1
    assert "I've asked Bob, who is facilitating Tuesday now" in sbm.private_to("carol")[-1]
    await sbm.restart()
    assert len(asks_to(sbm, "bob")) == 1
