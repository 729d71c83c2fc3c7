"""The ``[circles]`` section of the config: what a new circle starts with."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.config import check_zone, setting


@dataclass(frozen=True, slots=True)
class CirclesSettings:
    default_time_zone: str = setting("UTC", check=check_zone)
    default_capacity: int = setting(12, low=2, high=500)
    max_capacity: int = setting(100, low=2, high=500)

    def relations(self) -> Iterator[tuple[str, str]]:
        if self.default_capacity > self.max_capacity:
            yield (
                "default_capacity",
                f"{self.default_capacity} is above circles.max_capacity ({self.max_capacity})",
            )
