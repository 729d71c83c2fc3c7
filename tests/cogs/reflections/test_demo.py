"""The scripted demo includes a scheduled prompt arriving in its own thread."""

from __future__ import annotations

import io

from bot.demo import play


async def test_the_demo_shows_a_scheduled_prompt_arriving() -> None:
    """A facilitator adds a schedule, time passes, and the prompt opens its own thread."""
    out = io.StringIO()
    assert await play(out) == 0
    text = out.getvalue()
    assert (
        "🗓️ Schedule #1 for **Mondays**: a prompt from the “ips” deck, theme “connection”, `mondays 19:30` (Europe/Berlin)."
        in text
    )
    after_wait = text.split("⏳ 45m later…", 1)[1]
    assert "💭 **" in after_wait
    assert "⤷ thread #" in after_wait
    assert "bob: I'd like to sit with this one for a while." in after_wait
