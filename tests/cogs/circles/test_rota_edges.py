"""The rota's edges, spoken through the sandbox: who may pass facilitation on, what the circle
hears when someone else makes a change, and what `rota show` says about automatic hand-overs."""

from __future__ import annotations

import sqlite3

from tests.sandbox import Sandbox, make_circle


def holder(sb: Sandbox) -> object:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute("SELECT holder_id FROM circles").fetchone()[0]


async def three_on_the_rota(sb: Sandbox) -> None:
    """Alice (a moderator), Bob and Carol facilitate Tuesday; Bob holds it; Dan is a member."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say(
        "alice: /circle rota add @bob", "alice: /circle rota add @carol", "alice: /circle rota pass"
    )
    assert holder(sb) == "bob"


async def test_another_rota_member_cannot_take_facilitation_from_the_holder(sb: Sandbox) -> None:
    """Carol is on the rota but Bob holds it: her pass is refused kindly and nothing moves."""
    await three_on_the_rota(sb)
    out = await sb.say("carol: /circle rota pass")
    assert (
        "only carol sees: Bob is facilitating Tuesday just now, so passing it on is Bob's to do"
        in out
    )
    assert holder(sb) == "bob"


async def test_the_holder_passes_it_on(sb: Sandbox) -> None:
    """Bob holds it and passes: Carol facilitates, and Bob is thanked."""
    await three_on_the_rota(sb)
    out = await sb.say("bob: /circle rota pass")
    assert "Facilitation of **Tuesday** passes to Carol. Thank you, Bob. 🌿" in out
    assert holder(sb) == "carol"


async def test_a_moderators_pass_says_who_did_it(sb: Sandbox) -> None:
    """Alice, a moderator, passes it on from Bob: the circle hears that it was Alice."""
    await three_on_the_rota(sb)
    out = await sb.say("alice: /circle rota pass")
    assert (
        "Alice passed facilitation of **Tuesday** on from Bob to Carol. Thank you, Bob. 🌿" in out
    )
    assert holder(sb) == "carol"


async def test_a_plain_member_cannot_pass(sb: Sandbox) -> None:
    """Dan is not on the rota: the router's kind refusal, and nothing moves."""
    await three_on_the_rota(sb)
    assert "That one is for the facilitators of Tuesday" in await sb.say("dan: /circle rota pass")
    assert holder(sb) == "bob"


async def test_stepping_off_oneself_says_so(sb: Sandbox) -> None:
    """Carol takes herself off the rota: the circle hears that she stepped off."""
    await three_on_the_rota(sb)
    out = await sb.say("carol: /circle rota remove @carol")
    assert "Carol has stepped off the rota of Tuesday." in out


async def test_a_removal_by_someone_else_says_who_made_it(sb: Sandbox) -> None:
    """Bob takes Carol off: nobody is told she stepped off; the circle hears Bob made the
    change, and Carol hears privately."""
    await three_on_the_rota(sb)
    out = await sb.say("bob: /circle rota remove @carol")
    assert "stepped off" not in out
    assert "Carol is off the facilitation rota of Tuesday now; Bob made the change." in out
    assert (
        "Bob has taken you off the facilitation rota of **Tuesday**" in sb.private_to("carol")[-1]
    )


async def test_removing_the_holder_hands_facilitation_on_and_names_who_did_it(sb: Sandbox) -> None:
    """Alice takes Bob, the holder, off the rota: the circle hears who made the change and who
    facilitates now."""
    await three_on_the_rota(sb)
    out = await sb.say("alice: /circle rota remove @bob")
    assert "Bob is off the facilitation rota of Tuesday now; Alice made the change." in out
    assert "Carol is facilitating Tuesday now." in out


async def test_rota_show_says_when_facilitation_passes_on_by_itself(sb: Sandbox) -> None:
    """With an automatic hand-over, `rota show` says so, with the next time."""
    await three_on_the_rota(sb)
    out = await sb.say("dan: /circle rota show")
    assert "passes on by itself" not in out
    await sb.say("alice: /circle rota auto mondays 09:00")
    out = await sb.say("dan: /circle rota show")
    assert (
        "Facilitation passes on by itself, `mondays 09:00` (UTC); the next hand-over is Mon 9 Mar, 09:00."
        in out
    )
    await sb.say("alice: /circle rota auto off")
    assert "passes on by itself" not in await sb.say("dan: /circle rota show")
