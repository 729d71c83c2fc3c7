"""Nudges: notice when a reply to someone's sharing reads as fixing, and say so privately.

What counts as fixing, and what as connecting, is written down in ``TAXONOMY.md`` and in code
in `cogs.nudges.kinds`. The pure parts live in plain synchronous modules:

- `cogs.nudges.detector`: ``assess(text, context)``: a calibrated probability that a reply is
  fixing, its kind, and whether it was solicited.
- `cogs.nudges.features` and `cogs.nudges.model`: the hashed features and the linear model
  behind it; `cogs.nudges.training` rebuilds the model from `cogs.nudges.corpus` and the
  shared data (``scripts/train_advice_model.py``), and writes its card.
- `cogs.nudges.cues`: the linguistic rules, built from `advice_cues`, `imperatives`,
  `counter_cues` and `cue_types`: features of the model and the words of an explanation.
- `cogs.nudges.sentences`, `cogs.nudges.language` and `cogs.nudges.asks`: how a message is
  read, and whether it asks for ideas or for listening.
- `cogs.nudges.drift` and `cogs.nudges.limits`: when a note is due, and how rare notes stay.
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
