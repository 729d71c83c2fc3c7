"""Reactions in any order, through the whole engine: the stored votes equal the truth of the
reactions people hold, and a restart that reads them back changes nothing."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cogs.agreements.support import (
    CONCERN,
    CONSENT,
    OBJECT,
    PROPOSAL_TEXT,
    held,
    table,
    votes,
)
from tests.sandbox import Sandbox, make_circle

KEYS = {CONSENT: "consent", CONCERN: "concern", OBJECT: "object"}
PEOPLE = ("bob", "carol", "dan", "erin", "zed")  # zed is not a member


async def storm(sb: Sandbox, post: str, toggles: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Toggle reactions as people would; return the truth: for each member, the options they
    hold, in the order they added them."""
    truth: dict[str, list[str]] = {}
    for person, key in toggles:
        holding = truth.setdefault(person, [])
        option = KEYS[key]
        if option in holding:
            holding.remove(option)
            await sb.say(f"{person} -{post} {key}")
        else:
            holding.append(option)
            await sb.say(f"{person} +{post} {key}")
    return {p: h for p, h in truth.items() if h and p != "zed"}


async def open_storm_circle(sb: Sandbox) -> str:
    # alice proposes and never votes, so the proposal stays open however the storm goes
    await make_circle(sb, "bob", "carol", "dan", "erin")
    await sb.say(f"alice: /agreement propose {PROPOSAL_TEXT}")
    return sb.last_thread


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PEOPLE), st.sampled_from(list(KEYS))), max_size=40))
async def test_any_sequence_of_reactions_stores_the_truth(toggles: list[tuple[str, str]]) -> None:
    """However reactions come and go, each member's stored reactions (and so their vote) are
    exactly the ones they hold, newest last; a non-member's never count."""
    with tempfile.TemporaryDirectory(prefix="storm-") as folder:
        sb = Sandbox(Path(folder))
        await sb.open()
        try:
            post = await open_storm_circle(sb)
            truth = await storm(sb, post, toggles)
            assert held(sb, 1) == truth
            assert votes(sb, 1) == {p: h[-1] for p, h in truth.items()}
        finally:
            await sb.close()


async def test_a_long_storm_survives_a_restart_unchanged(sb: Sandbox) -> None:
    """After 600 random reactions, reading the platform back on a restart changes nothing."""
    post = await open_storm_circle(sb)
    rng = random.Random(20260302)
    toggles = [(rng.choice(PEOPLE), rng.choice(list(KEYS))) for _ in range(600)]
    truth = await storm(sb, post, toggles)
    assert held(sb, 1) == truth
    before = table(sb, "SELECT * FROM agreement_reactions ORDER BY id")
    await sb.restart()
    assert table(sb, "SELECT * FROM agreement_reactions ORDER BY id") == before
