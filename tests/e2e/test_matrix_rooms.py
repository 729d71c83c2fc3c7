"""The bot in Matrix rooms: invitations, who may invite it, members coming and going, kicks."""

from __future__ import annotations

import nio
import pytest

from bot.chat import MemberJoined, MemberLeft
from tests.e2e.matrix_bot import MakeBot, MakePeople, eventually

pytestmark = pytest.mark.e2e


async def test_the_bot_joins_when_invited_and_answers_help(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Invited by someone on its own homeserver, the bot joins and lists its commands."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)

    answer = await alice.ask(room, bot.user_id, "!ck help")

    assert "`!ck circle join [circle]`" in answer.body
    assert isinstance(answer, nio.RoomMessageNotice)
    assert answer.source["content"]["m.mentions"] == {}


async def test_an_invitation_from_someone_not_allowed_is_declined(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """With allowed_inviters naming one person, an invitation from anyone else is declined."""
    alice, mallory = await people("Alice"), await people("Mallory")
    bot = await matrix_bot(allowed_inviters=(alice.user_id,))

    created = await mallory.client.room_create(invite=[bot.user_id])
    assert isinstance(created, nio.RoomCreateResponse)

    def declined() -> bool:
        return any(
            isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot.user_id
            and e.membership == "leave"
            for r, e in mallory.seen
            if r == created.room_id
        )

    await eventually(declined, "the bot to decline")
    room = await alice.room_with(bot.user_id)  # alice may invite it
    assert "`!ck help" in (await alice.ask(room, bot.user_id, "!ck help")).body


async def test_an_invitation_from_another_server_is_declined(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """allowed_inviters may name servers; an inviter on any other server is declined."""
    alice = await people("Alice")
    bot = await matrix_bot(allowed_inviters=("example.org",))

    created = await alice.client.room_create(invite=[bot.user_id])
    assert isinstance(created, nio.RoomCreateResponse)

    def declined() -> bool:
        return any(
            isinstance(e, nio.RoomMemberEvent)
            and e.state_key == bot.user_id
            and e.membership == "leave"
            for r, e in alice.seen
            if r == created.room_id
        )

    await eventually(declined, "the bot to decline")
    assert bot.adapter is not None
    assert created.room_id not in bot.adapter.chat.creators


async def test_people_joining_and_leaving_are_events(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Others joining or leaving a room reach the cogs as MemberJoined and MemberLeft."""
    bot = await matrix_bot()
    alice, bob = await people("Alice"), await people("Bob")
    room = await alice.room_with(bot.user_id)

    invited = await alice.client.room_invite(room, bob.user_id)
    assert isinstance(invited, nio.RoomInviteResponse)
    await bob.join(room)
    joined = await eventually(lambda: bot.ear.of(MemberJoined), "MemberJoined")
    left = await bob.client.room_leave(room)
    assert isinstance(left, nio.RoomLeaveResponse)
    gone = await eventually(lambda: bot.ear.of(MemberLeft), "MemberLeft")

    assert [(e.member.id, e.room.id) for e in joined] == [(bob.user_id, room)]
    assert [(e.member.id, e.room.id) for e in gone] == [(bob.user_id, room)]


async def test_a_kick_or_a_ban_is_taken_calmly(matrix_bot: MakeBot, people: MakePeople) -> None:
    """Kicked from one room and banned from another, the bot forgets them and serves the rest."""
    bot = await matrix_bot()
    alice = await people("Alice")
    kicked_from = await alice.room_with(bot.user_id)
    banned_from = await alice.room_with(bot.user_id)
    still_here = await alice.room_with(bot.user_id)
    assert bot.adapter is not None
    client = bot.adapter.chat._client

    assert isinstance(
        await alice.client.room_kick(kicked_from, bot.user_id, "testing"), nio.RoomKickResponse
    )
    assert isinstance(await alice.client.room_ban(banned_from, bot.user_id), nio.RoomBanResponse)
    await eventually(
        lambda: kicked_from not in client.rooms and banned_from not in client.rooms,
        "the bot to forget both rooms",
    )

    assert "`!ck help" in (await alice.ask(still_here, bot.user_id, "!ck help")).body
