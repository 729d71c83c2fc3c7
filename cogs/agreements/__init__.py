"""Group agreements: proposals decided by consent (or a proposal vote) with reactions, and the
living, versioned registry of what each circle has agreed."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from bot.cog import Cog
from bot.feature import Context, Feature
from cogs.agreements.cog import AgreementsCog
from cogs.agreements.settings import AgreementsSettings
from cogs.circles import Circles


def build(context: Context[AgreementsSettings], circles: Circles) -> Sequence[Cog]:
    return [AgreementsCog(context, circles.lookup)]


FEATURE: Feature[AgreementsSettings, Circles] = Feature(
    name="agreements",
    settings=AgreementsSettings,
    migrations=resources.files("cogs.agreements.migrations"),
    build=build,
)
