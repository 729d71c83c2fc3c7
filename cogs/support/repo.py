"""All the SQL of support: members' settings and notes, spaces' resources, calls and asks.

The only words kept are the ones a member hands over on purpose: their note, until they
clear it, and the line of a call while it is open (cleared the moment it closes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.chat import MemberRef, Platform, RoomRef, SpaceRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row
from cogs.circles import Forget, Personal, forget_in
from cogs.support.model import Ask, Call, CallStatus, MemberSettings, Note, Tier
from cogs.support.places import Resource

_CALL_CIRCLE = "(SELECT circle_id FROM support_calls WHERE support_calls.id = {table}.call_id)"

# What names a person. A call stays in the counts without its caller's name (its line is
# cleared by the cog as the call is withdrawn); everything else that is theirs goes.
PERSONAL = (
    Personal("support_members", "member_id", Forget.DELETE_ROW, circle=None),
    Personal("support_notes", "member_id", Forget.DELETE_ROW, circle=None),
    Personal("support_calls", "member_id", Forget.CLEAR),
    Personal("support_asks", "member_id", Forget.DELETE_ROW, circle=_CALL_CIRCLE),
    Personal("support_offers", "member_id", Forget.DELETE_ROW),
)


def _when(value: str | None) -> datetime | None:
    return from_iso(value) if value else None


def call_from(row: Row) -> Call:
    return Call(
        id=row["id"],
        circle_id=row["circle_id"],
        member_id=row["member_id"],
        share_note=bool(row["share_note"]),
        line=row["line"],
        status=CallStatus(row["status"]),
        stage=row["stage"],
        created_at=from_iso(row["created_at"]),
        next_at=_when(row["next_at"]),
        closed_at=_when(row["closed_at"]),
    )


def ask_from(row: Row) -> Ask:
    return Ask(
        call_id=row["call_id"],
        member_id=row["member_id"],
        tier=Tier(row["tier"]),
        position=row["position"],
        asked_at=_when(row["asked_at"]),
        reached=None if row["reached"] is None else bool(row["reached"]),
        took_at=_when(row["took_at"]),
        told_at=_when(row["told_at"]),
    )


def resource_from(row: Row) -> Resource:
    return Resource(
        region=row["region"],
        name=row["name"],
        reach=row["reach"],
        hours=row["hours"],
        verified_on=date.fromisoformat(row["verified_on"]),
        checked=True,
        id=row["id"],
    )


class SupportRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- a member's own settings and note ---------------------------------------------------

    async def settings(self, member: MemberRef) -> MemberSettings:
        row = await self._db.fetchone(
            "SELECT * FROM support_members WHERE platform = ? AND member_id = ?",
            (member.platform.value, member.id),
        )
        if row is None:
            return MemberSettings()
        return MemberSettings(row["region"], bool(row["offers_off"]), bool(row["away"]))

    async def set_region(self, member: MemberRef, region: str | None) -> None:
        await self._upsert_member(member, "region", region)

    async def set_offers_off(self, member: MemberRef, off: bool) -> None:
        await self._upsert_member(member, "offers_off", int(off))

    async def set_away(self, member: MemberRef, away: bool) -> None:
        await self._upsert_member(member, "away", int(away))

    async def _upsert_member(self, member: MemberRef, column: str, value: object) -> None:
        if column not in ("region", "offers_off", "away"):
            raise ValueError(column)
        query = f"""
            INSERT INTO support_members (platform, member_id, {column}) VALUES (?, ?, ?)
            ON CONFLICT (platform, member_id) DO UPDATE SET {column} = excluded.{column}
        """  # noqa: S608 - the column is one of three fixed names
        await self._db.execute(query, (member.platform.value, member.id, value))

    async def away_among(self, platform: Platform, member_ids: list[str]) -> set[str]:
        if not member_ids:
            return set()
        marks = ", ".join("?" for _ in member_ids)
        rows = await self._db.fetchall(
            f"SELECT member_id FROM support_members WHERE platform = ? AND away = 1 AND member_id IN ({marks})",  # noqa: S608 - placeholders only
            (platform.value, *member_ids),
        )
        return {r["member_id"] for r in rows}

    async def note(self, member: MemberRef) -> Note | None:
        row = await self._db.fetchone(
            "SELECT note, written_at FROM support_notes WHERE platform = ? AND member_id = ?",
            (member.platform.value, member.id),
        )
        return Note(row["note"], from_iso(row["written_at"])) if row else None

    async def write_note(self, member: MemberRef, text: str, at: datetime) -> None:
        query = """
            INSERT INTO support_notes (platform, member_id, note, written_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (platform, member_id) DO UPDATE
            SET note = excluded.note, written_at = excluded.written_at
        """
        await self._db.execute(query, (member.platform.value, member.id, text, to_iso(at)))

    async def clear_note(self, member: MemberRef) -> bool:
        changed = await self._db.execute(
            "DELETE FROM support_notes WHERE platform = ? AND member_id = ?",
            (member.platform.value, member.id),
        )
        return changed > 0

    # --- circles and spaces -----------------------------------------------------------------

    async def circle_region(self, circle_id: int) -> str | None:
        row = await self._db.fetchone(
            "SELECT region FROM support_circles WHERE circle_id = ?", (circle_id,)
        )
        return row["region"] if row else None

    async def set_circle_region(self, circle_id: int, region: str | None) -> None:
        query = """
            INSERT INTO support_circles (circle_id, region) VALUES (?, ?)
            ON CONFLICT (circle_id) DO UPDATE SET region = excluded.region
        """
        await self._db.execute(query, (circle_id, region))

    async def offers_on(self, circle_id: int) -> bool:
        row = await self._db.fetchone(
            "SELECT offers_on FROM support_circles WHERE circle_id = ?", (circle_id,)
        )
        return bool(row and row["offers_on"])

    async def set_offers_on(self, circle_id: int, on: bool) -> None:
        query = """
            INSERT INTO support_circles (circle_id, offers_on) VALUES (?, ?)
            ON CONFLICT (circle_id) DO UPDATE SET offers_on = excluded.offers_on
        """
        await self._db.execute(query, (circle_id, int(on)))

    async def circles_with_offers(self) -> set[int]:
        rows = await self._db.fetchall("SELECT circle_id FROM support_circles WHERE offers_on = 1")
        return {r["circle_id"] for r in rows}

    async def note_space(self, room: RoomRef) -> None:
        """Remember a space (and a room to learn its moderators in) the first time it is seen."""
        query = """
            INSERT INTO support_spaces (platform, space_id, room_id) VALUES (?, ?, ?)
            ON CONFLICT (platform, space_id) DO NOTHING
        """
        await self._db.execute(query, (room.platform.value, room.space_id, room.id))

    async def spaces_has(self, space: SpaceRef) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM support_spaces WHERE platform = ? AND space_id = ?",
            (space.platform.value, space.id),
        )
        return row is not None

    async def spaces(self) -> list[tuple[RoomRef, datetime | None]]:
        rows = await self._db.fetchall("SELECT * FROM support_spaces ORDER BY platform, space_id")
        return [
            (
                RoomRef(Platform(r["platform"]), r["space_id"], r["room_id"]),
                _when(r["reminded_at"]),
            )
            for r in rows
        ]

    async def space_region(self, space: SpaceRef) -> str | None:
        row = await self._db.fetchone(
            "SELECT region FROM support_spaces WHERE platform = ? AND space_id = ?",
            (space.platform.value, space.id),
        )
        return row["region"] if row else None

    async def set_space_region(self, room: RoomRef, region: str | None) -> None:
        await self.note_space(room)
        await self._db.execute(
            "UPDATE support_spaces SET region = ? WHERE platform = ? AND space_id = ?",
            (region, room.platform.value, room.space_id),
        )

    async def reminded_at(self, space: SpaceRef) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT reminded_at FROM support_spaces WHERE platform = ? AND space_id = ?",
            (space.platform.value, space.id),
        )
        return _when(row["reminded_at"]) if row else None

    async def reminded(self, space: SpaceRef, at: datetime) -> None:
        await self._db.execute(
            "UPDATE support_spaces SET reminded_at = ? WHERE platform = ? AND space_id = ?",
            (to_iso(at), space.platform.value, space.id),
        )

    # --- a space's own resources ------------------------------------------------------------

    async def own_resources(self, space: SpaceRef) -> list[Resource] | None:
        """The space's own list, or None while it uses the shipped one."""
        edited = await self._db.fetchone(
            "SELECT edited FROM support_spaces WHERE platform = ? AND space_id = ?",
            (space.platform.value, space.id),
        )
        if edited is None or not edited["edited"]:
            return None
        rows = await self._db.fetchall(
            "SELECT * FROM support_resources WHERE platform = ? AND space_id = ? ORDER BY id",
            (space.platform.value, space.id),
        )
        return [resource_from(r) for r in rows]

    async def take_in_hand(self, room: RoomRef, start_from: list[Resource]) -> None:
        """The space keeps its own list from now on, starting from ``start_from``; done once."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO support_spaces (platform, space_id, room_id) VALUES (?, ?, ?) "
                "ON CONFLICT (platform, space_id) DO NOTHING",
                (room.platform.value, room.space_id, room.id),
            )
            changed = await tx.execute_count(
                "UPDATE support_spaces SET edited = 1 WHERE platform = ? AND space_id = ? AND edited = 0",
                (room.platform.value, room.space_id),
            )
            if not changed:
                return
            for entry in start_from:
                await tx.execute(
                    "INSERT INTO support_resources (platform, space_id, region, name, reach, hours, verified_on) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        room.platform.value,
                        room.space_id,
                        entry.region,
                        entry.name,
                        entry.reach,
                        entry.hours,
                        entry.verified_on.isoformat(),
                    ),
                )

    async def add_resource(self, space: SpaceRef, entry: Resource) -> int:
        row = await self._db.write_returning(
            "INSERT INTO support_resources (platform, space_id, region, name, reach, hours, verified_on) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                space.platform.value,
                space.id,
                entry.region,
                entry.name,
                entry.reach,
                entry.hours,
                entry.verified_on.isoformat(),
            ),
        )
        if row is None:
            raise RuntimeError("the new resource's number did not come back")
        return int(row["id"])

    async def remove_resource(self, space: SpaceRef, number: int) -> bool:
        changed = await self._db.execute(
            "DELETE FROM support_resources WHERE id = ? AND platform = ? AND space_id = ?",
            (number, space.platform.value, space.id),
        )
        return changed > 0

    async def verify_resource(self, space: SpaceRef, number: int, on: date) -> bool:
        changed = await self._db.execute(
            "UPDATE support_resources SET verified_on = ? WHERE id = ? AND platform = ? AND space_id = ?",
            (on.isoformat(), number, space.platform.value, space.id),
        )
        return changed > 0

    # --- calls ------------------------------------------------------------------------------

    async def open_call(
        self,
        *,
        circle_id: int,
        member: MemberRef,
        share_note: bool,
        line: str | None,
        at: datetime,
        lineup: list[tuple[Tier, str]],
    ) -> int:
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "INSERT INTO support_calls (circle_id, member_id, share_note, line, status, created_at) "
                "VALUES (?, ?, ?, ?, 'open', ?) RETURNING id",
                (circle_id, member.id, int(share_note), line, to_iso(at)),
            )
            if row is None:
                raise RuntimeError("the new call's number did not come back")
            call_id = int(row["id"])
            for position, (tier, who) in enumerate(lineup):
                await tx.execute(
                    "INSERT INTO support_asks (call_id, member_id, tier, position) VALUES (?, ?, ?, ?)",
                    (call_id, who, int(tier), position),
                )
        return call_id

    async def call(self, call_id: int) -> Call | None:
        row = await self._db.fetchone("SELECT * FROM support_calls WHERE id = ?", (call_id,))
        return call_from(row) if row else None

    async def open_calls(self) -> list[Call]:
        rows = await self._db.fetchall(
            "SELECT * FROM support_calls WHERE status = 'open' ORDER BY id"
        )
        return [call_from(r) for r in rows]

    async def open_call_of(self, member: MemberRef) -> Call | None:
        query = """
            SELECT s.* FROM support_calls s JOIN circles c ON c.id = s.circle_id
            WHERE s.member_id = ? AND c.platform = ? AND s.status = 'open' ORDER BY s.id LIMIT 1
        """
        row = await self._db.fetchone(query, (member.id, member.platform.value))
        return call_from(row) if row else None

    async def calls_of(self, member: MemberRef) -> list[tuple[Call, str]]:
        query = """
            SELECT s.*, c.name AS circle_name FROM support_calls s
            JOIN circles c ON c.id = s.circle_id
            WHERE s.member_id = ? AND c.platform = ? ORDER BY s.id
        """
        rows = await self._db.fetchall(query, (member.id, member.platform.value))
        return [(call_from(r), r["circle_name"]) for r in rows]

    async def calls_since(self, member: MemberRef, since: datetime) -> int:
        query = """
            SELECT COUNT(*) AS n FROM support_calls s JOIN circles c ON c.id = s.circle_id
            WHERE s.member_id = ? AND c.platform = ? AND s.created_at >= ?
        """
        row = await self._db.fetchone(query, (member.id, member.platform.value, to_iso(since)))
        return int(row["n"]) if row else 0

    async def asks(self, call_id: int) -> list[Ask]:
        rows = await self._db.fetchall(
            "SELECT * FROM support_asks WHERE call_id = ? ORDER BY position", (call_id,)
        )
        return [ask_from(r) for r in rows]

    async def open_asks_of(self, member: MemberRef) -> list[int]:
        """Open calls ``member`` has been asked to take."""
        query = """
            SELECT a.call_id FROM support_asks a JOIN support_calls s ON s.id = a.call_id
            JOIN circles c ON c.id = s.circle_id
            WHERE a.member_id = ? AND c.platform = ? AND s.status = 'open'
            AND a.asked_at IS NOT NULL ORDER BY a.call_id
        """
        rows = await self._db.fetchall(query, (member.id, member.platform.value))
        return [r["call_id"] for r in rows]

    async def move_on(self, call_id: int, stage: int, next_at: datetime | None) -> bool:
        """Claim the call's next stage (once, whoever comes first); False if it moved already."""
        changed = await self._db.execute(
            "UPDATE support_calls SET stage = ?, next_at = ? "
            "WHERE id = ? AND stage = ? AND status = 'open'",
            (stage, to_iso(next_at) if next_at else None, call_id, stage - 1),
        )
        return changed > 0

    async def set_next(self, call_id: int, next_at: datetime | None) -> None:
        await self._db.execute(
            "UPDATE support_calls SET next_at = ? WHERE id = ? AND status = 'open'",
            (to_iso(next_at) if next_at else None, call_id),
        )

    async def claim_ask(self, call_id: int, member_id: str, at: datetime) -> bool:
        """Claim sending the ask to this person (at most once, even across a restart)."""
        changed = await self._db.execute(
            "UPDATE support_asks SET asked_at = ? WHERE call_id = ? AND member_id = ? AND asked_at IS NULL "
            "AND EXISTS (SELECT 1 FROM support_calls WHERE id = ? AND status = 'open')",
            (to_iso(at), call_id, member_id, call_id),
        )
        return changed > 0

    async def mark_reached(self, call_id: int, member_id: str, reached: bool) -> None:
        await self._db.execute(
            "UPDATE support_asks SET reached = ? WHERE call_id = ? AND member_id = ?",
            (int(reached), call_id, member_id),
        )

    async def take(self, call_id: int, member_id: str, at: datetime) -> bool:
        """The first of those asked to take the open call has it; False for everyone after."""
        async with self._db.transaction() as tx:
            asked = await tx.fetchone(
                "SELECT 1 FROM support_asks WHERE call_id = ? AND member_id = ? AND reached = 1",
                (call_id, member_id),
            )
            if asked is None:
                return False
            changed = await tx.execute_count(
                "UPDATE support_calls SET status = 'taken', closed_at = ?, line = NULL, next_at = NULL "
                "WHERE id = ? AND status = 'open'",
                (to_iso(at), call_id),
            )
            if not changed:
                return False
            await tx.execute(
                "UPDATE support_asks SET took_at = ? WHERE call_id = ? AND member_id = ?",
                (to_iso(at), call_id, member_id),
            )
        return True

    async def close(self, call_id: int, status: CallStatus, at: datetime) -> bool:
        """Close an open call (unanswered or withdrawn); its line goes with it."""
        changed = await self._db.execute(
            "UPDATE support_calls SET status = ?, closed_at = ?, line = NULL, next_at = NULL "
            "WHERE id = ? AND status = 'open'",
            (status.value, to_iso(at), call_id),
        )
        return changed > 0

    async def claim_told(self, call_id: int, member_id: str, at: datetime) -> bool:
        changed = await self._db.execute(
            "UPDATE support_asks SET told_at = ? WHERE call_id = ? AND member_id = ? "
            "AND asked_at IS NOT NULL AND reached = 1 AND took_at IS NULL AND told_at IS NULL",
            (to_iso(at), call_id, member_id),
        )
        return changed > 0

    async def weekly(self, space: SpaceRef, since: datetime) -> list[tuple[str, str, str | None]]:
        """(created_at, status, taken at) of every call in the space since ``since``: no names."""
        query = """
            SELECT s.created_at, s.status, s.closed_at
            FROM support_calls s JOIN circles c ON c.id = s.circle_id
            WHERE c.platform = ? AND c.space_id = ? AND s.created_at >= ? ORDER BY s.created_at
        """
        rows = await self._db.fetchall(query, (space.platform.value, space.id, to_iso(since)))
        return [
            (r["created_at"], r["status"], r["closed_at"] if r["status"] == "taken" else None)
            for r in rows
        ]

    async def weekly_by_circle(
        self, circle_ids: Sequence[int], since: datetime
    ) -> dict[int, dict[tuple[str, str], int]]:
        """Per circle, calls per (ISO week, "called" or "taken") since ``since``: numbers only,
        for the dashboard's chart, never who called or who took it."""
        out: dict[int, dict[tuple[str, str], int]] = {cid: {} for cid in circle_ids}
        if not circle_ids:
            return out
        marks = ", ".join("?" for _ in circle_ids)
        rows = await self._db.fetchall(
            f"SELECT circle_id, created_at, status FROM support_calls WHERE circle_id IN ({marks}) AND created_at >= ?",  # noqa: S608 - placeholders
            (*circle_ids, to_iso(since)),
        )
        for row in rows:
            year, week, _ = from_iso(row["created_at"]).isocalendar()
            counts = out[row["circle_id"]]
            kinds = ("called", "taken") if row["status"] == "taken" else ("called",)
            for kind in kinds:
                key = (f"{year}-W{week:02d}", kind)
                counts[key] = counts.get(key, 0) + 1
        return out

    # --- offers -----------------------------------------------------------------------------

    async def last_offer(self, member: MemberRef) -> datetime | None:
        query = """
            SELECT MAX(o.at) AS at FROM support_offers o JOIN circles c ON c.id = o.circle_id
            WHERE o.member_id = ? AND c.platform = ?
        """
        row = await self._db.fetchone(query, (member.id, member.platform.value))
        return _when(row["at"]) if row else None

    async def record_offer(self, circle_id: int, member: MemberRef, at: datetime) -> None:
        await self._db.execute(
            "INSERT INTO support_offers (circle_id, member_id, at) VALUES (?, ?, ?)",
            (circle_id, member.id, to_iso(at)),
        )

    async def offers_of(self, member: MemberRef) -> list[tuple[datetime, str]]:
        query = """
            SELECT o.at, c.name FROM support_offers o JOIN circles c ON c.id = o.circle_id
            WHERE o.member_id = ? AND c.platform = ? ORDER BY o.at
        """
        rows = await self._db.fetchall(query, (member.id, member.platform.value))
        return [(from_iso(r["at"]), r["name"]) for r in rows]

    # --- forgetting -------------------------------------------------------------------------

    async def forget(self, member: MemberRef) -> None:
        async with self._db.transaction() as tx:
            # The line of any call of theirs goes first, while the call still names them.
            await tx.execute(
                "UPDATE support_calls SET line = NULL WHERE member_id = ? "
                "AND circle_id IN (SELECT id FROM circles WHERE platform = ?)",
                (member.id, member.platform.value),
            )
            await forget_in(tx, PERSONAL, member)
