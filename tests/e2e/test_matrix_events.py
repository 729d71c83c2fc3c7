"""Reactions as annotations and redactions, edits as m.replace, long texts and bad command
lines, on a real Synapse. What every platform shares is in tests/contract."""

from __future__ import annotations

from typing import Any

import nio
import pytest

from bot.chat import (
    MessageEdited,
    MessagePosted,
    MessageRef,
    ReactionAdded,
    ReactionRemoved,
    SpaceRef,
)
from bot.platforms.matrix import chat as matrix_chat
from bot.platforms.matrix.commands import room_ref
from bot.platforms.matrix.render import MAX_CONTENT_BYTES
from tests.e2e.matrix_bot import BotRunner, MakeBot, MakePeople, Person, eventually

pytestmark = pytest.mark.e2e

HEART = "\N{HEAVY BLACK HEART}"
HEART_EMOJI = HEART + "\N{VARIATION SELECTOR-16}"
HAND = "\N{RAISED HAND}"
HAND_TONED = HAND + "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"


def posted(bot: BotRunner, event_id: str) -> MessagePosted | None:
    return next((e for e in bot.ear.of(MessagePosted) if e.message.id == event_id), None)


async def circles_in(bot: BotRunner, room: str) -> list[str]:
    assert bot.app is not None
    return [c.name for c in await bot.app.circles.in_space(SpaceRef(room_ref(room).platform, room))]


async def quiet_since(person: Person, bot: BotRunner, room: str, mark: int) -> list[str]:
    """What the bot said since ``mark``, once it has answered a probe sent now (it acts in
    order, so anything it would have said first has arrived by then)."""
    probe = await person.ask(room, bot.user_id, "!ck help privacy show")
    return [
        e.body
        for e in person.messages_from(bot.user_id, room, mark)
        if e.event_id != probe.event_id
    ]


