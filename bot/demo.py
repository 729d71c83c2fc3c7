"""``circlekeeper demo``: a scripted sandbox session, played on a manual clock, start to end.

It uses the real cogs, a real (temporary) database and the real scheduler; only the clock is
driven by the script (``:wait``), so the demo takes a second, not an afternoon.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.app import open_app
from bot.clock import ManualClock
from bot.commands import SOMETHING_BROKE
from bot.config import Config, LocalConfig
from bot.platforms.local import LocalAdapter, script_lines

DEMO_START = datetime(2026, 11, 23, 17, 45, tzinfo=UTC)  # a Monday evening in Berlin

SCRIPT = """\
# Alice moderates this sandbox. She makes a home for a small Monday circle.
alice: /circle create Mondays A small circle for Monday evenings. capacity=4 time_zone=Europe/Berlin
bob: /circle join
carol: /circle join
dan: /circle join
erin: /circle join
erin: /circle wait
bob: /circle preference listening
carol: /circle preference ideas
alice: /circle rota add @bob
alice: /circle members
# A check-in round with a talking piece and a three-minute time box.
alice: /round start What are you bringing with you tonight? turn=3m
carol ^: done
alice ^: done
bob ^: I'd like to listen first.
:wait 4m
bob ^: pass
# Dan has to go; his place passes to Erin, who was waiting.
dan: /circle leave
alice: /round status
carol ^: done
erin ^: pass
# Between meetings, the circle reflects. Alice schedules a prompt for Monday evenings.
alice: /schedule add mondays 19:30 theme=connection
:wait 45m
bob ^: I'd like to sit with this one for a while.
# Facilitation rotates: next week it's Bob's turn to hold the circle.
alice: /circle rota pass
bob: /privacy show
# The circle agrees how it wants to be together, by consent. Bob proposes; each member reacts.
bob: /agreement propose We start and end on time, and any of us can step out early without explaining. closes=48h
alice +^ ✅
carol +^ 🤔
erin +^ ✅
# Once everyone has voted and nobody objects, it closes early and joins the pinned registry.
bob +^ ✅
alice: /agreement list
# Two days later Bob, who asked for listening, shares something hard. Erin asks; Carol fixes.
:wait 2d
bob: It's been a rough week. My brother isn't speaking to me and I keep replaying our argument.
erin: Oh Bob, that sounds heavy. What was the argument about, if you want to say?
# The fixing reply gets a private note (nobody else sees it), and Carol can ask why.
carol: You should just call him and apologise, honestly.
carol: /nudges why
alice: That sounds really painful, Bob. What has the week been like for you?
"""


async def play(out: TextIO, script: str = SCRIPT) -> int:
    """Play the script into ``out``; 0 when the bot answered every line without a fault."""
    with tempfile.TemporaryDirectory(prefix="circlekeeper-demo-") as folder:
        config = Config(
            data_dir=str(Path(folder) / "data"),
            local=LocalConfig(space_name="Demo", moderators=("alice",)),
        )
        async with open_app(config, clock=ManualClock(DEMO_START)) as app:
            adapter = LocalAdapter(
                app,
                config.local,
                out=out,
                source=script_lines(script.splitlines()),
                banner=False,
                narrate=True,
            )
            await app.attach(adapter)
            await app.start()
            await adapter.run()
            transcript = adapter.transcript.text
    return 1 if SOMETHING_BROKE in transcript else 0
