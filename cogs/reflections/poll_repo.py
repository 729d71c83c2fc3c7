"""All the SQL for finding a meeting time: polls and their slots, members' answers, and the
time zone a member reads slots in.

Each public method is one transaction. Closing is the important one: ``closed_at`` is set
only where it is still empty, the counts are written to the slots, and a secret poll's
answers are deleted, all together, so a poll closes exactly once (two instances, or a
restart racing the alarm) and a secret one keeps only how many said what.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.chat import MemberRef, Platform
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row, Transaction
from cogs.circles import Forget, Personal, forget_in
from cogs.reflections.poll_model import Answer, Counts, Given, Poll, Slot, tally

_POLL_CIRCLE = "(SELECT p.circle_id FROM meeting_polls p WHERE p.id = {table}.poll_id)"

# What names a person: their answers and their own time zone are theirs and go with them;
# a poll they started or decided stays with the circle, without the name.
PERSONAL = (
    Personal("meeting_poll_answers", "member_id", Forget.DELETE_ROW, circle=_POLL_CIRCLE),
    Personal("meeting_member_zones", "member_id", Forget.DELETE_ROW, circle=None),
    Personal("meeting_polls", "created_by", Forget.CLEAR),
    Personal("meeting_polls", "decided_by", Forget.CLEAR),
)


def _poll_from(row: Row, slot_rows: Sequence[Row]) -> Poll:
    slots = tuple(Slot(r["position"], from_iso(r["starts_at"])) for r in slot_rows)
    frozen = {
        r["position"]: Counts(r["yes_count"], r["if_need_be_count"], r["no_count"])
        for r in slot_rows
        if r["yes_count"] is not None
    }
    return Poll(
        id=row["id"],
        circle_id=row["circle_id"],
        secret=bool(row["secret"]),
        stated_zone=row["stated_zone"],
        closes_at=from_iso(row["closes_at"]),
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        closed_at=from_iso(row["closed_at"]) if row["closed_at"] else None,
        picked=row["picked"],
        decided_by=row["decided_by"],
        answered=row["answered"],
        slots=slots,
        frozen=frozen,
    )


class MeetingPollRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- polls ---------------------------------------------------------------------------------

    async def open_poll(
        self,
        *,
        circle_id: int,
        secret: bool,
        stated_zone: str,
        slots: Sequence[datetime],
        closes_at: datetime,
        created_by: str,
        at: datetime,
    ) -> int | None:
        """Open a poll with its slots (numbered from 1 in the order given); None when the
        circle has one open already."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "INSERT INTO meeting_polls (circle_id, secret, stated_zone, closes_at, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (circle_id, int(secret), stated_zone, to_iso(closes_at), created_by, to_iso(at)),
            )
            if row is None:
                return None
            poll_id = int(row["id"])
            await tx.executemany(
                "INSERT INTO meeting_poll_slots (poll_id, position, starts_at) VALUES (?, ?, ?)",
                [(poll_id, i, to_iso(s)) for i, s in enumerate(slots, start=1)],
            )
        return poll_id

    async def poll(self, poll_id: int) -> Poll | None:
        async with self._db.transaction() as tx:
            return await self._read(tx, "p.id = ?", (poll_id,))

    async def open_of(self, circle_id: int) -> Poll | None:
        async with self._db.transaction() as tx:
            return await self._read(tx, "p.circle_id = ? AND p.closed_at IS NULL", (circle_id,))

    async def latest_of(self, circle_id: int) -> Poll | None:
        """The circle's newest poll, open or closed."""
        async with self._db.transaction() as tx:
            return await self._read(tx, "p.circle_id = ?", (circle_id,))

    async def waiting_for_pick(self, circle_id: int) -> Poll | None:
        """The circle's newest closed poll nobody has chosen a time from."""
        async with self._db.transaction() as tx:
            return await self._read(
                tx, "p.circle_id = ? AND p.closed_at IS NOT NULL AND p.picked IS NULL", (circle_id,)
            )

    async def still_open(self) -> list[tuple[int, datetime]]:
        """(poll, closing time) of every open poll: what the alarms are armed from."""
        rows = await self._db.fetchall(
            "SELECT id, closes_at FROM meeting_polls WHERE closed_at IS NULL ORDER BY id"
        )
        return [(r["id"], from_iso(r["closes_at"])) for r in rows]

    async def close(self, poll_id: int, at: datetime) -> bool:
        """Close the poll, if nobody has yet: the counts go onto its slots, and a secret
        poll's answers are deleted. False when it was closed already."""
        async with self._db.transaction() as tx:
            if not await tx.execute_count(
                "UPDATE meeting_polls SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
                (to_iso(at), poll_id),
            ):
                return False
            poll = await self._read(tx, "p.id = ?", (poll_id,))
            if poll is None:
                return False
            given = await self._answers(tx, poll_id)
            counts = tally(poll.slots, given)
            await tx.execute(
                "UPDATE meeting_polls SET answered = ? WHERE id = ?",
                (len({g.member_id for g in given}), poll_id),
            )
            await tx.executemany(
                "UPDATE meeting_poll_slots SET yes_count = ?, if_need_be_count = ?, no_count = ? "
                "WHERE poll_id = ? AND position = ?",
                [(c.yes, c.if_need_be, c.no, poll_id, p) for p, c in counts.items()],
            )
            if poll.secret:
                await tx.execute("DELETE FROM meeting_poll_answers WHERE poll_id = ?", (poll_id,))
        return True

    async def pick(self, poll_id: int, position: int, by: str, at: datetime) -> bool:
        """Record the chosen slot of a closed poll; False when one was chosen already."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "UPDATE meeting_polls SET picked = ?, decided_by = ?, decided_at = ? "
                    "WHERE id = ? AND closed_at IS NOT NULL AND picked IS NULL",
                    (position, by, to_iso(at), poll_id),
                )
            )

    # --- answers -------------------------------------------------------------------------------

    async def answer(
        self, poll_id: int, member_id: str, answers: Mapping[int, Answer], at: datetime
    ) -> bool:
        """Keep a member's answers (replacing theirs for the same slots); False when the poll
        has closed, or its closing time has come, meanwhile."""
        async with self._db.transaction() as tx:
            still = await tx.fetchone(
                "SELECT 1 FROM meeting_polls WHERE id = ? AND closed_at IS NULL AND closes_at > ?",
                (poll_id, to_iso(at)),
            )
            if still is None:
                return False
            await tx.executemany(
                "INSERT INTO meeting_poll_answers (poll_id, position, member_id, answer, answered_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (poll_id, position, member_id) "
                "DO UPDATE SET answer = excluded.answer, answered_at = excluded.answered_at",
                [(poll_id, p, member_id, a.value, to_iso(at)) for p, a in sorted(answers.items())],
            )
        return True

    async def answers(self, poll_id: int) -> list[Given]:
        async with self._db.transaction() as tx:
            return await self._answers(tx, poll_id)

    async def drop_answers(self, circle_id: int, member_id: str) -> int:
        """Someone left the circle: their answers to its open poll go."""
        async with self._db.transaction() as tx:
            return await tx.execute_count(
                "DELETE FROM meeting_poll_answers WHERE member_id = ? AND poll_id IN "
                "(SELECT id FROM meeting_polls WHERE circle_id = ? AND closed_at IS NULL)",
                (member_id, circle_id),
            )

    # --- members' own time zones ----------------------------------------------------------------

    async def zone_of(self, member: MemberRef) -> str | None:
        row = await self._db.fetchone(
            "SELECT time_zone FROM meeting_member_zones WHERE platform = ? AND member_id = ?",
            (member.platform.value, member.id),
        )
        return str(row["time_zone"]) if row else None

    async def set_zone(self, member: MemberRef, zone: str, at: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO meeting_member_zones (platform, member_id, time_zone, set_at) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (platform, member_id) "
                "DO UPDATE SET time_zone = excluded.time_zone, set_at = excluded.set_at",
                (member.platform.value, member.id, zone, to_iso(at)),
            )

    async def clear_zone(self, member: MemberRef) -> bool:
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "DELETE FROM meeting_member_zones WHERE platform = ? AND member_id = ?",
                    (member.platform.value, member.id),
                )
            )

    # --- data care -----------------------------------------------------------------------------

    async def answers_by(
        self, platform: Platform, member_id: str
    ) -> list[tuple[str, int, datetime, Answer]]:
        """(circle, poll, slot time, answer) for every answer this member has kept."""
        rows = await self._db.fetchall(
            "SELECT c.name AS circle_name, a.poll_id, s.starts_at, a.answer "
            "FROM meeting_poll_answers a "
            "JOIN meeting_poll_slots s ON s.poll_id = a.poll_id AND s.position = a.position "
            "JOIN meeting_polls p ON p.id = a.poll_id JOIN circles c ON c.id = p.circle_id "
            "WHERE c.platform = ? AND a.member_id = ? ORDER BY a.poll_id, a.position",
            (platform.value, member_id),
        )
        return [
            (r["circle_name"], r["poll_id"], from_iso(r["starts_at"]), Answer(r["answer"]))
            for r in rows
        ]

    async def polls_by(self, platform: Platform, member_id: str) -> list[tuple[str, int]]:
        """(circle, poll) for every poll this member started or chose a time from."""
        rows = await self._db.fetchall(
            "SELECT c.name AS circle_name, p.id FROM meeting_polls p JOIN circles c ON c.id = p.circle_id "
            "WHERE c.platform = ? AND (p.created_by = ? OR p.decided_by = ?) ORDER BY p.id",
            (platform.value, member_id, member_id),
        )
        return [(r["circle_name"], r["id"]) for r in rows]

    async def forget(self, member: MemberRef) -> None:
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    # --- internals -----------------------------------------------------------------------------

    @staticmethod
    async def _read(tx: Transaction, where: str, params: tuple[object, ...]) -> Poll | None:
        row = await tx.fetchone(
            f"SELECT p.* FROM meeting_polls p WHERE {where} ORDER BY p.id DESC LIMIT 1",  # noqa: S608 - fixed conditions
            params,
        )
        if row is None:
            return None
        slots = await tx.fetchall(
            "SELECT * FROM meeting_poll_slots WHERE poll_id = ? ORDER BY position", (row["id"],)
        )
        return _poll_from(row, slots)

    @staticmethod
    async def _answers(tx: Transaction, poll_id: int) -> list[Given]:
        rows = await tx.fetchall(
            "SELECT position, member_id, answer FROM meeting_poll_answers WHERE poll_id = ? "
            "ORDER BY answered_at, member_id, position",
            (poll_id,),
        )
        return [Given(r["position"], r["member_id"], Answer(r["answer"])) for r in rows]
