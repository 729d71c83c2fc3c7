"""The audit log: the router writes each change of a setting, from chat the same as from the
web; refusals and readings leave no line; export shows a person's own changes and forgetting
takes their name off while the history stays."""

from __future__ import annotations

import json
import sqlite3

from bot.audit import describe
from bot.chat import MemberRef, Platform
from tests.sandbox import Sandbox, make_circle


def log_rows(sb: Sandbox) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(
            "SELECT circle_id, platform, member_id, command, detail, via FROM audit_log ORDER BY id"
        ).fetchall()


async def test_a_change_made_in_chat_is_written_with_who_what_and_where(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add mondays 19:30 theme=connection")
    assert log_rows(sb) == [
        (1, "local", "alice", "schedule add", "when=mondays 19:30 theme=connection", "chat")
    ]


async def test_readings_and_refusals_write_nothing(sb: Sandbox) -> None:
    """`schedule list` changes nothing; bob (no facilitator) is refused; a bad time is refused:
    none of them is a line in the log."""
    await make_circle(sb, "bob")
    await sb.say(
        "alice: /schedule list",
        "bob: /schedule add mondays 19:30",
        "alice: /schedule add someday at noon",
    )
    assert log_rows(sb) == []


async def test_people_named_in_a_change_are_left_out_of_its_detail(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob")
    rows = log_rows(sb)
    assert rows[-1][3:5] == ("circle rota add", "member=someone")
    assert "bob" not in json.dumps(rows)


def test_a_long_option_is_clipped() -> None:
    detail = describe({"text": "x" * 500, "member": MemberRef(Platform.LOCAL, "bob")})
    assert len(detail) <= 200
    assert detail == "text=" + "x" * 79 + "… member=someone"


async def test_export_shows_ones_own_changes_and_forget_clears_the_name(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("alice: /schedule add mondays 19:30", "alice: /privacy export")
    exported = sb.private_to("alice")[-1].split("```json\n", 1)[1].rsplit("\n```", 1)[0]
    changes = json.loads(exported)["audit"]["settings_changed"]
    assert [(c["command"], c["from"]) for c in changes] == [("schedule add", "chat")]
    await sb.say("alice: /privacy forget")
    out = await sb.say("alice: /privacy forget confirm")
    assert out
    rows = log_rows(sb)
    assert [r[2] for r in rows] == [None]  # the change is still there, without who
    assert rows[0][3] == "schedule add"
