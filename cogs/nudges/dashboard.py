"""Nudges' part of the web dashboard (``bot.dashboard``'s read model): how many nudges per
week and per kind of moment noticed. Numbers only: never what was said, never who."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.commands import CircleHandle
from bot.dashboard import WEEKS, Chart, Section, Topic, weeks_up_to
from cogs.nudges import texts
from cogs.nudges.drift import Situation
from cogs.nudges.repo import NudgesRepo


class NudgesDashboard:
    def __init__(self, repo: NudgesRepo) -> None:
        self._repo = repo

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle], now: datetime
    ) -> Mapping[int, Sequence[Section]]:
        if topic is not Topic.SUPPORT or not circles:
            return {}
        weeks = weeks_up_to(now)
        since = now - timedelta(weeks=WEEKS)
        counts = await self._repo.weekly_by_situation([c.id for c in circles], since)
        kinds = tuple(texts.DASH_KINDS[s.value] for s in Situation)
        out: dict[int, Sequence[Section]] = {}
        for circle in circles:
            named = {
                (week, texts.DASH_KINDS.get(situation, situation)): n
                for (week, situation), n in counts[circle.id].items()
                if week in weeks
            }
            chart = Chart(texts.DASH_CHART, weeks, kinds, named)
            out[circle.id] = [Section(texts.DASH_SECTION, charts=(chart,))]
        return out
