"""The ``[reflections]`` section of the config: quiet moments, missed runs, extra decks."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import setting


@dataclass(frozen=True, slots=True)
class ReflectionsSettings:
    quiet_minutes: int = setting(10, low=0, high=240)
    max_wait_minutes: int = setting(60, low=0, high=720)
    missed_run_grace_hours: int = setting(6, low=0, high=168)
    deck_dir: str = setting("")
