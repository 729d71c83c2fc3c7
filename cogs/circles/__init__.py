"""Circles, the kernel: groups bound to a room, with members, a facilitation rota and
check-in rounds. Every feature is about a circle, so features meet here, and only here.

This module is the kernel's public face. A feature may use:

- the model: ``Circle``, ``Membership``, ``Preference`` and the events the kernel announces
  (``JoinedCircle``, ``LeftCircle``, ``CircleArchived``, ``CircleReopened``,
  ``TimeZoneChanged``, ``AgreementAdopted`` (told by agreements), and ``InfoWanted`` for adding a line to ``circle info``);
- ``CircleLookup``: the circles, read-only (get, bound_to, in_space, members, is_member,
  rota, is_facilitator), and ``circle_of(inv)``: the circle the router found for a command;
- ``Facilitation.pass_on``: the one way facilitation changes hands;
- ``Names`` and ``spoken_list``: people named in a sentence the way every cog names them;
- ``Personal`` and ``forget_in``: the one rule for erasing a person's rows on their platform
  (a repository declares the columns that name people).

Everything else in this package is the kernel's own (import-linter holds features to it).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from bot.cog import Cog
from bot.feature import Context, Kernel
from cogs.circles.checkins import CheckInsCog
from cogs.circles.cog import CirclesCog
from cogs.circles.directory import CircleDirectory
from cogs.circles.erasure import Forget, Personal, forget_in
from cogs.circles.facilitation import Facilitation
from cogs.circles.lookup import CircleLookup, circle_of
from cogs.circles.model import (
    AgreementAdopted,
    Circle,
    CircleArchived,
    CircleReopened,
    InfoTopic,
    InfoWanted,
    JoinedCircle,
    LeftCircle,
    Membership,
    Preference,
    TimeZoneChanged,
)
from cogs.circles.names import Names, spoken_list
from cogs.circles.repo import CirclesRepo
from cogs.circles.rounds_repo import RoundsRepo
from cogs.circles.settings import CirclesSettings

__all__ = [
    "KERNEL",
    "AgreementAdopted",
    "Circle",
    "CircleArchived",
    "CircleLookup",
    "CircleReopened",
    "Circles",
    "CirclesSettings",
    "Facilitation",
    "Forget",
    "InfoTopic",
    "InfoWanted",
    "JoinedCircle",
    "LeftCircle",
    "Membership",
    "Names",
    "Personal",
    "Preference",
    "TimeZoneChanged",
    "circle_of",
    "forget_in",
    "spoken_list",
]


@dataclass(frozen=True, slots=True)
class Circles:
    """What the kernel offers the rest of the bot once it is built."""

    lookup: CircleLookup
    facilitation: Facilitation
    directory: CircleDirectory  # for the command router: it finds each command's circle
    cogs: tuple[Cog, ...]


def build(context: Context[CirclesSettings]) -> Circles:
    """The kernel's repositories, its services for features, and its two cogs."""
    services = context.services
    repo = CirclesRepo(services.db)
    rounds = RoundsRepo(services.db)
    facilitation = Facilitation(repo, services.chat)
    cogs = (
        CirclesCog(services, context.settings, repo, rounds, facilitation),
        CheckInsCog(services, context.timers, repo, rounds),
    )
    return Circles(repo, facilitation, CircleDirectory(repo), cogs)


KERNEL: Kernel[CirclesSettings, Circles] = Kernel(
    name="circles",
    settings=CirclesSettings,
    migrations=resources.files("cogs.circles.migrations"),
    build=build,
)
