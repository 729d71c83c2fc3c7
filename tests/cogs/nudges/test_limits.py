"""Rate limits: per member, per conversation, and daily caps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cogs.nudges.limits import Given, Limits, allows

NOW = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
LIMITS = Limits()


def ok(
    past: list[Given], member: str = "ben", conversation: str = "t1", circle_id: int = 1
) -> bool:
    return allows(
        LIMITS, past, member=member, conversation=conversation, circle_id=circle_id, now=NOW
    )


def test_a_first_nudge_is_allowed() -> None:
    """With no history, a nudge may go."""
    assert ok([])


def test_one_per_member_per_half_hour() -> None:
    """A member nudged 20 minutes ago is not nudged again; after 31 minutes they may be."""
    assert not ok([Given("ben", "t9", 2, NOW - timedelta(minutes=20))])
    assert ok([Given("ben", "t9", 2, NOW - timedelta(minutes=31))])


def test_one_per_conversation_per_quarter_hour() -> None:
    """A conversation that had a nudge 10 minutes ago gets none, whoever it would go to."""
    assert not ok([Given("cat", "t1", 1, NOW - timedelta(minutes=10))])
    assert ok([Given("cat", "t1", 1, NOW - timedelta(minutes=16))])


def test_daily_caps() -> None:
    """Three a day per member, twenty a day per circle."""
    member_day = [Given("ben", f"t{i}", 1, NOW - timedelta(hours=2 + i)) for i in range(3)]
    assert not ok(member_day)
    circle_day = [
        Given(f"m{i}", f"t{i}", 1, NOW - timedelta(hours=1, minutes=i)) for i in range(20)
    ]
    assert not ok(circle_day)
    assert ok(circle_day, circle_id=2)
    yesterday = [Given("ben", f"t{i}", 1, NOW - timedelta(hours=25 + i)) for i in range(3)]
    assert ok(yesterday)
