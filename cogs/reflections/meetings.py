"""When a circle meets (a reminder goes out before each meeting), facilitation passing on
by itself on a schedule, and the lines both add to ``circle info`` and ``circle rota show``.
Each circle has at most one of each; setting one again replaces it."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.chat import Visibility
from bot.commands import CommandError, Invocation, format_duration
from bot.commands.options import CIRCLE, CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from cogs.circles import Circle, InfoTopic, InfoWanted, circle_of
from cogs.reflections.model import Kind
from cogs.reflections.options import WHEN, ZONE
from cogs.reflections.runner import DEFAULT_REMIND
from cogs.reflections.schedules import Asked, ScheduleCommands, asked_time, read_form
from cogs.reflections.texts import (
    INFO_HAND_OVER,
    INFO_MEETING,
    MEETING_CLEARED,
    MEETING_NONE,
    MEETING_REPLACED,
    MEETING_SET,
    MEETING_SHOW,
    ROTA_AUTO_NONE,
    ROTA_AUTO_OFF,
    ROTA_AUTO_SET,
)
from cogs.reflections.timing import WEEKDAYS, next_after, say_day, say_when, zone_named

OFF_WORDS = frozenset({"off", "stop", "none", "no"})

MEETING_SET_SPEC = CommandSpec(
    ("meeting", "set"),
    "Set when the circle meets, for a reminder before each meeting.",
    (
        WHEN,
        Option(
            "remind",
            OptionKind.DURATION,
            "How long before to remind (1h if left out)",
            keyword=True,
            min_value=300,
            max_value=7 * 86400,
        ),
        ZONE,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)
MEETING_SHOW_SPEC = CommandSpec(("meeting", "show"), "See when the circle meets next.", (CIRCLE,))
MEETING_CLEAR = CommandSpec(
    ("meeting", "clear"),
    "Clear the meeting time and its reminders.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
    changes=True,
)
ROTA_AUTO = CommandSpec(
    ("circle", "rota", "auto"),
    "Pass facilitation on by itself on a schedule (or say off).",
    (
        Option(
            "when", OptionKind.TEXT, "Like: mondays 09:00, or off", required=True, max_length=100
        ),
        ZONE,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)


class Meetings(ScheduleCommands):
    @command(MEETING_SET_SPEC)
    async def meeting_set(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        asked = asked_time(inv, circle, inv.text("when") or "")
        remind = inv.duration("remind") or DEFAULT_REMIND
        first = asked.first(inv.at)
        replaced = await self._set(
            inv.invoker.id, inv.at, circle.id, Kind.MEETING, asked, first, remind
        )
        form, zone = asked.form, asked.zone
        await inv.reply(
            MEETING_SET.format(
                circle=circle.name,
                form=f"`{form}`",
                zone=zone.key,
                lead=format_duration(remind),
                first=say_when(first, zone),
                replaced=MEETING_REPLACED if replaced is not None else "",
            )
        )

    @command(MEETING_SHOW_SPEC)
    async def meeting_show(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        meeting = await self._repo.of_kind(circle.id, Kind.MEETING)
        if meeting is None:
            await inv.reply(
                MEETING_NONE.format(circle=circle.name, prefix=inv.prefix), Visibility.PERSONAL
            )
            return
        zone = zone_named(meeting.zone_name)
        paused = ""
        if meeting.paused_until is not None and meeting.paused_on(inv.at.astimezone(zone).date()):
            paused = f" (Reminders rest until {say_day(meeting.paused_until)}.)"
        await inv.reply(
            MEETING_SHOW.format(
                circle=circle.name,
                form=f"`{meeting.form}`",
                zone=zone.key,
                next=say_when(meeting.next_due, zone) if meeting.next_due else "not in sight",
                lead=format_duration(meeting.remind or DEFAULT_REMIND),
                paused=paused,
            ),
            Visibility.PERSONAL,
        )

    @command(MEETING_CLEAR)
    async def meeting_clear(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        meeting = await self._repo.of_kind(circle.id, Kind.MEETING)
        if meeting is None:
            raise CommandError(MEETING_NONE.format(circle=circle.name, prefix=inv.prefix))
        await self._repo.remove_schedule(meeting.id)
        self._runner.disarm(meeting.id)
        await inv.reply(MEETING_CLEARED.format(circle=circle.name))

    @command(ROTA_AUTO)
    async def rota_auto(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        form = (inv.text("when") or "").strip()
        if form.lower() in OFF_WORDS:
            existing = await self._repo.of_kind(circle.id, Kind.ROTA)
            if existing is None:
                raise CommandError(ROTA_AUTO_NONE.format(circle=circle.name))
            await self._repo.remove_schedule(existing.id)
            self._runner.disarm(existing.id)
            await inv.reply(ROTA_AUTO_OFF.format(circle=circle.name, prefix=inv.prefix))
            return
        asked = asked_time(inv, circle, form)
        first = asked.first(inv.at)
        await self._set(inv.invoker.id, inv.at, circle.id, Kind.ROTA, asked, first, None)
        await inv.reply(
            ROTA_AUTO_SET.format(
                circle=circle.name,
                form=f"`{form}`",
                zone=asked.zone.key,
                first=say_when(first, asked.zone),
            )
        )

    async def meet_weekly(
        self, circle: Circle, slot: datetime, *, by: str, at: datetime
    ) -> tuple[Asked, datetime, int | None]:
        """Make the circle meet every week at ``slot``'s wall time on its own clock (a chosen
        poll slot), the first meeting being ``slot`` itself when it is still ahead. The form,
        the first meeting, and the schedule it replaced."""
        zone = zone_named(circle.time_zone)
        local = slot.astimezone(zone)
        form = f"{WEEKDAYS[local.weekday()]}s {local:%H:%M}"
        asked = Asked(form, read_form(form, zone, at), zone, None)
        first = next_after(asked.rule, zone, max(at, slot - timedelta(seconds=1)))
        if first is None:  # a weekly rule always comes round; this keeps mypy honest
            first = asked.first(at)
        replaced = await self._set(by, at, circle.id, Kind.MEETING, asked, first, DEFAULT_REMIND)
        return asked, first, replaced

    async def _set(
        self,
        created_by: str,
        at: datetime,
        circle_id: int,
        kind: Kind,
        asked: Asked,
        first: datetime,
        remind: timedelta | None,
    ) -> int | None:
        """Set the circle's one schedule of ``kind``, replacing the earlier; its id, if any."""
        new_id, replaced = await self._repo.add_schedule(
            circle_id=circle_id,
            kind=kind,
            form=asked.form,
            rule=asked.rule.canonical,
            time_zone=asked.own_zone,
            deck_id=None,
            theme=None,
            remind=remind,
            next_due=first,
            created_by=created_by,
            at=at,
        )
        if replaced is not None:
            self._runner.disarm(replaced)
        self._runner.arm(new_id, kind, first, remind)
        return replaced

    # --- what the circle's schedules say about it --------------------------------------------

    async def add_info(self, wanted: InfoWanted) -> None:
        """`circle info` hears when the circle meets; `rota show` hears of an automatic hand-over."""
        kind, rank, template = (
            (Kind.MEETING, InfoWanted.MEETING, INFO_MEETING)
            if wanted.topic is InfoTopic.CIRCLE
            else (Kind.ROTA, InfoWanted.HAND_OVER, INFO_HAND_OVER)
        )
        schedule = await self._repo.of_kind(wanted.circle.id, kind)
        if schedule is None or schedule.next_due is None:
            return
        zone = zone_named(schedule.zone_name)
        wanted.add(
            rank,
            template.format(
                form=f"`{schedule.form}`", zone=zone.key, next=say_when(schedule.next_due, zone)
            ),
        )
