"""The circles repository's contract: circles, membership, requests, the waitlist, the rota,
and what it tells about one person (by platform)."""

from __future__ import annotations

import pytest

from bot.chat import MemberRef, Platform, RoomRef, SpaceRef, ThreadRef
from cogs.circles.model import DuplicateName, JoinResult, PlaceTaken, Preference
from cogs.circles.repo import CirclesRepo
from tests.storage.conftest import OTHER_ROOM, ROOM, at, local, make_circle

SPACE = ROOM.space


async def test_a_new_circle_has_its_creator_as_member_facilitator_and_holder(
    circles: CirclesRepo,
) -> None:
    """The one who makes a circle is its first member, on its rota, and holds it."""
    circle = await make_circle(circles)
    assert circle.holder_id == "alice"
    assert [m.member_id for m in await circles.members(circle.id)] == ["alice"]
    assert await circles.rota(circle.id) == ["alice"]
    assert await circles.is_member(circle.id, "alice")
    assert await circles.is_facilitator(circle.id, "alice")
    assert await circles.facilitates_any(SPACE, "alice")
    assert await circles.get(circle.id) == circle


async def test_names_are_unique_per_space_and_rooms_hold_one_circle(circles: CirclesRepo) -> None:
    """A name differing only in case is the same name; a room (or thread) holds one circle."""
    await make_circle(circles, "Tuesday")
    with pytest.raises(DuplicateName):
        await make_circle(circles, "TUESDAY", room=OTHER_ROOM)
    with pytest.raises(PlaceTaken):
        await make_circle(circles, "Wednesday")
    other_space = RoomRef(Platform.LOCAL, "elsewhere", "room-3")
    assert (await make_circle(circles, "Tuesday", room=other_space)).name == "Tuesday"


async def test_a_circle_is_found_by_name_and_by_where_it_lives(circles: CirclesRepo) -> None:
    """By name (case folded) in its space; in a thread of its room, the thread's own circle
    wins over the room's."""
    room_circle = await make_circle(circles, "Room")
    thread = ThreadRef(ROOM, "t1")
    thread_circle = await make_circle(circles, "Thread", thread=thread)
    assert (await circles.find(SPACE, "room")) == room_circle
    assert await circles.find(SpaceRef(Platform.MATRIX, SPACE.id), "Room") is None
    assert await circles.bound_to(ROOM, None) == room_circle
    assert await circles.bound_to(ROOM, thread) == thread_circle
    assert await circles.bound_to(ROOM, ThreadRef(ROOM, "t2")) == room_circle
    assert await circles.bound_to(OTHER_ROOM, None) is None


async def test_listing_puts_resting_circles_last_and_suggests_by_prefix(
    circles: CirclesRepo,
) -> None:
    """In a space, open circles by name, then resting ones; suggestions skip resting circles
    and treat % and _ as letters."""
    b = await make_circle(circles, "Beta", room=RoomRef(Platform.LOCAL, "space", "b"))
    await make_circle(circles, "Alpha", room=RoomRef(Platform.LOCAL, "space", "a"))
    await make_circle(circles, "50%_off", room=RoomRef(Platform.LOCAL, "space", "c"))
    await circles.set_archived(b.id, at(5))
    assert [c.name for c in await circles.in_space(SPACE)] == ["50%_off", "Alpha", "Beta"]
    assert [c.name for c in await circles.active()] == ["Alpha", "50%_off"]
    assert await circles.suggest(SPACE, "a", 25) == ["Alpha"]
    assert await circles.suggest(SPACE, "b", 25) == []
    assert await circles.suggest(SPACE, "50%_", 25) == ["50%_off"]
    assert await circles.suggest(SPACE, "5_", 25) == []


async def test_updating_changes_only_what_is_given(circles: CirclesRepo) -> None:
    """Each field changes on its own; a name taken in the space is refused."""
    circle = await make_circle(circles)
    await make_circle(circles, "Taken", room=OTHER_ROOM)
    updated = await circles.update(circle.id, description="Slow and kind", is_open=False)
    assert (updated.name, updated.description, updated.is_open) == (
        "Tuesday",
        "Slow and kind",
        False,
    )
    with pytest.raises(DuplicateName):
        await circles.update(circle.id, name="taken")
    assert (await circles.update(circle.id, time_zone="UTC")).time_zone == "UTC"


async def test_joining_takes_a_free_place_until_the_circle_is_full(circles: CirclesRepo) -> None:
    """Places go first come, first served; a member joining again changes nothing."""
    circle = await make_circle(circles, capacity=2)
    assert await circles.join(circle.id, "bob", at(1)) is JoinResult.JOINED
    assert await circles.join(circle.id, "bob", at(2)) is JoinResult.ALREADY_MEMBER
    assert await circles.join(circle.id, "carol", at(3)) is JoinResult.FULL
    assert [m.member_id for m in await circles.members(circle.id)] == ["alice", "bob"]


async def test_a_closed_circle_takes_requests_that_a_facilitator_decides(
    circles: CirclesRepo,
) -> None:
    """Asking twice is one request; approving takes a place (or the waitlist when full);
    declining removes the request."""
    circle = await make_circle(circles, capacity=2, is_open=False)
    assert await circles.join(circle.id, "bob", at(1)) is JoinResult.REQUESTED
    assert await circles.join(circle.id, "bob", at(2)) is JoinResult.ALREADY_REQUESTED
    assert await circles.join(circle.id, "carol", at(3)) is JoinResult.REQUESTED
    assert await circles.wait(circle.id, "dan", at(4)) is JoinResult.NOT_REQUESTED
    roster = await circles.roster(circle.id)
    assert roster is not None
    assert roster.requests == ["bob", "carol"]
    assert await circles.decide_request(circle.id, "bob", True, at(5)) is JoinResult.JOINED
    assert await circles.decide_request(circle.id, "carol", True, at(6)) is JoinResult.WAITLISTED
    assert await circles.decide_request(circle.id, "bob", True, at(7)) is JoinResult.ALREADY_MEMBER
    assert await circles.decide_request(circle.id, "eve", False, at(8)) is JoinResult.NOT_REQUESTED
    roster = await circles.roster(circle.id)
    assert roster is not None
    assert (roster.requests, roster.waitlist) == ([], ["carol"])


