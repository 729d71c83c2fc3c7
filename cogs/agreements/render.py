"""How agreements read: dates in the circle's time zone, vote counts, and the registry post.

Pure functions, no I/O, so the registry's shape is tested without a platform.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cogs.agreements.ballots import OPTIONS, Choice, Process

REGISTRY_HEAD = "\N{SCROLL} **Our agreements · {circle}**"
REGISTRY_INTRO = "We adopted these together, and we revisit them. `{prefix}agreement show <number>` shows one in full."
REGISTRY_EMPTY = "No agreements yet. Anyone in the circle can propose one with `{prefix}agreement propose <text>`."
REGISTRY_ENTRY = "**{id} · {title}**\nversion {version} · {when} · {vote} · next review {review}"
REGISTRY_OUTCOME = "\n_{outcome}_"
OUTCOME_LENGTH = 200
REGISTRY_MORE = "…and {count} more: `{prefix}agreement list` shows them all."
LIST_HEAD = (
    "\N{SCROLL} **Our agreements · {circle}** (`{prefix}agreement show <number>` shows one in full)"
)
LIST_ENTRY = "• **{id}** · {title} · version {version} · next review {review}"
REVIEW_UNDER_WAY = "under way now"
# Discord's limit for one message is 2000 characters; the registry stays within it.
REGISTRY_LIMIT = 1900
TITLE_LENGTH = 70

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day(when: datetime, zone: ZoneInfo) -> str:
    """``4 March 2026``, in the circle's time zone."""
    local = when.astimezone(zone)
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def moment(when: datetime, zone: ZoneInfo) -> str:
    """``Thursday 5 March 2026, 17:00 (Europe/Berlin)``."""
    local = when.astimezone(zone)
    return f"{_DAYS[local.weekday()]} {day(when, zone)}, {local:%H:%M} ({zone.key})"


def short_title(title: str | None, text: str, length: int = TITLE_LENGTH) -> str:
    """A title to show: the given one, else the first line of the text, shortened at a word
    boundary."""
    if title:
        return cut_at_word(title, length)
    first = text.strip().splitlines()[0] if text.strip() else ""
    return cut_at_word(first, length)


def cut_at_word(text: str, length: int) -> str:
    """``text`` within ``length`` characters, cut between words and marked with an ellipsis
    (a single word longer than ``length`` is cut inside it, as nothing else fits)."""
    if len(text) <= length:
        return text
    room = text[: length - 1]
    space = room.rfind(" ")
    if space > 0 and text[length - 1] != " ":
        room = room[:space]
    return room.rstrip(" ,;:.-–—") + "…"


def counts_line(process: Process, counts: Mapping[Choice, int]) -> str:
    """``✅ consent 4 · 🤔 concern 1 · ✋ object 0``."""
    return " · ".join(f"{o.emoji} {o.label} {counts.get(o.choice, 0)}" for o in OPTIONS[process])


def vote_line(process: Process, counts: Mapping[Choice, int], voters: int, members: int) -> str:
    """``by consent (✅ 4 🤔 1 ✋ 0; 5 of 6 voted)``."""
    numbers = " ".join(f"{o.emoji} {counts.get(o.choice, 0)}" for o in OPTIONS[process])
    how = "by consent" if process is Process.CONSENT else "by proposal vote"
    return f"{how} ({numbers}; {voters} of {members} voted)"


@dataclass(frozen=True, slots=True)
class Entry:
    """One agreement as the registry shows it."""

    id: int
    title: str | None
    text: str
    version: int
    changed_at: datetime
    process: Process
    counts: Mapping[Choice, int]
    voters: int
    members: int
    review_at: datetime | None
    outcome: str | None = None

    def render(self, zone: ZoneInfo) -> str:
        said = (
            REGISTRY_OUTCOME.format(
                outcome=cut_at_word(" ".join(self.outcome.split()), OUTCOME_LENGTH)
            )
            if self.outcome
            else ""
        )
        entry = REGISTRY_ENTRY.format(
            id=self.id,
            title=short_title(self.title, self.text),
            version=self.version,
            when=("adopted " if self.version == 1 else "this version adopted ")
            + day(self.changed_at, zone),
            vote=vote_line(self.process, self.counts, self.voters, self.members),
            review=day(self.review_at, zone) if self.review_at else REVIEW_UNDER_WAY,
        )
        return entry + said


def registry_text(
    circle: str, entries: Sequence[Entry], zone: ZoneInfo, prefix: str, limit: int = REGISTRY_LIMIT
) -> str:
    """The registry post: every agreement in force, as many as fit in one message."""
    head = [REGISTRY_HEAD.format(circle=circle)]
    if not entries:
        return "\n".join([*head, REGISTRY_EMPTY.format(prefix=prefix)])
    parts = [*head, REGISTRY_INTRO.format(prefix=prefix)]
    shown = 0
    for index, entry in enumerate(entries):
        block = entry.render(zone)
        rest = len(entries) - index - 1
        reserve = len(REGISTRY_MORE) + 12 if rest else 0
        if len("\n\n".join([*parts, block])) + reserve > limit:
            break
        parts.append(block)
        shown += 1
    if shown < len(entries):
        parts.append(REGISTRY_MORE.format(count=len(entries) - shown, prefix=prefix))
    return "\n\n".join(parts)


def agreement_list(circle: str, entries: Sequence[Entry], zone: ZoneInfo, prefix: str) -> str:
    """Every agreement in force, one line each (the registry post shows as many as fit)."""
    if not entries:
        return "\n".join(
            [REGISTRY_HEAD.format(circle=circle), REGISTRY_EMPTY.format(prefix=prefix)]
        )
    lines = [LIST_HEAD.format(circle=circle, prefix=prefix)]
    lines += [
        LIST_ENTRY.format(
            id=e.id,
            title=short_title(e.title, e.text, 50),
            version=e.version,
            review=day(e.review_at, zone) if e.review_at else REVIEW_UNDER_WAY,
        )
        for e in entries
    ]
    return "\n".join(lines)


def quote(text: str) -> str:
    """``text`` as a Markdown quote, line by line (blank lines stay inside the quote)."""
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())
