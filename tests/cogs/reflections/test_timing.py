"""Schedule forms and the DST rule, as pure functions: wall times in, instants out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cogs.reflections.timing import (
    CronRule,
    FormError,
    WeeklyRule,
    latest_due,
    load_rule,
    next_after,
    parse_form,
    resolve,
    upcoming,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 2)  # a Monday


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A naive wall-clock reading, as the rules produce before the zone is applied."""
    return datetime(year, month, day, hour, minute)  # noqa: DTZ001 - deliberately naive: a wall time


def local_times(form: str, zone: ZoneInfo, after: datetime, count: int) -> list[str]:
    return [
        f"{o.local:%Y-%m-%d %H:%M %Z}"
        for o in upcoming(parse_form(form, today=TODAY), zone, after, count)
    ]


# --- forms ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("form", "cron"),
    [
        ("daily 09:30", "30 9 * * *"),
        ("every day at 9:30", "30 9 * * *"),
        ("weekdays 08:00", "0 8 * * 1-5"),
        ("weekends 10:00", "0 10 * * 0,6"),
        ("mondays 19:00", "0 19 * * 1"),
        ("mon, thu 7pm", "0 19 * * 1,4"),
        ("mondays and thursdays 7:15 pm", "15 19 * * 1,4"),
        ("weekly mondays 09:00", "0 9 * * 1"),
        ("every week on sunday 12am", "0 0 * * 0"),
        ("30 9 * * 1-5", "30 9 * * 1-5"),
    ],
)
def test_friendly_forms_become_cron(form: str, cron: str) -> None:
    """Daily, weekday, weekend and named-day forms compile to the equivalent cron expression."""
    rule = parse_form(form, today=TODAY)
    assert isinstance(rule, CronRule)
    assert rule.canonical == cron


def test_every_two_weeks_is_anchored_on_its_first_coming_day() -> None:
    """`every 2 weeks on thursday` counts from the first Thursday on or after today, and reads back."""
    rule = parse_form("every 2 weeks on thursday 18:00", today=TODAY)
    assert isinstance(rule, WeeklyRule)
    assert rule.canonical == "every 2 weeks on thursday 18:00 from 2026-03-05"
    assert load_rule(rule.canonical) == rule
    assert local_times("every 2 weeks on thursday 18:00", BERLIN, utc(2026, 3, 2), 3) == [
        "2026-03-05 18:00 CET",
        "2026-03-19 18:00 CET",
        "2026-04-02 18:00 CEST",
    ]
    assert local_times("every other thursday 18:00", BERLIN, utc(2026, 3, 2), 1) == [
        "2026-03-05 18:00 CET"
    ]


def test_cron_weekdays_count_from_sunday_like_cron() -> None:
    """0 and 7 are Sunday, as in crontab (APScheduler 3 alone would read 0 as Monday)."""
    for expression in ("0 9 * * 0", "0 9 * * 7", "0 9 * * sun"):
        assert local_times(expression, BERLIN, utc(2026, 3, 2), 1) == ["2026-03-08 09:00 CET"]
    assert local_times("0 9 * * 5-7", BERLIN, utc(2026, 3, 2), 3) == [
        "2026-03-06 09:00 CET",
        "2026-03-07 09:00 CET",
        "2026-03-08 09:00 CET",
    ]


def test_cron_day_fields_either_match_when_both_are_given() -> None:
    """As in Vixie cron, `0 9 13 * 5` fires on the 13th and on every Friday."""
    assert local_times("0 9 13 * 5", BERLIN, utc(2026, 3, 2), 4) == [
        "2026-03-06 09:00 CET",
        "2026-03-13 09:00 CET",
        "2026-03-20 09:00 CET",
        "2026-03-27 09:00 CET",
    ]
    assert local_times("0 9 12 * 5", BERLIN, utc(2026, 3, 2), 3) == [
        "2026-03-06 09:00 CET",
        "2026-03-12 09:00 CET",
        "2026-03-13 09:00 CET",
    ]


@pytest.mark.parametrize(
    ("form", "sentence"),
    [
        ("61 9 * * *", "I couldn't read the minute “61”. It can be 0 to 59"),
        ("0 9 * * 8", "I couldn't read the day of the week “8”"),
        ("0 9 * *", "A cron expression has five fields"),
        ("0 9 * * * *", "A cron expression has five fields"),
        ("daily", "I need a time of day for “daily”"),
        ("daily 25:00", "“25:00” isn't a time of day I can read"),
        ("daily 9", "“9” isn't a time of day I can read"),
        ("sometimes 09:00", "I couldn't read “sometimes 09:00” as a time for a schedule"),
        ("", "I couldn't read “” as a time"),
        ("every 13 weeks on monday 09:00", "I can repeat every 1 to 12 weeks"),
        ("every 2 weeks on monday and friday 09:00", "I need one day of the week"),
    ],
)
def test_forms_that_cannot_be_read_are_explained(form: str, sentence: str) -> None:
    """Each unreadable form raises FormError with a kind sentence that says what to write."""
    with pytest.raises(FormError) as caught:
        parse_form(form, today=TODAY)
    assert sentence in str(caught.value)


def test_a_date_that_never_comes_has_no_next_time() -> None:
    """31 February never comes round, so there is no next time."""
    assert next_after(parse_form("0 9 31 2 *", today=TODAY), BERLIN, utc(2026, 3, 2)) is None


