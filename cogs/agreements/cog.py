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
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import (
    DeliveryError,
    Event,
    MemberRef,
    MessageRef,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Visibility,
    normalise_emoji,
)
from bot.clock import parse_zone
from bot.cog import Cog, DataStatement, DomainEvent
from bot.commands import (
    Command,
    CommandError,
    CommandSpec,
    Invocation,
    Option,
    OptionKind,
    Permission,
    format_duration,
)
from bot.feature import Context
from cogs.agreements.ballots import (
    OPTIONS,
    STOPPING,
    Choice,
    Process,
    choice_for,
    is_vote_emoji,
)
from cogs.agreements.closing import (
    Result,
    closes_early,
    quorum_needed,
    reminder_time,
    rounded_percent,
)
from cogs.agreements.render import (
    Entry,
    agreement_list,
    counts_line,
    day,
    moment,
    registry_text,
    short_title,
    vote_line,
)
from cogs.agreements.repo import (
    Agreement,
    AgreementsRepo,
    CircleSettings,
    Closing,
    Effect,
    Kind,
    NewProposal,
    NoteKind,
    Proposal,
    Refused,
    VoteStatus,
)
from cogs.agreements.settings import AgreementsSettings
from cogs.agreements.starters import starter, starters
from cogs.circles import (
    Circle,
    CircleLookup,
    InfoTopic,
    InfoWanted,
    JoinedCircle,
    LeftCircle,
    circle_of,
)

log = logging.getLogger(__name__)

CLOSE_JOB = "close:{id}"
REMIND_JOB = "remind:{id}"
REVIEW_JOB = "review:{id}"
TEXT_LIMIT = 1000
SHORTEST = timedelta(hours=1)
LONGEST = timedelta(days=30)
THREAD_TITLE_LIMIT = 100
# Open proposals read back side by side on start; the platform's client keeps each request
# within its rate limits (discord.py queues per bucket).
READ_BACK_AT_ONCE = 4
READ_BACK_WAIT = 1.0  # seconds start() waits for the read-back before leaving it to run on

# --- what people read -----------------------------------------------------------------------

HEAD_ADOPT = "\N{SCROLL} **Proposal {id}{title}**"
HEAD_NEW_VERSION = "\N{PENCIL}\N{VARIATION SELECTOR-16} **Proposal {id}, version {version}{title}**"
HEAD_REVIEW = "\N{CLOCKWISE RIGHTWARDS AND LEFTWARDS OPEN CIRCLE ARROWS} **Proposal {id} · a review of agreement {agreement}{title}**"
HEAD_REVISE = "\N{PENCIL}\N{VARIATION SELECTOR-16} **Proposal {id}, version {version} · a new wording for agreement {agreement}**"
HEAD_RETIRE = "\N{FALLEN LEAF} **Proposal {id} · letting agreement {agreement} go{title}**"
LEAD_ADOPT = "{proposer} proposes this for {circle}."
LEAD_CHANGED = "{proposer} has changed the proposal, so the votes start afresh."
LEAD_REVIEW = (
    "It's time to look at agreement {agreement} again. Shall we keep it as it is? "
    "To change its wording, anyone can post a new version with `{prefix}agreement amend {id} <new wording>`; "
    "to let it go, `{prefix}agreement retire {agreement}`."
)
LEAD_REVISE = "{proposer} proposes this new wording for agreement {agreement}."
LEAD_RETIRE = "{proposer} proposes that we let agreement {agreement} go. It reads:"
SOMEONE = "Someone in the circle"
HOW_CONSENT = "We decide by consent, with a reaction on this post:"
HOW_PROPOSAL = "We decide by proposal vote, with a reaction on this post:"
LEGEND_LINE = "{emoji} **{label}**: {meaning}"
CLOSES_LINE = "Voting closes {closes}, or sooner once everyone has voted and nobody {stops}."
STOPS = {Process.CONSENT: "objects", Process.PROPOSAL: "blocks"}
RULE_CONSENT = "It passes if nobody objects and at least {quorum}% of us vote."
RULE_PROPOSAL = (
    "It passes if nobody blocks, at least {quorum}% of us vote, and at least {threshold}% of "
    "the votes for or against agree."
)
TALK_LINE = "Let's talk it over in this thread. You can change your reaction until it closes."
THREAD_TITLE = "Proposal {id} · {title}"
REPLACED_HEAD = "_This was version {version}. A newer version is further down the thread, and reactions here no longer count._"
CLOSED_HEAD = "**Closed on {day}: {result}.** The outcome is in the thread."
RESULT_WORDS = {True: "adopted", False: "not adopted this time"}

OUTCOME_PASSED = "\N{HERB} **Proposal {id} is adopted.**\n{counts} · {voters} of {members} members voted.\n{effect}"
OUTCOME_NOT_PASSED = "**Proposal {id} isn't adopted this time.**\n{counts} · {voters} of {members} members voted.\n{reason} {next}"
EFFECT_ADOPTED = "It's agreement {agreement} in our registry now, and we'll look at it again on {review}. Thank you, everyone."
EFFECT_NEW_VERSION = "Agreement {agreement} now reads as version {version}, and we'll look at it again on {review}. Thank you, everyone."
EFFECT_KEPT = "We keep agreement {agreement} as it is, and we'll look at it again on {review}. Thank you, everyone."
EFFECT_RETIRED = (
    "Agreement {agreement} is retired, with thanks for what it gave us. It leaves the registry."
)
REASON = {
    Result.OBJECTION: "There's still an objection, so we're not there yet.",
    Result.BLOCKED: "There's a block, so we're not there yet.",
    Result.NO_QUORUM: "A decision needs {quorum}% of us to take part ({needed} of {members}), and this time fewer of us had room for it. That's all right.",
    Result.BELOW_THRESHOLD: "{agreed}% of the votes for or against agreed, and we decide at {threshold}%.",
}
NEXT_NEW = "The conversation can carry on in this thread, and anyone can propose a revised version with `{prefix}agreement propose <text>`."
NEXT_ABOUT = "Agreement {agreement} stays as it is, and the conversation can carry on in this thread. It comes up for review again on {review}."

