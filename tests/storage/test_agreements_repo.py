"""The agreements repository's contract: a circle's settings, proposals and their versions,
closing by the rules, the registry, and what it keeps about one person."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chat import MemberRef, MessageRef, Platform, ThreadRef
from bot.storage.database import Database
from cogs.agreements.ballots import Choice, Process
from cogs.agreements.closing import Result
from cogs.agreements.model import Effect, Kind, Refused
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles.repo import CirclesRepo
from tests.storage.agreements_support import RULES, new, posted
from tests.storage.conftest import ROOM, at, local, make_circle

REVIEW = timedelta(days=90)


@pytest.fixture
def repo(db: Database) -> AgreementsRepo:
    return AgreementsRepo(db)


async def adopted(circles: CirclesRepo, repo: AgreementsRepo, db: Database) -> tuple[int, int]:
    """(circle, agreement): a proposal everyone consented to, closed."""
    circle = await make_circle(circles, members=("bob",))
    proposal = await posted(repo, circle, starter_id="on-time")
    votes = VotesRepo(db)
    for member in ("alice", "bob"):
        await votes.add_reaction(proposal.id, f"p{proposal.id}", member, Choice.CONSENT)
    closing = await repo.close(proposal.id, at(60), REVIEW)
    assert closing is not None
    assert closing.effect is Effect.ADOPTED
    return circle.id, proposal.id


async def test_settings_follow_the_defaults_until_a_circle_chooses(
    circles: CirclesRepo, repo: AgreementsRepo
) -> None:
    """Unset values come from the defaults; saving one keeps the others as they were."""
    circle = await make_circle(circles)
    assert (await repo.settings(circle.id)).effective(RULES) == RULES
    await repo.save_settings(
        circle.id,
        process=Process.PROPOSAL,
        quorum_percent=60,
        threshold_percent=None,
        reminder_seconds=None,
        review_days=None,
    )
    await repo.save_settings(
        circle.id,
        process=None,
        quorum_percent=None,
        threshold_percent=None,
        reminder_seconds=3600,
        review_days=30,
    )
    effective = (await repo.settings(circle.id)).effective(RULES)
    assert (effective.process, effective.quorum_percent, effective.threshold_percent) == (
        Process.PROPOSAL,
        60,
        67,
    )
    assert (effective.reminder, effective.review) == (timedelta(hours=1), timedelta(days=30))


async def test_the_registry_post_is_remembered_where_it_is(
    circles: CirclesRepo, repo: AgreementsRepo
) -> None:
    """The pinned post's room, thread and id come back as a message to edit."""
    circle = await make_circle(circles)
    assert (await repo.settings(circle.id)).registry(ROOM) is None
    message = MessageRef(ROOM, "reg", ThreadRef(ROOM, "t"))
    await repo.set_registry(circle.id, message)
    assert (await repo.settings(circle.id)).registry(ROOM) == message


async def test_a_proposal_is_posted_found_and_versioned(
    circles: CirclesRepo, repo: AgreementsRepo, db: Database
) -> None:
    """Placing records its post; a new version clears the votes and names who had voted;
    placing an old version again is refused."""
    circle = await make_circle(circles, members=("bob",))
    proposal = await posted(repo, circle)
    assert proposal.posted
    assert proposal.thread == ThreadRef(ROOM, f"p{proposal.id}")
    assert await repo.get(proposal.id) == proposal
    assert await repo.by_message(Platform.LOCAL, f"p{proposal.id}") == proposal
    assert await repo.by_message(Platform.MATRIX, f"p{proposal.id}") is None
    assert [p.id for p in await repo.open_in(circle.id)] == [proposal.id]
    assert [p.id for p in await repo.open_proposals()] == [proposal.id]
    await VotesRepo(db).add_reaction(proposal.id, f"p{proposal.id}", "bob", Choice.CONSENT)
    result = await repo.amend(
        proposal.id,
        proposal.version,
        text="We start on time, together.",
        kind=Kind.ADOPT,
        by="bob",
        at=at(10),
        closes_at=at(100),
        remind_at=at(50),
    )
    assert result is not None
    changed, voters = result
    assert (changed.version, changed.text, voters) == (2, "We start on time, together.", ["bob"])
    assert not changed.posted
    assert await VotesRepo(db).holdings(proposal.id) == {}
    old = MessageRef(ROOM, "again")
    assert await repo.place(proposal.id, 1, None, old) is None
    stale = await repo.amend(
        proposal.id,
        1,
        text="x",
        kind=Kind.ADOPT,
        by="bob",
        at=at(11),
        closes_at=at(1),
        remind_at=at(1),
    )
    assert stale is None
    # the first wording is kept in full, with its dates, its post and its vote (counts only)
    first, current = await repo.versions(proposal.id)
    assert (first.version, first.text, first.proposed_by) == (1, proposal.text, "bob")
    assert (first.started_at, first.ended_at) == (proposal.opened_at, at(10))
    assert first.message == proposal.message
    assert first.counts[Choice.CONSENT] == 1
    assert (first.voters, first.replaced) == (1, True)
    assert (current.version, current.text, current.started_at) == (2, changed.text, at(10))
    assert current.ended_at is None
    assert not current.replaced
    assert await repo.version(proposal.id, 1) == first


