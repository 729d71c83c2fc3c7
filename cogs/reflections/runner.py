"""The runner: every schedule's alarm, and what happens when one rings. The database is the
truth: each schedule stores its next run, and on start every alarm is re-armed from it
(``reflections:schedule:<id>``). When an alarm rings, the run is checked (still due? missed
for too long? is the room busy?), then *claimed* in one transaction with the posting-log row
and the schedule's next run, and only then posted, through the ``Chat`` port.

The missed-run rule: a prompt or hand-over missed while the bot was away is posted once if
it is less than the grace period late (everything missed is one post, the latest); older ones
are skipped and logged. A meeting reminder only goes out before the meeting starts.
"""

from __future__ import annotations

import asyncio
import logging
import time as wallclock
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot import metrics
from bot.chat import Chat, DeliveryError, Destination, RoomRef, SpaceRef, ThreadRef, room_of
from bot.clock import Clock, to_iso
from bot.commands import format_duration
from bot.outbound import post
from bot.scheduling import Timers
from cogs.circles import CircleLookup, Facilitation
from cogs.reflections.choosing import DEFAULT_DECK, Decks, drawer
from cogs.reflections.decks import Prompt
from cogs.reflections.gating import RoomActivity, hold_until
from cogs.reflections.model import Kind, Outcome, Schedule
from cogs.reflections.repo import ReflectionsRepo
from cogs.reflections.settings import ReflectionsSettings
from cogs.reflections.texts import (
    DECK_EMPTY_NOW,
    DECK_GONE,
    MISSED_LOG,
    NO_PROMPTS_NOTE,
    PROMPT_POST,
    PROMPT_POST_UNTITLED,
    REMINDER,
    UNTITLED_THREAD,
)
from cogs.reflections.timing import (
    Rule,
    latest_due,
    load_rule,
    midnight,
    next_after,
    say_when,
    zone_named,
)

log = logging.getLogger(__name__)

JOB = "schedule:{id}"
DEFAULT_REMIND = timedelta(hours=1)
UNCONFIRMED_AFTER = timedelta(minutes=10)  # a claim older than this was never going to be posted


@dataclass(frozen=True, slots=True)
class Due:
    """A run that is due: ``expected`` is when it was planned, ``fire`` the time it stands for
    (the latest missed one), ``next_due`` the schedule's run after it, ``now`` the moment."""

    schedule: Schedule
    expected: datetime
    fire: datetime
    next_due: datetime | None
    now: datetime

    @property
    def claim(self) -> tuple[Schedule, datetime, datetime, datetime | None, datetime]:
        return self.schedule, self.expected, self.fire, self.next_due, self.now


