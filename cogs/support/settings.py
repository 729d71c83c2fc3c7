"""The ``[support]`` section of the config."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.config import setting
from cogs.support.places import ResourceError, read_file, region_code


def _check_region(value: object) -> str | None:
    if isinstance(value, str) and region_code(value) == value:
        return None
    return 'should be a two-letter region code in capitals, like "GB", or "INT" for everywhere'


@dataclass(frozen=True, slots=True)
class SupportSettings:
    # The space's region when neither a member nor their circle chose one.
    region: str = setting("INT", check=_check_region)
    # A resources file of the space's own; empty: the shipped example list.
    resources_file: str = setting("")
    # How long a call waits for someone to take it before the next people are asked.
    answer_minutes: int = setting(15, low=2, high=240)
    # How long a call stays open before the member is told that nobody could take it.
    open_hours: int = setting(12, low=1, high=72)
    # At most this many calls per member in a day.
    calls_per_day: int = setting(3, low=1, high=20)

    def resources_path(self) -> Path | None:
        return Path(self.resources_file).expanduser() if self.resources_file else None

    def relations(self) -> Iterator[tuple[str, str]]:
        """The resources file is read and checked here, so `check-config` catches a bad one."""
        try:
            read_file(self.resources_path())
        except ResourceError as error:
            for problem in error.problems:
                yield "resources_file", problem