OBJECTION_INVITE = (
    "Thank you for saying you object to proposal {id} in {circle}. An objection helps us find "
    "something that works for all of us. What would make it workable for you? You're welcome to "
    "say so in the proposal's thread, or to {proposer} directly."
)
OBJECTION_THREAD = (
    "An objection has come in. For us, an objection is the start of a conversation, not the end of "
    "one: what would make this proposal workable for everyone? {who} can post a new version with "
    "`{prefix}agreement amend {id} <new text>`."
)
OUTSIDER_NOTE = (
    "Thank you for joining in on proposal {id}. Votes there come from the members of {circle}, so "
    "your reaction isn't counted. If you'd like a voice in {circle}, `{prefix}circle join {circle}` "
    "is the way in."
)
CLOSED_NOTE = (
    "Proposal {id} in {circle} closed on {day}, so reactions on it don't change anything now. If it's "
    "still on your mind, its thread is a good place to say so, and anyone can propose a new version "
    "with `{prefix}agreement propose <text>`."
)
REMINDER = (
    "Proposal {id} in {circle} closes {closes}, and your voice is welcome. You can react on its "
    "post: {options}. Leaving it is fine too."
)
AMENDED_NOTE = (
    "Proposal {id} in {circle} has a new version, so the votes start afresh. If you'd like to vote on "
    "the new wording, it's in the proposal's thread."
)

PROPOSED = "Your proposal is up, in its own thread (proposal {id}). Thank you for bringing it."
NOT_A_MEMBER = "Proposals and votes come from the members of {circle}. If you'd like to take part, `{prefix}circle join {circle}` is the way in."
CLOSES_RANGE = "A proposal needs time for people to see it and respond, so it can close between 1 hour and 30 days from now, for example `closes=72h`."
UNKNOWN_PROPOSAL = "I couldn't find proposal {id} in {circle}. `{prefix}agreement list` shows what's open and what we've agreed."
ALREADY_CLOSED = "Proposal {id} closed on {day}, so it can't change now. A new proposal is always welcome: `{prefix}agreement propose <text>`."
NOT_YOURS = "Proposal {id} is {name}'s to change. You could share your idea in its thread, or propose your own version with `{prefix}agreement propose <text>`."
RETIRE_HAS_NO_WORDING = "Proposal {id} is about letting agreement {agreement} go, so there's no wording to change. Its thread is the place to talk it over."
SAME_TEXT = "That's the wording proposal {id} already has. What would you like to change?"
AMENDED = "Version {version} of proposal {id} is up in its thread, and the votes start afresh."
UNKNOWN_AGREEMENT = "I couldn't find agreement {id} in {circle}. `{prefix}agreement list` shows the agreements we have."
BUSY = "There's already an open proposal about agreement {id}: proposal {other}. Let's finish that conversation first."
RETIRE_OPENED = (
    "The proposal to let agreement {id} go is up, in its own thread (proposal {proposal})."
)
RETIRE_FROM_REVIEW = "Agreement {id} was under review, so the review (proposal {proposal}) now asks whether to let it go, and the votes start afresh."
REVIEW_OPENED = "The review of agreement {id} is up, in its own thread (proposal {proposal})."
SETTINGS_NOW = (
    "**How {circle} decides its agreements**\n"
    "Process: {process} · quorum {quorum}% · threshold {threshold}% (proposal vote only) · "
    "reminder {reminder} before closing · review after {review} days.\n"
    "Facilitators can change these with `{prefix}agreement settings process=consent quorum=50 ...`. "
    "Open proposals keep the rules they started with."
)
SETTINGS_CHANGED = "From now on, {circle} decides its agreements like this: {process} · quorum {quorum}% · threshold {threshold}% (proposal vote only) · reminder {reminder} before closing · review after {review} days. Open proposals keep the rules they started with."
PROCESS_WORDS = {Process.CONSENT: "consent", Process.PROPOSAL: "proposal vote"}
STARTERS_LIST = (
    "**Our starter agreements**, written to help a circle begin. Each can be proposed as it is, and "
    "then adopted, reshaped or dropped by the circle:\n{lines}\n"
    "`{prefix}agreement starters all` proposes the ones not yet adopted or open, each with its own "
    "thread and vote; or name some: `{prefix}agreement starters {example}`."
)
STARTER_LINE = "• `{id}`: {title}{state}"
STARTER_ADOPTED = " (agreed)"
STARTER_OPEN = " (open now)"
UNKNOWN_STARTER = "I don't know the starter “{id}”. `{prefix}agreement starters` lists them."
STARTERS_PROPOSED = (
    "I've proposed {count} of our starter agreements: {titles}. Each has its own thread and vote."
)
STARTERS_SKIPPED = "{titles}: already adopted or open here, so I left {them} as {they_are}."
NO_STARTERS_LEFT = "Every starter agreement is already adopted or open in {circle}."
STARTER_TAKEN = "“{title}” is already adopted or open in {circle}."
LIST_OPEN_HEAD = "**Open proposals**"
LIST_OPEN_LINE = "• {id} · {title} · {turnout} of {members} voted so far · closes {closes}"
LIST_HOW = "We decide by {process}; quorum {quorum}%."
SHOW_AGREEMENT = (
    "**Agreement {id} · {title}** ({state})\n{quote}\n"
    "Version {version}, adopted {changed} {vote}.{proposer}\n{review}\nHistory: {history}"
)
INFO_AGREEMENTS = "Our agreements ({count}): {items}. `{prefix}agreement list` shows them in full."
INFO_NO_AGREEMENTS = "No agreements yet; the circle writes its own, together."
SHOW_PROPOSAL = "**Proposal {id}{title}** ({state})\n{quote}\n{about}{proposer}"

HISTORY_WORDS = {
    Kind.ADOPT: "proposed",
    Kind.REVIEW: "review",
    Kind.REVISE: "new wording",
    Kind.RETIRE: "retire",
}

# --- commands -------------------------------------------------------------------------------

CIRCLE = Option(
    "circle", OptionKind.CIRCLE, "Which circle (the one in this room if left out)", keyword=True
)
NUMBER = Option(
    "number",
    OptionKind.INTEGER,
    "The proposal's or agreement's number, like 7",
    required=True,
    min_value=1,
)
CLOSES = Option(
    "closes",
    OptionKind.DURATION,
    "How long voting stays open, like 48h (72h if left out)",
    keyword=True,
)

