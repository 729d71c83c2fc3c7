"""The agreement commands: proposing, amending, retiring and reviewing, the list and one in
full, a circle's own settings, and the starter set."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat import Chat, Visibility
from bot.commands import CommandError, Invocation, format_duration
from bot.commands.spec import command
from cogs.agreements.ballots import OPTIONS, Ballot, Process, choice_named
from cogs.agreements.model import Agreement, CircleSettings, Kind, Proposal, VoteStatus
from cogs.agreements.posts import typed_privately
from cogs.agreements.proposals import Proposals, new_proposal
from cogs.agreements.reasons import Reasons
from cogs.agreements.registry import Registry
from cogs.agreements.render import agreement_list, day, moment, short_title
from cogs.agreements.repo import AgreementsRepo
from cogs.agreements.specs import (
    AMEND,
    EXTEND,
    LIST,
    LONGEST,
    OUTCOME,
    PROPOSE,
    REASON,
    RETIRE,
    REVIEW,
    SETTINGS,
    SHORTEST,
    SHOW,
    STARTERS,
    VOTE,
    WITHDRAW,
)
from cogs.agreements.starters import starter, starters
from cogs.agreements.texts import (
    ALREADY_CLOSED,
    AMENDED,
    BALLOT_WORDS,
    BUSY,
    CLOSES_RANGE,
    EXTEND_RANGE,
    EXTENDED,
    LIST_HOW,
    LIST_OPEN_HEAD,
    LIST_OPEN_LINE,
    NO_STARTERS_LEFT,
    NOT_A_MEMBER,
    NOT_YOURS,
    OUTCOME_IN_REGISTRY,
    OUTCOME_NOT_YOURS,
    OUTCOME_SAVED,
    OUTCOME_STILL_OPEN,
    PROCESS_WORDS,
    PROPOSED,
    REASON_SHARED,
    RETIRE_FROM_REVIEW,
    RETIRE_HAS_NO_WORDING,
    RETIRE_OPENED,
    REVIEW_OPENED,
    SAME_TEXT,
    SETTINGS_CHANGED,
    SETTINGS_NOW,
    STARTER_ADOPTED,
    STARTER_LINE,
    STARTER_OPEN,
    STARTERS_LIST,
    STARTERS_PROPOSED,
    STARTERS_SKIPPED,
    UNKNOWN_AGREEMENT,
    UNKNOWN_PROPOSAL,
    UNKNOWN_STARTER,
    VOTE_BY_REACTION,
    VOTE_CAST,
    VOTE_IN_PRIVATE,
    VOTE_IS,
    VOTE_NONE_YET,
    VOTE_OPTIONS,
    VOTE_SAME,
    VOTE_UNKNOWN,
    VOTE_WITHDRAWN,
)
from cogs.agreements.votes import Votes
from cogs.agreements.votes_repo import VotesRepo
from cogs.circles import Circle, CircleLookup, Names, circle_of


class AgreementCommands:
    def __init__(
        self,
        *,
        repo: AgreementsRepo,
        ballots: VotesRepo,
        chat: Chat,
        circles: CircleLookup,
        proposals: Proposals,
        registry: Registry,
        reasons: Reasons,
        votes: Votes,
    ) -> None:
        self._reasons = reasons
        self._votes = votes
        self._repo = repo
        self._ballots = ballots
        self._circles = circles
        self._proposals = proposals
        self._registry = registry
        self._names = Names(chat)

    @command(PROPOSE)
    async def propose(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        closes_at = self._closing_time(inv)
        ballot = inv.text("ballot")
        proposal = await self._propose(
            inv,
            circle,
            Kind.ADOPT,
            inv.text("text") or "",
            closes_at,
            ballot=Ballot(ballot) if ballot else None,
        )
        await inv.reply(PROPOSED.format(id=proposal.id), Visibility.PERSONAL)

    @command(AMEND)
    async def amend(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        proposal = await self._open_proposal(inv, circle)
        text = inv.text("text") or ""
        if proposal.kind is Kind.RETIRE:
            raise CommandError(
                RETIRE_HAS_NO_WORDING.format(id=proposal.id, agreement=proposal.agreement_id)
            )
        if proposal.proposed_by is not None and proposal.proposed_by != inv.invoker.id:
            name = await self._names.of(circle, proposal.proposed_by)
            raise CommandError(NOT_YOURS.format(id=proposal.id, name=name, prefix=inv.prefix))
        if text == proposal.text:
            raise CommandError(SAME_TEXT.format(id=proposal.id))
        kind = Kind.REVISE if proposal.kind is Kind.REVIEW else proposal.kind
        changed = await self._proposals.new_version(
            circle, proposal, text=text, kind=kind, by=inv.invoker, at=inv.at
        )
        await inv.reply(AMENDED.format(version=changed.version, id=changed.id), Visibility.PERSONAL)

    @command(RETIRE)
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
            changed = await self._proposals.new_version(
                circle, review, text=agreement.text, kind=Kind.RETIRE, by=inv.invoker, at=inv.at
            )
            await inv.reply(
                RETIRE_FROM_REVIEW.format(id=agreement.id, proposal=changed.id), Visibility.PERSONAL
            )
            return
        proposal = await self._propose(
            inv,
            circle,
            Kind.RETIRE,
            agreement.text,
            closes_at,
            title=agreement.title,
            agreement_id=agreement.id,
        )
        await inv.reply(
            RETIRE_OPENED.format(id=agreement.id, proposal=proposal.id), Visibility.PERSONAL
        )

    @command(REVIEW)
    async def review(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        agreement = await self._active_agreement(inv, circle)
        closes_at = self._closing_time(inv)
        proposal = await self._proposals.open_review(circle, agreement, inv.at, closes_at)
        await inv.reply(
            REVIEW_OPENED.format(id=agreement.id, proposal=proposal.id), Visibility.PERSONAL
        )

    @command(EXTEND)
    async def extend(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        proposal = await self._open_proposal(inv, circle)
        more = inv.duration("by") or timedelta(0)
        until = proposal.closes_at + more
        if more < SHORTEST or until > inv.at + LONGEST:
            raise CommandError(EXTEND_RANGE)
        changed = await self._proposals.extend(circle, proposal, until=until)
        await inv.reply(
            EXTENDED.format(id=changed.id, closes=moment(changed.closes_at, circle.zone)),
            Visibility.PERSONAL,
        )

    @command(VOTE)
    async def vote(self, inv: Invocation) -> None:
        """Works anywhere, a direct chat included: the proposal's number says which circle."""
        number = inv.integer("number") or 0
        proposal = await self._repo.get(number)
        circle = await self._circles.get(proposal.circle_id) if proposal else None
        if proposal is None or circle is None or circle.platform is not inv.invoker.platform:
            raise CommandError(
                VOTE_UNKNOWN.format(id=number, prefix=inv.prefix), Visibility.PRIVATE
            )
        if not await self._circles.is_member(circle.id, inv.invoker.id):
            raise CommandError(
                NOT_A_MEMBER.format(circle=circle.name, prefix=inv.prefix), Visibility.PRIVATE
            )
        zone = circle.zone
        if not proposal.is_open:
            closed = day(proposal.closed_at or inv.at, zone)
            raise CommandError(
                ALREADY_CLOSED.format(id=proposal.id, day=closed, prefix=inv.prefix),
                Visibility.PRIVATE,
            )
        if not proposal.ballot.secret:
            raise CommandError(VOTE_BY_REACTION.format(id=proposal.id), Visibility.PRIVATE)
        word = inv.text("option")
        options = ", ".join(f"`{o.label}`" for o in OPTIONS[proposal.process])
        closes = moment(proposal.closes_at, zone)
        if word is None:
            held = await self._ballots.vote_of(proposal.id, inv.invoker.id)
            text = (
                VOTE_IS.format(id=proposal.id, label=held.value, closes=closes)
                if held
                else VOTE_NONE_YET.format(id=proposal.id, options=options, prefix=inv.prefix)
            )
            await inv.reply(text, Visibility.PRIVATE)
            return
        choice = None if word == WITHDRAW else choice_named(proposal.process, word)
        if choice is None and word != WITHDRAW:
            raise CommandError(
                VOTE_OPTIONS.format(id=proposal.id, options=options), Visibility.PRIVATE
            )
        if inv.room is not None and not typed_privately(inv.prefix):
            # typed where the room reads it: not counted, so that nobody's vote is public
            raise CommandError(
                VOTE_IN_PRIVATE.format(id=proposal.id, prefix=inv.prefix), Visibility.PRIVATE
            )
        change = await self._votes.cast(circle, proposal, inv.invoker, choice, inv.at)
        if change.status is VoteStatus.CLOSED:
            raise CommandError(
                ALREADY_CLOSED.format(id=proposal.id, day=day(inv.at, zone), prefix=inv.prefix),
                Visibility.PRIVATE,
            )
        if change.status is VoteStatus.NOT_MEMBER:
            raise CommandError(
                NOT_A_MEMBER.format(circle=circle.name, prefix=inv.prefix), Visibility.PRIVATE
            )
        if choice is None:
            text = VOTE_WITHDRAWN.format(id=proposal.id, closes=closes)
        elif change.status is VoteStatus.UNCHANGED:
            text = VOTE_SAME.format(id=proposal.id, label=choice.value)
        else:
            text = VOTE_CAST.format(
                id=proposal.id, label=choice.value, closes=closes, prefix=inv.prefix
            )
        await inv.reply(text, Visibility.PRIVATE)

    @command(REASON)
    async def reason(self, inv: Invocation) -> None:
        circle = await self._member_circle(inv)
        proposal = await self._open_proposal(inv, circle)
        named = inv.text("shown") == "named"
        await self._reasons.give(
            circle, proposal, inv.invoker, inv.text("text") or "", named=named, at=inv.at
        )
        await inv.reply(REASON_SHARED[named].format(id=proposal.id), Visibility.PRIVATE)

    @command(OUTCOME)
    async def outcome(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        number = inv.integer("number") or 0
        proposal = await self._repo.get(number)
        if proposal is None or proposal.circle_id != circle.id:
            raise CommandError(
                UNKNOWN_PROPOSAL.format(id=number, circle=circle.name, prefix=inv.prefix)
            )
        allowed = (
            inv.is_moderator
            or (proposal.proposed_by is not None and proposal.proposed_by == inv.invoker.id)
            or await self._circles.is_facilitator(circle.id, inv.invoker.id)
        )
        if not allowed:
            raise CommandError(OUTCOME_NOT_YOURS.format(id=proposal.id))
        if proposal.is_open:
            raise CommandError(OUTCOME_STILL_OPEN.format(id=proposal.id))
        written = await self._reasons.write_outcome(
            circle, proposal, inv.text("text") or "", inv.at
        )
        if written is None:
            raise CommandError(OUTCOME_STILL_OPEN.format(id=proposal.id))
        _, agreement = written
        registry = OUTCOME_IN_REGISTRY.format(id=agreement) if agreement is not None else ""
        await inv.reply(
            OUTCOME_SAVED.format(id=proposal.id, registry=registry), Visibility.PERSONAL
        )

    @command(LIST)
    async def list_agreements(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        zone = circle.zone
        settings = await self._proposals.settings(circle.id)
        parts = [
            agreement_list(circle.name, await self._registry.entries(circle), zone, inv.prefix)
        ]
        parts.append(
            LIST_HOW.format(process=PROCESS_WORDS[settings.process], quorum=settings.quorum_percent)
        )
        open_now = await self._repo.open_in(circle.id)
        if open_now:
            lines = [LIST_OPEN_HEAD]
            for proposal in open_now:
                voters, members = await self._ballots.turnout(proposal.id)
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

    @command(SHOW)
    async def show(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        number = inv.integer("number") or 0
        zone = circle.zone
        # The words are the group's and anyone may read them; who proposed them is for the circle.
        insider = await self._insider(inv, circle)
        history = inv.text("part") == "history"
        agreement = await self._repo.agreement(number)
        if agreement is not None and agreement.circle_id == circle.id:
            if history:
                text = await self._registry.history_of_agreement(circle, agreement, zone)
                await inv.reply(text, Visibility.PERSONAL)
                return
            await inv.reply(
                await self._registry.describe_agreement(circle, agreement, zone, names=insider),
                Visibility.PERSONAL,
            )
            return
        proposal = await self._repo.get(number)
        if proposal is None or proposal.circle_id != circle.id:
            raise CommandError(
                UNKNOWN_PROPOSAL.format(id=number, circle=circle.name, prefix=inv.prefix)
            )
        if history:
            text = await self._registry.history_of_proposal(circle, proposal, zone)
            await inv.reply(text, Visibility.PERSONAL)
            return
        await inv.reply(
            await self._registry.describe_proposal(circle, proposal, zone, names=insider),
            Visibility.PERSONAL,
        )

    @command(SETTINGS)
    async def settings(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        process = inv.text("process")
        quorum = inv.integer("quorum")
        threshold = inv.integer("threshold")
        reminder = inv.duration("reminder")
        review = inv.duration("review")
        ballot = inv.text("ballot")
        if all(v is None for v in (process, quorum, threshold, reminder, review, ballot)):
            current = await self._proposals.settings(circle.id)
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
            ballot=Ballot(ballot) if ballot else None,
        )
        current = await self._proposals.settings(circle.id)
        await inv.reply(SETTINGS_CHANGED.format(circle=circle.name, **_settings_words(current)))

    @command(STARTERS)
    async def starters(self, inv: Invocation) -> None:
        circle = circle_of(inv)
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
        settings = await self._proposals.settings(circle.id)
        closes_at = inv.at + self._proposals.closing
        proposed = []
        for item in fresh:
            try:
                await self._propose(
                    inv,
                    circle,
                    Kind.ADOPT,
                    item.text,
                    closes_at,
                    settings=settings,
                    title=item.title,
                    starter_id=item.id,
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

    # --- helpers ----------------------------------------------------------------------------

    async def _propose(
        self,
        inv: Invocation,
        circle: Circle,
        kind: Kind,
        text: str,
        closes_at: datetime,
        *,
        settings: CircleSettings | None = None,
        title: str | None = None,
        agreement_id: int | None = None,
        starter_id: str | None = None,
        ballot: Ballot | None = None,
    ) -> Proposal:
        """Open a proposal by whoever ran the command, under the circle's settings now."""
        rules = settings or await self._proposals.settings(circle.id)
        return await self._proposals.open(
            circle,
            new_proposal(
                circle,
                rules,
                kind,
                text,
                by=inv.invoker.id,
                at=inv.at,
                closes_at=closes_at,
                title=title,
                agreement_id=agreement_id,
                starter_id=starter_id,
                ballot=ballot,
            ),
        )

    async def _insider(self, inv: Invocation, circle: Circle) -> bool:
        """A member, facilitator or moderator: someone who may see who is in the circle."""
        return (
            inv.is_moderator
            or await self._circles.is_member(circle.id, inv.invoker.id)
            or await self._circles.is_facilitator(circle.id, inv.invoker.id)
        )

    async def _member_circle(self, inv: Invocation) -> Circle:
        circle = circle_of(inv)
        if not await self._circles.is_member(circle.id, inv.invoker.id):
            raise CommandError(NOT_A_MEMBER.format(circle=circle.name, prefix=inv.prefix))
        return circle

    def _closing_time(self, inv: Invocation) -> datetime:
        length = inv.duration("closes")
        if length is None:
            return inv.at + self._proposals.closing
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
                    id=proposal.id, day=day(proposal.closed_at, circle.zone), prefix=inv.prefix
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


def _settings_words(settings: CircleSettings) -> dict[str, object]:
    return {
        "process": PROCESS_WORDS[settings.process],
        "quorum": settings.quorum_percent,
        "threshold": settings.threshold_percent,
        "reminder": format_duration(settings.reminder),
        "review": settings.review.days,
        "ballot": BALLOT_WORDS[settings.ballot],
    }
