"""Benchmark: what the web server costs, off and on, and how fast the circles page renders.

A store with 1,000 circles is made once (through the command router, as people would: each
circle with two members besides its facilitator, a meeting time and a prompt schedule, so the
page has every fact to find: places, openness, waitlist, rota, next meeting, next prompts). Then
the bot is started on it twice, each time in a fresh process that serves until asked for its
figures: once with the web server off, once on (port 0). With it on, this process signs in
through a real ``/dashboard`` link and fetches the pages over HTTP, so the templates, the
session lookups and the metrics are all warm before the memory is read.

Targets (issue 18): nothing added when off (no module of it loaded, no metric recorded);
at most 20 MB RSS added when on; the circles page for 1,000 circles in at most 200 ms.

    .venv/bin/python bench/web.py [--circles 1000] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bot.app import open_app
from bot.chat import MemberRef, Platform, RoomRef, Visibility
from bot.commands import RawValue
from bot.config import Config, LocalConfig, WebConfig
from bot.platforms.local import LocalAdapter

WEB_MODULES = ("bot.web", "aiohttp.web", "jinja2", "itsdangerous", "prometheus_client")
LINK = re.compile(r"<(http://[^>\s]+/signin/[^>\s]+)>")


class Quiet:
    """A replier that keeps the last text (the bench measures the bot, not a terminal)."""

    def __init__(self) -> None:
        self.last = ""

    async def reply(self, text: str, visibility: Visibility) -> None:
        self.last = text

    async def acknowledge(self) -> None:
        pass


def config_for(data_dir: Path, *, web: bool) -> Config:
    return Config(
        data_dir=str(data_dir),
        local=LocalConfig(moderators=("mod",)),
        web=WebConfig(enabled=web, port=0),
    )


async def build(data_dir: Path, circles: int) -> float:
    config = config_for(data_dir, web=False)
    async with open_app(config) as app:
        await app.attach(LocalAdapter(app, config.local, out=None, banner=False))
        await app.start()
        started = time.perf_counter()
        for i in range(circles):
            room = RoomRef(Platform.LOCAL, "sandbox", f"room-{i}")
            steps: list[tuple[str, tuple[str, ...], dict[str, RawValue]]] = [
                ("mod", ("circle", "create"), {"name": f"Circle {i}"}),
                (f"a{i % 50}", ("circle", "join"), {}),
                (f"b{i % 50}", ("circle", "join"), {}),
                ("mod", ("meeting", "set"), {"when": "tuesdays 19:00"}),
                ("mod", ("schedule", "add"), {"when": "daily 09:30"}),
            ]
            for who, path, raw in steps:
                replier = Quiet()
                outcome = await app.router.run(
                    path,
                    raw,
                    invoker=MemberRef(Platform.LOCAL, who),
                    room=room,
                    thread=None,
                    replier=replier,
                    prefix="/",
                )
                need(outcome == "done", f"{' '.join(path)} in circle {i}: {replier.last}")
        return time.perf_counter() - started


def need(condition: object, what: str) -> None:
    if not condition:
        raise SystemExit(f"bench/web.py: {what}")


def rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


async def child(data_dir: Path, web: bool) -> None:
    """Serve the bot until a line arrives on stdin, then print the figures."""
    from bot import metrics

    config = config_for(data_dir, web=web)
    async with open_app(config) as app:
        await app.attach(LocalAdapter(app, config.local, out=None, banner=False))
        await app.start()
        hello: dict[str, object] = {}
        if web:
            replier = Quiet()
            await app.router.run(
                ("dashboard",),
                {},
                invoker=MemberRef(Platform.LOCAL, "mod"),
                room=RoomRef(Platform.LOCAL, "sandbox", "room-0"),
                thread=None,
                replier=replier,
                prefix="/",
            )
            found = LINK.search(replier.last)
            hello["link"] = found[1] if found else None
        print(json.dumps(hello), flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        loaded = sorted(
            {
                m.split(".")[0] if not m.startswith("bot.") else "bot.web"
                for m in sys.modules
                if m.startswith(WEB_MODULES)
            }
        )
        print(
            json.dumps(
                {"rss_kb": rss_kb(), "loaded": loaded, "recording": metrics.live() is not None}
            ),
            flush=True,
        )


def start_child(data_dir: Path, web: bool) -> tuple[subprocess.Popen[str], dict[str, object]]:
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", "on" if web else "off", str(data_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    need(process.stdout, "no pipe to the bot")
    return process, json.loads(process.stdout.readline())  # type: ignore[union-attr]


def finish_child(process: subprocess.Popen[str]) -> dict[str, object]:
    stdin, stdout = process.stdin, process.stdout
    need(stdin and stdout, "no pipe to the bot")
    stdin.write("\n")  # type: ignore[union-attr]
    stdin.flush()  # type: ignore[union-attr]
    figures: dict[str, object] = json.loads(stdout.readline())  # type: ignore[union-attr]
    process.wait(timeout=60)
    return figures


def sign_in_and_fetch(link: str, requests: int, circles: int) -> list[float]:
    """Sign in through the link as a browser would, then time the circles page."""
    need(link.startswith("http://127.0.0.1:"), f"not the bot's own address: {link}")
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(link, timeout=10).read().decode()
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    need(found, "the sign-in page has no form")
    body = urllib.parse.urlencode({"csrf": found[1]}).encode()  # type: ignore[index]
    opener.open(urllib.request.Request(link, data=body, method="POST"), timeout=10).read()  # noqa: S310 - checked above: the bot's own http address
    base = link.split("/signin/")[0]
    for path in ("/health", "/healthz", "/metrics"):
        opener.open(base + path, timeout=10).read()
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = opener.open(base + "/circles", timeout=10)
        html = response.read().decode()
        timings.append(time.perf_counter() - started)
        need(response.status == 200, f"the circles page said {response.status}")
    listed = html.count('<th scope="row"><a href="/circles/')
    need(listed == circles, f"the circles page lists {listed} circles, not {circles}")
    for fact in ("3 of 12 places", "Tue ", "19:00", "09:30", "Mod"):
        need(fact in html, f"the circles page shows no {fact!r}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--circles", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--child", choices=("on", "off"))
    parser.add_argument("data_dir", nargs="?")
    args = parser.parse_args()
    if args.child:
        asyncio.run(child(Path(args.data_dir), args.child == "on"))
        return
    with tempfile.TemporaryDirectory(prefix="ck-bench-web-") as folder:
        data_dir = Path(folder) / "data"
        took = asyncio.run(build(data_dir, args.circles))
        print(f"store: {args.circles:,} circles made in {took:.1f} s")

        off, _ = start_child(data_dir, web=False)
        off_figures = finish_child(off)
        on, hello = start_child(data_dir, web=True)
        link = hello.get("link")
        need(isinstance(link, str), f"no sign-in link: {hello}")
        timings = sign_in_and_fetch(str(link), args.requests, args.circles)
        on_figures = finish_child(on)

    rss_off = int(str(off_figures["rss_kb"])) / 1024
    rss_on = int(str(on_figures["rss_kb"])) / 1024
    print(
        f"web off: RSS {rss_off:.1f} MB; web modules loaded: {off_figures['loaded'] or 'none'}; "
        f"metrics recording: {off_figures['recording']}"
    )
    print(
        f"web on:  RSS {rss_on:.1f} MB after signing in and {args.requests} page views; "
        f"loaded: {', '.join(map(str, on_figures['loaded']))}"
    )
    print(f"added by the web server: {rss_on - rss_off:+.1f} MB (target: at most 20 MB)")
    ms = sorted(t * 1000 for t in timings)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"circles page, {args.circles:,} circles in the store: median {statistics.median(ms):.1f} ms, "
        f"p95 {p95:.1f} ms, max {ms[-1]:.1f} ms over {len(ms)} requests, over HTTP "
        "(target: at most 200 ms), every circle listed with its places, openness, waitlist, "
        "rota, next meeting and next prompts."
    )


if __name__ == "__main__":
    main()
