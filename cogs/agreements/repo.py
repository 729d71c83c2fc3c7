"""All the SQL for agreements: settings, proposals, the reactions that are votes, the registry.

Each public method is one unit of work in one transaction. A vote change is one small
transaction (the membership check rides along in the same statement), so a storm of
reactions stays cheap; claims that must happen at most once (a reminder, closing, opening a
review) are a guarded UPDATE in the same transaction as the work they guard.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.chat import MemberRef, MessageRef, Platform, RoomRef, ThreadRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row, Transaction
from cogs.agreements.ballots import Choice, Held, Process, count, reconcile, votes
from cogs.agreements.closing import Result, Rules, Tally, decide
from cogs.circles import Forget, Personal, forget_in

# Votes and notes find their circle through their proposal.
_BY_PROPOSAL = "(SELECT p.circle_id FROM agreement_proposals p WHERE p.id = {table}.proposal_id)"
# What names a person, and what forgetting them does: votes and notes go; the group's words
# stay, without the name.
PERSONAL = (
    Personal("agreement_reactions", "member_id", Forget.DELETE_ROW, circle=_BY_PROPOSAL),
    Personal("agreement_notes", "member_id", Forget.DELETE_ROW, circle=_BY_PROPOSAL),
    Personal("agreement_proposals", "proposed_by", Forget.CLEAR),
    Personal("agreements", "proposed_by", Forget.CLEAR),
)


class Kind(enum.StrEnum):
    ADOPT = "adopt"  # a new agreement
    REVIEW = "review"  # keep an agreement as it is, at its review
    REVISE = "revise"  # a new wording for an agreement (an amended review)
    RETIRE = "retire"  # let an agreement go


class NoteKind(enum.StrEnum):
    OUTSIDER = "outsider"
    CLOSED = "closed"
    OBJECTION = "objection"


class VoteStatus(enum.Enum):
    COUNTED = "counted"
    UNCHANGED = "unchanged"  # a reaction the member already held, or one they never had
    NOT_MEMBER = "not_member"
    CLOSED = "closed"
    STALE = "stale"  # on a version that has been replaced, or a proposal not yet posted


@dataclass(frozen=True, slots=True)
class VoteChange:
    status: VoteStatus
    everyone_voted: bool = False


@dataclass(frozen=True, slots=True)
class CircleSettings:
    """What a circle decides with (its own choice, or the defaults)."""

    process: Process
    quorum_percent: int
    threshold_percent: int
    reminder: timedelta
    review: timedelta

    @property
    def rules(self) -> Rules:
        return Rules(self.process, self.quorum_percent, self.threshold_percent)


@dataclass(frozen=True, slots=True)
class Settings:
    """A circle's row: None where it follows the defaults; and where its registry is."""

    circle_id: int
    process: Process | None = None
    quorum_percent: int | None = None
    threshold_percent: int | None = None
    reminder_seconds: int | None = None
    review_days: int | None = None
    registry_room_id: str | None = None
    registry_thread_id: str | None = None
    registry_message_id: str | None = None

    def effective(self, defaults: CircleSettings) -> CircleSettings:
        return CircleSettings(
            process=self.process or defaults.process,
            quorum_percent=self.quorum_percent or defaults.quorum_percent,
            threshold_percent=self.threshold_percent or defaults.threshold_percent,
            reminder=timedelta(seconds=self.reminder_seconds)
            if self.reminder_seconds
            else defaults.reminder,
            review=timedelta(days=self.review_days) if self.review_days else defaults.review,
        )

    def registry(self, room: RoomRef) -> MessageRef | None:
        if self.registry_message_id is None:
            return None
        where = RoomRef(room.platform, room.space_id, self.registry_room_id or room.id)
        thread = ThreadRef(where, self.registry_thread_id) if self.registry_thread_id else None
        return MessageRef(where, self.registry_message_id, thread)

    @classmethod
    def from_row(cls, row: Row) -> Settings:
        return cls(
            circle_id=row["circle_id"],
            process=Process(row["process"]) if row["process"] else None,
            quorum_percent=row["quorum_percent"],
            threshold_percent=row["threshold_percent"],
            reminder_seconds=row["reminder_seconds"],
            review_days=row["review_days"],
            registry_room_id=row["registry_room_id"],
            registry_thread_id=row["registry_thread_id"],
            registry_message_id=row["registry_message_id"],
        )


