"""Circles in real Matrix rooms, where Matrix has rules of its own: power levels, room
creators outside them, and direct rooms for private answers. The flow every platform shares
is in tests/contract."""

from __future__ import annotations

import json

import nio
import pytest

from bot.chat import DeliveryError, MemberRef, Platform
from bot.platforms.matrix.commands import room_ref
from tests.e2e.matrix_bot import MakeBot, MakePeople, eventually
from tests.e2e.synapse_fixtures import RegisterUser

pytestmark = pytest.mark.e2e


async def test_a_power_level_at_the_threshold_makes_a_moderator(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Below the configured power level a member is refused; raised to 50 they may start a circle."""
    bot = await matrix_bot()
    me = bot.user_id
    alice, erin = await people("Alice"), await people("Erin")
    room = await alice.room_with(me, erin)

    refused = await erin.ask(room, me, "!ck circle create Fridays")
    assert refused.body.startswith("Starting a circle is for moderators and facilitators.")
    await alice.set_power(room, erin.user_id, 50)
    mark = erin.mark()
    await erin.say(room, "!ck circle create Fridays")
    await erin.expect(me, "**Fridays** has a home here now", since=mark)
    assert bot.adapter is not None
    assert await bot.adapter.chat.is_moderator(
        MemberRef(Platform.MATRIX, erin.user_id), room_ref(room)
    )


async def test_the_room_creator_counts_as_a_moderator(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Room version 12 leaves creators out of the power levels; the bot still knows them."""
    bot = await matrix_bot(moderator_power_level=100)
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    power = await alice.client.room_get_state_event(room, "m.room.power_levels")
    assert isinstance(power, nio.RoomGetStateEventResponse)
    assert alice.user_id not in power.content.get("users", {})

    mark = alice.mark()
    await alice.say(room, "!ck circle create Mondays")
    await alice.expect(bot.user_id, "**Mondays** has a home here now", since=mark)


async def test_private_answers_go_to_a_direct_room(matrix_bot: MakeBot, people: MakePeople) -> None:
    """A private reply (privacy export) goes to a direct room the bot opens and marks m.direct."""
    bot = await matrix_bot()
    me = bot.user_id
    alice = await people("Alice")
    room = await alice.room_with(me)

    await alice.say(room, "!ck privacy export")
    direct = await eventually(lambda: next(iter(alice.invites), None), "a direct room")
    await alice.join(direct)
    export = await alice.expect(me, "Here is everything I keep about you", room_id=direct)
    assert "<pre><code" in (export.formatted_body or "")
    assert alice.answers_to(me, direct) == []

    # Commands typed in the direct room are answered there, as nothing needs a room.
    shown = await alice.ask(direct, me, "!ck privacy show")
    assert "What I keep about you" in shown.body
    refused = await alice.ask(direct, me, "!ck circle list")
    assert "inside a community's rooms" in refused.body
    mark = alice.mark()
    await alice.say(room, "!ck privacy export")  # again, from the room: the same direct room
    await alice.expect(me, "Here is everything I keep about you", room_id=direct, since=mark)
    assert alice.invites == [direct]


async def test_a_private_answer_is_never_posted_in_the_room_when_no_direct_room_can_be_made(
    matrix_bot: MakeBot, people: MakePeople, matrix_user: RegisterUser
) -> None:
    """When the person can't be reached privately (here: their account closed meanwhile), the
    room hears only that the answer was kept back, never its content; a direct message to
    nobody is a DeliveryError."""
    bot = await matrix_bot()
    me = bot.user_id
    alice, bob = await people("Alice"), await people("Bob")
    room = await alice.room_with(me, bob)
    admin = matrix_user("admin", admin=True)
    assert bot.adapter is not None
    with pytest.raises(DeliveryError):
        await bot.adapter.chat.send_private(
            MemberRef(Platform.MATRIX, "@nobody:localhost"), "hello"
        )

    await bot.stop()
    await alice.say(room, "!ck privacy export")
    closed = await bob.client.send(
        "POST",
        f"/_synapse/admin/v1/deactivate/{alice.user_id}",
        json.dumps({"erase": True}),
        headers={"Authorization": f"Bearer {admin.access_token}"},
    )
    closed.release()
    assert closed.status == 200
    await bot.start()

    answer = await bob.expect(
        me, "I couldn't open a private chat with you, so I've kept that answer", room_id=room
    )
    assert "everything I keep about you" not in answer.body
    assert alice.user_id not in answer.body
