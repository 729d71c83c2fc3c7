"""The bot in an end-to-end encrypted room (matrix-nio[e2e], vodozemac)."""

from __future__ import annotations

import pytest

from bot.chat import MessagePosted, ReactionAdded
from tests.e2e.matrix_bot import MakeBot, MakePeople, eventually

pytestmark = pytest.mark.e2e


async def test_an_encrypted_room_works(matrix_bot: MakeBot, people: MakePeople) -> None:
    """The bot reads encrypted commands and messages, and its answers are encrypted too."""
    bot = await matrix_bot(encryption=True)
    alice, bob = await people("Alice", encrypted=True), await people("Bob", encrypted=True)
    room = await alice.room_with(bot.user_id, bob, encrypted=True)
    assert alice.client.rooms[room].encrypted

    answer = await alice.ask(room, bot.user_id, "!ck help")
    assert answer.decrypted  # it travelled as m.room.encrypted, and Alice's client could read it
    assert "`!ck circle create" in answer.body
    await alice.say(room, "!ck circle create Quiet")
    created = await alice.expect(bot.user_id, "**Quiet** has a home here now", room_id=room)
    assert created.decrypted
    mark = bob.mark()
    await bob.say(room, "!ck circle join")
    joined = await bob.expect(bot.user_id, "Welcome to **Quiet**, Bob.", since=mark)
    assert joined.decrypted

    shared = await bob.say(room, "only for the circle")
    heard = await eventually(
        lambda: next((e for e in bot.ear.of(MessagePosted) if e.message.id == shared), None),
        "the message",
    )
    assert heard.text == "only for the circle"
    await alice.react(room, shared, "\N{SEEDLING}")
    [reaction] = await eventually(lambda: bot.ear.of(ReactionAdded), "the reaction")
    assert reaction.key == "\N{SEEDLING}"
    assert any((bot.config.data_path / "matrix-store").glob("*.db"))  # the crypto store