async def test_closing_decides_once_and_keeps_only_the_counts(
    circles: CirclesRepo, repo: AgreementsRepo, db: Database
) -> None:
    """Votes are counted by the proposal's rules, the adopted agreement joins the registry
    with its review date, the reactions go, and closing again does nothing."""
    circle_id, agreement_id = await adopted(circles, repo, db)
    agreement = await repo.agreement(agreement_id)
    assert agreement is not None
    assert (agreement.circle_id, agreement.version, agreement.starter_id) == (
        circle_id,
        1,
        "on-time",
    )
    assert agreement.review_at == at(60) + REVIEW
    assert agreement.counts[Choice.CONSENT] == 2
    assert agreement.voters == 2
    assert await VotesRepo(db).holdings(agreement_id) == {}
    assert await repo.close(agreement_id, at(61), REVIEW) is None
    assert [a.id for a in await repo.agreements(circle_id)] == [agreement_id]
    assert [a.id for a in await repo.reviews_to_arm()] == [agreement_id]


async def test_a_late_close_takes_effect_when_it_was_due(
    circles: CirclesRepo, repo: AgreementsRepo
) -> None:
    """Without a quorum nothing is adopted; a close processed late counts from its time."""
    circle = await make_circle(circles, members=("bob", "carol"))
    proposal = await posted(repo, circle)
    closing = await repo.close(proposal.id, at(500), REVIEW, takes_effect=at(400))
    assert closing is not None
    assert (closing.result, closing.effect) == (Result.NO_QUORUM, Effect.NONE)
    assert closing.proposal.closed_at == at(500)
    assert closing.tally.members == 3


async def test_a_starter_or_an_agreement_under_way_is_not_proposed_twice(
    circles: CirclesRepo, repo: AgreementsRepo, db: Database
) -> None:
    """A starter adopted (or open) is refused; so is a second proposal about one agreement,
    and one about an agreement that isn't there."""
    circle_id, agreement_id = await adopted(circles, repo, db)
    circle = await circles.get(circle_id)
    assert circle is not None
    with pytest.raises(Refused) as starter:
        await repo.open_proposal(new(circle, starter_id="on-time"))
    assert starter.value.reason == "starter"
    review = await repo.open_proposal(
        new(circle, kind=Kind.REVIEW, agreement_id=agreement_id, by=None)
    )
    under_review = await repo.agreement(agreement_id)
    assert under_review is not None
    assert under_review.review_at is None
    with pytest.raises(Refused) as busy:
        await repo.open_proposal(new(circle, kind=Kind.RETIRE, agreement_id=agreement_id))
    assert (busy.value.reason, busy.value.other) == ("busy", review.id)
    with pytest.raises(Refused) as missing:
        await repo.open_proposal(new(circle, kind=Kind.RETIRE, agreement_id=999))
    assert missing.value.reason == "no_agreement"
    assert [p.id for p in await repo.about(agreement_id)] == [agreement_id, review.id]


async def test_a_review_can_be_postponed(
    circles: CirclesRepo, repo: AgreementsRepo, db: Database
) -> None:
    """A resting circle's review moves to a later date."""
    _, agreement_id = await adopted(circles, repo, db)
    await repo.postpone_review(agreement_id, at(10_000))
    later = await repo.agreement(agreement_id)
    assert later is not None
    assert later.review_at == at(10_000)


async def test_what_a_person_wrote_stays_with_the_group_without_their_name(
    circles: CirclesRepo, repo: AgreementsRepo, db: Database
) -> None:
    """Their proposals and agreements are found by platform for export; forgetting them
    keeps the words and clears the name."""
    _, agreement_id = await adopted(circles, repo, db)
    proposals, agreements = await repo.written_by(Platform.LOCAL, "bob")
    assert [r["id"] for r in proposals] == [agreement_id]
    assert [r["id"] for r in agreements] == [agreement_id]
    await repo.forget(MemberRef(Platform.DISCORD, "bob"))
    assert (await repo.written_by(Platform.LOCAL, "bob"))[0]
    await repo.forget(local("bob"))
    assert await repo.written_by(Platform.LOCAL, "bob") == ([], [])
    kept = await repo.agreement(agreement_id)
    assert kept is not None
    assert kept.text == "We start on time."
    assert kept.proposed_by is None
