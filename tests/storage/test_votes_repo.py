"""The votes repository's contract: a reaction is a vote only from a member, on an open
proposal's current post; turnout and the everyone-has-voted signal; notes claimed once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.chat import MemberRef, MessageRef, Platform
from bot.storage.database import Database
from cogs.agreements.ballots import Choice
from cogs.agreements.model import Kind, NoteKind, VoteStatus
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles.repo import CirclesRepo
from tests.storage.agreements_support import posted
from tests.storage.conftest import ROOM, at, local, make_circle


@pytest.fixture
def repo(db: Database) -> AgreementsRepo:
    return AgreementsRepo(db)


@pytest.fixture
def votes(db: Database) -> VotesRepo:
    return VotesRepo(db)


async def test_only_members_vote_and_only_on_the_current_post(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """A member's reaction counts; an outsider's, one on an old post, or a repeat does not,
    and each says why."""
    circle = await make_circle(circles, members=("bob",))
    proposal = await posted(repo, circle)
    post = f"p{proposal.id}"
    counted = await votes.add_reaction(proposal.id, post, "bob", Choice.CONSENT)
    assert counted.status is VoteStatus.COUNTED
    assert not counted.everyone_voted
    again = await votes.add_reaction(proposal.id, post, "bob", Choice.CONSENT)
    assert again.status is VoteStatus.UNCHANGED
    outsider = await votes.add_reaction(proposal.id, post, "zoe", Choice.CONSENT)
    assert outsider.status is VoteStatus.NOT_MEMBER
    stale = await votes.add_reaction(proposal.id, "old-post", "alice", Choice.CONSENT)
    assert stale.status is VoteStatus.STALE
    assert await votes.holdings(proposal.id) == {"bob": (Choice.CONSENT,)}


async def test_the_last_member_to_vote_is_told_everyone_has(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """The change that completes the turnout says so; taking a reaction back still counts
    the other one held."""
    circle = await make_circle(circles, members=("bob",))
    proposal = await posted(repo, circle)
    post = f"p{proposal.id}"
    await votes.add_reaction(proposal.id, post, "bob", Choice.CONSENT)
    await votes.add_reaction(proposal.id, post, "bob", Choice.CONCERN)
    last = await votes.add_reaction(proposal.id, post, "alice", Choice.CONSENT)
    assert last.everyone_voted
    assert await votes.turnout(proposal.id) == (2, 2)
    back = await votes.remove_reaction(proposal.id, post, "bob", Choice.CONCERN)
    assert back.status is VoteStatus.COUNTED
    assert back.everyone_voted
    cast, members = await votes.current_votes(proposal.id)
    assert (cast, members) == ({"alice": Choice.CONSENT, "bob": Choice.CONSENT}, 2)


async def test_reconciling_makes_the_votes_what_the_platform_shows(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """Reactions taken back while away go, new ones come after those already known; the same
    picture again changes nothing; a replaced version is left alone."""
    circle = await make_circle(circles, members=("bob", "carol"))
    proposal = await posted(repo, circle)
    post = f"p{proposal.id}"
    await votes.add_reaction(proposal.id, post, "bob", Choice.CONSENT)
    await votes.add_reaction(proposal.id, post, "carol", Choice.CONCERN)
    seen = {"bob": [Choice.CONSENT, Choice.OBJECT], "alice": [Choice.CONSENT]}
    assert await votes.reconcile(proposal.id, proposal.version, seen)
    assert await votes.holdings(proposal.id) == {
        "bob": (Choice.CONSENT, Choice.OBJECT),
        "alice": (Choice.CONSENT,),
    }
    assert not await votes.reconcile(proposal.id, proposal.version, seen)
    assert not await votes.reconcile(proposal.id, proposal.version + 1, {})


async def test_a_leaver_s_votes_on_open_proposals_go(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """Someone leaving the circle no longer counts; the open proposals are listed."""
    circle = await make_circle(circles, members=("bob",))
    proposal = await posted(repo, circle)
    await votes.add_reaction(proposal.id, f"p{proposal.id}", "bob", Choice.CONSENT)
    assert await votes.drop_member(circle.id, "bob") == [proposal.id]
    assert await votes.holdings(proposal.id) == {}


async def test_notes_and_the_reminder_are_claimed_once(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """A note of a kind to a person, the thread's objection note per version, and each
    version's reminder (to the members who haven't voted) happen once."""
    circle = await make_circle(circles, members=("bob", "carol"))
    proposal = await posted(repo, circle)
    assert await votes.claim_note(proposal.id, "zoe", NoteKind.OUTSIDER)
    assert not await votes.claim_note(proposal.id, "zoe", NoteKind.OUTSIDER)
    assert await votes.claim_note(proposal.id, "zoe", NoteKind.CLOSED)
    assert await votes.claim_objection_note(proposal.id, proposal.version)
    assert not await votes.claim_objection_note(proposal.id, proposal.version)
    await votes.add_reaction(proposal.id, f"p{proposal.id}", "bob", Choice.CONSENT)
    assert await votes.claim_reminder(proposal.id, proposal.version) == ["alice", "carol"]
    assert await votes.claim_reminder(proposal.id, proposal.version) is None
    amended = await repo.amend(
        proposal.id,
        proposal.version,
        text="We start on time, mostly.",
        kind=Kind.ADOPT,
        by="bob",
        at=at(30 * 60),
        closes_at=at(90 * 60),
        remind_at=at(60 * 60),
    )
    assert amended is not None
    assert await votes.claim_objection_note(proposal.id, amended[0].version)


async def test_a_person_s_votes_and_notes_are_theirs_to_export_and_erase(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """Open votes are exported with the circle's name; forgetting erases them and the notes,
    on that platform only."""
    circle = await make_circle(circles, members=("bob",))
    proposal = await posted(repo, circle)
    await votes.add_reaction(proposal.id, f"p{proposal.id}", "bob", Choice.CONCERN)
    await votes.claim_note(proposal.id, "bob", NoteKind.OBJECTION)
    assert await votes.open_votes_of(Platform.LOCAL, "bob") == [
        (proposal.id, "Tuesday", ["concern"])
    ]
    await votes.forget(MemberRef(Platform.DISCORD, "bob"))
    assert await votes.holdings(proposal.id) == {"bob": (Choice.CONCERN,)}
    await votes.forget(local("bob"))
    assert await votes.holdings(proposal.id) == {}
    assert await votes.claim_note(proposal.id, "bob", NoteKind.OBJECTION)  # the old one went


async def test_a_reason_is_kept_once_per_member_and_version_and_placed_later(
    circles: CirclesRepo, repo: AgreementsRepo, votes: VotesRepo
) -> None:
    """A second reason replaces the first (keeping its post); it waits unposted until placed;
    a closed proposal takes none; forgetting the member erases it."""
    circle = await make_circle(circles, members=("bob", "carol"))
    proposal = await posted(repo, circle)
    await votes.add_reaction(proposal.id, f"p{proposal.id}", "carol", Choice.OBJECT)
    assert await votes.vote_of(proposal.id, "carol") is Choice.OBJECT
    assert await votes.vote_of(proposal.id, "bob") is None
    first = await votes.save_reason(
        proposal.id, 1, "carol", Choice.OBJECT, "Too soon.", named=False, at=at(1)
    )
    assert first is not None
    assert [r.id for r in await votes.unposted_reasons(proposal.id)] == [first.id]
    await votes.place_reason(first.id, MessageRef(ROOM, "r1"))
    assert await votes.unposted_reasons(proposal.id) == []
    second = await votes.save_reason(
        proposal.id, 1, "carol", Choice.OBJECT, "Later, please.", named=True, at=at(2)
    )
    assert second is not None
    assert (second.id, second.text, second.named) == (first.id, "Later, please.", True)
    assert second.message == MessageRef(ROOM, "r1")
    assert [r["text"] for r in await votes.reasons_of(Platform.LOCAL, "carol")] == [
        "Later, please."
    ]
    assert await votes.reasons_of(Platform.MATRIX, "carol") == []
    await repo.close(proposal.id, at(3), timedelta(days=90))
    closed = await votes.save_reason(
        proposal.id, 1, "carol", Choice.OBJECT, "x", named=False, at=at(4)
    )
    assert closed is None
    await votes.forget(local("carol"))
    assert await votes.reasons(proposal.id) == []
