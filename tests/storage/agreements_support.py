"""Opening and posting proposals for the agreements' contract suites."""

from __future__ import annotations

from datetime import timedelta

from bot.chat import MessageRef, ThreadRef
from cogs.agreements.ballots import Process
from cogs.agreements.model import CircleSettings, Kind, NewProposal, Proposal
from cogs.agreements.repo import AgreementsRepo
from cogs.circles.model import Circle
from tests.storage.conftest import ROOM, at

RULES = CircleSettings(
    process=Process.CONSENT,
    quorum_percent=50,
    threshold_percent=67,
    reminder=timedelta(hours=24),
    review=timedelta(days=90),
)


def new(
    circle: Circle,
    text: str = "We start on time.",
    *,
    kind: Kind = Kind.ADOPT,
    agreement_id: int | None = None,
    starter_id: str | None = None,
    by: str | None = "bob",
) -> NewProposal:
    return NewProposal(
        circle_id=circle.id,
        kind=kind,
        text=text,
        proposed_by=by,
        settings=RULES,
        opened_at=at(0),
        closes_at=at(72 * 60),
        remind_at=at(48 * 60),
        thread=None,
        agreement_id=agreement_id,
        starter_id=starter_id,
    )


async def posted(repo: AgreementsRepo, circle: Circle, **kwargs: object) -> Proposal:
    """A proposal opened and posted (its post, message ``p<id>``, opens its thread)."""
    proposal = await repo.open_proposal(new(circle, **kwargs))  # type: ignore[arg-type]
    message = MessageRef(ROOM, f"p{proposal.id}", None)
    placed = await repo.place(proposal.id, proposal.version, ThreadRef(ROOM, message.id), message)
    assert placed is not None
    return placed
