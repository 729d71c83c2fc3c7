"""All the SQL for reflection prompts: schedules, the posting log and suggestions.

Each public method is one unit of work in one transaction. Claiming a run is the important
one: the posting-log row (unique per schedule and fire time) is inserted in the same
``BEGIN IMMEDIATE`` transaction that moves the schedule on, so of two instances on one
database exactly one wins, and a crash can lose a post but never double it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.chat import MemberRef, Platform, RoomRef, SpaceRef, ThreadRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row, Transaction
from cogs.circles import Forget, Personal, forget_in
from cogs.reflections.decks import PromptFilter
from cogs.reflections.model import Draw, Kind, Outcome, Schedule, Suggestion, Timer, Unconfirmed

# What names a person: a suggestion still waiting goes with them; approved prompts and
# schedules stay with the circle, without the name.
PERSONAL = (
    Personal("reflection_suggestions", "member_id", Forget.DELETE_ROW, where="status = 'pending'"),
    Personal("reflection_suggestions", "member_id", Forget.CLEAR),
    Personal("reflection_suggestions", "decided_by", Forget.CLEAR),
    Personal("reflection_schedules", "created_by", Forget.CLEAR),
)


def schedule_from(row: Row) -> Schedule:
    room = RoomRef(Platform(row["platform"]), row["space_id"], row["room_id"])
    return Schedule(
        id=row["id"],
        circle_id=row["circle_id"],
        kind=Kind(row["kind"]),
        form=row["form"],
        rule=row["rule"],
        time_zone=row["time_zone"],
        deck_id=row["deck_id"],
        theme=row["theme"],
        tag=row["tag"],
        without=tuple(row["without_tags"].split()) if row["without_tags"] else (),
        remind=timedelta(seconds=row["remind_seconds"])
        if row["remind_seconds"] is not None
        else None,
        next_due=from_iso(row["next_due"]) if row["next_due"] else None,
        paused_until=date.fromisoformat(row["paused_until"]) if row["paused_until"] else None,
        created_by=row["created_by"],
        created_at=from_iso(row["created_at"]),
        circle_name=row["circle_name"],
        circle_zone=row["circle_zone"],
        room=room,
        thread=ThreadRef(room, row["thread_id"]) if row["thread_id"] else None,
        archived=row["archived_at"] is not None,
        round_open=bool(row["round_open"]),
    )


def suggestion_from(row: Row) -> Suggestion:
    return Suggestion(
        id=row["id"],
        circle_id=row["circle_id"],
        member_id=row["member_id"],
        text=row["text"],
        title=row["title"],
        theme=row["theme"],
        approved=row["status"] == "approved",
        suggested_at=from_iso(row["suggested_at"]),
    )


_SCHEDULE = """
    SELECT s.*, c.name AS circle_name, c.time_zone AS circle_zone, c.platform, c.space_id,
           c.room_id, c.thread_id, c.archived_at,
           EXISTS (SELECT 1 FROM rounds r WHERE r.circle_id = c.id AND r.closed_at IS NULL) AS round_open
    FROM reflection_schedules s JOIN circles c ON c.id = s.circle_id
