"""Benchmark nudges against the targets of the detector: quality on our frozen test split and
on reddit_dev, speed on one core, size and loading time, and the whole cog's throughput.

    .venv/bin/python bench/nudges.py [--count 10000] [--reddit] [--messages 5000] [--no-quality]

The speed sentences are generated here from templates in our own words (a fixed seed, so
every run reads the same ones). With ``--reddit`` it reads the development sentences from
``../shared/data/advice`` instead, when they are there; they are never copied into the repo.

Targets (issue 11): on the frozen test split at the normal level precision >= 0.85 at recall
>= 0.75, recall >= 0.6 for every fixing kind, connecting replies flagged <= 3 %; on reddit_dev
no worse than the previous detector at its precision; >= 20,000 sentences per second on one
core, one message per call; p99 <= 200 us; model file <= 5 MB; loading <= 0.3 s; the whole
cog >= 2,000 messages per second. Each line says whether its target is met. This prints
figures and asserts nothing: wall time depends on the machine, and on what else it runs.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from bot.app import open_app
from bot.clock import ManualClock
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter
from cogs.nudges import corpus
from cogs.nudges.detector import Detector
from cogs.nudges.kinds import CONNECTING, FIXING
from cogs.nudges.model import DEFAULT_MODEL_PATH
from cogs.nudges.training import measure_reddit, measure_split

PROJECT = Path(__file__).resolve().parents[1]
REDDIT = PROJECT.parent / "shared" / "data" / "advice"

PEOPLE = ["my sister", "my partner", "my boss", "a friend", "my mum", "the nurse", "my therapist"]
ACTIONS = [
    "go for a walk",
    "call the helpline",
    "take a break from work",
    "talk to your doctor",
    "write it all down",
    "get some sleep",
    "set a boundary with him",
    "drink some water",
    "leave the group chat",
    "ask for help",
]
GERUNDS = ["journaling", "meditating", "walking", "talking to someone", "resting", "stretching"]
FEELINGS = ["alone", "exhausted", "invisible", "overwhelmed", "stuck", "scared", "hopeful"]
TIMES = ["last week", "this morning", "for years", "since spring", "every night", "today"]
TEMPLATES = [
    "You should {action}.",
    "You need to {action} before it gets worse.",
    "Maybe try {gerund} when it gets bad.",
    "Have you tried {gerund}?",
    "Why don't you {action}?",
    "If I were you, I would {action}.",
    "It might help to {action}.",
    "Just {action} and stop worrying.",
    "That's your anxiety talking.",
    "I should {action} more often.",
    "I have been feeling {feeling} {time}.",
    "What helped me was {gerund} {time}.",
    "It sounds like you felt {feeling}.",
    "What is that like for you?",
    "{person} told me to {action}.",
    "I tried {gerund} {time} and it was hard.",
    "Thank you, that means a lot.",
    "Take care, friend.",
    "How are you feeling about it now?",
    "Honestly, {action} {time}, it changed a lot for me.",
    "I keep telling myself to {action}.",
    "Sending hugs tonight.",
    "Some days I just want to {action} and disappear.",
    "When I felt {feeling}, {gerund} was the only thing that worked.",
]


def template_sentences(count: int, seed: int = 20240611) -> list[str]:
    """``count`` sentences from the templates, the same ones on every run."""
    chooser = random.Random(seed)
    sentences = []
    for _ in range(count):
        template = chooser.choice(TEMPLATES)
        sentence = template.format(
            action=chooser.choice(ACTIONS),
            gerund=chooser.choice(GERUNDS),
            feeling=chooser.choice(FEELINGS),
            time=chooser.choice(TIMES),
            person=chooser.choice(PEOPLE),
        )
        sentences.append(sentence[0].upper() + sentence[1:])
    return sentences


def reddit_sentences(count: int) -> list[str] | None:
    """Up to ``count`` development sentences, or None when the data is not there."""
    texts: list[str] = []
    for name in ("reddit_dev.jsonl", "reddit_train.jsonl"):
        path = REDDIT / name
        if not path.exists():
            return None
        with path.open(encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    return texts[:count]


def rss_bytes() -> int:
    """Resident memory of this process (Linux), or 0 where /proc is not there."""
    try:
        fields = Path("/proc/self/statm").read_text().split()
    except OSError:
        return 0
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def load_with_memory() -> tuple[Detector, float, int, int]:
    """Load the model; return it with the loading time, the growth of resident memory and
    its traced size. The figures come from separate loads, because tracing allocations costs
    memory and time of its own."""
    gc.collect()
    rss_before = rss_bytes()
    started = time.perf_counter()
    detector = Detector.from_file(DEFAULT_MODEL_PATH)
    seconds = time.perf_counter() - started
    gc.collect()
    rss_growth = rss_bytes() - rss_before
    tracemalloc.start()
    second = Detector.from_file(DEFAULT_MODEL_PATH)
    traced, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del second
    return detector, seconds, rss_growth, traced


def cold_load_seconds() -> float:
    """Starting a fresh Python, importing the detector and loading the model, end to end."""
    code = (
        "import time; s = time.perf_counter(); from cogs.nudges.detector import Detector; "
        "Detector.from_file(); print(time.perf_counter() - s)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT
    )
    return float(result.stdout.strip())


def met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report_quality() -> None:
    """The frozen test split's figures at each level, and reddit_dev next to the old detector."""
    detector = Detector.from_file(DEFAULT_MODEL_PATH)
    test_split = corpus.of_split(corpus.load(), "test")
    figures = measure_split(detector, test_split)
    print(
        f"frozen test split: {figures['items']} items, {figures['fixing']} fixing; ECE {figures['ece']:.3f}"
    )
    for level, numbers in figures["levels"].items():
        print(
            f"  {level:<9} precision {numbers['precision']:.3f}, recall {numbers['recall']:.3f}, "
            f"connecting flagged {numbers['connecting_flagged']:.3f}"
        )
    normal = figures["levels"]["normal"]
    kinds = normal["kinds"]
    weakest = min(FIXING, key=lambda kind: kinds[kind]["flagged"])
    print(
        f"  normal: precision >= 0.85 at recall >= 0.75: "
        f"{met(normal['precision'] >= 0.85 and normal['recall'] >= 0.75)}; "
        f"connecting flagged <= 3 %: {met(normal['connecting_flagged'] <= 0.03)}; "
        f"every fixing kind recall >= 0.6: {met(kinds[weakest]['flagged'] >= 0.6)} "
        f"(lowest: {weakest} {kinds[weakest]['flagged']:.2f})"
    )
    print(
        "  recall per fixing kind: "
        + ", ".join(f"{kind} {kinds[kind]['flagged']:.2f}" for kind in FIXING)
    )
    print(
        "  false flags per connecting kind: "
        + ", ".join(f"{kind} {kinds[kind]['flagged']:.2f}" for kind in CONNECTING if kind in kinds)
    )
    reddit = measure_reddit(detector)
    if reddit is None:
        print("reddit_dev: not found next to the project; skipped")
        return
    previous = reddit["previous_detector"]
    recall = reddit["recall_at_previous_precision"]
    print(
        f"reddit_dev: recall {recall:.3f} at the previous detector's precision {previous['precision']} "
        f"(previous: {previous['recall']}): {met(recall >= previous['recall'])}; "
        f"AP {reddit['average_precision']:.3f} (previous {previous['average_precision']})"
    )


