"""Nudges on every platform: a conversation on someone's sharing that drifts into advice earns
the tipping adviser a private note, unless they turned nudges off or the sharer asked for ideas."""

from __future__ import annotations

from tests.contract.driver import Driver, OpenWorld, table
from tests.contract.test_circles import make_circle

SHARING = "I've been really low since the move and I can't seem to sleep."
ASKING = "I can't sleep since the move. Any advice?"
SOFT = "That sounds so hard. How long has it been like this?"  # a connecting reply
SECOND = "You should try melatonin, it worked for my cousin."


async def drift(d: Driver, sharing: str) -> None:
    """Alice shares; Bob answers with a curious question, and Carol with a "you should"."""
    post = await d.say("alice", sharing)
    await d.answer("bob", post, SOFT)
    await d.answer("carol", post, SECOND)


def notes(told: list[str]) -> list[str]:
    """The nudges among private messages: every one says how to stop them."""
    return [text for text in told if "nudges off" in text]


async def test_a_conversation_drifting_into_advice_earns_the_adviser_a_private_note(
    world: OpenWorld,
) -> None:
    """Advice on someone's sharing earns its adviser a private note, and nobody else hears."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    said = len(await d.bot_posts())
    await drift(d, SHARING)

    note = await d.private("carol", "nudges off")
    assert f"`{d.prefix}nudges off`" in note
    assert len(await d.bot_posts()) == said
    assert notes(await d.told_privately("bob")) == []
    assert table(d, "SELECT member_id, situation, mode, delivered FROM nudge_log") == [
        (d.member("carol").id, "drift", "private", 1)
    ]


async def test_an_opted_out_member_gets_no_note_until_they_turn_nudges_on(world: OpenWorld) -> None:
    """A member who turned nudges off gets no note, and gets one again after turning them on."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    await d.ask("carol", "nudges off", expect="Nudges are off for you now")

    await drift(d, SHARING)
    assert table(d, "SELECT * FROM nudge_log") == []
    assert notes(await d.told_privately("carol")) == []

    await d.ask("carol", "nudges on", expect="Nudges are on for you again")
    await drift(d, SHARING)
    await d.private("carol", "nudges off")
    assert len(notes(await d.told_privately("carol"))) == 1


async def test_a_sharer_who_asked_for_ideas_brings_no_note_to_anyone(world: OpenWorld) -> None:
    """When the sharer asked for ideas, advice on it brings nobody a note."""
    d = await world("bob", "carol")
    await make_circle(d, "bob", "carol")
    await drift(d, ASKING)
    assert table(d, "SELECT * FROM nudge_log") == []
    assert notes(await d.told_privately("bob")) == []
    assert notes(await d.told_privately("carol")) == []