async def test_the_waitlist_keeps_its_order_and_a_freed_place_goes_to_its_first(
    circles: CirclesRepo,
) -> None:
    """Leaving frees a place for the first person waiting; growing the circle promotes more."""
    circle = await make_circle(circles, capacity=2, members=("bob",))
    assert await circles.wait(circle.id, "carol", at(2)) is JoinResult.WAITLISTED
    assert await circles.wait(circle.id, "carol", at(3)) is JoinResult.ALREADY_WAITING
    assert await circles.wait(circle.id, "dan", at(4)) is JoinResult.WAITLISTED
    assert await circles.wait(circle.id, "eve", at(5)) is JoinResult.WAITLISTED
    departure = await circles.leave(circle.id, "bob", at(6))
    assert departure.was_member
    assert departure.promoted == "carol"
    assert await circles.set_capacity(circle.id, 4, at(7)) == ["dan", "eve"]
    assert [m.member_id for m in await circles.members(circle.id)] == [
        "alice",
        "carol",
        "dan",
        "eve",
    ]


async def test_leaving_says_what_changed_and_hands_the_circle_on(circles: CirclesRepo) -> None:
    """A holder who leaves comes off the rota and the next person holds the circle; leaving a
    waitlist or a request is said as such; leaving what you never joined changes nothing."""
    circle = await make_circle(circles, members=("bob",))
    await circles.add_to_rota(circle.id, "bob")
    departure = await circles.leave(circle.id, "alice", at(3))
    assert departure.was_member
    assert departure.holder_changed
    assert departure.new_holder == "bob"
    assert await circles.rota(circle.id) == ["bob"]
    nothing = await circles.leave(circle.id, "zoe", at(4))
    assert not (nothing.was_member)
    assert not (nothing.was_waiting)
    assert not (nothing.was_requesting)


async def test_the_rota_keeps_its_order_and_who_holds_it(circles: CirclesRepo) -> None:
    """Adding twice is refused; taking the holder off passes the circle to the next; the last
    one off leaves nobody holding it."""
    circle = await make_circle(circles, members=("bob", "carol"))
    assert await circles.add_to_rota(circle.id, "bob")
    assert not await circles.add_to_rota(circle.id, "bob")
    assert await circles.add_to_rota(circle.id, "carol")
    assert await circles.rota(circle.id) == ["alice", "bob", "carol"]
    assert await circles.remove_from_rota(circle.id, "alice") == (True, "bob")
    assert await circles.remove_from_rota(circle.id, "carol") == (False, "bob")
    assert await circles.remove_from_rota(circle.id, "zoe") == (False, "bob")
    await circles.set_holder(circle.id, None)
    assert (await circles.get(circle.id) or circle).holder_id is None
    assert await circles.remove_from_rota(circle.id, "bob") == (False, None)


async def test_a_preference_belongs_to_a_member(circles: CirclesRepo) -> None:
    """Members may show one; someone outside the circle can't."""
    circle = await make_circle(circles, members=("bob",))
    assert await circles.set_preference(circle.id, "bob", Preference.LISTENING)
    assert not await circles.set_preference(circle.id, "zoe", Preference.IDEAS)
    membership = await circles.membership(circle.id, "bob")
    assert membership is not None
    assert membership.preference is Preference.LISTENING
    assert await circles.set_preference(circle.id, "bob", None)
    membership = await circles.membership(circle.id, "bob")
    assert membership is not None
    assert membership.preference is None


async def test_what_it_keeps_about_one_person_is_found_by_their_platform(
    circles: CirclesRepo,
) -> None:
    """Memberships, waitlists, requests and rota places of a person on their platform; the
    same id on another platform is someone else."""
    open_one = await make_circle(circles, "Open", capacity=2, members=("bob",))
    closed = await make_circle(circles, "Closed", room=OTHER_ROOM, is_open=False)
    await circles.wait(open_one.id, "carol", at(2))
    await circles.join(closed.id, "carol", at(3))
    carol, alice = local("carol"), local("alice")
    assert await circles.waiting_and_requests_of(carol) == (["Open"], ["Closed"])
    assert await circles.circle_ids_touching(carol) == [open_one.id, closed.id]
    assert [c.name for c, _ in await circles.memberships_of(alice)] == ["Closed", "Open"]
    elsewhere = MemberRef(Platform.DISCORD, "alice")
    assert await circles.memberships_of(elsewhere) == []
    assert await circles.circle_ids_touching(elsewhere) == []


async def test_forgetting_authorship_keeps_the_circle(circles: CirclesRepo) -> None:
    """Who started a circle is forgotten on their platform only; the circle stays."""
    circle = await make_circle(circles)
    await circles.forget_authorship(MemberRef(Platform.DISCORD, "alice"))
    assert (await circles.get(circle.id) or circle).created_by == "alice"
    await circles.forget_authorship(local("alice"))
    kept = await circles.get(circle.id)
    assert kept is not None
    assert kept.created_by is None
    assert kept.name == "Tuesday"
