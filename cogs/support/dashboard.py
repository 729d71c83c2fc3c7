"""Support's part of the web dashboard (``bot.dashboard``'s read model): how many calls were
made per week, and how many someone took. Numbers only: never who called, never who took it,
never what was written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.commands import CircleHandle
from bot.dashboard import WEEKS, Chart, Section, Topic, weeks_up_to
from cogs.support import texts as t
from cogs.support.repo import SupportRepo


class SupportDashboard:
    def __init__(self, repo: SupportRepo) -> None:
        self._repo = repo

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle], now: datetime
    ) -> Mapping[int, Sequence[Section]]:
        if topic is not Topic.SUPPORT or not circles:
            return {}
        weeks = weeks_up_to(now)
        counts = await self._repo.weekly_by_circle(
            [c.id for c in circles], now - timedelta(weeks=WEEKS)
        )
        kinds = (t.DASH_CALLED, t.DASH_TAKEN)
        names = {"called": t.DASH_CALLED, "taken": t.DASH_TAKEN}
        out: dict[int, Sequence[Section]] = {}
        for circle in circles:
            named = {
                (week, names[kind]): n
                for (week, kind), n in counts[circle.id].items()
                if week in weeks
            }
            chart = Chart(t.DASH_CHART, weeks, kinds, named)
            out[circle.id] = [Section(t.DASH_SECTION, charts=(chart,))]
        return out
