"""What agreements keep about a person, their export, and forgetting them."""

from __future__ import annotations

import json

from tests.cogs.agreements.support import CONSENT, OBJECT, PROPOSAL_TEXT, held, table
from tests.sandbox import Sandbox, make_circle


def exported(sb: Sandbox, member: str) -> dict[str, object]:
    text = sb.private_to(member)[-1]
    data: dict[str, object] = json.loads(text.split("```json\n", 1)[1].rsplit("\n```", 1)[0])
    return data


async def test_the_statement_says_what_agreements_keep(sb: Sandbox) -> None:
    """`privacy show` has an Agreements section: votes only while open, authorship, notes."""
    out = await sb.say("bob: /privacy show")
    assert "**Agreements**" in out
    assert "when it closes, only the counts are kept, never who chose what" in out
    assert "your proposals stay as the group's words, without your name" in out


async def test_the_export_holds_open_votes_and_what_they_wrote(sb: Sandbox) -> None:
    """The export lists the reactions held on open proposals, and the proposals and agreements
    the person proposed."""
    await make_circle(sb, "bob", "carol")
    await sb.say(
        f"bob: /agreement propose {PROPOSAL_TEXT}",
        f"alice +^ {CONSENT}",
        f"bob +^ {CONSENT}",
        f"carol +^ {CONSENT}",
    )
    await sb.say("bob: /agreement propose We ask before offering ideas.", f"bob +^ {OBJECT}")
    await sb.say("bob: /privacy export")
    data = exported(sb, "bob")["agreements"]
    assert isinstance(data, dict)
    assert data["votes_on_open_proposals"] == [
        {"proposal": 2, "circle": "Tuesday", "vote": "object", "reactions": ["object"]}
    ]
    assert [(p["proposal"], p["result"]) for p in data["proposals_written"]] == [
        (1, "adopted"),
        (2, None),
    ]
    assert [a["agreement"] for a in data["agreements_proposed"]] == [1]


async def test_forgetting_drops_votes_and_keeps_the_words_without_the_name(sb: Sandbox) -> None:
    """After `privacy forget`, no row names the person; their adopted agreement and open
    proposal stay, unnamed, and their votes are gone."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say(f"bob: /agreement propose {PROPOSAL_TEXT}")
    for person in ("alice", "bob", "carol", "dan"):
        await sb.say(f"{person} +^ {CONSENT}")
    await sb.say(
        "bob: /agreement propose We ask before offering ideas.",
        f"bob +^ {OBJECT}",
        f"alice +^ {CONSENT}",
    )
    await sb.say("erin +^ ✅")  # an outsider's note is kept as a row naming erin
    assert sb.rows_naming("bob") > 0
    await sb.say("bob: /privacy forget", "bob: /privacy forget confirm")
    assert sb.rows_naming("bob") == 0
    assert held(sb, 2) == {"alice": ["consent"]}
    assert table(sb, "SELECT id, proposed_by FROM agreements") == [(1, None)]
    assert table(sb, "SELECT id, text, proposed_by FROM agreement_proposals ORDER BY id") == [
        (1, PROPOSAL_TEXT, None),
        (2, "We ask before offering ideas.", None),
    ]
    out = await sb.say("carol: /agreement show 1")
    assert "Proposed by" not in out
    assert "We start and end on time" in out


async def test_a_proposal_without_a_name_belongs_to_the_group(sb: Sandbox) -> None:
    """Once its proposer is forgotten, any member may post a new version of an open proposal."""
    await make_circle(sb, "bob", "carol")
    await sb.say("bob: /agreement propose We ask before offering ideas.")
    await sb.say("bob: /privacy forget", "bob: /privacy forget confirm")
    out = await sb.say(
        "carol: /agreement amend 1 We ask before offering ideas, and take no warmly."
    )
    assert "Version 2 of proposal 1 is up in its thread" in out
    assert table(sb, "SELECT proposed_by FROM agreement_proposals") == [("carol",)]
