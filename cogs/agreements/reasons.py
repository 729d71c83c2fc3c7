"""Reasons and outcomes: the reason a member may give with an objection or a block, shown in
the proposal's thread with their name or without it, as they chose; and the outcome statement
the proposer or a facilitator writes once the proposal has closed, kept next to the agreement.

A reason is kept first and posted after, so a stop in between loses nothing: on start, any
reason kept but not yet in the thread is posted then (``post_pending``). A second reason from
the same member on the same version edits their first post rather than adding another.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.chat import DeliveryError, MemberRef
from bot.commands import CommandError
from cogs.agreements.ballots import STOPPING
from cogs.agreements.model import Kind, Proposal, Reason
from cogs.agreements.proposals import AtDesk, Desk
from cogs.agreements.registry import Registry
from cogs.agreements.render import day, quote
from cogs.agreements.texts import (
    A_STOP,
    ALREADY_CLOSED,
    OUTCOME_POSTED,
    REASON_ANONYMOUS,
    REASON_NAMED,
    REASON_NEEDS_STOP,
    STOP_WORDS,
)
from cogs.circles import Circle

log = logging.getLogger(__name__)


class Reasons(AtDesk):
    def __init__(self, desk: Desk, registry: Registry) -> None:
        super().__init__(desk)
        self._registry = registry
        self._locks = desk.watched.locks

    async def give(
        self,
        circle: Circle,
        proposal: Proposal,
        member: MemberRef,
        text: str,
        *,
        named: bool,
        at: datetime,
    ) -> Reason:
        """Keep and show a member's reason for the objection or block they hold now."""
        stopping = STOPPING[proposal.process]
        async with self._locks[proposal.id]:
            vote = await self._ballots.vote_of(proposal.id, member.id)
            if vote is not stopping:
                raise CommandError(REASON_NEEDS_STOP.format(id=proposal.id))
            reason = await self._ballots.save_reason(
                proposal.id, proposal.version, member.id, stopping, text, named=named, at=at
            )
            if reason is None:
                prefix = self._chat.command_prefix(circle.platform)
                raise CommandError(
                    ALREADY_CLOSED.format(id=proposal.id, day=day(at, circle.zone), prefix=prefix)
                )
            await self._show(circle, proposal, reason)
        return reason

    async def post_pending(self, circle: Circle, proposal: Proposal) -> None:
        """Post the reasons kept while the bot was stopping (start-up calls this)."""
        for reason in await self._ballots.unposted_reasons(proposal.id):
            await self._show(circle, proposal, reason)

    async def _show(self, circle: Circle, proposal: Proposal, reason: Reason) -> None:
        stop = STOP_WORDS[proposal.process]
        if reason.named and reason.member_id is not None:
            name = await self._names.of(circle, reason.member_id)
            text = REASON_NAMED.format(name=name, stop=stop, quote=quote(reason.text))
        else:
            text = REASON_ANONYMOUS.format(
                a_stop=A_STOP[proposal.process], quote=quote(reason.text)
            )
        if reason.message is not None:
            try:
                await self._chat.edit(reason.message, text)
                return
            except DeliveryError:
                log.info("the post of a reason on proposal %s is gone; posting again", proposal.id)
        message = await self._chat.send(proposal.thread or circle.home, text)
        await self._ballots.place_reason(reason.id, message)

    async def write_outcome(
        self, circle: Circle, proposal: Proposal, text: str, at: datetime
    ) -> tuple[Proposal, int | None] | None:
        """Keep the outcome statement, post it in the thread, and show it in the registry when
        the proposal made (or changed) the agreement in force. Returns the proposal and that
        agreement's number; None while the proposal is open."""
        written = await self._repo.write_outcome(proposal.id, text, at)
        if written is None:
            return None
        await self._chat.send(
            written.thread or circle.home,
            OUTCOME_POSTED.format(id=written.id, quote=quote(text)),
        )
        about = written.id if written.kind is Kind.ADOPT else written.agreement_id
        agreement = await self._repo.agreement(about) if about is not None else None
        if agreement is not None and agreement.decided_by == written.id and agreement.active:
            await self._registry.refresh(circle)
            return written, agreement.id
        return written, None