@dataclass(frozen=True, slots=True)
class Run:
    """One timed pass over the sentences."""

    wall: float  # seconds
    cpu: float  # seconds of process CPU time
    timings: list[int]  # nanoseconds per call


def timed_run(detector: Detector, sentences: list[str]) -> Run:
    """Assess every sentence once, timing each call."""
    clock = time.perf_counter_ns
    timings = []
    gc.disable()
    cpu_started = time.process_time()
    started = clock()
    for sentence in sentences:
        before = clock()
        detector.assess(sentence)
        timings.append(clock() - before)
    wall = (clock() - started) / 1e9
    cpu = time.process_time() - cpu_started
    gc.enable()
    return Run(wall, cpu, timings)


async def through_the_cog(sentences: list[str], messages: int) -> tuple[float, int]:
    """Feed ``messages`` lines from five people into a circle's room; messages per second."""
    people = ["ana", "ben", "cat", "dan", "eve"]
    with tempfile.TemporaryDirectory(prefix="ck-bench-nudges-") as folder:
        config = Config(data_dir=folder, local=LocalConfig(moderators=("ana",)))
        async with open_app(config, clock=ManualClock()) as app:
            adapter = LocalAdapter(app, config.local, out=None, banner=False)
            await app.attach(adapter)
            await app.start()
            await adapter.feed("ana: /circle create Bench")
            for person in people[1:]:
                await adapter.feed(f"{person}: /circle join")
            lines = [
                f"{people[i % len(people)]}: {sentences[i % len(sentences)]}"
                for i in range(messages)
            ]
            started = time.perf_counter()
            for line in lines:
                await adapter.feed(line)
                if len(adapter.transcript.lines) > 10_000:
                    adapter.transcript.lines.clear()
            elapsed = time.perf_counter() - started
            notes = await app.db.fetchval("SELECT COUNT(*) FROM nudge_log")
    return messages / elapsed, int(notes)


