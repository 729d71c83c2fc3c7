"""Thread drift: when replies to someone's sharing slide into fixing. Pure rules, no text kept.

Each conversation (a thread, or a room outside threads) has a short window of *readings*: who
wrote, when, to whom, and what the detector made of it (fixing or not, which kind). Never the
words; the only trace of a message's content is `Reading.facts`, the few numbers the model
weighs about a message answered (is it a question, is it about the circle). The rules then ask
one question per new reading: has this reply tipped the conversation into fixing, for the
person who was sharing?

Each sensitivity (a circle setting) is a level of the detector, whose threshold was chosen for
a precision (see `cogs.nudges.detector`), and a number of fixing replies:

| sensitivity | the detector's level | fixing replies to one sharer | to someone who asked to be listened to |
|---|---|---|---|
| gentle      | gentle: nearly always fixing when it reads so | 2 | 1 |
| normal      | normal: fixing about 19 times in 20 on our dev data | 1 | 1 |
| attentive   | attentive: softer wording too | 1 | 1 |

Quiet, always: when the sharer asked for ideas ("any advice?", "what would you do?") or chose
"open to ideas"; for the sharer's own messages (self-talk is theirs to have); for fixing with
nobody sharing; and for the same message twice (an edit is read again, but never nudged
again). After a nudge the count starts afresh, so one drift earns one nudge. The rate limits
(`cogs.nudges.limits`) then keep nudges rare.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

WINDOW_SPAN = timedelta(minutes=60)
WINDOW_SIZE = 30


class Sensitivity(enum.StrEnum):
    GENTLE = "gentle"
    NORMAL = "normal"
    ATTENTIVE = "attentive"


class Situation(enum.StrEnum):
    """Which kind of nudge text fits (the situations of prompts/nudges.toml)."""

    DRIFT = "drift"
    LISTENING = "listening"
    SUGGESTION = "suggestion"
    LABELLING = "labelling"


class Wish(enum.Enum):
    """What the person sharing has said they would like."""

    UNSAID = "unsaid"
    LISTENING = "listening"
    IDEAS = "ideas"


@dataclass(frozen=True, slots=True)
class Rule:
    fixing_replies: int
    for_listener: int = 1


RULES = {
    Sensitivity.GENTLE: Rule(fixing_replies=2),
    Sensitivity.NORMAL: Rule(fixing_replies=1),
    Sensitivity.ATTENTIVE: Rule(fixing_replies=1),
}


@dataclass(frozen=True, slots=True)
class Reading:
    """One message as the rules see it: never its text."""

    message_id: str
    author: str
    at: datetime
    advice: bool  # read as fixing, at the circle's level, and not solicited
    kind: str | None = None  # the fixing kind, for the note and `nudges why`
    fixing: bool = False  # fixing wording, solicited or not: an answer, never a sharing
    asks_for_ideas: bool = False  # the author asks for ideas
    asks_for_listening: bool = False  # the author asks to be listened to
    responding: bool = False  # answers someone (a reflection, a question, validation), not sharing
    reply_to: str | None = None  # the author of the message this one replies to
    facts: tuple[int, ...] = ()  # what the model weighs about this message when it is answered


@dataclass(frozen=True, slots=True)
class Drift:
    """A decision to nudge ``member``, whose message ``message_id`` tipped the conversation."""

    member: str
    sharer: str
    message_id: str
    situation: Situation
    kind: str | None
    advice_count: int


@dataclass(frozen=True, slots=True)
class _Entry:
    reading: Reading
    sharer: str | None
    spent: bool = False  # counted towards a nudge already given


WishOf = Callable[[str], Wish]


class Conversation:
    """The short, in-memory window of one thread or room."""

    def __init__(self, span: timedelta = WINDOW_SPAN, size: int = WINDOW_SIZE) -> None:
        self._span = span
        self._entries: deque[_Entry] = deque(maxlen=size)
        self._nudged: set[str] = set()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def last_at(self) -> datetime | None:
        return self._entries[-1].reading.at if self._entries else None

    def sharer_for(
        self, author: str, reply_to: str | None, message_id: str | None = None
    ) -> str | None:
        """Who a message by ``author`` answers: the person it replies to, or else the latest
        person (other than its author) who shared something: not fixing, and not itself an
        answer to someone else (a reflection, a question, a word of validation). An edited
        message keeps the sharer it had."""
        if message_id is not None:
            for entry in self._entries:
                if entry.reading.message_id == message_id:
                    return entry.sharer
        if reply_to is not None and reply_to != author:
            return reply_to
        for entry in reversed(self._entries):
            earlier = entry.reading
            answering = earlier.advice or earlier.fixing or earlier.responding
            if earlier.author != author and not answering:
                return earlier.author
        return None

    def wish(self, sharer: str, wish_of: WishOf) -> Wish:
        """What the sharer wants: their stated preference, else what they said most recently."""
        stated = wish_of(sharer)
        if stated is not Wish.UNSAID:
            return stated
        for entry in reversed(self._entries):
            if entry.reading.author != sharer:
                continue
            if entry.reading.asks_for_listening:
                return Wish.LISTENING
            if entry.reading.asks_for_ideas:
                return Wish.IDEAS
        return Wish.UNSAID

    def facts_of(self, author: str | None) -> tuple[int, ...] | None:
        """The context facts of ``author``'s latest message still in the window."""
        if author is None:
            return None
        for entry in reversed(self._entries):
            if entry.reading.author == author:
                return entry.reading.facts
        return None

    def add(self, reading: Reading, sensitivity: Sensitivity, wish_of: WishOf) -> Drift | None:
        """Take in a new (or edited) message; return a drift if it tipped the conversation."""
        self._expire(reading.at)
        sharer = self.sharer_for(reading.author, reading.reply_to, reading.message_id)
        edited = [e for e in self._entries if e.reading.message_id == reading.message_id]
        for entry in edited:
            self._entries.remove(entry)
        self._entries.append(_Entry(reading, sharer))
        if sharer is None or not reading.advice or reading.author == sharer:
            return None
        if reading.message_id in self._nudged:
            return None
        wish = self.wish(sharer, wish_of)
        if wish is Wish.IDEAS:
            return None
        drift = self._judge(reading, sharer, wish, RULES[sensitivity])
        if drift is not None:
            self._nudged.add(reading.message_id)
            self._spend(sharer)
        return drift

    def author_of(self, message_id: str) -> str | None:
        """Who wrote a message still in the window (to know whom a reply answers)."""
        found = self.reading(message_id)
        return found.author if found else None

    def reading(self, message_id: str) -> Reading | None:
        """A message still in the window, as it was read."""
        for entry in self._entries:
            if entry.reading.message_id == message_id:
                return entry.reading
        return None

    def begin_with(self, opening: Reading) -> None:
        """A thread that hangs on a message read in the room (a Matrix thread root, a Discord
        thread made from a post) begins with that message: replies in the thread answer it."""
        if not self._entries:
            self._entries.append(_Entry(opening, None))

    def forget(self, author: str) -> None:
        """Drop everything about one person (they asked to be forgotten, or opted out)."""
        kept = [e for e in self._entries if e.reading.author != author and e.sharer != author]
        self._entries.clear()
        self._entries.extend(kept)

    # --- internals -------------------------------------------------------------------------

    def _expire(self, now: datetime) -> None:
        while self._entries and now - self._entries[0].reading.at > self._span:
            self._entries.popleft()

    def _counted(self, sharer: str) -> list[Reading]:
        return [
            e.reading
            for e in self._entries
            if e.sharer == sharer
            and not e.spent
            and e.reading.advice
            and e.reading.author != sharer
        ]

    def _judge(self, reading: Reading, sharer: str, wish: Wish, rule: Rule) -> Drift | None:
        fixing = self._counted(sharer)
        if wish is Wish.LISTENING and len(fixing) >= rule.for_listener:
            situation = Situation.LISTENING
        elif len(fixing) >= rule.fixing_replies:
            situation = _situation_of(reading)
        else:
            return None
        return Drift(
            reading.author, sharer, reading.message_id, situation, reading.kind, len(fixing)
        )

    def _spend(self, sharer: str) -> None:
        spent = [replace(e, spent=True) if e.sharer == sharer else e for e in self._entries]
        self._entries.clear()
        self._entries.extend(spent)


def _situation_of(reading: Reading) -> Situation:
    if reading.kind == "labelling":
        return Situation.LABELLING
    if reading.kind == "problem_solving":
        return Situation.SUGGESTION
    return Situation.DRIFT


class Conversations:
    """Every live conversation, keyed by thread or room; idle ones are let go."""

    def __init__(self, span: timedelta = WINDOW_SPAN) -> None:
        self._span = span
        self._by_key: dict[str, Conversation] = {}

    def find(self, key: str) -> Conversation | None:
        return self._by_key.get(key)

    def get(self, key: str) -> Conversation:
        conversation = self._by_key.get(key)
        if conversation is None:
            conversation = self._by_key[key] = Conversation(self._span)
        return conversation

    def prune(self, now: datetime) -> None:
        idle = [
            k for k, c in self._by_key.items() if c.last_at is None or now - c.last_at > self._span
        ]
        for key in idle:
            del self._by_key[key]

    def forget(self, author: str) -> None:
        for conversation in self._by_key.values():
            conversation.forget(author)

    def keys(self) -> Iterable[str]:
        return self._by_key.keys()
