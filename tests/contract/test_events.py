"""What reaches the cogs from a platform, and what its ``Chat`` reads back, on every platform."""

from __future__ import annotations

from bot.chat import MessageEdited, MessagePosted, ReactionAdded, ReactionRemoved
from tests.contract.driver import OpenWorld, message_ref

HEART, HEART_EMOJI = "\N{HEAVY BLACK HEART}", "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}"
HAND, HAND_TONED = "\N{RAISED HAND}", "\N{RAISED HAND}\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"
CONSENT = "\N{WHITE HEAVY CHECK MARK}"


async def test_messages_and_edits_reach_the_cogs_but_commands_and_the_bots_own_do_not(
    world: OpenWorld,
) -> None:
    """A message and its edit arrive with their author; a command line and the bot's own post don't."""
    d = await world("bob", "carol")
    hello = await d.say("bob", "helo, circle")
    await d.edit("bob", hello, "hello, circle")
    await d.ask("carol", "circle list", expect="There are no circles in this space yet")
    await d.chat.send(d.room, "A note from the bot")
    await d.say("carol", "Welcome, Bob")

    posted = d.heard(MessagePosted)
    assert [(p.author, p.text) for p in posted] == [
        (d.member("bob"), "helo, circle"),
        (d.member("carol"), "Welcome, Bob"),
    ]
    assert posted[0].message == message_ref(d, hello)
    assert posted[0].room == d.room
    assert [(e.message, e.author, e.text) for e in d.heard(MessageEdited)] == [
        (message_ref(d, hello), d.member("bob"), "hello, circle")
    ]


async def test_reactions_arrive_normalised_and_are_read_back_without_the_bots_own(
    world: OpenWorld,
) -> None:
    """❤️ and ✋🏽 arrive as ❤ and ✋, taking one back is an event, and reading them back leaves the bot out."""
    d = await world("bob", "carol")
    target = await d.say("alice", "Shall we meet weekly?")
    ref = message_ref(d, target)
    await d.chat.react(ref, CONSENT)  # the bot's own: never counted

    await d.react("bob", target, HEART_EMOJI)
    await d.react("carol", target, HAND_TONED)
    added = d.heard(ReactionAdded)
    assert {(e.member, e.key, e.message) for e in added} == {
        (d.member("bob"), HEART, ref),
        (d.member("carol"), HAND, ref),
    }
    reactions = await d.chat.reactions(ref)
    assert {key: list(members) for key, members in reactions.by_key.items()} == {
        HEART: [d.member("bob")],
        HAND: [d.member("carol")],
    }

    await d.unreact("bob", target, HEART_EMOJI)
    [removed] = d.heard(ReactionRemoved)
    assert (removed.member, removed.key, removed.message) == (d.member("bob"), HEART, ref)
    assert set((await d.chat.reactions(ref)).by_key) == {HAND}
