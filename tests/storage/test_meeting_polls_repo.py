"""The meeting poll repository's contract: one open poll per circle, answers kept and changed
only while it is open, a close that happens once and keeps only counts for a secret poll, a
pick recorded once, members' own time zones, and forgetting."""

from __future__ import annotations

import pytest

from bot.chat import Platform
from bot.storage.database import Database
from cogs.circles.repo import CirclesRepo
from cogs.reflections.poll_model import Answer, Counts, Given
from cogs.reflections.poll_repo import MeetingPollRepo
from tests.storage.conftest import OTHER_ROOM, at, local, make_circle

SLOTS = (at(60 * 24 * 7), at(60 * 24 * 8), at(60 * 24 * 9))


@pytest.fixture
def repo(db: Database) -> MeetingPollRepo:
    return MeetingPollRepo(db)


async def open_poll(
    repo: MeetingPollRepo, circle_id: int, *, secret: bool = False, closes: int = 60
) -> int:
    poll_id = await repo.open_poll(
        circle_id=circle_id,
        secret=secret,
        stated_zone="America/New_York",
        slots=SLOTS,
        closes_at=at(closes),
        created_by="alice",
        at=at(0),
    )
    assert poll_id is not None
    return poll_id


async def test_a_poll_is_read_back_with_its_slots(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """A poll comes back as opened: its zone, closing time, mode and numbered slots."""
    circle = await make_circle(circles)
    poll_id = await open_poll(repo, circle.id, secret=True)
    poll = await repo.poll(poll_id)
    assert poll is not None
    assert (poll.circle_id, poll.secret, poll.stated_zone, poll.closes_at) == (
        circle.id,
        True,
        "America/New_York",
        at(60),
    )
    assert [(s.position, s.starts_at) for s in poll.slots] == list(enumerate(SLOTS, start=1))
    assert poll.is_open
    assert poll.picked is None
    assert poll.frozen == {}
    assert await repo.open_of(circle.id) == poll
    assert await repo.still_open() == [(poll_id, at(60))]


async def test_a_circle_has_one_open_poll_at_a_time(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """A second poll while one is open is not opened (and leaves no slots); another circle's
    is; after the close, a new one may open."""
    circle = await make_circle(circles)
    other = await make_circle(circles, "Thursday", room=OTHER_ROOM)
    first = await open_poll(repo, circle.id)
    assert (
        await repo.open_poll(
            circle_id=circle.id,
            secret=False,
            stated_zone="UTC",
            slots=SLOTS[:2],
            closes_at=at(30),
            created_by="alice",
            at=at(1),
        )
        is None
    )
    assert await open_poll(repo, other.id) != first
    assert await repo.close(first, at(60))
    assert await open_poll(repo, circle.id) > first


async def test_answers_change_in_place_until_the_close(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """A member's later answer for a slot replaces the earlier; after the closing time, or
    once closed, answers are refused and stay as they were."""
    circle = await make_circle(circles, members=("bob",))
    poll_id = await open_poll(repo, circle.id)
    assert await repo.answer(poll_id, "bob", {1: Answer.YES, 2: Answer.NO, 3: Answer.NO}, at(5))
    assert await repo.answer(poll_id, "bob", {2: Answer.IF_NEED_BE}, at(6))
    assert sorted(await repo.answers(poll_id), key=lambda g: g.position) == [
        Given(1, "bob", Answer.YES),
        Given(2, "bob", Answer.IF_NEED_BE),
        Given(3, "bob", Answer.NO),
    ]
    assert not await repo.answer(poll_id, "bob", {1: Answer.NO}, at(60))  # its time has come
    assert await repo.close(poll_id, at(61))
    assert not await repo.answer(poll_id, "bob", {1: Answer.NO}, at(30))
    assert Given(1, "bob", Answer.YES) in await repo.answers(poll_id)


async def test_a_poll_closes_once_with_its_counts(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """Closing writes each slot's counts and how many answered; closing again does nothing."""
    circle = await make_circle(circles, members=("bob", "carol"))
    poll_id = await open_poll(repo, circle.id)
    await repo.answer(poll_id, "bob", {1: Answer.YES, 2: Answer.NO}, at(5))
    await repo.answer(poll_id, "carol", {1: Answer.YES, 2: Answer.IF_NEED_BE}, at(6))
    assert await repo.close(poll_id, at(60))
    assert not await repo.close(poll_id, at(61))
    poll = await repo.poll(poll_id)
    assert poll is not None
    assert poll.closed_at == at(60)
    assert poll.answered == 2
    assert poll.frozen == {1: Counts(2, 0, 0), 2: Counts(0, 1, 1), 3: Counts(0, 0, 0)}
    assert len(await repo.answers(poll_id)) == 4  # an open poll's answers stay, to name who
    assert await repo.still_open() == []
    assert await repo.open_of(circle.id) is None


async def test_a_secret_poll_keeps_only_counts_after_the_close(
    circles: CirclesRepo, repo: MeetingPollRepo, db: Database
) -> None:
    """Closing a secret poll deletes who answered what, in the same step as the counts."""
    circle = await make_circle(circles, members=("bob", "carol"))
    poll_id = await open_poll(repo, circle.id, secret=True)
    await repo.answer(poll_id, "bob", {1: Answer.YES, 3: Answer.NO}, at(5))
    await repo.answer(poll_id, "carol", {1: Answer.IF_NEED_BE}, at(6))
    assert await repo.close(poll_id, at(60))
    poll = await repo.poll(poll_id)
    assert poll is not None
    assert poll.frozen == {1: Counts(1, 1, 0), 2: Counts(0, 0, 0), 3: Counts(0, 0, 1)}
    assert poll.answered == 2
    assert await repo.answers(poll_id) == []
    assert await repo.answers_by(Platform.LOCAL, "bob") == []
    rows = await db.fetchall("SELECT * FROM meeting_poll_answers")
    assert rows == []


async def test_a_pick_is_recorded_once_and_only_after_the_close(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """An open poll can't be picked from; a closed one once; then it no longer waits."""
    circle = await make_circle(circles)
    poll_id = await open_poll(repo, circle.id)
    assert not await repo.pick(poll_id, 2, "alice", at(10))
    await repo.close(poll_id, at(60))
    waiting = await repo.waiting_for_pick(circle.id)
    assert waiting is not None
    assert waiting.id == poll_id
    assert await repo.pick(poll_id, 2, "alice", at(70))
    assert not await repo.pick(poll_id, 3, "alice", at(71))
    poll = await repo.poll(poll_id)
    assert poll is not None
    assert (poll.picked, poll.decided_by) == (2, "alice")
    assert await repo.waiting_for_pick(circle.id) is None
    assert await repo.latest_of(circle.id) == poll


async def test_leaving_drops_answers_to_the_open_poll_only(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """Answers to a closed poll stay (they are its result); the open poll's go."""
    circle = await make_circle(circles, members=("bob",))
    closed = await open_poll(repo, circle.id)
    await repo.answer(closed, "bob", {1: Answer.YES}, at(5))
    await repo.close(closed, at(60))
    still = await repo.open_poll(
        circle_id=circle.id,
        secret=False,
        stated_zone="UTC",
        slots=SLOTS,
        closes_at=at(120),
        created_by="alice",
        at=at(61),
    )
    assert still is not None
    await repo.answer(still, "bob", {1: Answer.NO, 2: Answer.NO}, at(62))
    assert await repo.drop_answers(circle.id, "bob") == 2
    assert await repo.answers(still) == []
    assert await repo.answers(closed) == [Given(1, "bob", Answer.YES)]


async def test_a_members_own_zone_is_set_changed_and_cleared(repo: MeetingPollRepo) -> None:
    """One zone per person and platform, replaced when set again."""
    bob = local("bob")
    assert await repo.zone_of(bob) is None
    await repo.set_zone(bob, "Asia/Kolkata", at(1))
    await repo.set_zone(bob, "Europe/Berlin", at(2))
    assert await repo.zone_of(bob) == "Europe/Berlin"
    assert await repo.zone_of(local("carol")) is None
    assert await repo.clear_zone(bob)
    assert not await repo.clear_zone(bob)
    assert await repo.zone_of(bob) is None


async def test_export_and_forget_reach_answers_zones_and_names(
    circles: CirclesRepo, repo: MeetingPollRepo
) -> None:
    """A member's answers and zone are listed and then erased; the poll they started stays,
    without their name."""
    circle = await make_circle(circles, members=("bob",))
    poll_id = await open_poll(repo, circle.id)
    await repo.answer(poll_id, "bob", {1: Answer.YES, 2: Answer.NO}, at(5))
    await repo.answer(poll_id, "alice", {1: Answer.NO}, at(6))
    await repo.set_zone(local("bob"), "Asia/Kolkata", at(7))
    assert await repo.answers_by(Platform.LOCAL, "bob") == [
        ("Tuesday", poll_id, SLOTS[0], Answer.YES),
        ("Tuesday", poll_id, SLOTS[1], Answer.NO),
    ]
    assert await repo.polls_by(Platform.LOCAL, "alice") == [("Tuesday", poll_id)]
    assert await repo.answers_by(Platform.MATRIX, "bob") == []

    await repo.forget(local("bob"))
    await repo.forget(local("alice"))
    assert await repo.answers(poll_id) == []
    assert await repo.zone_of(local("bob")) is None
    poll = await repo.poll(poll_id)
    assert poll is not None
    assert poll.created_by is None
    assert len(poll.slots) == 3
