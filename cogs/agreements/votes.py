"""Votes are reactions: a member's reaction on an open proposal's current post is their vote
(``ballots.py`` has the rules). Here: reactions as they come, reading them back from the
platform after downtime, the conversation an objection opens, and the private notes that
say why a reaction didn't count (each sent once)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot import metrics
from bot.chat import DeliveryError, MemberRef, MessageRef, Platform, normalise_emoji
from bot.outbound import tell
from cogs.agreements.ballots import STOPPING, Choice, Process, choice_for, is_vote_emoji
from cogs.agreements.model import NoteKind, Proposal, VoteChange, VoteStatus
from cogs.agreements.posts import typed_privately
from cogs.agreements.proposals import AtDesk, Desk, Proposals
from cogs.agreements.render import day
from cogs.agreements.texts import (
    BLOCK_INVITE,
    BLOCK_THREAD,
    CLOSED_NOTE,
    OBJECTION_INVITE,
    OBJECTION_THREAD,
    OUTSIDER_NOTE,
    REASON_HINT,
    SECRET_REACTION_NOTE,
    VOTE_WHERE,
)
from cogs.circles import Circle

log = logging.getLogger(__name__)


class Votes(AtDesk):
    def __init__(self, desk: Desk, proposals: Proposals) -> None:
        super().__init__(desk)
        self._proposals = proposals
        # Objection notes already claimed in the database (which stays the truth), so that a
        # storm of ✋ doesn't ask it again each time.
        self._invited: set[tuple[int, str]] = set()
        self._thread_told: set[tuple[int, int]] = set()
        # Notes sent about reactions on secret ballots' posts (proposal, member, taken off).
        self._secret_told: set[tuple[int, str, bool]] = set()
        # The option reactions each post showed when we read it back (on start, on a join):
        # a platform that catches up after downtime (Matrix) delivers them again afterwards,
        # and one that counted must not be told it came after the closing.
        self._read_back: dict[tuple[Platform, str], set[tuple[str, Choice]]] = {}

    async def on_reaction(
        self, message: MessageRef, member: MemberRef, key: str, *, added: bool
    ) -> None:
        key = normalise_emoji(key)
        target = self._watched.target(message)
        if target is None:
            if added and is_vote_emoji(key):
                await self._maybe_closed(message, member, key)
            elif not added:
                self._forget_read_back(message, member, key)
            return
        proposal_id, process = target
        choice = choice_for(process, key)
        if choice is None:
            return  # any other reaction is just a reaction
        if proposal_id in self._watched.secret:
            if added:  # a vote by reaction would show everyone; it is taken off, and explained
                await self._off_secret_post(proposal_id, message, member, key)
            return
        restoring = self._watched.restoring.get(proposal_id)
        if restoring is not None:
            await restoring.wait()  # its start-up read-back comes first
        if added:
            change = await self._ballots.add_reaction(proposal_id, message.id, member.id, choice)
        else:
            change = await self._ballots.remove_reaction(proposal_id, message.id, member.id, choice)
        metrics.vote_seen(change.status.value)
        if change.status is VoteStatus.COUNTED:
            if added and choice is STOPPING[process]:
                await self._on_objection(proposal_id, member)
            if change.everyone_voted:
                await self._proposals.close_if_everyone_agreed(proposal_id, process)
        elif added and change.status is VoteStatus.NOT_MEMBER:
            await self._note(proposal_id, member, NoteKind.OUTSIDER)
        elif added and change.status is VoteStatus.CLOSED:
            await self._note(proposal_id, member, NoteKind.CLOSED)

    async def _off_secret_post(
        self, proposal_id: int, message: MessageRef, member: MemberRef, key: str
    ) -> None:
        """A vote reaction on a secret ballot's post: take it off where the platform lets us,
        and say privately how to vote (once per person and proposal while we run)."""
        try:
            await self._chat.remove_reaction(message, member, key)
            removed = True
        except DeliveryError:
            log.info("could not take a reaction off secret proposal %s", proposal_id)
            removed = False
        proposal = await self._repo.get(proposal_id)
        circle = await self._circles.get(proposal.circle_id) if proposal else None
        if proposal is None or circle is None:
            return
        if not await self._circles.is_member(circle.id, member.id):
            await self._note(proposal_id, member, NoteKind.OUTSIDER)
            return
        told = (proposal_id, member.id, removed)
        if told in self._secret_told:
            return
        self._secret_told.add(told)
        prefix = self._chat.command_prefix(circle.platform)
        await tell(
            self._chat,
            member,
            SECRET_REACTION_NOTE[removed].format(
                id=proposal.id,
                circle=circle.name,
                prefix=prefix,
                where=VOTE_WHERE[typed_privately(prefix)],
            ),
        )

    async def cast(
        self,
        circle: Circle,
        proposal: Proposal,
        member: MemberRef,
        choice: Choice | None,
        at: datetime,
    ) -> VoteChange:
        """A private vote on a secret ballot (``None`` withdraws it): counted, the post's
        turnout follows, an objection invites its reason privately, and a vote that completes
        the circle may close the proposal."""
        async with self._watched.locks[proposal.id]:
            change = await self._ballots.cast(proposal.id, member.id, choice, at)
        metrics.vote_seen(change.status.value)
        if change.status is VoteStatus.COUNTED:
            await self._proposals.show_turnout(circle, proposal.id)
            if choice is STOPPING[proposal.process]:
                await self._on_objection(proposal.id, member)
            if change.everyone_voted:
                await self._proposals.close_if_everyone_agreed(proposal.id, proposal.process)
        return change

    async def _maybe_closed(self, message: MessageRef, member: MemberRef, key: str) -> None:
        """A vote reaction on a message we don't hold open: tell the person if it was a
        proposal that has closed."""
        proposal = await self._repo.by_message(message.platform, message.id)
        if proposal is None or proposal.is_open:
            return
        choice = choice_for(proposal.process, key)
        if choice is None or (member.id, choice) in self._read_back.get(
            (message.platform, message.id), ()
        ):
            return  # not a vote, or one read back while it was open (it counted), arriving late
        await self._note(proposal.id, member, NoteKind.CLOSED)

    def _forget_read_back(self, message: MessageRef, member: MemberRef, key: str) -> None:
        """Taken back: adding it again later is a new reaction."""
        held = self._read_back.get((message.platform, message.id))
        if held:
            held.difference_update((member.id, choice_for(process, key)) for process in Process)

    async def _on_objection(self, proposal_id: int, member: MemberRef) -> None:
        if (proposal_id, member.id) in self._invited:
            return  # invited already; the thread heard its note with the first objection
        self._invited.add((proposal_id, member.id))
        proposal = await self._repo.get(proposal_id)
        if proposal is None or not proposal.is_open:
            return
        circle = await self._circles.get(proposal.circle_id)
        if circle is None:
            return
        prefix = self._chat.command_prefix(circle.platform)
        by = proposal.proposed_by
        proposer = await self._names.of(circle, by) if by else None
        blocking = proposal.process is Process.PROPOSAL  # a block, named as a block
        if await self._ballots.claim_note(proposal.id, member.id, NoteKind.OBJECTION):
            await tell(
                self._chat,
                member,
                (BLOCK_INVITE if blocking else OBJECTION_INVITE).format(
                    id=proposal.id,
                    circle=circle.name,
                    proposer=proposer or "the circle's facilitators",
                    reason_hint=REASON_HINT.format(prefix=prefix, id=proposal.id),
                ),
            )
        if proposal.ballot.secret:
            return  # a secret ballot's thread hears only how many have voted
        told = (proposal.id, proposal.version)
        if told not in self._thread_told and await self._ballots.claim_objection_note(*told):
            self._thread_told.add(told)
            await self._chat.send(
                proposal.thread or circle.home,
                (BLOCK_THREAD if blocking else OBJECTION_THREAD).format(
                    who=proposer or "Anyone in the circle", prefix=prefix, id=proposal.id
                ),
            )

    async def _note(self, proposal_id: int, member: MemberRef, kind: NoteKind) -> None:
        """Why a reaction didn't count, privately and once: it came from outside the circle,
        or after the proposal closed."""
        proposal = await self._repo.get(proposal_id)
        circle = await self._circles.get(proposal.circle_id) if proposal else None
        if proposal is None or circle is None:
            return
        if kind is NoteKind.CLOSED and proposal.closed_at is None:
            return
        if await self._ballots.claim_note(proposal.id, member.id, kind):
            prefix = self._chat.command_prefix(circle.platform)
            fmt = {"id": proposal.id, "circle": circle.name, "prefix": prefix}
            if proposal.closed_at is not None and kind is NoteKind.CLOSED:
                text = CLOSED_NOTE.format(day=day(proposal.closed_at, circle.zone), **fmt)
            else:
                text = OUTSIDER_NOTE.format(**fmt)
            await tell(self._chat, member, text)

    # --- the circle changes -----------------------------------------------------------------

    async def on_left(self, circle: Circle, member: MemberRef) -> None:
        """A leaver's votes on open proposals are dropped; they may have been the last to vote."""
        await self._ballots.drop_member(circle.id, member.id)
        for proposal in await self._repo.open_in(circle.id):
            await self._proposals.close_if_everyone_agreed(proposal.id, proposal.process)

    async def on_joined(self, circle: Circle) -> None:
        """A newcomer may vote on what is open; a reaction they made before joining counts now."""
        if circle.id not in self._watched.voting_circles:
            return  # nothing was ever open here since start: no need to ask the database
        for proposal in await self._repo.open_in(circle.id):
            await self.reconcile(proposal)

    # --- reading back -----------------------------------------------------------------------

    async def reconcile(self, proposal: Proposal) -> None:
        """Make the stored votes match the reactions the platform shows now."""
        if not proposal.posted or proposal.message is None:
            return
        try:
            reactions = await self._chat.reactions(proposal.message)
        except DeliveryError:
            log.info("could not read the reactions of proposal %s", proposal.id)
            return
        if proposal.ballot.secret:
            # Votes are cast privately; a vote reaction made while we were away comes off.
            for key, people in reactions.by_key.items():
                if choice_for(proposal.process, key) is not None:
                    for person in people:
                        await self._off_secret_post(proposal.id, proposal.message, person, key)
            return
        members = {m.member_id for m in await self._circles.members(proposal.circle_id)}
        observed: dict[str, list[Choice]] = {}
        shown: set[tuple[str, Choice]] = set()
        for key, people in reactions.by_key.items():
            choice = choice_for(proposal.process, key)
            if choice is None:
                continue
            for person in people:
                shown.add((person.id, choice))
                if person.id in members:
                    observed.setdefault(person.id, []).append(choice)
        self._read_back[(proposal.message.platform, proposal.message.id)] = shown
        await self._ballots.reconcile(proposal.id, proposal.version, observed)
        if proposal.closes_at > self._clock.now():
            # An objection made while we were away (or before its maker joined) opens its
            # conversation now, as it would have then. The notes are claimed: never twice.
            stopping = STOPPING[proposal.process]
            for member_id, choices in observed.items():
                if stopping in choices:
                    await self._on_objection(
                        proposal.id, MemberRef(proposal.message.platform, member_id)
                    )

    def stop(self) -> None:
        self._read_back.clear()
