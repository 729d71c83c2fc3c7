"""Reflections' part of the web dashboard (``bot.dashboard``'s read model): the next meeting
and prompts of each circle, its schedules with their next runs in its zone (clock changes
noted), the prompt decks with their tags, the suggestions waiting and the circle's own deck.

Every form names one of the commands below it in chat (``schedule edit``, ``prompt
approve``), so a change from the page is the same change, refusal or announcement as typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.commands import CircleHandle
from bot.dashboard import Action, Fact, Item, Section, Topic
from cogs.circles import Circle
from cogs.reflections import texts
from cogs.reflections.library import DeckLibrary
from cogs.reflections.model import Kind, Schedule
from cogs.reflections.repo import ReflectionsRepo
from cogs.reflections.timing import load_rule, say_day, say_when, upcoming, zone_named

RUNS_SHOWN = 5
EDITABLE = ("when", "deck", "theme", "tag", "without", "time_zone")


class ReflectionsDashboard:
    def __init__(self, repo: ReflectionsRepo, library: DeckLibrary) -> None:
        self._repo = repo
        self._library = library

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle], now: datetime
    ) -> Mapping[int, Sequence[Section]]:
        mine = [c for c in circles if isinstance(c, Circle)]
        if topic is Topic.CIRCLES:
            return await self._next(mine)
        if topic is Topic.SCHEDULES:
            return {c.id: [await self._schedules(c, now)] for c in mine}
        if topic is Topic.PROMPTS:
            return {c.id: await self._prompts(c) for c in mine} if mine else {}
        return {}

    # --- the circles page: what comes next --------------------------------------------------

    async def _next(self, circles: Sequence[Circle]) -> dict[int, Sequence[Section]]:
        soonest: dict[tuple[int, Kind], tuple[datetime, str | None]] = {}
        for circle_id, kind, due, zone in await self._repo.next_due_in([c.id for c in circles]):
            known = soonest.get((circle_id, kind))
            if known is None or due < known[0]:
                soonest[(circle_id, kind)] = (due, zone)
        out: dict[int, Sequence[Section]] = {}
        for circle in circles:
            facts = tuple(
                Fact(label, _when(soonest.get((circle.id, kind)), circle))
                for label, kind in (
                    (texts.DASH_NEXT_MEETING, Kind.MEETING),
                    (texts.DASH_NEXT_PROMPTS, Kind.PROMPT),
                )
            )
            out[circle.id] = [Section(texts.DASH_SCHEDULES, facts)]
        return out

    # --- the schedules page ---------------------------------------------------------------

    async def _schedules(self, circle: Circle, now: datetime) -> Section:
        items = [self._schedule(s, circle, now) for s in await self._repo.schedules_of(circle.id)]
        add = Action(texts.DASH_ADD, ("schedule", "add"), fields=EDITABLE)
        return Section(
            texts.DASH_SCHEDULES,
            items=tuple(items),
            actions=(add,),
            empty=texts.DASH_SCHEDULES_NONE,
        )

    def _schedule(self, schedule: Schedule, circle: Circle, now: datetime) -> Item:
        zone = zone_named(schedule.zone_name)
        facts = [
            Fact(
                texts.DASH_KIND,
                texts.KIND_WORDS.get(schedule.kind.value, texts.DASH_KIND_PROMPT),
            )
        ]
        if schedule.kind is Kind.PROMPT:
            facts.append(Fact(texts.DASH_DECK, schedule.deck_id or "ips"))
            words = _filter_words(schedule)
            facts.append(Fact(texts.DASH_FILTER, ", ".join(words) or texts.DASH_FILTER_ALL))
        facts.append(Fact(texts.DASH_ZONE, zone.key))
        due = schedule.next_due
        facts.append(
            Fact(texts.DASH_NEXT, say_when(due, zone, year=True) if due else texts.DASH_NEXT_NONE)
        )
        if schedule.paused_until:
            facts.append(Fact(texts.DASH_RESTS_UNTIL, say_day(schedule.paused_until)))
        notes = []
        start = due if due is not None and due > now else now
        if due is not None:
            times = upcoming(
                load_rule(schedule.rule), zone, start - timedelta(seconds=1), RUNS_SHOWN
            )
            if times:
                notes.append(texts.DASH_RUNS_HEAD.format(zone=zone.key))
            for occurrence in times:
                line = say_when(occurrence.at, zone, year=True)
                if occurrence.shifted:
                    line += texts.PREVIEW_SHIFTED.format(
                        wall=f"{occurrence.wall:%H:%M}", local=f"{occurrence.local:%H:%M}"
                    )
                notes.append(line)
        which = {"id": schedule.id}
        actions: list[Action] = []
        if schedule.kind is Kind.PROMPT:
            actions.append(
                Action(
                    texts.DASH_EDIT,
                    ("schedule", "edit"),
                    fixed=which,
                    fields=EDITABLE,
                    values={
                        "when": schedule.form,
                        "deck": schedule.deck_id or "",
                        "theme": schedule.theme or "",
                        "tag": schedule.tag or "",
                        "without": " ".join(schedule.without),
                        "time_zone": schedule.time_zone or "",
                    },
                )
            )
        if schedule.paused_until:
            actions.append(Action(texts.DASH_RESUME, ("schedule", "resume"), fixed=which))
        else:
            actions.append(
                Action(texts.DASH_PAUSE, ("schedule", "pause"), fixed=which, fields=("until",))
            )
        actions += [
            Action(texts.DASH_SKIP, ("schedule", "skip"), fixed=which),
            Action(texts.DASH_UNSKIP, ("schedule", "unskip"), fixed=which),
            Action(texts.DASH_REMOVE, ("schedule", "remove"), fixed=which),
        ]
        return Item(
            texts.DASH_SCHEDULE_TITLE.format(id=schedule.id, form=schedule.form),
            facts=tuple(facts),
            notes=tuple(notes),
            actions=tuple(actions),
        )

    # --- the prompts page -------------------------------------------------------------------

    async def _prompts(self, circle: Circle) -> list[Section]:
        waiting = [
            Item(
                texts.DASH_SUGGESTION.format(id=s.id),
                facts=((Fact(texts.DASH_KIND, s.theme),) if s.theme else ()),
                notes=(s.text,),
                actions=(
                    Action(
                        texts.DASH_APPROVE,
                        ("prompt", "approve"),
                        fixed={"id": s.id},
                        fields=("title", "theme"),
                    ),
                    Action(texts.DASH_DECLINE, ("prompt", "decline"), fixed={"id": s.id}),
                ),
            )
            for s in await self._repo.pending(circle.id)
        ]
        own = [
            Item(
                texts.DASH_OWN_PROMPT.format(id=s.id, title=s.title or texts.DASH_UNTITLED),
                notes=(s.text,),
                actions=(
                    Action(
                        texts.DASH_RETITLE,
                        ("prompt", "retitle"),
                        fixed={"id": s.id},
                        fields=("title",),
                        values={"title": s.title or ""},
                    ),
                    Action(texts.DASH_RETIRE, ("prompt", "remove"), fixed={"id": s.id}),
                ),
            )
            for s in await self._repo.approved(circle.id)
        ]
        sections = [
            Section(texts.DASH_WAITING, items=tuple(waiting), empty=texts.DASH_WAITING_NONE),
            Section(texts.DASH_OWN_DECK, items=tuple(own), empty=texts.DASH_OWN_DECK_NONE),
        ]
        for deck in self._library.decks:
            sections.append(
                Section(
                    f"{texts.DASH_DECKS}: {deck.title}",
                    facts=(
                        Fact(texts.DASH_DECK, deck.id),
                        Fact(texts.DASH_DECK_TAGS, ", ".join(deck.tags) or texts.DASH_DECK_NO_TAGS),
                    ),
                    items=tuple(Item(p.title, notes=(p.text,), tags=p.tags) for p in deck.prompts),
                    filterable=True,
                )
            )
        return sections


DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _when(soonest: tuple[datetime, str | None] | None, circle: Circle) -> str:
    """``Tue 3 Mar, 19:00`` on the schedule's clock, as ``say_when`` says it (without its
    three strftime calls: a thousand circles are read at once)."""
    if soonest is None:
        return texts.DASH_NONE_SET
    due, zone = soonest
    local = due.astimezone(zone_named(zone or circle.time_zone))
    return f"{DAYS[local.weekday()]} {local.day} {MONTHS[local.month - 1]}, {local:%H:%M}"


def _filter_words(schedule: Schedule) -> list[str]:
    parts = []
    if schedule.theme:
        parts.append(f"theme {schedule.theme}")
    if schedule.tag:
        parts.append(f"tag {schedule.tag}")
    if schedule.without:
        parts.append("without " + ", ".join(schedule.without))
    return parts
