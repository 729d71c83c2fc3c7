"""Bad input around agreements: each gets a clear, kind sentence, and nothing changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.cogs.agreements.support import CONSENT, OBJECT, PROPOSAL_TEXT, held, snapshot
from tests.sandbox import Sandbox, make_circle


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param(
            "bob: /agreement propose",
            "I need the text for that: `/agreement propose <text>",
            id="no-text",
        ),
        pytest.param(
            "bob: /agreement propose closes=24h",
            "I need the text for that",
            id="only-a-closing-time",
        ),
        pytest.param(
            "bob: /agreement propose \u200b ",
            "The text is empty; could you give me a few words?",
            id="invisible-only",
        ),
        pytest.param(
            "bob: /agreement propose " + "x" * 1001,
            "The text is longer than I can keep (1000 characters at most)",
            id="oversized",
        ),
        pytest.param(
            f"bob: /agreement propose {PROPOSAL_TEXT} closes=0m",
            "A proposal needs time for people to see it and respond, so it can close between 1 hour and 30 days from now",
            id="closes-now",
        ),
        pytest.param(
            f"bob: /agreement propose {PROPOSAL_TEXT} closes=30m",
            "A proposal needs time for people to see it and respond, so it can close between 1 hour and 30 days from now",
            id="closes-too-soon",
        ),
        pytest.param(
            f"bob: /agreement propose {PROPOSAL_TEXT} closes=31d",
            "A proposal needs time for people to see it and respond, so it can close between 1 hour and 30 days from now",
            id="closes-too-late",
        ),
        pytest.param(
            f"bob: /agreement propose {PROPOSAL_TEXT} closes=-5h",
            "I read the closes as a length of time, like 90s, 5m, 2h or 3d.",
            id="negative",
        ),
        pytest.param(
            f"bob: /agreement propose {PROPOSAL_TEXT} closes=soon",
            "I read the closes as a length of time",
            id="not-a-duration",
        ),
        pytest.param(
            f"dan: /agreement propose {PROPOSAL_TEXT}",
            "Proposals and votes come from the members of Tuesday. If you'd like to take part, `/circle join Tuesday` is the way in.",
            id="non-member",
        ),
        pytest.param(
            f"bob: /agreement propose {PROPOSAL_TEXT} circle=Nowhere",
            "I couldn't find a circle called “Nowhere” here.",
            id="unknown-circle",
        ),
        pytest.param(
            "carol: /agreement amend 1 Something else entirely.",
            "Proposal 1 is Bob's to change. You could share your idea in its thread, or propose your own version",
            id="someone-elses-proposal",
        ),
        pytest.param(
            "bob: /agreement amend 9 Something else entirely.",
            "I couldn't find proposal 9 in Tuesday.",
            id="unknown-proposal",
        ),
        pytest.param(
            f"bob: /agreement amend 1 {PROPOSAL_TEXT}",
            "That's the wording proposal 1 already has.",
            id="same-wording",
        ),
        pytest.param(
            "bob: /agreement amend 1", "I need the text for that", id="amend-without-text"
        ),
        pytest.param(
            "bob: /agreement amend one Better words.",
            "The number should be a whole number, like 8.",
            id="amend-bad-number",
        ),
        pytest.param(
            "bob: /agreement retire 1",
            "I couldn't find agreement 1 in Tuesday.",
            id="retire-a-proposal-not-an-agreement",
        ),
        pytest.param(
            "bob: /agreement review 4",
            "I couldn't find agreement 4 in Tuesday.",
            id="review-unknown",
        ),
        pytest.param(
            "bob: /agreement show 42", "I couldn't find proposal 42 in Tuesday.", id="show-unknown"
        ),
        pytest.param(
            "bob: /agreement settings quorum=20",
            "That one is for the facilitators of Tuesday (or a moderator).",
            id="settings-not-facilitator",
        ),
        pytest.param(
            "alice: /agreement settings quorum=0",
            "The quorum can be between 1 and 100; 0 is outside that.",
            id="quorum-zero",
        ),
        pytest.param(
            "alice: /agreement settings threshold=40",
            "The threshold can be between 50 and 100; 40 is outside that.",
            id="threshold-low",
        ),
        pytest.param(
            "alice: /agreement settings process=majority",
            "For process, the choices are: consent, proposal.",
            id="unknown-process",
        ),
        pytest.param(
            "alice: /agreement settings review=1d",
            "The review can be between 7 days and 730 days",
            id="review-too-soon",
        ),
        pytest.param(
            "alice: /agreement starters be-kind",
            "I don't know the starter “be-kind”. `/agreement starters` lists them.",
            id="unknown-starter",
        ),
        pytest.param(
            "bob: /agreement starters all",
            "That one is for the facilitators of Tuesday (or a moderator).",
            id="starters-not-facilitator",
        ),
    ],
)
async def test_bad_input_gets_a_kind_sentence_and_changes_nothing(
    sb: Sandbox, line: str, expected: str
) -> None:
    """Each kind of bad input is refused with a clear sentence, and nothing changes."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    before = snapshot(sb)
    out = await sb.say(line)
    who = line.split(":", 1)[0]
    assert f"only {who} sees: {expected}" in out
    assert snapshot(sb) == before


