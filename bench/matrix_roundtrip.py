"""Benchmark: commands through a real Synapse on loopback, and a 100-message burst.

It starts its own Synapse (tests/e2e/synapse.py, in a temporary folder), runs the whole bot
in this process (open_app + MatrixAdapter, real clock, real SQLite), and talks to it with a
plain nio client as a person would.

- Round trip: N commands one after another; for each, the time from sending it to the
  person's client receiving the bot's answer (what a person feels). Also the part the bot
  and Synapse add, from the two events' server timestamps.
- Burst: 100 messages sent at once; seconds until the bot's cogs have heard them all, and
  how many were missed.

    .venv/bin/python bench/matrix_roundtrip.py [--commands 200] [--burst 100]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.e2e.synapse

import nio

from bot.app import open_app
from bot.chat import Event, MessagePosted
from bot.clock import SystemClock
from bot.cog import Cog, DomainEvent
from bot.config import Config, MatrixConfig, Secrets
from bot.platforms.matrix import MatrixAdapter
from tests.e2e.synapse import RegisteredUser, Synapse

FILTER = {
    "room": {"timeline": {"limit": 100}, "ephemeral": {"not_types": ["*"]}},
    "presence": {"not_types": ["*"]},
}
COMMANDS = ("!ck circle list", "!ck circle members", "!ck round status", "!ck help circle join")


class Counter(Cog):
    name = "bench-counter"

    def __init__(self) -> None:
        self.texts: set[str] = set()
        self.changed = asyncio.Event()

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, MessagePosted) and event.text:
            self.texts.add(event.text)
            self.changed.set()


class Listener:
    """The person's client, syncing in the background; wakes whoever waits for an answer."""

    def __init__(self, client: nio.AsyncClient) -> None:
        self.client = client
        self.answers: dict[str, tuple[float, int]] = {}  # command id -> (arrival, server ts)
        self.created: dict[str, int] = {}  # event id -> server ts
        self.seen: list[nio.Event] = []
        self.arrived = asyncio.Event()

    async def until(self, done: Callable[[], bool], seconds: float = 10) -> None:
        async with asyncio.timeout(seconds):
            while not done():
                self.arrived.clear()
                await self.arrived.wait()

    async def run(self) -> None:
        while True:
            response = await self.client.sync(timeout=30_000, sync_filter=FILTER)
            now = time.perf_counter()
            if not isinstance(response, nio.SyncResponse):
                continue
            for info in response.rooms.join.values():
                for event in info.timeline.events:
                    self.seen.append(event)
                    self.created[event.event_id] = event.server_timestamp
                    relates = event.source.get("content", {}).get("m.relates_to", {})
                    answered = relates.get("m.in_reply_to", {}).get("event_id")
                    if answered and event.sender != self.client.user_id:
                        self.answers.setdefault(answered, (now, event.server_timestamp))
            self.arrived.set()


def said(listener: Listener, sender: str, field: str, text: str) -> bool:
    return any(e.sender == sender and text in str(getattr(e, field, "")) for e in listener.seen)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def bench(
    synapse: Synapse,
    bot_user: RegisteredUser,
    person: RegisteredUser,
    data: Path,
    commands: int,
    burst: int,
) -> None:
    config = Config(
        data_dir=str(data),
        log_level="warning",
        matrix=MatrixConfig(enabled=True, homeserver=synapse.url, user_id=bot_user.user_id),
    )
    secrets = Secrets(
        discord_token=None, matrix_access_token=bot_user.access_token, matrix_password=None
    )
    async with open_app(config, clock=SystemClock()) as app:
        counter = Counter()
        app.bus.attach(counter)
        adapter = MatrixAdapter(app, config.matrix, secrets, data_path=config.data_path)
        started = time.perf_counter()
        await app.attach(adapter)
        await app.start()
        ready = time.perf_counter() - started
        serving = asyncio.create_task(adapter.run())
        client = synapse.client(person)
        listener = Listener(client)
        listening = asyncio.create_task(listener.run())
        try:
            created = await client.room_create(invite=[bot_user.user_id])
            if not isinstance(created, nio.RoomCreateResponse):
                raise RuntimeError(f"could not create a room: {created}")
            room = created.room_id
            await listener.until(lambda: said(listener, bot_user.user_id, "membership", "join"))
            await send(client, room, "!ck circle create Bench A circle to measure")
            await listener.until(
                lambda: said(listener, bot_user.user_id, "body", "has a home here now")
            )

            latencies: list[float] = []
            server_side: list[float] = []
            for n in range(commands + 10):
                line = COMMANDS[n % len(COMMANDS)]
                sent_at = time.perf_counter()
                event_id = await send(client, room, line)
                await listener.until(lambda: event_id in listener.answers)  # noqa: B023 - awaited here
                arrived, answer_ts = listener.answers[event_id]
                if n >= 10:  # the first few warm caches up
                    latencies.append((arrived - sent_at) * 1000)
                    server_side.append(answer_ts - listener.created.get(event_id, answer_ts))

            texts = [f"burst {n}" for n in range(burst)]
            burst_started = time.perf_counter()
            await asyncio.gather(*(send(client, room, text) for text in texts))
            sent_seconds = time.perf_counter() - burst_started
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(30):
                    while not set(texts) <= counter.texts:
                        counter.changed.clear()
                        await counter.changed.wait()
            burst_seconds = time.perf_counter() - burst_started
            missed = len(set(texts) - counter.texts)
        finally:
            listening.cancel()
            serving.cancel()
            await asyncio.gather(listening, serving, return_exceptions=True)
            await client.close()

    print(
        f"Synapse {synapse.url}, started in {synapse.last_start_seconds:.1f} s; bot ready in {ready * 1000:.0f} ms"
    )
    print(f"command -> answer, {len(latencies)} commands, as the person's client sees it:")
    print(
        f"  p50 {percentile(latencies, 0.5):.0f} ms   p95 {percentile(latencies, 0.95):.0f} ms   "
        f"p99 {percentile(latencies, 0.99):.0f} ms   mean {statistics.fmean(latencies):.0f} ms   max {max(latencies):.0f} ms"
    )
    print(
        f"  of which command -> answer on the server (bot + Synapse, server timestamps): "
        f"p50 {percentile(server_side, 0.5):.0f} ms   p99 {percentile(server_side, 0.99):.0f} ms"
    )
    print(f"burst of {burst} messages sent at once (sending took {sent_seconds:.2f} s):")
    print(f"  all heard by the cogs after {burst_seconds:.2f} s; missed {missed}")


async def send(client: nio.AsyncClient, room: str, text: str) -> str:
    response = await client.room_send(room, "m.room.message", {"msgtype": "m.text", "body": text})
    if not isinstance(response, nio.RoomSendResponse):
        raise RuntimeError(f"could not send: {response}")
    return str(response.event_id)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--burst", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="ck-bench-matrix-") as folder:
        synapse = Synapse(Path(folder) / "synapse")
        with synapse:  # started and stopped from the main thread
            bot_user = synapse.register("circlekeeper")
            person = synapse.register("alice")
            asyncio.run(
                bench(synapse, bot_user, person, Path(folder) / "data", args.commands, args.burst)
            )


if __name__ == "__main__":
    main()