# --- the DST rule ------------------------------------------------------------------------------


def test_a_skipped_wall_time_happens_when_the_clocks_jump() -> None:
    """Berlin, 29 March 2026: 02:30 does not exist; it happens at the jump, 03:00 CEST (01:00 UTC)."""
    assert resolve(wall(2026, 3, 29, 2, 30), BERLIN) == utc(2026, 3, 29, 1, 0)
    assert resolve(wall(2026, 3, 29, 2, 0), BERLIN) == utc(2026, 3, 29, 1, 0)
    assert resolve(wall(2026, 3, 29, 3, 0), BERLIN) == utc(2026, 3, 29, 1, 0)
    assert resolve(wall(2026, 3, 8, 2, 30), NEW_YORK) == utc(2026, 3, 8, 7, 0)


def test_a_doubled_wall_time_happens_the_first_time() -> None:
    """Berlin, 25 October 2026: 02:30 happens twice; it is the first, 02:30 CEST (00:30 UTC)."""
    assert resolve(wall(2026, 10, 25, 2, 30), BERLIN) == utc(2026, 10, 25, 0, 30)
    assert resolve(wall(2026, 11, 1, 1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)


@pytest.mark.parametrize(
    ("zone", "form", "after", "expected"),
    [
        pytest.param(
            BERLIN,
            "daily 02:30",
            utc(2026, 3, 27, 12),
            ["2026-03-28 02:30 CET", "2026-03-29 03:00 CEST", "2026-03-30 02:30 CEST"],
            id="berlin-spring",
        ),
        pytest.param(
            BERLIN,
            "daily 02:30",
            utc(2026, 10, 23, 12),
            ["2026-10-24 02:30 CEST", "2026-10-25 02:30 CEST", "2026-10-26 02:30 CET"],
            id="berlin-autumn",
        ),
        pytest.param(
            NEW_YORK,
            "daily 02:30",
            utc(2026, 3, 6, 12),
            ["2026-03-07 02:30 EST", "2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT"],
            id="new-york-spring",
        ),
        pytest.param(
            NEW_YORK,
            "daily 01:30",
            utc(2026, 10, 30, 12),
            ["2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"],
            id="new-york-autumn",
        ),
    ],
)
def test_a_daily_run_happens_once_on_dst_days(
    zone: ZoneInfo, form: str, after: datetime, expected: list[str]
) -> None:
    """Across each change of the clocks, a daily time comes exactly once a day, at the documented time."""
    assert local_times(form, zone, after, 3) == expected


def test_a_busy_cron_collapses_the_gap_into_one_run() -> None:
    """Every 15 minutes through the spring gap: 02:00 to 02:45 and 03:00 are one run at the jump."""
    assert local_times("*/15 * * * *", BERLIN, utc(2026, 3, 29, 0, 40), 4) == [
        "2026-03-29 01:45 CET",
        "2026-03-29 03:00 CEST",
        "2026-03-29 03:15 CEST",
        "2026-03-29 03:30 CEST",
    ]


def test_a_busy_cron_does_not_repeat_the_doubled_hour() -> None:
    """Every 15 minutes through the autumn overlap: the repeated hour brings no second round of runs."""
    assert local_times("*/15 * * * *", BERLIN, utc(2026, 10, 25, 0, 40), 3) == [
        "2026-10-25 02:45 CEST",
        "2026-10-25 03:00 CET",
        "2026-10-25 03:15 CET",
    ]
    # asked from inside the repeat, the next run is still after it
    assert next_after(
        parse_form("*/15 * * * *", today=TODAY), BERLIN, utc(2026, 10, 25, 1, 10)
    ) == utc(2026, 10, 25, 2, 0)


def test_latest_due_coalesces_runs_that_passed() -> None:
    """From the first missed run, the last one at or before now is the one to post."""
    rule = parse_form("0 * * * *", today=TODAY)
    assert latest_due(rule, BERLIN, utc(2026, 3, 2, 9), utc(2026, 3, 2, 12, 30)) == (
        utc(2026, 3, 2, 12),
        utc(2026, 3, 2, 13),
    )


zones = st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")])
instants = st.datetimes(min_value=wall(2026, 1, 1), max_value=wall(2027, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)


@given(
    zones, instants, st.integers(min_value=0, max_value=23), st.integers(min_value=0, max_value=59)
)
def test_daily_runs_come_once_per_local_day_and_always_move_forward(
    zone: ZoneInfo, after: datetime, hour: int, minute: int
) -> None:
    """Whatever the zone and day, a daily time gives one run per local date, in increasing order,
    each at the named time or (on a skipped hour) later on the same day."""
    rule = parse_form(f"daily {hour:02d}:{minute:02d}", today=TODAY)
    runs = upcoming(rule, zone, after, 4)
    assert [r.at for r in runs] == sorted({r.at for r in runs})
    assert runs[0].at > after
    dates = [r.wall.date() for r in runs]
    assert dates == [dates[0] + timedelta(days=i) for i in range(4)]
    for run in runs:
        local = run.at.astimezone(zone).replace(tzinfo=None)
        assert local == run.wall or (
            run.shifted and local > run.wall and local.date() == run.wall.date()
        )
