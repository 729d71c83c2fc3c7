"""How a proposal's (or an agreement's) history reads: every wording it has had, each with its
dates and how its vote stood, the first in full and each later one as what changed from the
one before, diff style.

Pure functions, no I/O. The diff is ``difflib``'s, taken sentence by sentence, so a changed
sentence in a paragraph shows as that sentence taken out and its new form put in, and the
rest stays as it was.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from cogs.agreements.ballots import Process
from cogs.agreements.closing import Result
from cogs.agreements.model import Version
from cogs.agreements.render import counts_line, day, quote
from cogs.agreements.texts import (
    HISTORY_CHANGES,
    HISTORY_CLOSED_VOTE,
    HISTORY_OPEN_VOTE,
    HISTORY_OTHER,
    HISTORY_REPLACED_VOTE,
    HISTORY_UNTIL,
    HISTORY_VERSION,
    RESULT_WORDS,
)

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_FENCE = "```"


def sentences(text: str) -> list[str]:
    """The text's lines, each split after its sentences' ends (blank lines dropped)."""
    out: list[str] = []
    for line in text.splitlines():
        out += [part for part in _SENTENCE_END.split(line.strip()) if part]
    return out


def wording_diff(before: str, after: str) -> str:
    """What changed from ``before`` to ``after``, as a ``diff`` block: ``-`` taken out, ``+``
    put in, the rest as it was."""
    lines = [
        line
        for line in difflib.ndiff(sentences(before), sentences(after))
        if not line.startswith("? ")  # ndiff's hints about characters within a line
    ]
    body = "\n".join(lines).replace(_FENCE, "'''")  # people's words can't close the block
    return f"{_FENCE}diff\n{body}\n{_FENCE}"


@dataclass(frozen=True, slots=True)
class Wordings:
    """One proposal's versions, with a line saying which proposal it is (an agreement's
    history has one group per proposal about it)."""

    label: str | None
    process: Process
    versions: Sequence[Version]


def vote_words(
    version: Version, process: Process, turnout: tuple[int, int] | None, *, secret: bool = False
) -> str:
    """How the version's vote stood: open (turnout only), when it was replaced, or its close."""
    if version.voters is None or version.members is None:
        voters, members = turnout or (0, 0)
        return HISTORY_OPEN_VOTE.format(voters=voters, members=members)
    counts = counts_line(process, version.counts)
    if version.replaced:
        if secret:  # a secret ballot's counts stay hidden until it closes
            return HISTORY_OPEN_VOTE.format(voters=version.voters, members=version.members)
        return HISTORY_REPLACED_VOTE.format(
            counts=counts, voters=version.voters, members=version.members
        )
    result: Result | None = version.result
    return HISTORY_CLOSED_VOTE.format(
        result=RESULT_WORDS[result is not None and result.passed],
        counts=counts,
        voters=version.voters,
        members=version.members,
    )


def history_text(
    head: str,
    groups: Sequence[Wordings],
    zone: ZoneInfo,
    turnout: Mapping[int, tuple[int, int]],
    secret: frozenset[int] = frozenset(),
) -> str:
    """Every wording under ``head``: the first quoted in full, each later one as a diff
    against the wording before it (across proposals, for an agreement)."""
    parts = [head]
    previous: Version | None = None
    for group in groups:
        if group.label:
            parts.append(group.label)
        for version in group.versions:
            ended = (
                HISTORY_UNTIL.format(ended=day(version.ended_at, zone)) if version.ended_at else ""
            )
            line = HISTORY_VERSION.format(
                version=version.version,
                started=day(version.started_at, zone),
                ended=ended,
                vote=vote_words(
                    version,
                    group.process,
                    turnout.get(version.proposal_id),
                    secret=version.proposal_id in secret,
                ),
            )
            if previous is None or previous.text == version.text:
                parts.append(line + "\n" + quote(version.text))
            else:
                before = (
                    previous.version
                    if previous.proposal_id == version.proposal_id
                    else HISTORY_OTHER.format(
                        version=previous.version, proposal=previous.proposal_id
                    )
                )
                parts.append(
                    line
                    + "\n"
                    + HISTORY_CHANGES.format(before=before)
                    + "\n"
                    + wording_diff(previous.text, version.text)
                )
            previous = version
    return "\n\n".join(parts)
