"""The rooms the bot lives in, for parts that must not know which feature put it there (the
Discord doctor checks the permissions of exactly these channels).

The circles kernel keeps the list as the ``bound_rooms`` view of its schema: a room or thread
for each circle that isn't resting. Before that view exists (a new database, or one that was
never migrated this far) there are no rooms to read.
"""

from __future__ import annotations

from bot.chat import Platform, RoomRef
from bot.storage.database import Database


class BoundRooms:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def on(self, platform: Platform) -> list[RoomRef]:
        """The rooms on ``platform`` that have a circle (a room once, however many threads)."""
        if not await self._db.has_relation("bound_rooms"):
            return []
        rows = await self._db.fetchall(
            "SELECT DISTINCT space_id, room_id FROM bound_rooms WHERE platform = ? "
            "ORDER BY space_id, room_id",
            (platform.value,),
        )
        return [RoomRef(platform, row["space_id"], row["room_id"]) for row in rows]
