"""Nudges: when a reply to someone's sharing reads as fixing, a short private note to the person
who wrote it (or one note to the whole thread, naming no one).

The flow for each message in a circle: the conversation's short in-memory window says whom it
answers and what that person asked for (`cogs.nudges.drift`); the detector reads the message
in that context (`cogs.nudges.detector`: after "any ideas?" a reply is solicited, and for
someone who chose listening, fixing weighs more); the drift rules weigh it at the circle's
sensitivity; the rate limits and opt-outs have their say (`cogs.nudges.limits`); and only then
a note goes. No message text is ever written to the database or to the logs by this cog: the
window keeps who wrote, the kind of wording and a few numbers about it, and the log keeps kind
names.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot import metrics
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
from bot.commands import CircleHandle, Invocation
from bot.commands.options import CIRCLE
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from bot.dashboard import Section, Topic
from cogs.circles import Circle, CircleLookup, Preference, circle_of
from cogs.nudges.asks import asks_for_ideas, asks_for_listening
from cogs.nudges.dashboard import NudgesDashboard
from cogs.nudges.detector import LISTENING_ODDS, AssessmentContext, Detector, default_detector
from cogs.nudges.detector import Preference as Asked
from cogs.nudges.drift import Conversation, Conversations, Drift, Reading, Sensitivity, Wish
from cogs.nudges.features import context_features
from cogs.nudges.kinds import SITUATION_WORDS, list_in_words, plain_words
from cogs.nudges.limits import Limits
from cogs.nudges.records import CircleNudging, NudgeRecord
from cogs.nudges.repo import NudgesRepo
from cogs.nudges.settings import NudgesSettings
from cogs.nudges.texts import (
    ALREADY_OFF,
    ALREADY_ON,
    MODE_WORDS,
    NO_NUDGE_YET,
    OFF,
    ON,
    SENSITIVITY_WORDS,
    SETTINGS,
    SETTINGS_AGREEMENT,
    SETTINGS_CHANGED,
    STATS_HEAD,
    STATS_NONE,
    WHY_DETAIL,
    NudgeTexts,
    noticed,
)

log = logging.getLogger(__name__)

PRUNE_EVERY = 500  # messages between sweeps of idle conversations
# Messages made only of these answer someone else's sharing; they are not sharing themselves.
RESPONDING = frozenset({"reflection", "validation", "pleasantry", "curious_question"})

OFF_SPEC = CommandSpec(
    ("nudges", "off"), "Stop the private notes about fixing replies, for you.", needs_space=False
)
ON_SPEC = CommandSpec(
    ("nudges", "on"),
    "Let the private notes about fixing replies reach you again.",
    needs_space=False,
)
WHY_SPEC = CommandSpec(
    ("nudges", "why"), "See what I noticed when I last sent you a note.", needs_space=False
)
STATS_SPEC = CommandSpec(
    ("nudges", "stats"),
    "Weekly counts of nudges per circle (numbers only).",
    (
        Option(
            "weeks",
            OptionKind.INTEGER,
            "How many weeks back (default 4)",
            min_value=1,
            max_value=26,
        ),
    ),
    permission=Permission.MODERATOR,
)
SETTINGS_SPEC = CommandSpec(
    ("nudges", "settings"),
    "See or set a circle's nudges: off, private or group; how attentive; an agreement to point to.",
    (
        CIRCLE,
        Option(
            "mode",
            OptionKind.CHOICE,
            "off, private or group",
            choices=("off", "private", "group"),
            keyword=True,
        ),
        Option(
            "sensitivity",
            OptionKind.CHOICE,
            "gentle: only clear fixing; normal: one fixing reply; attentive: softer wording too",
            choices=("gentle", "normal", "attentive"),
            keyword=True,
        ),
        Option(
            "agreement",
            OptionKind.INTEGER,
            "The number of the circle's agreement notes point to (0 for none)",
            min_value=0,
            max_value=100_000,
            keyword=True,
        ),
    ),
    permission=Permission.FACILITATOR,
)
_PREFERENCE_OF_WISH: dict[Wish, Asked | None] = {
    Wish.LISTENING: "listening",
    Wish.IDEAS: "ideas",
    Wish.UNSAID: None,
}


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
        self._dashboard = NudgesDashboard(repo)
        self._turns: dict[MemberRef | int, int] = {}
        self._seen = 0

    async def start(self) -> None:
        now = self._clock.now()
        await self._repo.prune(now - self._keep)
        self._settings = await self._repo.all_settings()

    # --- reading the room -------------------------------------------------------------------

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, MessagePosted):
            await self.read(event.message, event.author, event.text, event.at, event.reply_to)
        elif isinstance(event, MessageEdited):
            await self.read(event.message, event.author, event.text, event.at, None)

    async def read(
        self,
        message: MessageRef,
        author: MemberRef,
        text: str | None,
        at: datetime,
        reply_to: MessageRef | None,
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
        reply_to_author = conversation.author_of(reply_to.id) if reply_to else None
        sharer = conversation.sharer_for(author.id, reply_to_author, message.id)
        facts = conversation.facts_of(sharer)
        level = nudging.sensitivity.value
        wishes: dict[str, Wish] = {}
        # First with what the sharer said in words (free); the preferences they chose are read
        # from the database only when they could change the outcome: for a reply that reads
        # as fixing, or one that a listening preference could tip over the threshold.
        wish = conversation.wish(sharer, _unsaid) if sharer is not None else Wish.UNSAID
        assessment = self._detector.assess(text, _context(wish, facts), level=level)
        if (
            sharer is not None
            and sharer != author.id
            and self._could_matter(assessment.score, level)
        ):
            wishes = await self._wishes(circle)
            stated = conversation.wish(sharer, lambda m: wishes.get(m, Wish.UNSAID))
            if stated is not wish:
                wish = stated
                assessment = self._detector.assess(text, _context(wish, facts), level=level)
        reading = Reading(
            message_id=message.id,
            author=author.id,
            at=at,
            advice=assessment.advice,
            kind=assessment.kind if assessment.advice else None,
            fixing=assessment.fixing,
            asks_for_ideas=asks_for_ideas(text),
            asks_for_listening=asks_for_listening(text),
            responding=bool(assessment.counter) and set(assessment.counter) <= RESPONDING,
            reply_to=reply_to_author,
            facts=context_features(text),
        )
        drift = conversation.add(reading, nudging.sensitivity, lambda m: wishes.get(m, Wish.UNSAID))
        self._seen += 1
        if self._seen % PRUNE_EVERY == 0:
            self._conversations.prune(at)
        if drift is not None:
            await self._deliver(circle, message, key, drift, nudging)

    def _could_matter(self, score: float, level: str) -> bool:
        """Whether the sharer's stated preference could change this reply's outcome."""
        threshold = self._detector.threshold_for(level)
        if score >= threshold:
            return True
        odds = score / (1.0 - score) * LISTENING_ODDS if score < 1.0 else float("inf")
        return odds >= threshold / (1.0 - threshold)

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
        # Opt-outs and limits are read from the database at the moment of speaking, and the
        # note is claimed there: several processes (one per group of shards) may nudge the same
        # person in circles of different servers, and the limits hold across all of them.
        if await self._repo.is_opted_out(member):
            return
        now = self._clock.now()
        nudge_id = await self._repo.claim(
            self._limits,
            NudgeRecord(
                circle_id=circle.id,
                member_id=drift.member,
                conversation=key,
                at=now,
                situation=drift.situation,
                mode=nudging.mode,
                delivered=True,
                kinds=(drift.kind,) if drift.kind else (),
            ),
        )
        if nudge_id is None:
            log.info("a nudge in circle %d was held back by the rate limits", circle.id)
            metrics.nudge_held()
            return
        prefix = self._chat.command_prefix(circle.platform)
        delivered = True
        agreement = nudging.agreement
        if nudging.mode == "group":
            variant = self._texts.pick("group", self._turn(circle.id))
            text = self._texts.render(variant, noticed="", prefix=prefix, agreement=agreement)
            await self._chat.send(message.thread or message.room, text)
        else:
            variant = self._texts.pick(drift.situation.value, self._turn(member))
            text = self._texts.render(
                variant,
                noticed=noticed(drift.kind, drift.advice_count),
                prefix=prefix,
                agreement=agreement,
            )
            try:
                await self._chat.send_private(member, text)
            except DeliveryError:
                # A private note must stay private: no public fallback that would point at them.
                delivered = False
                log.info("a private nudge in circle %d could not be delivered", circle.id)
                await self._repo.mark_undelivered(nudge_id)
        metrics.nudge_sent(delivered=delivered)

    def _turn(self, who: MemberRef | int) -> int:
        turn = self._turns.get(who, 0)
        self._turns[who] = turn + 1
        return turn

    # --- commands ---------------------------------------------------------------------------

    @command(OFF_SPEC)
    async def turn_off(self, inv: Invocation) -> None:
        changed = await self._repo.opt_out(inv.invoker, inv.at)
        self._conversations.forget(inv.invoker.id)
        text = OFF if changed else ALREADY_OFF
        await inv.reply(text.format(prefix=inv.prefix), Visibility.PERSONAL)

    @command(ON_SPEC)
    async def turn_on(self, inv: Invocation) -> None:
        changed = await self._repo.opt_in(inv.invoker)
        text = ON if changed else ALREADY_ON
        await inv.reply(text.format(prefix=inv.prefix), Visibility.PERSONAL)

    @command(WHY_SPEC)
    async def why(self, inv: Invocation) -> None:
        last = await self._repo.last_for(inv.invoker)
        if last is None:
            await inv.reply(NO_NUDGE_YET, Visibility.PRIVATE)
            return
        record, circle_name = last
        detail = WHY_DETAIL.format(
            kinds=list_in_words(record.kinds),
            circle=circle_name,
            day=f"{record.at:%d %B %Y}".lstrip("0"),
        )
        nudging = self._settings.get(record.circle_id, self._default)
        variant = self._texts.pick("self_check", self._turn(inv.invoker))
        text = self._texts.render(
            variant, noticed=detail, prefix=inv.prefix, agreement=nudging.agreement
        )
        await inv.reply(text, Visibility.PRIVATE)

    @command(STATS_SPEC)
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
        lines = [STATS_HEAD] + [
            f"• {name} · {' · '.join(weeks_)}" for name, weeks_ in by_circle.items()
        ]
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    @command(SETTINGS_SPEC)
    async def settings(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        current = self._settings.get(circle.id, self._default)
        mode = inv.text("mode")
        sensitivity = inv.text("sensitivity")
        agreement = inv.integer("agreement")
        if mode is None and sensitivity is None and agreement is None:
            await inv.reply(_describe(SETTINGS, circle.name, current), Visibility.PERSONAL)
            return
        updated = CircleNudging(
            mode or current.mode,
            Sensitivity(sensitivity) if sensitivity else current.sensitivity,
            current.agreement if agreement is None else (agreement or None),
        )
        await self._repo.set_settings(circle.id, updated)
        self._settings[circle.id] = updated
        await inv.reply(_describe(SETTINGS_CHANGED, circle.name, updated))

    # --- data care --------------------------------------------------------------------------

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]:
        """The web dashboard's weekly counts (``bot.dashboard``): numbers only."""
        return await self._dashboard.dashboard(topic, circles, self._clock.now())

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Nudges",
            keeps=(
                "whether you turned nudges off",
                "for each note I sent you: when, in which circle, what kind of moment it was, and the kind of wording I noticed (a name like “a nudge towards professional help”, never your words)",
                "while a conversation is live, in memory only: who wrote each recent message, whether it read as fixing and a few numbers about its shape (a question or not, about the circle or not), never the words; it's gone after an hour of quiet or a restart",
            ),
            kept_for=f"the log for {self._keep.days} days; the opt-out until you change it or ask me to forget you",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        records = await self._repo.of_member(member)
        return {
            "nudges_off": await self._repo.is_opted_out(member),
            "notes": [
                {
                    "circle": circle_name,
                    "at": to_iso(record.at),
                    "what_happened": SITUATION_WORDS[record.situation.value],
                    "what_i_noticed": [plain_words(kind) for kind in record.kinds],
                    "delivered": record.delivered,
                }
                for record, circle_name in records
                if record.mode == "private"
            ],
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._repo.forget(member)
        self._conversations.forget(member.id)


def _unsaid(_member: str) -> Wish:
    return Wish.UNSAID


def _context(wish: Wish, facts: tuple[int, ...] | None) -> AssessmentContext:
    """What the detector is told about the conversation: the sharer's wish and the numbers
    kept about the message answered."""
    return AssessmentContext(
        asked_for_ideas=wish is Wish.IDEAS, preference=_PREFERENCE_OF_WISH[wish], facts=facts
    )


def _describe(template: str, circle: str, nudging: CircleNudging) -> str:
    """A circle's nudge settings in words."""
    agreement = SETTINGS_AGREEMENT.format(number=nudging.agreement) if nudging.agreement else ""
    return template.format(
        circle=circle,
        mode=MODE_WORDS[nudging.mode],
        sensitivity=nudging.sensitivity.value,
        meaning=SENSITIVITY_WORDS[nudging.sensitivity.value],
        agreement=agreement,
    )


def _room_key(room: RoomRef) -> str:
    return f"{room.platform.value}:{room.id}"


def _conversation_key(message: MessageRef) -> str:
    base = _room_key(message.room)
    return f"{base}/{message.thread.id}" if message.thread else base
