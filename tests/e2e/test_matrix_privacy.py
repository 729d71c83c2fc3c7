"""Privacy on Matrix: what the adapter itself keeps (reactions, the direct room) is stated,
exported and erased like everything else."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.e2e.matrix_bot import MakeBot, MakePeople, eventually

pytestmark = pytest.mark.e2e


async def test_the_adapters_own_records_are_stated_exported_and_forgotten(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A reaction and the direct room show in `privacy show` and the export, and `forget` erases them."""
    bot = await matrix_bot()
    me = bot.user_id
    alice = await people("Alice")
    room = await alice.room_with(me)
    await alice.say(room, "!ck circle create Mondays")
    created = await alice.expect(me, "**Mondays** has a home here now", room_id=room)
    await alice.react(room, created.event_id, "👍🏽")

    await alice.say(room, "!ck privacy export")
    direct = await eventually(lambda: next(iter(alice.invites), None), "a direct room")
    await alice.join(direct)
    await alice.expect(me, "Here is everything I keep about you", room_id=direct)
    export = await alice.ask(direct, me, "!ck privacy export")  # now the direct room exists
    data = json.loads(export.body.split("```json\n", 1)[1].rsplit("\n```", 1)[0])
    assert data["matrix"]["direct_room"] == direct
    assert [(r["message"], r["key"]) for r in data["matrix"]["reactions"]] == [
        (created.event_id, "👍")
    ]

    shown = await alice.ask(direct, me, "!ck privacy show")
    assert "**On Matrix**" in shown.body

    await alice.ask(direct, me, "!ck privacy forget")
    await alice.ask(direct, me, "!ck privacy forget confirm")
    assert bot.app is not None
    with sqlite3.connect(bot.app.db.path) as conn:
        for table in ("matrix_reactions", "matrix_direct_rooms"):
            count = conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE member_id = ?",  # noqa: S608 - fixed names
                (alice.user_id,),
            ).fetchone()
            assert count == (0,), table
