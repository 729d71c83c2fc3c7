"""Group agreements, decided by consent with reactions, kept in a living registry.

A member proposes an agreement in their circle. The bot posts it with what each reaction
means and when voting closes, adds the option reactions, and opens a thread to talk it over.
Members vote by reacting on that post; only members count. An objection opens a conversation:
the objector is invited, privately, to say what would make it workable, and the proposer can
post a new version (votes start afresh). The proposal closes at its time, or once everyone
has voted; adopted agreements join the circle's pinned registry and come up for review.

Votes live in the database as the reactions members hold (``ballots.py`` has the rules).
Timers are rebuilt from the database on start, and every open proposal is reconciled with the
reactions the platform shows, so votes changed while the bot was down count. That read-back
goes over the network, a few proposals side by side, and start-up waits for it only briefly:
commands go on meanwhile, and a reaction on a proposal waits for that proposal's read-back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from bot.chat import Event, MemberRef, ReactionAdded, ReactionRemoved
from bot.cog import Cog, DataStatement, DomainEvent
from bot.commands import CircleHandle, Command, commands_of
from bot.dashboard import Section, Topic
from bot.feature import Context
from cogs.agreements.ballots import Ballot, Process
from cogs.agreements.commands import AgreementCommands
from cogs.agreements.dashboard import AgreementsDashboard
from cogs.agreements.model import CircleSettings, Proposal
from cogs.agreements.proposals import Desk, Proposals, Watched
from cogs.agreements.reasons import Reasons
from cogs.agreements.registry import Registry
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.settings import AgreementsSettings
from cogs.agreements.texts import SECRET_EXPORT_NOTE
from cogs.agreements.votes import Votes
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles import CircleLookup, InfoTopic, InfoWanted, JoinedCircle, LeftCircle

log = logging.getLogger(__name__)

# Open proposals read back side by side on start; the platform's client keeps each request
# within its rate limits (discord.py queues per bucket).
READ_BACK_AT_ONCE = 4
READ_BACK_WAIT = 1.0  # seconds start() waits for the read-back before leaving it to run on


class AgreementsCog(Cog):
    name = "agreements"

    def __init__(self, context: Context[AgreementsSettings], circles: CircleLookup) -> None:
        services, config = context.services, context.settings
        self._clock = services.clock
        self._circles = circles
        self._repo = AgreementsRepo(services.db)
        self._ballots = VotesRepo(services.db)
        self._watched = Watched()
        desk = Desk(self._repo, self._ballots, services.chat, self._clock, circles, self._watched)
        self._registry = Registry(self._repo, self._ballots, services.chat)
        self._proposals = Proposals(
            desk,
            timers=context.timers,
            registry=self._registry,
            defaults=CircleSettings(
                process=Process.CONSENT,
                quorum_percent=config.quorum_percent,
                threshold_percent=config.threshold_percent,
                reminder=timedelta(hours=config.reminder_hours),
                review=timedelta(days=config.review_days),
            ),
            closing=timedelta(hours=config.closing_hours),
            publish=services.bus.publish,
        )
        self._votes = Votes(desk, self._proposals)
        self._reasons = Reasons(desk, self._registry)
        self._commands = AgreementCommands(
            repo=self._repo,
            ballots=self._ballots,
            chat=services.chat,
            circles=circles,
            proposals=self._proposals,
            registry=self._registry,
            reasons=self._reasons,
            votes=self._votes,
        )
        self._read_back_task: asyncio.Task[None] | None = None
        self._dashboard = AgreementsDashboard(self._repo, self._ballots)
        self._timers = context.timers

    @property
    def repo(self) -> AgreementsRepo:
        return self._repo

    @property
    def votes(self) -> VotesRepo:
        return self._ballots

    async def reconcile(self, proposal: Proposal) -> None:
        """Read one proposal's votes back from the platform (as start-up does for each)."""
        await self._votes.reconcile(proposal)

    def commands(self) -> Sequence[Command]:
        return commands_of(self._commands)

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]:
        """The web dashboard's proposals and registry, counts only (``bot.dashboard``)."""
        return await self._dashboard.dashboard(topic, circles, self._clock.now())

    # --- start and stop ---------------------------------------------------------------------

    async def start(self) -> None:
        """Watch every open proposal's post, then read them back from the platform: post what
        never got posted, reconcile with the reactions shown, close those whose time passed
        while we were down, re-arm the rest. The read-back runs a few proposals at a time and
        start() waits for it only ``READ_BACK_WAIT``; the rest of it goes on in the background."""
        # Another process may own some circles (bot/ownership.py); their votes run there.
        owns = self._timers.owns
        proposals = [p for p in await self._repo.open_proposals() if owns(p.room.space)]
        for proposal in proposals:
            self._watched.restoring[proposal.id] = asyncio.Event()
            self._watched.watch(proposal)  # a reaction on it counts from now, after its read-back
        at_once = asyncio.Semaphore(READ_BACK_AT_ONCE)
        self._read_back_task = asyncio.create_task(
            self._restore_all(proposals, at_once), name="agreements-read-back"
        )
        await asyncio.wait({self._read_back_task}, timeout=READ_BACK_WAIT)
        for agreement in await self._repo.reviews_to_arm():
            self._proposals.arm_review(agreement)  # its owner opens the review: _review_due

    async def restored(self) -> None:
        """Wait until every open proposal has been read back (for tests and benchmarks)."""
        if self._read_back_task is not None:
            await asyncio.shield(self._read_back_task)

    async def _restore_all(self, proposals: Sequence[Proposal], at_once: asyncio.Semaphore) -> None:
        await asyncio.gather(*(self._restore(p.id, at_once) for p in proposals))

    async def _restore(self, proposal_id: int, at_once: asyncio.Semaphore) -> None:
        try:
            async with at_once:
                current = await self._restore_locked(proposal_id)
            if current is None:
                return
            if current.closes_at <= self._clock.now():
                await self._proposals.close(current.id)
            else:
                await self._proposals.close_if_everyone_agreed(current.id, current.process)
        except Exception:
            log.exception("could not restore proposal %s", proposal_id)
        finally:
            waiting = self._watched.restoring.pop(proposal_id, None)
            if waiting is not None:
                waiting.set()

    async def _restore_locked(self, proposal_id: int) -> Proposal | None:
        """Under the proposal's lock, so that a command on it waits: post it if it never was,
        and reconcile it. Returns it as it now stands, or None when there is no more to do."""
        async with self._watched.locks[proposal_id]:
            proposal = await self._repo.get(
                proposal_id
            )  # as it is now: a command may have changed it
            if proposal is None or not proposal.is_open:
                return None
            circle = await self._circles.get(proposal.circle_id)
            if circle is None:
                return None
            if not proposal.posted:
                proposal = await self._proposals.post(circle, proposal, replaced=proposal.message)
                if proposal is None:
                    return None
            await self._votes.reconcile(proposal)
            await self._reasons.post_pending(circle, proposal)
            if proposal.closes_at > self._clock.now():
                self._watched.watch(proposal)
                self._proposals.arm(proposal)
            return proposal

    async def stop(self) -> None:
        if self._read_back_task is not None:
            self._read_back_task.cancel()
            await asyncio.gather(self._read_back_task, return_exceptions=True)
            self._read_back_task = None
        for waiting in self._watched.restoring.values():
            waiting.set()
        self._watched.restoring.clear()
        self._proposals.stop()
        self._votes.stop()

    # --- events -----------------------------------------------------------------------------

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, ReactionAdded | ReactionRemoved) and event.by_bot:
            return  # bots don't vote (the engine drops their events too)
        if isinstance(event, ReactionAdded):
            await self._votes.on_reaction(event.message, event.member, event.key, added=True)
        elif isinstance(event, ReactionRemoved):
            await self._votes.on_reaction(event.message, event.member, event.key, added=False)
        elif isinstance(event, LeftCircle):
            await self._votes.on_left(event.circle, event.member)
        elif isinstance(event, JoinedCircle):
            await self._votes.on_joined(event.circle)
        elif isinstance(event, InfoWanted) and event.topic is InfoTopic.CIRCLE:
            await self._registry.add_info(event)

    # --- data care --------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Agreements",
            keeps=(
                "while a proposal is open: which option reactions you hold on it (your vote); when it closes, only the counts are kept, never who chose what",
                "on a secret ballot, while it is open: that you voted and how, so that you can see and change your vote; when it closes, how each of us voted is erased and only the counts remain",
                "the proposals you wrote, and your name as the proposer of the agreements they became",
                "the reasons you chose to share with an objection or a block, and whether you shared them with your name",
                "that I've sent you a note about a proposal (an invitation after an objection, or why a reaction didn't count), so I never send it twice",
            ),
            kept_for=(
                "votes until the proposal closes; reasons and proposals as long as the circle keeps them. "
                "If you ask me to forget you, your votes, reasons and notes go, and your proposals stay as the group's words, without your name"
            ),
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        open_votes = await self._ballots.open_votes_of(member.platform, member.id)
        reasons = await self._ballots.reasons_of(member.platform, member.id)
        secret = await self._ballots.secret_votes_of(member.platform, member.id)
        proposals, agreements = await self._repo.written_by(member.platform, member.id)
        return {
            "votes_on_open_proposals": [
                {"proposal": pid, "circle": circle, "vote": held[-1], "reactions": held}
                for pid, circle, held in open_votes
            ],
            "secret_votes_on_open_proposals": [
                {
                    "proposal": row["proposal_id"],
                    "circle": row["circle"],
                    "vote": row["choice"],
                    "cast_at": row["cast_at"],
                    "names_shown_at_close": row["ballot"] == Ballot.NAMED_AT_CLOSE.value,
                }
                for row in secret
            ],
            "secret_ballots": SECRET_EXPORT_NOTE,
            "reasons_shared": [
                {
                    "proposal": row["proposal_id"],
                    "circle": row["circle"],
                    "version": row["version"],
                    "with": row["choice"],
                    "text": row["text"],
                    "shown": "named" if row["named"] else "anonymous",
                    "given_at": row["given_at"],
                }
                for row in reasons
            ],
            "proposals_written": [
                {
                    "proposal": row["id"],
                    "circle": row["circle"],
                    "kind": row["kind"],
                    "version": row["version"],
                    "text": row["text"],
                    "opened_at": row["opened_at"],
                    "closed_at": row["closed_at"],
                    "result": row["result"],
                }
                for row in proposals
            ],
            "agreements_proposed": [
                {
                    "agreement": row["id"],
                    "circle": row["circle"],
                    "version": row["version"],
                    "text": row["text"],
                    "retired_at": row["retired_at"],
                }
                for row in agreements
            ],
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._ballots.forget(member)
        await self._repo.forget(member)