PROPOSE = CommandSpec(
    ("agreement", "propose"),
    "Propose an agreement to your circle; we decide together with reactions.",
    (
        Option(
            "text",
            OptionKind.TEXT,
            "The agreement, in our own words",
            required=True,
            max_length=TEXT_LIMIT,
        ),
        CLOSES,
        CIRCLE,
    ),
)
AMEND = CommandSpec(
    ("agreement", "amend"),
    "Post a new version of your proposal; the votes start afresh.",
    (
        NUMBER,
        Option("text", OptionKind.TEXT, "The new wording", required=True, max_length=TEXT_LIMIT),
        CIRCLE,
    ),
)
RETIRE = CommandSpec(
    ("agreement", "retire"),
    "Propose letting an agreement go; we decide together.",
    (NUMBER, CLOSES, CIRCLE),
)
REVIEW = CommandSpec(
    ("agreement", "review"),
    "Open a review of an agreement now: keep it, change it or let it go.",
    (NUMBER, CLOSES, CIRCLE),
)
LIST = CommandSpec(
    ("agreement", "list"),
    "Show the circle's agreements and open proposals.",
    (CIRCLE,),
    allow_archived=True,
)
SHOW = CommandSpec(
    ("agreement", "show"),
    "Show an agreement or a proposal in full, with its history.",
    (NUMBER, CIRCLE),
    allow_archived=True,
)
SETTINGS = CommandSpec(
    ("agreement", "settings"),
    "See or choose how the circle decides: process, quorum, threshold, reminder, review.",
    (
        Option(
            "process",
            OptionKind.CHOICE,
            "consent, or proposal (agree, abstain, disagree, block)",
            choices=("consent", "proposal"),
            keyword=True,
        ),
        Option(
            "quorum",
            OptionKind.INTEGER,
            "The share of members who need to vote, in percent",
            min_value=1,
            max_value=100,
            keyword=True,
        ),
        Option(
            "threshold",
            OptionKind.INTEGER,
            "Proposal vote: the share of agrees needed, in percent",
            min_value=50,
            max_value=100,
            keyword=True,
        ),
        Option(
            "reminder",
            OptionKind.DURATION,
            "How long before closing non-voters get a reminder, like 24h",
            min_value=3600,
            max_value=14 * 86400,
            keyword=True,
        ),
        Option(
            "review",
            OptionKind.DURATION,
            "How long until an agreement comes up for review, like 90d",
            min_value=7 * 86400,
            max_value=730 * 86400,
            keyword=True,
        ),
        CIRCLE,
    ),
    permission=Permission.FACILITATOR,
)
STARTERS = CommandSpec(
    ("agreement", "starters"),
    "See our starter agreements, or propose some (or all) of them to the circle.",
    (Option("ids", OptionKind.TEXT, "Which to propose: their ids, or all", max_length=600), CIRCLE),
    permission=Permission.FACILITATOR,
)


