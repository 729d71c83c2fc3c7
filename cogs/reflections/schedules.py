"""Schedules, by hand: reflection prompts on a timer, when the circle meets (with a reminder
before), and facilitation passing on by itself; listing, previewing, pausing, skipping,
editing and removing them. What happens when one comes due is the runner's."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.chat import Visibility
from bot.commands import CommandError, Invocation, format_duration
from bot.commands.options import CIRCLE, CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from bot.text import clip
from cogs.circles import Circle, circle_of
from cogs.reflections.choosing import DEFAULT_DECK, Decks, asked_deck, asked_filter
from cogs.reflections.decks import PromptFilter
from cogs.reflections.model import Kind, Outcome, Schedule
from cogs.reflections.options import (
    DECK,
    SCHEDULE_ID,
    TAG,
    THEME,
    THEME_EDIT,
    WHEN,
    WITHOUT,
    ZONE,
)
from cogs.reflections.repo import ReflectionsRepo
from cogs.reflections.runner import DEFAULT_REMIND, Runner
from cogs.reflections.texts import (
    BAD_DATE,
    DATE_NOT_AHEAD,
    DEEP_HINT,
    GATING_RULE,
    KIND_WORDS,
    LIST_HEAD,
    LIST_NONE,
    MISSED_RULE,
    NEVER_AGAIN,
    NOT_FOR_PROMPTS,
    NOT_PAUSED,
    NOTHING_NEXT,
    NOTHING_TO_EDIT,
    NOTHING_TO_UNSKIP,
    OTHER_CIRCLE_SCHEDULE,
    PAUSED,
    PREVIEW_HEAD,
    PREVIEW_NONE,
    PREVIEW_SHIFTED,
    REMOVED,
    RESUMED,
    SCHEDULE_ADDED,
    SCHEDULE_EDITED,
    SCHEDULE_EDITED_NEVER,
    SKIPPED,
    UNKNOWN_SCHEDULE,
    UNSKIPPED,
)
from cogs.reflections.timing import (
    FormError,
    Rule,
    load_rule,
    midnight,
    next_after,
    parse_form,
    say_day,
    say_when,
    upcoming,
    zone_named,
)

PREVIEW_COUNT = 5

SCHEDULE_ADD = CommandSpec(
    ("schedule", "add"),
    "Post reflection prompts on a schedule.",
    (WHEN, DECK, THEME, TAG, WITHOUT, ZONE, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)
SCHEDULE_EDIT = CommandSpec(
    ("schedule", "edit"),
    "Change a schedule's time, deck, theme or tags; it keeps its number.",
    (
        SCHEDULE_ID,
        Option("when", OptionKind.TEXT, "A new time, like: daily 09:30", max_length=100),
        DECK,
        THEME_EDIT,
        Option(
            "tag",
            OptionKind.WORD,
            "Only prompts with this tag (any: no tag needed)",
            keyword=True,
            max_length=40,
        ),
        Option(
            "without",
            OptionKind.WORD,
            "Leave out prompts with these tags (none: leave none out)",
            keyword=True,
            max_length=100,
        ),
        ZONE,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)
SCHEDULE_UNSKIP = CommandSpec(
    ("schedule", "unskip"),
    "Take back a skip, so that time comes after all.",
    (SCHEDULE_ID, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)
SCHEDULE_LIST = CommandSpec(
    ("schedule", "list"),
    "See a circle's schedules and when each comes next.",
    (CIRCLE,),
    allow_archived=True,
)
SCHEDULE_PREVIEW = CommandSpec(
    ("schedule", "preview"),
    "Show the next five times of a schedule, or of a time like: daily 09:30.",
    (
        Option(
            "what",
            OptionKind.TEXT,
            "A schedule's number, or a time like: mondays 19:00",
            required=True,
            max_length=100,
        ),
        ZONE,
        CIRCLE_NAMED,
    ),
)
SCHEDULE_PAUSE = CommandSpec(
    ("schedule", "pause"),
    "Rest a schedule until a date.",
    (
        SCHEDULE_ID,
        Option(
            "until",
            OptionKind.TEXT,
            "The date it starts again, like 2026-04-01",
            required=True,
            max_length=40,
        ),
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)
SCHEDULE_RESUME = CommandSpec(
    ("schedule", "resume"),
    "Start a paused schedule again now.",
    (SCHEDULE_ID, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)
SCHEDULE_SKIP = CommandSpec(
    ("schedule", "skip"),
    "Let a schedule's next time pass quietly.",
    (SCHEDULE_ID, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)
SCHEDULE_REMOVE = CommandSpec(
    ("schedule", "remove"),
    "Remove a schedule.",
    (SCHEDULE_ID, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)


class ScheduleCommands:
    """What the schedule, meeting and prompt commands work with, and how they find a circle's
    schedule by the number people type."""

    def __init__(self, repo: ReflectionsRepo, runner: Runner, decks: Decks) -> None:
        self._repo = repo
        self._runner = runner
        self._decks = decks

    async def _schedule(self, inv: Invocation, circle: Circle, schedule_id: int) -> Schedule:
        schedule = await self._repo.schedule(schedule_id)
        if schedule is None:
            raise CommandError(
                UNKNOWN_SCHEDULE.format(id=schedule_id, prefix=inv.prefix, circle=circle.name)
            )
        if schedule.circle_id != circle.id:
            raise CommandError(OTHER_CIRCLE_SCHEDULE.format(id=schedule_id, circle=circle.name))
        return schedule


class Schedules(ScheduleCommands):
    @command(SCHEDULE_ADD)
    async def schedule_add(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        asked = asked_time(inv, circle, inv.text("when") or "")
        deck_id = asked_deck(inv)
        wanted = asked_filter(inv)
        deck = await self._decks.checked(circle, deck_id, wanted, inv.prefix)
        first = asked.first(inv.at)
        form, zone = asked.form, asked.zone
        new_id, _ = await self._repo.add_schedule(
            circle_id=circle.id,
            kind=Kind.PROMPT,
            form=form,
            rule=asked.rule.canonical,
            time_zone=asked.own_zone,
            deck_id=deck_id,
            theme=wanted.theme,
            remind=None,
            next_due=first,
            created_by=inv.invoker.id,
            at=inv.at,
            tag=wanted.tag,
            without=wanted.without,
        )
        self._runner.arm(new_id, Kind.PROMPT, first, None)
        deep = "deep" in deck.tags and "deep" not in wanted.without and wanted.tag != "deep"
        await inv.reply(
            SCHEDULE_ADDED.format(
                id=new_id,
                circle=circle.name,
                deck=deck_id,
                theme=_quoted_choice(wanted),
                form=f"`{form}`",
                zone=zone.key,
                first=say_when(first, zone),
                hint=DEEP_HINT if deep else "",
            )
        )

    @command(SCHEDULE_LIST)
    async def schedule_list(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        schedules = await self._repo.schedules_of(circle.id)
        if not schedules:
            await inv.reply(
                LIST_NONE.format(circle=circle.name, prefix=inv.prefix), Visibility.PERSONAL
            )
            return
        circle_zone = zone_named(circle.time_zone)
        lines = [LIST_HEAD.format(circle=circle.name, zone=circle_zone.key)]
        for listed in schedules:
            if not self._runner.planned_in_its_zone(listed):
                # The zone changed without the schedule hearing of it (another instance, or a
                # stop at the wrong moment): plan it now, so the list shows what will happen.
                listed = await self._runner.replan(listed, inv.at)
            lines.append(self._line(listed, inv.at))
        lines.append(MISSED_RULE.format(grace=format_duration(self._runner.grace)))
        lines.append(
            GATING_RULE.format(
                quiet=format_duration(self._runner.quiet),
                wait=format_duration(self._runner.max_wait),
            )
        )
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    def _line(self, schedule: Schedule, now: datetime) -> str:
        zone = zone_named(schedule.zone_name)
        parts = [f"• #{schedule.id}"]
        if schedule.kind is Kind.PROMPT:
            deck = ", ".join([f"deck {schedule.deck_id}", *schedule.choosing.words])
            parts.append(f"prompts `{schedule.form}` · {deck}")
        elif schedule.kind is Kind.MEETING:
            parts.append(
                f"meeting `{schedule.form}` · reminder {format_duration(schedule.remind or DEFAULT_REMIND)} before"
            )
        else:
            parts.append(f"facilitation hand-over `{schedule.form}`")
        if schedule.time_zone and schedule.time_zone != schedule.circle_zone:
            parts.append(f"in {schedule.time_zone}")
        today = now.astimezone(zone).date()
        if schedule.paused_on(today) and schedule.paused_until is not None:
            parts.append(f"resting until {say_day(schedule.paused_until)}")
        parts.append(
            f"next: {say_when(schedule.next_due, zone)}"
            if schedule.next_due
            else "no time coming up"
        )
        return " · ".join(parts)

    @command(SCHEDULE_PREVIEW)
    async def schedule_preview(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        what = (inv.text("what") or "").strip()
        number = what.lstrip("#")
        zone_given = inv.zone("time_zone")
        if number.isdigit():
            schedule = await self._schedule(inv, circle, int(number))
            zone = zone_given or zone_named(schedule.zone_name)
            rule = load_rule(schedule.rule)
            label = f"schedule #{schedule.id} (`{schedule.form}`)"
            due = schedule.next_due
            start = due - timedelta(seconds=1) if due is not None and due > inv.at else inv.at
        else:
            zone = zone_given or zone_named(circle.time_zone)
            rule = read_form(what, zone, inv.at)
            label = f"`{what}`"
            start = inv.at
        times = upcoming(rule, zone, start, PREVIEW_COUNT)
        if not times:
            await inv.reply(
                PREVIEW_NONE.format(what=label[:1].upper() + label[1:]), Visibility.PERSONAL
            )
            return
        lines = [PREVIEW_HEAD.format(what=label, zone=zone.key)]
        for occurrence in times:
            line = f"• {say_when(occurrence.at, zone, year=True)}"
            if occurrence.shifted:
                line += PREVIEW_SHIFTED.format(
                    wall=f"{occurrence.wall:%H:%M}", local=f"{occurrence.local:%H:%M}"
                )
            lines.append(line)
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    @command(SCHEDULE_PAUSE)
    async def schedule_pause(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        schedule = await self._schedule(inv, circle, inv.number("id"))
        zone = zone_named(schedule.zone_name)
        raw = (inv.text("until") or "").strip()
        text = re.sub(r"^until\s+", "", raw, flags=re.IGNORECASE).strip()
        try:
            until = date.fromisoformat(text)
        except ValueError:
            raise CommandError(BAD_DATE.format(text=clip(raw, 40))) from None
        today = inv.at.astimezone(zone).date()
        if until <= today:
            raise CommandError(
                DATE_NOT_AHEAD.format(today=say_day(today), zone=zone.key, day=say_day(until))
            )
        rule = load_rule(schedule.rule)
        resume_at = midnight(until, zone)
        next_due = next_after(rule, zone, resume_at - timedelta(seconds=1))
        await self._repo.pause(schedule.id, until, next_due)
        self._runner.arm(schedule.id, schedule.kind, next_due, schedule.remind)
        await inv.reply(
            PAUSED.format(
                id=schedule.id,
                day=say_day(until),
                next=say_when(next_due, zone) if next_due else "not in sight",
            )
        )

    @command(SCHEDULE_RESUME)
    async def schedule_resume(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        schedule = await self._schedule(inv, circle, inv.number("id"))
        zone = zone_named(schedule.zone_name)
        if not schedule.paused_on(inv.at.astimezone(zone).date()):
            raise CommandError(NOT_PAUSED.format(id=schedule.id))
        next_due = next_after(load_rule(schedule.rule), zone, inv.at)
        await self._repo.resume(schedule.id, next_due)
        self._runner.arm(schedule.id, schedule.kind, next_due, schedule.remind)
        await inv.reply(
            RESUMED.format(
                id=schedule.id, next=say_when(next_due, zone) if next_due else "not in sight"
            )
        )

    @command(SCHEDULE_SKIP)
    async def schedule_skip(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        schedule = await self._schedule(inv, circle, inv.number("id"))
        if schedule.next_due is None:
            raise CommandError(NOTHING_NEXT.format(id=schedule.id))
        zone = zone_named(schedule.zone_name)
        skipped = schedule.next_due
        following = next_after(load_rule(schedule.rule), zone, skipped)
        claimed = await self._repo.claim(
            schedule,
            expected=skipped,
            fire=skipped,
            next_due=following,
            at=inv.at,
            outcome=Outcome.SKIPPED,
        )
        if claimed is None:
            raise CommandError(
                f"Schedule #{schedule.id} was just moving on; could you try again in a moment?"
            )
        self._runner.arm(schedule.id, schedule.kind, following, schedule.remind)
        await inv.reply(
            SKIPPED.format(
                id=schedule.id,
                skipped=say_when(skipped, zone),
                next=say_when(following, zone) if following else "not in sight",
            )
        )

    @command(SCHEDULE_EDIT)
    async def schedule_edit(self, inv: Invocation) -> None:
        """Change a schedule in place: its time, deck, theme, tags or zone. It keeps its number
        and history, and the next time is planned afresh."""
        circle = circle_of(inv)
        schedule = await self._schedule(inv, circle, inv.number("id"))
        form_given = (inv.text("when") or "").strip() or None
        deck_given = inv.text("deck")
        zone_given = inv.zone("time_zone")
        choosing_given = any(inv.text(name) is not None for name in ("theme", "tag", "without"))
        if form_given is None and deck_given is None and zone_given is None and not choosing_given:
            raise CommandError(NOTHING_TO_EDIT.format(prefix=inv.prefix, id=schedule.id))
        if schedule.kind is not Kind.PROMPT and (deck_given is not None or choosing_given):
            raise CommandError(
                NOT_FOR_PROMPTS.format(
                    id=schedule.id, kind=KIND_WORDS[schedule.kind.value], prefix=inv.prefix
                )
            )
        time_zone = zone_given.key if zone_given else schedule.time_zone
        zone = zone_named(time_zone or circle.time_zone)
        form = form_given or schedule.form
        rule = read_form(form, zone, inv.at) if form_given else load_rule(schedule.rule)
        deck_id = (
            (deck_given or schedule.deck_id or DEFAULT_DECK).lower()
            if schedule.kind is Kind.PROMPT
            else None
        )
        wanted = asked_filter(inv, base=schedule.choosing)
        if deck_id is not None:
            await self._decks.checked(circle, deck_id, wanted, inv.prefix)
        start = inv.at
        if schedule.paused_until is not None and schedule.paused_on(inv.at.astimezone(zone).date()):
            start = midnight(schedule.paused_until, zone) - timedelta(seconds=1)
        following = next_after(rule, zone, start)
        if following is None and form_given:
            raise CommandError(NEVER_AGAIN.format(form=clip(form, 60)))
        if not await self._repo.edit_schedule(
            schedule.id,
            expected=schedule.next_due,
            form=form,
            rule=rule.canonical,
            time_zone=time_zone,
            deck_id=deck_id,
            choosing=wanted if deck_id is not None else PromptFilter(),
            next_due=following,
        ):
            raise CommandError(
                f"Schedule #{schedule.id} was just moving on; could you try again in a moment?"
            )
        self._runner.arm(schedule.id, schedule.kind, following, schedule.remind)
        what = [f"`{form}` ({zone.key})"]
        if deck_id is not None:
            what.append(", ".join([f"deck {deck_id}", *wanted.words]))
        if following is None:
            await inv.reply(SCHEDULE_EDITED_NEVER.format(id=schedule.id, what=" · ".join(what)))
            return
        await inv.reply(
            SCHEDULE_EDITED.format(
                id=schedule.id, what=" · ".join(what), next=say_when(following, zone)
            )
        )

    @command(SCHEDULE_UNSKIP)
    async def schedule_unskip(self, inv: Invocation) -> None:
        """Take back the latest skip whose time hasn't come yet."""
        circle = circle_of(inv)
        schedule = await self._schedule(inv, circle, inv.number("id"))
        back = await self._repo.unskip(schedule.id, expected=schedule.next_due, now=inv.at)
        if back is None:
            raise CommandError(NOTHING_TO_UNSKIP.format(id=schedule.id))
        self._runner.arm(schedule.id, schedule.kind, back, schedule.remind)
        await inv.reply(
            UNSKIPPED.format(id=schedule.id, when=say_when(back, zone_named(schedule.zone_name)))
        )

    @command(SCHEDULE_REMOVE)
    async def schedule_remove(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        schedule = await self._schedule(inv, circle, inv.number("id"))
        await self._repo.remove_schedule(schedule.id)
        self._runner.disarm(schedule.id)
        await inv.reply(REMOVED.format(id=schedule.id, form=f"`{schedule.form}`"))


@dataclass(frozen=True, slots=True)
class Asked:
    """The time a schedule command asks for: the form as typed, its rule, and the zone it
    keeps time in (its own when one was given, else the circle's)."""

    form: str
    rule: Rule
    zone: ZoneInfo
    own_zone: str | None

    def first(self, now: datetime) -> datetime:
        return first_time(self.rule, self.zone, now, self.form)


def asked_time(inv: Invocation, circle: Circle, form: str) -> Asked:
    """``form`` read in the zone the command names (``time_zone=…``) or the circle's."""
    given = inv.zone("time_zone")
    zone = given or zone_named(circle.time_zone)
    return Asked(form, read_form(form, zone, inv.at), zone, given.key if given else None)


def read_form(form: str, zone: ZoneInfo, now: datetime) -> Rule:
    try:
        return parse_form(form, today=now.astimezone(zone).date())
    except FormError as error:
        raise CommandError(str(error)) from None


def first_time(rule: Rule, zone: ZoneInfo, now: datetime, form: str) -> datetime:
    first = next_after(rule, zone, now)
    if first is None:
        raise CommandError(NEVER_AGAIN.format(form=clip(form, 60)))
    return first


def _quoted_choice(wanted: PromptFilter) -> str:
    """``, theme “connection”, without “deep”`` for a reply about one schedule."""
    parts = []
    if wanted.theme:
        parts.append(f", theme “{wanted.theme}”")
    if wanted.tag:
        parts.append(f", tag “{wanted.tag}”")
    if wanted.without:
        parts.append(", without " + " or ".join(f"“{t}”" for t in wanted.without))
    return "".join(parts)
