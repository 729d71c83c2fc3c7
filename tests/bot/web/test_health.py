"""/healthz, the health page and /metrics: the same facts for machines and for people."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bot import metrics
from bot.chat import Platform
from bot.clock import OffsetClock
from bot.scheduling import Scheduler
from bot.storage.database import Database
from bot.web.health import HealthCheck, age
from tests.bot.web.conftest import Dash
from tests.sandbox import make_circle


async def test_healthz_answers_200_with_json_when_all_is_well(dash: Dash) -> None:
    """Store, sandbox and timers all fine: 200, and JSON that says so part by part."""
    response = await dash.client.get("/healthz")
    assert response.status == 200
    assert response.content_type == "application/json"
    body = json.loads(await response.text())
    assert body["ok"] is True
    assert body["store"]["ok"] is True
    assert body["store"]["size_bytes"] > 0
    assert body["platforms"] == {"local": {"connected": True, "last_event": None}}
    assert body["scheduler"] == {
        "ok": True,
        "state": "manual",
        "timers": 0,
        "overdue": 0,
        "jobs": {},
    }


async def test_healthz_needs_no_sign_in_and_shows_no_one(dash: Dash) -> None:
    """It's for monitoring: open without a session, and it names nobody."""
    await make_circle(dash.sb, "bob")
    text = await (await dash.client.get("/healthz")).text()
    for name in ("alice", "bob", "Tuesday"):
        assert name not in text


async def test_healthz_says_503_when_no_platform_is_connected(dash: Dash) -> None:
    """With the platform gone, the check fails and says which part."""
    app = dash.sb.app
    assert app is not None
    chat = dash.sb.chat_or_fail()
    app.hub.unregister(Platform.LOCAL)
    try:
        response = await dash.client.get("/healthz")
        body = json.loads(await response.text())
        assert response.status == 503
        assert body["ok"] is False
        assert body["platforms"] == {}
        assert body["store"]["ok"] is True
    finally:
        app.hub.register(Platform.LOCAL, chat)


async def test_a_platform_that_reports_a_drop_is_not_connected(dash: Dash) -> None:
    """A dropped gateway makes /healthz 503 until it is back, and the return counts as a
    reconnect in /metrics."""
    metrics.connection_up(Platform.LOCAL)
    metrics.connection_down(Platform.LOCAL)
    body = json.loads(await (await dash.client.get("/healthz")).text())
    assert body["platforms"]["local"]["connected"] is False
    metrics.connection_up(Platform.LOCAL)
    assert (await dash.client.get("/healthz")).status == 200
    text = await (await dash.client.get("/metrics")).text()
    assert 'circlekeeper_gateway_reconnects_total{platform="local",shard=""} 1.0' in text


async def test_the_last_event_is_shown_per_platform(dash: Dash) -> None:
    """Someone writing in the room is the platform's last event."""
    await dash.sb.say("bob: hello everyone")
    body = json.loads(await (await dash.client.get("/healthz")).text())
    assert body["platforms"]["local"]["last_event"] is not None
    await dash.sign_in("alice")
    html = await (await dash.client.get("/health")).text()
    assert "<td>just now</td>" in html


async def test_the_health_page_shows_the_same_facts(dash: Dash) -> None:
    """The page for people says in words what /healthz says in JSON."""
    await dash.sign_in("alice")
    response = await dash.client.get("/health")
    html = await response.text()
    assert response.status == 200
    assert "Everything is running." in html
    assert '<th scope="row">Sandbox</th>' in html
    assert "<td>Connected</td>" in html
    assert "Reachable." in html
    assert "0 timers are waiting" in html


async def test_the_store_counts_as_unreachable_when_it_does_not_answer(tmp_path: Path) -> None:
    """A store that can't run a query fails the check, with the reason."""
    db = await Database.open(tmp_path / "closed.db")
    await db.close()
    clock = OffsetClock()
    check = HealthCheck(db, dict, Scheduler(clock), clock)
    health = await check.check()
    assert not health.store.ok
    assert health.store.problem
    assert not health.ok


