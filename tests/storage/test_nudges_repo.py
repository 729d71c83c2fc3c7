"""The nudges repository's contract: a circle's settings, opt-outs per person, and a log of
nudges given that names kinds of wording, never words."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.app import owners
from bot.chat import MemberRef, Platform
from bot.storage.database import Database
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo
from cogs.nudges.drift import Sensitivity, Situation
from cogs.nudges.limits import Limits
from cogs.nudges.records import CircleNudging, NudgeRecord
from cogs.nudges.repo import NudgesRepo
from tests.storage.conftest import OTHER_ROOM, ROOM, T0, at, local, make_circle


@pytest.fixture
def repo(db: Database) -> NudgesRepo:
    return NudgesRepo(db)


def given(circle: Circle, member: str | None, minutes: int, mode: str = "private") -> NudgeRecord:
    return NudgeRecord(
        circle_id=circle.id,
        member_id=member,
        conversation="local:room",
        at=at(minutes),
        situation=Situation.DRIFT,
        mode=mode,
        delivered=True,
        kinds=("suggestion",),
    )


async def test_a_circle_s_settings_are_kept_and_replaced(
    circles: CirclesRepo, repo: NudgesRepo
) -> None:
    """Unset is None; saving twice keeps the latest."""
    circle = await make_circle(circles)
    assert await repo.settings(circle.id) is None
    await repo.set_settings(circle.id, CircleNudging("group", Sensitivity.GENTLE))
    await repo.set_settings(circle.id, CircleNudging("private", Sensitivity.ATTENTIVE))
    assert await repo.settings(circle.id) == CircleNudging("private", Sensitivity.ATTENTIVE)
    assert await repo.all_settings() == {circle.id: CircleNudging("private", Sensitivity.ATTENTIVE)}


async def test_an_opt_out_is_per_person_and_platform(repo: NudgesRepo) -> None:
    """Turning off twice is once; turning on what was on says so."""
    bob = local("bob")
    assert await repo.opt_out(bob, T0)
    assert not await repo.opt_out(bob, T0)
    assert await repo.opted_out() == {bob}
    assert not await repo.opt_in(MemberRef(Platform.DISCORD, "bob"))
    assert await repo.opt_in(bob)
    assert await repo.opted_out() == set()


async def test_the_log_answers_why_and_counts_by_week(
    circles: CirclesRepo, repo: NudgesRepo
) -> None:
    """The latest private nudge to a person, everything since a time, and numbers per week."""
    circle = await make_circle(circles)
    await repo.record(given(circle, "bob", 1))
    await repo.record(given(circle, "bob", 2, mode="group"))
    await repo.record(given(circle, "carol", 3))
    last = await repo.last_for(local("bob"))
    assert last is not None
    assert last[0].at == at(1)
    assert last[1] == "Tuesday"
    assert [r.member_id for r in await repo.since(at(2))] == ["bob", "carol"]
    assert [r.at for r, _ in await repo.of_member(local("bob"))] == [at(1), at(2)]
    (week,) = await repo.weekly_counts(ROOM.space, at(0))
    assert (week.circle_name, week.week, week.count) == ("Tuesday", "2026-W10", 3)


async def test_forgetting_keeps_the_counts_and_pruning_drops_old_entries(
    circles: CirclesRepo, repo: NudgesRepo
) -> None:
    """A forgotten person's entries stay, nameless, and their opt-out goes; entries older
    than the keeping time are pruned."""
    circle = await make_circle(circles)
    await repo.record(given(circle, "bob", 1))
    await repo.opt_out(local("bob"), T0)
    await repo.forget(local("bob"))
    assert await repo.of_member(local("bob")) == []
    assert [r.member_id for r in await repo.since(at(0))] == [None]
    assert await repo.opted_out() == set()
    assert await repo.prune(at(1) + timedelta(seconds=1)) == 1
    assert await repo.since(at(0)) == []


async def test_a_claim_logs_the_nudge_only_while_the_limits_allow(
    circles: CirclesRepo, repo: NudgesRepo
) -> None:
    """The limits are read from the log itself: a second note to bob within the half hour is
    held back, in another circle and conversation too; carol is free; later bob is too."""
    limits = Limits(per_member=timedelta(minutes=30), per_thread=timedelta(minutes=1))
    first = await make_circle(circles)
    second = await make_circle(circles, "Thursday", room=OTHER_ROOM)
    assert await repo.claim(limits, given(first, "bob", 0)) is not None
    elsewhere = replace(given(second, "bob", 10), conversation="local:room-2")
    assert await repo.claim(limits, elsewhere) is None
    assert await repo.claim(limits, replace(given(first, "carol", 10))) is not None
    later = await repo.claim(limits, given(first, "bob", 31))
    assert later is not None
    await repo.mark_undelivered(later)
    assert [(r.member_id, r.delivered) for r in await repo.since(at(0))] == [
        ("bob", True),
        ("carol", True),
        ("bob", False),
    ]
    assert await repo.is_opted_out(local("bob")) is False
    await repo.opt_out(local("bob"), T0)
    assert await repo.is_opted_out(local("bob")) is True


async def test_two_stores_claiming_at_once_give_one_note(
    circles: CirclesRepo, repo: NudgesRepo, db: Database
) -> None:
    """Two processes (two connections to the same store) nudge bob at the same moment in
    circles of different servers: exactly one note is logged."""
    limits = Limits()
    first = await make_circle(circles)
    second = await make_circle(circles, "Thursday", room=OTHER_ROOM)
    other = await Database.open(db.url, owners()) if db.backend == "postgresql" else None
    try:
        twin = NudgesRepo(other or db)
        for round_ in range(4):
            minute = 40 * round_
            results = await asyncio.gather(
                repo.claim(limits, given(first, "bob", minute)),
                twin.claim(
                    limits, replace(given(second, "bob", minute), conversation="local:room-2")
                ),
            )
            # one each time, until bob's daily three are reached: then none
            assert sum(r is not None for r in results) == (1 if round_ < 3 else 0), results
        assert len(await repo.since(at(0))) == 3
    finally:
        if other is not None:
            await other.close()
