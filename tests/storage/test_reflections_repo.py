"""The reflections repository's contract: schedules and their next run, the posting log that
makes each run happen at most once, and the prompts members suggest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from bot.chat import MemberRef, Platform, ThreadRef
from bot.storage.database import Database
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo
from cogs.reflections.decks import PromptFilter
from cogs.reflections.model import Kind, Outcome
from cogs.reflections.repo import ReflectionsRepo
from tests.storage.conftest import ROOM, at, local, make_circle


@pytest.fixture
def repo(db: Database) -> ReflectionsRepo:
    return ReflectionsRepo(db)


async def add(
    repo: ReflectionsRepo, circle: Circle, kind: Kind = Kind.PROMPT, minutes: int = 60
) -> int:
    schedule_id, _ = await repo.add_schedule(
        circle_id=circle.id,
        kind=kind,
        form="daily 18:00",
        rule="daily 18:00",
        time_zone=None,
        deck_id="ips" if kind is Kind.PROMPT else None,
        theme=None,
        remind=None,
        next_due=at(minutes),
        created_by="alice",
        at=at(0),
        tag="light" if kind is Kind.PROMPT else None,
        without=("deep",) if kind is Kind.PROMPT else (),
    )
    return schedule_id


def first(uses: Mapping[str, int]) -> str | None:
    """A draw that takes the least used of two prompts."""
    return min(("a", "b"), key=lambda p: (uses.get(p, 0), p))


async def test_a_schedule_is_read_with_its_circle(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """A schedule comes back with its filter, its circle's name, zone and place."""
    circle = await make_circle(circles)
    schedule_id = await add(repo, circle)
    schedule = await repo.schedule(schedule_id)
    assert schedule is not None
    assert schedule.choosing == PromptFilter(tag="light", without=("deep",))
    assert (schedule.circle_name, schedule.zone_name, schedule.room) == (
        "Tuesday",
        "Europe/Berlin",
        ROOM,
    )
    assert not schedule.archived
    assert not schedule.round_open
    assert [s.id for s in await repo.schedules_of(circle.id)] == [schedule_id]
    assert [t.schedule_id for t in await repo.timers()] == [schedule_id]


