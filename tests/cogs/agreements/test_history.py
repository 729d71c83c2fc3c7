"""Every wording kept: amending keeps each version's words and dates, the replaced posts keep
their words and link to what took their place, and `show N history` shows every wording, diff
style, with the dates and the votes of each version."""

from __future__ import annotations

from datetime import timedelta

from cogs.agreements.history import sentences, wording_diff
from tests.cogs.agreements.support import (
    CONCERN,
    CONSENT,
    OBJECT,
    PROPOSAL_TEXT,
    message_text,
    post_of,
    table,
)
from tests.sandbox import Sandbox, make_circle

SECOND = "We start and end on time. Anyone can leave early, and nobody needs to explain."
THIRD = "We start and end on time. Anyone can leave early, and nobody needs to explain. We check in at the start."


def test_a_diff_shows_each_changed_sentence_taken_out_and_put_in() -> None:
    """Sentence by sentence: what stayed has no mark, what went has -, what came has +."""
    diff = wording_diff(SECOND, THIRD)
    assert diff.startswith("```diff\n")
    assert diff.endswith("\n```")
    lines = diff.splitlines()[1:-1]
    assert lines == [
        "  We start and end on time.",
        "  Anyone can leave early, and nobody needs to explain.",
        "+ We check in at the start.",
    ]
    assert sentences("One. Two!\n\nThree?") == ["One.", "Two!", "Three?"]
    # people's words can't close the block early
    assert wording_diff("a", "```\nb").count("```") == 2


async def amended_twice(sb: Sandbox) -> tuple[str, str, str]:
    """Bob proposes, votes come in, he amends twice a day apart; the three posts' ids."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}", f"carol +^ {OBJECT}")
    first = post_of(sb, 1)
    await sb.wait(timedelta(days=1))
    await sb.say(f"bob: /agreement amend 1 {SECOND}", f"carol +^ {CONCERN}", f"bob +^ {CONSENT}")
    second = post_of(sb, 1)
    await sb.wait(timedelta(days=1))
    await sb.say(f"bob: /agreement amend 1 {THIRD}")
    return first, second, post_of(sb, 1)


async def test_amend_twice_and_history_shows_three_wordings(sb: Sandbox) -> None:
    """Each wording is there with its dates and how its vote stood (counts only): the first in
    full, the others as what changed."""
    await amended_twice(sb)
    out = await sb.say("carol: /agreement show 1 history")
    assert "**Every wording of proposal 1**" in out
    assert (
        "**Version 1** · up 2 March 2026 to 3 March 2026 · when it was replaced: "
        "✅ consent 0 · 🤔 concern 0 · ✋ object 1 · 1 of 3 voted" in out
    )
    assert f"> {PROPOSAL_TEXT}" in out
    assert (
        "**Version 2** · up 3 March 2026 to 4 March 2026 · when it was replaced: "
        "✅ consent 1 · 🤔 concern 1 · ✋ object 0 · 2 of 3 voted" in out
    )
    assert "What changed from version 1:" in out
    assert f"- {PROPOSAL_TEXT}" in out
    assert "+ We start and end on time." in out
    assert "**Version 3** · up 4 March 2026 · open now, 0 of 3 have voted so far" in out
    assert "What changed from version 2:" in out
    assert "+ We check in at the start." in out
    assert "  Anyone can leave early, and nobody needs to explain." in out
    # the store holds both replaced wordings, whole, with their dates
    assert table(
        sb, "SELECT version, text, started_at, ended_at, voters FROM agreement_versions"
    ) == [
        (1, PROPOSAL_TEXT, "2026-03-02T17:00:00.000000Z", "2026-03-03T17:00:00.000000Z", 1),
        (2, SECOND, "2026-03-03T17:00:00.000000Z", "2026-03-04T17:00:00.000000Z", 2),
    ]
    # who chose what on a replaced version is not kept: only the counts
    assert table(sb, "SELECT COUNT(*) FROM agreement_reactions") == [(0,)]


async def test_replaced_posts_keep_their_words_and_link_to_what_replaced_them(
    sb: Sandbox,
) -> None:
    """Version 1's post still reads as version 1 did, and says version 2 took its place, with
    a link to version 2's post; version 2's post does the same for version 3."""
    first, second, third = await amended_twice(sb)
    one, two = message_text(sb, first), message_text(sb, second)
    assert "_This was version 1, up from 2 March 2026 until 3 March 2026." in one
    assert f"Version 2 took its place: #{second}." in one
    assert f"> {PROPOSAL_TEXT}" in one
    assert f"Version 3 took its place: #{third}." in two
    assert f"> {SECOND}" in two


async def test_an_agreements_history_shows_every_wording_across_its_proposals(
    sb: Sandbox,
) -> None:
    """Adopted, then reviewed with a new wording: the agreement's history holds the proposal
    that made it and the review that changed it, each wording with its votes."""
    await make_circle(sb, "bob")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    await sb.say("bob: /agreement review 1")
    await sb.say(f"bob: /agreement amend 2 {SECOND}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}")
    out = await sb.say("bob: /agreement show 1")
    assert "`/agreement show 1 history` shows every wording" in out
    out = await sb.say("bob: /agreement show 1 history")
    assert "**Every wording of agreement 1 · We start and end on time." in out
    assert "_Proposal 1 (proposed, adopted)_" in out
    assert "_Proposal 2 (new wording, adopted)_" in out
    assert "adopted: ✅ consent 2 · 🤔 concern 0 · ✋ object 0 · 2 of 2 voted" in out
    assert "What changed from version 1:" in out
    assert "+ Anyone can leave early, and nobody needs to explain." in out


async def test_history_of_an_unknown_number_is_a_kind_refusal(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    out = await sb.say("bob: /agreement show 4 history")
    assert "I couldn't find proposal 4 in Tuesday." in out
