"""Ballots: the options of each decision process, and how reactions become votes.

Pure rules, no I/O. A member may hold several option reactions on a proposal's post at once
(platforms let people add a second reaction without taking back the first). Their vote is the
option they reacted with most recently among the reactions they still hold:

- adding a second option moves the vote to it;
- taking back the current option moves the vote back to the newest one they still hold, or
  withdraws it when they hold none (their visible reactions and their vote always agree);
- taking back an option that isn't their current vote changes nothing;
- adding an option they already hold (a platform delivering the same reaction twice) changes
  nothing.

``Holdings`` keeps, per member, the options they hold in the order they were added. After
downtime the platform only tells which reactions are there now, not in which order they
came; ``reconcile`` keeps what is known and puts reactions that appeared meanwhile on top, the
weightiest last, so that an objection seen for the first time is never hidden by a consent.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.chat import normalise_emoji


class Process(enum.StrEnum):
    CONSENT = "consent"
    PROPOSAL = "proposal"


class Ballot(enum.StrEnum):
    """How members vote on a proposal: with reactions everyone sees, or privately."""

    OPEN = "open"  # reactions on the post
    SECRET = "secret"  # privately; the close gives counts only
    NAMED_AT_CLOSE = "named-at-close"  # privately while open; the close names who chose what

    @property
    def secret(self) -> bool:
        return self is not Ballot.OPEN


class Choice(enum.StrEnum):
    # consent
    CONSENT = "consent"
    CONCERN = "concern"
    OBJECT = "object"
    # proposal
    AGREE = "agree"
    ABSTAIN = "abstain"
    DISAGREE = "disagree"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class VoteOption:
    choice: Choice
    emoji: str
    meaning: str
    weight: int  # which option wins when the order is unknown: the weightiest (an objection)

    @property
    def label(self) -> str:
        return self.choice.value


OPTIONS: Mapping[Process, tuple[VoteOption, ...]] = {
    Process.CONSENT: (
        VoteOption(Choice.CONSENT, "\N{WHITE HEAVY CHECK MARK}", "I can go along with this", 1),
        VoteOption(
            Choice.CONCERN,
            "\N{THINKING FACE}",
            "I have a concern I'd like to talk about, and I won't stand in the way",
            2,
        ),
        VoteOption(
            Choice.OBJECT,
            "\N{RAISED HAND}",
            "I can't go along with this yet; let's talk about what would make it workable",
            3,
        ),
    ),
    Process.PROPOSAL: (
        VoteOption(Choice.AGREE, "\N{THUMBS UP SIGN}", "I'm for this", 2),
        VoteOption(Choice.ABSTAIN, "\N{SHRUG}", "I'll leave this one to the others", 1),
        VoteOption(
            Choice.DISAGREE,
            "\N{THUMBS DOWN SIGN}",
            "I'm not for this, and I won't stand in the way",
            3,
        ),
        VoteOption(
            Choice.BLOCK,
            "\N{OCTAGONAL SIGN}",
            "This doesn't sit right with me as it stands; let's talk it through before we go ahead",
            4,
        ),
    ),
}
# The option that stops a proposal and opens a conversation.
STOPPING: Mapping[Process, Choice] = {
    Process.CONSENT: Choice.OBJECT,
    Process.PROPOSAL: Choice.BLOCK,
}
_BY_CHOICE = {option.choice: option for options in OPTIONS.values() for option in options}
_BY_KEY = {
    process: {option.emoji: option.choice for option in options}
    for process, options in OPTIONS.items()
}
VOTE_EMOJI = frozenset(option.emoji for options in OPTIONS.values() for option in options)
_ZWJ = "\u200d"


def option_of(choice: Choice) -> VoteOption:
    return _BY_CHOICE[choice]


def choice_named(process: Process, word: str) -> Choice | None:
    """The option a typed word stands for in this process (``object``, ``block``...)."""
    word = word.strip().lower()
    return next((o.choice for o in OPTIONS[process] if o.label == word), None)


def choice_for(process: Process, key: str) -> Choice | None:
    """The option a reaction key stands for in this process, or None for any other key.

    Keys arrive normalised from the adapters; we normalise again, defensively, and also take a
    gendered sequence (🤷‍♀️, 🙋‍♂️) as its base emoji.
    """
    key = normalise_emoji(key)
    if _ZWJ in key:
        key = key.split(_ZWJ, 1)[0]
    return _BY_KEY[process].get(key)


def is_vote_emoji(key: str) -> bool:
    """Whether the key is an option of any process (worth a look on an unknown message)."""
    key = normalise_emoji(key)
    return key.split(_ZWJ, 1)[0] in VOTE_EMOJI


# --- holdings ----------------------------------------------------------------------------------

Held = tuple[Choice, ...]  # oldest first
Holdings = Mapping[str, Held]


def vote_of(held: Held) -> Choice | None:
    return held[-1] if held else None


def add(holdings: Holdings, member: str, choice: Choice) -> dict[str, Held]:
    """A member reacted with ``choice``."""
    out = dict(holdings)
    held = out.get(member, ())
    if choice not in held:
        out[member] = (*held, choice)
    return out


def remove(holdings: Holdings, member: str, choice: Choice) -> dict[str, Held]:
    """A member took back their ``choice`` reaction."""
    out = dict(holdings)
    held = tuple(c for c in out.get(member, ()) if c != choice)
    if held:
        out[member] = held
    else:
        out.pop(member, None)
    return out


def reconcile_member(stored: Held, observed: Iterable[Choice]) -> Held:
    """What a member holds, given what we knew and what the platform shows now."""
    seen = set(observed)
    kept = tuple(c for c in stored if c in seen)
    appeared = sorted(seen - set(kept), key=lambda c: _BY_CHOICE[c].weight)
    return (*kept, *appeared)


def reconcile(stored: Holdings, observed: Mapping[str, Iterable[Choice]]) -> dict[str, Held]:
    """Every member's holdings after reading the platform's reactions (after downtime)."""
    out: dict[str, Held] = {}
    for member, choices in observed.items():
        held = reconcile_member(stored.get(member, ()), choices)
        if held:
            out[member] = held
    return out


def votes(holdings: Holdings, members: Iterable[str] | None = None) -> dict[str, Choice]:
    """Each member's current vote; only ``members`` count when given."""
    allowed = None if members is None else set(members)
    return {
        member: choice
        for member, held in holdings.items()
        if (allowed is None or member in allowed) and (choice := vote_of(held)) is not None
    }


def count(process: Process, cast: Mapping[str, Choice]) -> dict[Choice, int]:
    """Votes per option of the process, every option present (zero when nobody chose it)."""
    counter = Counter(cast.values())
    return {option.choice: counter.get(option.choice, 0) for option in OPTIONS[process]}
