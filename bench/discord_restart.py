"""Benchmark: a slash command sent while the bot restarts, with open proposals to read back.

The real bot (``open_app`` and a ``DiscordAdapter`` with the unmodified discord.py) serves the
strict loopback Discord (tests/e2e/discord_protocol) in the same process. A first run makes a
circle and opens ``--proposals`` proposals, each with its three option reactions. Then every
REST answer is slowed by ``--latency`` (as across an ocean), Discord's real rate-limit windows
apply, and the bot is started again: ``--after`` seconds after its IDENTIFY reaches the
gateway, a member runs /circle list. Discord wants the first response within 3 s of the
interaction, or the person sees "The application did not respond".

Printed per run: when the first response came (from the command, and from IDENTIFY), when
the full answer came, and when the read-back of every open proposal had finished.

    .venv/bin/python bench/discord_restart.py [--proposals 20] [--latency 0.1] [--after 0.3] [--runs 3]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.discord_bot import make_folk, newest_thread, running_bot, starting_bot
from tests.e2e.discord_protocol import DiscordServer, InteractionReply, option, subcommand

DEADLINE = 3.0
WAIT_FOR_ANYTHING = 300.0  # a slow start is what is measured here, so wait for it
SETUP_SCALE = 0.02  # rate-limit windows while setting up (the restart itself uses Discord's)


async def open_proposals(server: DiscordServer, data: Path, count: int) -> None:
    folk = make_folk(server)
    async with running_bot(server, data) as bot:
        await bot.ask(
            folk.alice, folk.general, "circle", subcommand("create", option("name", "Bench"))
        )
        await bot.ask(folk.bob, folk.general, "circle", subcommand("join"))
        for n in range(count):
            text = f"We try agreement number {n} for a month."
            answer = await bot.ask(
                folk.bob, folk.general, "agreement", subcommand("propose", option("text", text))
            )
            if "Your proposal is up" not in (answer.content or ""):
                raise RuntimeError(f"proposal {n} wasn't opened: {answer.content}")
            post = server.world.messages[newest_thread(server, folk.general).id]
            await server.wait_until(
                lambda post=post: len(post.reactions) == 3 or None, "the option reactions"
            )


async def one_restart(server: DiscordServer, data: Path, after: float) -> dict[str, float]:
    folk = next(iter(server.world.guilds.values()))
    general = server.world.channels[folk.channel_ids[0]]
    carol = next(u for u in server.world.users.values() if u.name == "carol")
    async with starting_bot(server, data) as starting:
        identified = starting.identified_at
        await asyncio.sleep(max(identified + after - time.monotonic(), 0.0))
        sent = time.monotonic()
        interaction = await server.dispatch_command(carol, general, "circle", subcommand("list"))
        callback = f"/interactions/{interaction.id}/{interaction.token}/callback"
        tried = await server.wait_until(
            lambda: next((c for c in server.requests_to("POST", callback) if c.status), None),
            "the first response",
            limit=WAIT_FOR_ANYTHING,
        )
        first_at = time.monotonic()
        if tried.status != 200:  # Discord refused it: too late, the person saw an error
            bot = await starting.running(WAIT_FOR_ANYTHING)
            return {
                "first": first_at - sent,
                "first_from_identify": first_at - identified,
                "answer": float("nan"),
                "read_back": time.monotonic() - identified,
                "deferred": 0.0,
                "late": 1.0,
            }
        first = interaction.replies[0]
        answer: InteractionReply = first
        if first.type == 5:
            answer = await server.wait_for_reply(interaction, count=2, limit=WAIT_FOR_ANYTHING)
        answered_at = time.monotonic()
        if "Bench" not in (answer.content or ""):
            raise RuntimeError(f"the answer was not the circle list: {answer.content}")
        bot = await starting.running(WAIT_FOR_ANYTHING)
        agreements = next(c for c in bot.app.cogs if c.name == "agreements")
        restored = getattr(agreements, "restored", None)
        if restored is not None:
            await restored()
        read_back_at = time.monotonic()
        late = [
            c
            for c in server.requests_to("POST", "/interactions/{interaction_id}/{token}/callback")
            if c.status == 404
        ]
    return {
        "first": first_at - sent,
        "first_from_identify": first_at - identified,
        "answer": answered_at - sent,
        "read_back": read_back_at - identified,
        "deferred": float(first.type == 5),
        "late": float(len(late)),
    }


async def main(proposals: int, latency: float, after: float, runs: int) -> None:
    async with DiscordServer(rate_scale=SETUP_SCALE) as server:
        with tempfile.TemporaryDirectory(prefix="circlekeeper-bench-") as folder:
            data = Path(folder) / "data"
            await open_proposals(server, data, proposals)
            server.latency = latency
            server.rest.limiter.scale = 1.0
            results = [await one_restart(server, data, after) for _ in range(runs)]
    print(
        f"restart with {proposals} open proposals, {latency * 1000:.0f} ms per REST call, Discord's rate limits; "
        f"/circle list sent {after:.1f} s after IDENTIFY ({runs} runs)"
    )
    for n, r in enumerate(results, 1):
        if r["late"]:
            print(
                f"run {n}: first response tried {r['first']:.2f} s after the command ({r['first_from_identify']:.2f} s "
                f"after IDENTIFY) and refused by Discord as too late (10062); start-up done {r['read_back']:.2f} s after IDENTIFY"
            )
            continue
        print(
            f"run {n}: first response {r['first']:.2f} s after the command ({r['first_from_identify']:.2f} s after IDENTIFY, "
            f"{'deferred' if r['deferred'] else 'the answer itself'}), answer {r['answer']:.2f} s, "
            f"read-back done {r['read_back']:.2f} s after IDENTIFY"
        )
    worst = max(r["first"] for r in results)
    print(
        f"first response: median {statistics.median(r['first'] for r in results):.2f} s, worst {worst:.2f} s "
        f"(Discord allows {DEADLINE:.0f} s) -> {'within' if worst < DEADLINE and not any(r['late'] for r in results) else 'OVER'} the deadline"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--after", type=float, default=0.3)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    asyncio.run(main(args.proposals, args.latency, args.after, args.runs))
