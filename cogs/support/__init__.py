"""Support in hard moments, pulled by the member and never by scanning others.

- ``support now``: a private answer for anyone, anywhere: the emergency line first, then the
  places to reach for their region, their own note, and the offer of a call.
- ``support note``: each member's own note, written in advance, private to them.
- ``support call``: a consented call for someone from their circle to reach out, asked
  privately (the holder, then the other facilitators, then the space's moderators).
- The space's list of places to reach (`cogs.support.places`), checked by check-config,
  kept by moderators, with a reminder when an entry is six months old.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from bot.cog import Cog
from bot.feature import Context, Feature
from cogs.circles import Circles
from cogs.support.cog import SupportCog
from cogs.support.repo import SupportRepo
from cogs.support.settings import SupportSettings


def build(context: Context[SupportSettings], circles: Circles) -> Sequence[Cog]:
    services = context.services
    repo = SupportRepo(services.db)
    return [SupportCog(services, context.settings, context.timers, circles.lookup, repo)]


FEATURE: Feature[SupportSettings, Circles] = Feature(
    name="support",
    settings=SupportSettings,
    migrations=resources.files("cogs.support.migrations"),
    build=build,
)
