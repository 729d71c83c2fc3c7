"""Bar charts drawn on the server as SVG: weeks along, counts up, one colour per kind,
stacked. Python works out the geometry; the template (``chart.html``) draws it, escaped like
every page, so no markup is ever put together by hand. The same numbers go in a table beside
it for screen readers and for anyone who prefers figures."""

from __future__ import annotations

from dataclasses import dataclass

from bot.dashboard import Chart

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 44
KIND_CLASSES = 6  # .k0 ... .k5 in the stylesheet, each AA against the page in both schemes


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: int  # which colour class
    title: str  # "2026-W10, fixing: 3", shown on hover and read by screen readers


@dataclass(frozen=True, slots=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Drawn:
    chart: Chart
    width: int
    height: int
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    baseline: float
    left: int
    right: float
    total: int
    table: tuple[tuple[str, tuple[int, ...], int], ...]  # week, count per kind, sum


def _step(top: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if top / step <= 5:
            return step
    return 10_000


def draw(chart: Chart) -> Drawn:
    weeks, kinds = chart.weeks, chart.kinds
    totals = [sum(chart.counts.get((w, k), 0) for k in kinds) for w in weeks]
    step = _step(max(totals, default=0) or 1)
    top = max(step, -(-max(totals, default=0) // step) * step)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(weeks), 1)
    bar_w = slot * 0.7
    bars = []
    for i, week in enumerate(weeks):
        y: float = HEIGHT - BOTTOM
        for j, kind in enumerate(kinds):
            n = chart.counts.get((week, kind), 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            bars.append(
                Bar(
                    round(LEFT + i * slot + (slot - bar_w) / 2, 1),
                    round(y, 1),
                    round(bar_w, 1),
                    round(h, 1),
                    j % KIND_CLASSES,
                    f"{week}, {kind}: {n}",
                )
            )
    y_ticks = tuple(
        Tick(round(HEIGHT - BOTTOM - plot_h * v / top, 1), str(v)) for v in range(0, top + 1, step)
    )
    x_ticks = tuple(
        Tick(round(LEFT + i * slot + slot / 2, 1), week.split("-", 1)[1])
        for i, week in enumerate(weeks)
    )
    table = tuple(
        (week, tuple(chart.counts.get((week, k), 0) for k in kinds), totals[i])
        for i, week in enumerate(weeks)
    )
    return Drawn(
        chart,
        WIDTH,
        HEIGHT,
        tuple(bars),
        y_ticks,
        x_ticks,
        HEIGHT - BOTTOM,
        LEFT,
        WIDTH - RIGHT,
        sum(totals),
        table,
    )