def main() -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000, help="how many sentences")
    parser.add_argument("--reddit", action="store_true", help="use the development sentences")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs; the best counts")
    parser.add_argument("--messages", type=int, default=5_000, help="messages through the cog")
    parser.add_argument("--no-quality", action="store_true", help="skip the accuracy figures")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    if not args.no_quality:
        report_quality()

    detector, seconds, rss_growth, traced = load_with_memory()
    size = DEFAULT_MODEL_PATH.stat().st_size
    print(f"model file: {size / 1024:.0f} KiB (target <= 5 MB: {met(size <= 5 * 2**20)})")
    print(f"loading the model: {seconds:.3f} s (target <= 0.3 s: {met(seconds <= 0.3)})")
    print(f"  a fresh Python importing the detector and loading it: {cold_load_seconds():.3f} s")
    print(
        f"model in memory: RSS grew {rss_growth / 2**20:.1f} MiB on loading; "
        f"the loaded model holds {traced / 2**20:.1f} MiB (tracemalloc)"
    )

    sentences = reddit_sentences(args.count) if args.reddit else None
    source = "reddit development sentences"
    if sentences is None:
        sentences = template_sentences(args.count)
        source = "template sentences"
    for sentence in sentences:  # warm the caches (a live bot reads the same words all day)
        detector.assess(sentence)

    # The machine may be shared, so each figure is the best of a few runs (as timeit does):
    # interference only ever makes a run slower.
    runs = [timed_run(detector, sentences) for _ in range(args.repeats)]
    best = min(runs, key=lambda run: run.wall)
    rate = len(sentences) / best.wall
    cpu_rate = len(sentences) / min(run.cpu for run in runs)
    timings = sorted(best.timings)
    p50 = statistics.median(timings) / 1000
    p99 = timings[int(len(timings) * 0.99) - 1] / 1000
    flagged = sum(detector.assess(sentence).advice for sentence in sentences)
    print(f"{len(sentences)} {source}, {flagged} judged advice; best of {args.repeats} runs")
    print(
        f"throughput: {rate:,.0f} sentences/s on one core, one message per call (target >= 20,000: {met(rate >= 20_000)})"
    )
    print(
        f"  by CPU time: {cpu_rate:,.0f} sentences/s; runs: "
        + ", ".join(f"{len(sentences) / run.wall:,.0f}" for run in runs)
    )
    print(
        f"latency: p50 {p50:.1f} us, p99 {p99:.1f} us (target <= 200: {met(p99 <= 200)}), "
        f"max {timings[-1] / 1000:.1f} us"
    )
    for name, text in (
        ("50,000 characters of sentences", "I keep thinking about what she said. " * 1400),
        ("50,000 characters in one word", "a" * 50_000),
        ("50,000 emoji", "🌧" * 50_000),
    ):
        before = time.perf_counter()
        detector.assess(text)
        print(f"one message of {name}: {(time.perf_counter() - before) * 1000:.2f} ms")
    rate, notes = asyncio.run(through_the_cog(sentences, args.messages))
    print(
        f"through the whole cog on the local platform: {rate:,.0f} messages/s "
        f"(target >= 2,000: {met(rate >= 2_000)}; {notes} notes given)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
