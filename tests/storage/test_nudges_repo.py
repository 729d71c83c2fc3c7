"""The nudges repository's contract: a circle's settings, opt-outs per person, and a log of
nudges given that names kinds of wording, never words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chat import MemberRef, Platform
from bot.storage.database import Database
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo
from cogs.nudges.drift import Sensitivity, Situation
from cogs.nudges.records import CircleNudging, NudgeRecord
from cogs.nudges.repo import NudgesRepo
from tests.storage.conftest import ROOM, T0, at, local, make_circle


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
