"""Privacy: the data statement, a private export, and forgetting after a confirmation."""

from __future__ import annotations

import json
from datetime import timedelta

from tests.sandbox import Sandbox, make_circle


async def test_privacy_show_lists_what_each_cog_keeps(sb: Sandbox) -> None:
    """The statement has a section per cog that keeps anything, and says what is never kept."""
    out = await sb.say("bob: /privacy show")
    assert "only bob sees: **What I keep about you**" in out
    assert "**Circles**" in out
    assert "your place on a facilitation rota" in out
    assert "**Never kept:** what anyone says in conversation" in out


async def test_privacy_export_sends_the_data_privately_as_json(sb: Sandbox) -> None:
    """The export arrives as a private message and parses as JSON with the member's circles."""
    await make_circle(sb, "bob")
    await sb.say("bob: /circle preference listening")
    out = await sb.say("bob: /privacy export")
    assert "private to bob" in out
    text = sb.private_to("bob")[-1]
    data = json.loads(text.split("```json\n", 1)[1].rsplit("\n```", 1)[0])
    assert data["member"] == "bob"
    assert data["circles"]["memberships"] == [
        {"circle": "Tuesday", "joined_at": "2026-03-02T17:00:00.000000Z", "preference": "listening"}
    ]


async def test_forgetting_needs_a_confirmation_then_erases_everywhere(sb: Sandbox) -> None:
    """`forget` explains and asks; `forget confirm` erases every row about the member."""
    await make_circle(sb, "bob", extra="capacity=2")
    await sb.say("alice: /circle rota add @bob", "carol: /circle wait", "alice: /round start")
    assert sb.rows_naming("bob") > 0
    out = await sb.say("bob: /privacy forget confirm")
    assert "please say `/privacy forget` first" in out
    assert sb.rows_naming("bob") > 0
    await sb.say("bob: /privacy forget")
    assert "It can't be undone." in sb.private_to("bob")[-1]
    out = await sb.say("bob: /privacy forget confirm")
    assert "I've forgotten what I kept about you" in sb.private_to("bob")[-1]
    assert sb.rows_naming("bob") == 0
    assert "Welcome to **Tuesday**, Carol: a place opened up." in out  # the freed place moved on


async def test_a_confirmation_expires(sb: Sandbox) -> None:
    """A confirmation more than ten minutes after the question is not taken as one."""
    await make_circle(sb, "bob")
    await sb.say("bob: /privacy forget")
    await sb.wait(timedelta(minutes=11))
    await sb.say("bob: /privacy forget confirm")
    assert "please say `/privacy forget` first" in sb.private_to("bob")[-1]
    assert sb.rows_naming("bob") > 0
