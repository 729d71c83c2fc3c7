"""Privacy: what the bot keeps about you, a copy of it, and forgetting it everywhere."""

from __future__ import annotations

from collections.abc import Sequence

from bot.cog import Cog
from bot.feature import Context, Feature, NoSettings
from cogs.circles import Circles
from cogs.privacy.cog import PrivacyCog


def build(context: Context[NoSettings], _circles: Circles) -> Sequence[Cog]:
    return [PrivacyCog(context.services, context.services.bus)]


FEATURE: Feature[NoSettings, Circles] = Feature(
    name="privacy", settings=NoSettings, migrations=None, build=build
)
