"""Benchmark: a reaction storm on one proposal.

200 members and 5,000 add-or-remove reactions in random order, each going the whole way a
person's reaction goes on the local platform: the sandbox's line parser, the host, the event
bus, the agreements cog and one committed SQLite transaction per vote change on a real file.
The final tally must equal the truth (the reactions people hold, newest last); then the bot
reads every reaction back from the platform, as it does after a restart, which must change
nothing.

    .venv/bin/python bench/agreements.py [--members 200] [--events 5000] [--seed 1] [--rounds 5]

Each round is a fresh storm on a fresh database (seeds seed, seed+1, ...); the median rate is
the figure to quote, since a shared machine makes single runs noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from bot.app import open_app
from bot.clock import ManualClock
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter
from cogs.agreements.ballots import OPTIONS, Process
from cogs.agreements.cog import AgreementsCog
from cogs.circles import CirclesSettings

KEYS = {option.emoji: option.choice.value for option in OPTIONS[Process.CONSENT]}


async def run(
    data_dir: Path, members: int, events: int, seed: int, *, verbose: bool
) -> tuple[bool, float]:
    config = Config(
        data_dir=str(data_dir),
        local=LocalConfig(moderators=("host",)),
        features={"circles": CirclesSettings(max_capacity=500, default_capacity=members + 10)},
    )
    async with open_app(config, clock=ManualClock()) as app:
        adapter = LocalAdapter(app, config.local, out=None, banner=False)
        await app.attach(adapter)
        await app.start()
        cog = next(c for c in app.cogs if isinstance(c, AgreementsCog))
        names = [f"m{i:03d}" for i in range(members)]
        await adapter.feed("host: /circle create Storm")
        for name in names:
            await adapter.feed(f"{name}: /circle join")
        # The host proposes and never reacts, so the proposal stays open through the storm.
        await adapter.feed("host: /agreement propose We keep to time, and anyone may leave early.")
        post = list(adapter.chat.threads)[-1]

        rng = random.Random(seed)
        truth: dict[str, list[str]] = {}
        lines: list[str] = []
        adds = 0
        for _ in range(events):
            name, key = rng.choice(names), rng.choice(list(KEYS))
            holding = truth.setdefault(name, [])
            if KEYS[key] in holding:
                holding.remove(KEYS[key])
                lines.append(f"{name} -{post} {key}")
            else:
                holding.append(KEYS[key])
                lines.append(f"{name} +{post} {key}")
                adds += 1

        started = time.perf_counter()
        for line in lines:
            await adapter.feed(line)
        elapsed = time.perf_counter() - started

        expected = Counter(h[-1] for h in truth.values() if h)
        stored = await cog.votes.holdings(1)
        cast, circle_size = await cog.votes.current_votes(1)
        tally = Counter(str(v) for v in cast.values())
        matches = {n: [c.value for c in h] for n, h in stored.items()} == {
            n: h for n, h in truth.items() if h
        }
        platform = {
            KEYS[k]: len(holders)
            for k, holders in adapter.chat.messages[post].reactions.items()
            if k in KEYS
        }

        proposal = await cog.repo.get(1)
        if proposal is None:
            raise SystemExit("the proposal is missing")
        before = await cog.votes.holdings(1)
        started_reconcile = time.perf_counter()
        await cog.reconcile(proposal)  # the step start-up runs for each open proposal
        reconcile_ms = (time.perf_counter() - started_reconcile) * 1000
        unchanged = await cog.votes.holdings(1) == before

        rate = events / elapsed
        ok = bool(matches and tally == expected and unchanged)
        if verbose:
            print(
                f"members: {members} (+ the proposer, who never reacts); circle size {circle_size}"
            )
            print(f"events: {events:,} ({adds:,} adds, {events - adds:,} removals) in random order")
            print(f"tally: {dict(sorted(tally.items()))}")
            print(f"truth: {dict(sorted(expected.items()))}")
            print(f"reactions on the post (bot's own excluded): {dict(sorted(platform.items()))}")
            print(
                f"reconcile from the platform ({members} members): {reconcile_ms:.1f} ms, changed nothing: {unchanged}"
            )
        print(f"seed {seed}: {elapsed:.2f} s = {rate:,.0f} events/s; tally equals the truth: {ok}")
        return ok, rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    results = []
    for round_ in range(args.rounds):
        with tempfile.TemporaryDirectory(prefix="circlekeeper-bench-") as folder:
            results.append(
                asyncio.run(
                    run(
                        Path(folder) / "data",
                        args.members,
                        args.events,
                        args.seed + round_,
                        verbose=round_ == 0,
                    )
                )
            )
    rates = [rate for _, rate in results]
    print(
        f"median {statistics.median(rates):,.0f} events/s over {len(rates)} rounds "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f}; target >= 2,000/s)"
    )
    if not all(ok for ok, _ in results):
        raise SystemExit("the final tally did not equal the truth")


if __name__ == "__main__":
    main()
