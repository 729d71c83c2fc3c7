"""The dashboard's pages: Jinja2 templates with autoescaping always on.

Everything a template shows that came from people or platforms (names, and later circle
names, reasons and notes) is escaped by Jinja2; nothing is ever marked safe by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.web.health import age


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("bot.web", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=StrictUndefined,  # a missing value is a bug, not an empty string
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["age"] = age
    return env


class Pages:
    def __init__(self) -> None:
        self._env = environment()

    def render(self, template: str, context: Mapping[str, Any]) -> str:
        return self._env.get_template(template).render(context)