async def test_reactions_are_read_back_page_by_page_and_a_redaction_made_while_away_counts(
    matrix_bot: MakeBot, people: MakePeople, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading reactions back pages through /relations; a redaction made while the bot was away
    still names its reaction after the restart, by the reaction's own event id."""
    monkeypatch.setattr(matrix_chat, "RELATIONS_PAGE", 1)  # so reading them takes several pages
    bot = await matrix_bot()
    alice, bob, carol = await people("Alice"), await people("Bob"), await people("Carol")
    room = await alice.room_with(bot.user_id, bob, carol)
    target = await alice.say(room, "shall we meet weekly?")
    await eventually(lambda: posted(bot, target), "the message")
    assert bot.adapter is not None
    message = MessageRef(room_ref(room), target)
    await bob.react(room, target, HEART_EMOJI)
    await carol.react(room, target, HAND_TONED)
    await eventually(lambda: len(bot.ear.of(ReactionAdded)) == 2, "two reactions")
    reactions = await bot.adapter.chat.reactions(message)
    assert {k: [m.id for m in v] for k, v in reactions.by_key.items()} == {
        HEART: [bob.user_id],
        HAND: [carol.user_id],
    }

    await bot.stop()
    await carol.redact(room, await _own_reaction(carol, room, target))
    await bot.start()
    [again] = await eventually(lambda: bot.ear.of(ReactionRemoved), "the redaction made while away")
    assert (again.member.id, again.key) == (carol.user_id, HAND)


async def _own_reaction(person: Person, room: str, target: str) -> str:
    def found() -> str | None:
        return next(
            (
                e.event_id
                for r, e in person.seen
                if r == room
                and isinstance(e, nio.ReactionEvent)
                and e.sender == person.user_id
                and e.reacts_to == target
            ),
            None,
        )

    return await eventually(found, "the person's own reaction")


async def test_odd_reactions_and_unknown_redactions_change_nothing(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Blank, invisible or essay-long keys are ignored; redacting what was never a reaction is nothing."""
    alice = await people("Alice")
    early_room = await alice.room_with()
    before_bot = await alice.say(early_room, "said before the bot came")
    bot = await matrix_bot()
    invited = await alice.client.room_invite(early_room, bot.user_id)
    assert isinstance(invited, nio.RoomInviteResponse)
    await alice.wait_joined(early_room, bot.user_id)
    mark = alice.mark()
    target = await alice.say(early_room, "a message")

    for key in (" ", "\N{ZERO WIDTH SPACE}", "x" * 200):
        await alice.react(early_room, target, key)
    await alice.react(early_room, before_bot, "+1")  # on a message the bot never saw
    await alice.redact(early_room, target)  # a message, not a reaction
    await alice.redact(early_room, "$not-an-event-anyone-sent")
    said = await quiet_since(alice, bot, early_room, mark)

    assert said == []
    assert [(e.key, e.message.id) for e in bot.ear.of(ReactionAdded)] == [("+1", before_bot)]
    assert bot.ear.of(ReactionRemoved) == []
    assert posted(bot, before_bot) is None  # history from before the bot joined is not acted on


async def test_edits_change_messages_but_never_run_commands(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """An edited message becomes MessageEdited; an edited command runs no second time; only authors edit."""
    bot = await matrix_bot()
    alice, bob = await people("Alice"), await people("Bob")
    room = await alice.room_with(bot.user_id, bob)
    hello = await alice.say(room, "helo")
    command = await alice.say(room, "!ck circle list")
    await eventually(lambda: alice.answers_to(bot.user_id, command), "the answer")
    mark = alice.mark()

    def edit(target: str, text: str) -> dict[str, Any]:
        return {
            "m.new_content": {"msgtype": "m.text", "body": text},
            "m.relates_to": {"rel_type": "m.replace", "event_id": target},
        }

    await alice.say(room, "* hello", **edit(hello, "hello"))
    await alice.say(room, "* !ck circle create Edited", **edit(command, "!ck circle create Edited"))
    await alice.say(room, "* !ck help", **edit(hello, "!ck help"))
    await bob.say(room, "* not yours", **edit(hello, "not yours"))
    said = await quiet_since(alice, bot, room, mark)

    assert said == []
    assert [(e.message.id, e.author.id, e.text) for e in bot.ear.of(MessageEdited)] == [
        (hello, alice.user_id, "hello")
    ]
    assert len(alice.answers_to(bot.user_id, command)) == 1
    assert await circles_in(bot, room) == []


BAD_LINES = [
    ("!ck frobnicate", "I don't know the command `!ck frobnicate`."),
    ("!ck circle jion", "Did you mean `!ck circle join [circle]`?"),
    (
        '!ck circle create "Tuesday evening',
        "It looks like the quote before “Tuesday” was opened but not closed.",
    ),
    ("!ck", "Here's what I can help with."),
    ("!ckcircle list", "Did you mean `!ck circle list`? Commands have a space after `!ck`."),
    ("!ck circle join Nowhere", "I couldn't find a circle called “Nowhere” here."),
    ("!ck circle create " + "Big " + "x" * 60_000, "The description is longer than I can keep"),
]


async def test_bad_command_lines_get_a_kind_answer_and_change_nothing(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Unknown, misspelt, unbalanced, bare, glued and very long command lines: a kind answer, nothing changed."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)

    for line, answer in BAD_LINES:
        reply = await alice.ask(room, bot.user_id, line)
        assert answer in reply.body, line[:40]

    assert await circles_in(bot, room) == []
    assert bot.ear.of(MessagePosted) == []  # a command line is never also a message


async def test_long_texts_are_split_and_long_messages_arrive_whole(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """100 kB from the bot arrives as several events under 64 KiB; 60 kB from a person arrives whole."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    paragraphs = [f"Paragraph {n}: " + "words for the circle " * 4 for n in range(1200)]
    text = "\n\n".join(paragraphs)
    assert len(text.encode()) > 100_000
    assert bot.adapter is not None

    first = await bot.adapter.chat.send(room_ref(room), text)
    last = await alice.expect(bot.user_id, paragraphs[-1], room_id=room)
    pieces = [e for e in alice.messages_from(bot.user_id, room) if e.body.startswith("Paragraph")]
    assert pieces[0].event_id == first.id
    assert len(pieces) > 1
    assert pieces[-1].event_id == last.event_id
    assert "\n\n".join(e.body for e in pieces) == text
    assert all(
        len(nio.Api.to_json(e.source["content"]).encode()) <= MAX_CONTENT_BYTES for e in pieces
    )

    long_message = "I'd like to share something long. " * 1800
    sent = await alice.say(room, long_message)
    heard = await eventually(lambda: posted(bot, sent), "the long message")
    assert heard.text == long_message


async def test_the_bot_edits_and_pins_its_messages(
    matrix_bot: MakeBot, people: MakePeople, caplog: pytest.LogCaptureFixture
) -> None:
    """An edit is an m.replace with the new text; a pin needs power, and without it is only logged."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    assert bot.adapter is not None
    chat = bot.adapter.chat
    message = await chat.send(room_ref(room), "Our agreements, draft one")

    await chat.edit(message, "Our agreements, **draft two**")
    edit = await alice.expect(bot.user_id, "draft two", room_id=room)
    content = edit.source["content"]
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": message.id}
    assert (
        content["m.new_content"]["formatted_body"] == "Our agreements, <strong>draft two</strong>"
    )

    await chat.pin(message)  # the bot has power level 0 here
    assert any("could not pin" in r.getMessage() for r in caplog.records)
    await alice.set_power(room, bot.user_id, 50)
    await eventually(
        lambda: chat._client.rooms[room].power_levels.get_user_level(bot.user_id) == 50, "the power"
    )
    await chat.pin(message)
    pinned = await alice.client.room_get_state_event(room, "m.room.pinned_events")
    assert isinstance(pinned, nio.RoomGetStateEventResponse)
    assert pinned.content["pinned"] == [message.id]
