"""All the SQL for circles, membership, waitlists, requests and the rota. Rows become the
kernel's model (``cogs.circles.model``) here, and nowhere else.

Each public method is one unit of work in one transaction, so a check and the change it
guards (a free place and the join that takes it) can never be split by another task.
``CirclesRepo`` is also the kernel's read-only lookup (``CircleLookup``) that features get.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.chat import MemberRef, Platform, RoomRef, SpaceRef, ThreadRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, IntegrityError, Row, Transaction
from bot.text import name_key
from cogs.circles.erasure import Forget, Personal, forget_in
from cogs.circles.model import (
    Circle,
    CircleRoster,
    Departure,
    DuplicateName,
    JoinResult,
    Membership,
    PlaceTaken,
    Preference,
)
from cogs.circles.rota import holder_after_removal

# What names a person here besides membership (which leaving takes away): who began a circle.
PERSONAL = (Personal("circles", "created_by", Forget.CLEAR, circle=None),)


def circle_from(row: Row) -> Circle:
    room = RoomRef(Platform(row["platform"]), row["space_id"], row["room_id"])
    return Circle(
        id=row["id"],
        room=room,
        thread=ThreadRef(room, row["thread_id"]) if row["thread_id"] else None,
        name=row["name"],
        description=row["description"],
        capacity=row["capacity"],
        is_open=bool(row["is_open"]),
        time_zone=row["time_zone"],
        holder_id=row["holder_id"],
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        archived_at=from_iso(row["archived_at"]) if row["archived_at"] else None,
    )


def membership_from(row: Row) -> Membership:
    return Membership(
        circle_id=row["circle_id"],
        member_id=row["member_id"],
        joined_at=from_iso(row["joined_at"]),
        preference=Preference(row["preference"]) if row["preference"] else None,
    )


@dataclass(slots=True)
class CircleCounts:
    """How many are in a circle, waiting and asking, and who is on its rota."""

    members: int = 0
    waiting: int = 0
    asking: int = 0
    rota: list[str] = field(default_factory=list)


class CirclesRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- circles ---------------------------------------------------------------------------

    async def create(
        self,
        *,
        room: RoomRef,
        thread: ThreadRef | None,
        name: str,
        description: str,
        capacity: int,
        is_open: bool,
        time_zone: str,
        creator: str,
        at: datetime,
    ) -> Circle:
        """Create a circle with its creator as first member, facilitator and holder."""
        query = """
            INSERT INTO circles (platform, space_id, room_id, thread_id, name, name_key,
                                 description, capacity, is_open, time_zone, holder_id,
                                 created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
        """
        async with self._db.transaction() as tx:
            taken = await self._at_place(tx, room, thread)
            if taken is not None:
                raise PlaceTaken(taken.name)
            try:
                circle_id = await tx.fetchval(
                    query,
                    (
                        room.platform.value,
                        room.space_id,
                        room.id,
                        thread.id if thread else None,
                        name,
                        name_key(name),
                        description,
                        capacity,
                        int(is_open),
                        time_zone,
                        creator,
                        creator,
                        to_iso(at),
                    ),
                )
            except IntegrityError:
                raise DuplicateName(name) from None
            await tx.execute(
                "INSERT INTO circle_members (circle_id, platform, member_id, joined_at, seq) "
                "VALUES (?, ?, ?, ?, 1)",
                (circle_id, room.platform.value, creator, to_iso(at)),
            )
            await tx.execute(
                "INSERT INTO circle_facilitators (circle_id, platform, member_id, position) "
                "VALUES (?, ?, ?, 0)",
                (circle_id, room.platform.value, creator),
            )
            row = _found(await tx.fetchone("SELECT * FROM circles WHERE id = ?", (circle_id,)))
        return circle_from(row)

    async def get(self, circle_id: int) -> Circle | None:
        row = await self._db.fetchone("SELECT * FROM circles WHERE id = ?", (circle_id,))
        return circle_from(row) if row else None

    async def find(self, space: SpaceRef, name: str) -> Circle | None:
        row = await self._db.fetchone(
            "SELECT * FROM circles WHERE platform = ? AND space_id = ? AND name_key = ?",
            (space.platform.value, space.id, name_key(name)),
        )
        return circle_from(row) if row else None

    async def bound_to(self, room: RoomRef, thread: ThreadRef | None) -> Circle | None:
        """The circle of this thread, or else of the room the thread is in."""
        query = """
            SELECT * FROM circles
            WHERE platform = ? AND room_id = ? AND (thread_id IS NULL OR thread_id = ?)
            ORDER BY thread_id IS NULL
            LIMIT 1
        """
        row = await self._db.fetchone(
            query, (room.platform.value, room.id, thread.id if thread else "")
        )
        return circle_from(row) if row else None

    async def in_space(self, space: SpaceRef) -> list[Circle]:
        rows = await self._db.fetchall(
            "SELECT * FROM circles WHERE platform = ? AND space_id = ? ORDER BY archived_at IS NOT NULL, name_key",
            (space.platform.value, space.id),
        )
        return [circle_from(r) for r in rows]

    async def active(self) -> list[Circle]:
        rows = await self._db.fetchall(
            "SELECT * FROM circles WHERE archived_at IS NULL ORDER BY id"
        )
        return [circle_from(r) for r in rows]

    async def suggest(self, space: SpaceRef, prefix: str, limit: int) -> list[str]:
        query = """
            SELECT name FROM circles
            WHERE platform = ? AND space_id = ? AND archived_at IS NULL AND name_key LIKE ? ESCAPE '\\'
            ORDER BY name_key LIMIT ?
        """
        pattern = (
            name_key(prefix).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        rows = await self._db.fetchall(query, (space.platform.value, space.id, pattern, limit))
        return [r["name"] for r in rows]

    async def update(
        self,
        circle_id: int,
        *,
        name: str | None = None,
        description: str | None = None,
        capacity: int | None = None,
        is_open: bool | None = None,
        time_zone: str | None = None,
    ) -> Circle:
        changes: dict[str, object] = {}
        if name is not None:
            changes["name"] = name
            changes["name_key"] = name_key(name)
        if description is not None:
            changes["description"] = description
        if capacity is not None:
            changes["capacity"] = capacity
        if is_open is not None:
            changes["is_open"] = int(is_open)
        if time_zone is not None:
            changes["time_zone"] = time_zone
        async with self._db.transaction() as tx:
            if changes:
                # Column names come from the fixed set above, never from input.
                assignments = ", ".join(f"{column} = ?" for column in changes)
                try:
                    await tx.execute(
                        f"UPDATE circles SET {assignments} WHERE id = ?",  # noqa: S608
                        (*changes.values(), circle_id),
                    )
                except IntegrityError:
                    raise DuplicateName(name or "") from None
            row = _found(await tx.fetchone("SELECT * FROM circles WHERE id = ?", (circle_id,)))
        return circle_from(row)

    async def set_archived(self, circle_id: int, at: datetime | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE circles SET archived_at = ? WHERE id = ?",
                (to_iso(at) if at else None, circle_id),
            )

    # --- membership ------------------------------------------------------------------------

    async def members(self, circle_id: int) -> list[Membership]:
        rows = await self._db.fetchall(
            "SELECT * FROM circle_members WHERE circle_id = ? ORDER BY seq", (circle_id,)
        )
        return [membership_from(r) for r in rows]

    async def is_member(self, circle_id: int, member_id: str) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM circle_members WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        return row is not None

    async def membership(self, circle_id: int, member_id: str) -> Membership | None:
        row = await self._db.fetchone(
            "SELECT * FROM circle_members WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        return membership_from(row) if row else None

    async def roster(self, circle_id: int) -> CircleRoster | None:
        circle = await self.get(circle_id)
        if circle is None:
            return None
        rota = await self.rota(circle_id)
        waiting = await self._db.fetchall(
            "SELECT member_id FROM circle_waitlist WHERE circle_id = ? ORDER BY seq", (circle_id,)
        )
        requests = await self._db.fetchall(
            "SELECT member_id FROM circle_requests WHERE circle_id = ? ORDER BY requested_at, member_id",
            (circle_id,),
        )
        return CircleRoster(
            circle=circle,
            members=await self.members(circle_id),
            rota=rota,
            waitlist=[r["member_id"] for r in waiting],
            requests=[r["member_id"] for r in requests],
        )

    async def join(self, circle_id: int, member_id: str, at: datetime) -> JoinResult:
        """Take a free place in an open circle (closed circles take requests instead)."""
        async with self._db.transaction() as tx:
            if await self._is_member(tx, circle_id, member_id):
                return JoinResult.ALREADY_MEMBER
            circle = _found(
                await tx.fetchone(
                    "SELECT capacity, is_open FROM circles WHERE id = ?", (circle_id,)
                )
            )
            if not circle["is_open"]:
                if await tx.fetchone(
                    "SELECT 1 FROM circle_requests WHERE circle_id = ? AND member_id = ?",
                    (circle_id, member_id),
                ):
                    return JoinResult.ALREADY_REQUESTED
                await tx.execute(
                    "INSERT INTO circle_requests (circle_id, platform, member_id, requested_at) "
                    "VALUES (?, (SELECT platform FROM circles WHERE id = ?), ?, ?)",
                    (circle_id, circle_id, member_id, to_iso(at)),
                )
                return JoinResult.REQUESTED
            if await self._count(tx, circle_id) >= circle["capacity"]:
                return JoinResult.FULL
            await self._insert_member(tx, circle_id, member_id, at)
            await tx.execute(
                "DELETE FROM circle_waitlist WHERE circle_id = ? AND member_id = ?",
                (circle_id, member_id),
            )
            return JoinResult.JOINED

    async def wait(self, circle_id: int, member_id: str, at: datetime) -> JoinResult:
        """Join the waitlist, or take a place straight away if one is free."""
        async with self._db.transaction() as tx:
            if await self._is_member(tx, circle_id, member_id):
                return JoinResult.ALREADY_MEMBER
            if await tx.fetchone(
                "SELECT 1 FROM circle_waitlist WHERE circle_id = ? AND member_id = ?",
                (circle_id, member_id),
            ):
                return JoinResult.ALREADY_WAITING
            circle = _found(
                await tx.fetchone(
                    "SELECT capacity, is_open FROM circles WHERE id = ?", (circle_id,)
                )
            )
            if not circle["is_open"]:
                return JoinResult.NOT_REQUESTED
            if await self._count(tx, circle_id) < circle["capacity"]:
                await self._insert_member(tx, circle_id, member_id, at)
                return JoinResult.JOINED
            await self._insert_waiting(tx, circle_id, member_id, at)
            return JoinResult.WAITLISTED

    async def decide_request(
        self, circle_id: int, member_id: str, approve: bool, at: datetime
    ) -> JoinResult:
        """A facilitator approves (a place, or the waitlist when full) or declines a request."""
        async with self._db.transaction() as tx:
            removed = await tx.execute_count(
                "DELETE FROM circle_requests WHERE circle_id = ? AND member_id = ?",
                (circle_id, member_id),
            )
            if not removed:
                if await self._is_member(tx, circle_id, member_id):
                    return JoinResult.ALREADY_MEMBER
                return JoinResult.NOT_REQUESTED
            if not approve:
                return JoinResult.NOT_REQUESTED
            circle = _found(
                await tx.fetchone("SELECT capacity FROM circles WHERE id = ?", (circle_id,))
            )
            if await self._count(tx, circle_id) >= circle["capacity"]:
                await self._insert_waiting(tx, circle_id, member_id, at)
                return JoinResult.WAITLISTED
            await self._insert_member(tx, circle_id, member_id, at)
            return JoinResult.JOINED

    async def leave(self, circle_id: int, member_id: str, at: datetime) -> Departure:
        """Leave a circle (or its waitlist, or withdraw a request). A freed place goes to the
        first person waiting; a facilitator who leaves comes off the rota."""
        async with self._db.transaction() as tx:
            was_member = bool(
                await tx.execute_count(
                    "DELETE FROM circle_members WHERE circle_id = ? AND member_id = ?",
                    (circle_id, member_id),
                )
            )
            was_waiting = bool(
                await tx.execute_count(
                    "DELETE FROM circle_waitlist WHERE circle_id = ? AND member_id = ?",
                    (circle_id, member_id),
                )
            )
            was_requesting = bool(
                await tx.execute_count(
                    "DELETE FROM circle_requests WHERE circle_id = ? AND member_id = ?",
                    (circle_id, member_id),
                )
            )
            promoted = None
            holder_changed, new_holder = False, None
            if was_member:
                holder_changed, new_holder = await self._drop_from_rota(tx, circle_id, member_id)
                promoted = await self._promote(tx, circle_id, at)
        return Departure(
            was_member, was_waiting, was_requesting, promoted, new_holder, holder_changed
        )

    async def set_preference(
        self, circle_id: int, member_id: str, preference: Preference | None
    ) -> bool:
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "UPDATE circle_members SET preference = ? WHERE circle_id = ? AND member_id = ?",
                    (preference.value if preference else None, circle_id, member_id),
                )
            )

    async def set_capacity(self, circle_id: int, capacity: int, at: datetime) -> list[str]:
        """Change the capacity; when it grows, people waiting take the new places. Returns them."""
        promoted: list[str] = []
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE circles SET capacity = ? WHERE id = ?", (capacity, circle_id))
            while (member := await self._promote(tx, circle_id, at)) is not None:
                promoted.append(member)
        return promoted

    async def memberships_of(self, member: MemberRef) -> list[tuple[Circle, Membership]]:
        query = """
            SELECT c.*, m.circle_id, m.member_id, m.joined_at, m.preference
            FROM circle_members m JOIN circles c ON c.id = m.circle_id
            WHERE m.platform = ? AND m.member_id = ?
            ORDER BY c.name_key
        """
        rows = await self._db.fetchall(query, (member.platform.value, member.id))
        return [(circle_from(r), membership_from(r)) for r in rows]

    async def waiting_and_requests_of(self, member: MemberRef) -> tuple[list[str], list[str]]:
        """The names of the circles where this person waits for a place, and asked to join."""
        found: list[list[str]] = []
        for table in ("circle_waitlist", "circle_requests"):
            rows = await self._db.fetchall(
                f"SELECT c.name FROM {table} t JOIN circles c ON c.id = t.circle_id "  # noqa: S608 - fixed names
                "WHERE t.platform = ? AND t.member_id = ? ORDER BY c.name_key",
                (member.platform.value, member.id),
            )
            found.append([r["name"] for r in rows])
        return found[0], found[1]

    async def circle_ids_touching(self, member: MemberRef) -> list[int]:
        """Every circle where this person is a member, waiting, requesting or on the rota."""
        query = """
            SELECT circle_id FROM circle_members WHERE platform = ? AND member_id = ?
            UNION SELECT circle_id FROM circle_waitlist WHERE platform = ? AND member_id = ?
            UNION SELECT circle_id FROM circle_requests WHERE platform = ? AND member_id = ?
            UNION SELECT circle_id FROM circle_facilitators WHERE platform = ? AND member_id = ?
            ORDER BY circle_id
        """
        rows = await self._db.fetchall(query, (member.platform.value, member.id) * 4)
        return [r["circle_id"] for r in rows]

    async def forget_authorship(self, member: MemberRef) -> None:
        """Whoever started a circle is forgotten when they ask (the circle stays)."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    # --- the rota ----------------------------------------------------------------------------

    async def rota(self, circle_id: int) -> list[str]:
        rows = await self._db.fetchall(
            "SELECT member_id FROM circle_facilitators WHERE circle_id = ? ORDER BY position",
            (circle_id,),
        )
        return [r["member_id"] for r in rows]

    async def is_facilitator(self, circle_id: int, member_id: str) -> bool:
        row = await self._db.fetchone(
            "SELECT 1 FROM circle_facilitators WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        return row is not None

    async def facilitates_any(self, space: SpaceRef, member_id: str) -> bool:
        query = """
            SELECT 1 FROM circle_facilitators f JOIN circles c ON c.id = f.circle_id
            WHERE c.platform = ? AND c.space_id = ? AND f.member_id = ? LIMIT 1
        """
        return (
            await self._db.fetchone(query, (space.platform.value, space.id, member_id)) is not None
        )

    async def add_to_rota(self, circle_id: int, member_id: str) -> bool:
        """Add a member to the end of the rota; False if they were already on it."""
        async with self._db.transaction() as tx:
            if await tx.fetchone(
                "SELECT 1 FROM circle_facilitators WHERE circle_id = ? AND member_id = ?",
                (circle_id, member_id),
            ):
                return False
            await tx.execute(
                "INSERT INTO circle_facilitators (circle_id, platform, member_id, position) "
                "VALUES (?, (SELECT platform FROM circles WHERE id = ?), ?, "
                "(SELECT COALESCE(MAX(position), -1) + 1 FROM circle_facilitators WHERE circle_id = ?))",
                (circle_id, circle_id, member_id, circle_id),
            )
            await tx.execute(
                "UPDATE circles SET holder_id = COALESCE(holder_id, ?) WHERE id = ?",
                (member_id, circle_id),
            )
            return True

    async def remove_from_rota(self, circle_id: int, member_id: str) -> tuple[bool, str | None]:
        """Take someone off the rota. Returns (holder changed, holder now)."""
        async with self._db.transaction() as tx:
            return await self._drop_from_rota(tx, circle_id, member_id)

    async def set_holder(self, circle_id: int, holder: str | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE circles SET holder_id = ? WHERE id = ?", (holder, circle_id))

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    async def _at_place(tx: Transaction, room: RoomRef, thread: ThreadRef | None) -> Circle | None:
        row = await tx.fetchone(
            "SELECT * FROM circles WHERE platform = ? AND room_id = ? AND COALESCE(thread_id, '') = ?",
            (room.platform.value, room.id, thread.id if thread else ""),
        )
        return circle_from(row) if row else None

    @staticmethod
    async def _is_member(tx: Transaction, circle_id: int, member_id: str) -> bool:
        row = await tx.fetchone(
            "SELECT 1 FROM circle_members WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        return row is not None

    @staticmethod
    async def _count(tx: Transaction, circle_id: int) -> int:
        row = await tx.fetchone(
            "SELECT COUNT(*) FROM circle_members WHERE circle_id = ?", (circle_id,)
        )
        return int(row[0]) if row else 0

    @staticmethod
    async def _insert_member(tx: Transaction, circle_id: int, member_id: str, at: datetime) -> None:
        await tx.execute(
            "INSERT INTO circle_members (circle_id, platform, member_id, joined_at, seq) VALUES "
            "(?, (SELECT platform FROM circles WHERE id = ?), ?, ?, "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM circle_members WHERE circle_id = ?))",
            (circle_id, circle_id, member_id, to_iso(at), circle_id),
        )

    @staticmethod
    async def _insert_waiting(
        tx: Transaction, circle_id: int, member_id: str, at: datetime
    ) -> None:
        await tx.execute(
            "INSERT INTO circle_waitlist (circle_id, platform, member_id, added_at, seq) VALUES "
            "(?, (SELECT platform FROM circles WHERE id = ?), ?, ?, "
            "(SELECT COALESCE(MAX(seq), 0) + 1 FROM circle_waitlist WHERE circle_id = ?))",
            (circle_id, circle_id, member_id, to_iso(at), circle_id),
        )

    async def _promote(self, tx: Transaction, circle_id: int, at: datetime) -> str | None:
        """Give a free place to the first person waiting, if there is both."""
        circle = await tx.fetchone("SELECT capacity FROM circles WHERE id = ?", (circle_id,))
        if circle is None or await self._count(tx, circle_id) >= circle["capacity"]:
            return None
        first = await tx.fetchone(
            "SELECT member_id FROM circle_waitlist WHERE circle_id = ? ORDER BY seq LIMIT 1",
            (circle_id,),
        )
        if first is None:
            return None
        member_id: str = first["member_id"]
        await tx.execute(
            "DELETE FROM circle_waitlist WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        await self._insert_member(tx, circle_id, member_id, at)
        return member_id

    @staticmethod
    async def _drop_from_rota(
        tx: Transaction, circle_id: int, member_id: str
    ) -> tuple[bool, str | None]:
        rows = await tx.fetchall(
            "SELECT member_id FROM circle_facilitators WHERE circle_id = ? ORDER BY position",
            (circle_id,),
        )
        rota = [r["member_id"] for r in rows]
        circle = await tx.fetchone("SELECT holder_id FROM circles WHERE id = ?", (circle_id,))
        holder = circle["holder_id"] if circle else None
        if member_id not in rota:
            return False, holder
        await tx.execute(
            "DELETE FROM circle_facilitators WHERE circle_id = ? AND member_id = ?",
            (circle_id, member_id),
        )
        new_holder = holder_after_removal(rota, holder, member_id)
        await tx.execute("UPDATE circles SET holder_id = ? WHERE id = ?", (new_holder, circle_id))
        return new_holder != holder, new_holder

    # --- the dashboard's overview ---------------------------------------------------------

    async def overview(self, circle_ids: Sequence[int]) -> dict[int, CircleCounts]:
        """Members, waiting and asking counts and the rota of many circles, in four queries
        (the dashboard's circles page shows a thousand at once)."""
        out = {cid: CircleCounts() for cid in circle_ids}
        if not circle_ids:
            return out
        marks = ", ".join("?" for _ in circle_ids)
        async with self._db.transaction() as tx:
            for table, slot in (
                ("circle_members", "members"),
                ("circle_waitlist", "waiting"),
                ("circle_requests", "asking"),
            ):
                rows = await tx.fetchall(
                    f"SELECT circle_id, COUNT(*) AS n FROM {table} "  # noqa: S608 - fixed names
                    f"WHERE circle_id IN ({marks}) GROUP BY circle_id",
                    tuple(circle_ids),
                )
                for row in rows:
                    setattr(out[row["circle_id"]], slot, row["n"])
            rows = await tx.fetchall(
                f"SELECT circle_id, member_id FROM circle_facilitators "  # noqa: S608 - placeholders
                f"WHERE circle_id IN ({marks}) ORDER BY circle_id, position",
                tuple(circle_ids),
            )
        for row in rows:
            out[row["circle_id"]].rota.append(row["member_id"])
        return out


def _found(row: Row | None) -> Row:
    """A row that must exist inside this transaction (its circle was checked by the router)."""
    if row is None:
        raise LookupError("the circle disappeared during the change")
    return row
