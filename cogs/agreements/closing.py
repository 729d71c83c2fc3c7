"""When a proposal closes and whether it passes. Pure rules, no I/O.

- **consent** passes when nobody objects and the quorum voted.
- **proposal** passes when nobody blocks, the quorum voted, and the agrees reach the
  threshold of the votes for or against (abstentions count towards the quorum, not the
  threshold: abstaining means leaving the choice to the others).

Percentages are compared as people read them, rounded to a whole percent, so that two of three
(66.7 %) meets a threshold of 67 % ("two thirds") and one of two meets a quorum of 50 %.
A proposal closes at its closing time, or as soon as every current member has voted and no
objection or block stands (see ``closes_early``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cogs.agreements.ballots import STOPPING, Choice, Process


class Result(enum.StrEnum):
    ADOPTED = "adopted"
    OBJECTION = "objection"  # consent: someone objects
    BLOCKED = "blocked"  # proposal: someone blocks
    NO_QUORUM = "no_quorum"
    BELOW_THRESHOLD = "below_threshold"

    @property
    def passed(self) -> bool:
        return self is Result.ADOPTED


@dataclass(frozen=True, slots=True)
class Rules:
    process: Process
    quorum_percent: int
    threshold_percent: int


@dataclass(frozen=True, slots=True)
class Tally:
    counts: Mapping[Choice, int]
    members: int

    @property
    def voters(self) -> int:
        return sum(self.counts.values())

    def of(self, choice: Choice) -> int:
        return self.counts.get(choice, 0)


def rounded_percent(part: int, whole: int) -> int:
    """``part`` of ``whole`` as a whole percent, halves rounded up; 0 when ``whole`` is 0."""
    if whole <= 0:
        return 0
    return (200 * part + whole) // (2 * whole)


def quorum_needed(members: int, quorum_percent: int) -> int:
    """The fewest voters that meet the quorum among ``members`` (at least one)."""
    for voters in range(1, members + 1):
        if rounded_percent(voters, members) >= quorum_percent:
            return voters
    return max(members, 1)


def decide(tally: Tally, rules: Rules) -> Result:
    if tally.of(STOPPING[rules.process]):
        return Result.OBJECTION if rules.process is Process.CONSENT else Result.BLOCKED
    if tally.voters == 0 or tally.voters < quorum_needed(tally.members, rules.quorum_percent):
        return Result.NO_QUORUM
    if rules.process is Process.PROPOSAL:
        agree, disagree = tally.of(Choice.AGREE), tally.of(Choice.DISAGREE)
        if rounded_percent(agree, agree + disagree) < rules.threshold_percent:
            return Result.BELOW_THRESHOLD
    return Result.ADOPTED


def everyone_voted(voters: int, members: int) -> bool:
    """Every current member has a vote (a circle of nobody never has)."""
    return members > 0 and voters >= members


def closes_early(process: Process, cast: Mapping[str, Choice], members: int) -> bool:
    """Close before the closing time once every member has voted, unless an objection (or a
    block) stands: that opens a conversation, and the proposal stays open for it until its
    closing time, so the proposer can post a new version or the objector can move."""
    return everyone_voted(len(cast), members) and STOPPING[process] not in cast.values()


def reminder_time(opened_at: datetime, closes_at: datetime, lead: timedelta) -> datetime:
    """When the one reminder goes out: ``lead`` before closing, or halfway through a vote too
    short for that."""
    wanted = closes_at - lead
    if wanted > opened_at:
        return wanted
    return opened_at + (closes_at - opened_at) / 2