async def test_a_proposal_outside_a_circle_is_refused(sb: Sandbox) -> None:
    """In a room that isn't home to a circle, proposing says so and nothing is stored."""
    before = snapshot(sb)
    out = await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    assert (
        "only bob sees: This room isn't home to a circle, so I'm not sure which one you mean."
        in out
    )
    assert snapshot(sb) == before


async def test_a_resting_circle_takes_no_proposals(sb: Sandbox) -> None:
    """While a circle rests, proposing is refused kindly."""
    await make_circle(sb, "bob")
    await sb.say("alice: /circle close")
    before = snapshot(sb)
    out = await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    assert "Tuesday is resting (archived) right now." in out
    assert snapshot(sb) == before


async def test_amending_a_closed_proposal_is_refused(sb: Sandbox) -> None:
    """Once a proposal has closed, it can't be changed; a new proposal is welcome."""
    await make_circle(sb, "bob")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    before = snapshot(sb)
    out = await sb.say("bob: /agreement amend 1 Something new.")
    assert "only bob sees: Proposal 1 closed on 2 March 2026, so it can't change now." in out
    assert snapshot(sb) == before


async def test_a_retirement_has_no_wording_to_amend(sb: Sandbox) -> None:
    """A proposal to let an agreement go can't be reworded."""
    await make_circle(sb, "bob")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}", f"alice +^ {CONSENT}", f"bob +^ {CONSENT}"
    )
    await sb.say("bob: /agreement retire 1")
    before = snapshot(sb)
    out = await sb.say("bob: /agreement amend 2 Something new.")
    assert "Proposal 2 is about letting agreement 1 go, so there's no wording to change." in out
    assert snapshot(sb) == before


async def test_reactions_on_a_closed_proposal_change_nothing_and_are_explained_once(
    sb: Sandbox,
) -> None:
    """After closing, a vote reaction changes nothing; the person hears why, once."""
    await make_circle(sb, "bob", "carol")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    await sb.wait(timedelta(hours=72))
    before = snapshot(sb)
    await sb.say(f"carol +^ {OBJECT}", f"carol -^ {OBJECT}", f"carol +^ {CONSENT}", "carol +^ ❤️")
    notes = sb.private_to("carol")
    assert len([n for n in notes if "closed on 2 March 2026" in n]) == 0
    assert (
        len(
            [
                n
                for n in notes
                if "Proposal 1 in Tuesday closed on 5 March 2026, so reactions on it don't change anything now."
                in n
            ]
        )
        == 1
    )
    after = snapshot(sb)
    assert {k: v for k, v in after.items() if k != "agreement_notes"} == {
        k: v for k, v in before.items() if k != "agreement_notes"
    }


async def test_reactions_on_an_unrelated_message_are_ignored(sb: Sandbox) -> None:
    """A ✅ on an ordinary message is just a reaction: nothing stored, nobody told."""
    await make_circle(sb, "bob")
    await sb.say("bob: hello everyone", f"bob: /agreement propose {PROPOSAL_TEXT}")
    assert sb.chat is not None
    hello = next(m.id for m in sb.chat.messages.values() if m.text == "hello everyone")
    before = snapshot(sb)
    out = await sb.say(
        f"bob +{hello} {CONSENT}", f"dan +{hello} {OBJECT}", f"bob -{hello} {CONSENT}"
    )
    assert "circlekeeper" not in out
    assert sb.private_to("bob") == []
    assert sb.private_to("dan") == []
    assert snapshot(sb) == before
    assert held(sb, 1) == {}
