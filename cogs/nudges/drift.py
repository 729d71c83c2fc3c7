"""Thread drift: when replies to someone's sharing slide into advice. Pure rules, no text kept.

Each conversation (a thread, or a room outside threads) has a short window of *readings*: who
wrote, when, to whom, and what the detector made of it (advice or not, how strong). Never the
words. The rules then ask one question per new reading: has this reply tipped the
conversation into fixing, for the person who was sharing?

The rules, by sensitivity (a circle setting):

| sensitivity | advice replies to one sharer | strong directives to someone who asked to be listened to | any advice to someone listening |
|---|---|---|---|
| gentle      | 3 | 2 | never alone |
| normal      | 2 | 1 | never alone |
| attentive   | 2 | 1 | 1 |

Quiet, always: when the sharer asked for ideas ("any advice?", "what would you do?") or chose
"open to ideas"; for the sharer's own messages (self-talk is theirs to have); for advice with
nobody sharing; and for the same message twice (an edit is read again, but never nudged
again). After a nudge the count starts afresh, so one drift earns one nudge.
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
    advice_replies: int
    listening_strong: int
    listening_any: int | None = None


RULES = {
    Sensitivity.GENTLE: Rule(advice_replies=3, listening_strong=2),
    Sensitivity.NORMAL: Rule(advice_replies=2, listening_strong=1),
    Sensitivity.ATTENTIVE: Rule(advice_replies=2, listening_strong=1, listening_any=1),
}


@dataclass(frozen=True, slots=True)
class Reading:
    """One message as the rules see it: never its text."""

    message_id: str
    author: str
    at: datetime
    advice: bool
    strong: bool = False
    suggestion: bool = False  # the advice was a suggestion question ("have you tried")
    labelling: bool = False  # it put a label on someone's experience
    asks_for_ideas: bool = False  # the author asks for ideas
    asks_for_listening: bool = False  # the author asks to be listened to
    responding: bool = False  # answers someone (a reflection, a question, validation), not sharing
    reply_to: str | None = None  # the author of the message this one replies to
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Drift:
    """A decision to nudge ``member``, whose message ``message_id`` tipped the conversation."""

    member: str
    sharer: str
    message_id: str
    situation: Situation
    cues: tuple[str, ...]
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

    def add(self, reading: Reading, sensitivity: Sensitivity, wish_of: WishOf) -> Drift | None:
        """Take in a new (or edited) message; return a drift if it tipped the conversation."""
        self._expire(reading.at)
        edited = [e for e in self._entries if e.reading.message_id == reading.message_id]
        for entry in edited:
            self._entries.remove(entry)
        sharer = edited[0].sharer if edited else self._sharer_for(reading)
        self._entries.append(_Entry(reading, sharer))
        if sharer is None or not reading.advice or reading.author == sharer:
            return None
        if reading.message_id in self._nudged:
            return None
        wish = self._wish(sharer, wish_of)
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

    def _sharer_for(self, reading: Reading) -> str | None:
        """Who this message answers: the person it replies to, or else the latest person
        (other than its author) who shared something: not advice, and not itself an answer
        to someone else (a reflection, a question, a word of validation)."""
        if reading.reply_to is not None and reading.reply_to != reading.author:
            return reading.reply_to
        for entry in reversed(self._entries):
            earlier = entry.reading
            if earlier.author != reading.author and not earlier.advice and not earlier.responding:
                return earlier.author
        return None

    def _wish(self, sharer: str, wish_of: WishOf) -> Wish:
        stated = wish_of(sharer)
        if stated is not Wish.UNSAID:
            return stated
        for entry in reversed(self._entries):  # what they said most recently counts
            if entry.reading.author != sharer:
                continue
            if entry.reading.asks_for_listening:
                return Wish.LISTENING
            if entry.reading.asks_for_ideas:
                return Wish.IDEAS
        return Wish.UNSAID

    def _counted(self, sharer: str) -> list[Reading]:
        return [
            e.reading
            for e in self._entries
            if e.sharer == sharer and not e.spent and e.reading.advice and e.reading.author != sharer
        ]

    def _judge(self, reading: Reading, sharer: str, wish: Wish, rule: Rule) -> Drift | None:
        advice = self._counted(sharer)
        strong = [r for r in advice if r.strong]
        situation: Situation | None = None
        strong_enough = reading.strong and len(strong) >= rule.listening_strong
        any_enough = rule.listening_any is not None and len(advice) >= rule.listening_any
        if wish is Wish.LISTENING and (strong_enough or any_enough):
            situation = Situation.LISTENING
        elif len(advice) >= rule.advice_replies:
            situation = _kind_of(reading)
        if situation is None:
            return None
        return Drift(reading.author, sharer, reading.message_id, situation, reading.cues, len(advice))

    def _spend(self, sharer: str) -> None:
        spent = [replace(e, spent=True) if e.sharer == sharer else e for e in self._entries]
        self._entries.clear()
        self._entries.extend(spent)


def _kind_of(reading: Reading) -> Situation:
    if reading.labelling:
        return Situation.LABELLING
    if reading.suggestion:
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
        idle = [k for k, c in self._by_key.items() if c.last_at is None or now - c.last_at > self._span]
        for key in idle:
            del self._by_key[key]

    def forget(self, author: str) -> None:
        for conversation in self._by_key.values():
            conversation.forget(author)

    def keys(self) -> Iterable[str]:
        return self._by_key.keys()