@dataclass(frozen=True, slots=True)
class Proposal:
    id: int
    circle_id: int
    kind: Kind
    agreement_id: int | None
    starter_id: str | None
    title: str | None
    text: str
    version: int
    proposed_by: str | None
    rules: Rules
    reminder: timedelta
    opened_at: datetime
    duration: timedelta
    closes_at: datetime
    remind_at: datetime
    reminded_version: int
    objection_noted_version: int
    room: RoomRef  # the circle's room
    thread: ThreadRef | None  # where it is talked over
    message: MessageRef | None  # the post people react to
    posted_version: int
    closed_at: datetime | None
    result: Result | None
    counts: Mapping[Choice, int]
    voters: int | None
    members: int | None

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def posted(self) -> bool:
        """The post people react to shows the current version."""
        return self.message is not None and self.posted_version == self.version

    @property
    def process(self) -> Process:
        return self.rules.process

    @classmethod
    def from_row(cls, row: Row) -> Proposal:
        room = RoomRef(Platform(row["platform"]), row["space_id"], row["room_id"])
        message: MessageRef | None = None
        if row["message_id"]:
            where = RoomRef(room.platform, room.space_id, row["message_room_id"] or room.id)
            in_thread = (
                ThreadRef(where, row["message_thread_id"]) if row["message_thread_id"] else None
            )
            message = MessageRef(where, row["message_id"], in_thread)
        counts = json.loads(row["counts"]) if row["counts"] else {}
        return cls(
            id=row["id"],
            circle_id=row["circle_id"],
            kind=Kind(row["kind"]),
            agreement_id=row["agreement_id"],
            starter_id=row["starter_id"],
            title=row["title"],
            text=row["text"],
            version=row["version"],
            proposed_by=row["proposed_by"],
            rules=Rules(Process(row["process"]), row["quorum_percent"], row["threshold_percent"]),
            reminder=timedelta(seconds=row["reminder_seconds"]),
            opened_at=from_iso(row["opened_at"]),
            duration=timedelta(seconds=row["duration_seconds"]),
            closes_at=from_iso(row["closes_at"]),
            remind_at=from_iso(row["remind_at"]),
            reminded_version=row["reminded_version"],
            objection_noted_version=row["objection_noted_version"],
            room=room,
            thread=ThreadRef(room, row["thread_id"]) if row["thread_id"] else None,
            message=message,
            posted_version=row["posted_version"],
            closed_at=from_iso(row["closed_at"]) if row["closed_at"] else None,
            result=Result(row["result"]) if row["result"] else None,
            counts={Choice(k): int(v) for k, v in counts.items()},
            voters=row["voters"],
            members=row["members"],
        )


@dataclass(frozen=True, slots=True)
class Agreement:
    id: int
    circle_id: int
    title: str | None
    text: str
    version: int
    starter_id: str | None
    proposed_by: str | None
    adopted_at: datetime
    changed_at: datetime
    decided_by: int
    reviewed_at: datetime | None
    review_at: datetime | None
    retired_at: datetime | None
    # the vote that made the current version
    process: Process
    counts: Mapping[Choice, int]
    voters: int
    members: int

    @property
    def active(self) -> bool:
        return self.retired_at is None

    @classmethod
    def from_row(cls, row: Row) -> Agreement:
        counts = json.loads(row["counts"]) if row["counts"] else {}
        return cls(
            id=row["id"],
            circle_id=row["circle_id"],
            title=row["title"],
            text=row["text"],
            version=row["version"],
            starter_id=row["starter_id"],
            proposed_by=row["proposed_by"],
            adopted_at=from_iso(row["adopted_at"]),
            changed_at=from_iso(row["changed_at"]),
            decided_by=row["decided_by"],
            reviewed_at=from_iso(row["reviewed_at"]) if row["reviewed_at"] else None,
            review_at=from_iso(row["review_at"]) if row["review_at"] else None,
            retired_at=from_iso(row["retired_at"]) if row["retired_at"] else None,
            process=Process(row["process"]),
            counts={Choice(k): int(v) for k, v in counts.items()},
            voters=row["voters"] or 0,
            members=row["members"] or 0,
        )


class Effect(enum.Enum):
    """What a closing did to the registry."""

    NONE = "none"
    ADOPTED = "adopted"
    NEW_VERSION = "new_version"
    KEPT = "kept"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Closing:
    proposal: Proposal
    tally: Tally
    result: Result
    effect: Effect
    agreement: Agreement | None  # the agreement concerned, as it is now


