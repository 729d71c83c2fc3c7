"""Agreements' part of the web dashboard (``bot.dashboard``'s read model): open proposals
with their counts, the registry with every version, and the reviews that are due.

Counts only, always: never who voted which way, so a secret ballot stays secret here too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.commands import CircleHandle
from bot.dashboard import Fact, Item, Section, Topic
from cogs.agreements import texts
from cogs.agreements.model import Agreement, Proposal
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.votes_repo import VotesRepo


def _day(when: datetime) -> str:
    return f"{when:%a} {when.day} {when:%b} {when.year}"


class AgreementsDashboard:
    def __init__(self, repo: AgreementsRepo, ballots: VotesRepo) -> None:
        self._repo = repo
        self._ballots = ballots

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle], now: datetime
    ) -> Mapping[int, Sequence[Section]]:
        if topic is not Topic.AGREEMENTS:
            return {}
        return {c.id: await self._of(c.id, now) for c in circles}

    async def _of(self, circle_id: int, now: datetime) -> list[Section]:
        proposals = [await self._proposal(p) for p in await self._repo.open_in(circle_id)]
        agreements = await self._repo.agreements(circle_id, retired=True)
        registry = [await self._agreement(a) for a in agreements]
        due = [
            Item(
                texts.DASH_REVIEW_DUE.format(
                    id=a.id, title=a.title or texts.DASH_UNTITLED, when=_day(a.review_at)
                )
            )
            for a in agreements
            if a.active and a.review_at is not None and a.review_at <= now
        ]
        return [
            Section(texts.DASH_OPEN, items=tuple(proposals), empty=texts.DASH_OPEN_NONE),
            Section(texts.DASH_REVIEWS_DUE, items=tuple(due), empty=texts.DASH_REVIEWS_NONE),
            Section(texts.DASH_REGISTRY, items=tuple(registry), empty=texts.DASH_REGISTRY_NONE),
        ]

    async def _proposal(self, proposal: Proposal) -> Item:
        current, members = await self._ballots.current_votes(proposal.id)
        counts: dict[str, int] = {}
        for choice in current.values():  # tallied here; who chose what never leaves
            counts[choice.value] = counts.get(choice.value, 0) + 1
        facts = [
            Fact(texts.DASH_PROCESS, proposal.process.value),
            Fact(texts.DASH_CLOSES, _day(proposal.closes_at)),
            Fact(texts.DASH_VOTED, texts.DASH_VOTED_OF.format(voted=len(current), members=members)),
            *(Fact(texts.DASH_COUNT.format(choice=c), str(n)) for c, n in sorted(counts.items())),
        ]
        return Item(
            texts.DASH_PROPOSAL.format(id=proposal.id, title=proposal.title or texts.DASH_UNTITLED),
            facts=tuple(facts),
            notes=(proposal.text,),
        )

    async def _agreement(self, agreement: Agreement) -> Item:
        facts = [
            Fact(texts.DASH_ADOPTED, _day(agreement.adopted_at)),
            Fact(
                texts.DASH_REVIEW,
                _day(agreement.review_at) if agreement.review_at else texts.DASH_NO_REVIEW,
            ),
        ]
        if agreement.retired_at is not None:
            facts.append(Fact(texts.DASH_RETIRED, _day(agreement.retired_at)))
        versions = []
        for p in await self._repo.about(agreement.id):
            if p.closed_at is None:
                versions.append(texts.DASH_VERSION_OPEN.format(version=p.version))
            else:
                result = p.result.value.replace("_", " ") if p.result else ""
                versions.append(
                    texts.DASH_VERSION.format(
                        version=p.version, when=_day(p.closed_at), result=result
                    )
                )
            versions.append(p.text)
        return Item(
            texts.DASH_AGREEMENT.format(
                id=agreement.id,
                title=agreement.title or texts.DASH_UNTITLED,
                version=agreement.version,
            ),
            facts=tuple(facts),
            notes=(agreement.text, *versions),
        )
