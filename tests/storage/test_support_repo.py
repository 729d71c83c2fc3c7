"""The support repository's contract: members' own settings and notes, a space's own list,
calls and their asks (each claimed at most once, one taker), offers, and forgetting."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.chat import MemberRef, Platform
from bot.storage.database import Database
from cogs.circles.repo import CirclesRepo
from cogs.support.model import CallStatus, MemberSettings, Tier
from cogs.support.places import Resource
from cogs.support.repo import SupportRepo
from tests.storage.conftest import ROOM, at, local, make_circle

ON_MATRIX = MemberRef(Platform.MATRIX, "carol")


@pytest.fixture
def repo(db: Database) -> SupportRepo:
    return SupportRepo(db)


async def new_call(repo: SupportRepo, circle_id: int, line: str | None = "a line") -> int:
    lineup = [(Tier.HOLDER, "alice"), (Tier.FACILITATORS, "bob"), (Tier.MODERATORS, "mo")]
    return await repo.open_call(
        circle_id=circle_id,
        member=local("carol"),
        share_note=True,
        line=line,
        at=at(0),
        lineup=lineup,
    )


async def test_settings_are_per_person_and_platform(repo: SupportRepo) -> None:
    assert await repo.settings(local("carol")) == MemberSettings()
    await repo.set_region(local("carol"), "GB")
    await repo.set_away(local("carol"), True)
    await repo.set_offers_off(local("carol"), True)
    assert await repo.settings(local("carol")) == MemberSettings("GB", True, True)
    assert await repo.settings(ON_MATRIX) == MemberSettings()
    assert await repo.away_among(Platform.LOCAL, ["carol", "bob"]) == {"carol"}
    assert await repo.away_among(Platform.LOCAL, []) == set()


async def test_a_note_is_replaced_and_cleared(repo: SupportRepo) -> None:
    assert await repo.note(local("carol")) is None
    await repo.write_note(local("carol"), "first", at(0))
    await repo.write_note(local("carol"), "second", at(1))
    note = await repo.note(local("carol"))
    assert note is not None
    assert (note.text, note.written_at) == ("second", at(1))
    assert await repo.note(ON_MATRIX) is None
    assert await repo.clear_note(local("carol")) is True
    assert await repo.clear_note(local("carol")) is False


async def test_a_space_takes_its_list_in_hand_once(repo: SupportRepo) -> None:
    assert await repo.own_resources(ROOM.space) is None
    shipped = [Resource("INT", "Directory", "https://example.org", "always", date(2026, 1, 1))]
    await repo.take_in_hand(ROOM, shipped)
    await repo.take_in_hand(ROOM, shipped)  # a second time changes nothing
    own = await repo.own_resources(ROOM.space)
    assert own is not None
    assert [e.name for e in own] == ["Directory"]
    number = await repo.add_resource(
        ROOM.space, Resource("GB", "Line", "call 1", "eve", date(2026, 2, 1))
    )
    assert await repo.verify_resource(ROOM.space, number, date(2026, 3, 1)) is True
    assert await repo.remove_resource(ROOM.space, 999) is False
    own = await repo.own_resources(ROOM.space)
    assert own is not None
    assert [(e.name, e.verified_on) for e in own][-1] == ("Line", date(2026, 3, 1))


async def test_each_ask_is_claimed_once_and_only_a_reached_person_takes(
    circles: CirclesRepo, repo: SupportRepo
) -> None:
    circle = await make_circle(circles)
    call_id = await new_call(repo, circle.id)
    assert await repo.claim_ask(call_id, "alice", at(1)) is True
    assert await repo.claim_ask(call_id, "alice", at(2)) is False
    await repo.mark_reached(call_id, "alice", False)
    assert await repo.take(call_id, "alice", at(3)) is False  # asked, but never reached
    assert await repo.take(call_id, "bob", at(3)) is False  # never asked
    assert await repo.move_on(call_id, 1, at(15)) is True
    assert await repo.move_on(call_id, 1, at(15)) is False  # that stage was claimed
    call = await repo.call(call_id)
    assert call is not None
    assert (call.status, call.stage, call.line) == (CallStatus.OPEN, 1, "a line")


async def test_two_taking_at_once_one_has_it(circles: CirclesRepo, repo: SupportRepo) -> None:
    circle = await make_circle(circles)
    call_id = await new_call(repo, circle.id)
    for who in ("alice", "bob"):
        await repo.claim_ask(call_id, who, at(1))
        await repo.mark_reached(call_id, who, True)
    results = await asyncio.gather(
        repo.take(call_id, "alice", at(2)), repo.take(call_id, "bob", at(2))
    )
    assert sorted(results) == [False, True]
    call = await repo.call(call_id)
    assert call is not None
    assert call.status is CallStatus.TAKEN
    assert call.line is None  # the line goes once the call is no longer open
    told = [await repo.claim_told(call_id, who, at(3)) for who in ("alice", "bob", "bob")]
    assert sorted(told) == [False, False, True]  # the one who didn't take it, once


async def test_closing_counts_and_forgetting(circles: CirclesRepo, repo: SupportRepo) -> None:
    circle = await make_circle(circles)
    call_id = await new_call(repo, circle.id)
    assert (await repo.open_call_of(local("carol"))) is not None
    assert await repo.calls_since(local("carol"), at(-1)) == 1
    assert await repo.close(call_id, CallStatus.WITHDRAWN, at(5)) is True
    assert await repo.close(call_id, CallStatus.UNANSWERED, at(6)) is False
    await repo.record_offer(circle.id, local("carol"), at(7))
    assert await repo.last_offer(local("carol")) == at(7)
    await repo.write_note(local("carol"), "mine", at(0))
    await repo.forget(local("carol"))
    assert await repo.note(local("carol")) is None
    assert await repo.calls_of(local("carol")) == []
    assert await repo.last_offer(local("carol")) is None
    weekly = await repo.weekly(ROOM.space, at(-60))
    assert [status for _, status, _ in weekly] == ["withdrawn"]  # counted, nobody named
    call = await repo.call(call_id)
    assert call is not None
    assert call.member_id is None


async def test_forgetting_someone_asked_takes_their_asks(
    circles: CirclesRepo, repo: SupportRepo
) -> None:
    circle = await make_circle(circles)
    call_id = await new_call(repo, circle.id)
    await repo.forget(local("bob"))
    assert [a.member_id for a in await repo.asks(call_id)] == ["alice", "mo"]
    await repo.forget(MemberRef(Platform.MATRIX, "alice"))  # another platform's alice
    assert [a.member_id for a in await repo.asks(call_id)] == ["alice", "mo"]


async def test_no_ask_is_claimed_for_a_call_no_longer_open(
    circles: CirclesRepo, repo: SupportRepo
) -> None:
    circle = await make_circle(circles)
    call_id = await new_call(repo, circle.id)
    await repo.close(call_id, CallStatus.WITHDRAWN, at(1))
    assert await repo.claim_ask(call_id, "alice", at(2)) is False