async def test_a_stopped_or_stuck_scheduler_is_unhealthy(tmp_path: Path) -> None:
    """Timers that aren't running, or one far past due, fail the check."""
    db = await Database.open(tmp_path / "store.db")
    clock = OffsetClock()
    scheduler = Scheduler(clock)
    check = HealthCheck(db, dict, scheduler, clock)
    try:
        assert (await check.check()).scheduler.state == "stopped"
        assert not (await check.check()).scheduler.ok
        await scheduler.start()

        async def never(_due: object) -> None:
            raise AssertionError("a stuck timer should not fire here")

        scheduler.at("stuck:1", clock.now() + timedelta(hours=1), never)
        assert (await check.check()).scheduler.ok
        clock.advance(timedelta(hours=2))  # the alarm clock isn't told: as if it hung
        health = (await check.check()).scheduler
        assert (health.state, health.overdue, health.ok) == ("running", 1, False)
    finally:
        await scheduler.shutdown()
        await db.close()


async def test_metrics_count_commands_by_name_and_outcome(dash: Dash) -> None:
    """Commands done, refused and unknown are counted, each under its own label."""
    await make_circle(dash.sb, "bob")
    await dash.sb.say("bob: /circle rota add @erin", "bob: /no-such-thing")
    response = await dash.client.get("/metrics")
    text = await response.text()
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    assert 'circlekeeper_commands_total{command="circle create",outcome="done"} 1.0' in text
    assert 'circlekeeper_commands_total{command="circle join",outcome="done"} 1.0' in text
    assert 'circlekeeper_commands_total{command="circle rota add",outcome="refused"} 1.0' in text
    assert 'circlekeeper_commands_total{command="unknown",outcome="unknown"} 1.0' in text
    assert 'circlekeeper_command_duration_seconds_count{command="circle create"} 1.0' in text
    assert "no-such-thing" not in text


async def test_metrics_count_events_votes_and_timers(dash: Dash) -> None:
    """Events per platform, vote reactions by what became of them, timers by kind."""
    await make_circle(dash.sb, "bob")
    await dash.sb.say("bob: /agreement propose We start on time.")
    await dash.sb.say("bob +^ ✅", "erin +^ ✅")
    await dash.sb.wait(timedelta(days=4))
    text = await (await dash.client.get("/metrics")).text()
    assert 'circlekeeper_events_total{platform="local",shard=""}' in text
    assert 'circlekeeper_votes_total{status="counted"} 1.0' in text
    assert 'circlekeeper_votes_total{status="not_member"} 1.0' in text
    assert 'circlekeeper_timers_fired_total{kind="agreements:close",outcome="done"} 1.0' in text
    assert "circlekeeper_timers_pending" in text
    assert 'circlekeeper_platform_connected{platform="local"} 1.0' in text


async def test_metrics_use_a_registry_of_our_own(dash: Dash) -> None:
    """Nothing goes into prometheus_client's global registry."""
    from prometheus_client import REGISTRY, generate_latest

    assert b"circlekeeper_" not in generate_latest(REGISTRY)


def test_ages_read_as_plain_words() -> None:
    """“just now”, “1 minute ago”, “3 hours ago”, and “nothing yet” for never."""
    from datetime import UTC, datetime

    moment = datetime(2026, 1, 1, tzinfo=UTC)
    base = moment.timestamp()
    assert age(None) == "nothing yet"
    assert age(moment, now=base + 3) == "just now"
    assert age(moment, now=base + 60) == "1 minute ago"
    assert age(moment, now=base + 3 * 3600 + 5) == "3 hours ago"


async def test_the_health_page_lists_each_owners_timers(dash: Dash) -> None:
    """A schedule's timer shows under its owner on the page and in /healthz alike."""
    from tests.sandbox import make_circle

    await make_circle(dash.sb)
    await dash.sb.say("alice: /schedule add mondays 19:30")
    await dash.sign_in("alice")
    html = await (await dash.client.get("/health")).text()
    assert '<tr><th scope="row">reflections</th><td>1</td><td>2026-03-02 19:30</td></tr>' in html
    data = await (await dash.client.get("/healthz")).json()
    assert data["scheduler"]["jobs"]["reflections"] == {
        "timers": 1,
        "next": "2026-03-02T19:30:00.000000Z",
    }
