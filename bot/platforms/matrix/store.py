"""The Matrix adapter's own tables (migration 0006): reactions, handled events, direct rooms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row


@dataclass(frozen=True, slots=True)
class StoredReaction:
    """A reaction someone made, kept until it is redacted (that is how it is taken back)."""

    event_id: str
    room_id: str
    target_id: str
    thread_id: str | None
    member_id: str
    key: str
    created_at: datetime

    @classmethod
    def from_row(cls, row: Row) -> StoredReaction:
        return cls(
            event_id=row["event_id"],
            room_id=row["room_id"],
            target_id=row["target_id"],
            thread_id=row["thread_id"],
            member_id=row["member_id"],
            key=row["key"],
            created_at=from_iso(row["created_at"]),
        )


class MatrixStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- reactions ------------------------------------------------------------------------

    async def add_reaction(self, reaction: StoredReaction) -> None:
        query = """
            INSERT INTO matrix_reactions
                (event_id, room_id, target_id, thread_id, member_id, key, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO NOTHING
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                query,
                (
                    reaction.event_id,
                    reaction.room_id,
                    reaction.target_id,
                    reaction.thread_id,
                    reaction.member_id,
                    reaction.key,
                    to_iso(reaction.created_at),
                ),
            )

    async def take_reaction(self, event_id: str) -> StoredReaction | None:
        """Forget the reaction with this event id and return it (None if we never saw it)."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM matrix_reactions WHERE event_id = ?", (event_id,)
            )
            if row is None:
                return None
            await tx.execute("DELETE FROM matrix_reactions WHERE event_id = ?", (event_id,))
        return StoredReaction.from_row(row)

    async def reactions_by(self, member_id: str) -> list[StoredReaction]:
        rows = await self._db.fetchall(
            "SELECT * FROM matrix_reactions WHERE member_id = ? ORDER BY created_at", (member_id,)
        )
        return [StoredReaction.from_row(r) for r in rows]

    async def prune_reactions(self, before: datetime) -> int:
        """Forget reactions older than ``before``: votes are reconciled from the server's own
        /relations, so an old reaction's id is only needed while someone might still take it
        back during a vote."""
        async with self._db.transaction() as tx:
            return await tx.execute_count(
                "DELETE FROM matrix_reactions WHERE created_at < ?", (to_iso(before),)
            )

    async def forget_member(self, member_id: str) -> None:
        """Erase what the adapter keeps about one person: their reactions and direct room."""
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM matrix_reactions WHERE member_id = ?", (member_id,))
            await tx.execute("DELETE FROM matrix_direct_rooms WHERE member_id = ?", (member_id,))

    # --- handled events -------------------------------------------------------------------

    async def was_handled(self, event_id: str) -> bool:
        found = await self._db.fetchval(
            "SELECT 1 FROM matrix_handled_events WHERE event_id = ?", (event_id,)
        )
        return found is not None

    async def mark_handled(self, event_id: str, at: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO matrix_handled_events (event_id, handled_at) VALUES (?, ?) "
                "ON CONFLICT DO NOTHING",
                (event_id, to_iso(at)),
            )

    async def prune_handled(self, before: datetime) -> int:
        async with self._db.transaction() as tx:
            return await tx.execute_count(
                "DELETE FROM matrix_handled_events WHERE handled_at < ?", (to_iso(before),)
            )

    # --- direct rooms ---------------------------------------------------------------------

    async def direct_room(self, member_id: str) -> str | None:
        value = await self._db.fetchval(
            "SELECT room_id FROM matrix_direct_rooms WHERE member_id = ?", (member_id,)
        )
        return None if value is None else str(value)

    async def is_direct_room(self, room_id: str) -> bool:
        found = await self._db.fetchval(
            "SELECT 1 FROM matrix_direct_rooms WHERE room_id = ? LIMIT 1", (room_id,)
        )
        return found is not None

    async def direct_rooms(self) -> dict[str, str]:
        """Every direct room, as room id -> member id."""
        rows = await self._db.fetchall("SELECT member_id, room_id FROM matrix_direct_rooms")
        return {row["room_id"]: row["member_id"] for row in rows}

    async def set_direct_room(self, member_id: str, room_id: str, at: datetime) -> None:
        query = """
            INSERT INTO matrix_direct_rooms (member_id, room_id, created_at) VALUES (?, ?, ?)
            ON CONFLICT (member_id) DO UPDATE SET room_id = excluded.room_id,
                                                  created_at = excluded.created_at
        """
        async with self._db.transaction() as tx:
            await tx.execute(query, (member_id, room_id, to_iso(at)))

    async def forget_direct_room(self, room_id: str) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM matrix_direct_rooms WHERE room_id = ?", (room_id,))
