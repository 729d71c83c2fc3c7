"""What operators can watch: the metric families, and the small calls that record them.

The engine and the cogs call the recording functions (``command_handled``, ``event_received``,
...) wherever something worth counting happens. They cost one check and nothing more until
``start()`` is called, which the web server does when it is switched on: only then is
``prometheus_client`` imported and the families made, in a registry of our own (never the
library's global default, so two bots in one process, or a test, never mix their counts).

Labels stay few and bounded: a command's name, an outcome word, a platform, a shard. Never a
person, a circle or anything anyone wrote.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.chat import Platform

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Seconds: most commands answer in milliseconds; a slow platform call can take seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds late a timer fires: on time is a few milliseconds; after downtime, hours.
LATENESS_BUCKETS = (0.01, 0.05, 0.25, 1.0, 5.0, 30.0, 120.0, 600.0, 3600.0, 21600.0)
UNKNOWN_COMMAND = "unknown"  # the label for a command nobody declared: never the typed words


def timer_kind(job_id: str) -> str:
    """A timer's kind: its job id without the numbers (``agreements:close:7`` is
    ``agreements:close``), so the label never grows with the data."""
    return ":".join(part for part in job_id.split(":") if not part.isdigit()) or "timer"


def shard_label(shard: int | None) -> str:
    """A shard's label; empty where the platform (or this process) isn't sharded."""
    return "" if shard is None else str(shard)


@dataclass(slots=True)
class Connection:
    """The last word a platform gave about its connection, for ``/healthz``."""

    up: bool
    changed_at: float


@dataclass(slots=True)
class Families:
    """Every metric family, made once per running web server."""

    registry: CollectorRegistry
    commands: Counter
    command_seconds: Histogram
    events: Counter
    last_event: Gauge
    reconnects: Counter
    connected: Gauge
    prompts: Counter
    votes: Counter
    nudges: Counter
    timers_fired: Counter
    timer_lateness: Histogram
    timers_pending: Gauge
    # What /healthz reads back without parsing the registry.
    last_event_at: dict[tuple[str, str], float] = field(default_factory=dict)
    connections: dict[tuple[str, str], Connection] = field(default_factory=dict)

    @classmethod
    def make(cls) -> Families:
        from prometheus_client import (
            PROCESS_COLLECTOR,
            CollectorRegistry,
            Counter,
            Gauge,
            Histogram,
        )
        from prometheus_client.process_collector import ProcessCollector

        registry = CollectorRegistry(auto_describe=True)
        if PROCESS_COLLECTOR is not None:  # memory, CPU and open files, where /proc exists
            ProcessCollector(registry=registry)
        return cls(
            registry=registry,
            commands=Counter(
                "circlekeeper_commands",
                "Commands handled, by command and outcome (done, refused, failed, unknown).",
                ["command", "outcome"],
                registry=registry,
            ),
            command_seconds=Histogram(
                "circlekeeper_command_duration_seconds",
                "How long a command took, from its arrival to its last word.",
                ["command"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            events=Counter(
                "circlekeeper_events",
                "Events the platforms handed in (messages, reactions, joins), bots' own included.",
                ["platform", "shard"],
                registry=registry,
            ),
            last_event=Gauge(
                "circlekeeper_last_event_timestamp_seconds",
                "When the last event arrived from each platform and shard (Unix time).",
                ["platform", "shard"],
                registry=registry,
            ),
            reconnects=Counter(
                "circlekeeper_gateway_reconnects",
                "Times a platform connection came back after it dropped (Discord's gateway, Matrix's sync).",
                ["platform", "shard"],
                registry=registry,
            ),
            connected=Gauge(
                "circlekeeper_platform_connected",
                "1 while a platform is attached and its connection is up, else 0.",
                ["platform"],
                registry=registry,
            ),
            prompts=Counter(
                "circlekeeper_scheduled_posts",
                "Scheduled posts (kind prompt, rota or meeting): posted, or missed (due while "
                "the bot was away for longer than the grace period).",
                ["kind", "outcome"],
                registry=registry,
            ),
            votes=Counter(
                "circlekeeper_votes",
                "Vote reactions on proposals, by what became of them (counted, not_member, ...).",
                ["status"],
                registry=registry,
            ),
            nudges=Counter(
                "circlekeeper_nudges",
                "Nudges: sent, undelivered (private messages closed) or held (by the rate limits).",
                ["outcome"],
                registry=registry,
            ),
            timers_fired=Counter(
                "circlekeeper_timers_fired",
                "Timers fired, by kind (the job id without its numbers) and outcome.",
                ["kind", "outcome"],
                registry=registry,
            ),
            timer_lateness=Histogram(
                "circlekeeper_timer_lateness_seconds",
                "How late timers fired after their due time.",
                buckets=LATENESS_BUCKETS,
                registry=registry,
            ),
            timers_pending=Gauge(
                "circlekeeper_timers_pending",
                "Timers armed and waiting.",
                registry=registry,
            ),
        )


_live: Families | None = None


def start() -> Families:
    """Make the families and start recording into them (the web server calls this)."""
    global _live
    _live = Families.make()
    return _live


def stop(families: Families) -> None:
    """Stop recording into ``families`` (if they are still the live ones)."""
    global _live
    if _live is families:
        _live = None


def live() -> Families | None:
    return _live


# --- recording ---------------------------------------------------------------------------------


def command_handled(command: str, outcome: str, seconds: float) -> None:
    if (m := _live) is None:
        return
    m.commands.labels(command, outcome).inc()
    m.command_seconds.labels(command).observe(seconds)


def event_received(platform: Platform, shard: int | None = None) -> None:
    if (m := _live) is None:
        return
    labels = (platform.value, shard_label(shard))
    now = time.time()
    m.events.labels(*labels).inc()
    m.last_event.labels(*labels).set(now)
    m.last_event_at[labels] = now


def shard_event(platform: Platform, shard: int) -> None:
    """An event arrived on ``shard`` (counted once, by ``event_received``; this keeps the
    time of the last one per shard)."""
    if (m := _live) is None:
        return
    labels = (platform.value, shard_label(shard))
    now = time.time()
    m.last_event.labels(*labels).set(now)
    m.last_event_at[labels] = now


def connection_up(platform: Platform, shard: int | None = None) -> None:
    """The platform says it is connected; after a drop, that counts as a reconnect."""
    if (m := _live) is None:
        return
    labels = (platform.value, shard_label(shard))
    before = m.connections.get(labels)
    if before is not None and not before.up:
        m.reconnects.labels(*labels).inc()
    m.connections[labels] = Connection(up=True, changed_at=time.time())


def connection_down(platform: Platform, shard: int | None = None) -> None:
    if (m := _live) is None:
        return
    m.connections[(platform.value, shard_label(shard))] = Connection(False, time.time())


def scheduled_post(kind: str, outcome: str) -> None:
    """A schedule's run: ``kind`` prompt, rota or meeting; ``outcome`` posted or missed."""
    if (m := _live) is not None:
        m.prompts.labels(kind, outcome).inc()


def vote_seen(status: str) -> None:
    if (m := _live) is not None:
        m.votes.labels(status).inc()


def nudge_sent(*, delivered: bool) -> None:
    if (m := _live) is not None:
        m.nudges.labels("sent" if delivered else "undelivered").inc()


def nudge_held() -> None:
    if (m := _live) is not None:
        m.nudges.labels("held").inc()


def timer_fired(job_id: str, late_seconds: float, *, failed: bool) -> None:
    if (m := _live) is None:
        return
    kind = timer_kind(job_id)
    m.timers_fired.labels(kind, "failed" if failed else "done").inc()
    m.timer_lateness.observe(max(late_seconds, 0.0))
