"""A proposal's life: opening it, posting it (and each new version) with its option
reactions, closing it by its rules when its time comes or everyone has voted, its one
reminder to the undecided, and an agreement's review when its date comes.

The database is the truth; ``Watched`` only remembers which posts are open proposals' ballots,
so a reaction anywhere else costs no database work.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.chat import Chat, DeliveryError, MemberRef, MessageRef, Platform
from bot.clock import Clock
from bot.cog import DomainEvent
from bot.commands import CommandError
from bot.outbound import tell
from bot.scheduling import Timers
from cogs.agreements.ballots import OPTIONS, Ballot, Process
from cogs.agreements.closing import closes_early, reminder_time
from cogs.agreements.model import (
    Agreement,
    CircleSettings,
    Closing,
    Effect,
    Kind,
    NewProposal,
    Proposal,
    Refused,
)
from cogs.agreements.posts import names_line, outcome_text, post_text, typed_privately
from cogs.agreements.registry import Registry
from cogs.agreements.render import day, moment, quote, short_title
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.texts import (
    ALREADY_CLOSED,
    AMENDED_NOTE,
    BUSY,
    CLOSED_HEAD,
    EXTENDED_THREAD,
    REMINDER,
    REMINDER_SECRET,
    REPLACED_HEAD,
    REPLACED_HEAD_EARLIER,
    RESULT_WORDS,
    SOMEONE,
    STARTER_TAKEN,
    THREAD_TITLE,
    UNKNOWN_AGREEMENT,
    VOTE_WHERE,
)
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles import AgreementAdopted, Circle, CircleLookup, Names

log = logging.getLogger(__name__)

CLOSE_JOB = "close:{id}"
REMIND_JOB = "remind:{id}"
REVIEW_JOB = "review:{id}"
THREAD_TITLE_LIMIT = 100


class Watched:
    """What is remembered between events about open proposals (the database holds the rest):
    their current posts, a lock each, and which are still being read back at start."""

    def __init__(self) -> None:
        # The current post of each open proposal -> (proposal id, process).
        self._posts: dict[tuple[Platform, str], tuple[int, Process]] = {}
        # Circles that have had an open proposal since start (it may have closed since): only
        # there can a newcomer's join matter to a vote.
        self.voting_circles: set[int] = set()
        self.locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # Open proposals whose start-up read-back hasn't finished: their reactions wait for it.
        self.restoring: dict[int, asyncio.Event] = {}
        # Open proposals decided by secret ballot: a reaction on their post is no vote.
        self.secret: set[int] = set()

    def watch(self, proposal: Proposal) -> None:
        """From now on, reactions on the proposal's current post are votes (or, on a secret
        ballot, reactions to take off)."""
        if proposal.message is not None:
            key = (proposal.message.platform, proposal.message.id)
            self._posts[key] = (proposal.id, proposal.process)
            self.voting_circles.add(proposal.circle_id)
            if proposal.ballot.secret:
                self.secret.add(proposal.id)

    def unwatch(self, message: MessageRef | None) -> None:
        if message is not None:
            gone = self._posts.pop((message.platform, message.id), None)
            if gone is not None:
                self.secret.discard(gone[0])

    def target(self, message: MessageRef) -> tuple[int, Process] | None:
        """The open proposal (and its process) whose current post this is."""
        return self._posts.get((message.platform, message.id))

    def clear(self) -> None:
        self._posts.clear()
        self.secret.clear()


@dataclass(frozen=True, slots=True)
class Desk:
    """What everything in the agreements works with: its two repositories, the Chat port,
    the clock, the circles (read-only), and what is remembered about open proposals."""

    repo: AgreementsRepo
    ballots: VotesRepo
    chat: Chat
    clock: Clock
    circles: CircleLookup
    watched: Watched


class AtDesk:
    """A part of the agreements that works at the desk."""

    def __init__(self, desk: Desk) -> None:
        self._repo = desk.repo
        self._ballots = desk.ballots
        self._chat = desk.chat
        self._clock = desk.clock
        self._circles = desk.circles
        self._watched = desk.watched
        self._names = Names(desk.chat)


class Proposals(AtDesk):
    def __init__(
        self,
        desk: Desk,
        *,
        timers: Timers,
        registry: Registry,
        defaults: CircleSettings,
        closing: timedelta,
        publish: Callable[[DomainEvent], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(desk)
        self._publish = publish  # tells the other features what a circle adopted
        self._timers = timers
        self._registry = registry
        self._defaults = defaults
        self.closing = closing  # how long a proposal stays open unless its proposer says

    async def settings(self, circle_id: int) -> CircleSettings:
        """How the circle decides now: its own choices, or the defaults."""
        return (await self._repo.settings(circle_id)).effective(self._defaults)

    # --- opening, posting, new versions -----------------------------------------------------

    async def open(self, circle: Circle, new: NewProposal) -> Proposal:
        try:
            proposal = await self._repo.open_proposal(new)
        except Refused as refused:
            raise CommandError(self._refusal(refused, new, circle)) from None
        posted = await self.post(circle, proposal, replaced=None)
        if new.agreement_id is not None:  # the registry shows its review as under way
            await self._registry.refresh(circle)
        if posted is None:
            return proposal
        self.arm(posted)
        return posted

    def _refusal(self, refused: Refused, new: NewProposal, circle: Circle) -> str:
        if refused.reason == "busy":
            return BUSY.format(id=new.agreement_id, other=refused.other)
        if refused.reason == "starter":
            return STARTER_TAKEN.format(title=new.title, circle=circle.name)
        prefix = self._chat.command_prefix(circle.platform)
        return UNKNOWN_AGREEMENT.format(id=new.agreement_id, circle=circle.name, prefix=prefix)

    async def open_review(
        self, circle: Circle, agreement: Agreement, at: datetime, closes_at: datetime
    ) -> Proposal:
        settings = await self.settings(circle.id)
        return await self.open(
            circle,
            new_proposal(
                circle,
                settings,
                Kind.REVIEW,
                agreement.text,
                by=None,
                at=at,
                closes_at=closes_at,
                title=agreement.title,
                agreement_id=agreement.id,
            ),
        )

    async def post(
        self, circle: Circle, proposal: Proposal, *, replaced: MessageRef | None
    ) -> Proposal | None:
        """Post the proposal's current version, with its option reactions. The first version
        opens the proposal's thread (its post is the thread's first message); later versions
        go into that thread, and the earlier post says it was replaced."""
        prefix = self._chat.command_prefix(circle.platform)
        text = await self._post_text(circle, proposal, prefix)
        if proposal.thread is None:
            title = THREAD_TITLE.format(
                id=proposal.id, title=short_title(proposal.title, proposal.text)
            )
            started = await self._chat.open_thread(circle.room, title[:THREAD_TITLE_LIMIT], text)
            message, thread = started.message, started.thread
        else:
            message, thread = await self._chat.send(proposal.thread, text), proposal.thread
        placed = await self._repo.place(proposal.id, proposal.version, thread, message)
        if placed is None:
            return None
        self._watched.watch(placed)
        for option in () if placed.ballot.secret else OPTIONS[placed.process]:
            try:
                await self._chat.react(message, option.emoji)
            except DeliveryError:
                log.info("could not add %s to proposal %s", option.label, placed.id)
        if replaced is not None and replaced.id != message.id:
            self._watched.unwatch(replaced)
            try:
                await self._chat.edit(replaced, await self._replaced_text(circle, placed, message))
            except DeliveryError:
                log.info("could not mark the earlier post of proposal %s", placed.id)
        return placed

    async def _replaced_text(self, circle: Circle, placed: Proposal, newer: MessageRef) -> str:
        """What the replaced post says now: which version took its place, with a link, and
        its own words, kept."""
        kept = await self._repo.version(placed.id, placed.version - 1)
        link = self._chat.message_link(newer)
        if kept is None:  # replaced before every wording was kept (an older release)
            return REPLACED_HEAD_EARLIER.format(
                version=placed.version - 1, next=placed.version, link=link
            )
        head = REPLACED_HEAD.format(
            version=kept.version,
            next=placed.version,
            started=day(kept.started_at, circle.zone),
            ended=day(kept.ended_at or self._clock.now(), circle.zone),
            link=link,
        )
        return head + "\n" + quote(kept.text)

    async def new_version(
        self,
        circle: Circle,
        proposal: Proposal,
        *,
        text: str,
        kind: Kind,
        by: MemberRef,
        at: datetime,
    ) -> Proposal:
        """Amend (or turn a review into a retirement): votes reset, the clock restarts, the new
        version is posted in the thread, and whoever had voted hears privately."""
        async with self._watched.locks[proposal.id]:
            self._watched.unwatch(proposal.message)
            closes_at = at + proposal.duration
            result = await self._repo.amend(
                proposal.id,
                proposal.version,
                text=text,
                kind=kind,
                by=by.id,
                at=at,
                closes_at=closes_at,
                remind_at=reminder_time(at, closes_at, proposal.reminder),
            )
            if result is None:
                raise CommandError(
                    ALREADY_CLOSED.format(
                        id=proposal.id,
                        day=day(at, circle.zone),
                        prefix=self._chat.command_prefix(circle.platform),
                    )
                )
            changed, voters = result
            posted = await self.post(circle, changed, replaced=proposal.message) or changed
            self.arm(posted)
        for member_id in voters:
            if member_id != by.id:
                await tell(
                    self._chat,
                    circle.member(member_id),
                    AMENDED_NOTE.format(id=changed.id, circle=circle.name),
                )
        return posted

    async def extend(self, circle: Circle, proposal: Proposal, *, until: datetime) -> Proposal:
        """Give an open proposal more time: its post shows the new closing time, the thread
        hears, and the timers are planned again (a reminder already sent is not sent twice)."""
        async with self._watched.locks[proposal.id]:
            remind_at = reminder_time(self._clock.now(), until, proposal.reminder)
            changed = await self._repo.extend(
                proposal.id, proposal.version, closes_at=until, remind_at=remind_at
            )
            prefix = self._chat.command_prefix(circle.platform)
            if changed is None:
                raise CommandError(
                    ALREADY_CLOSED.format(
                        id=proposal.id, day=day(self._clock.now(), circle.zone), prefix=prefix
                    )
                )
            self.arm(changed)
            if changed.message is not None and changed.posted:
                try:
                    await self._chat.edit(
                        changed.message, await self._post_text(circle, changed, prefix)
                    )
                except DeliveryError:
                    log.info("could not show the new closing time of proposal %s", changed.id)
            await self._chat.send(
                changed.thread or circle.home,
                EXTENDED_THREAD.format(id=changed.id, closes=moment(until, circle.zone)),
            )
        return changed

    async def show_turnout(self, circle: Circle, proposal_id: int) -> None:
        """A secret ballot's post shows how many have voted, and nothing else about the vote."""
        proposal = await self._repo.get(proposal_id)
        if proposal is None or not proposal.is_open or not proposal.posted:
            return
        if proposal.message is None:
            return
        prefix = self._chat.command_prefix(circle.platform)
        try:
            await self._chat.edit(proposal.message, await self._post_text(circle, proposal, prefix))
        except DeliveryError:
            log.info("could not show the turnout of proposal %s", proposal.id)

    async def _post_text(
        self, circle: Circle, proposal: Proposal, prefix: str, *, closed: bool = False
    ) -> str:
        by = proposal.proposed_by
        proposer = await self._names.of(circle, by) if by else SOMEONE
        turnout = (
            await self._ballots.turnout(proposal.id)
            if proposal.ballot.secret and not closed
            else None
        )
        return post_text(
            proposal,
            circle=circle.name,
            proposer=proposer,
            zone=circle.zone,
            prefix=prefix,
            closed=closed,
            turnout=turnout,
        )

    # --- closing ----------------------------------------------------------------------------

    async def close_if_everyone_agreed(self, proposal_id: int, process: Process) -> None:
        cast, members = await self._ballots.current_votes(proposal_id)
        if closes_early(process, cast, members):
            await self.close(proposal_id)

    async def close(self, proposal_id: int) -> None:
        async with self._watched.locks[proposal_id]:
            before = await self._repo.get(proposal_id)
            if before is None or not before.is_open:
                return
            settings = await self.settings(before.circle_id)
            # A close that runs late (downtime, a clock jump) takes effect at the closing time,
            # so the adoption date and the next review count from the time members were given.
            now = self._clock.now()
            closing = await self._repo.close(
                proposal_id, now, settings.review, takes_effect=min(now, before.closes_at)
            )
            self._timers.cancel(CLOSE_JOB.format(id=proposal_id))
            self._timers.cancel(REMIND_JOB.format(id=proposal_id))
            self._watched.unwatch(before.message)
            if closing is None:
                return
            circle = await self._circles.get(before.circle_id)
            if circle is None:
                return
            await self._announce(circle, closing)
        agreement = closing.agreement
        if agreement is not None:
            if agreement.active and agreement.review_at is not None:
                self.arm_review(agreement)
            else:
                self._timers.cancel(REVIEW_JOB.format(id=agreement.id))
        if closing.effect is not Effect.NONE:
            await self._registry.refresh(circle)
        if (
            self._publish is not None
            and closing.result.passed
            and agreement is not None
            and agreement.active
        ):
            adopted = AgreementAdopted(circle, agreement.id, agreement.starter_id, agreement.text)
            await self._publish(adopted)

    async def _announce(self, circle: Circle, closing: Closing) -> None:
        proposal, zone = closing.proposal, circle.zone
        prefix = self._chat.command_prefix(circle.platform)
        names = None
        if closing.names is not None:  # the circle chose to see who chose what, at the close
            shown = {
                choice: [await self._names.of(circle, m) for m in members]
                for choice, members in closing.names.items()
            }
            names = names_line(proposal.process, shown)
        text = outcome_text(closing, zone=zone, prefix=prefix, names=names)
        await self._chat.send(proposal.thread or circle.home, text)
        if proposal.message is not None and proposal.closed_at is not None:
            head = CLOSED_HEAD.format(
                day=day(proposal.closed_at, zone), result=RESULT_WORDS[closing.result.passed]
            )
            try:
                text = await self._post_text(circle, proposal, prefix, closed=True)
                await self._chat.edit(proposal.message, head + "\n" + text)
            except DeliveryError:
                log.info("could not mark proposal %s as closed", proposal.id)

    # --- timers -----------------------------------------------------------------------------

    def arm(self, proposal: Proposal) -> None:
        pid = proposal.id
        self._timers.at(CLOSE_JOB.format(id=pid), proposal.closes_at, lambda _due: self.close(pid))
        job = REMIND_JOB.format(id=pid)
        if proposal.reminded_version < proposal.version:
            version = proposal.version
            self._timers.at(job, proposal.remind_at, lambda _due: self._remind(pid, version))
        else:
            self._timers.cancel(job)

    async def _remind(self, proposal_id: int, version: int) -> None:
        """The one reminder to the undecided, while the vote is still open. A reminder that
        wakes after the closing time (a clock jump, a late wake-up) stays quiet: the close is
        due, and a note saying "closes Friday" on Saturday would only confuse."""
        async with self._watched.locks[proposal_id]:
            proposal = await self._repo.get(proposal_id)
            if proposal is None or not proposal.is_open or proposal.version != version:
                return
            if proposal.closes_at <= self._clock.now():
                log.info(
                    "proposal %s: its reminder woke after the closing time; not sent", proposal_id
                )
                return
            circle = await self._circles.get(proposal.circle_id)
            if circle is None:
                return
            waiting = await self._ballots.claim_reminder(proposal_id, version)
            if not waiting:
                return
            options = ", ".join(f"{o.emoji} {o.label}" for o in OPTIONS[proposal.process])
            prefix = self._chat.command_prefix(circle.platform)
            text = (REMINDER_SECRET if proposal.ballot.secret else REMINDER).format(
                id=proposal.id,
                circle=circle.name,
                closes=moment(proposal.closes_at, circle.zone),
                options=options,
                prefix=prefix,
                where=VOTE_WHERE[typed_privately(prefix)],
            )
            for member_id in waiting:
                await tell(self._chat, circle.member(member_id), text)

    def arm_review(self, agreement: Agreement) -> None:
        if agreement.review_at is None:
            return
        aid = agreement.id
        self._timers.at(
            REVIEW_JOB.format(id=aid), agreement.review_at, lambda _due: self._review_due(aid)
        )

    async def _review_due(self, agreement_id: int) -> None:
        """An agreement's review date came: open a review by the circle's process."""
        agreement = await self._repo.agreement(agreement_id)
        now = self._clock.now()
        if agreement is None or not agreement.active or agreement.review_at is None:
            return
        if agreement.review_at > now:
            self.arm_review(agreement)
            return
        circle = await self._circles.get(agreement.circle_id)
        if circle is None or not self._timers.owns(circle.space):
            return  # gone, or owned by another process, which opens the review (bot/ownership.py)
        if circle.archived:  # a resting circle reviews when it has rested a while longer
            settings = await self.settings(circle.id)
            await self._repo.postpone_review(agreement.id, now + settings.review)
            fresh = await self._repo.agreement(agreement.id)
            if fresh is not None:
                self.arm_review(fresh)
            return
        try:
            await self.open_review(circle, agreement, now, now + self.closing)
        except CommandError:
            log.info("agreement %s is already being decided; its review waits", agreement.id)

    def stop(self) -> None:
        self._timers.cancel_all()
        self._watched.clear()


def new_proposal(
    circle: Circle,
    settings: CircleSettings,
    kind: Kind,
    text: str,
    *,
    by: str | None,
    at: datetime,
    closes_at: datetime,
    title: str | None = None,
    agreement_id: int | None = None,
    starter_id: str | None = None,
    ballot: Ballot | None = None,
) -> NewProposal:
    """A proposal to open in ``circle`` now, under its settings: the reminder falls where the
    settings put it, and a circle that lives in a thread holds its proposals there."""
    return NewProposal(
        circle_id=circle.id,
        kind=kind,
        text=text,
        proposed_by=by,
        settings=settings,
        opened_at=at,
        closes_at=closes_at,
        remind_at=reminder_time(at, closes_at, settings.reminder),
        thread=circle.thread,
        title=title,
        agreement_id=agreement_id,
        starter_id=starter_id,
        ballot=ballot,
    )
