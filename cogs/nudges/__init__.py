"""Nudges: notice when a thread drifts into advice-giving, and invite it back gently.

The pure parts live in plain synchronous modules:

- `cogs.nudges.detector`: ``assess(text, context)`` says whether a message gives advice.
- `cogs.nudges.cues`: the linguistic rules behind it and the policy they follow, built from
  `advice_cues`, `imperatives`, `counter_cues` and `cue_types`.
- `cogs.nudges.model`: its small hashed model; `cogs.nudges.training` rebuilds it.
- `cogs.nudges.sentences` and `cogs.nudges.language`: how a message is read.
- `cogs.nudges.classify`: the JSON Lines contract used by ``circlekeeper classify``.

Privacy: none of these keep any message text. The shipped model file holds numbers only.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from bot.cog import Cog
from bot.feature import Context, Feature
from cogs.circles import Circles
from cogs.nudges.cog import NudgesCog
from cogs.nudges.repo import NudgesRepo
from cogs.nudges.settings import NudgesSettings


def build(context: Context[NudgesSettings], circles: Circles) -> Sequence[Cog]:
    services = context.services
    return [NudgesCog(services, context.settings, circles.lookup, NudgesRepo(services.db))]


FEATURE: Feature[NudgesSettings, Circles] = Feature(
    name="nudges",
    settings=NudgesSettings,
    migrations=resources.files("cogs.nudges.migrations"),
    build=build,
)
