"""The recording calls: free until started, bounded labels, a registry of our own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import metrics
from bot.chat import Platform


@pytest.fixture
def families() -> Iterator[metrics.Families]:
    started = metrics.start()
    yield started
    metrics.stop(started)


def value(families: metrics.Families, name: str, **labels: str) -> float | None:
    return families.registry.get_sample_value(name, labels)


def test_recording_before_start_does_nothing() -> None:
    """With no web server, every call returns at once and nothing is kept."""
    assert metrics.live() is None
    metrics.command_handled("help", "done", 0.01)
    metrics.event_received(Platform.LOCAL)
    metrics.connection_down(Platform.DISCORD)
    metrics.timer_fired("agreements:close:1", 0.0, failed=False)
    assert metrics.live() is None


def test_commands_are_counted_and_timed(families: metrics.Families) -> None:
    """A command's outcome is counted and its time observed under its name."""
    metrics.command_handled("circle join", "done", 0.02)
    metrics.command_handled("circle join", "refused", 0.001)
    assert (
        value(families, "circlekeeper_commands_total", command="circle join", outcome="done") == 1
    )
    count = value(families, "circlekeeper_command_duration_seconds_count", command="circle join")
    assert count == 2


def test_a_reconnect_is_a_return_after_a_drop(families: metrics.Families) -> None:
    """The first connection is no reconnect; each return after a drop is one."""
    reconnects = {"platform": "discord", "shard": ""}
    metrics.connection_up(Platform.DISCORD)
    assert value(families, "circlekeeper_gateway_reconnects_total", **reconnects) is None
    metrics.connection_down(Platform.DISCORD)
    metrics.connection_up(Platform.DISCORD)
    metrics.connection_up(Platform.DISCORD)  # RESUMED then READY: still one return
    assert value(families, "circlekeeper_gateway_reconnects_total", **reconnects) == 1


def test_shards_are_labelled_apart(families: metrics.Families) -> None:
    """Events from two shards keep separate last-event times."""
    metrics.event_received(Platform.DISCORD, shard=0)
    metrics.event_received(Platform.DISCORD, shard=3)
    assert set(families.last_event_at) == {("discord", "0"), ("discord", "3")}


def test_timer_kinds_never_carry_ids() -> None:
    """A timer's label is its kind, without the numbers that would grow with the data."""
    assert metrics.timer_kind("agreements:close:17") == "agreements:close"
    assert metrics.timer_kind("round-turn:4") == "round-turn"
    assert metrics.timer_kind("42") == "timer"


def test_scheduled_posts_nudges_and_votes(families: metrics.Families) -> None:
    """Each cog's one line lands in its family, by outcome."""
    metrics.scheduled_post("prompt", "posted")
    metrics.scheduled_post("prompt", "missed")
    metrics.nudge_sent(delivered=False)
    metrics.nudge_held()
    metrics.vote_seen("counted")
    posted = {"kind": "prompt", "outcome": "posted"}
    assert value(families, "circlekeeper_scheduled_posts_total", **posted) == 1
    assert value(families, "circlekeeper_nudges_total", outcome="undelivered") == 1
    assert value(families, "circlekeeper_nudges_total", outcome="held") == 1
    assert value(families, "circlekeeper_votes_total", status="counted") == 1


def test_stopping_old_families_leaves_newer_ones_recording() -> None:
    """Stopping one web server's families doesn't silence the next one's."""
    old = metrics.start()
    new = metrics.start()
    metrics.stop(old)
    assert metrics.live() is new
    metrics.stop(new)
    assert metrics.live() is None