async def test_a_circle_has_one_meeting_time_and_one_automatic_rota(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """Setting a meeting again replaces the earlier one and says which it was."""
    circle = await make_circle(circles)
    first_id = await add(repo, circle, Kind.MEETING)
    second_id, replaced = await repo.add_schedule(
        circle_id=circle.id,
        kind=Kind.MEETING,
        form="tuesdays 19:00",
        rule="tuesdays 19:00",
        time_zone="UTC",
        deck_id=None,
        theme=None,
        remind=None,
        next_due=at(90),
        created_by="alice",
        at=at(1),
    )
    assert replaced == first_id
    meeting = await repo.of_kind(circle.id, Kind.MEETING)
    assert meeting is not None
    assert meeting.id == second_id
    assert meeting.zone_name == "UTC"
    assert await repo.of_kind(circle.id, Kind.ROTA) is None


async def test_a_run_is_claimed_once_and_moves_the_schedule_on(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """The first claim of a run wins, with the prompt its draw chose; a second claim of the
    same run, or one on a schedule that moved on, gets nothing."""
    circle = await make_circle(circles)
    schedule_id = await add(repo, circle)
    schedule = await repo.schedule(schedule_id)
    assert schedule is not None
    claimed = await repo.claim(
        schedule, expected=at(60), fire=at(60), next_due=at(1500), at=at(61), draw=first
    )
    assert claimed is not None
    assert claimed[1] == "a"
    assert (
        await repo.claim(schedule, expected=at(60), fire=at(60), next_due=at(1500), at=at(62))
        is None
    )
    moved = await repo.schedule(schedule_id)
    assert moved is not None
    assert moved.next_due == at(1500)
    await repo.record(claimed[0], Outcome.POSTED, at(63), ThreadRef(ROOM, "t"), "m")
    assert await repo.runs(schedule_id) == [(at(60), Outcome.POSTED, "a")]
    assert await repo.uses(circle.id, "ips") == {"a": 1}
    _run_id, chosen = await repo.claim_now(circle.id, "ips", first, at(64))
    assert chosen == "b"


async def test_a_claim_never_confirmed_is_found_and_marked_failed(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """A run claimed long ago and never posted is listed once, then marked as failed."""
    circle = await make_circle(circles)
    schedule_id = await add(repo, circle)
    schedule = await repo.schedule(schedule_id)
    assert schedule is not None
    claimed = await repo.claim(schedule, expected=at(60), fire=at(60), next_due=None, at=at(60))
    assert claimed is not None
    assert await repo.unconfirmed(before=at(59)) == []
    (stuck,) = await repo.unconfirmed(before=at(100))
    assert (stuck.run_id, stuck.schedule_id, stuck.kind) == (claimed[0], schedule_id, Kind.PROMPT)
    await repo.mark_unconfirmed([stuck.run_id])
    assert await repo.unconfirmed(before=at(100)) == []
    assert await repo.runs(schedule_id) == [(at(60), Outcome.FAILED, None)]


async def test_moving_pausing_editing_and_removing_follow_the_truth(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """A move or an edit that expects another next run changes nothing; a pause keeps its
    date; a skip can be taken back while its time is still to come."""
    circle = await make_circle(circles)
    schedule_id = await add(repo, circle)
    assert not await repo.move_on(schedule_id, at(1), at(2))
    assert await repo.move_on(schedule_id, at(60), at(120))
    assert not await repo.edit_schedule(
        schedule_id,
        expected=at(60),
        form="x",
        rule="x",
        time_zone=None,
        deck_id="ips",
        choosing=PromptFilter(),
        next_due=at(200),
    )
    await repo.pause(schedule_id, date(2026, 4, 1), at(50_000))
    paused = await repo.schedule(schedule_id)
    assert paused is not None
    assert paused.paused_until == date(2026, 4, 1)
    await repo.resume(schedule_id, at(120))
    schedule = await repo.schedule(schedule_id)
    assert schedule is not None
    assert schedule.paused_until is None
    skipped = await repo.claim(
        schedule,
        expected=at(120),
        fire=at(120),
        next_due=at(1560),
        at=at(10),
        outcome=Outcome.SKIPPED,
    )
    assert skipped is not None
    assert await repo.unskip(schedule_id, expected=at(1560), now=at(11)) == at(120)
    assert await repo.remove_schedule(schedule_id)
    assert await repo.schedule(schedule_id) is None
    assert not await repo.remove_schedule(schedule_id)


async def test_suggestions_wait_are_approved_or_let_go(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """The same words twice are one suggestion; approving makes it part of the circle's deck;
    a declined or removed one is gone."""
    circle = await make_circle(circles)
    kept = await repo.suggest(circle.id, "bob", "What helps?", "what helps", at(1))
    declined = await repo.suggest(circle.id, "bob", "What hurts?", "what hurts", at(2))
    assert kept is not None
    assert declined is not None
    assert await repo.suggest(circle.id, "carol", "What helps?", "what helps", at(3)) is None
    assert [s.id for s in await repo.pending(circle.id)] == [kept, declined]
    assert await repo.approve(kept, "Help", "connection", "alice", at(4))
    assert not await repo.approve(kept, "Help", None, "alice", at(5))
    assert await repo.retitle(kept, None)
    (approved,) = await repo.approved(circle.id)
    assert (approved.id, approved.title, approved.theme, approved.approved) == (
        kept,
        None,
        "connection",
        True,
    )
    assert await repo.decline(declined)
    assert await repo.suggestion(declined) is None
    assert await repo.remove_approved(kept)
    assert await repo.approved(circle.id) == []


async def test_what_a_person_suggested_and_set_up_is_theirs_to_export_and_erase(
    circles: CirclesRepo, repo: ReflectionsRepo
) -> None:
    """Found by platform; forgetting deletes what still waits, and takes the name off
    approved prompts and schedules, which stay."""
    circle = await make_circle(circles)
    schedule_id = await add(repo, circle)
    waiting = await repo.suggest(circle.id, "alice", "What now?", "what now", at(1))
    approved = await repo.suggest(circle.id, "alice", "What then?", "what then", at(2))
    assert waiting is not None
    assert approved is not None
    await repo.approve(approved, None, None, "alice", at(3))
    assert len(await repo.suggestions_of(Platform.LOCAL, "alice")) == 2
    assert [s.id for s in await repo.schedules_by(Platform.LOCAL, "alice")] == [schedule_id]
    await repo.forget(MemberRef(Platform.MATRIX, "alice"))
    assert len(await repo.suggestions_of(Platform.LOCAL, "alice")) == 2
    await repo.forget(local("alice"))
    assert await repo.suggestions_of(Platform.LOCAL, "alice") == []
    assert await repo.schedules_by(Platform.LOCAL, "alice") == []
    assert await repo.suggestion(waiting) is None
    still = await repo.suggestion(approved)
    assert still is not None
    assert still.member_id is None
    schedule = await repo.schedule(schedule_id)
    assert schedule is not None
    assert schedule.created_by is None
