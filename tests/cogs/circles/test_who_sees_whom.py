"""Membership is private: members and facilitators see who is in a circle; others see how
many. A support preference is seen only by the circle's facilitators and the member."""

from __future__ import annotations

import json

from tests.sandbox import Sandbox, make_circle


async def preferences_set(sb: Sandbox) -> None:
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say("bob: /circle preference listening", "carol: /circle preference ideas")
    await sb.say("alice: /circle rota add @dan")


async def test_someone_outside_the_circle_sees_only_how_many_are_in_it(sb: Sandbox) -> None:
    """Erin isn't part of Tuesday: she hears the count and how to join, and no names."""
    await preferences_set(sb)
    out = await sb.say("erin: /circle members Tuesday")
    assert "**Tuesday** · 4 of 12 places · open to anyone · UTC" in out
    assert "4 members" in out
    assert "/circle join Tuesday" in out
    for name in ("Alice", "Bob", "Carol", "Dan"):
        assert name not in out
    assert "listening" not in out
    assert "ideas" not in out


async def test_a_member_sees_the_names_and_only_their_own_preference(sb: Sandbox) -> None:
    """Bob sees everyone and the roles, his own preference, and not Carol's."""
    await preferences_set(sb)
    out = await sb.say("bob: /circle members")
    assert "• Alice · facilitating" in out
    assert "• Bob · listening (only you and the facilitators see this)" in out
    assert "• Carol\n" in out + "\n"
    assert "open to ideas" not in out
    assert "• Dan · on the rota" in out


async def test_a_facilitator_sees_every_preference(sb: Sandbox) -> None:
    """Dan is on the rota: he sees each member's preference."""
    await preferences_set(sb)
    out = await sb.say("dan: /circle members")
    assert "• Bob · listening" in out
    assert "• Carol · open to ideas" in out


async def test_a_moderator_outside_the_circle_sees_names_but_not_preferences(sb: Sandbox) -> None:
    """A moderator who isn't a facilitator of the circle helps with who is in it, not how
    each person would like support."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        "bob: /circle preference listening",
        "alice: /circle rota add @bob",
        "alice: /circle rota pass",
    )
    await sb.say("bob: /circle rota remove @alice")
    await sb.say("alice: /circle leave")
    out = await sb.say("alice: /circle members")
    assert "• Bob · facilitating" in out
    assert "listening" not in out


async def test_the_round_status_names_no_one_to_someone_outside(sb: Sandbox) -> None:
    """Erin asks where the talking piece is: she hears that a round is open, not who holds it."""
    await make_circle(sb, "bob")
    await sb.say("alice: /round start")
    out = await sb.say("erin: /round status circle=Tuesday")
    assert "A check-in round is open in Tuesday" in out
    assert "Alice" not in out
    assert "Bob" not in out
    out = await sb.say("bob: /round status circle=Tuesday")
    assert "the talking piece is with Alice" in out


async def test_an_agreement_shows_its_proposer_only_to_the_circle(sb: Sandbox) -> None:
    """The words of an agreement are for anyone to read; who proposed it is for the circle."""
    await make_circle(sb, "bob")
    await sb.say("bob: /agreement propose We start and end on time, and passing is always fine.")
    assert "Proposed by Bob" in await sb.say("alice: /agreement show 1")
    out = await sb.say("erin: /agreement show 1 circle=Tuesday")
    assert "We start and end on time" in out
    assert "Bob" not in out


async def test_the_preference_reply_says_who_sees_it(sb: Sandbox) -> None:
    """Choosing a preference says plainly that only the member and the facilitators see it."""
    await make_circle(sb, "bob")
    out = await sb.say("bob: /circle preference listening")
    assert "Only you and the circle's facilitators see it" in out


async def test_the_export_holds_only_the_members_own_data(sb: Sandbox) -> None:
    """Bob's export names his circles and his own preference, and nobody else."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        "carol: /circle preference ideas",
        "bob: /circle preference listening",
        "bob: /privacy export",
    )
    exported = sb.private_to("bob")[-1].split("```json\n", 1)[1].rsplit("\n```", 1)[0]
    data = json.loads(exported)
    assert data["circles"]["memberships"][0]["preference"] == "listening"
    assert "carol" not in exported.lower()
    assert "ideas" not in exported
