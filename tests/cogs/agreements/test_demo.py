"""The scripted demo shows a proposal adopted into the pinned registry."""

from __future__ import annotations

import io

from bot.demo import play


async def test_the_demo_adopts_an_agreement_into_the_pinned_registry() -> None:
    """Members react, the proposal closes early once all have voted, and the registry is pinned."""
    out = io.StringIO()
    assert await play(out) == 0
    text = out.getvalue()
    assert "📜 **Proposal 1**" in text
    assert "🌿 **Proposal 1 is adopted.**" in text
    assert "✅ consent 3 · 🤔 concern 1 · ✋ object 0 · 4 of 4 members voted." in text
    assert "📜 **Our agreements · Mondays**" in text
    registry = (
        text.split("📜 **Our agreements · Mondays**", 1)[0].rsplit("#", 1)[1].split(" ", 1)[0]
    )
    assert f"📌 #{registry} pinned" in text
