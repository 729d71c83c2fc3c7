"""Check-in rounds with a talking piece.

A facilitator begins a round; the bot names the order and invites each person in turn. The
holder says ``done`` or ``pass`` (always fine), or a facilitator moves the piece on with
``next``. An optional time box sends the person sharing one private "no rush" note per turn,
so nobody is named in front of the circle mid-sharing. The round closes with who
shared and who passed. What people say is never stored; a round survives a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from datetime import timedelta

from bot.chat import (
    DeliveryError,
    Destination,
    Event,
    MemberRef,
    MessagePosted,
    ThreadRef,
    Visibility,
)
from bot.cog import Cog, DomainEvent, Services
from bot.commands import CommandError, Invocation
from bot.commands.options import CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from bot.scheduling import Timers
from cogs.circles.lookup import circle_of
from cogs.circles.model import Circle, CircleArchived, JoinedCircle, LeftCircle
from cogs.circles.names import Names
from cogs.circles.repo import CirclesRepo
from cogs.circles.rounds import NotInRound, NotYourTurn, Outcome, Round, RoundOver
from cogs.circles.rounds_repo import RoundRecord, RoundsRepo

log = logging.getLogger(__name__)

TIMER = "turn:{round_id}"
THREAD_TITLE = "Check-in · {circle}"
WORDS_DONE = frozenset({"done", "i'm done", "im done", "i am done", "finished"})
WORDS_PASS = frozenset({"pass", "i pass", "i'll pass", "ill pass"})
WORDS_NEXT = frozenset({"next"})
_TRAILING = re.compile(r"[\s.!,;:…🙏🌿💛❤️♥️✨👍]+$")

OPENING = (
    "🪶 **A check-in round for {circle}**{prompt}\n"
    "The talking piece goes round in this order: {order}.\n"
    "When it's with you, share whatever you'd like and then say `done` (or `{prefix}round done`), "
    "or say `pass`; passing is always fine.{time_box}"
)
PROMPT_LINE = "\n> {prompt}"
TIME_BOX_LINE = " Each turn has about {length}. When it's up, whoever has the talking piece hears so privately; there's no rush."
OPENED_REPLY = "The round for {circle} has begun in its thread."
YOUR_TURN = "{name}, the talking piece is with you. 🪶"
AFTER_DONE = "Thank you, {previous}. {next}"
AFTER_PASS = "Thank you, {previous}; passing is always welcome. {next}"
AFTER_NEXT = "The talking piece moves on. {next}"
CLOSING = "That completes the round for **{circle}**. Thank you, everyone. 🌿\n{lines}"
ENDED_EARLY = "The round for **{circle}** closes here. Thank you, everyone. 🌿\n{lines}"
RESTING = "{circle} is resting now, so this round closes here. Thank you, everyone.\n{lines}"
LATE_JOINER = "Welcome, {name}. You're at the end of the order for this round."
TIME_UP = "Your turn in the round for **{circle}** has had its {length}. No rush: finish in your own time, then say `done` in the round's thread."
NO_ROUND = "There's no round open in {circle} right now. A facilitator can begin one with `{prefix}round start`."
ALREADY_OPEN = (
    "A round is already open in {circle}. `{prefix}round status` shows where the talking piece is."
)
NO_MEMBERS = "{circle} has no members yet, so there's nobody to pass the talking piece to."
NOT_YOUR_TURN = "The talking piece is with {holder} right now. Your turn comes {when}."
NOT_IN_ORDER = "This round is for the members of {circle}. If you'd like to take part next time, `{prefix}circle join {circle}` makes you one."
ALREADY_HAD_TURN = "You've had your turn in this round. Thank you."
STATUS = "Round in **{circle}**: the talking piece is with {holder}.{upcoming}{shared}"
STATUS_OUTSIDE = "A check-in round is open in {circle}. Who takes part stays within the circle."

PROMPT = Option("prompt", OptionKind.TEXT, "A question to open the round with", max_length=500)
TURN = Option(
    "turn",
    OptionKind.DURATION,
    "A time box per turn, like 3m (a private note when it's up)",
    min_value=30,
    max_value=1800,
    keyword=True,
)

START = CommandSpec(
    ("round", "start"),
    "Begin a check-in round with a talking piece.",
    (PROMPT, CIRCLE_NAMED, TURN),
    permission=Permission.FACILITATOR,
)
DONE = CommandSpec(
    ("round", "done"), "Finish your turn and pass the talking piece on.", (CIRCLE_NAMED,)
)
PASS = CommandSpec(("round", "pass"), "Pass your turn; that's always fine.", (CIRCLE_NAMED,))
NEXT = CommandSpec(
    ("round", "next"),
    "Move the talking piece to the next person.",
    (CIRCLE_NAMED,),
    permission=Permission.FACILITATOR,
)
END = CommandSpec(
    ("round", "end"),
    "Close the round now, with its summary.",
    (CIRCLE_NAMED,),
    permission=Permission.FACILITATOR,
)
STATUS_SPEC = CommandSpec(("round", "status"), "See where the talking piece is.", (CIRCLE_NAMED,))


class CheckInsCog(Cog):
    name = "checkins"

    def __init__(
        self, services: Services, timers: Timers, circles: CirclesRepo, rounds: RoundsRepo
    ) -> None:
        self._chat = services.chat
        self._circles = circles
        self._repo = rounds
        self._names = Names(services.chat)
        self._timers = timers
        self._clock = services.clock
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        # where open rounds are held -> circle id, so plain "done" in a thread is cheap to route
        self._places: dict[tuple[str, str, str | None], int] = {}
        self._rooms: dict[tuple[str, str, str | None], int] = {}  # the circle's own room, too

    async def start(self) -> None:
        for record in await self._repo.open_rounds():
            if self._timers.owns(record.room.space):  # else another process runs it
                self._remember(record)
                self._arm(record)

    async def stop(self) -> None:
        self._timers.cancel_all()

    # --- commands ---------------------------------------------------------------------------

    @command(START)
    async def start_round(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        members = [m.member_id for m in await self._circles.members(circle.id)]
        if not members:
            raise CommandError(NO_MEMBERS.format(circle=circle.name))
        order = sorted(members, key=lambda m: m != circle.holder_id)  # the holder goes first
        turn = inv.duration("turn")
        round_id = await self._repo.open_round(
            circle_id=circle.id,
            started_by=inv.invoker.id,
            at=inv.at,
            room=circle.room,
            turn_seconds=int(turn.total_seconds()) if turn else None,
            order=order,
        )
        if round_id is None:
            raise CommandError(ALREADY_OPEN.format(circle=circle.name, prefix=inv.prefix))
        prompt = inv.text("prompt")
        names = await self._names.all(circle, order)
        text = OPENING.format(
            prefix=inv.prefix,
            circle=circle.name,
            prompt=PROMPT_LINE.format(prompt=prompt) if prompt else "",
            order=", ".join(names),
            time_box=TIME_BOX_LINE.format(length=_length(turn)) if turn else "",
        )
        if circle.thread is None:
            opened = await self._chat.open_thread(
                circle.room, THREAD_TITLE.format(circle=circle.name), text
            )
            thread: ThreadRef | None = opened.thread
            message_id = opened.message.id
        else:  # a circle that lives in a thread holds its rounds right there
            thread = circle.thread
            message_id = (await self._chat.send(circle.thread, text)).id
        await self._repo.place_round(round_id, thread, message_id)
        record = await self._repo.open_round_of(circle.id)
        if record is None:
            return
        self._remember(record)
        await inv.reply(OPENED_REPLY.format(circle=circle.name), Visibility.PERSONAL)
        await self._chat.send(record.where, YOUR_TURN.format(name=names[0]))
        self._arm(record)

    @command(DONE)
    async def done(self, inv: Invocation) -> None:
        await self._end_turn(circle_of(inv), inv.invoker, Outcome.SHARED, inv.prefix)

    @command(PASS)
    async def pass_turn(self, inv: Invocation) -> None:
        await self._end_turn(circle_of(inv), inv.invoker, Outcome.PASSED, inv.prefix)

    @command(NEXT)
    async def next_turn(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        async with self._locks[circle.id]:
            record = await self._need_round(circle, inv.prefix)
            try:
                moved = record.round.move_on()
            except RoundOver:
                moved = record.round
            await self._advance(circle, record, moved, AFTER_NEXT, previous=None)
        await inv.reply("The talking piece has moved on.", Visibility.PERSONAL)

    @command(END)
    async def end_round(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        async with self._locks[circle.id]:
            record = await self._need_round(circle, inv.prefix)
            await self._close(circle, record, record.round, ENDED_EARLY)
        await inv.reply(f"The round for {circle.name} is closed.", Visibility.PERSONAL)

    @command(STATUS_SPEC)
    async def status(self, inv: Invocation) -> None:
        """Where the talking piece is; to someone outside the circle, only that a round is open."""
        circle = circle_of(inv)
        record = await self._need_round(circle, inv.prefix)
        if not (
            inv.is_moderator
            or await self._circles.is_member(circle.id, inv.invoker.id)
            or await self._circles.is_facilitator(circle.id, inv.invoker.id)
        ):
            await inv.reply(STATUS_OUTSIDE.format(circle=circle.name), Visibility.PERSONAL)
            return
        round_ = record.round
        holder = await self._names.of(circle, round_.holder) if round_.holder else "nobody"
        upcoming = await self._names.all(circle, round_.upcoming())
        shared = await self._names.all(circle, round_.summary().shared)
        await inv.reply(
            STATUS.format(
                circle=circle.name,
                holder=holder,
                upcoming=f" Still to come: {', '.join(upcoming)}." if upcoming else "",
                shared=f" Shared so far: {', '.join(shared)}." if shared else "",
            ),
            Visibility.PERSONAL,
        )

    # --- events -----------------------------------------------------------------------------

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, MessagePosted):
            await self._on_message(event)
        elif isinstance(event, JoinedCircle):
            await self._on_joined(event.circle, event.member)
        elif isinstance(event, LeftCircle):
            await self._on_left(event.circle, event.member)
        elif isinstance(event, CircleArchived):
            async with self._locks[event.circle.id]:
                record = await self._repo.open_round_of(event.circle.id)
                if record is not None:
                    await self._close(event.circle, record, record.round, RESTING)

    async def _on_message(self, event: MessagePosted) -> None:
        if event.text is None:
            return
        word = _TRAILING.sub("", event.text.strip().lower())
        if word not in WORDS_DONE | WORDS_PASS | WORDS_NEXT:
            return
        circle_id = self._places.get(_place_key(event.thread or event.room))
        if circle_id is None and event.thread is None:
            circle_id = self._rooms.get(_place_key(event.room))
        if circle_id is None:
            return
        circle = await self._circles.get(circle_id)
        if circle is None:
            return
        prefix = self._chat.command_prefix(circle.platform)
        try:
            if word in WORDS_NEXT:
                if not await self._may_move_on(circle, event.author):
                    return  # "next" is an ordinary word for everyone else
                async with self._locks[circle.id]:
                    record = await self._need_round(circle, prefix)
                    await self._advance(
                        circle, record, record.round.move_on(), AFTER_NEXT, previous=None
                    )
                return
            outcome = Outcome.SHARED if word in WORDS_DONE else Outcome.PASSED
            await self._end_turn(circle, event.author, outcome, prefix)
        except CommandError as refusal:
            if await self._circles.is_member(circle.id, event.author.id):
                await self._chat.send(event.thread or event.room, refusal.message)
        except RoundOver:
            return

    async def _on_joined(self, circle: Circle, member: MemberRef) -> None:
        if circle.id not in self._rooms.values():
            return  # no round open in this circle (open rounds are always remembered)
        async with self._locks[circle.id]:
            record = await self._repo.open_round_of(circle.id)
            if record is None or record.round.position_of(member.id) is not None:
                return
            grown = record.round.add_late(member.id)
            if await self._repo.save_round(
                record, grown, turn_started_at=record.turn_started_at, reminded=record.reminded
            ):
                await self._chat.send(
                    record.where, LATE_JOINER.format(name=await self._names.of(circle, member.id))
                )

    async def _on_left(self, circle: Circle, member: MemberRef) -> None:
        if circle.id not in self._rooms.values():
            return
        async with self._locks[circle.id]:
            record = await self._repo.open_round_of(circle.id)
            if record is None:
                return
            shrunk = record.round.remove(member.id)
            if shrunk == record.round:
                return
            if shrunk.holder != record.round.holder:
                await self._advance(circle, record, shrunk, "{next}", previous=None)
            else:
                await self._repo.save_round(
                    record, shrunk, turn_started_at=record.turn_started_at, reminded=record.reminded
                )

    # --- data care --------------------------------------------------------------------------

    async def forget_member(self, member: MemberRef) -> None:
        """Take the person out of any open round's order (the circles cog says what is kept)."""
        for circle_id in await self._repo.open_rounds_with(member.platform, member.id):
            circle = await self._circles.get(circle_id)
            if circle is None:
                continue
            async with self._locks[circle_id]:
                record = await self._repo.open_round_of(circle_id)
                if record is None:
                    continue
                erased = record.round.forget(member.id)
                if erased.finished:
                    await self._close(circle, record, erased, CLOSING)
                    continue
                await self._repo.rewrite_round(record, erased)
                if erased.holder != record.round.holder and erased.holder is not None:
                    name = await self._names.of(circle, erased.holder)
                    await self._chat.send(record.where, YOUR_TURN.format(name=name))
        await self._repo.forget_starter(member)

    # --- the moves --------------------------------------------------------------------------

    async def _end_turn(
        self, circle: Circle, member: MemberRef, outcome: Outcome, prefix: str
    ) -> None:
        async with self._locks[circle.id]:
            record = await self._need_round(circle, prefix)
            round_ = record.round
            try:
                moved = round_.end_turn(member.id, outcome)
            except NotInRound:
                raise CommandError(NOT_IN_ORDER.format(circle=circle.name, prefix=prefix)) from None
            except NotYourTurn as wait:
                raise CommandError(
                    await self._not_your_turn(circle, round_, member.id, wait.holder)
                ) from None
            template = AFTER_DONE if outcome is Outcome.SHARED else AFTER_PASS
            await self._advance(
                circle, record, moved, template, previous=await self._names.of(circle, member.id)
            )

    async def _advance(
        self,
        circle: Circle,
        record: RoundRecord,
        moved: Round,
        template: str,
        *,
        previous: str | None,
    ) -> None:
        if moved.finished:
            await self._close(circle, record, moved, CLOSING)
            return
        now = self._clock.now()
        if not await self._repo.save_round(record, moved, turn_started_at=now, reminded=False):
            return
        holder = moved.holder or ""
        text = template.format(
            previous=previous, next=YOUR_TURN.format(name=await self._names.of(circle, holder))
        )
        await self._chat.send(record.where, text)
        fresh = await self._repo.open_round_of(circle.id)
        if fresh is not None:
            self._arm(fresh)

    async def _close(
        self, circle: Circle, record: RoundRecord, final: Round, template: str
    ) -> None:
        summary = final.summary()
        if not await self._repo.close_round(
            record.id, self._clock.now(), len(summary.shared), len(summary.passed)
        ):
            return
        self._timers.cancel(TIMER.format(round_id=record.id))
        self._places.pop(_place_key(record.where), None)
        self._rooms.pop(_place_key(record.room), None)
        lines = []
        for label, members in (
            ("Shared", summary.shared),
            ("Passed", summary.passed),
            ("Moved on", summary.moved_on),
            ("Left the circle", summary.left),
        ):
            if members:
                lines.append(f"{label}: {', '.join(await self._names.all(circle, members))}")
        unplayed = [t.member_id for t in final.turns if t.outcome is None]
        if unplayed:
            lines.append(
                f"Still to come when it closed: {', '.join(await self._names.all(circle, unplayed))}"
            )
        await self._chat.send(
            record.where, template.format(circle=circle.name, lines="\n".join(lines))
        )

    def _remember(self, record: RoundRecord) -> None:
        self._places[_place_key(record.where)] = record.circle_id
        self._rooms[_place_key(record.room)] = record.circle_id

    # --- the time box -----------------------------------------------------------------------

    def _arm(self, record: RoundRecord) -> None:
        job = TIMER.format(round_id=record.id)
        if (
            not record.turn_seconds
            or record.reminded
            or record.turn_started_at is None
            or record.round.finished
        ):
            self._timers.cancel(job)
            return
        when = record.turn_started_at + timedelta(seconds=record.turn_seconds)
        self._timers.at(
            job,
            when,
            lambda _due: self._time_up(record.circle_id, record.id),
            space=record.room.space,  # armed only by the process owning the circle
        )

    async def _time_up(self, circle_id: int, round_id: int) -> None:
        circle = await self._circles.get(circle_id)
        if circle is None:
            return
        async with self._locks[circle_id]:
            record = await self._repo.open_round_of(circle_id)
            if (
                record is None
                or record.id != round_id
                or record.reminded
                or record.round.holder is None
            ):
                return
            if not await self._repo.save_round(
                record, record.round, turn_started_at=record.turn_started_at, reminded=True
            ):
                return
            # Privately, so nobody is named in front of the circle in the middle of sharing.
            # If their private messages are closed, nothing is said rather than say it aloud.
            length = _length(timedelta(seconds=record.turn_seconds or 0))
            try:
                await self._chat.send_private(
                    circle.member(record.round.holder),
                    TIME_UP.format(circle=circle.name, length=length),
                )
            except DeliveryError:
                log.info("the time-box note for round %s could not be sent privately", round_id)

    # --- helpers ----------------------------------------------------------------------------

    async def _need_round(self, circle: Circle, prefix: str) -> RoundRecord:
        record = await self._repo.open_round_of(circle.id)
        if record is None:
            raise CommandError(NO_ROUND.format(circle=circle.name, prefix=prefix))
        return record

    async def _may_move_on(self, circle: Circle, member: MemberRef) -> bool:
        if await self._circles.is_facilitator(circle.id, member.id):
            return True
        return await self._chat.is_moderator(member, circle.room)

    async def _not_your_turn(
        self, circle: Circle, round_: Round, member_id: str, holder: str | None
    ) -> str:
        position = round_.position_of(member_id)
        if position is not None and round_.turns[position].outcome is not None:
            return ALREADY_HAD_TURN
        upcoming = round_.upcoming()
        ahead = upcoming.index(member_id) if member_id in upcoming else 0
        when = "next" if ahead == 0 else f"after {ahead} more"
        return NOT_YOUR_TURN.format(holder=await self._names.of(circle, holder or ""), when=when)


def _place_key(where: Destination) -> tuple[str, str, str | None]:
    if isinstance(where, ThreadRef):
        return (where.room.platform.value, where.room.id, where.id)
    return (where.platform.value, where.id, None)


def _length(delta: timedelta) -> str:
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    if minutes and seconds:
        return f"{minutes} min {seconds} s"
    return f"{minutes} minute{'s' if minutes != 1 else ''}" if minutes else f"{seconds} seconds"
