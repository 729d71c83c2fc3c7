"""Support in hard moments, pulled by the member: ``support now`` (where to turn, their own
note, the offer of a call), the note itself, and ``support call``: a consented call for
someone from their circle to reach out, asked privately, tier by tier.

A call moves on by itself: when nobody takes it within ``answer_minutes``, the next people
in line are asked, and the caller is told honestly what is happening. Every message of a call
is claimed in the database before it is sent, and the call's next moment is kept there too,
so a restart resumes it without sending anything twice. Nothing is ever posted in a circle.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.chat import Event, MemberRef, MessagePosted, SpaceRef, Visibility
from bot.clock import from_iso, to_iso
from bot.cog import Cog, DataStatement, DomainEvent, Services
from bot.commands import CircleHandle, Command, CommandError, Invocation, commands_of
from bot.commands.spec import command
from bot.dashboard import Section, Topic
from bot.outbound import tell
from bot.scheduling import Timers
from cogs.circles import AgreementAdopted, Circle, CircleLookup, JoinedCircle, circle_of
from cogs.support import texts as t
from cogs.support.dashboard import SupportDashboard
from cogs.support.hard_words import names_a_hard_moment
from cogs.support.lineup import line_up
from cogs.support.model import Call, CallStatus, Tier
from cogs.support.places import (
    ResourceError,
    choose_region,
    for_region,
    read_file,
    region_code,
)
from cogs.support.repo import SupportRepo
from cogs.support.settings import SupportSettings
from cogs.support.space_list import SpaceList
from cogs.support.specs import (
    AVAILABLE,
    AWAY,
    CALL,
    CIRCLE_OFFERS,
    CIRCLE_REGION,
    NOTE_CLEAR,
    NOTE_SHOW,
    NOTE_WRITE,
    NOW,
    OFFERS,
    REGION,
    SPACE_REGION,
    STATS,
    TAKE,
    WITHDRAW,
)

log = logging.getLogger(__name__)

DAY = timedelta(days=1)


class SupportCog(Cog):
    name = "support"

    def __init__(
        self,
        services: Services,
        settings: SupportSettings,
        timers: Timers,
        circles: CircleLookup,
        repo: SupportRepo,
    ) -> None:
        self._chat = services.chat
        self._clock = services.clock
        self._settings = settings
        self._timers = timers
        self._circles = circles
        self._repo = repo
        self._dashboard = SupportDashboard(repo)
        self._answer = timedelta(minutes=settings.answer_minutes)
        self._open_for = timedelta(hours=settings.open_hours)
        self._lock = asyncio.Lock()  # one call moves on at a time
        self._offering: set[int] = set()  # circles that agreed to the private offers
        try:
            shipped = read_file(settings.resources_path())
        except ResourceError as error:  # check-config names the problem; don't stop the bot
            log.warning("the support resources can't be read: %s", error)
            shipped = []
        self._list = SpaceList(repo, services.chat, timers, shipped)

    def commands(self) -> Sequence[Command]:
        return commands_of(self, self._list)

    # --- start and stop ---------------------------------------------------------------------

    async def start(self) -> None:
        """Re-arm every open call's next moment and each space's next look at its list; a
        call whose first asks never went out (a stop right after it was made) goes on now."""
        now = self._clock.now()
        self._offering = await self._repo.circles_with_offers()
        # Every process re-arms every open call, not only the circle's owner: a call made in a
        # direct message runs where it arrived, and must not stall if that process restarts.
        # Each ask, each move on and each close is claimed in the database, so two processes
        # moving one call on send nothing twice.
        for call in await self._repo.open_calls():
            if call.next_at is None:
                await self._progress(call.id, now)
            else:
                self._arm_call(call.id, call.next_at)
        for room, reminded in await self._repo.spaces():
            if self._timers.owns(room.space):
                await self._list.arm_look(room, reminded)

    async def stop(self) -> None:
        self._timers.cancel_all()

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, JoinedCircle):
            await self._list.note_space(event.circle.room)
        elif isinstance(event, AgreementAdopted):
            if _same_words(event.text, t.OFFERS_AGREEMENT):
                await self._repo.set_offers_on(event.circle.id, True)
                self._offering.add(event.circle.id)
                log.info("circle %d agreed to the private offers", event.circle.id)
        elif isinstance(event, MessagePosted):
            await self._maybe_offer(event)

    async def _maybe_offer(self, event: MessagePosted) -> None:
        """The private offer of `support now` to the author of a message in a circle that
        agreed to it, when their own words name a hard moment. Nothing of the text is kept:
        only when, and in which circle, for the daily limit."""
        if event.text is None or not self._offering:
            return
        circle = await self._circles.bound_to(event.room, event.thread)
        if circle is None or circle.archived or circle.id not in self._offering:
            return
        if not names_a_hard_moment(event.text):
            return
        author = event.author
        if not await self._circles.is_member(circle.id, author.id):
            return
        if (await self._repo.settings(author)).offers_off:
            return
        last = await self._repo.last_offer(author)
        if last is not None and event.at - last < DAY:
            return
        await self._repo.record_offer(circle.id, author, event.at)
        prefix = self._chat.command_prefix(circle.platform)
        await tell(self._chat, author, t.OFFER.format(circle=circle.name, prefix=prefix))

    # --- where to turn ----------------------------------------------------------------------

    async def _region(self, member: MemberRef, circle: Circle | None, space: SpaceRef) -> str:
        mine = (await self._repo.settings(member)).region
        circle_region = await self._repo.circle_region(circle.id) if circle else None
        space_region = await self._repo.space_region(space)
        return choose_region(mine, circle_region, space_region, self._settings.region)

    async def _places(self, member: MemberRef, circle: Circle | None, space: SpaceRef) -> str:
        entries, own = await self._list.entries(space)
        chosen = for_region(entries, await self._region(member, circle, space))
        if not chosen:
            return t.NOW_NONE
        lines = [t.NOW_HEAD]
        for entry in chosen:
            line = t.RESOURCE_LINE.format(name=entry.name, reach=entry.reach, hours=entry.hours)
            lines.append(line + ("" if own or entry.checked else t.NOT_CHECKED))
        return "\n".join(lines)

    @command(NOW)
    async def now(self, inv: Invocation) -> None:
        member = inv.invoker
        circle = None
        if inv.room is not None:  # a direct chat belongs to no circle, and notes no space
            circle = await self._circles.bound_to(inv.room, inv.thread)
        space = inv.room.space if inv.room is not None else SpaceRef(member.platform, "")
        parts = [t.EMERGENCY, await self._places(member, circle, space)]
        note = await self._repo.note(member)
        if note is not None:
            parts.append(t.NOW_NOTE.format(note=_quoted(note.text)))
        else:
            parts.append(t.NOW_NO_NOTE.format(prefix=inv.prefix))
        in_circle = inv.room is not None and any(
            [
                await self._circles.is_member(c.id, member.id)
                for c in await self._circles.in_space(space)
            ]
        )
        parts.append((t.NOW_CALL if in_circle else t.NOW_NO_CIRCLE).format(prefix=inv.prefix))
        await inv.reply("\n\n".join(parts), Visibility.PRIVATE)

    # --- the note ---------------------------------------------------------------------------

    @command(NOTE_WRITE)
    async def write_note(self, inv: Invocation) -> None:
        text = inv.text("note") or ""
        await self._repo.write_note(inv.invoker, text, inv.at)
        await inv.reply(t.NOTE_SAVED.format(prefix=inv.prefix), Visibility.PRIVATE)

    @command(NOTE_SHOW)
    async def show_note(self, inv: Invocation) -> None:
        note = await self._repo.note(inv.invoker)
        if note is None:
            await inv.reply(t.NOTE_NONE.format(prefix=inv.prefix), Visibility.PRIVATE)
            return
        day = f"{note.written_at:%d %B %Y}".lstrip("0")
        await inv.reply(t.NOTE_SHOW.format(day=day, note=_quoted(note.text)), Visibility.PRIVATE)

    @command(NOTE_CLEAR)
    async def clear_note(self, inv: Invocation) -> None:
        cleared = await self._repo.clear_note(inv.invoker)
        await inv.reply(t.NOTE_CLEARED if cleared else t.NOTE_ALREADY_CLEAR, Visibility.PRIVATE)

    # --- regions and availability -----------------------------------------------------------

    @command(REGION)
    async def region(self, inv: Invocation) -> None:
        given = inv.text("region")
        if given is None:
            await self._repo.set_region(inv.invoker, None)
            await inv.reply(t.REGION_CLEARED, Visibility.PERSONAL)
            return
        code = region_code(given)
        if code is None:
            raise CommandError(t.REGION_BAD)
        await self._repo.set_region(inv.invoker, code)
        await inv.reply(t.REGION_SET.format(region=code), Visibility.PERSONAL)

    @command(CIRCLE_REGION)
    async def circle_region(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        code = region_code(inv.text("region") or "")
        if code is None:
            raise CommandError(t.REGION_BAD)
        await self._repo.set_circle_region(circle.id, code)
        await inv.reply(
            t.CIRCLE_REGION_SET.format(circle=circle.name, region=code), Visibility.PERSONAL
        )

    @command(SPACE_REGION)
    async def space_region(self, inv: Invocation) -> None:
        room = inv.need_room
        code = region_code(inv.text("region") or "")
        if code is None:
            raise CommandError(t.REGION_BAD)
        await self._list.note_space(room)
        await self._repo.set_space_region(room, code)
        await inv.reply(t.SPACE_REGION_SET.format(region=code), Visibility.PERSONAL)

    @command(AWAY)
    async def away(self, inv: Invocation) -> None:
        await self._repo.set_away(inv.invoker, True)
        await inv.reply(t.AWAY.format(prefix=inv.prefix), Visibility.PERSONAL)

    @command(AVAILABLE)
    async def available(self, inv: Invocation) -> None:
        await self._repo.set_away(inv.invoker, False)
        await inv.reply(t.AVAILABLE, Visibility.PERSONAL)

    # --- calls ------------------------------------------------------------------------------

    async def _which_circle(self, inv: Invocation) -> Circle:
        if inv.circle is not None:
            return circle_of(inv)
        room = inv.need_room
        mine = [
            c
            for c in await self._circles.in_space(room.space)
            if not c.archived and await self._circles.is_member(c.id, inv.invoker.id)
        ]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            raise CommandError(t.CALL_NO_CIRCLE.format(prefix=inv.prefix), Visibility.PRIVATE)
        names = ", ".join(f"`circle={c.name}`" for c in mine)
        raise CommandError(t.CALL_WHICH.format(names=names), Visibility.PRIVATE)

    @command(CALL)
    async def call(self, inv: Invocation) -> None:
        member = inv.invoker
        circle = await self._which_circle(inv)
        await self._list.note_space(circle.room)
        places = await self._places(member, circle, circle.space)
        if not await self._circles.is_member(circle.id, member.id):
            text = t.CALL_NOT_MEMBER.format(circle=circle.name, prefix=inv.prefix)
            raise CommandError(text, Visibility.PRIVATE)
        async with self._lock:
            open_now = await self._repo.open_call_of(member)
            if open_now is not None:
                name = await self._circle_name(open_now.circle_id)
                text = t.CALL_OPEN_ALREADY.format(circle=name, prefix=inv.prefix)
                await inv.reply(text, Visibility.PRIVATE)
                return
            count = await self._repo.calls_since(member, inv.at - DAY)
            if count >= self._settings.calls_per_day:
                text = t.CALL_TOO_MANY.format(count=count)
                await inv.reply(f"{text}\n\n{places}", Visibility.PRIVATE)
                return
            rota = await self._circles.rota(circle.id)
            moderators = [m.id for m in await self._list.moderators(circle.room)]
            away = await self._repo.away_among(circle.platform, [*rota, *moderators])
            lineup = line_up(
                caller=member.id,
                holder=circle.holder_id,
                rota=rota,
                moderators=moderators,
                away=away,
            )
            call_id = await self._repo.open_call(
                circle_id=circle.id,
                member=member,
                share_note=bool(inv.flag("share")),
                line=inv.text("line"),
                at=inv.at,
                lineup=lineup,
            )
            log.info("a call was opened in circle %d", circle.id)
            said = await self._advance(call_id, inv.at, first=True)
        await inv.reply(f"{said}\n\n{places}", Visibility.PRIVATE)

    async def _circle_name(self, circle_id: int) -> str:
        circle = await self._circles.get(circle_id)
        return circle.name if circle else "your circle"

    async def _progress(self, call_id: int, now: datetime) -> None:
        """A call's timer: ask the next people, or close it if its time is up."""
        async with self._lock:
            call = await self._repo.call(call_id)
            if call is None or call.status is not CallStatus.OPEN:
                return
            if call.next_at is not None and call.next_at > now:
                self._arm_call(call.id, call.next_at)  # woken early: not due yet
                return
            if call.stage >= len(Tier):
                await self._close_unanswered(call, now)
                return
            # A call whose first asks never went out (a stop as it was made) starts now.
            said = await self._advance(call_id, now, first=call.stage == 0)
        if said:
            await self._tell_caller(call, said)

    async def _advance(self, call_id: int, now: datetime, *, first: bool) -> str:
        """Ask the next tier with anyone reachable in it; say what happened, for the caller.
        Each ask is claimed before it is sent, and the stage after all of a tier's asks, so a
        stop in between resumes where it was and sends nothing twice."""
        call = await self._repo.call(call_id)
        circle = await self._circles.get(call.circle_id) if call else None
        if call is None or circle is None or call.member_id is None:
            return ""
        caller = circle.member(call.member_id)
        caller_name = await self._chat.display_name(caller, circle.room)
        stage = call.stage
        newly: list[str] = []
        while stage < len(Tier) and not newly:
            for ask in await self._repo.asks(call_id):
                if ask.tier != stage or ask.asked_at is not None:
                    continue
                if not await self._repo.claim_ask(call_id, ask.member_id, now):
                    continue
                text = t.ASK.format(
                    circle=circle.name,
                    name=caller_name,
                    line=t.ASK_LINE.format(line=call.line) if call.line else "",
                    prefix=self._chat.command_prefix(circle.platform),
                    call=call_id,
                )
                reached = await tell(self._chat, circle.member(ask.member_id), text)
                await self._repo.mark_reached(call_id, ask.member_id, reached)
            newly = [
                a.member_id for a in await self._repo.asks(call_id) if a.tier == stage and a.reached
            ]
            stage += 1
            last = stage >= len(Tier)
            next_at = (
                max(call.created_at + self._open_for, now + self._answer)
                if last
                else now + self._answer
            )
            if not await self._repo.move_on(call_id, stage, next_at):
                return ""  # it was taken, withdrawn or moved on meanwhile
        anyone = any(a.reached for a in await self._repo.asks(call_id))
        if not anyone:
            await self._repo.close(call_id, CallStatus.UNANSWERED, now)
            self._timers.cancel(_call_key(call_id))
            log.info("a call in circle %d reached nobody", circle.id)
            return t.CALL_NOBODY.format(circle=circle.name)
        refreshed = await self._repo.call(call_id)
        if refreshed is not None and refreshed.next_at is not None:
            self._arm_call(call_id, refreshed.next_at)
        until = refreshed.next_at if refreshed and refreshed.next_at else now + self._answer
        prefix = self._chat.command_prefix(circle.platform)
        open_until = t.CALL_OPEN_UNTIL.format(until=_moment(until, circle), prefix=prefix)
        if not newly:
            return f"{t.CALL_NOBODY_MORE} {open_until}"
        names = await self._names(circle, newly)
        if first:
            holder_first = circle.holder_id in newly and len(newly) == 1
            template = t.CALL_ASKED_HOLDER if holder_first else t.CALL_ASKED
            said = template.format(names=names, circle=circle.name)
        else:
            said = t.CALL_STILL_WAITING.format(names=names)
        if stage >= len(Tier):
            said += f" {t.CALL_ALL_ASKED} {open_until}"
        return said

    async def _names(self, circle: Circle, member_ids: Sequence[str]) -> str:
        names = [await self._chat.display_name(circle.member(m), circle.room) for m in member_ids]
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]

    async def _tell_caller(self, call: Call, said: str) -> None:
        circle = await self._circles.get(call.circle_id)
        if circle is None or call.member_id is None:
            return
        places = await self._places(circle.member(call.member_id), circle, circle.space)
        await tell(self._chat, circle.member(call.member_id), f"{said}\n\n{places}")

    async def _close_unanswered(self, call: Call, now: datetime) -> None:
        if not await self._repo.close(call.id, CallStatus.UNANSWERED, now):
            return
        circle = await self._circles.get(call.circle_id)
        if circle is None:
            return
        await self._tell_asked(call.id, circle, t.CALL_CLOSED_TO_ASKED.format(call=call.id), now)
        if call.member_id is not None:
            await self._tell_caller(call, t.CALL_UNANSWERED.format(circle=circle.name))

    async def _tell_asked(self, call_id: int, circle: Circle, text: str, now: datetime) -> None:
        """Tell everyone reached about this call (but whoever took it) once."""
        for ask in await self._repo.asks(call_id):
            if await self._repo.claim_told(call_id, ask.member_id, now):
                await tell(self._chat, circle.member(ask.member_id), text)

    def _arm_call(self, call_id: int, when: datetime) -> None:
        async def due(fired: datetime) -> None:
            await self._progress(call_id, fired)

        self._timers.at(_call_key(call_id), when, due)

    @command(TAKE)
    async def take(self, inv: Invocation) -> None:
        call_id = inv.number("call")
        call = await self._repo.call(call_id)
        asks = await self._repo.asks(call_id) if call else []
        mine = next((a for a in asks if a.member_id == inv.invoker.id), None)
        circle = await self._circles.get(call.circle_id) if call else None
        if call is None or circle is None or mine is None or not mine.reached:
            raise CommandError(t.TAKE_NOT_ASKED.format(call=call_id), Visibility.PRIVATE)
        if circle.platform is not inv.invoker.platform:
            raise CommandError(t.TAKE_NOT_ASKED.format(call=call_id), Visibility.PRIVATE)
        if not await self._repo.take(call_id, inv.invoker.id, inv.at):
            await inv.reply(await self._taken_or_closed(call_id, circle), Visibility.PRIVATE)
            return
        self._timers.cancel(_call_key(call_id))
        log.info("a call in circle %d was taken", circle.id)
        caller = circle.member(call.member_id) if call.member_id else None
        caller_name = await self._chat.display_name(caller, circle.room) if caller else "They"
        parts = [t.TAKEN_BY_YOU.format(name=caller_name)]
        if caller is not None and call.share_note:
            note = await self._repo.note(caller)
            if note is not None:
                parts.append(t.TAKEN_NOTE.format(note=_quoted(note.text)))
        await inv.reply("\n\n".join(parts), Visibility.PRIVATE)
        taker = await self._chat.display_name(inv.invoker, circle.room)
        if caller is not None:
            await tell(self._chat, caller, t.CALL_TAKEN.format(name=taker))
        told = t.TAKEN_BY_OTHER.format(name=taker, call=call_id)
        await self._tell_asked(call_id, circle, told, inv.at)

    async def _taken_or_closed(self, call_id: int, circle: Circle) -> str:
        taker = next((a for a in await self._repo.asks(call_id) if a.took_at is not None), None)
        if taker is None:
            return t.TAKE_CLOSED.format(call=call_id)
        name = await self._chat.display_name(circle.member(taker.member_id), circle.room)
        return t.TAKEN_BY_OTHER.format(name=name, call=call_id)

    @command(WITHDRAW)
    async def withdraw(self, inv: Invocation) -> None:
        withdrawn = await self._withdraw(inv.invoker, inv.at)
        await inv.reply(t.CALL_WITHDRAWN if withdrawn else t.CALL_NONE_OPEN, Visibility.PRIVATE)

    async def _withdraw(self, member: MemberRef, now: datetime) -> bool:
        async with self._lock:
            call = await self._repo.open_call_of(member)
            if call is None or not await self._repo.close(call.id, CallStatus.WITHDRAWN, now):
                return False
            self._timers.cancel(_call_key(call.id))
            circle = await self._circles.get(call.circle_id)
            if circle is not None:
                text = t.CALL_WITHDRAWN_TO_ASKED.format(call=call.id)
                await self._tell_asked(call.id, circle, text, now)
            return True

    @command(OFFERS)
    async def offers(self, inv: Invocation) -> None:
        off = inv.text("state") == "off"
        if off and (await self._repo.settings(inv.invoker)).offers_off:
            await inv.reply(t.OFFERS_ALREADY_OFF, Visibility.PERSONAL)
            return
        await self._repo.set_offers_off(inv.invoker, off)
        text = t.OFFERS_OFF if off else t.OFFERS_ON_AGAIN
        await inv.reply(text.format(prefix=inv.prefix), Visibility.PERSONAL)

    @command(CIRCLE_OFFERS)
    async def circle_offers(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        if inv.text("state") == "off":
            await self._repo.set_offers_on(circle.id, False)
            self._offering.discard(circle.id)
            await inv.reply(t.CIRCLE_OFFERS_STOPPED.format(circle=circle.name))
            return
        if circle.id in self._offering:
            text = t.CIRCLE_OFFERS_ON.format(circle=circle.name, prefix=inv.prefix)
        else:
            text = t.CIRCLE_OFFERS_OFF.format(
                circle=circle.name, prefix=inv.prefix, agreement=t.OFFERS_AGREEMENT
            )
        await inv.reply(text, Visibility.PERSONAL)

    # --- counts for moderators --------------------------------------------------------------

    @command(STATS)
    async def stats(self, inv: Invocation) -> None:
        room = inv.need_room
        weeks = inv.integer("weeks") or 8
        rows = await self._repo.weekly(room.space, inv.at - timedelta(weeks=weeks))
        if not rows:
            await inv.reply(t.STATS_NONE.format(weeks=weeks), Visibility.PERSONAL)
            return
        by_week: dict[str, list[tuple[str, str | None]]] = {}
        for created, _status, taken_at in rows:
            year, number, _ = from_iso(created).isocalendar()
            by_week.setdefault(f"{year}-W{number:02d}", []).append((created, taken_at))
        lines = [t.STATS_HEAD]
        for week, calls in by_week.items():
            minutes = [
                (from_iso(taken) - from_iso(created)).total_seconds() / 60
                for created, taken in calls
                if taken is not None
            ]
            speed = (
                t.STATS_SPEED.format(minutes=round(statistics.median(minutes))) if minutes else ""
            )
            lines.append(
                t.STATS_WEEK.format(week=week, calls=len(calls), taken=len(minutes), speed=speed)
            )
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]:
        """The web dashboard's weekly counts of calls (``bot.dashboard``): numbers only."""
        return await self._dashboard.dashboard(topic, circles, self._clock.now())

    # --- data care --------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Support in hard moments",
            keeps=(
                "your own note, if you wrote one, until you clear it; it reaches a facilitator only when you call and say yes to sharing it",
                "your region for the places I show, whether you're away from calls, and whether you turned my offers off",
                "your calls: when, in which circle, whether someone took it and whether you shared your note; the line you add is kept only while the call is open",
                "for calls you were asked about: that you were asked, and whether you took it",
                "the private offers after your own words: only when, and in which circle, never the words",
                "moderators see counts only (calls per week, how soon they were taken), never who called",
            ),
            kept_for="until you clear it or ask me to forget you; forgetting withdraws an open call, and the counts stay without your name",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        settings = await self._repo.settings(member)
        note = await self._repo.note(member)
        calls = await self._repo.calls_of(member)
        offers = await self._repo.offers_of(member)
        return {
            "note": {"text": note.text, "written_at": to_iso(note.written_at)} if note else None,
            "region": settings.region,
            "away_from_calls": settings.away,
            "offers_off": settings.offers_off,
            "calls": [
                {
                    "circle": name,
                    "at": to_iso(call.created_at),
                    "status": call.status.value,
                    "closed_at": to_iso(call.closed_at) if call.closed_at else None,
                    "shared_note": call.share_note,
                }
                for call, name in calls
            ],
            "offers": [{"circle": name, "at": to_iso(at)} for at, name in offers],
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._withdraw(member, self._clock.now())
        await self._repo.forget(member)


def _call_key(call_id: int) -> str:
    return f"call:{call_id}"


def _same_words(a: str, b: str) -> bool:
    def plain(text: str) -> str:
        return " ".join(text.replace("\u2019", "'").casefold().split())

    return plain(a) == plain(b)


def _quoted(text: str) -> str:
    return text.replace("\n", "\n> ")


def _moment(when: datetime, circle: Circle) -> str:
    local = when.astimezone(circle.zone)
    return f"{local:%H:%M} ({circle.time_zone})"
