"""Reflection prompts on schedules, meeting reminders and automatic facilitation hand-overs.
The prompts members suggest (each circle's own deck) have their commands in ``circle_deck.py``.

The database is the truth: each schedule stores its next run. On start every schedule's alarm
is re-armed from it (``reflections:schedule:<id>``). When an alarm rings, the run is checked
(still due? missed for too long? is the room busy?), then *claimed* in one transaction with the
posting-log row and the schedule's next run, and only then posted, through the ``Chat`` port.
The stated rules (DST, missed runs, quiet moments) are in the README and in ``schedule list``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time as wallclock
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import (
    DeliveryError,
    Destination,
    Event,
    MemberRef,
    MessagePosted,
    RoomRef,
    ThreadRef,
    Visibility,
    room_of,
)
from bot.clock import parse_zone, to_iso
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
from bot.text import clip
from cogs.circles import (
    Circle,
    CircleLookup,
    Facilitation,
    InfoTopic,
    InfoWanted,
    TimeZoneChanged,
    circle_of,
)
from cogs.reflections.circle_deck import UNTITLED_THREAD, CircleDeck
from cogs.reflections.decks import (
    CIRCLE_DECK,
    THEMES,
    Deck,
    Prompt,
    PromptFilter,
    read_tags,
)
from cogs.reflections.gating import RoomActivity, hold_until
from cogs.reflections.library import DeckLibrary, deck_folder
from cogs.reflections.repo import Kind, Outcome, ReflectionsRepo, Schedule
from cogs.reflections.settings import ReflectionsSettings
from cogs.reflections.shuffle_bag import draw
from cogs.reflections.timing import (
    FormError,
    Rule,
    latest_due,
    load_rule,
    next_after,
    parse_form,
    resolve,
    say_day,
    say_when,
    upcoming,
)

log = logging.getLogger(__name__)

JOB = "schedule:{id}"
DEFAULT_DECK = "ips"
DEFAULT_REMIND = timedelta(hours=1)
PREVIEW_COUNT = 5
UNCONFIRMED_AFTER = timedelta(minutes=10)  # a claim older than this was never going to be posted
OFF_WORDS = frozenset({"off", "stop", "none", "no"})
ANY_WORDS = frozenset({"any", "none", "all"})  # schedule edit: clear a theme or tag filter

# --- what people read -----------------------------------------------------------------------

PROMPT_POST = "💭 **{title}**\n{text}\n_A reflection for {circle}. Reply here if you'd like, lightly or deeply; passing is always fine._"
PROMPT_POST_UNTITLED = "💭 {text}\n_A reflection for {circle}. Reply here if you'd like, lightly or deeply; passing is always fine._"
REMINDER = "🕯️ **{circle}** meets in {lead}, {when} ({zone}). Come as you are."
NO_PROMPTS_NOTE = "I had a prompt due for {circle} (schedule #{id}), but {reason}, so none came this time. A facilitator can choose another deck with `{prefix}schedule add`."
DECK_GONE = "the “{deck}” deck isn't here any more"
DECK_EMPTY_NOW = "the “{deck}” deck has no prompts{theme} just now"

SCHEDULE_ADDED = "🗓️ Schedule #{id} for **{circle}**: a prompt from the “{deck}” deck{theme}, {form} ({zone}). The first one comes {first}.{hint}"
DEEP_HINT = " Some prompts in this deck go deeper; `without=deep` leaves them out of a timer."
SCHEDULE_EDITED = "🗓️ Schedule #{id} is changed: {what}. The next one comes {next}."
SCHEDULE_EDITED_NEVER = "🗓️ Schedule #{id} is changed: {what}. It has no time coming up."
NOTHING_TO_EDIT = "What would you like to change? For example `{prefix}schedule edit {id} daily 10:00`, or `{prefix}schedule edit {id} without=deep`."
NOT_FOR_PROMPTS = "Schedule #{id} is {kind}, so it has no deck or prompts to choose; its time can change with `{prefix}schedule edit {id} <when>`."
KIND_WORDS = {"meeting": "a meeting time", "rota": "an automatic hand-over"}
UNSKIPPED = "Schedule #{id} will come at {when} after all."
NOTHING_TO_UNSKIP = (
    "Schedule #{id} has no skipped time still to come, so there's nothing to take back."
)
MEETING_SET = "🗓️ **{circle}** meets {form} ({zone}), with a reminder {lead} before. The next meeting is {first}.{replaced}"
MEETING_REPLACED = " (This replaces the earlier meeting time.)"
MEETING_NONE = "No meeting time is set for {circle} yet. A facilitator can set one, like `{prefix}meeting set tuesdays 19:00 remind=1h`."
MEETING_SHOW = "**{circle}** meets {form} ({zone}). The next meeting is {next}; a reminder goes out {lead} before.{paused}"
MEETING_CLEARED = "The meeting time of {circle} is cleared, and its reminders with it."
ROTA_AUTO_SET = "🔁 Facilitation of **{circle}** will pass on by itself, {form} ({zone}). The first hand-over is {first}."
ROTA_AUTO_OFF = "Facilitation of {circle} passes on by hand again (`{prefix}circle rota pass`)."
INFO_MEETING = "Meets {form} ({zone}); the next meeting is {next}."
INFO_HAND_OVER = "Facilitation passes on by itself, {form} ({zone}); the next hand-over is {next}."
ROTA_AUTO_NONE = "Facilitation of {circle} isn't passing on by itself, so there's nothing to stop."
LIST_HEAD = "**Schedules for {circle}** (times in {zone})"
LIST_NONE = "{circle} has no schedules yet. A facilitator can add one, like `{prefix}schedule add mondays 19:00`."
MISSED_RULE = "If I'm away when a prompt or hand-over is due, I post it once when I'm back, as long as it's less than {grace} late; older ones are skipped. Meeting reminders only go out before the meeting starts."
GATING_RULE = "A prompt waits for a quiet moment (no messages for {quiet} and no check-in round open), for {wait} at most. Two prompts never land within {quiet} of each other."
PREVIEW_HEAD = "The next times for {what}, in {zone}:"
PREVIEW_SHIFTED = " (the clocks go forward that night, so {wall} comes as {local})"
PREVIEW_NONE = "{what} has no times coming up."
PAUSED = "Schedule #{id} rests until {day}. The first one after that is {next}."
RESUMED = "Schedule #{id} is running again. The next one is {next}."
NOT_PAUSED = "Schedule #{id} isn't paused, so it's already running."
SKIPPED = "Schedule #{id} will let {skipped} pass quietly. The one after is {next}."
REMOVED = "Schedule #{id} ({form}) is removed."
NOTHING_NEXT = "Schedule #{id} has no time coming up, so there's nothing to skip."

UNKNOWN_SCHEDULE = (
    "I couldn't find schedule #{id}. `{prefix}schedule list` shows the schedules of {circle}."
)
OTHER_CIRCLE_SCHEDULE = "Schedule #{id} belongs to another circle, so I can't change it from {circle}. You could run this in that circle's room, or name it with `circle=…`."
UNKNOWN_DECK = (
    "I don't know a deck called “{deck}”. `{prefix}prompt decks list` shows the decks I have."
)
EMPTY_DECK = "The “{deck}” deck has no prompts yet, so a schedule would have nothing to post. Members can suggest some with `{prefix}prompt suggest`."
EMPTY_CIRCLE_DECK = "The circle's own deck for {circle} has no prompts yet, so there'd be nothing to post. Members can suggest some with `{prefix}prompt suggest`, and facilitators approve them."
THEME_MATCHES_NOTHING = (
    "The “{deck}” deck has no prompts with the theme “{theme}”. Its themes are: {themes}."
)
NO_SUCH_TAG = "No prompt in the “{deck}” deck has the tag “{tag}”. {tags}"
DECK_TAGS = "Its tags are: {tags}."
DECK_NO_TAGS = "Its prompts have no tags."
BAD_TAGS = "I read tags as single lowercase words, like `deep` or `deep,light`; “{text}” isn't one I can read."
FILTER_LEAVES_NOTHING = "With {what}, the “{deck}” deck would have no prompts left to post. Could you choose a little more loosely?"
THEME_MATCHES_NOTHING_AT_ALL = (
    "The “{deck}” deck has no prompts with the theme “{theme}”; its prompts have no themes."
)
BAD_DATE = "I read the date as something like 2026-12-24; “{text}” isn't one I can read."
DATE_NOT_AHEAD = "A pause needs a date after today ({today} in {zone}), and {day} has already come."
NEVER_AGAIN = "“{form}” has no time coming up, so there would be nothing to post."

NEXT_PROMPT = "If nothing else is posted from the “{deck}” deck first, the next prompt{where} is:\n💭 **{title}**\n{text}"
NEXT_PROMPT_UNTITLED = (
    "If nothing else is posted from the “{deck}” deck first, the next prompt{where} is:\n💭 {text}"
)
NEXT_WHERE = " of schedule #{id} ({when})"
POSTED_NOW = "A prompt is up for {circle} in its own thread."

DECKS_HEAD = "**Prompt decks**"
DECK_LINE = "• `{id}`: {title} · {count} prompt{s}{themes}{where}"
CIRCLE_DECK_LINE = "• `circle`: prompts suggested in {circle} · {count} approved"
DECKS_FOOT = "Schedules choose one with `deck=…`; `ips` is used when none is named."
RELOADED = "I read the decks folder again: {summary}"
RELOADED_NONE = "no decks in it yet."
RELOADED_SOME = "{count} deck{s} ready ({names}; {prompts} prompt{ps})."
RELOADED_MISSING = "The decks folder (`reflections.deck_dir`) doesn't exist yet. Moderators can put TOML decks there (see prompts/README.md) and say `{prefix}prompt decks reload`."
RELOAD_PROBLEMS = "\nI left out what I couldn't use:\n{lines}"

MISSED_LOG = "schedule %d (%s) of circle %d: the run due at %s is %s late, beyond the %s grace period; skipped"

# --- the commands ---------------------------------------------------------------------------

CIRCLE = Option("circle", OptionKind.CIRCLE, "Which circle (the one in this room if left out)")
CIRCLE_KEYWORD = Option(
    "circle", OptionKind.CIRCLE, "Which circle (the one in this room if left out)", keyword=True
)
SCHEDULE_ID = Option(
    "id",
    OptionKind.INTEGER,
    "The schedule's number, from schedule list",
    required=True,
    min_value=1,
)
WHEN = Option(
    "when",
    OptionKind.TEXT,
    "Like: daily 09:30, mondays 19:00, every 2 weeks on thursday 18:00",
    required=True,
    max_length=100,
)
DECK = Option(
    "deck", OptionKind.WORD, "Which prompt deck (ips if left out)", keyword=True, max_length=40
)
THEME = Option(
    "theme", OptionKind.CHOICE, "Only prompts with this theme", choices=THEMES, keyword=True
)
THEME_EDIT = Option(
    "theme",
    OptionKind.CHOICE,
    "Only prompts with this theme (any: all themes)",
    choices=(*THEMES, "any"),
    keyword=True,
)
TAG = Option(
    "tag", OptionKind.WORD, "Only prompts with this tag, like light", keyword=True, max_length=40
)
WITHOUT = Option(
    "without",
    OptionKind.WORD,
    "Leave out prompts with these tags, like deep",
    keyword=True,
    max_length=100,
)
ZONE = Option(
    "time_zone", OptionKind.TIME_ZONE, "A time zone, if not the circle's own", keyword=True
)
SCHEDULE_ADD = CommandSpec(
    ("schedule", "add"),
    "Post reflection prompts on a schedule.",
    (WHEN, DECK, THEME, TAG, WITHOUT, ZONE, CIRCLE_KEYWORD),
    permission=Permission.FACILITATOR,
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
        CIRCLE_KEYWORD,
    ),
    permission=Permission.FACILITATOR,
)
SCHEDULE_UNSKIP = CommandSpec(
    ("schedule", "unskip"),
    "Take back a skip, so that time comes after all.",
    (SCHEDULE_ID, CIRCLE_KEYWORD),
    permission=Permission.FACILITATOR,
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
        CIRCLE_KEYWORD,
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
        CIRCLE_KEYWORD,
    ),
    permission=Permission.FACILITATOR,
)
SCHEDULE_RESUME = CommandSpec(
    ("schedule", "resume"),
    "Start a paused schedule again now.",
    (SCHEDULE_ID, CIRCLE_KEYWORD),
    permission=Permission.FACILITATOR,
)
SCHEDULE_SKIP = CommandSpec(
    ("schedule", "skip"),
    "Let a schedule's next time pass quietly.",
    (SCHEDULE_ID, CIRCLE_KEYWORD),
    permission=Permission.FACILITATOR,
)
SCHEDULE_REMOVE = CommandSpec(
    ("schedule", "remove"),
    "Remove a schedule.",
    (SCHEDULE_ID, CIRCLE_KEYWORD),
    permission=Permission.FACILITATOR,
)
PROMPT_NOW = CommandSpec(
    ("prompt", "now"),
    "Post a reflection prompt right away, in its own thread.",
    (DECK, THEME, TAG, WITHOUT, CIRCLE_KEYWORD),
    permission=Permission.FACILITATOR,
)
PROMPT_NEXT = CommandSpec(
    ("prompt", "next"),
    "See which prompt comes next, from a schedule or a deck, without posting it.",
    (
        Option(
            "id",
            OptionKind.INTEGER,
            "A schedule's number (or leave it out and name a deck)",
            min_value=1,
        ),
        DECK,
        THEME,
        TAG,
        WITHOUT,
        CIRCLE_KEYWORD,
    ),
    permission=Permission.FACILITATOR,
)
DECKS_LIST = CommandSpec(
    ("prompt", "decks", "list"), "See the prompt decks a circle can use.", (CIRCLE,)
)
DECKS_RELOAD = CommandSpec(
    ("prompt", "decks", "reload"),
    "Read the decks folder again, after adding or changing a deck.",
    permission=Permission.MODERATOR,
)
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
        CIRCLE_KEYWORD,
    ),
    permission=Permission.FACILITATOR,
)
MEETING_SHOW_SPEC = CommandSpec(("meeting", "show"), "See when the circle meets next.", (CIRCLE,))
MEETING_CLEAR = CommandSpec(
    ("meeting", "clear"),
    "Clear the meeting time and its reminders.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
)
ROTA_AUTO = CommandSpec(
    ("circle", "rota", "auto"),
    "Pass facilitation on by itself on a schedule (or say off).",
    (
        Option(
            "when", OptionKind.TEXT, "Like: mondays 09:00, or off", required=True, max_length=100
        ),
        ZONE,
        CIRCLE_KEYWORD,
    ),
    permission=Permission.FACILITATOR,
)


class ReflectionsCog(Cog):
    name = "reflections"

    def __init__(
        self,
        context: Context[ReflectionsSettings],
        circles: CircleLookup,
        facilitation: Facilitation,
    ) -> None:
        services = context.services
        self._chat = services.chat
        self._clock = services.clock
        self._timers = context.timers
        self._circles = circles
        self._facilitation = facilitation
        self._repo = ReflectionsRepo(services.db)
        settings = context.settings
        self._quiet = timedelta(minutes=settings.quiet_minutes)
        self._grace = timedelta(hours=settings.missed_run_grace_hours)
        self._max_wait = min(timedelta(minutes=settings.max_wait_minutes), self._grace)
        self._library = DeckLibrary(deck_folder(services.config, settings))
        self._circle_deck = CircleDeck(services, self._repo, circles, self._library)
        self._activity = RoomActivity()
        # One prompt at a time per room: the alarm clock wakes schedules side by side, and two
        # due together must not both find the room quiet before either has posted.
        self._room_locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def repo(self) -> ReflectionsRepo:
        return self._repo

    @property
    def library(self) -> DeckLibrary:
        return self._library

    def commands(self) -> Sequence[Command]:
        return (
            Command(SCHEDULE_ADD, self.schedule_add),
            Command(SCHEDULE_EDIT, self.schedule_edit),
            Command(SCHEDULE_UNSKIP, self.schedule_unskip),
            Command(SCHEDULE_LIST, self.schedule_list),
            Command(SCHEDULE_PREVIEW, self.schedule_preview),
            Command(SCHEDULE_PAUSE, self.schedule_pause),
            Command(SCHEDULE_RESUME, self.schedule_resume),
            Command(SCHEDULE_SKIP, self.schedule_skip),
            Command(SCHEDULE_REMOVE, self.schedule_remove),
            Command(PROMPT_NOW, self.prompt_now),
            Command(PROMPT_NEXT, self.prompt_next),
            Command(DECKS_LIST, self.decks_list),
            Command(DECKS_RELOAD, self.decks_reload),
            Command(MEETING_SET_SPEC, self.meeting_set),
            Command(MEETING_SHOW_SPEC, self.meeting_show),
            Command(MEETING_CLEAR, self.meeting_clear),
            Command(ROTA_AUTO, self.rota_auto),
            *self._circle_deck.commands(),
        )

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        report = await asyncio.to_thread(self._library.reload)
        for problem in report.problems:
            log.warning("prompt decks: %s", problem)
        now = self._clock.now()
        unconfirmed = await self._repo.unconfirmed(before=now - UNCONFIRMED_AFTER)
        for run in unconfirmed:
            # At most once beats twice: the process stopped between claiming and confirming,
            # so the post may or may not have gone out. We never post it again.
            log.warning(
                "run %d (%s, schedule %s, due %s) of circle %d was claimed but never confirmed; not posting it again",
                run.run_id,
                run.kind.value,
                run.schedule_id,
                to_iso(run.fire_time) if run.fire_time else "on request",
                run.circle_id,
            )
        if unconfirmed:
            await self._repo.mark_unconfirmed([r.run_id for r in unconfirmed])
        started = wallclock.perf_counter()
        timers = await self._repo.timers()
        for timer in timers:
            self._arm(timer.schedule_id, timer.kind, timer.next_due, timer.remind)
        log.info(
            "reflections: %d schedule timers re-armed in %.3f s",
            len(timers),
            wallclock.perf_counter() - started,
        )

    async def stop(self) -> None:
        self._timers.cancel_all()

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, MessagePosted):
            self._activity.saw(event.room, min(event.at, self._clock.now()))
        elif isinstance(event, TimeZoneChanged):
            await self._follow_zone(event.circle.id)
        elif isinstance(event, InfoWanted):
            await self._add_info(event)

    async def _add_info(self, wanted: InfoWanted) -> None:
        """`circle info` hears when the circle meets; `rota show` hears of an automatic hand-over."""
        kind, rank, template = (
            (Kind.MEETING, InfoWanted.MEETING, INFO_MEETING)
            if wanted.topic is InfoTopic.CIRCLE
            else (Kind.ROTA, InfoWanted.HAND_OVER, INFO_HAND_OVER)
        )
        schedule = await self._repo.of_kind(wanted.circle.id, kind)
        if schedule is None or schedule.next_due is None:
            return
        zone = _zone(schedule.zone_name)
        wanted.add(
            rank,
            template.format(
                form=f"`{schedule.form}`", zone=zone.key, next=say_when(schedule.next_due, zone)
            ),
        )

    async def _follow_zone(self, circle_id: int) -> None:
        """The circle keeps time in another zone now: plan its schedules again at once, so that
        `schedule list` and what happens agree (schedules with a zone of their own stay)."""
        now = self._clock.now()
        for schedule in await self._repo.schedules_of(circle_id):
            if schedule.time_zone is None:
                await self._replan(schedule, now)

    async def _replan(self, schedule: Schedule, now: datetime) -> Schedule:
        """Plan the next run again in the schedule's zone (after a pause, if it rests)."""
        zone = _zone(schedule.zone_name)
        rule = load_rule(schedule.rule)
        start = now
        if schedule.paused_until is not None and schedule.paused_on(now.astimezone(zone).date()):
            start = _midnight(schedule.paused_until, zone) - timedelta(seconds=1)
        following = next_after(rule, zone, start)
        if following == schedule.next_due:
            return schedule
        if await self._repo.move_on(schedule.id, schedule.next_due, following):
            log.info(
                "schedule %d: planned again in %s; next run %s", schedule.id, zone.key, following
            )
            self._arm(schedule.id, schedule.kind, following, schedule.remind)
        return await self._repo.schedule(schedule.id) or schedule

    def _planned_in_its_zone(self, schedule: Schedule) -> bool:
        if schedule.next_due is None:
            return True
        rule = load_rule(schedule.rule)
        return (
            next_after(rule, _zone(schedule.zone_name), schedule.next_due - timedelta(seconds=1))
            == schedule.next_due
        )

    # --- timers -------------------------------------------------------------------------------

    def _arm(
        self, schedule_id: int, kind: Kind, due: datetime | None, remind: timedelta | None
    ) -> None:
        job = JOB.format(id=schedule_id)
        if due is None:
            self._timers.cancel(job)
            return
        wake = due - (remind or DEFAULT_REMIND) if kind is Kind.MEETING else due
        self._timers.at(job, wake, self._waker(schedule_id, due))

    def _arm_schedule(self, schedule: Schedule) -> None:
        self._arm(schedule.id, schedule.kind, schedule.next_due, schedule.remind)

    def _waker(
        self, schedule_id: int, expected: datetime, *, held: bool = False
    ) -> Callable[[datetime], Awaitable[None]]:
        async def wake(_: datetime) -> None:
            await self._on_due(schedule_id, expected, held=held)

        return wake

    async def _on_due(self, schedule_id: int, expected: datetime, *, held: bool = False) -> None:
        """An alarm rang for the run ``expected`` of a schedule. ``held``: it rang before and
        the prompt waited for a quiet moment, so its lateness was already weighed."""
        schedule = await self._repo.schedule(schedule_id)
        if schedule is None:
            return  # removed meanwhile
        if schedule.kind is not Kind.PROMPT:
            await self._run(schedule, expected, held=held)
            return
        async with self._room_lock(schedule.room):
            fresh = await self._repo.schedule(schedule_id)  # as it is now that the room is ours
            if fresh is not None:
                await self._run(fresh, expected, held=held)

    def _room_lock(self, room: RoomRef) -> asyncio.Lock:
        return self._room_locks[(room.platform.value, room.id)]

    async def _run(self, schedule: Schedule, expected: datetime, *, held: bool) -> None:
        if schedule.next_due != expected:
            self._arm_schedule(schedule)  # skipped, paused or claimed elsewhere: follow the truth
            return
        now = self._clock.now()
        zone = _zone(schedule.zone_name)
        rule = load_rule(schedule.rule)
        if next_after(rule, zone, expected - timedelta(seconds=1)) != expected:
            # Planned in another time zone (the circle's zone was changed since): plan again.
            following = next_after(rule, zone, now)
            log.info(
                "schedule %d: planned in another time zone; next run now %s", schedule.id, following
            )
            if await self._repo.move_on(schedule.id, expected, following):
                self._arm(schedule.id, schedule.kind, following, schedule.remind)
            return
        if schedule.kind is Kind.MEETING:
            await self._remind(schedule, rule, zone, expected, now)
            return
        fire = expected
        if now - expected > self._grace and not held:
            first_in_grace = next_after(rule, zone, now - self._grace - timedelta(seconds=1))
            log.warning(
                MISSED_LOG,
                schedule.id,
                schedule.kind.value,
                schedule.circle_id,
                to_iso(expected),
                format_duration(now - expected),
                format_duration(self._grace),
            )
            if first_in_grace is None or first_in_grace > now:
                await self._repo.claim(
                    schedule,
                    expected=expected,
                    fire=expected,
                    next_due=first_in_grace,
                    at=now,
                    outcome=Outcome.MISSED,
                )
                self._arm(schedule.id, schedule.kind, first_in_grace, schedule.remind)
                return
            fire = first_in_grace
        # Everything that came due while we were away is one post: the latest.
        fire, next_due = latest_due(rule, zone, fire, now)
        if schedule.kind is Kind.PROMPT:
            wait = hold_until(
                now=now,
                due=expected,
                last_message=self._activity.last(schedule.room),
                quiet=self._quiet,
                max_wait=self._max_wait,
                round_open=schedule.round_open,
                last_own_post=self._activity.last_own(schedule.room),
            )
            if wait is not None:
                log.debug(
                    "schedule %d waits for a quiet moment until %s", schedule.id, to_iso(wait)
                )
                self._timers.at(
                    JOB.format(id=schedule.id), wait, self._waker(schedule.id, expected, held=True)
                )
                return
        if schedule.archived:
            await self._repo.claim(
                schedule,
                expected=expected,
                fire=fire,
                next_due=next_due,
                at=now,
                outcome=Outcome.SKIPPED,
            )
            self._arm(schedule.id, schedule.kind, next_due, schedule.remind)
            return
        if schedule.kind is Kind.ROTA:
            await self._hand_over(schedule, expected, fire, next_due, now)
        else:
            await self._post_scheduled(schedule, expected, fire, next_due, now)

    async def _post_scheduled(
        self,
        schedule: Schedule,
        expected: datetime,
        fire: datetime,
        next_due: datetime | None,
        now: datetime,
    ) -> None:
        deck = await self._deck(schedule.circle_id, schedule.deck_id or DEFAULT_DECK)
        choices = deck.choose(schedule.choosing) if deck else ()
        if deck is None or not choices:
            claimed = await self._repo.claim(
                schedule,
                expected=expected,
                fire=fire,
                next_due=next_due,
                at=now,
                outcome=Outcome.FAILED,
            )
            self._arm(schedule.id, schedule.kind, next_due, schedule.remind)
            if claimed is not None:
                deck_id = schedule.deck_id or DEFAULT_DECK
                reason = (
                    DECK_GONE.format(deck=deck_id)
                    if deck is None
                    else DECK_EMPTY_NOW.format(
                        deck=deck_id,
                        theme=f" with {' and '.join(schedule.choosing.words)}"
                        if schedule.choosing.words
                        else "",
                    )
                )
                log.warning(
                    "schedule %d of circle %d: no prompts to post (%s)",
                    schedule.id,
                    schedule.circle_id,
                    reason,
                )
                await self._send(
                    schedule.home,
                    NO_PROMPTS_NOTE.format(
                        circle=schedule.circle_name,
                        id=schedule.id,
                        reason=reason,
                        prefix=self._chat.command_prefix(schedule.room.platform),
                    ),
                )
            return
        claimed = await self._repo.claim(
            schedule,
            expected=expected,
            fire=fire,
            next_due=next_due,
            at=now,
            draw=_drawer(deck, choices, schedule.circle_id),
        )
        if claimed is None:
            fresh = await self._repo.schedule(schedule.id)  # another instance or a skip has it
            if fresh is not None:
                self._arm_schedule(fresh)
            return
        self._arm(schedule.id, schedule.kind, next_due, schedule.remind)
        run_id, prompt_id = claimed
        prompt = deck.get(prompt_id or "")
        if prompt is None:
            await self._repo.record(run_id, Outcome.FAILED, self._clock.now())
            return
        await self._post(run_id, schedule.room, schedule.thread, schedule.circle_name, prompt)

    async def _post(
        self, run_id: int, room: RoomRef, thread: ThreadRef | None, circle_name: str, prompt: Prompt
    ) -> None:
        """Open the prompt's thread (or write in the circle's own thread) and confirm the run."""
        if prompt.title:
            text = PROMPT_POST.format(title=prompt.title, text=prompt.text, circle=circle_name)
        else:  # a circle prompt approved without a title: its words, once
            text = PROMPT_POST_UNTITLED.format(text=prompt.text, circle=circle_name)
        try:
            if thread is None:
                title = prompt.title or UNTITLED_THREAD.format(circle=circle_name)
                opened = await self._chat.open_thread(room, title, text)
                posted_thread, message_id = opened.thread, opened.message.id
            else:  # a circle that lives in a thread gets its prompts right there
                message = await self._chat.send(thread, text)
                posted_thread, message_id = thread, message.id
        except DeliveryError as error:
            log.warning("run %d: the platform refused the prompt (%s)", run_id, error)
            await self._repo.record(run_id, Outcome.FAILED, self._clock.now())
            return
        self._activity.posted(room, self._clock.now())
        await self._repo.record(
            run_id, Outcome.POSTED, self._clock.now(), posted_thread, message_id
        )

    async def _hand_over(
        self,
        schedule: Schedule,
        expected: datetime,
        fire: datetime,
        next_due: datetime | None,
        now: datetime,
    ) -> None:
        claimed = await self._repo.claim(
            schedule, expected=expected, fire=fire, next_due=next_due, at=now
        )
        self._arm(schedule.id, schedule.kind, next_due, schedule.remind)
        if claimed is None:
            return
        run_id, _ = claimed
        circle = await self._circles.get(schedule.circle_id)
        if circle is None or len(await self._circles.rota(circle.id)) < 2:
            # Nobody to pass to: saying so every week would only be noise.
            await self._repo.record(run_id, Outcome.SKIPPED, self._clock.now())
            return
        text = await self._facilitation.pass_on(circle, self._chat.command_prefix(circle.platform))
        outcome = Outcome.POSTED if await self._send(circle.home, text) else Outcome.FAILED
        await self._repo.record(run_id, outcome, self._clock.now())

    async def _remind(
        self, schedule: Schedule, rule: Rule, zone: ZoneInfo, meeting: datetime, now: datetime
    ) -> None:
        if now >= meeting:
            # The meeting has begun (or passed): a reminder now would be no use.
            following = next_after(rule, zone, now)
            log.warning(
                "meeting reminder of schedule %d (circle %d) for %s missed; the meeting had begun",
                schedule.id,
                schedule.circle_id,
                to_iso(meeting),
            )
            await self._repo.claim(
                schedule,
                expected=meeting,
                fire=meeting,
                next_due=following,
                at=now,
                outcome=Outcome.MISSED,
            )
            self._arm(schedule.id, schedule.kind, following, schedule.remind)
            return
        following = next_after(rule, zone, meeting)
        outcome = Outcome.SKIPPED if schedule.archived else Outcome.CLAIMED
        claimed = await self._repo.claim(
            schedule, expected=meeting, fire=meeting, next_due=following, at=now, outcome=outcome
        )
        self._arm(schedule.id, schedule.kind, following, schedule.remind)
        if claimed is None or schedule.archived:
            return
        lead = _rounded(meeting - now)
        text = REMINDER.format(
            circle=schedule.circle_name,
            lead=format_duration(lead),
            when=say_when(meeting, zone),
            zone=zone.key,
        )
        sent = await self._send(schedule.home, text)
        await self._repo.record(
            claimed[0], Outcome.POSTED if sent else Outcome.FAILED, self._clock.now()
        )

    async def _send(self, where: Destination, text: str) -> bool:
        try:
            await self._chat.send(where, text)
        except DeliveryError as error:
            log.warning("could not post in %s: %s", where, error)
            return False
        self._activity.posted(room_of(where), self._clock.now())
        return True

    # --- decks --------------------------------------------------------------------------------

    async def _deck(self, circle_id: int, deck_id: str) -> Deck | None:
        if deck_id != CIRCLE_DECK:
            return self._library.get(deck_id)
        return await self._circle_deck.deck(circle_id)

    async def _check_deck(
        self, circle: Circle, deck_id: str, wanted: PromptFilter, prefix: str
    ) -> Deck:
        """The deck, if it has prompts this filter admits; otherwise a kind sentence saying why."""
        deck = await self._deck(circle.id, deck_id)
        if deck is None:
            raise CommandError(UNKNOWN_DECK.format(deck=clip(deck_id, 40), prefix=prefix))
        if not deck.prompts:
            if deck_id == CIRCLE_DECK:
                raise CommandError(EMPTY_CIRCLE_DECK.format(circle=circle.name, prefix=prefix))
            raise CommandError(EMPTY_DECK.format(deck=deck_id, prefix=prefix))
        theme = wanted.theme
        if theme is not None and not deck.matching(theme):
            if deck.themes:
                raise CommandError(
                    THEME_MATCHES_NOTHING.format(
                        deck=deck_id, theme=theme, themes=", ".join(deck.themes)
                    )
                )
            raise CommandError(THEME_MATCHES_NOTHING_AT_ALL.format(deck=deck_id, theme=theme))
        for tag in (*([wanted.tag] if wanted.tag else []), *wanted.without):
            if tag not in deck.tags:  # most likely a typo: say which tags there are
                tags = DECK_TAGS.format(tags=", ".join(deck.tags)) if deck.tags else DECK_NO_TAGS
                raise CommandError(NO_SUCH_TAG.format(deck=deck_id, tag=clip(tag, 40), tags=tags))
        if not deck.choose(wanted):
            raise CommandError(
                FILTER_LEAVES_NOTHING.format(what=" and ".join(wanted.words), deck=deck_id)
            )
        return deck

    @staticmethod
    def _filter(inv: Invocation, *, base: PromptFilter | None = None) -> PromptFilter:
        """The theme and tags asked for (on ``schedule edit``, changes to ``base``)."""
        base = base or PromptFilter()
        theme = inv.text("theme")
        tag_text = inv.text("tag")
        without_text = inv.text("without")
        tag = base.tag
        if tag_text is not None:
            if tag_text.strip().lower() in ANY_WORDS:
                tag = None
            else:
                tags = read_tags(tag_text)
                if tags is None or len(tags) != 1:
                    raise CommandError(BAD_TAGS.format(text=clip(tag_text, 40)))
                tag = tags[0]
        without = base.without
        if without_text is not None:
            if without_text.strip().lower() in ANY_WORDS:
                without = ()
            else:
                read = read_tags(without_text)
                if read is None:
                    raise CommandError(BAD_TAGS.format(text=clip(without_text, 40)))
                without = read
        chosen_theme = base.theme if theme is None else (None if theme == "any" else theme)
        return PromptFilter(theme=chosen_theme, tag=tag, without=without)

    # --- schedule commands --------------------------------------------------------------------

    async def schedule_add(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        zone_given = inv.zone("time_zone")
        zone = zone_given or _zone(circle.time_zone)
        form = inv.text("when") or ""
        rule = _read_form(form, zone, inv.at)
        deck_id = (inv.text("deck") or DEFAULT_DECK).lower()
        wanted = self._filter(inv)
        deck = await self._check_deck(circle, deck_id, wanted, inv.prefix)
        first = _first(rule, zone, inv.at, form)
        new_id, _ = await self._repo.add_schedule(
            circle_id=circle.id,
            kind=Kind.PROMPT,
            form=form,
            rule=rule.canonical,
            time_zone=zone_given.key if zone_given else None,
            deck_id=deck_id,
            theme=wanted.theme,
            remind=None,
            next_due=first,
            created_by=inv.invoker.id,
            at=inv.at,
            tag=wanted.tag,
            without=wanted.without,
        )
        self._arm(new_id, Kind.PROMPT, first, None)
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

    async def schedule_list(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        schedules = await self._repo.schedules_of(circle.id)
        if not schedules:
            await inv.reply(
                LIST_NONE.format(circle=circle.name, prefix=inv.prefix), Visibility.PERSONAL
            )
            return
        circle_zone = _zone(circle.time_zone)
        lines = [LIST_HEAD.format(circle=circle.name, zone=circle_zone.key)]
        for listed in schedules:
            if not self._planned_in_its_zone(listed):
                # The zone changed without the schedule hearing of it (another instance, or a
                # stop at the wrong moment): plan it now, so the list shows what will happen.
                listed = await self._replan(listed, inv.at)
            lines.append(self._line(listed, inv.at))
        lines.append(MISSED_RULE.format(grace=format_duration(self._grace)))
        lines.append(
            GATING_RULE.format(
                quiet=format_duration(self._quiet), wait=format_duration(self._max_wait)
            )
        )
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    def _line(self, schedule: Schedule, now: datetime) -> str:
        zone = _zone(schedule.zone_name)
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

    async def schedule_preview(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        what = (inv.text("what") or "").strip()
        number = what.lstrip("#")
        zone_given = inv.zone("time_zone")
        if number.isdigit():
            schedule = await self._schedule(inv, circle, int(number))
            zone = zone_given or _zone(schedule.zone_name)
            rule = load_rule(schedule.rule)
            label = f"schedule #{schedule.id} (`{schedule.form}`)"
            due = schedule.next_due
            start = due - timedelta(seconds=1) if due is not None and due > inv.at else inv.at
        else:
            zone = zone_given or _zone(circle.time_zone)
            rule = _read_form(what, zone, inv.at)
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

    async def schedule_pause(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        schedule = await self._schedule(inv, circle, _required(inv.integer("id")))
        zone = _zone(schedule.zone_name)
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
        resume_at = _midnight(until, zone)
        next_due = next_after(rule, zone, resume_at - timedelta(seconds=1))
        await self._repo.pause(schedule.id, until, next_due)
        self._arm(schedule.id, schedule.kind, next_due, schedule.remind)
        await inv.reply(
            PAUSED.format(
                id=schedule.id,
                day=say_day(until),
                next=say_when(next_due, zone) if next_due else "not in sight",
            )
        )

    async def schedule_resume(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        schedule = await self._schedule(inv, circle, _required(inv.integer("id")))
        zone = _zone(schedule.zone_name)
        if not schedule.paused_on(inv.at.astimezone(zone).date()):
            raise CommandError(NOT_PAUSED.format(id=schedule.id))
        next_due = next_after(load_rule(schedule.rule), zone, inv.at)
        await self._repo.resume(schedule.id, next_due)
        self._arm(schedule.id, schedule.kind, next_due, schedule.remind)
        await inv.reply(
            RESUMED.format(
                id=schedule.id, next=say_when(next_due, zone) if next_due else "not in sight"
            )
        )

    async def schedule_skip(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        schedule = await self._schedule(inv, circle, _required(inv.integer("id")))
        if schedule.next_due is None:
            raise CommandError(NOTHING_NEXT.format(id=schedule.id))
        zone = _zone(schedule.zone_name)
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
        self._arm(schedule.id, schedule.kind, following, schedule.remind)
        await inv.reply(
            SKIPPED.format(
                id=schedule.id,
                skipped=say_when(skipped, zone),
                next=say_when(following, zone) if following else "not in sight",
            )
        )

    async def schedule_edit(self, inv: Invocation) -> None:
        """Change a schedule in place: its time, deck, theme, tags or zone. It keeps its number
        and history, and the next time is planned afresh."""
        circle = await self._circle(inv)
        schedule = await self._schedule(inv, circle, _required(inv.integer("id")))
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
        zone = _zone(time_zone or circle.time_zone)
        form = form_given or schedule.form
        rule = _read_form(form, zone, inv.at) if form_given else load_rule(schedule.rule)
        deck_id = (
            (deck_given or schedule.deck_id or DEFAULT_DECK).lower()
            if schedule.kind is Kind.PROMPT
            else None
        )
        wanted = self._filter(inv, base=schedule.choosing)
        if deck_id is not None:
            await self._check_deck(circle, deck_id, wanted, inv.prefix)
        start = inv.at
        if schedule.paused_until is not None and schedule.paused_on(inv.at.astimezone(zone).date()):
            start = _midnight(schedule.paused_until, zone) - timedelta(seconds=1)
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
        self._arm(schedule.id, schedule.kind, following, schedule.remind)
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

    async def schedule_unskip(self, inv: Invocation) -> None:
        """Take back the latest skip whose time hasn't come yet."""
        circle = await self._circle(inv)
        schedule = await self._schedule(inv, circle, _required(inv.integer("id")))
        back = await self._repo.unskip(schedule.id, expected=schedule.next_due, now=inv.at)
        if back is None:
            raise CommandError(NOTHING_TO_UNSKIP.format(id=schedule.id))
        self._arm(schedule.id, schedule.kind, back, schedule.remind)
        await inv.reply(
            UNSKIPPED.format(id=schedule.id, when=say_when(back, _zone(schedule.zone_name)))
        )

    async def schedule_remove(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        schedule = await self._schedule(inv, circle, _required(inv.integer("id")))
        await self._repo.remove_schedule(schedule.id)
        self._timers.cancel(JOB.format(id=schedule.id))
        await inv.reply(REMOVED.format(id=schedule.id, form=f"`{schedule.form}`"))

    # --- meetings and the automatic rota ------------------------------------------------------

    async def meeting_set(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        zone_given = inv.zone("time_zone")
        zone = zone_given or _zone(circle.time_zone)
        form = inv.text("when") or ""
        rule = _read_form(form, zone, inv.at)
        remind = inv.duration("remind") or DEFAULT_REMIND
        first = _first(rule, zone, inv.at, form)
        new_id, replaced = await self._repo.add_schedule(
            circle_id=circle.id,
            kind=Kind.MEETING,
            form=form,
            rule=rule.canonical,
            time_zone=zone_given.key if zone_given else None,
            deck_id=None,
            theme=None,
            remind=remind,
            next_due=first,
            created_by=inv.invoker.id,
            at=inv.at,
        )
        if replaced is not None:
            self._timers.cancel(JOB.format(id=replaced))
        self._arm(new_id, Kind.MEETING, first, remind)
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

    async def meeting_show(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        meeting = await self._repo.of_kind(circle.id, Kind.MEETING)
        if meeting is None:
            await inv.reply(
                MEETING_NONE.format(circle=circle.name, prefix=inv.prefix), Visibility.PERSONAL
            )
            return
        zone = _zone(meeting.zone_name)
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

    async def meeting_clear(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        meeting = await self._repo.of_kind(circle.id, Kind.MEETING)
        if meeting is None:
            raise CommandError(MEETING_NONE.format(circle=circle.name, prefix=inv.prefix))
        await self._repo.remove_schedule(meeting.id)
        self._timers.cancel(JOB.format(id=meeting.id))
        await inv.reply(MEETING_CLEARED.format(circle=circle.name))

    async def rota_auto(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        form = (inv.text("when") or "").strip()
        if form.lower() in OFF_WORDS:
            existing = await self._repo.of_kind(circle.id, Kind.ROTA)
            if existing is None:
                raise CommandError(ROTA_AUTO_NONE.format(circle=circle.name))
            await self._repo.remove_schedule(existing.id)
            self._timers.cancel(JOB.format(id=existing.id))
            await inv.reply(ROTA_AUTO_OFF.format(circle=circle.name, prefix=inv.prefix))
            return
        zone_given = inv.zone("time_zone")
        zone = zone_given or _zone(circle.time_zone)
        rule = _read_form(form, zone, inv.at)
        first = _first(rule, zone, inv.at, form)
        new_id, replaced = await self._repo.add_schedule(
            circle_id=circle.id,
            kind=Kind.ROTA,
            form=form,
            rule=rule.canonical,
            time_zone=zone_given.key if zone_given else None,
            deck_id=None,
            theme=None,
            remind=None,
            next_due=first,
            created_by=inv.invoker.id,
            at=inv.at,
        )
        if replaced is not None:
            self._timers.cancel(JOB.format(id=replaced))
        self._arm(new_id, Kind.ROTA, first, None)
        await inv.reply(
            ROTA_AUTO_SET.format(
                circle=circle.name, form=f"`{form}`", zone=zone.key, first=say_when(first, zone)
            )
        )

    # --- prompts now, and suggestions ---------------------------------------------------------

    async def prompt_now(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        deck_id = (inv.text("deck") or DEFAULT_DECK).lower()
        wanted = self._filter(inv)
        deck = await self._check_deck(circle, deck_id, wanted, inv.prefix)
        choices = deck.choose(wanted)
        async with self._room_lock(circle.room):  # never side by side with a scheduled prompt
            run_id, prompt_id = await self._repo.claim_now(
                circle.id, deck_id, _drawer(deck, choices, circle.id), inv.at
            )
            prompt = deck.get(prompt_id or "")
            if prompt is None:
                await self._repo.record(run_id, Outcome.FAILED, inv.at)
                raise CommandError("I couldn't find a prompt to post just now.")
            await self._post(run_id, circle.room, circle.thread, circle.name, prompt)
        await inv.reply(POSTED_NOW.format(circle=circle.name), Visibility.PERSONAL)

    async def prompt_next(self, inv: Invocation) -> None:
        """Which prompt the shuffle bag gives next, for a schedule or a deck; nothing is posted."""
        circle = await self._circle(inv)
        schedule_id = inv.integer("id")
        where = ""
        if schedule_id is not None:
            schedule = await self._schedule(inv, circle, schedule_id)
            if schedule.kind is not Kind.PROMPT:
                raise CommandError(
                    NOT_FOR_PROMPTS.format(
                        id=schedule.id, kind=KIND_WORDS[schedule.kind.value], prefix=inv.prefix
                    )
                )
            deck_id = schedule.deck_id or DEFAULT_DECK
            wanted = schedule.choosing
            if schedule.next_due is not None:
                where = NEXT_WHERE.format(
                    id=schedule.id, when=say_when(schedule.next_due, _zone(schedule.zone_name))
                )
        else:
            deck_id = (inv.text("deck") or DEFAULT_DECK).lower()
            wanted = self._filter(inv)
        deck = await self._check_deck(circle, deck_id, wanted, inv.prefix)
        chosen = _drawer(deck, deck.choose(wanted), circle.id)(
            await self._repo.uses(circle.id, deck_id)
        )
        prompt = deck.get(chosen or "")
        if prompt is None:
            raise CommandError("I couldn't find a prompt to show just now.")
        template = NEXT_PROMPT if prompt.title else NEXT_PROMPT_UNTITLED
        await inv.reply(
            template.format(deck=deck_id, where=where, title=prompt.title, text=prompt.text),
            Visibility.PERSONAL,
        )

    # --- decks --------------------------------------------------------------------------------

    async def decks_list(self, inv: Invocation) -> None:
        lines = [DECKS_HEAD]
        for deck in self._library.decks:
            where = "" if deck in self._library.builtin else " · from the decks folder"
            themes = f" · {', '.join(deck.themes)}" if deck.themes else ""
            count = len(deck.prompts)
            lines.append(
                DECK_LINE.format(
                    id=deck.id,
                    title=deck.title,
                    count=count,
                    s="" if count == 1 else "s",
                    themes=themes,
                    where=where,
                )
            )
        if inv.circle is not None:
            count = len(await self._repo.approved(inv.circle.id))
            lines.append(CIRCLE_DECK_LINE.format(circle=inv.circle.name, count=count))
        lines.append(DECKS_FOOT)
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def decks_reload(self, inv: Invocation) -> None:
        report = await asyncio.to_thread(self._library.reload)
        if not report.folder_exists:
            await inv.reply(RELOADED_MISSING.format(prefix=inv.prefix), Visibility.PERSONAL)
            return
        if report.loaded:
            count = len(report.loaded)
            prompts = sum(len(d.prompts) for d in report.loaded)
            summary = RELOADED_SOME.format(
                count=count,
                s="" if count == 1 else "s",
                names=", ".join(d.id for d in report.loaded),
                prompts=prompts,
                ps="" if prompts == 1 else "s",
            )
        else:
            summary = RELOADED_NONE
        text = RELOADED.format(summary=summary)
        if report.problems:
            text += RELOAD_PROBLEMS.format(lines="\n".join(f"• {p}" for p in report.problems))
        await inv.reply(text, Visibility.PERSONAL)

    # --- data care ----------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Reflection prompts",
            keeps=(
                "prompts you suggest for a circle: your words and your name, while the facilitators decide. A declined one is deleted; an approved one joins the circle's own deck",
                "schedules, meeting times and automatic rotas you set up for a circle: that it was you who set them up",
            ),
            kept_for="as long as the suggestion or schedule is there. If you ask me to forget you, your waiting suggestions are deleted, and your name comes off approved prompts (they stay in the circle's deck) and off schedules",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        suggestions = await self._repo.suggestions_of(member.platform, member.id)
        schedules = await self._repo.schedules_by(member.platform, member.id)
        if not suggestions and not schedules:
            return {}
        return {
            "suggested_prompts": [
                {
                    "circle": circle_name,
                    "text": s.text,
                    "status": "in the circle's deck"
                    if s.approved
                    else "waiting for the facilitators",
                    "suggested_at": to_iso(s.suggested_at),
                }
                for circle_name, s in suggestions
            ],
            "schedules_set_up": [
                {
                    "circle": s.circle_name,
                    "schedule": s.id,
                    "kind": s.kind.value,
                    "when": s.form,
                    "created_at": to_iso(s.created_at),
                }
                for s in schedules
            ],
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._repo.forget(member)

    # --- helpers ------------------------------------------------------------------------------

    @staticmethod
    async def _circle(inv: Invocation) -> Circle:
        return circle_of(inv)

    async def _schedule(self, inv: Invocation, circle: Circle, schedule_id: int) -> Schedule:
        schedule = await self._repo.schedule(schedule_id)
        if schedule is None:
            raise CommandError(
                UNKNOWN_SCHEDULE.format(id=schedule_id, prefix=inv.prefix, circle=circle.name)
            )
        if schedule.circle_id != circle.id:
            raise CommandError(OTHER_CIRCLE_SCHEDULE.format(id=schedule_id, circle=circle.name))
        return schedule


def _drawer(
    deck: Deck, choices: Sequence[Prompt], circle_id: int
) -> Callable[[Mapping[str, int]], str | None]:
    ids = [p.id for p in deck.prompts]
    eligible = {p.id for p in choices}
    seed = f"{circle_id}:{deck.id}"

    def choose(uses: Mapping[str, int]) -> str | None:
        return draw(ids, uses, seed, eligible)

    return choose


def _zone(name: str) -> ZoneInfo:
    zone = parse_zone(name)
    if zone is None:
        log.warning("unknown time zone %r; using UTC", name)
        return ZoneInfo("UTC")
    return zone


def _read_form(form: str, zone: ZoneInfo, now: datetime) -> Rule:
    try:
        return parse_form(form, today=now.astimezone(zone).date())
    except FormError as error:
        raise CommandError(str(error)) from None


def _first(rule: Rule, zone: ZoneInfo, now: datetime, form: str) -> datetime:
    first = next_after(rule, zone, now)
    if first is None:
        raise CommandError(NEVER_AGAIN.format(form=clip(form, 60)))
    return first


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return resolve(datetime(day.year, day.month, day.day), zone)  # noqa: DTZ001 - a wall time, resolved in the zone


def _rounded(delta: timedelta) -> timedelta:
    """To the nearest minute, for saying how long until something."""
    return timedelta(minutes=round(delta.total_seconds() / 60))


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


def _required(value: int | None) -> int:
    if value is None:  # the router checks required options before the handler runs
        raise CommandError("I need the number for that.")
    return value
