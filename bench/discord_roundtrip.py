"""Benchmark: slash commands through the loopback Discord, from INTERACTION_CREATE to response.

The real bot (``open_app`` and a ``DiscordAdapter`` with the unmodified discord.py) serves a
loopback Discord (tests/e2e/discord_protocol) in the same process and event loop. Each command
is a cycle of /circle join, /circle preference, /circle list and /circle leave by one of 50
members, so reads and committed writes mix. Latency is measured from dispatching the
interaction on the gateway to the bot's response reaching the server; both sides share one
event loop, so the figures include the loopback server's own work.

    .venv/bin/python bench/discord_roundtrip.py [--commands 500] [--concurrency 20]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.discord_bot import make_folk, running_bot
from tests.e2e.discord_protocol import DiscordServer, option, subcommand
from tests.e2e.discord_protocol.state import Channel, User

MEMBERS = 50


def command_for(i: int, people: list[User]) -> tuple[User, Any]:
    who = people[(i // 4) % len(people)]
    step = i % 4
    if step == 0:
        return who, subcommand("join")
    if step == 1:
        return who, subcommand("preference", option("preference", "listening"))
    if step == 2:
        return who, subcommand("list")
    return who, subcommand("leave")


async def one(server: DiscordServer, channel: Channel, who: User, options: Any) -> float:
    started = time.perf_counter()
    interaction = await server.dispatch_command(who, channel, "circle", options)
    await server.wait_for_reply(interaction)
    return time.perf_counter() - started


async def phase(
    server: DiscordServer, channel: Channel, people: list[User], count: int, concurrency: int
) -> tuple[list[float], float]:
    gate = asyncio.Semaphore(concurrency)

    async def limited(i: int) -> float:
        async with gate:
            who, options = command_for(i, people)
            return await one(server, channel, who, options)

    started = time.perf_counter()
    latencies = await asyncio.gather(*(limited(i) for i in range(count)))
    return list(latencies), time.perf_counter() - started


def describe(name: str, latencies: list[float], elapsed: float) -> str:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = len(latencies) / elapsed
    return f"{name:<22} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   {rate:6.0f} commands/s   ({len(latencies)} in {elapsed:.2f} s)"


async def main(commands: int, concurrency: int) -> None:
    async with DiscordServer() as server:
        folk = make_folk(server)
        people = [server.create_user(f"member{n}") for n in range(MEMBERS)]
        for person in people:
            server.add_member(folk.guild, person)
        with tempfile.TemporaryDirectory(prefix="circlekeeper-bench-") as folder:
            async with running_bot(server, Path(folder) / "data") as bot:
                reply = await bot.ask(
                    folk.alice,
                    folk.general,
                    "circle",
                    subcommand("create", option("name", "Bench"), option("capacity", MEMBERS + 5)),
                )
                if "has a home here now" not in (reply.content or ""):
                    raise RuntimeError(f"the bench circle wasn't created: {reply.content}")
                await phase(server, folk.general, people, 40, 1)  # warm up the caches
                before = len(server.requests)
                sequential, seq_time = await phase(server, folk.general, people, commands, 1)
                concurrent, con_time = await phase(
                    server, folk.general, people, commands, concurrency
                )
                rest_calls = (len(server.requests) - before) / (2 * commands)
    print(f"{commands} slash commands through the loopback Discord (discord.py, real bot, SQLite)")
    print(describe("one at a time", sequential, seq_time))
    print(describe(f"{concurrency} in flight", concurrent, con_time))
    print(f"REST requests per command: {rest_calls:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.commands, args.concurrency))
