"""All the SQL of nudges: circle settings, opt-outs and the log of nudges given.

No method here takes message text: the log keeps who, when, where and the *kinds* of
wording noticed (fixed names from ``TAXONOMY.md`` such as ``"treatment"``), never words.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence
from datetime import datetime

from bot.chat import MemberRef, Platform, SpaceRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row
from cogs.circles import Forget, Personal, forget_in
from cogs.nudges.drift import Sensitivity, Situation
from cogs.nudges.limits import DAY, Given, Limits, allows
from cogs.nudges.records import CircleNudging, NudgeRecord, WeekCount

# What names a person: the log keeps its counts without the name; the opt-out goes.
PERSONAL = (
    Personal("nudge_log", "member_id", Forget.CLEAR),
    Personal("nudge_optouts", "member_id", Forget.DELETE_ROW, circle=None),
)


def nudging_from(row: Row) -> CircleNudging:
    return CircleNudging(row["mode"], Sensitivity(row["sensitivity"]), row["agreement"])


def record_from(row: Row) -> NudgeRecord:
    return NudgeRecord(
        circle_id=row["circle_id"],
        member_id=row["member_id"],
        conversation=row["conversation"],
        at=from_iso(row["at"]),
        situation=Situation(row["situation"]),
        mode=row["mode"],
        delivered=bool(row["delivered"]),
        kinds=tuple(json.loads(row["kinds"])),
    )


class NudgesRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- settings --------------------------------------------------------------------------

    async def settings(self, circle_id: int) -> CircleNudging | None:
        row = await self._db.fetchone(
            "SELECT * FROM nudge_settings WHERE circle_id = ?", (circle_id,)
        )
        return nudging_from(row) if row else None

    async def all_settings(self) -> dict[int, CircleNudging]:
        rows = await self._db.fetchall("SELECT * FROM nudge_settings")
        return {r["circle_id"]: nudging_from(r) for r in rows}

    async def set_settings(self, circle_id: int, settings: CircleNudging) -> None:
        query = """
            INSERT INTO nudge_settings (circle_id, mode, sensitivity, agreement) VALUES (?, ?, ?, ?)
            ON CONFLICT (circle_id) DO UPDATE SET
                mode = excluded.mode, sensitivity = excluded.sensitivity, agreement = excluded.agreement
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                query, (circle_id, settings.mode, settings.sensitivity.value, settings.agreement)
            )

    # --- opt-outs --------------------------------------------------------------------------

    async def opted_out(self) -> set[MemberRef]:
        rows = await self._db.fetchall("SELECT platform, member_id FROM nudge_optouts")
        return {MemberRef(Platform(r["platform"]), r["member_id"]) for r in rows}

    async def is_opted_out(self, member: MemberRef) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM nudge_optouts WHERE platform = ? AND member_id = ?",
            (member.platform.value, member.id),
        )
        return row is not None

    async def opt_out(self, member: MemberRef, at: datetime) -> bool:
        """Turn nudges off for someone; False if they already were."""
        async with self._db.transaction() as tx:
            changed = await tx.execute_count(
                "INSERT INTO nudge_optouts (platform, member_id, at) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                (member.platform.value, member.id, to_iso(at)),
            )
        return bool(changed)

    async def opt_in(self, member: MemberRef) -> bool:
        """Turn nudges back on; False if they were on."""
        async with self._db.transaction() as tx:
            changed = await tx.execute_count(
                "DELETE FROM nudge_optouts WHERE platform = ? AND member_id = ?",
                (member.platform.value, member.id),
            )
        return bool(changed)

    # --- the log ---------------------------------------------------------------------------

    async def claim(self, limits: Limits, record: NudgeRecord) -> int | None:
        """Log the nudge ``record`` if the rate limits allow it now, and return its id; None
        when they hold it back. The limits are read and the row written in one transaction
        under a lock on the person (an advisory lock on PostgreSQL), so two processes nudging
        the same person at once can't both slip under a limit."""
        member = record.member_id or ""
        since = to_iso(record.at - DAY)
        async with self._db.transaction() as tx:
            await tx.claim("nudges:member", zlib.crc32(member.encode()))
            rows = await tx.fetchall(
                "SELECT member_id, conversation, circle_id, at FROM nudge_log"
                " WHERE at >= ? AND (member_id = ? OR conversation = ? OR circle_id = ?)",
                (since, member, record.conversation, record.circle_id),
            )
            past = [
                Given(r["member_id"] or "", r["conversation"], r["circle_id"], from_iso(r["at"]))
                for r in rows
            ]
            if not allows(
                limits,
                past,
                member=member,
                conversation=record.conversation,
                circle_id=record.circle_id,
                now=record.at,
            ):
                return None
            nudge_id: int = await tx.fetchval(
                "INSERT INTO nudge_log (circle_id, member_id, conversation, at, situation, mode,"
                " delivered, kinds) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                self._values(record),
            )
        return nudge_id

    async def mark_undelivered(self, nudge_id: int) -> None:
        await self._db.execute("UPDATE nudge_log SET delivered = 0 WHERE id = ?", (nudge_id,))

    @staticmethod
    def _values(record: NudgeRecord) -> tuple[object, ...]:
        return (
            record.circle_id,
            record.member_id,
            record.conversation,
            to_iso(record.at),
            record.situation.value,
            record.mode,
            int(record.delivered),
            json.dumps(list(record.kinds)),
        )

    async def record(self, record: NudgeRecord) -> None:
        query = """
            INSERT INTO nudge_log (circle_id, member_id, conversation, at, situation, mode, delivered, kinds)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                query,
                (
                    record.circle_id,
                    record.member_id,
                    record.conversation,
                    to_iso(record.at),
                    record.situation.value,
                    record.mode,
                    int(record.delivered),
                    json.dumps(list(record.kinds)),
                ),
            )

    async def since(self, at: datetime) -> list[NudgeRecord]:
        rows = await self._db.fetchall(
            "SELECT * FROM nudge_log WHERE at >= ? ORDER BY at", (to_iso(at),)
        )
        return [record_from(r) for r in rows]

    async def last_for(self, member: MemberRef) -> tuple[NudgeRecord, str] | None:
        """The latest private nudge someone got, with its circle's name."""
        query = """
            SELECT l.*, c.name FROM nudge_log l JOIN circles c ON c.id = l.circle_id
            WHERE c.platform = ? AND l.member_id = ? AND l.mode = 'private'
            ORDER BY l.at DESC, l.id DESC LIMIT 1
        """
        row = await self._db.fetchone(query, (member.platform.value, member.id))
        return (record_from(row), row["name"]) if row else None

    async def of_member(self, member: MemberRef) -> list[tuple[NudgeRecord, str]]:
        query = """
            SELECT l.*, c.name FROM nudge_log l JOIN circles c ON c.id = l.circle_id
            WHERE c.platform = ? AND l.member_id = ? ORDER BY l.at
        """
        rows = await self._db.fetchall(query, (member.platform.value, member.id))
        return [(record_from(r), r["name"]) for r in rows]

    async def weekly_counts(self, space: SpaceRef, since: datetime) -> list[WeekCount]:
        """Nudges per circle per ISO week in a space: numbers only, never names or words."""
        query = """
            SELECT c.name, l.at FROM nudge_log l JOIN circles c ON c.id = l.circle_id
            WHERE c.platform = ? AND c.space_id = ? AND l.at >= ?
        """
        rows = await self._db.fetchall(query, (space.platform.value, space.id, to_iso(since)))
        counts: dict[tuple[str, str], int] = {}
        for row in rows:
            year, week, _ = from_iso(row["at"]).isocalendar()
            key = (row["name"], f"{year}-W{week:02d}")
            counts[key] = counts.get(key, 0) + 1
        return [WeekCount(name, week, count) for (name, week), count in sorted(counts.items())]

    async def weekly_by_situation(
        self, circle_ids: Sequence[int], since: datetime
    ) -> dict[int, dict[tuple[str, str], int]]:
        """Per circle, nudges per (ISO week, situation) since ``since``: numbers only, for the
        dashboard's chart, never who or what was said."""
        out: dict[int, dict[tuple[str, str], int]] = {cid: {} for cid in circle_ids}
        if not circle_ids:
            return out
        marks = ", ".join("?" for _ in circle_ids)
        rows = await self._db.fetchall(
            f"SELECT circle_id, at, situation FROM nudge_log WHERE circle_id IN ({marks}) AND at >= ?",  # noqa: S608 - placeholders
            (*circle_ids, to_iso(since)),
        )
        for row in rows:
            year, week, _ = from_iso(row["at"]).isocalendar()
            key = (f"{year}-W{week:02d}", row["situation"])
            counts = out[row["circle_id"]]
            counts[key] = counts.get(key, 0) + 1
        return out

    async def forget(self, member: MemberRef) -> None:
        """Erase the person from the log (the counts stay, nameless) and their opt-out."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    async def prune(self, before: datetime) -> int:
        async with self._db.transaction() as tx:
            return await tx.execute_count("DELETE FROM nudge_log WHERE at < ?", (to_iso(before),))