@dataclass(frozen=True, slots=True)
class NewProposal:
    """What opening a proposal needs; the rules come from the circle's settings."""

    circle_id: int
    kind: Kind
    text: str
    proposed_by: str | None
    settings: CircleSettings
    opened_at: datetime
    closes_at: datetime
    remind_at: datetime
    thread: ThreadRef | None  # a circle that lives in a thread holds its proposals there
    title: str | None = None
    agreement_id: int | None = None
    starter_id: str | None = None


class Refused(Exception):
    """A proposal that cannot be opened as asked; ``reason`` names why."""

    def __init__(self, reason: str, other: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.other = other


_PROPOSAL = """
    SELECT p.*, c.platform, c.space_id, c.room_id FROM agreement_proposals p
    JOIN circles c ON c.id = p.circle_id
"""
# Whether every member of proposal ?'s circle holds a reaction on it (and there is anyone):
# it stops at the first member without one, so it stays cheap in a storm of reactions.
_EVERYONE = """
    EXISTS (SELECT 1 FROM circle_members
            WHERE circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = :proposal))
    AND NOT EXISTS (
        SELECT 1 FROM circle_members m
        WHERE m.circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = :proposal)
          AND NOT EXISTS (SELECT 1 FROM agreement_reactions r
                          WHERE r.proposal_id = :proposal AND r.member_id = m.member_id))
    AS everyone
"""
_AGREEMENT = """
    SELECT a.*, p.process, p.counts, p.voters, p.members FROM agreements a
    JOIN agreement_proposals p ON p.id = a.decided_by
"""


class AgreementsRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- settings and the registry's post --------------------------------------------------

    async def settings(self, circle_id: int) -> Settings:
        row = await self._db.fetchone(
            "SELECT * FROM agreement_settings WHERE circle_id = ?", (circle_id,)
        )
        return Settings.from_row(row) if row else Settings(circle_id)

    async def save_settings(
        self,
        circle_id: int,
        *,
        process: Process | None,
        quorum_percent: int | None,
        threshold_percent: int | None,
        reminder_seconds: int | None,
        review_days: int | None,
    ) -> Settings:
        """Change the given settings (None leaves one as it is)."""
        query = """
            INSERT INTO agreement_settings (circle_id, process, quorum_percent, threshold_percent,
                                            reminder_seconds, review_days)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (circle_id) DO UPDATE SET
                process = COALESCE(excluded.process, process),
                quorum_percent = COALESCE(excluded.quorum_percent, quorum_percent),
                threshold_percent = COALESCE(excluded.threshold_percent, threshold_percent),
                reminder_seconds = COALESCE(excluded.reminder_seconds, reminder_seconds),
                review_days = COALESCE(excluded.review_days, review_days)
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                query,
                (
                    circle_id,
                    process.value if process else None,
                    quorum_percent,
                    threshold_percent,
                    reminder_seconds,
                    review_days,
                ),
            )
            row = await tx.fetchone(
                "SELECT * FROM agreement_settings WHERE circle_id = ?", (circle_id,)
            )
        if row is None:
            raise LookupError(f"the settings of circle {circle_id} disappeared during the change")
        return Settings.from_row(row)

    async def set_registry(self, circle_id: int, message: MessageRef) -> None:
        query = """
            INSERT INTO agreement_settings (circle_id, registry_room_id, registry_thread_id, registry_message_id)
            VALUES (?, ?, ?, ?)
            ON CONFLICT (circle_id) DO UPDATE SET registry_room_id = excluded.registry_room_id,
                registry_thread_id = excluded.registry_thread_id,
                registry_message_id = excluded.registry_message_id
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                query,
                (
                    circle_id,
                    message.room.id,
                    message.thread.id if message.thread else None,
                    message.id,
                ),
            )

    # --- proposals -------------------------------------------------------------------------

    async def open_proposal(self, new: NewProposal) -> Proposal:
        """Record a proposal (not yet posted). Raises ``Refused`` when it would repeat one.

        A starter already adopted or open in the circle, or a second open proposal about the
        same agreement, is refused.
        """
        settings = new.settings
        async with self._db.transaction() as tx:
            if new.starter_id is not None:
                row = await tx.fetchone(
                    "SELECT id FROM agreements WHERE circle_id = ? AND starter_id = ? AND retired_at IS NULL "
                    "UNION ALL SELECT id FROM agreement_proposals WHERE circle_id = ? AND starter_id = ? "
                    "AND closed_at IS NULL LIMIT 1",
                    (new.circle_id, new.starter_id, new.circle_id, new.starter_id),
                )
                if row is not None:
                    raise Refused("starter", row["id"])
            if new.agreement_id is not None:
                agreement = await tx.fetchone(
                    "SELECT retired_at FROM agreements WHERE id = ? AND circle_id = ?",
                    (new.agreement_id, new.circle_id),
                )
                if agreement is None or agreement["retired_at"] is not None:
                    raise Refused("no_agreement")
                row = await tx.fetchone(
                    "SELECT id FROM agreement_proposals WHERE agreement_id = ? AND closed_at IS NULL",
                    (new.agreement_id,),
                )
                if row is not None:
                    raise Refused("busy", row["id"])
                # A decision about it is under way; its review clock restarts when that closes.
                await tx.execute(
                    "UPDATE agreements SET review_at = NULL WHERE id = ?", (new.agreement_id,)
                )
            proposal_id = await tx.execute(
                """
                INSERT INTO agreement_proposals (circle_id, kind, agreement_id, starter_id, title, text,
                    proposed_by, process, quorum_percent, threshold_percent, reminder_seconds,
                    opened_at, duration_seconds, closes_at, remind_at, thread_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                (
                    new.circle_id,
                    new.kind.value,
                    new.agreement_id,
                    new.starter_id,
                    new.title,
                    new.text,
                    new.proposed_by,
                    settings.process.value,
                    settings.quorum_percent,
                    settings.threshold_percent,
                    int(settings.reminder.total_seconds()),
                    to_iso(new.opened_at),
                    int((new.closes_at - new.opened_at).total_seconds()),
                    to_iso(new.closes_at),
                    to_iso(new.remind_at),
                    new.thread.id if new.thread else None,
                ),
            )
            return await self._proposal(tx, proposal_id)

    async def place(
        self, proposal_id: int, version: int, thread: ThreadRef | None, message: MessageRef
    ) -> Proposal | None:
        """Record the post that shows ``version`` (and the thread it is talked over in)."""
        async with self._db.transaction() as tx:
            changed = await tx.execute_count(
                "UPDATE agreement_proposals SET thread_id = COALESCE(thread_id, ?), message_room_id = ?, "
                "message_thread_id = ?, message_id = ?, posted_version = ? "
                "WHERE id = ? AND version = ? AND closed_at IS NULL",
                (
                    thread.id if thread else None,
                    message.room.id,
                    message.thread.id if message.thread else None,
                    message.id,
                    version,
                    proposal_id,
                    version,
                ),
            )
            return await self._proposal(tx, proposal_id) if changed else None

    async def get(self, proposal_id: int) -> Proposal | None:
        row = await self._db.fetchone(_PROPOSAL + " WHERE p.id = ?", (proposal_id,))
        return Proposal.from_row(row) if row else None

    async def by_message(self, platform: Platform, message_id: str) -> Proposal | None:
        """The proposal whose current post this is (open or closed)."""
        row = await self._db.fetchone(
            _PROPOSAL + " WHERE p.message_id = ? AND c.platform = ?", (message_id, platform.value)
        )
        return Proposal.from_row(row) if row else None

    async def open_proposals(self) -> list[Proposal]:
        rows = await self._db.fetchall(_PROPOSAL + " WHERE p.closed_at IS NULL ORDER BY p.id")
        return [Proposal.from_row(r) for r in rows]

    async def open_in(self, circle_id: int) -> list[Proposal]:
        rows = await self._db.fetchall(
            _PROPOSAL + " WHERE p.circle_id = ? AND p.closed_at IS NULL ORDER BY p.id", (circle_id,)
        )
        return [Proposal.from_row(r) for r in rows]

    async def about(self, agreement_id: int) -> list[Proposal]:
        """The agreement's history: the proposal that made it and every one about it since."""
        rows = await self._db.fetchall(
            _PROPOSAL + " WHERE p.id = ? OR p.agreement_id = ? ORDER BY p.id",
            (agreement_id, agreement_id),
        )
        return [Proposal.from_row(r) for r in rows]

    async def amend(
        self,
        proposal_id: int,
        version: int,
        *,
        text: str,
        kind: Kind,
        by: str,
        closes_at: datetime,
        remind_at: datetime,
    ) -> tuple[Proposal, list[str]] | None:
        """A new version: votes start afresh and the clock restarts. Returns the proposal and
        who had voted on the version before; None if it closed or moved on meanwhile.

        An amended review becomes a proposal of a new wording (or of retiring the agreement),
        and whoever changes a proposal nobody owns (a review) becomes its proposer."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT DISTINCT member_id FROM agreement_reactions WHERE proposal_id = ? ORDER BY member_id",
                (proposal_id,),
            )
            changed = await tx.execute_count(
                """
                UPDATE agreement_proposals SET text = ?, kind = ?, version = version + 1,
                    proposed_by = COALESCE(proposed_by, ?), closes_at = ?, remind_at = ?
                WHERE id = ? AND version = ? AND closed_at IS NULL
                """,
                (text, kind.value, by, to_iso(closes_at), to_iso(remind_at), proposal_id, version),
            )
            if not changed:
                return None
            await tx.execute(
                "DELETE FROM agreement_reactions WHERE proposal_id = ?", (proposal_id,)
            )
            proposal = await self._proposal(tx, proposal_id)
        return proposal, [r["member_id"] for r in rows]

    # --- votes -----------------------------------------------------------------------------

    async def add_reaction(
        self, proposal_id: int, message_id: str, member_id: str, choice: Choice
    ) -> VoteChange:
        """A reaction on the proposal's post: counted if the person is a member, the proposal
        is open and the post shows its current version. One statement makes the membership
        check, the change, and says whether everyone has voted now (a RETURNING subquery sees
        the new row)."""
        insert = (
            """
            INSERT OR IGNORE INTO agreement_reactions (proposal_id, member_id, choice)
            SELECT p.id, :member, :choice FROM agreement_proposals p
            WHERE p.id = :proposal AND p.closed_at IS NULL AND p.message_id = :message
              AND p.posted_version = p.version
              AND EXISTS (SELECT 1 FROM circle_members m WHERE m.circle_id = p.circle_id AND m.member_id = :member)
            RETURNING """  # noqa: S608 - fixed text, no input
            + _EVERYONE
        )
        params = {
            "member": member_id,
            "choice": choice.value,
            "proposal": proposal_id,
            "message": message_id,
        }
        row = await self._db.write_returning(insert, params)  # one statement: its own transaction
        if row is not None:
            return VoteChange(VoteStatus.COUNTED, everyone_voted=bool(row["everyone"]))
        async with self._db.transaction() as tx:  # not counted: the rare path asks why
            return VoteChange(await self._why_not(tx, proposal_id, message_id, member_id))

    async def remove_reaction(
        self, proposal_id: int, message_id: str, member_id: str, choice: Choice
    ) -> VoteChange:
        """A reaction taken back. They may still hold another option, so everyone may still
        have voted; that comes back with the change."""
        delete = (
            """
            DELETE FROM agreement_reactions
            WHERE proposal_id = :proposal AND member_id = :member AND choice = :choice AND EXISTS (
                SELECT 1 FROM agreement_proposals p WHERE p.id = :proposal AND p.closed_at IS NULL
                AND p.message_id = :message AND p.posted_version = p.version)
            RETURNING """  # noqa: S608 - fixed text, no input
            + _EVERYONE
        )
        params = {
            "member": member_id,
            "choice": choice.value,
            "proposal": proposal_id,
            "message": message_id,
        }
        row = await self._db.write_returning(delete, params)  # one statement: its own transaction
        if row is not None:
            return VoteChange(VoteStatus.COUNTED, everyone_voted=bool(row["everyone"]))
        async with self._db.transaction() as tx:  # not counted: the rare path asks why
            return VoteChange(await self._why_not(tx, proposal_id, message_id, member_id))

    async def holdings(self, proposal_id: int) -> dict[str, Held]:
        async with self._db.transaction() as tx:
            return await self._holdings(tx, proposal_id)

    async def reconcile(
        self, proposal_id: int, version: int, observed: Mapping[str, Iterable[Choice]]
    ) -> bool:
        """Make the stored reactions match what the platform shows (``observed``, members
        only), keeping the order of those already known (see ``ballots.reconcile``). Returns
        whether anything changed."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT 1 FROM agreement_proposals WHERE id = ? AND version = ? AND closed_at IS NULL",
                (proposal_id, version),
            )
            if row is None:
                return False
            stored = await self._holdings(tx, proposal_id)
            wanted = reconcile(stored, observed)
            if wanted == stored:
                return False
            gone = [
                (proposal_id, member, choice.value)
                for member, held in stored.items()
                for choice in held
                if choice not in wanted.get(member, ())
            ]
            await tx.executemany(
                "DELETE FROM agreement_reactions WHERE proposal_id = ? AND member_id = ? AND choice = ?",
                gone,
            )
            for member, held in wanted.items():
                known = stored.get(member, ())
                for choice in held:
                    if choice not in known:  # new ones arrive after the known ones, in order
                        await tx.execute(
                            "INSERT INTO agreement_reactions (proposal_id, member_id, choice) VALUES (?, ?, ?)",
                            (proposal_id, member, choice.value),
                        )
        return True

    async def drop_member(self, circle_id: int, member_id: str) -> list[int]:
        """Someone left the circle: their reactions on its open proposals no longer count.
        Returns the open proposals that are left."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM agreement_reactions WHERE member_id = ? AND proposal_id IN "
                "(SELECT id FROM agreement_proposals WHERE circle_id = ? AND closed_at IS NULL)",
                (member_id, circle_id),
            )
            rows = await tx.fetchall(
                "SELECT id FROM agreement_proposals WHERE circle_id = ? AND closed_at IS NULL",
                (circle_id,),
            )
        return [r["id"] for r in rows]

    async def current_votes(self, proposal_id: int) -> tuple[dict[str, Choice], int]:
        """Each current member's vote on an open proposal, and how many members there are."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT member_id FROM circle_members WHERE circle_id = "
                "(SELECT circle_id FROM agreement_proposals WHERE id = ?)",
                (proposal_id,),
            )
            members = [r["member_id"] for r in rows]
            return votes(await self._holdings(tx, proposal_id), members), len(members)

    async def turnout(self, proposal_id: int) -> tuple[int, int]:
        """(members who voted, members) for an open proposal, counting current members only."""
        async with self._db.transaction() as tx:
            return await self._turnout(tx, proposal_id)

    # --- notes and reminders ---------------------------------------------------------------

    async def claim_note(self, proposal_id: int, member_id: str, kind: NoteKind) -> bool:
        """True the first time only: a note of this kind is due to this person."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "INSERT OR IGNORE INTO agreement_notes (proposal_id, member_id, kind) VALUES (?, ?, ?)",
                    (proposal_id, member_id, kind.value),
                )
            )

    async def claim_objection_note(self, proposal_id: int, version: int) -> bool:
        """True once per version: the thread hears that an objection opens a conversation."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "UPDATE agreement_proposals SET objection_noted_version = version "
                    "WHERE id = ? AND version = ? AND objection_noted_version < version AND closed_at IS NULL",
                    (proposal_id, version),
                )
            )

    async def claim_reminder(self, proposal_id: int, version: int) -> list[str] | None:
        """Claim this version's one reminder; return the members who haven't voted. None when it
        was claimed before (or the proposal closed or moved on)."""
        async with self._db.transaction() as tx:
            claimed = await tx.execute_count(
                "UPDATE agreement_proposals SET reminded_version = version "
                "WHERE id = ? AND version = ? AND reminded_version < version AND closed_at IS NULL",
                (proposal_id, version),
            )
            if not claimed:
                return None
            rows = await tx.fetchall(
                """
                SELECT m.member_id FROM circle_members m
                WHERE m.circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = ?)
                  AND NOT EXISTS (SELECT 1 FROM agreement_reactions r
                                  WHERE r.proposal_id = ? AND r.member_id = m.member_id)
                ORDER BY m.seq
                """,
                (proposal_id, proposal_id),
            )
        return [r["member_id"] for r in rows]

    # --- closing ---------------------------------------------------------------------------

    async def close(
        self,
        proposal_id: int,
        at: datetime,
        review: timedelta,
        *,
        takes_effect: datetime | None = None,
    ) -> Closing | None:
        """Count the votes of current members, decide, record the outcome and what it does to
        the registry, and forget who chose what. None if it was already closed.

        ``at`` is when it closed; ``takes_effect`` (``at`` if not given) is when the decision
        counts from: the adoption date and the next review (a late close counts from its
        closing time, not from the moment it was processed)."""
        async with self._db.transaction() as tx:
            proposal = await self._proposal(tx, proposal_id)
            if not proposal.is_open:
                return None
            rows = await tx.fetchall(
                "SELECT member_id FROM circle_members WHERE circle_id = ?", (proposal.circle_id,)
            )
            members = [r["member_id"] for r in rows]
            cast = votes(await self._holdings(tx, proposal_id), members)
            counts = count(proposal.process, cast)
            tally = Tally(counts, len(members))
            result = decide(tally, proposal.rules)
            await tx.execute(
                "UPDATE agreement_proposals SET closed_at = ?, result = ?, counts = ?, voters = ?, members = ? "
                "WHERE id = ?",
                (
                    to_iso(at),
                    result.value,
                    json.dumps({c.value: n for c, n in counts.items()}),
                    tally.voters,
                    tally.members,
                    proposal_id,
                ),
            )
            await tx.execute(
                "DELETE FROM agreement_reactions WHERE proposal_id = ?", (proposal_id,)
            )
            effect = await self._apply(tx, proposal, result, takes_effect or at, review)
            agreement_id = proposal.id if proposal.kind is Kind.ADOPT else proposal.agreement_id
            agreement = (
                await self._agreement(tx, agreement_id) if agreement_id is not None else None
            )
            closed = await self._proposal(tx, proposal_id)
        return Closing(closed, tally, result, effect, agreement)

    # --- the registry ----------------------------------------------------------------------

    async def agreements(self, circle_id: int, *, retired: bool = False) -> list[Agreement]:
        query = (
            _AGREEMENT + " WHERE a.circle_id = ?" + ("" if retired else " AND a.retired_at IS NULL")
        )
        rows = await self._db.fetchall(query + " ORDER BY a.id", (circle_id,))
        return [Agreement.from_row(r) for r in rows]

    async def agreement(self, agreement_id: int) -> Agreement | None:
        async with self._db.transaction() as tx:
            return await self._agreement(tx, agreement_id)

    async def reviews_to_arm(self) -> list[Agreement]:
        rows = await self._db.fetchall(
            _AGREEMENT + " WHERE a.retired_at IS NULL AND a.review_at IS NOT NULL ORDER BY a.id"
        )
        return [Agreement.from_row(r) for r in rows]

    async def postpone_review(self, agreement_id: int, when: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE agreements SET review_at = ? WHERE id = ? AND retired_at IS NULL",
                (to_iso(when), agreement_id),
            )

    # --- data care -------------------------------------------------------------------------

    async def open_votes_of(
        self, platform: Platform, member_id: str
    ) -> list[tuple[int, str, list[str]]]:
        """(proposal, circle name, options held) on open proposals."""
        rows = await self._db.fetchall(
            """
            SELECT r.proposal_id, c.name, r.choice FROM agreement_reactions r
            JOIN agreement_proposals p ON p.id = r.proposal_id JOIN circles c ON c.id = p.circle_id
            WHERE c.platform = ? AND r.member_id = ? ORDER BY r.proposal_id, r.id
            """,
            (platform.value, member_id),
        )
        out: dict[int, tuple[str, list[str]]] = {}
        for row in rows:
            out.setdefault(row["proposal_id"], (row["name"], []))[1].append(row["choice"])
        return [(pid, name, held) for pid, (name, held) in out.items()]

    async def written_by(self, platform: Platform, member_id: str) -> tuple[list[Row], list[Row]]:
        """The proposals this person wrote, and the agreements whose wording they proposed."""
        proposals = await self._db.fetchall(
            "SELECT p.id, p.kind, p.text, p.version, p.opened_at, p.closed_at, p.result, c.name AS circle "
            "FROM agreement_proposals p JOIN circles c ON c.id = p.circle_id "
            "WHERE c.platform = ? AND p.proposed_by = ? ORDER BY p.id",
            (platform.value, member_id),
        )
        agreements = await self._db.fetchall(
            "SELECT a.id, a.text, a.version, a.retired_at, c.name AS circle "
            "FROM agreements a JOIN circles c ON c.id = a.circle_id "
            "WHERE c.platform = ? AND a.proposed_by = ? ORDER BY a.id",
            (platform.value, member_id),
        )
        return proposals, agreements

    async def forget(self, member: MemberRef) -> None:
        """Erase someone's votes and notes; their proposals stay as the group's words, unnamed."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    async def _proposal(tx: Transaction, proposal_id: int) -> Proposal:
        row = await tx.fetchone(_PROPOSAL + " WHERE p.id = ?", (proposal_id,))
        if row is None:
            raise LookupError(f"proposal {proposal_id} disappeared during the change")
        return Proposal.from_row(row)

    @staticmethod
    async def _agreement(tx: Transaction, agreement_id: int) -> Agreement | None:
        row = await tx.fetchone(_AGREEMENT + " WHERE a.id = ?", (agreement_id,))
        return Agreement.from_row(row) if row else None

    @staticmethod
    async def _holdings(tx: Transaction, proposal_id: int) -> dict[str, Held]:
        rows = await tx.fetchall(
            "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = ? ORDER BY id",
            (proposal_id,),
        )
        out: dict[str, Held] = {}
        for row in rows:
            out[row["member_id"]] = (*out.get(row["member_id"], ()), Choice(row["choice"]))
        return out

    @staticmethod
    async def _turnout(tx: Transaction, proposal_id: int) -> tuple[int, int]:
        row = await tx.fetchone(
            """
            SELECT COUNT(*) AS members, COUNT(r.member_id) AS voters
            FROM circle_members m
            LEFT JOIN (SELECT DISTINCT member_id FROM agreement_reactions WHERE proposal_id = ?) r
                   ON r.member_id = m.member_id
            WHERE m.circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = ?)
            """,
            (proposal_id, proposal_id),
        )
        return (row["voters"], row["members"]) if row else (0, 0)

    @staticmethod
    async def _why_not(
        tx: Transaction, proposal_id: int, message_id: str, member_id: str
    ) -> VoteStatus:
        row = await tx.fetchone(
            """
            SELECT p.closed_at IS NOT NULL AS closed,
                   p.message_id = ? AND p.posted_version = p.version AS current,
                   EXISTS (SELECT 1 FROM circle_members m
                           WHERE m.circle_id = p.circle_id AND m.member_id = ?) AS member
            FROM agreement_proposals p WHERE p.id = ?
            """,
            (message_id, member_id, proposal_id),
        )
        if row is None or not row["current"]:
            return VoteStatus.STALE
        if row["closed"]:
            return VoteStatus.CLOSED
        if not row["member"]:
            return VoteStatus.NOT_MEMBER
        return VoteStatus.UNCHANGED

    @staticmethod
    async def _apply(
        tx: Transaction, proposal: Proposal, result: Result, at: datetime, review: timedelta
    ) -> Effect:
        next_review = to_iso(at + review)
        if proposal.kind is Kind.ADOPT:
            if not result.passed:
                return Effect.NONE
            await tx.execute(
                """
                INSERT INTO agreements (id, circle_id, title, text, version, starter_id, proposed_by,
                                        adopted_at, changed_at, decided_by, review_at)
                VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
                """,
                (
                    proposal.id,
                    proposal.circle_id,
                    proposal.title,
                    proposal.text,
                    proposal.starter_id,
                    proposal.proposed_by,
                    to_iso(at),
                    to_iso(at),
                    proposal.id,
                    next_review,
                ),
            )
            return Effect.ADOPTED
        agreement_id = proposal.agreement_id
        if not result.passed:
            # the agreement stays as it was; its review clock starts again
            await tx.execute(
                "UPDATE agreements SET review_at = ? WHERE id = ? AND retired_at IS NULL",
                (next_review, agreement_id),
            )
            return Effect.NONE
        if proposal.kind is Kind.RETIRE:
            await tx.execute(
                "UPDATE agreements SET retired_at = ?, review_at = NULL WHERE id = ?",
                (to_iso(at), agreement_id),
            )
            return Effect.RETIRED
        if proposal.kind is Kind.REVISE:
            await tx.execute(
                "UPDATE agreements SET text = ?, version = version + 1, proposed_by = ?, changed_at = ?, "
                "decided_by = ?, reviewed_at = ?, review_at = ? WHERE id = ?",
                (
                    proposal.text,
                    proposal.proposed_by,
                    to_iso(at),
                    proposal.id,
                    to_iso(at),
                    next_review,
                    agreement_id,
                ),
            )
            return Effect.NEW_VERSION
        await tx.execute(
            "UPDATE agreements SET reviewed_at = ?, review_at = ? WHERE id = ?",
            (to_iso(at), next_review, agreement_id),
        )
        return Effect.KEPT