class Runner:
    def __init__(
        self,
        *,
        repo: ReflectionsRepo,
        chat: Chat,
        clock: Clock,
        timers: Timers,
        circles: CircleLookup,
        facilitation: Facilitation,
        decks: Decks,
        settings: ReflectionsSettings,
    ) -> None:
        self._repo = repo
        self._chat = chat
        self._clock = clock
        self._timers = timers
        self._circles = circles
        self._facilitation = facilitation
        self._decks = decks
        self.quiet = timedelta(minutes=settings.quiet_minutes)
        self.grace = timedelta(hours=settings.missed_run_grace_hours)
        self.max_wait = min(timedelta(minutes=settings.max_wait_minutes), self.grace)
        self.activity = RoomActivity()
        # One prompt at a time per room: the alarm clock wakes schedules side by side, and two
        # due together must not both find the room quiet before either has posted.
        self._room_locks: defaultdict[tuple[str, str], asyncio.Lock] = defaultdict(asyncio.Lock)

    async def start(self) -> None:
        """Runs left claimed by a process that stopped are never posted; every alarm is re-armed
        from its schedule's next run."""
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
            self.arm(timer.schedule_id, timer.kind, timer.next_due, timer.remind, timer.space)
        log.info(
            "reflections: %d schedule timers re-armed in %.3f s",
            len(timers),
            wallclock.perf_counter() - started,
        )

    async def follow_zone(self, circle_id: int) -> None:
        """The circle keeps time in another zone now: plan its schedules again at once, so that
        `schedule list` and what happens agree (schedules with a zone of their own stay)."""
        now = self._clock.now()
        for schedule in await self._repo.schedules_of(circle_id):
            if schedule.time_zone is None:
                await self.replan(schedule, now)

    async def replan(self, schedule: Schedule, now: datetime) -> Schedule:
        """Plan the next run again in the schedule's zone (after a pause, if it rests)."""
        zone = zone_named(schedule.zone_name)
        rule = load_rule(schedule.rule)
        start = now
        if schedule.paused_until is not None and schedule.paused_on(now.astimezone(zone).date()):
            start = midnight(schedule.paused_until, zone) - timedelta(seconds=1)
        following = next_after(rule, zone, start)
        if following == schedule.next_due:
            return schedule
        if await self._repo.move_on(schedule.id, schedule.next_due, following):
            log.info(
                "schedule %d: planned again in %s; next run %s", schedule.id, zone.key, following
            )
            self.arm(schedule.id, schedule.kind, following, schedule.remind)
        return await self._repo.schedule(schedule.id) or schedule

    def planned_in_its_zone(self, schedule: Schedule) -> bool:
        if schedule.next_due is None:
            return True
        rule = load_rule(schedule.rule)
        return (
            next_after(
                rule, zone_named(schedule.zone_name), schedule.next_due - timedelta(seconds=1)
            )
            == schedule.next_due
        )

    def arm(
        self,
        schedule_id: int,
        kind: Kind,
        due: datetime | None,
        remind: timedelta | None,
        space: SpaceRef | None = None,
    ) -> None:
        """Arm the schedule's alarm; with its circle's ``space``, only if this process owns
        the circle (bot/ownership.py)."""
        job = JOB.format(id=schedule_id)
        if due is None:
            self._timers.cancel(job)
            return
        wake = due - (remind or DEFAULT_REMIND) if kind is Kind.MEETING else due
        self._timers.at(job, wake, self._waker(schedule_id, due), space=space)

    def _arm_schedule(self, schedule: Schedule) -> None:
        self.arm(schedule.id, schedule.kind, schedule.next_due, schedule.remind)

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
        async with self.room_lock(schedule.room):
            fresh = await self._repo.schedule(schedule_id)  # as it is now that the room is ours
            if fresh is not None:
                await self._run(fresh, expected, held=held)

    def room_lock(self, room: RoomRef) -> asyncio.Lock:
        return self._room_locks[(room.platform.value, room.id)]

    async def _run(self, schedule: Schedule, expected: datetime, *, held: bool) -> None:
        if schedule.next_due != expected:
            self._arm_schedule(schedule)  # skipped, paused or claimed elsewhere: follow the truth
            return
        now = self._clock.now()
        zone = zone_named(schedule.zone_name)
        rule = load_rule(schedule.rule)
        if next_after(rule, zone, expected - timedelta(seconds=1)) != expected:
            # Planned in another time zone (the circle's zone was changed since): plan again.
            following = next_after(rule, zone, now)
            log.info(
                "schedule %d: planned in another time zone; next run now %s", schedule.id, following
            )
            if await self._repo.move_on(schedule.id, expected, following):
                self.arm(schedule.id, schedule.kind, following, schedule.remind)
            return
        if schedule.kind is Kind.MEETING:
            await self._remind(schedule, rule, zone, expected, now)
            return
        fire = expected
        if now - expected > self.grace and not held:
            first_in_grace = next_after(rule, zone, now - self.grace - timedelta(seconds=1))
            metrics.scheduled_post(schedule.kind.value, "missed")
            log.warning(
                MISSED_LOG,
                schedule.id,
                schedule.kind.value,
                schedule.circle_id,
                to_iso(expected),
                format_duration(now - expected),
                format_duration(self.grace),
            )
            if first_in_grace is None or first_in_grace > now:
                await self._settle(
                    schedule, expected, expected, first_in_grace, now, Outcome.MISSED
                )
                return
            fire = first_in_grace
        # Everything that came due while we were away is one post: the latest.
        fire, next_due = latest_due(rule, zone, fire, now)
        if schedule.kind is Kind.PROMPT:
            wait = hold_until(
                now=now,
                due=expected,
                last_message=self.activity.last(schedule.room),
                quiet=self.quiet,
                max_wait=self.max_wait,
                round_open=schedule.round_open,
                last_own_post=self.activity.last_own(schedule.room),
            )
            if wait is not None:
                log.debug(
                    "schedule %d waits for a quiet moment until %s", schedule.id, to_iso(wait)
                )
                self._timers.at(
                    JOB.format(id=schedule.id), wait, self._waker(schedule.id, expected, held=True)
                )
                return
        due = Due(schedule, expected, fire, next_due, now)
        if schedule.archived:
            await self._settle(schedule, expected, fire, next_due, now, Outcome.SKIPPED)
            return
        if schedule.kind is Kind.ROTA:
            await self._hand_over(due)
        else:
            await self._post_scheduled(due)

    async def _post_scheduled(self, due: Due) -> None:
        schedule = due.schedule
        deck = await self._decks.get(schedule.circle_id, schedule.deck_id or DEFAULT_DECK)
        choices = deck.choose(schedule.choosing) if deck else ()
        if deck is None or not choices:
            claimed = await self._settle(*due.claim, Outcome.FAILED)
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
            expected=due.expected,
            fire=due.fire,
            next_due=due.next_due,
            at=due.now,
            draw=drawer(deck, choices, schedule.circle_id),
        )
        if claimed is None:
            fresh = await self._repo.schedule(schedule.id)  # another instance or a skip has it
            if fresh is not None:
                self._arm_schedule(fresh)
            return
        self.arm(schedule.id, schedule.kind, due.next_due, schedule.remind)
        run_id, prompt_id = claimed
        prompt = deck.get(prompt_id or "")
        if prompt is None:
            await self._repo.record(run_id, Outcome.FAILED, self._clock.now())
            return
        await self.post_prompt(run_id, schedule.room, schedule.thread, schedule.circle_name, prompt)

    async def post_prompt(
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
        self.activity.posted(room, self._clock.now())
        await self._repo.record(
            run_id, Outcome.POSTED, self._clock.now(), posted_thread, message_id
        )
        metrics.scheduled_post(Kind.PROMPT.value, "posted")

    async def _hand_over(self, due: Due) -> None:
        schedule = due.schedule
        claimed = await self._settle(*due.claim, Outcome.CLAIMED)
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
            await self._settle(schedule, meeting, meeting, following, now, Outcome.MISSED)
            return
        following = next_after(rule, zone, meeting)
        outcome = Outcome.SKIPPED if schedule.archived else Outcome.CLAIMED
        claimed = await self._settle(schedule, meeting, meeting, following, now, outcome)
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
        """Post what a schedule says; the room counts it as the bot's own latest post."""
        if not await post(self._chat, where, text):
            return False
        self.activity.posted(room_of(where), self._clock.now())
        return True

    async def _settle(
        self,
        schedule: Schedule,
        expected: datetime,
        fire: datetime,
        next_due: datetime | None,
        now: datetime,
        outcome: Outcome,
    ) -> tuple[int, str | None] | None:
        """Claim the run at ``fire`` with ``outcome``, move the schedule on to ``next_due``
        and arm its next alarm; the claim, or None when the run was someone else's."""
        claimed = await self._repo.claim(
            schedule, expected=expected, fire=fire, next_due=next_due, at=now, outcome=outcome
        )
        self.arm(schedule.id, schedule.kind, next_due, schedule.remind)
        return claimed

    def disarm(self, schedule_id: int) -> None:
        self._timers.cancel(JOB.format(id=schedule_id))

    def stop(self) -> None:
        self._timers.cancel_all()


def _rounded(delta: timedelta) -> timedelta:
    """To the nearest minute, for saying how long until something."""
    return timedelta(minutes=round(delta.total_seconds() / 60))
