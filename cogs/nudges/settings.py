"""The ``[nudges]`` section of the config: defaults for each circle, and the rate limits."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import setting


@dataclass(frozen=True, slots=True)
class NudgesSettings:
    default_mode: str = setting("private", choices=("off", "private", "group"))
    default_sensitivity: str = setting("normal", choices=("gentle", "normal", "attentive"))
    per_member_minutes: int = setting(30, low=1, high=1440)
    per_thread_minutes: int = setting(15, low=1, high=1440)
    daily_per_member: int = setting(3, low=1, high=50)
    daily_per_circle: int = setting(20, low=1, high=500)
    keep_days: int = setting(90, low=7, high=730)
