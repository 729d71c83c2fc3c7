"""All the SQL for check-in rounds: who holds the talking piece, and who shared or passed.

Only the order and each turn's outcome are kept, never what anyone said, and the turns go
when the round closes. The rules of a round are pure (``rounds.py``); this stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.chat import MemberRef, Platform, RoomRef, ThreadRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row
from cogs.circles.erasure import Forget, Personal, forget_in
from cogs.circles.rounds import Outcome, Round, Turn

# Who began a round is kept with it; each turn's person goes with the round's order.
PERSONAL = (Personal("rounds", "started_by", Forget.CLEAR),)


@dataclass(frozen=True, slots=True)
class RoundRecord:
    """An open round as stored: where it is held, its time box, and the round itself."""

    id: int
    circle_id: int
    room: RoomRef
    thread: ThreadRef | None
    message_id: str | None
    turn_seconds: int | None
    turn_started_at: datetime | None
    reminded: bool
    round: Round

    @property
    def where(self) -> RoomRef | ThreadRef:
        return self.thread or self.room


class RoundsRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def open_round(
        self,
        *,
        circle_id: int,
        started_by: str,
        at: datetime,
        room: RoomRef,
        turn_seconds: int | None,
        order: list[str],
    ) -> int | None:
        """Open a round with this order; None if the circle already has one open."""
        round_ = Round.begin(order)
        async with self._db.transaction() as tx:
            if await tx.fetchone(
                "SELECT 1 FROM rounds WHERE circle_id = ? AND closed_at IS NULL", (circle_id,)
            ):
                return None
            round_id: int = await tx.fetchval(
                "INSERT INTO rounds (circle_id, started_by, started_at, room_id, turn_seconds, "
                "current, turn_started_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    circle_id,
                    started_by,
                    to_iso(at),
                    room.id,
                    turn_seconds,
                    round_.current,
                    to_iso(at),
                ),
            )
            await tx.executemany(
                "INSERT INTO round_turns (round_id, position, member_id) VALUES (?, ?, ?)",
                [(round_id, i, m) for i, m in enumerate(round_.order)],
            )
        return round_id

    async def place_round(
        self, round_id: int, thread: ThreadRef | None, message_id: str | None
    ) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE rounds SET thread_id = ?, message_id = ? WHERE id = ?",
                (thread.id if thread else None, message_id, round_id),
            )

    async def open_round_of(self, circle_id: int) -> RoundRecord | None:
        row = await self._db.fetchone(
            "SELECT r.*, c.platform, c.space_id FROM rounds r JOIN circles c ON c.id = r.circle_id "
            "WHERE r.circle_id = ? AND r.closed_at IS NULL",
            (circle_id,),
        )
        return await self._record(row) if row else None

    async def open_rounds(self) -> list[RoundRecord]:
        rows = await self._db.fetchall(
            "SELECT r.*, c.platform, c.space_id FROM rounds r JOIN circles c ON c.id = r.circle_id "
            "WHERE r.closed_at IS NULL ORDER BY r.id"
        )
        return [await self._record(r) for r in rows]

    async def save_round(
        self, record: RoundRecord, new: Round, *, turn_started_at: datetime | None, reminded: bool
    ) -> bool:
        """Store a move. False if the round moved on meanwhile (someone else's move won)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute_count(
                "UPDATE rounds SET current = ?, turn_started_at = ?, reminded = ? "
                "WHERE id = ? AND current = ? AND closed_at IS NULL",
                (
                    new.current,
                    to_iso(turn_started_at) if turn_started_at else None,
                    int(reminded),
                    record.id,
                    record.round.current,
                ),
            )
            if not changed:
                return False
            for position, turn in enumerate(new.turns):
                await tx.execute(
                    "INSERT INTO round_turns (round_id, position, member_id, outcome) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (round_id, position) DO UPDATE SET outcome = excluded.outcome",
                    (
                        record.id,
                        position,
                        turn.member_id,
                        turn.outcome.value if turn.outcome else None,
                    ),
                )
        return True

    async def rewrite_round(self, record: RoundRecord, new: Round) -> None:
        """Store a round whose order itself changed (someone was erased from it)."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE rounds SET current = ? WHERE id = ?", (new.current, record.id))
            await tx.execute("DELETE FROM round_turns WHERE round_id = ?", (record.id,))
            await tx.executemany(
                "INSERT INTO round_turns (round_id, position, member_id, outcome) VALUES (?, ?, ?, ?)",
                [
                    (record.id, i, t.member_id, t.outcome.value if t.outcome else None)
                    for i, t in enumerate(new.turns)
                ],
            )

    async def open_rounds_with(self, platform: Platform, member_id: str) -> list[int]:
        """Circle ids of open rounds that have this person in their order."""
        query = """
            SELECT DISTINCT r.circle_id FROM round_turns t
            JOIN rounds r ON r.id = t.round_id JOIN circles c ON c.id = r.circle_id
            WHERE c.platform = ? AND t.member_id = ? AND r.closed_at IS NULL
        """
        rows = await self._db.fetchall(query, (platform.value, member_id))
        return [r["circle_id"] for r in rows]

    async def close_round(self, round_id: int, at: datetime, shared: int, passed: int) -> bool:
        """Close a round and forget its turns (the summary has been said). False if already closed."""
        async with self._db.transaction() as tx:
            closed = await tx.execute_count(
                "UPDATE rounds SET closed_at = ?, shared_count = ?, passed_count = ? "
                "WHERE id = ? AND closed_at IS NULL",
                (to_iso(at), shared, passed, round_id),
            )
            await tx.execute("DELETE FROM round_turns WHERE round_id = ?", (round_id,))
        return bool(closed)

    async def rounds_touching(
        self, platform: Platform, member_id: str
    ) -> list[tuple[str, str | None]]:
        """(circle name, outcome) for open rounds this person is in."""
        query = """
            SELECT c.name, t.outcome FROM round_turns t
            JOIN rounds r ON r.id = t.round_id JOIN circles c ON c.id = r.circle_id
            WHERE c.platform = ? AND t.member_id = ? AND r.closed_at IS NULL
        """
        rows = await self._db.fetchall(query, (platform.value, member_id))
        return [(r["name"], r["outcome"]) for r in rows]

    async def forget_starter(self, member: MemberRef) -> None:
        """Whoever began a round is forgotten when they ask (the round itself stays)."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    # --- internals -------------------------------------------------------------------------

    async def _record(self, row: Row) -> RoundRecord:
        turns = await self._db.fetchall(
            "SELECT member_id, outcome FROM round_turns WHERE round_id = ? ORDER BY position",
            (row["id"],),
        )
        room = RoomRef(Platform(row["platform"]), row["space_id"], row["room_id"])
        round_ = Round(
            tuple(
                Turn(t["member_id"], Outcome(t["outcome"]) if t["outcome"] else None) for t in turns
            ),
            row["current"],
        )
        return RoundRecord(
            id=row["id"],
            circle_id=row["circle_id"],
            room=room,
            thread=ThreadRef(room, row["thread_id"]) if row["thread_id"] else None,
            message_id=row["message_id"],
            turn_seconds=row["turn_seconds"],
            turn_started_at=from_iso(row["turn_started_at"]) if row["turn_started_at"] else None,
            reminded=bool(row["reminded"]),
            round=round_,
        )
