"""The circles of the foundation, run through ``!ck`` in real Matrix rooms."""

from __future__ import annotations

import json

import nio
import pytest

from bot.chat import DeliveryError, MemberRef, Platform
from bot.platforms.matrix.commands import room_ref
from tests.e2e.matrix_bot import MakeBot, MakePeople, eventually, thread_of
from tests.e2e.synapse_fixtures import RegisterUser

pytestmark = pytest.mark.e2e


async def test_a_circle_from_creation_to_a_check_in_round_and_rest(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Create, join, waitlist, preference, rota by pill, a round in a thread, leave, promote, close."""
    bot = await matrix_bot()
    me = bot.user_id
    alice, bob, carol, dave = [await people(n) for n in ("Alice", "Bob", "Carol", "Dave")]
    room = await alice.room_with(me, bob, carol, dave)

    await alice.say(
        room, "!ck circle create Tuesday A small circle for Tuesday evenings capacity=3"
    )
    created = await alice.expect(me, "has a home here now", room_id=room)
    assert "<strong>Tuesday</strong> has a home here now" in created.formatted_body
    mark = alice.mark()
    await bob.say(room, "!ck circle join")
    await alice.expect(me, "Welcome to **Tuesday**, Bob.", since=mark)
    await carol.say(room, "!ck circle join")
    await alice.expect(me, "Welcome to **Tuesday**, Carol.", since=mark)
    assert "full right now" in (await dave.ask(room, me, "!ck circle join")).body
    assert "waitlist for Tuesday, number 1" in (await dave.ask(room, me, "!ck circle wait")).body
    assert (
        "you'd like **listening**"
        in (await bob.ask(room, me, "!ck circle preference listening")).body
    )

    # A mention pill: the body holds only the display name, the HTML links the user id.
    mark = alice.mark()
    await alice.say(
        room,
        "!ck circle rota add Bob",
        format="org.matrix.custom.html",
        formatted_body=f'!ck circle rota add <a href="https://matrix.to/#/{bob.user_id}">Bob</a>',
    )
    await alice.expect(me, "Bob joins the facilitation rota of Tuesday", since=mark)
    members = await alice.ask(room, me, "!ck circle members")
    assert "Bob" in members.body
    assert "listening" in members.body

    # The check-in round: a thread, with done / pass typed in it.
    mark = alice.mark()
    opened = await alice.ask(room, me, "!ck round start How are you arriving today?")
    assert "has begun in its thread" in opened.body
    root = await alice.expect(me, "A check-in round for Tuesday", since=mark)
    assert thread_of(root) is None
    first_turn = await alice.expect(me, "Alice, the talking piece is with you", since=mark)
    assert thread_of(first_turn) == root.event_id

    await alice.say(room, "done", thread=root.event_id)
    to_bob = await alice.expect(me, "Thank you, Alice. Bob, the talking piece", since=mark)
    assert thread_of(to_bob) == root.event_id
    await carol.say(room, "done", thread=root.event_id)
    early = await alice.expect(me, "The talking piece is with Bob right now", since=mark)
    assert thread_of(early) == root.event_id
    await bob.say(room, "pass", thread=root.event_id)
    await alice.expect(me, "Thank you, Bob; passing is always welcome. Carol", since=mark)
    typed_in_thread = await carol.say(room, "!ck round done", thread=root.event_id)
    closing = await alice.expect(me, "That completes the round for **Tuesday**", since=mark)
    answer = await eventually(
        lambda: alice.answers_to(me, typed_in_thread), "the answer in the thread"
    )
    assert thread_of(answer[0]) == root.event_id
    assert thread_of(closing) == root.event_id
    assert "Shared: Alice, Carol" in closing.body
    assert "Passed: Bob" in closing.body

    # Bob leaves; Dave, first on the waitlist, gets the place and a private note.
    mark = alice.mark()
    assert "You've left Tuesday" in (await bob.ask(room, me, "!ck circle leave")).body
    await alice.expect(me, "Welcome to **Tuesday**, Dave: a place opened up", since=mark)
    direct = await eventually(
        lambda: next((r for r in dave.invites if r != room), None), "a direct room"
    )
    await dave.join(direct)
    note = await dave.expect(me, "A place opened in **Tuesday**, and it's yours", room_id=direct)
    assert note.source["content"]["m.mentions"] == {}

    await alice.say(room, "!ck circle close")
    await alice.expect(me, "**Tuesday** is resting now", since=mark)


async def test_only_moderators_and_facilitators_may_start_a_circle(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Below the power level a member is refused kindly; at 50 (or as creator) it works."""
    bot = await matrix_bot()
    me = bot.user_id
    alice, erin = await people("Alice"), await people("Erin")
    room = await alice.room_with(me, erin)

    refused = await erin.ask(room, me, "!ck circle create Fridays")
    assert refused.body.startswith("Starting a circle is for moderators and facilitators.")
    listing = await erin.ask(room, me, "!ck circle list")
    assert "There are no circles in this space yet" in listing.body

    await alice.set_power(room, erin.user_id, 50)
    mark = erin.mark()
    await erin.say(room, "!ck circle create Fridays")
    await erin.expect(me, "**Fridays** has a home here now", since=mark)
    assert bot.adapter is not None
    chat = bot.adapter.chat
    assert await chat.is_moderator(
        MemberRef(Platform.MATRIX, alice.user_id), room_ref(room)
    )  # creator
    assert await chat.is_moderator(
        MemberRef(Platform.MATRIX, erin.user_id), room_ref(room)
    )  # level 50


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
    assert "<pre><code" in export.formatted_body
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
