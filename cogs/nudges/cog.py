"""Gentle nudges: when a thread drifts from someone's sharing into advice, a kind private note
to the person whose reply tipped it (or one note to the whole thread, naming no one).

The flow for each message in a circle: the detector reads it (`cogs.nudges.detector`), the
drift rules weigh it against the conversation's short in-memory window (`cogs.nudges.drift`),
the rate limits and opt-outs have their say (`cogs.nudges.limits`), and only then a note goes.
No message text is ever written to the database or to the logs by this cog: the window keeps
who wrote and what kind of wording it was, and the log keeps fixed family names.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.chat import (
    DeliveryError,
    Event,
    MemberRef,
    MessageEdited,
    MessagePosted,
    MessageRef,
    RoomRef,
    ThreadRef,
    Visibility,
)
from bot.clock import to_iso
from bot.cog import Cog, DataStatement, DomainEvent, Services
from bot.commands import Command, CommandSpec, Invocation, Option, OptionKind, Permission
from cogs.circles import Circle, CircleLookup, Preference
from cogs.nudges.asks import asks_for_ideas, asks_for_listening
from cogs.nudges.detector import Detector, default_detector
from cogs.nudges.drift import Conversation, Conversations, Drift, Reading, Sensitivity, Wish
from cogs.nudges.limits import DAY, Given, Limits, allows
from cogs.nudges.repo import CircleNudging, NudgeRecord, NudgesRepo
from cogs.nudges.settings import NudgesSettings
from cogs.nudges.texts import NudgeTexts, kind_names, noticed

log = logging.getLogger(__name__)

PRUNE_EVERY = 500  # messages between sweeps of idle conversations
# Messages made only of these answer someone else's sharing; they are not sharing themselves.
RESPONDING = frozenset({"reflection", "validation", "pleasantry", "curious_question"})

OFF = "Nudges are off for you now, everywhere I am. I won't send you these notes. `{prefix}nudges on` brings them back whenever you like."
ALREADY_OFF = "Nudges were already off for you. `{prefix}nudges on` brings them back."
ON = "Nudges are on for you again. Thank you; I'll keep them rare and private."
ALREADY_ON = "Nudges are already on for you. `{prefix}nudges off` turns them off."
NO_NUDGE_YET = "You haven't had a note from me, so there's nothing to explain. 🌿"
WHY_DETAIL = "{kinds}, in a reply of yours in {circle} on {day}"
SETTINGS = "Nudges in **{circle}**: {mode}, sensitivity {sensitivity}."
SETTINGS_CHANGED = "Updated: nudges in **{circle}** are {mode}, sensitivity {sensitivity}."
MODE_WORDS = {
    "off": "off",
    "private": "private notes to the person whose reply tipped a thread",
    "group": "one note to the whole thread, naming no one",
}
STATS_HEAD = "**Nudges in this space**, by week (numbers only):"
STATS_NONE = "No nudges in this space in the last {weeks} weeks."

OFF_SPEC = CommandSpec(("nudges", "off"), "Stop the gentle notes about advice, for you.", needs_space=False)
ON_SPEC = CommandSpec(("nudges", "on"), "Let the gentle notes about advice reach you again.", needs_space=False)
WHY_SPEC = CommandSpec(("nudges", "why"), "See what I noticed when I last sent you a note.", needs_space=False)
STATS_SPEC = CommandSpec(
    ("nudges", "stats"),
    "Weekly counts of nudges per circle (numbers only).",
    (Option("weeks", OptionKind.INTEGER, "How many weeks back (default 4)", min_value=1, max_value=26),),
    permission=Permission.MODERATOR,
)
SETTINGS_SPEC = CommandSpec(
    ("nudges", "settings"),
    "See or set a circle's nudges: off, private or group, and how attentive.",
    (
        Option("circle", OptionKind.CIRCLE, "Which circle (the one in this room if left out)"),
        Option("mode", OptionKind.CHOICE, "off, private or group", choices=("off", "private", "group"), keyword=True),
        Option(
            "sensitivity",
            OptionKind.CHOICE,
            "gentle, normal or attentive",
            choices=("gentle", "normal", "attentive"),
            keyword=True,
        ),
    ),
    permission=Permission.FACILITATOR,
)


class NudgesCog(Cog):
    name = "nudges"

    def __init__(
        self,
        services: Services,
        settings: NudgesSettings,
        circles: CircleLookup,
        repo: NudgesRepo,
        detector: Detector | None = None,
        texts: NudgeTexts | None = None,
    ) -> None:
        self._chat = services.chat
        self._clock = services.clock
        self._circles = circles
        self._repo = repo
        self._detector = detector or default_detector()
        self._texts = texts or NudgeTexts.load()
        config = settings
        self._default = CircleNudging(config.default_mode, Sensitivity(config.default_sensitivity))
        self._limits = Limits(
            per_member=timedelta(minutes=config.per_member_minutes),
            per_thread=timedelta(minutes=config.per_thread_minutes),
            daily_per_member=config.daily_per_member,
            daily_per_circle=config.daily_per_circle,
        )
        self._keep = timedelta(days=config.keep_days)
        self._conversations = Conversations()
        self._settings: dict[int, CircleNudging] = {}
        self._opted_out: set[MemberRef] = set()
        self._given: list[Given] = []
        self._turns: dict[MemberRef | int, int] = {}
        self._seen = 0

    def commands(self) -> Sequence[Command]:
        return (
            Command(OFF_SPEC, self.turn_off),
            Command(ON_SPEC, self.turn_on),
            Command(WHY_SPEC, self.why),
            Command(STATS_SPEC, self.stats),
            Command(SETTINGS_SPEC, self.settings),
        )

    async def start(self) -> None:
        now = self._clock.now()
        await self._repo.prune(now - self._keep)
        self._settings = await self._repo.all_settings()
        self._opted_out = await self._repo.opted_out()
        self._given = [
            Given(r.member_id or "", r.conversation, r.circle_id, r.at) for r in await self._repo.since(now - DAY)
        ]

    # --- reading the room -------------------------------------------------------------------

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, MessagePosted):
            await self.read(event.message, event.author, event.text, event.at, event.reply_to)
        elif isinstance(event, MessageEdited):
            await self.read(event.message, event.author, event.text, event.at, None)

    async def read(
        self, message: MessageRef, author: MemberRef, text: str | None, at: datetime, reply_to: MessageRef | None
    ) -> None:
        """Weigh one message (new or edited). Nothing of its text outlives this call."""
        if text is None:
            return  # the platform withheld the text (Discord without message content)
        circle = await self._circles.bound_to(message.room, message.thread)
        if circle is None or circle.archived:
            return  # never outside circles
        nudging = self._settings.get(circle.id, self._default)
        if nudging.mode == "off":
            return
        key = _conversation_key(message)
        conversation = self._conversations.get(key)
        if message.thread is not None and not len(conversation):
            self._begin_thread(conversation, message.room, message.thread)
        assessment = self._detector.assess(text)
        reading = Reading(
            message_id=message.id,
            author=author.id,
            at=at,
            advice=assessment.advice,
            strong=assessment.strong,
            suggestion="suggestion_question" in assessment.families,
            labelling="labelling" in assessment.families,
            asks_for_ideas=asks_for_ideas(text),
            asks_for_listening=asks_for_listening(text),
            responding=bool(assessment.counter) and set(assessment.counter) <= RESPONDING,
            reply_to=conversation.author_of(reply_to.id) if reply_to else None,
            cues=assessment.families,
        )
        wishes = await self._wishes(circle) if reading.advice else {}
        drift = conversation.add(reading, nudging.sensitivity, lambda m: wishes.get(m, Wish.UNSAID))
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            self._conversations.prune(at)
        if drift is not None:
            await self._deliver(circle, message, key, drift, nudging)

    def _begin_thread(self, conversation: Conversation, room: RoomRef, thread: ThreadRef) -> None:
        """A thread made on a message in the room starts with that message (its id is the
        thread's, on Matrix and Discord alike): when someone shares in the room and the replies
        go into a thread on it, they answer that sharing."""
        in_room = self._conversations.find(_room_key(room))
        opening = in_room.reading(thread.id) if in_room is not None else None
        if opening is not None:
            conversation.begin_with(opening)

    async def _wishes(self, circle: Circle) -> dict[str, Wish]:
        wishes = {}
        for membership in await self._circles.members(circle.id):
            if membership.preference is Preference.LISTENING:
                wishes[membership.member_id] = Wish.LISTENING
            elif membership.preference is Preference.IDEAS:
                wishes[membership.member_id] = Wish.IDEAS
        return wishes

    async def _deliver(
        self, circle: Circle, message: MessageRef, key: str, drift: Drift, nudging: CircleNudging
    ) -> None:
        member = circle.member(drift.member)
        if member in self._opted_out:
            return
        now = self._clock.now()
        self._given = [g for g in self._given if now - g.at < DAY]
        if not allows(self._limits, self._given, member=drift.member, conversation=key, circle_id=circle.id, now=now):
            log.info("a nudge in circle %d was held back by the rate limits", circle.id)
            return
        prefix = self._chat.command_prefix(circle.platform)
        delivered = True
        if nudging.mode == "group":
            text = self._texts.render(self._texts.pick("group", self._turn(circle.id)), noticed="", prefix=prefix)
            await self._chat.send(message.thread or message.room, text)
        else:
            variant = self._texts.pick(drift.situation.value, self._turn(member))
            text = self._texts.render(
                variant, noticed=noticed(drift.cues, drift.advice_count), prefix=prefix
            )
            try:
                await self._chat.send_private(member, text)
            except DeliveryError:
                # A private note must stay private: no public fallback that would point at them.
                delivered = False
                log.info("a private nudge in circle %d could not be delivered", circle.id)
        self._given.append(Given(drift.member, key, circle.id, now))
        await self._repo.record(
            NudgeRecord(
                circle_id=circle.id,
                member_id=drift.member,
                conversation=key,
                at=now,
                situation=drift.situation,
                mode=nudging.mode,
                delivered=delivered,
                kinds=drift.cues,
            )
        )

    def _turn(self, who: MemberRef | int) -> int:
        turn = self._turns.get(who, 0)
        self._turns[who] = turn + 1
        return turn

    # --- commands ---------------------------------------------------------------------------

    async def turn_off(self, inv: Invocation) -> None:
        changed = await self._repo.opt_out(inv.invoker, inv.at)
        self._opted_out.add(inv.invoker)
        self._conversations.forget(inv.invoker.id)
        text = OFF if changed else ALREADY_OFF
        await inv.reply(text.format(prefix=inv.prefix), Visibility.PERSONAL)

    async def turn_on(self, inv: Invocation) -> None:
        changed = await self._repo.opt_in(inv.invoker)
        self._opted_out.discard(inv.invoker)
        text = ON if changed else ALREADY_ON
        await inv.reply(text.format(prefix=inv.prefix), Visibility.PERSONAL)

    async def why(self, inv: Invocation) -> None:
        last = await self._repo.last_for(inv.invoker)
        if last is None:
            await inv.reply(NO_NUDGE_YET, Visibility.PRIVATE)
            return
        record, circle_name = last
        detail = WHY_DETAIL.format(
            kinds=kind_names(record.kinds), circle=circle_name, day=f"{record.at:%d %B %Y}".lstrip("0")
        )
        variant = self._texts.pick("self_check", self._turn(inv.invoker))
        await inv.reply(self._texts.render(variant, noticed=detail, prefix=inv.prefix), Visibility.PRIVATE)

    async def stats(self, inv: Invocation) -> None:
        room = inv.need_room
        weeks = inv.integer("weeks") or 4
        counts = await self._repo.weekly_counts(room.space, inv.at - timedelta(weeks=weeks))
        if not counts:
            await inv.reply(STATS_NONE.format(weeks=weeks), Visibility.PERSONAL)
            return
        by_circle: dict[str, list[str]] = {}
        for row in counts:
            by_circle.setdefault(row.circle_name, []).append(f"{row.week}: {row.count}")
        lines = [STATS_HEAD] + [f"• {name} · {' · '.join(weeks_)}" for name, weeks_ in by_circle.items()]
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def settings(self, inv: Invocation) -> None:
        circle = inv.need_circle
        current = self._settings.get(circle.id, self._default)
        mode = inv.text("mode")
        sensitivity = inv.text("sensitivity")
        if mode is None and sensitivity is None:
            await inv.reply(
                SETTINGS.format(circle=circle.name, mode=MODE_WORDS[current.mode], sensitivity=current.sensitivity),
                Visibility.PERSONAL,
            )
            return
        updated = CircleNudging(mode or current.mode, Sensitivity(sensitivity) if sensitivity else current.sensitivity)
        await self._repo.set_settings(circle.id, updated)
        self._settings[circle.id] = updated
        await inv.reply(
            SETTINGS_CHANGED.format(circle=circle.name, mode=MODE_WORDS[updated.mode], sensitivity=updated.sensitivity)
        )

    # --- data care --------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Nudges",
            keeps=(
                "whether you turned nudges off",
                "for each note I sent you: when, in which circle, what kind of moment it was, and the kind of wording I noticed (a name like “a suggestion”, never your words)",
                "while a conversation is live, in memory only: who wrote each recent message and whether it read as advice, never the words; it's gone after an hour of quiet or a restart",
            ),
            kept_for=f"the log for {self._keep.days} days; the opt-out until you change it or ask me to forget you",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        records = await self._repo.of_member(member)
        return {
            "nudges_off": member in self._opted_out,
            "notes": [
                {
                    "circle": circle_name,
                    "at": to_iso(record.at),
                    "situation": record.situation.value,
                    "kinds": list(record.kinds),
                    "delivered": record.delivered,
                }
                for record, circle_name in records
                if record.mode == "private"
            ],
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._repo.forget(member)
        self._opted_out.discard(member)
        self._conversations.forget(member.id)
        self._given = [g for g in self._given if g.member != member.id]


def _room_key(room: RoomRef) -> str:
    return f"{room.platform.value}:{room.id}"


def _conversation_key(message: MessageRef) -> str:
    base = _room_key(message.room)
    return f"{base}/{message.thread.id}" if message.thread else base

