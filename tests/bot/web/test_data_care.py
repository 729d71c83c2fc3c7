"""The dashboard's sessions under privacy show, export and forget."""

from __future__ import annotations

import json

from tests.bot.web.conftest import Dash


async def test_privacy_show_says_what_the_dashboard_keeps(dash: Dash) -> None:
    """The statement names the sign-in, what it holds, and how long."""
    out = await dash.sb.say("alice: /privacy show")
    assert "**Dashboard**" in out
    assert "never a password" in out
    assert "until you sign out, or at most 12 hours" in out


async def test_export_lists_the_sign_ins_and_forget_ends_them(dash: Dash) -> None:
    """Export shows the open sessions; forget erases them, and the cookie stops working."""
    await dash.sign_in("alice")
    await dash.sb.say("alice: /privacy export")
    exported = dash.sb.private_to("alice")[-1]
    data = json.loads(exported.split("```json\n", 1)[1].split("\n```", 1)[0])
    assert data["dashboard"]["sign_ins"][0]["space"] == "sandbox"
    assert dash.sb.rows_naming("alice", ("web_sessions",)) == 1
    await dash.sb.say("alice: /privacy forget", "alice: /privacy forget confirm")
    assert dash.sb.rows_naming("alice", ("web_sessions",)) == 0
    assert (await dash.client.get("/circles")).status == 401
