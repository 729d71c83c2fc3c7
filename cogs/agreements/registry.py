"""The living registry: what a circle has agreed, as its pinned post (edited in place), as a
list, one agreement or proposal in full with its history, and a line for ``circle info``."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from zoneinfo import ZoneInfo

from bot.chat import Chat, DeliveryError
from cogs.agreements.ballots import STOPPING
from cogs.agreements.history import Wordings, history_text
from cogs.agreements.model import Agreement, Proposal
from cogs.agreements.render import (
    Entry,
    counts_line,
    day,
    moment,
    quote,
    registry_text,
    short_title,
    vote_line,
)
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.texts import (
    HISTORY_ABOUT,
    HISTORY_AGREEMENT_HEAD,
    HISTORY_HINT,
    HISTORY_PROPOSAL_HEAD,
    HISTORY_WORDS,
    INFO_AGREEMENTS,
    INFO_NO_AGREEMENTS,
    OUTCOME_LINE,
    RESULT_WORDS,
    SHOW_AGREEMENT,
    SHOW_PROPOSAL,
    STANDS,
)
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles import Circle, InfoWanted, Names

log = logging.getLogger(__name__)


class Registry:
    def __init__(self, repo: AgreementsRepo, ballots: VotesRepo, chat: Chat) -> None:
        self._repo = repo
        self._ballots = ballots
        self._chat = chat
        self._names = Names(chat)
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def refresh(self, circle: Circle) -> None:
        """Edit the circle's pinned registry in place, or post and pin it the first time."""
        async with self._locks[circle.id]:
            prefix = self._chat.command_prefix(circle.platform)
            text = registry_text(circle.name, await self.entries(circle), circle.zone, prefix)
            existing = (await self._repo.settings(circle.id)).registry(circle.room)
            if existing is not None:
                try:
                    await self._chat.edit(existing, text)
                    return
                except DeliveryError:
                    log.info("the registry post of %s is gone; posting it again", circle.name)
            message = await self._chat.send(circle.home, text)
            await self._repo.set_registry(circle.id, message)
            try:
                await self._chat.pin(message)
            except DeliveryError:
                log.info("could not pin the registry of %s", circle.name)

    async def entries(self, circle: Circle) -> list[Entry]:
        return [
            Entry(
                id=a.id,
                title=a.title,
                text=a.text,
                version=a.version,
                changed_at=a.changed_at,
                process=a.process,
                counts=a.counts,
                voters=a.voters,
                members=a.members,
                review_at=a.review_at,
                outcome=a.outcome,
            )
            for a in await self._repo.agreements(circle.id)
        ]

    async def add_info(self, wanted: InfoWanted) -> None:
        """`circle info` lists what the circle has agreed (titles only; no names)."""
        agreements = await self._repo.agreements(wanted.circle.id)
        if not agreements:
            wanted.add(InfoWanted.AGREEMENTS, INFO_NO_AGREEMENTS)
            return
        items = "; ".join(
            f"{a.id} · {short_title(a.title, a.text, 50).rstrip('.!?;:, ')}" for a in agreements
        )
        wanted.add(
            InfoWanted.AGREEMENTS,
            INFO_AGREEMENTS.format(count=len(agreements), items=items, prefix=wanted.prefix),
        )

    async def describe_agreement(
        self, circle: Circle, agreement: Agreement, zone: ZoneInfo, *, names: bool
    ) -> str:
        proposer = (
            await self._names.of(circle, agreement.proposed_by)
            if agreement.proposed_by and names
            else None
        )
        if agreement.active:
            state = "in force"
            review = (
                f"Next review: {day(agreement.review_at, zone)}."
                if agreement.review_at
                else "A review is under way."
            )
        else:
            state = (
                f"retired {day(agreement.retired_at, zone)}" if agreement.retired_at else "retired"
            )
            review = "It's no longer in force."
        history = [
            f"proposal {proposal.id} ({HISTORY_WORDS[proposal.kind]}, {_outcome_words(proposal)})"
            for proposal in await self._repo.about(agreement.id)
        ]
        hint = HISTORY_HINT.format(
            prefix=self._chat.command_prefix(circle.platform), id=agreement.id
        )
        return (
            SHOW_AGREEMENT.format(
                id=agreement.id,
                title=short_title(agreement.title, agreement.text),
                state=state,
                quote=quote(agreement.text),
                version=agreement.version,
                changed=day(agreement.changed_at, zone),
                vote=vote_line(
                    agreement.process, agreement.counts, agreement.voters, agreement.members
                ),
                proposer=f" Proposed by {proposer}." if proposer else "",
                review=review,
                history=" · ".join(history),
            )
            + (f"\n{OUTCOME_LINE.format(outcome=agreement.outcome)}" if agreement.outcome else "")
            + ("\n" + hint)
        )

    async def history_of_proposal(self, circle: Circle, proposal: Proposal, zone: ZoneInfo) -> str:
        """Every wording of the proposal, with its dates and votes."""
        head = HISTORY_PROPOSAL_HEAD.format(
            id=proposal.id, title=f" · {proposal.title}" if proposal.title else ""
        )
        return history_text(
            head,
            [Wordings(None, proposal.process, await self._repo.versions(proposal.id))],
            zone,
            await self._turnouts([proposal]),
        )

    async def history_of_agreement(
        self, circle: Circle, agreement: Agreement, zone: ZoneInfo
    ) -> str:
        """Every wording the agreement has had or been offered, proposal by proposal."""
        head = HISTORY_AGREEMENT_HEAD.format(
            id=agreement.id, title=short_title(agreement.title, agreement.text)
        )
        about = await self._repo.about(agreement.id)
        groups = [
            Wordings(
                HISTORY_ABOUT.format(
                    id=p.id, kind=HISTORY_WORDS[p.kind], outcome=_outcome_words(p)
                ),
                p.process,
                await self._repo.versions(p.id),
            )
            for p in about
        ]
        return history_text(head, groups, zone, await self._turnouts(about))

    async def _turnouts(self, proposals: list[Proposal]) -> dict[int, tuple[int, int]]:
        return {p.id: await self._ballots.turnout(p.id) for p in proposals if p.is_open}

    async def describe_proposal(
        self, circle: Circle, proposal: Proposal, zone: ZoneInfo, *, names: bool
    ) -> str:
        if proposal.is_open:
            voters, members = await self._ballots.turnout(proposal.id)
            state = f"version {proposal.version}, open until {moment(proposal.closes_at, zone)}"
            about = f"{voters} of {members} members have voted so far."
            cast, _members = await self._ballots.current_votes(proposal.id)
            # a secret ballot says only how many have voted
            if not proposal.ballot.secret and STOPPING[proposal.process] in cast.values():
                about += " " + STANDS[proposal.process]
        else:
            closed = day(proposal.closed_at, zone) if proposal.closed_at else ""
            passed = proposal.result is not None and proposal.result.passed
            state = f"closed {closed}: {RESULT_WORDS[passed]}"
            about = (
                counts_line(proposal.process, proposal.counts)
                + f" · {proposal.voters} of {proposal.members} voted."
            )
        if proposal.agreement_id is not None:
            about = (
                f"About agreement {proposal.agreement_id} ({HISTORY_WORDS[proposal.kind]}). "
                + about
            )
        proposer = (
            await self._names.of(circle, proposal.proposed_by)
            if proposal.proposed_by and names
            else None
        )
        hint = HISTORY_HINT.format(
            prefix=self._chat.command_prefix(circle.platform), id=proposal.id
        )
        return (
            SHOW_PROPOSAL.format(
                id=proposal.id,
                title=f" · {proposal.title}" if proposal.title else "",
                state=state,
                quote=quote(proposal.text),
                about=about,
                proposer=f" Proposed by {proposer}." if proposer else "",
            )
            + (f"\n{OUTCOME_LINE.format(outcome=proposal.outcome)}" if proposal.outcome else "")
            + ("\n" + hint if proposal.version > 1 else "")
        )


def _outcome_words(proposal: Proposal) -> str:
    if proposal.is_open:
        return "open"
    return proposal.result.value.replace("_", " ") if proposal.result else ""
