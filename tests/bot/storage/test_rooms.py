"""The rooms the bot lives in, read by the engine without knowing circles."""

from __future__ import annotations

from pathlib import Path

from bot.chat import Platform, RoomRef
from bot.storage.database import Database
from bot.storage.rooms import BoundRooms
from tests.sandbox import Sandbox, make_circle


async def test_a_database_without_circles_has_no_rooms(tmp_path: Path) -> None:
    """Before the kernel's tables exist (the engine alone opened it), there is nothing to read."""
    db = await Database.open(tmp_path / "ck.db")
    try:
        assert await BoundRooms(db).on(Platform.DISCORD) == []
    finally:
        await db.close()


async def test_the_rooms_of_circles_that_are_not_resting(sb: Sandbox) -> None:
    """A room with a circle is listed once per platform; a resting circle's room is not."""
    assert sb.app is not None
    await make_circle(sb, "bob")
    rooms = BoundRooms(sb.app.db)
    (room,) = await rooms.on(Platform.LOCAL)
    assert isinstance(room, RoomRef)
    assert await rooms.on(Platform.DISCORD) == []
    await sb.say("alice: /circle close")
    assert await rooms.on(Platform.LOCAL) == []
