"""What a part shows on the web dashboard: a small neutral read model, and the protocol a cog
offers to fill it.

The web server never imports ``cogs/``. Each cog that has something to show implements
``DashboardView`` (found on the event bus by ``isinstance``), and answers per topic for the
circles the viewer may see. It answers with facts (label and value, already in the bot's
words) and actions: an action names a command the chat has already (``schedule skip``) with
the values it is run with; the dashboard renders it as a form and runs it through the
command router with the signed-in person as the invoker, so every check, every refusal, the
announcement in the circle and the audit log are exactly those of the typed command.

Nothing here carries message text; the views say what is set up, never what was said.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.commands.invocation import CircleHandle

WEEKS = 12


def weeks_up_to(now: datetime, count: int = WEEKS) -> tuple[str, ...]:
    """The last ``count`` ISO weeks, oldest first, this one last."""
    out = []
    for back in range(count - 1, -1, -1):
        year, week, _ = (now - timedelta(weeks=back)).isocalendar()
        out.append(f"{year}-W{week:02d}")
    return tuple(dict.fromkeys(out))


class Topic(enum.StrEnum):
    """The dashboard's pages that features fill in."""

    CIRCLES = "circles"  # one line per circle: facts only, many circles at once
    SCHEDULES = "schedules"
    PROMPTS = "prompts"
    AGREEMENTS = "agreements"
    SUPPORT = "support"  # nudges and support: numbers per week and kind, never per person


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Action:
    """A form that runs ``command``. ``fixed`` go along hidden (which schedule); ``fields``
    are the options the person fills in, shown with ``values`` already in them."""

    label: str
    command: tuple[str, ...]
    fixed: Mapping[str, str | int] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    values: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Item:
    """One thing in a section: a schedule, a suggested prompt, a deck."""

    title: str
    facts: tuple[Fact, ...] = ()
    notes: tuple[str, ...] = ()  # sentences under it (the next runs, a DST note)
    actions: tuple[Action, ...] = ()
    tags: tuple[str, ...] = ()  # what a tag filter on the page can pick


@dataclass(frozen=True, slots=True)
class Chart:
    """Counts per week and kind, for a chart made on the server. Only numbers: never what was
    said, never who. ``weeks`` are ISO weeks (``2026-W10``), oldest first."""

    title: str
    weeks: tuple[str, ...]
    kinds: tuple[str, ...]  # the kinds' names, in the order of the legend
    counts: Mapping[tuple[str, str], int]  # (week, kind) -> how many

    def plus(self, other: Chart) -> Chart:
        """This chart and another of the same title summed (many circles in one chart)."""
        weeks = tuple(sorted({*self.weeks, *other.weeks}))
        kinds = tuple(dict.fromkeys((*self.kinds, *other.kinds)))
        counts = dict(self.counts)
        for key, n in other.counts.items():
            counts[key] = counts.get(key, 0) + n
        return Chart(self.title, weeks, kinds, counts)


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    facts: tuple[Fact, ...] = ()
    items: tuple[Item, ...] = ()
    actions: tuple[Action, ...] = ()
    empty: str = ""  # said when there are no items
    filterable: bool = False  # its items carry tags a page's tag filter can pick from
    charts: tuple[Chart, ...] = ()


@runtime_checkable
class DashboardView(Protocol):
    """A cog with something to show. ``circles`` are only those the viewer may see; the
    answer maps a circle's id to its sections (a circle with nothing to show is left out)."""

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]: ...


async def gather(
    views: Sequence[DashboardView], topic: Topic, circles: Sequence[CircleHandle]
) -> dict[int, list[Section]]:
    """Every view's sections for ``topic``, per circle, in the order the views are given."""
    out: dict[int, list[Section]] = {c.id: [] for c in circles}
    if not circles:
        return out
    for view in views:
        for circle_id, sections in (await view.dashboard(topic, circles)).items():
            if circle_id in out:
                out[circle_id].extend(sections)
    return out