class AgreementsCog(Cog):
    name = "agreements"

    def __init__(self, context: Context[AgreementsSettings], circles: CircleLookup) -> None:
        services = context.services
        self._chat = services.chat
        self._clock = services.clock
        self._timers = context.timers
        self._circles = circles
        self._repo = AgreementsRepo(services.db)
        config = context.settings
        self._closing = timedelta(hours=config.closing_hours)
        self._defaults = CircleSettings(
            process=Process.CONSENT,
            quorum_percent=config.quorum_percent,
            threshold_percent=config.threshold_percent,
            reminder=timedelta(hours=config.reminder_hours),
            review=timedelta(days=config.review_days),
        )
        # The current post of each open proposal -> (proposal id, process): a reaction on
        # any other message costs no database work.
        self._posts: dict[tuple[Platform, str], tuple[int, Process]] = {}
        # Objection notes already claimed in the database (which stays the truth), so that a
        # storm of ✋ doesn't ask it again each time.
        self._invited: set[tuple[int, str]] = set()
        # The option reactions each post showed when we read it back (on start, on a join):
        # a platform that catches up after downtime (Matrix) delivers them again afterwards,
        # and one that counted must not be told it came after the closing.
        self._read_back: dict[tuple[Platform, str], set[tuple[str, Choice]]] = {}
        self._thread_told: set[tuple[int, int]] = set()
        # Circles that have had an open proposal since start (it may have closed since): only
        # there can a newcomer's join matter to a vote.
        self._voting_circles: set[int] = set()
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._registry_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # Open proposals whose start-up read-back hasn't finished: their reactions wait for it.
        self._restoring: dict[int, asyncio.Event] = {}
        self._read_back_task: asyncio.Task[None] | None = None

    @property
    def repo(self) -> AgreementsRepo:
        return self._repo

    def commands(self) -> Sequence[Command]:
        return (
            Command(PROPOSE, self.propose),
            Command(AMEND, self.amend),
            Command(RETIRE, self.retire),
            Command(REVIEW, self.review),
            Command(LIST, self.list_agreements),
            Command(SHOW, self.show),
            Command(SETTINGS, self.settings),
            Command(STARTERS, self.starters),
        )

    # --- start and stop ---------------------------------------------------------------------

    async def start(self) -> None:
        """Watch every open proposal's post, then read them back from the platform: post what
        never got posted, reconcile with the reactions shown, close those whose time passed
        while we were down, re-arm the rest. The read-back runs a few proposals at a time and
        start() waits for it only ``READ_BACK_WAIT``; the rest of it goes on in the background."""
        proposals = await self._repo.open_proposals()
        for proposal in proposals:
            self._restoring[proposal.id] = asyncio.Event()
            self._watch(proposal)  # a reaction on it counts from now, after its read-back
        at_once = asyncio.Semaphore(READ_BACK_AT_ONCE)
        self._read_back_task = asyncio.create_task(
            self._restore_all(proposals, at_once), name="agreements-read-back"
        )
        await asyncio.wait({self._read_back_task}, timeout=READ_BACK_WAIT)
        for agreement in await self._repo.reviews_to_arm():
            self._arm_review(agreement)

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
                await self._close(current.id)
            else:
                await self._close_if_everyone_agreed(current.id, current.process)
        except Exception:
            log.exception("could not restore proposal %s", proposal_id)
        finally:
            waiting = self._restoring.pop(proposal_id, None)
            if waiting is not None:
                waiting.set()

    async def _restore_locked(self, proposal_id: int) -> Proposal | None:
        """Under the proposal's lock, so that a command on it waits: post it if it never was,
        and reconcile it. Returns it as it now stands, or None when there is no more to do."""
        async with self._locks[proposal_id]:
            proposal = await self._repo.get(
                proposal_id
            )  # as it is now: a command may have changed it
            if proposal is None or not proposal.is_open:
                return None
            circle = await self._circles.get(proposal.circle_id)
            if circle is None:
                return None
            if not proposal.posted:
                proposal = await self._post(circle, proposal, replaced=proposal.message)
                if proposal is None:
                    return None
            await self._reconcile(proposal)
            if proposal.closes_at > self._clock.now():
                self._watch(proposal)
                self._arm(proposal)
            return proposal

    async def stop(self) -> None:
        if self._read_back_task is not None:
            self._read_back_task.cancel()
            await asyncio.gather(self._read_back_task, return_exceptions=True)
            self._read_back_task = None
        for waiting in self._restoring.values():
            waiting.set()
        self._restoring.clear()
        self._timers.cancel_all()
        self._posts.clear()
        self._read_back.clear()

    # --- commands ---------------------------------------------------------------------------

    async def propose(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        closes_at = self._closing_time(inv)
        settings = await self._settings(circle.id)
        proposal = await self._open(
            circle,
            new_proposal(
                circle,
                settings,
                Kind.ADOPT,
                inv.text("text") or "",
                by=inv.invoker.id,
                at=inv.at,
                closes_at=closes_at,
            ),
        )
        await inv.reply(PROPOSED.format(id=proposal.id), Visibility.PERSONAL)

    async def amend(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        proposal = await self._open_proposal(inv, circle)
        text = inv.text("text") or ""
        if proposal.kind is Kind.RETIRE:
            raise CommandError(
                RETIRE_HAS_NO_WORDING.format(id=proposal.id, agreement=proposal.agreement_id)
            )
        if proposal.proposed_by is not None and proposal.proposed_by != inv.invoker.id:
            name = await self._name(circle, proposal.proposed_by)
            raise CommandError(NOT_YOURS.format(id=proposal.id, name=name, prefix=inv.prefix))
        if text == proposal.text:
            raise CommandError(SAME_TEXT.format(id=proposal.id))
        kind = Kind.REVISE if proposal.kind is Kind.REVIEW else proposal.kind
        changed = await self._new_version(
            circle, proposal, text=text, kind=kind, by=inv.invoker, at=inv.at
        )
        await inv.reply(AMENDED.format(version=changed.version, id=changed.id), Visibility.PERSONAL)

    async def retire(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        agreement = await self._active_agreement(inv, circle)
        closes_at = self._closing_time(inv)
        under_way = [
            p for p in await self._repo.open_in(circle.id) if p.agreement_id == agreement.id
        ]
        if under_way:
            review = under_way[0]
            if review.kind is not Kind.REVIEW:
                raise CommandError(BUSY.format(id=agreement.id, other=review.id))
            changed = await self._new_version(
                circle, review, text=agreement.text, kind=Kind.RETIRE, by=inv.invoker, at=inv.at
            )
            await inv.reply(
                RETIRE_FROM_REVIEW.format(id=agreement.id, proposal=changed.id), Visibility.PERSONAL
            )
            return
        settings = await self._settings(circle.id)
        proposal = await self._open(
            circle,
            new_proposal(
                circle,
                settings,
                Kind.RETIRE,
                agreement.text,
                by=inv.invoker.id,
                at=inv.at,
                closes_at=closes_at,
                title=agreement.title,
                agreement_id=agreement.id,
            ),
        )
        await inv.reply(
            RETIRE_OPENED.format(id=agreement.id, proposal=proposal.id), Visibility.PERSONAL
        )

    async def review(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        agreement = await self._active_agreement(inv, circle)
        closes_at = self._closing_time(inv)
        proposal = await self._open_review(circle, agreement, inv.at, closes_at)
        await inv.reply(
            REVIEW_OPENED.format(id=agreement.id, proposal=proposal.id), Visibility.PERSONAL
        )

    async def list_agreements(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        zone = _zone(circle)
        settings = await self._settings(circle.id)
        parts = [agreement_list(circle.name, await self._entries(circle), zone, inv.prefix)]
        parts.append(
            LIST_HOW.format(process=PROCESS_WORDS[settings.process], quorum=settings.quorum_percent)
        )
        open_now = await self._repo.open_in(circle.id)
        if open_now:
            lines = [LIST_OPEN_HEAD]
            for proposal in open_now:
                voters, members = await self._repo.turnout(proposal.id)
                lines.append(
                    LIST_OPEN_LINE.format(
                        id=proposal.id,
                        title=short_title(proposal.title, proposal.text),
                        turnout=voters,
                        members=members,
                        closes=moment(proposal.closes_at, zone),
                    )
                )
            parts.append("\n".join(lines))
        await inv.reply("\n\n".join(parts), Visibility.PERSONAL)

    async def show(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        number = inv.integer("number") or 0
        zone = _zone(circle)
        # The words are the group's and anyone may read them; who proposed them is for the circle.
        insider = await self._insider(inv, circle)
        agreement = await self._repo.agreement(number)
        if agreement is not None and agreement.circle_id == circle.id:
            await inv.reply(
                await self._describe_agreement(circle, agreement, zone, names=insider),
                Visibility.PERSONAL,
            )
            return
        proposal = await self._repo.get(number)
        if proposal is None or proposal.circle_id != circle.id:
            raise CommandError(
                UNKNOWN_PROPOSAL.format(id=number, circle=circle.name, prefix=inv.prefix)
            )
        await inv.reply(
            await self._describe_proposal(circle, proposal, zone, names=insider),
            Visibility.PERSONAL,
        )

    async def settings(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        process = inv.text("process")
        quorum = inv.integer("quorum")
        threshold = inv.integer("threshold")
        reminder = inv.duration("reminder")
        review = inv.duration("review")
        if all(v is None for v in (process, quorum, threshold, reminder, review)):
            current = await self._settings(circle.id)
            await inv.reply(
                SETTINGS_NOW.format(
                    circle=circle.name, prefix=inv.prefix, **_settings_words(current)
                ),
                Visibility.PERSONAL,
            )
            return
        await self._repo.save_settings(
            circle.id,
            process=Process(process) if process else None,
            quorum_percent=quorum,
            threshold_percent=threshold,
            reminder_seconds=int(reminder.total_seconds()) if reminder else None,
            review_days=max(1, round(review.total_seconds() / 86400)) if review else None,
        )
        current = await self._settings(circle.id)
        await inv.reply(SETTINGS_CHANGED.format(circle=circle.name, **_settings_words(current)))

    async def starters(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        wanted = (inv.text("ids") or "").replace(",", " ").split()
        adopted = {a.starter_id for a in await self._repo.agreements(circle.id) if a.starter_id}
        open_now = {p.starter_id for p in await self._repo.open_in(circle.id) if p.starter_id}
        if not wanted:
            lines = [
                STARTER_LINE.format(
                    id=s.id,
                    title=s.title,
                    state=STARTER_ADOPTED
                    if s.id in adopted
                    else STARTER_OPEN
                    if s.id in open_now
                    else "",
                )
                for s in starters()
            ]
            await inv.reply(
                STARTERS_LIST.format(
                    lines="\n".join(lines), prefix=inv.prefix, example=starters()[0].id
                ),
                Visibility.PERSONAL,
            )
            return
        if [w.lower() for w in wanted] == ["all"]:
            chosen = list(starters())
        else:
            chosen = []
            for word in dict.fromkeys(w.lower() for w in wanted):
                found = starter(word)
                if found is None:
                    raise CommandError(UNKNOWN_STARTER.format(id=word, prefix=inv.prefix))
                chosen.append(found)
        fresh = [s for s in chosen if s.id not in adopted and s.id not in open_now]
        skipped = [s for s in chosen if s not in fresh]
        if not fresh:
            raise CommandError(NO_STARTERS_LEFT.format(circle=circle.name))
        settings = await self._settings(circle.id)
        closes_at = inv.at + self._closing
        proposed = []
        for item in fresh:
            try:
                await self._open(
                    circle,
                    new_proposal(
                        circle,
                        settings,
                        Kind.ADOPT,
                        item.text,
                        by=inv.invoker.id,
                        at=inv.at,
                        closes_at=closes_at,
                        title=item.title,
                        starter_id=item.id,
                    ),
                )
            except CommandError:
                skipped.append(item)
                continue
            proposed.append(item)
        text = STARTERS_PROPOSED.format(
            count=len(proposed), titles=", ".join(f"“{s.title}”" for s in proposed)
        )
        if skipped:
            text += " " + STARTERS_SKIPPED.format(
                titles=", ".join(f"“{s.title}”" for s in skipped),
                them="it" if len(skipped) == 1 else "them",
                they_are="it is" if len(skipped) == 1 else "they are",
            )
        await inv.reply(text, Visibility.PERSONAL)

    # --- events -----------------------------------------------------------------------------

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, ReactionAdded):
            await self._on_reaction(event.message, event.member, event.key, added=True)
        elif isinstance(event, ReactionRemoved):
            await self._on_reaction(event.message, event.member, event.key, added=False)
        elif isinstance(event, LeftCircle):
            await self._on_left(event.circle, event.member)
        elif isinstance(event, JoinedCircle):
            await self._on_joined(event.circle)
        elif isinstance(event, InfoWanted) and event.topic is InfoTopic.CIRCLE:
            await self._add_info(event)

    async def _add_info(self, wanted: InfoWanted) -> None:
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

    async def _on_reaction(
        self, message: MessageRef, member: MemberRef, key: str, *, added: bool
    ) -> None:
        key = normalise_emoji(key)
        target = self._posts.get((message.platform, message.id))
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
        restoring = self._restoring.get(proposal_id)
        if restoring is not None:
            await restoring.wait()  # its start-up read-back comes first
        if added:
            change = await self._repo.add_reaction(proposal_id, message.id, member.id, choice)
        else:
            change = await self._repo.remove_reaction(proposal_id, message.id, member.id, choice)
        if change.status is VoteStatus.COUNTED:
            if added and choice is STOPPING[process]:
                await self._on_objection(proposal_id, member)
            if change.everyone_voted:
                await self._close_if_everyone_agreed(proposal_id, process)
        elif added and change.status is VoteStatus.NOT_MEMBER:
            await self._note_outsider(proposal_id, member)
        elif added and change.status is VoteStatus.CLOSED:
            await self._note_closed(proposal_id, member)

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
        await self._note_closed(proposal.id, member)

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
        proposer = await self._name(circle, proposal.proposed_by) if proposal.proposed_by else None
        if await self._repo.claim_note(proposal.id, member.id, NoteKind.OBJECTION):
            await self._private(
                member,
                OBJECTION_INVITE.format(
                    id=proposal.id,
                    circle=circle.name,
                    proposer=proposer or "the circle's facilitators",
                ),
            )
        told = (proposal.id, proposal.version)
        if told not in self._thread_told and await self._repo.claim_objection_note(*told):
            self._thread_told.add(told)
            await self._chat.send(
                proposal.thread or circle.home,
                OBJECTION_THREAD.format(
                    who=proposer or "Anyone in the circle", prefix=prefix, id=proposal.id
                ),
            )

    async def _note_outsider(self, proposal_id: int, member: MemberRef) -> None:
        proposal = await self._repo.get(proposal_id)
        circle = await self._circles.get(proposal.circle_id) if proposal else None
        if proposal is None or circle is None:
            return
        if await self._repo.claim_note(proposal.id, member.id, NoteKind.OUTSIDER):
            prefix = self._chat.command_prefix(circle.platform)
            await self._private(
                member, OUTSIDER_NOTE.format(id=proposal.id, circle=circle.name, prefix=prefix)
            )

    async def _note_closed(self, proposal_id: int, member: MemberRef) -> None:
        proposal = await self._repo.get(proposal_id)
        circle = await self._circles.get(proposal.circle_id) if proposal else None
        if proposal is None or circle is None or proposal.closed_at is None:
            return
        if await self._repo.claim_note(proposal.id, member.id, NoteKind.CLOSED):
            prefix = self._chat.command_prefix(circle.platform)
            await self._private(
                member,
                CLOSED_NOTE.format(
                    id=proposal.id,
                    circle=circle.name,
                    day=day(proposal.closed_at, _zone(circle)),
                    prefix=prefix,
                ),
            )

    async def _on_left(self, circle: Circle, member: MemberRef) -> None:
        """A leaver's votes on open proposals are dropped; they may have been the last to vote."""
        await self._repo.drop_member(circle.id, member.id)
        for proposal in await self._repo.open_in(circle.id):
            await self._close_if_everyone_agreed(proposal.id, proposal.process)

    async def _on_joined(self, circle: Circle) -> None:
        """A newcomer may vote on what is open; a reaction they made before joining counts now."""
        if circle.id not in self._voting_circles:
            return  # nothing was ever open here since start: no need to ask the database
        for proposal in await self._repo.open_in(circle.id):
            await self._reconcile(proposal)

    async def _close_if_everyone_agreed(self, proposal_id: int, process: Process) -> None:
        cast, members = await self._repo.current_votes(proposal_id)
        if closes_early(process, cast, members):
            await self._close(proposal_id)

    # --- opening, posting, new versions -----------------------------------------------------

    async def _open(self, circle: Circle, new: NewProposal) -> Proposal:
        try:
            proposal = await self._repo.open_proposal(new)
        except Refused as refused:
            raise CommandError(self._refusal(refused, new, circle)) from None
        posted = await self._post(circle, proposal, replaced=None)
        if new.agreement_id is not None:  # the registry shows its review as under way
            await self.refresh_registry(circle)
        if posted is None:
            return proposal
        self._arm(posted)
        return posted

    def _refusal(self, refused: Refused, new: NewProposal, circle: Circle) -> str:
        if refused.reason == "busy":
            return BUSY.format(id=new.agreement_id, other=refused.other)
        if refused.reason == "starter":
            return STARTER_TAKEN.format(title=new.title, circle=circle.name)
        prefix = self._chat.command_prefix(circle.platform)
        return UNKNOWN_AGREEMENT.format(id=new.agreement_id, circle=circle.name, prefix=prefix)

    async def _open_review(
        self, circle: Circle, agreement: Agreement, at: datetime, closes_at: datetime
    ) -> Proposal:
        settings = await self._settings(circle.id)
        return await self._open(
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

    async def _post(
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
        self._watch(placed)
        for option in OPTIONS[placed.process]:
            try:
                await self._chat.react(message, option.emoji)
            except DeliveryError:
                log.info("could not add %s to proposal %s", option.label, placed.id)
        if replaced is not None and replaced.id != message.id:
            self._posts.pop((replaced.platform, replaced.id), None)
            try:
                await self._chat.edit(replaced, REPLACED_HEAD.format(version=placed.version - 1))
            except DeliveryError:
                log.info("could not mark the earlier post of proposal %s", placed.id)
        return placed

    def _watch(self, proposal: Proposal) -> None:
        """From now on, reactions on the proposal's current post are votes."""
        if proposal.message is not None:
            self._posts[(proposal.message.platform, proposal.message.id)] = (
                proposal.id,
                proposal.process,
            )
            self._voting_circles.add(proposal.circle_id)

    async def _new_version(
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
        async with self._locks[proposal.id]:
            if proposal.message is not None:
                self._posts.pop((proposal.message.platform, proposal.message.id), None)
            closes_at = at + proposal.duration
            result = await self._repo.amend(
                proposal.id,
                proposal.version,
                text=text,
                kind=kind,
                by=by.id,
                closes_at=closes_at,
                remind_at=reminder_time(at, closes_at, proposal.reminder),
            )
            if result is None:
                raise CommandError(
                    ALREADY_CLOSED.format(
                        id=proposal.id,
                        day=day(at, _zone(circle)),
                        prefix=self._chat.command_prefix(circle.platform),
                    )
                )
            changed, voters = result
            posted = await self._post(circle, changed, replaced=proposal.message) or changed
            self._arm(posted)
        for member_id in voters:
            if member_id != by.id:
                await self._private(
                    circle.member(member_id), AMENDED_NOTE.format(id=changed.id, circle=circle.name)
                )
        return posted

    async def _post_text(
        self, circle: Circle, proposal: Proposal, prefix: str, *, closed: bool = False
    ) -> str:
        zone = _zone(circle)
        proposer = (
            await self._name(circle, proposal.proposed_by) if proposal.proposed_by else SOMEONE
        )
        title = f" · {proposal.title}" if proposal.title else ""
        fmt: dict[str, Any] = {
            "id": proposal.id,
            "version": proposal.version,
            "title": title,
            "agreement": proposal.agreement_id,
            "proposer": proposer,
            "circle": circle.name,
            "prefix": prefix,
        }
        if proposal.kind is Kind.ADOPT:
            head = (HEAD_ADOPT if proposal.version == 1 else HEAD_NEW_VERSION).format(**fmt)
            lead = (LEAD_ADOPT if proposal.version == 1 else LEAD_CHANGED).format(**fmt)
        elif proposal.kind is Kind.REVIEW:
            head, lead = HEAD_REVIEW.format(**fmt), LEAD_REVIEW.format(**fmt)
        elif proposal.kind is Kind.REVISE:
            head = HEAD_REVISE.format(**fmt)
            lead = LEAD_REVISE.format(**fmt) + (
                " " + LEAD_CHANGED.format(**fmt) if proposal.version > 2 else ""
            )
        else:
            head, lead = HEAD_RETIRE.format(**fmt), LEAD_RETIRE.format(**fmt)
        rules = proposal.rules
        rule = (RULE_CONSENT if rules.process is Process.CONSENT else RULE_PROPOSAL).format(
            quorum=rules.quorum_percent, threshold=rules.threshold_percent
        )
        lines = [
            head,
            lead,
            _quote(proposal.text),
            HOW_CONSENT if rules.process is Process.CONSENT else HOW_PROPOSAL,
            *(
                LEGEND_LINE.format(emoji=o.emoji, label=o.label, meaning=o.meaning)
                for o in OPTIONS[rules.process]
            ),
        ]
        if not closed:
            lines.append(
                CLOSES_LINE.format(
                    closes=moment(proposal.closes_at, zone), stops=STOPS[rules.process]
                )
                + " "
                + rule
            )
            lines.append(TALK_LINE)
        return "\n".join(lines)

    # --- closing ----------------------------------------------------------------------------

    async def _close(self, proposal_id: int) -> None:
        async with self._locks[proposal_id]:
            before = await self._repo.get(proposal_id)
            if before is None or not before.is_open:
                return
            settings = await self._settings(before.circle_id)
            # A close that runs late (downtime, a clock jump) takes effect at the closing time,
            # so the adoption date and the next review count from the time members were given.
            now = self._clock.now()
            closing = await self._repo.close(
                proposal_id, now, settings.review, takes_effect=min(now, before.closes_at)
            )
            self._timers.cancel(CLOSE_JOB.format(id=proposal_id))
            self._timers.cancel(REMIND_JOB.format(id=proposal_id))
            if before.message is not None:
                self._posts.pop((before.message.platform, before.message.id), None)
            if closing is None:
                return
            circle = await self._circles.get(before.circle_id)
            if circle is None:
                return
            await self._announce(circle, closing)
        agreement = closing.agreement
        if agreement is not None:
            if agreement.active and agreement.review_at is not None:
                self._arm_review(agreement)
            else:
                self._timers.cancel(REVIEW_JOB.format(id=agreement.id))
        if closing.effect is not Effect.NONE:
            await self.refresh_registry(circle)

    async def _announce(self, circle: Circle, closing: Closing) -> None:
        proposal, tally, result = closing.proposal, closing.tally, closing.result
        zone = _zone(circle)
        prefix = self._chat.command_prefix(circle.platform)
        agreement = closing.agreement
        review = day(agreement.review_at, zone) if agreement and agreement.review_at else ""
        counts = counts_line(proposal.process, tally.counts)
        if result.passed:
            effect = {
                Effect.ADOPTED: EFFECT_ADOPTED,
                Effect.NEW_VERSION: EFFECT_NEW_VERSION,
                Effect.KEPT: EFFECT_KEPT,
                Effect.RETIRED: EFFECT_RETIRED,
                Effect.NONE: "",
            }[closing.effect]
            text = OUTCOME_PASSED.format(
                id=proposal.id,
                counts=counts,
                voters=tally.voters,
                members=tally.members,
                effect=effect.format(
                    agreement=agreement.id if agreement else "",
                    review=review,
                    version=agreement.version if agreement else "",
                ),
            )
        else:
            agree, disagree = tally.of(Choice.AGREE), tally.of(Choice.DISAGREE)
            reason = REASON[result].format(
                needed=quorum_needed(tally.members, proposal.rules.quorum_percent),
                members=tally.members,
                quorum=proposal.rules.quorum_percent,
                voters=tally.voters,
                agreed=rounded_percent(agree, agree + disagree),
                threshold=proposal.rules.threshold_percent,
            )
            follow = (
                NEXT_NEW.format(prefix=prefix)
                if proposal.kind is Kind.ADOPT
                else NEXT_ABOUT.format(agreement=proposal.agreement_id, review=review)
            )
            text = OUTCOME_NOT_PASSED.format(
                id=proposal.id,
                counts=counts,
                voters=tally.voters,
                members=tally.members,
                reason=reason,
                next=follow,
            )
        await self._chat.send(proposal.thread or circle.home, text)
        if proposal.message is not None and proposal.closed_at is not None:
            head = CLOSED_HEAD.format(
                day=day(proposal.closed_at, zone), result=RESULT_WORDS[result.passed]
            )
            try:
                text = await self._post_text(circle, proposal, prefix, closed=True)
                await self._chat.edit(proposal.message, head + "\n" + text)
            except DeliveryError:
                log.info("could not mark proposal %s as closed", proposal.id)

    # --- timers -----------------------------------------------------------------------------

    def _arm(self, proposal: Proposal) -> None:
        pid = proposal.id
        self._timers.at(CLOSE_JOB.format(id=pid), proposal.closes_at, lambda _due: self._close(pid))
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
        async with self._locks[proposal_id]:
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
            waiting = await self._repo.claim_reminder(proposal_id, version)
            if not waiting:
                return
            options = ", ".join(f"{o.emoji} {o.label}" for o in OPTIONS[proposal.process])
            text = REMINDER.format(
                id=proposal.id,
                circle=circle.name,
                closes=moment(proposal.closes_at, _zone(circle)),
                options=options,
            )
            for member_id in waiting:
                await self._private(circle.member(member_id), text)

    def _arm_review(self, agreement: Agreement) -> None:
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
            self._arm_review(agreement)
            return
        circle = await self._circles.get(agreement.circle_id)
        if circle is None:
            return
        if circle.archived:  # a resting circle reviews when it has rested a while longer
            settings = await self._settings(circle.id)
            await self._repo.postpone_review(agreement.id, now + settings.review)
            fresh = await self._repo.agreement(agreement.id)
            if fresh is not None:
                self._arm_review(fresh)
            return
        try:
            await self._open_review(circle, agreement, now, now + self._closing)
        except CommandError:
            log.info("agreement %s is already being decided; its review waits", agreement.id)

    # --- reconciling with the platform ------------------------------------------------------

    async def _reconcile(self, proposal: Proposal) -> None:
        """Make the stored votes match the reactions the platform shows now."""
        if not proposal.posted or proposal.message is None:
            return
        try:
            reactions = await self._chat.reactions(proposal.message)
        except DeliveryError:
            log.info("could not read the reactions of proposal %s", proposal.id)
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
        await self._repo.reconcile(proposal.id, proposal.version, observed)
        if proposal.closes_at > self._clock.now():
            # An objection made while we were away (or before its maker joined) opens its
            # conversation now, as it would have then. The notes are claimed: never twice.
            stopping = STOPPING[proposal.process]
            for member_id, choices in observed.items():
                if stopping in choices:
                    await self._on_objection(
                        proposal.id, MemberRef(proposal.message.platform, member_id)
                    )

    # --- the registry -----------------------------------------------------------------------

    async def refresh_registry(self, circle: Circle) -> None:
        """Edit the circle's pinned registry in place, or post and pin it the first time."""
        async with self._registry_locks[circle.id]:
            prefix = self._chat.command_prefix(circle.platform)
            text = await self._registry_text(circle, prefix)
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

    async def _registry_text(self, circle: Circle, prefix: str) -> str:
        return registry_text(circle.name, await self._entries(circle), _zone(circle), prefix)

    async def _entries(self, circle: Circle) -> list[Entry]:
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
            )
            for a in await self._repo.agreements(circle.id)
        ]

    async def _describe_agreement(
        self, circle: Circle, agreement: Agreement, zone: ZoneInfo, *, names: bool
    ) -> str:
        proposer = (
            await self._name(circle, agreement.proposed_by)
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
        history = []
        for proposal in await self._repo.about(agreement.id):
            outcome = (
                "open"
                if proposal.is_open
                else (proposal.result.value.replace("_", " ") if proposal.result else "")
            )
            history.append(f"proposal {proposal.id} ({HISTORY_WORDS[proposal.kind]}, {outcome})")
        return SHOW_AGREEMENT.format(
            id=agreement.id,
            title=short_title(agreement.title, agreement.text),
            state=state,
            quote=_quote(agreement.text),
            version=agreement.version,
            changed=day(agreement.changed_at, zone),
            vote=vote_line(
                agreement.process, agreement.counts, agreement.voters, agreement.members
            ),
            proposer=f" Proposed by {proposer}." if proposer else "",
            review=review,
            history=" · ".join(history),
        )

    async def _describe_proposal(
        self, circle: Circle, proposal: Proposal, zone: ZoneInfo, *, names: bool
    ) -> str:
        if proposal.is_open:
            voters, members = await self._repo.turnout(proposal.id)
            state = f"version {proposal.version}, open until {moment(proposal.closes_at, zone)}"
            about = f"{voters} of {members} members have voted so far."
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
            await self._name(circle, proposal.proposed_by)
            if proposal.proposed_by and names
            else None
        )
        return SHOW_PROPOSAL.format(
            id=proposal.id,
            title=f" · {proposal.title}" if proposal.title else "",
            state=state,
            quote=_quote(proposal.text),
            about=about,
            proposer=f" Proposed by {proposer}." if proposer else "",
        )

    # --- data care --------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Agreements",
            keeps=(
                "while a proposal is open: which option reactions you hold on it (your vote); when it closes, only the counts are kept, never who chose what",
                "the proposals you wrote, and your name as the proposer of the agreements they became",
                "that I've sent you a note about a proposal (an invitation after an objection, or why a reaction didn't count), so I never send it twice",
            ),
            kept_for=(
                "votes until the proposal closes; proposals and agreements as long as the circle keeps them. "
                "If you ask me to forget you, your votes and notes go, and your proposals stay as the group's words, without your name"
            ),
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        open_votes = await self._repo.open_votes_of(member.platform, member.id)
        proposals, agreements = await self._repo.written_by(member.platform, member.id)
        return {
            "votes_on_open_proposals": [
                {"proposal": pid, "circle": circle, "vote": held[-1], "reactions": held}
                for pid, circle, held in open_votes
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
        await self._repo.forget(member)

    # --- helpers ----------------------------------------------------------------------------

    @staticmethod
    async def _circle(inv: Invocation) -> Circle:
        return circle_of(inv)

    async def _insider(self, inv: Invocation, circle: Circle) -> bool:
        """A member, facilitator or moderator: someone who may see who is in the circle."""
        return (
            inv.is_moderator
            or await self._circles.is_member(circle.id, inv.invoker.id)
            or await self._circles.is_facilitator(circle.id, inv.invoker.id)
        )

    async def _member_circle(self, inv: Invocation) -> Circle:
        circle = await self._circle(inv)
        if not await self._circles.is_member(circle.id, inv.invoker.id):
            raise CommandError(NOT_A_MEMBER.format(circle=circle.name, prefix=inv.prefix))
        return circle

    def _closing_time(self, inv: Invocation) -> datetime:
        length = inv.duration("closes")
        if length is None:
            return inv.at + self._closing
        if not SHORTEST <= length <= LONGEST:
            raise CommandError(CLOSES_RANGE)
        return inv.at + length

    async def _open_proposal(self, inv: Invocation, circle: Circle) -> Proposal:
        number = inv.integer("number") or 0
        proposal = await self._repo.get(number)
        if proposal is None or proposal.circle_id != circle.id:
            raise CommandError(
                UNKNOWN_PROPOSAL.format(id=number, circle=circle.name, prefix=inv.prefix)
            )
        if proposal.closed_at is not None:
            raise CommandError(
                ALREADY_CLOSED.format(
                    id=proposal.id, day=day(proposal.closed_at, _zone(circle)), prefix=inv.prefix
                )
            )
        return proposal

    async def _active_agreement(self, inv: Invocation, circle: Circle) -> Agreement:
        number = inv.integer("number") or 0
        agreement = await self._repo.agreement(number)
        if agreement is None or agreement.circle_id != circle.id or not agreement.active:
            raise CommandError(
                UNKNOWN_AGREEMENT.format(id=number, circle=circle.name, prefix=inv.prefix)
            )
        return agreement

    async def _settings(self, circle_id: int) -> CircleSettings:
        return (await self._repo.settings(circle_id)).effective(self._defaults)

    async def _name(self, circle: Circle, member_id: str) -> str:
        return await self._chat.display_name(circle.member(member_id), circle.room)

    async def _private(self, member: MemberRef, text: str) -> None:
        try:
            await self._chat.send_private(member, text)
        except DeliveryError:
            log.info("could not reach %s privately", member.id)


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
    )


def _zone(circle: Circle) -> ZoneInfo:
    return parse_zone(circle.time_zone) or ZoneInfo("UTC")


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


def _settings_words(settings: CircleSettings) -> dict[str, object]:
    return {
        "process": PROCESS_WORDS[settings.process],
        "quorum": settings.quorum_percent,
        "threshold": settings.threshold_percent,
        "reminder": format_duration(settings.reminder),
        "review": settings.review.days,
    }
