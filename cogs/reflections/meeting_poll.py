"""Finding a meeting time: a facilitator offers two to eight times (``meeting poll``), each
member reads them on their own clock (``meeting times``, ``meeting zone``) and answers yes,
if need be or no for each (``meeting answer``), openly or privately as the poll says. At its
closing time the poll closes by itself (an alarm re-armed from the database on every start),
the result goes to the circle and the facilitator who started it is told; a facilitator then
picks the time (``meeting pick``), which becomes the circle's weekly meeting time through the
same path as ``meeting set``.

The close happens at most once: the repository sets ``closed_at`` only where it is empty, in
the transaction that writes the counts, and only the caller that closed it speaks. A stop
between that and the post loses the post, never doubles it; the result stays readable with
``meeting times``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.chat import Chat, MemberRef, Visibility
from bot.clock import Clock, parse_zone
from bot.commands import CommandError, Invocation, format_duration
from bot.commands.options import CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from bot.outbound import post, tell
from bot.scheduling import Timers
from cogs.circles import Circle, CircleLookup, Names, circle_of, spoken_list
from cogs.reflections.meetings import Meetings
from cogs.reflections.options import ZONE
from cogs.reflections.poll_model import Answer, Counts, Given, Poll, best, tally, who_said
from cogs.reflections.poll_reading import PollInputError, read_answers, read_closing, read_slots
from cogs.reflections.poll_repo import MeetingPollRepo
from cogs.reflections.runner import DEFAULT_REMIND
from cogs.reflections.texts import (
    ANSWER_LINE,
    ANSWERED_OPEN,
    ANSWERED_PRIVATE,
    MEETING_REPLACED,
    NOT_A_POLL_MEMBER,
    NOT_ANSWERED_YET,
    POLL_ALREADY_OPEN,
    POLL_ALREADY_PICKED,
    POLL_CLOSED,
    POLL_HOW_OPEN,
    POLL_HOW_SECRET,
    POLL_NO_SUCH_SLOT,
    POLL_NONE,
    POLL_NOT_YOURS,
    POLL_NOTHING_TO_PICK,
    POLL_OPENED,
    POLL_PICKED,
    POLL_RESULT_ANSWERED,
    POLL_RESULT_BEST,
    POLL_RESULT_HEAD,
    POLL_RESULT_LINE_OPEN,
    POLL_RESULT_LINE_SECRET,
    POLL_RESULT_MAYBE,
    POLL_RESULT_NAMES_NONE,
    POLL_RESULT_NO,
    POLL_RESULT_NO_BEST,
    POLL_RESULT_NOBODY,
    POLL_RESULT_PICKED,
    POLL_SLOT_LINE,
    POLL_STILL_OPEN,
    POLL_TOLD,
    POLL_TRY_AGAIN,
    POLL_UNKNOWN,
    POLL_WHICH,
    TIMES_FOOT_CLOSED,
    TIMES_FOOT_OPEN,
    TIMES_HEAD,
    TIMES_YOURS,
    UNKNOWN_ZONE,
    ZONE_CLEARED,
    ZONE_NONE,
    ZONE_SET,
    ZONE_SHOW,
)
from cogs.reflections.timing import say_when, zone_named

log = logging.getLogger(__name__)

JOB = "poll:{id}"
OFF_WORDS = frozenset({"off", "none", "clear", "circle"})

POLL_ID = Option(
    "poll",
    OptionKind.INTEGER,
    "The poll's number (the circle's open one if left out)",
    keyword=True,
    min_value=1,
)
MEETING_POLL = CommandSpec(
    ("meeting", "poll"),
    "Offer 2 to 8 times to find when the circle meets; members answer for each.",
    (
        Option(
            "slots",
            OptionKind.TEXT,
            "Times, like: 2027-03-10 19:00, 2027-03-11 18:00",
            required=True,
            max_length=400,
        ),
        Option(
            "closes",
            OptionKind.WORD,
            "When answers close: 2d, or 2027-03-08T18:00 (a day before the first if left out)",
            keyword=True,
            max_length=40,
        ),
        Option(
            "mode",
            OptionKind.CHOICE,
            "open: everyone sees who can come; secret: only counts are shown",
            choices=("open", "secret"),
            keyword=True,
        ),
        ZONE,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)
MEETING_ANSWER = CommandSpec(
    ("meeting", "answer"),
    "Answer the meeting poll: yes, if-need-be or no for each time.",
    (
        Option(
            "answers",
            OptionKind.TEXT,
            "One per time, in order: yes no if-need-be (or numbered: 2 yes)",
            required=True,
            max_length=200,
        ),
        POLL_ID,
        CIRCLE_NAMED,
    ),
    needs_space=False,
)
MEETING_TIMES = CommandSpec(
    ("meeting", "times"),
    "See the meeting poll's times in your own time zone, with your answers.",
    (POLL_ID, CIRCLE_NAMED),
    needs_space=False,
    allow_archived=True,
)
MEETING_ZONE = CommandSpec(
    ("meeting", "zone"),
    "Set the time zone I show you poll times in (or off).",
    (Option("zone", OptionKind.WORD, "Like Europe/Berlin, or off", max_length=64),),
    needs_space=False,
)
MEETING_PICK = CommandSpec(
    ("meeting", "pick"),
    "Choose a closed poll's time as the circle's weekly meeting time.",
    (
        Option(
            "number",
            OptionKind.INTEGER,
            "The time's number in the poll",
            required=True,
            min_value=1,
        ),
        POLL_ID,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)


class MeetingPolls:
    def __init__(
        self,
        *,
        repo: MeetingPollRepo,
        meetings: Meetings,
        chat: Chat,
        clock: Clock,
        timers: Timers,
        circles: CircleLookup,
    ) -> None:
        self._repo = repo
        self._meetings = meetings
        self._chat = chat
        self._clock = clock
        self._timers = timers
        self._circles = circles
        self._names = Names(chat)

    @property
    def repo(self) -> MeetingPollRepo:
        return self._repo

    # --- the alarm ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Every open poll's alarm, from the database; one whose time passed while the bot was
        away rings at once."""
        for poll_id, closes_at in await self._repo.still_open():
            self._arm(poll_id, closes_at)

    def _arm(self, poll_id: int, closes_at: datetime) -> None:
        self._timers.at(JOB.format(id=poll_id), closes_at, self._closer(poll_id))

    def _closer(self, poll_id: int) -> Callable[[datetime], Awaitable[None]]:
        async def ring(_: datetime) -> None:
            await self.close(poll_id)

        return ring

    async def close(self, poll_id: int) -> None:
        """Close the poll if nobody has; the one who closed it posts the result and tells the
        facilitator who started it."""
        if not await self._repo.close(poll_id, self._clock.now()):
            return
        poll = await self._repo.poll(poll_id)
        circle = await self._circles.get(poll.circle_id) if poll else None
        if poll is None or circle is None:
            return
        prefix = self._chat.command_prefix(circle.platform)
        await post(self._chat, circle.home, await self._result(poll, circle, prefix))
        if poll.created_by is not None:
            await tell(
                self._chat,
                circle.member(poll.created_by),
                POLL_TOLD.format(circle=circle.name, id=poll.id, prefix=prefix),
            )

    async def forget_answers_of(self, circle_id: int, member_id: str) -> None:
        dropped = await self._repo.drop_answers(circle_id, member_id)
        if dropped:
            log.info("circle %d: a member left; %d poll answers dropped", circle_id, dropped)

    # --- commands -------------------------------------------------------------------------------

    @command(MEETING_POLL)
    async def meeting_poll(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        zone = inv.zone("time_zone") or zone_named(circle.time_zone)
        try:
            slots = read_slots(inv.text("slots") or "", zone, inv.at)
            closes = read_closing(inv.text("closes"), zone, inv.at, slots[0])
        except PollInputError as error:
            raise CommandError(str(error)) from None
        secret = inv.text("mode") == "secret"
        existing = await self._repo.open_of(circle.id)
        if existing is not None:
            raise CommandError(self._already_open(existing, circle, inv.prefix))
        poll_id = await self._repo.open_poll(
            circle_id=circle.id,
            secret=secret,
            stated_zone=zone.key,
            slots=slots,
            closes_at=closes,
            created_by=inv.invoker.id,
            at=inv.at,
        )
        if poll_id is None:  # opened by someone else a moment ago
            raced = await self._repo.open_of(circle.id)
            raise CommandError(
                self._already_open(raced, circle, inv.prefix)
                if raced
                else POLL_TRY_AGAIN.format(circle=circle.name)
            )
        self._arm(poll_id, closes)
        circle_zone = zone_named(circle.time_zone)
        lines = "\n".join(
            POLL_SLOT_LINE.format(position=i, when=_when(s, circle_zone))
            for i, s in enumerate(slots, start=1)
        )
        how = (POLL_HOW_SECRET if secret else POLL_HOW_OPEN).format(prefix=inv.prefix, id=poll_id)
        await inv.reply(
            POLL_OPENED.format(
                circle=circle.name,
                id=poll_id,
                slots=lines,
                how=how,
                closes=_when(closes, circle_zone),
                prefix=inv.prefix,
            )
        )

    @command(MEETING_ANSWER)
    async def meeting_answer(self, inv: Invocation) -> None:
        poll, circle = await self._poll_for(inv, open_only=True)
        if inv.invoker.platform is not circle.platform or not await self._circles.is_member(
            circle.id, inv.invoker.id
        ):
            raise CommandError(NOT_A_POLL_MEMBER.format(circle=circle.name, prefix=inv.prefix))
        try:
            answers = read_answers(inv.text("answers") or "", len(poll.slots))
        except PollInputError as error:
            raise CommandError(str(error), _answer_visibility(poll)) from None
        if not await self._repo.answer(poll.id, inv.invoker.id, answers, inv.at):
            raise CommandError(self._closed(poll, circle))
        zone = await self._zone_for(inv.invoker, circle)
        if poll.secret:
            mine = _mine(await self._repo.answers(poll.id), inv.invoker.id)
            lines = "\n".join(
                ANSWER_LINE.format(
                    position=s.position,
                    when=say_when(s.starts_at, zone),
                    answer=mine[s.position].words if s.position in mine else NOT_ANSWERED_YET,
                )
                for s in poll.slots
            )
            await inv.reply(
                ANSWERED_PRIVATE.format(
                    circle=circle.name,
                    id=poll.id,
                    zone=zone.key,
                    lines=lines,
                    closes=say_when(poll.closes_at, zone),
                ),
                Visibility.PRIVATE,
            )
            return
        summary = ", ".join(f"{p} {a.words}" for p, a in sorted(answers.items()))
        name = await self._names.of(circle, inv.invoker.id)
        await inv.reply(
            ANSWERED_OPEN.format(name=name, circle=circle.name, id=poll.id, summary=summary)
        )

    @command(MEETING_TIMES)
    async def meeting_times(self, inv: Invocation) -> None:
        poll, circle = await self._poll_for(inv, open_only=False)
        zone = await self._zone_for(inv.invoker, circle)
        lines = [TIMES_HEAD.format(id=poll.id, circle=circle.name, zone=zone.key)]
        if poll.is_open:
            mine = _mine(await self._repo.answers(poll.id), inv.invoker.id)
            for slot in poll.slots:
                yours = (
                    TIMES_YOURS.format(answer=mine[slot.position].words)
                    if slot.position in mine
                    else ""
                )
                lines.append(
                    POLL_SLOT_LINE.format(
                        position=slot.position, when=say_when(slot.starts_at, zone, year=True)
                    )
                    + yours
                )
            lines.append(
                TIMES_FOOT_OPEN.format(closes=say_when(poll.closes_at, zone), prefix=inv.prefix)
            )
        else:
            lines.append(await self._result(poll, circle, inv.prefix, zone=zone, head=False))
            closed = poll.closed_at or poll.closes_at
            lines.append(TIMES_FOOT_CLOSED.format(closes=say_when(closed, zone)))
        await inv.reply(
            "\n".join(lines), Visibility.PRIVATE if poll.secret else Visibility.PERSONAL
        )

    @command(MEETING_ZONE)
    async def meeting_zone(self, inv: Invocation) -> None:
        given = (inv.text("zone") or "").strip()
        if not given:
            own = await self._repo.zone_of(inv.invoker)
            text = (
                ZONE_SHOW.format(zone=own, prefix=inv.prefix)
                if own
                else ZONE_NONE.format(prefix=inv.prefix)
            )
            await inv.reply(text, Visibility.PERSONAL)
            return
        if given.lower() in OFF_WORDS:
            await self._repo.clear_zone(inv.invoker)
            await inv.reply(ZONE_CLEARED, Visibility.PERSONAL)
            return
        zone = parse_zone(given)
        if zone is None:
            raise CommandError(UNKNOWN_ZONE.format(text=given[:40]))
        await self._repo.set_zone(inv.invoker, zone.key, inv.at)
        await inv.reply(
            ZONE_SET.format(zone=zone.key, now=say_when(inv.at, zone)), Visibility.PERSONAL
        )

    @command(MEETING_PICK)
    async def meeting_pick(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        given = inv.integer("poll")
        if given is not None:
            poll = await self._repo.poll(given)
            if poll is None or poll.circle_id != circle.id:
                raise CommandError(POLL_UNKNOWN.format(id=given))
        else:
            waiting = await self._repo.waiting_for_pick(circle.id)
            if waiting is None:
                still = await self._repo.open_of(circle.id)
                if still is not None:
                    raise CommandError(self._still_open(still, circle))
                latest = await self._repo.latest_of(circle.id)
                if latest is not None and latest.picked is not None:
                    raise CommandError(
                        POLL_ALREADY_PICKED.format(
                            position=latest.picked, id=latest.id, prefix=inv.prefix
                        )
                    )
                raise CommandError(POLL_NOTHING_TO_PICK.format(circle=circle.name))
            poll = waiting
        if poll.is_open:
            raise CommandError(self._still_open(poll, circle))
        if poll.picked is not None:
            raise CommandError(
                POLL_ALREADY_PICKED.format(position=poll.picked, id=poll.id, prefix=inv.prefix)
            )
        number = inv.number("number")
        slot = poll.slot(number)
        if slot is None:
            raise CommandError(
                POLL_NO_SUCH_SLOT.format(id=poll.id, count=len(poll.slots), number=number)
            )
        # The schedule first, then the choice: a stop between them leaves the poll waiting, and
        # picking again sets the same one meeting time (a circle has one), never two.
        asked, first, replaced = await self._meetings.meet_weekly(
            circle, slot.starts_at, by=inv.invoker.id, at=inv.at
        )
        await self._repo.pick(poll.id, number, inv.invoker.id, inv.at)
        await inv.reply(
            POLL_PICKED.format(
                circle=circle.name,
                form=f"`{asked.form}`",
                zone=asked.zone.key,
                id=poll.id,
                first=say_when(first, asked.zone),
                lead=format_duration(DEFAULT_REMIND),
                replaced=MEETING_REPLACED if replaced is not None else "",
            )
        )

    # --- reading and saying -------------------------------------------------------------------

    async def _poll_for(self, inv: Invocation, *, open_only: bool) -> tuple[Poll, Circle]:
        """The poll a member means: the one named with ``poll=``, else the circle's (its open
        one, or for reading, its newest)."""
        given = inv.integer("poll")
        if given is not None:
            poll = await self._repo.poll(given)
            circle = await self._circles.get(poll.circle_id) if poll else None
            if poll is None or circle is None:
                raise CommandError(POLL_UNKNOWN.format(id=given))
            if circle.platform is not inv.invoker.platform:
                raise CommandError(POLL_NOT_YOURS.format(id=given))
        else:
            if inv.circle is None:
                raise CommandError(POLL_WHICH)
            circle = circle_of(inv)
            found = (
                await self._repo.open_of(circle.id)
                if open_only
                else await self._repo.latest_of(circle.id)
            )
            if found is None:
                latest = await self._repo.latest_of(circle.id) if open_only else None
                if latest is not None:
                    raise CommandError(self._closed(latest, circle))
                raise CommandError(POLL_NONE.format(circle=circle.name, prefix=inv.prefix))
            poll = found
        if open_only and not poll.is_open:
            raise CommandError(self._closed(poll, circle))
        return poll, circle

    async def _zone_for(self, member: MemberRef, circle: Circle) -> ZoneInfo:
        own = await self._repo.zone_of(member)
        return (parse_zone(own) if own else None) or zone_named(circle.time_zone)

    async def _result(
        self,
        poll: Poll,
        circle: Circle,
        prefix: str,
        *,
        zone: ZoneInfo | None = None,
        head: bool = True,
    ) -> str:
        shown = zone or zone_named(circle.time_zone)
        answers = [] if poll.secret else await self._repo.answers(poll.id)
        counts: Mapping[int, Counts] = poll.frozen or tally(poll.slots, answers)
        lines: list[str] = []
        for slot in poll.slots:
            c = counts.get(slot.position, Counts())
            when = _when(slot.starts_at, shown)
            if poll.secret:
                lines.append(
                    POLL_RESULT_LINE_SECRET.format(
                        position=slot.position, when=when, yes=c.yes, maybe=c.if_need_be, no=c.no
                    )
                )
                continue
            yes = await self._said(circle, answers, slot.position, Answer.YES)
            maybe = await self._said(circle, answers, slot.position, Answer.IF_NEED_BE)
            no_names = await self._said(circle, answers, slot.position, Answer.NO)
            lines.append(
                POLL_RESULT_LINE_OPEN.format(
                    position=slot.position,
                    when=when,
                    yes=yes,
                    maybe=POLL_RESULT_MAYBE.format(names=maybe) if c.if_need_be else "",
                    no=POLL_RESULT_NO.format(names=no_names) if c.no else "",
                )
            )
        standing = best(counts)
        if poll.picked is not None:
            lines.append(POLL_RESULT_PICKED.format(position=poll.picked))
        elif standing:
            best_ones = spoken_list([str(p) for p in standing])
            lines.append(POLL_RESULT_BEST.format(best=best_ones, prefix=prefix))
        else:
            lines.append(POLL_RESULT_NO_BEST.format(prefix=prefix))
        if not head:
            return "\n".join(lines)
        answered = (
            poll.answered if poll.answered is not None else len({g.member_id for g in answers})
        )
        answered_line = (
            POLL_RESULT_ANSWERED.format(count=answered, s="" if answered == 1 else "s")
            if answered
            else POLL_RESULT_NOBODY
        )
        return POLL_RESULT_HEAD.format(
            circle=circle.name, id=poll.id, answered=answered_line, lines="\n".join(lines)
        )

    async def _said(
        self, circle: Circle, answers: list[Given], position: int, answer: Answer
    ) -> str:
        names = await self._names.all(circle, who_said(answers, position, answer))
        return spoken_list(names, empty=POLL_RESULT_NAMES_NONE)

    def _already_open(self, poll: Poll, circle: Circle, prefix: str) -> str:
        zone = zone_named(circle.time_zone)
        return POLL_ALREADY_OPEN.format(
            circle=circle.name, id=poll.id, closes=_when(poll.closes_at, zone), prefix=prefix
        )

    def _closed(self, poll: Poll, circle: Circle) -> str:
        zone = zone_named(circle.time_zone)
        return POLL_CLOSED.format(id=poll.id, when=_when(poll.closed_at or poll.closes_at, zone))

    def _still_open(self, poll: Poll, circle: Circle) -> str:
        zone = zone_named(circle.time_zone)
        return POLL_STILL_OPEN.format(id=poll.id, closes=_when(poll.closes_at, zone))


def _when(instant: datetime, zone: ZoneInfo) -> str:
    return f"{say_when(instant, zone)} ({zone.key})"


def _mine(answers: list[Given], member_id: str) -> dict[int, Answer]:
    return {g.position: g.answer for g in answers if g.member_id == member_id}


def _answer_visibility(poll: Poll) -> Visibility:
    return Visibility.PRIVATE if poll.secret else Visibility.PERSONAL