"""


class _Stale(Exception):
    """The schedule moved on (or went) while we were deciding; undo the claim."""


class ReflectionsRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- schedules ---------------------------------------------------------------------------

    async def add_schedule(
        self,
        *,
        circle_id: int,
        kind: Kind,
        form: str,
        rule: str,
        time_zone: str | None,
        deck_id: str | None,
        theme: str | None,
        remind: timedelta | None,
        next_due: datetime,
        created_by: str,
        at: datetime,
        tag: str | None = None,
        without: tuple[str, ...] = (),
    ) -> tuple[int, int | None]:
        """Add a schedule; a meeting or rota schedule replaces the circle's previous one.
        Returns (new id, replaced id)."""
        query = """
            INSERT INTO reflection_schedules (circle_id, kind, form, rule, time_zone, deck_id, theme,
                                              tag, without_tags, remind_seconds, next_due,
                                              created_by, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
        """
        async with self._db.transaction() as tx:
            replaced = None
            if kind is not Kind.PROMPT:
                row = await tx.fetchone(
                    "SELECT id FROM reflection_schedules WHERE circle_id = ? AND kind = ?",
                    (circle_id, kind.value),
                )
                if row is not None:
                    replaced = int(row["id"])
                    await tx.execute("DELETE FROM reflection_schedules WHERE id = ?", (replaced,))
            new_id = await tx.fetchval(
                query,
                (
                    circle_id,
                    kind.value,
                    form,
                    rule,
                    time_zone,
                    deck_id,
                    theme,
                    tag,
                    " ".join(without) or None,
                    int(remind.total_seconds()) if remind is not None else None,
                    to_iso(next_due),
                    created_by,
                    to_iso(at),
                ),
            )
        return new_id, replaced

    async def edit_schedule(
        self,
        schedule_id: int,
        *,
        expected: datetime | None,
        form: str,
        rule: str,
        time_zone: str | None,
        deck_id: str | None,
        choosing: PromptFilter,
        next_due: datetime | None,
    ) -> bool:
        """Change a schedule in place (it keeps its number and its history). False if it moved
        on or went meanwhile."""
        query = """
            UPDATE reflection_schedules
            SET form = ?, rule = ?, time_zone = ?, deck_id = ?, theme = ?, tag = ?, without_tags = ?,
                next_due = ?
            WHERE id = ? AND next_due IS NOT DISTINCT FROM ?
        """
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    query,
                    (
                        form,
                        rule,
                        time_zone,
                        deck_id,
                        choosing.theme,
                        choosing.tag,
                        " ".join(choosing.without) or None,
                        to_iso(next_due) if next_due else None,
                        schedule_id,
                        to_iso(expected) if expected else None,
                    ),
                )
            )

    async def unskip(
        self, schedule_id: int, *, expected: datetime | None, now: datetime
    ) -> datetime | None:
        """Take back the latest skip whose time is still to come: its run row goes, and the
        schedule's next run is that time again. None when there is no such skip (or the
        schedule moved on meanwhile)."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT id, fire_time FROM reflection_runs WHERE schedule_id = ? AND outcome = 'skipped' "
                "AND fire_time > ? ORDER BY fire_time DESC LIMIT 1",
                (schedule_id, to_iso(now)),
            )
            if row is None:
                return None
            skipped = from_iso(row["fire_time"])
            if expected is not None and skipped >= expected:
                return None
            if not await self._move(tx, schedule_id, expected, skipped):
                return None
            await tx.execute("DELETE FROM reflection_runs WHERE id = ?", (row["id"],))
        return skipped

    async def schedule(self, schedule_id: int) -> Schedule | None:
        row = await self._db.fetchone(_SCHEDULE + " WHERE s.id = ?", (schedule_id,))
        return schedule_from(row) if row else None

    async def schedules_of(self, circle_id: int) -> list[Schedule]:
        rows = await self._db.fetchall(
            _SCHEDULE + " WHERE s.circle_id = ? ORDER BY s.id", (circle_id,)
        )
        return [schedule_from(r) for r in rows]

    async def next_due_in(
        self, circle_ids: Sequence[int]
    ) -> list[tuple[int, Kind, datetime, str | None]]:
        """(circle, kind, next time, the schedule's own zone) of every schedule with a time
        coming, for many circles in one light query (the dashboard's circles page)."""
        if not circle_ids:
            return []
        marks = ", ".join("?" for _ in circle_ids)
        rows = await self._db.fetchall(
            "SELECT circle_id, kind, next_due, time_zone FROM reflection_schedules "  # noqa: S608 - placeholders
            f"WHERE circle_id IN ({marks}) AND next_due IS NOT NULL",
            tuple(circle_ids),
        )
        return [
            (r["circle_id"], Kind(r["kind"]), from_iso(r["next_due"]), r["time_zone"]) for r in rows
        ]

    async def of_kind(self, circle_id: int, kind: Kind) -> Schedule | None:
        row = await self._db.fetchone(
            _SCHEDULE + " WHERE s.circle_id = ? AND s.kind = ? ORDER BY s.id LIMIT 1",
            (circle_id, kind.value),
        )
        return schedule_from(row) if row else None

    async def timers(self) -> list[Timer]:
        rows = await self._db.fetchall(
            "SELECT s.id, s.kind, s.next_due, s.remind_seconds, c.platform, c.space_id"
            " FROM reflection_schedules s JOIN circles c ON c.id = s.circle_id"
            " WHERE s.next_due IS NOT NULL"
        )
        return [
            Timer(
                r["id"],
                Kind(r["kind"]),
                from_iso(r["next_due"]),
                timedelta(seconds=r["remind_seconds"]) if r["remind_seconds"] is not None else None,
                SpaceRef(Platform(r["platform"]), r["space_id"]),
            )
            for r in rows
        ]

    async def remove_schedule(self, schedule_id: int) -> bool:
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "DELETE FROM reflection_schedules WHERE id = ?", (schedule_id,)
                )
            )

    async def move_on(
        self, schedule_id: int, expected: datetime | None, next_due: datetime | None
    ) -> bool:
        """Set the next run, if nobody moved it meanwhile."""
        async with self._db.transaction() as tx:
            return await self._move(tx, schedule_id, expected, next_due)

    async def pause(self, schedule_id: int, until: date, next_due: datetime | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE reflection_schedules SET paused_until = ?, next_due = ? WHERE id = ?",
                (until.isoformat(), to_iso(next_due) if next_due else None, schedule_id),
            )

    async def resume(self, schedule_id: int, next_due: datetime | None) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE reflection_schedules SET paused_until = NULL, next_due = ? WHERE id = ?",
                (to_iso(next_due) if next_due else None, schedule_id),
            )

    # --- the posting log -----------------------------------------------------------------------

    async def claim(
        self,
        schedule: Schedule,
        *,
        expected: datetime,
        fire: datetime,
        next_due: datetime | None,
        at: datetime,
        outcome: Outcome = Outcome.CLAIMED,
        draw: Draw | None = None,
    ) -> tuple[int, str | None] | None:
        """Claim the run at ``fire`` and move the schedule on to ``next_due``, together.

        None when the run was already claimed (another instance, or a skip) or the schedule
        moved on meanwhile. Otherwise (run id, the prompt ``draw`` chose).
        """
        insert = """
            INSERT INTO reflection_runs (circle_id, schedule_id, kind, fire_time, outcome, deck_id,
                                         prompt_id, claimed_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (schedule_id, fire_time) DO NOTHING
            RETURNING id
        """
        try:
            async with self._db.transaction() as tx:
                # Processes that both find the run due take turns; the second finds it taken.
                await tx.claim("reflection_schedule", schedule.id)
                prompt_id = None
                if draw is not None and schedule.deck_id is not None:
                    prompt_id = draw(await self._uses(tx, schedule.circle_id, schedule.deck_id))
                inserted = await tx.fetchone(
                    insert,
                    (
                        schedule.circle_id,
                        schedule.id,
                        schedule.kind.value,
                        to_iso(fire),
                        outcome.value,
                        schedule.deck_id,
                        prompt_id,
                        to_iso(at),
                    ),
                )
                if inserted is None:
                    raise _Stale()  # the unique key: this run is someone else's already
                if not await self._move(tx, schedule.id, expected, next_due):
                    raise _Stale()
        except _Stale:
            return None
        return int(inserted["id"]), prompt_id

    async def claim_now(
        self, circle_id: int, deck_id: str, draw: Draw, at: datetime
    ) -> tuple[int, str | None]:
        """A prompt posted on request (``prompt now``): logged, and counted in the bag."""
        async with self._db.transaction() as tx:
            prompt_id = draw(await self._uses(tx, circle_id, deck_id))
            run_id = await tx.fetchval(
                "INSERT INTO reflection_runs (circle_id, kind, outcome, deck_id, prompt_id, claimed_at) "
                "VALUES (?, 'prompt', 'claimed', ?, ?, ?) RETURNING id",
                (circle_id, deck_id, prompt_id, to_iso(at)),
            )
        return run_id, prompt_id

    async def record(
        self,
        run_id: int,
        outcome: Outcome,
        at: datetime,
        thread: ThreadRef | None = None,
        message_id: str | None = None,
    ) -> None:
        await self._db.execute(
            "UPDATE reflection_runs SET outcome = ?, posted_at = ?, thread_id = ?, message_id = ? WHERE id = ?",
            (outcome.value, to_iso(at), thread.id if thread else None, message_id, run_id),
        )

    async def uses(self, circle_id: int, deck_id: str) -> dict[str, int]:
        async with self._db.transaction() as tx:
            return await self._uses(tx, circle_id, deck_id)

    async def unconfirmed(self, before: datetime) -> list[Unconfirmed]:
        """Runs claimed before ``before`` and never confirmed (the process stopped mid-post)."""
        rows = await self._db.fetchall(
            "SELECT id, circle_id, schedule_id, kind, fire_time FROM reflection_runs "
            "WHERE outcome = 'claimed' AND claimed_at < ? ORDER BY id",
            (to_iso(before),),
        )
        return [
            Unconfirmed(
                r["id"],
                r["circle_id"],
                r["schedule_id"],
                Kind(r["kind"]),
                from_iso(r["fire_time"]) if r["fire_time"] else None,
            )
            for r in rows
        ]

    async def mark_unconfirmed(self, run_ids: list[int]) -> None:
        async with self._db.transaction() as tx:
            await tx.executemany(
                "UPDATE reflection_runs SET outcome = 'failed' WHERE id = ? AND outcome = 'claimed'",
                [(r,) for r in run_ids],
            )

    async def runs(self, schedule_id: int) -> list[tuple[datetime | None, Outcome, str | None]]:
        """(fire time, outcome, prompt) for a schedule's runs, oldest first."""
        rows = await self._db.fetchall(
            "SELECT fire_time, outcome, prompt_id FROM reflection_runs WHERE schedule_id = ? ORDER BY id",
            (schedule_id,),
        )
        return [
            (
                from_iso(r["fire_time"]) if r["fire_time"] else None,
                Outcome(r["outcome"]),
                r["prompt_id"],
            )
            for r in rows
        ]

    # --- suggestions ---------------------------------------------------------------------------

    async def suggest(
        self, circle_id: int, member_id: str, text: str, key: str, at: datetime
    ) -> int | None:
        """Store a suggestion; None if the circle already has the same one."""
        async with self._db.transaction() as tx:
            if await tx.fetchone(
                "SELECT 1 FROM reflection_suggestions WHERE circle_id = ? AND text_key = ?",
                (circle_id, key),
            ):
                return None
            new_id: int = await tx.fetchval(
                "INSERT INTO reflection_suggestions (circle_id, member_id, text, text_key, suggested_at) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (circle_id, member_id, text, key, to_iso(at)),
            )
            return new_id

    async def suggestion(self, suggestion_id: int) -> Suggestion | None:
        row = await self._db.fetchone(
            "SELECT * FROM reflection_suggestions WHERE id = ?", (suggestion_id,)
        )
        return suggestion_from(row) if row else None

    async def pending(self, circle_id: int) -> list[Suggestion]:
        rows = await self._db.fetchall(
            "SELECT * FROM reflection_suggestions WHERE circle_id = ? AND status = 'pending' ORDER BY id",
            (circle_id,),
        )
        return [suggestion_from(r) for r in rows]

    async def approved(self, circle_id: int) -> list[Suggestion]:
        rows = await self._db.fetchall(
            "SELECT * FROM reflection_suggestions WHERE circle_id = ? AND status = 'approved' ORDER BY id",
            (circle_id,),
        )
        return [suggestion_from(r) for r in rows]

    async def approve(
        self, suggestion_id: int, title: str | None, theme: str | None, by: str, at: datetime
    ) -> bool:
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "UPDATE reflection_suggestions SET status = 'approved', title = ?, theme = ?, "
                    "decided_by = ?, decided_at = ? WHERE id = ? AND status = 'pending'",
                    (title, theme, by, to_iso(at), suggestion_id),
                )
            )

    async def retitle(self, suggestion_id: int, title: str | None) -> bool:
        """Give an approved prompt of the circle's own deck a new title (or none)."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "UPDATE reflection_suggestions SET title = ? WHERE id = ? AND status = 'approved'",
                    (title, suggestion_id),
                )
            )

    async def remove_approved(self, suggestion_id: int) -> bool:
        """Take an approved prompt out of the circle's own deck; its words are deleted."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "DELETE FROM reflection_suggestions WHERE id = ? AND status = 'approved'",
                    (suggestion_id,),
                )
            )

    async def decline(self, suggestion_id: int) -> bool:
        """A declined suggestion is deleted: its words were only kept for the decision."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "DELETE FROM reflection_suggestions WHERE id = ? AND status = 'pending'",
                    (suggestion_id,),
                )
            )

    # --- data care ---------------------------------------------------------------------------

    async def suggestions_of(
        self, platform: Platform, member_id: str
    ) -> list[tuple[str, Suggestion]]:
        rows = await self._db.fetchall(
            "SELECT s.*, c.name AS circle_name FROM reflection_suggestions s JOIN circles c ON c.id = s.circle_id "
            "WHERE c.platform = ? AND s.member_id = ? ORDER BY s.id",
            (platform.value, member_id),
        )
        return [(r["circle_name"], suggestion_from(r)) for r in rows]

    async def schedules_by(self, platform: Platform, member_id: str) -> list[Schedule]:
        rows = await self._db.fetchall(
            _SCHEDULE + " WHERE c.platform = ? AND s.created_by = ? ORDER BY s.id",
            (platform.value, member_id),
        )
        return [schedule_from(r) for r in rows]

    async def forget(self, member: MemberRef) -> None:
        """Pending suggestions go; approved ones stay in the deck without a name; names come off
        schedules and decisions."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    # --- internals -----------------------------------------------------------------------------

    @staticmethod
    async def _uses(tx: Transaction, circle_id: int, deck_id: str) -> dict[str, int]:
        rows = await tx.fetchall(
            "SELECT prompt_id, COUNT(*) AS n FROM reflection_runs WHERE circle_id = ? AND deck_id = ? "
            "AND prompt_id IS NOT NULL AND outcome IN ('claimed', 'posted') GROUP BY prompt_id",
            (circle_id, deck_id),
        )
        return {r["prompt_id"]: r["n"] for r in rows}

    @staticmethod
    async def _move(
        tx: Transaction, schedule_id: int, expected: datetime | None, next_due: datetime | None
    ) -> bool:
        return bool(
            await tx.execute_count(
                "UPDATE reflection_schedules SET next_due = ? WHERE id = ? "
                "AND next_due IS NOT DISTINCT FROM ?",
                (
                    to_iso(next_due) if next_due else None,
                    schedule_id,
                    to_iso(expected) if expected else None,
                ),
            )
        )
