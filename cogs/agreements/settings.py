"""The ``[agreements]`` section of the config: the defaults each circle can change."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import setting


@dataclass(frozen=True, slots=True)
class AgreementsSettings:
    closing_hours: int = setting(72, low=1, high=720)
    reminder_hours: int = setting(24, low=1, high=336)
    review_days: int = setting(90, low=7, high=730)
    quorum_percent: int = setting(50, low=1, high=100)
    threshold_percent: int = setting(67, low=50, high=100)
