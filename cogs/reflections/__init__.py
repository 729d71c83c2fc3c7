"""Reflection prompts on schedules, meeting reminders, automatic facilitation hand-overs, and
each circle's own deck of prompts its members suggest."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources

from bot.cog import Cog
from bot.feature import Context, Feature
from cogs.circles import Circles
from cogs.reflections.cog import ReflectionsCog
from cogs.reflections.settings import ReflectionsSettings


def build(context: Context[ReflectionsSettings], circles: Circles) -> Sequence[Cog]:
    return [ReflectionsCog(context, circles.lookup, circles.facilitation)]


FEATURE: Feature[ReflectionsSettings, Circles] = Feature(
    name="reflections",
    settings=ReflectionsSettings,
    migrations=resources.files("cogs.reflections.migrations"),
    build=build,
)
