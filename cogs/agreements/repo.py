"""All the SQL for agreements: a circle's settings, proposals and their versions, closing,
and the registry of what was adopted (the votes themselves: ``votes_repo.py``).

Each public method is one unit of work in one transaction. What must happen at most once
(closing, opening a review) is a guarded UPDATE in the same transaction as the work it guards.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.chat import MemberRef, MessageRef, Platform, RoomRef, ThreadRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row, Transaction
from cogs.agreements.ballots import Ballot, Choice, Process, count, votes
from cogs.agreements.closing import Result, Rules, Tally, decide
from cogs.agreements.model import (
    Agreement,
    Closing,
    Effect,
    Kind,
    NewProposal,
    Proposal,
    Refused,
    Settings,
    Version,
)
from cogs.agreements.votes_repo import CLAIM, holdings_in
from cogs.circles import Forget, Personal, forget_in

# What names a person: the group's words stay, without the name (votes: votes_repo.py).
PERSONAL = (
    Personal("agreement_proposals", "proposed_by", Forget.CLEAR),
    Personal("agreements", "proposed_by", Forget.CLEAR),
    Personal(
        "agreement_versions",
        "proposed_by",
        Forget.CLEAR,
        circle="(SELECT p.circle_id FROM agreement_proposals p WHERE p.id = {table}.proposal_id)",
    ),
)


def settings_from(row: Row) -> Settings:
    return Settings(
        circle_id=row["circle_id"],
        process=Process(row["process"]) if row["process"] else None,
        quorum_percent=row["quorum_percent"],
        threshold_percent=row["threshold_percent"],
        reminder_seconds=row["reminder_seconds"],
        review_days=row["review_days"],
        registry_room_id=row["registry_room_id"],
        registry_thread_id=row["registry_thread_id"],
        registry_message_id=row["registry_message_id"],
        ballot=Ballot(row["ballot"]) if row["ballot"] else None,
    )


def proposal_from(row: Row) -> Proposal:
    room = RoomRef(Platform(row["platform"]), row["space_id"], row["room_id"])
    message: MessageRef | None = None
    if row["message_id"]:
        where = RoomRef(room.platform, room.space_id, row["message_room_id"] or room.id)
        in_thread = ThreadRef(where, row["message_thread_id"]) if row["message_thread_id"] else None
        message = MessageRef(where, row["message_id"], in_thread)
    counts = json.loads(row["counts"]) if row["counts"] else {}
    return Proposal(
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
        outcome=row["outcome"],
        outcome_at=from_iso(row["outcome_at"]) if row["outcome_at"] else None,
        ballot=Ballot(row["ballot"]),
    )


def agreement_from(row: Row) -> Agreement:
    counts = json.loads(row["counts"]) if row["counts"] else {}
    return Agreement(
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
        outcome=row["outcome"],
    )


def version_from(row: Row, room: RoomRef) -> Version:
    message: MessageRef | None = None
    if row["message_id"]:
        where = RoomRef(room.platform, room.space_id, row["message_room_id"] or room.id)
        in_thread = ThreadRef(where, row["message_thread_id"]) if row["message_thread_id"] else None
        message = MessageRef(where, row["message_id"], in_thread)
    return Version(
        proposal_id=row["proposal_id"],
        version=row["version"],
        kind=Kind(row["kind"]),
        text=row["text"],
        proposed_by=row["proposed_by"],
        started_at=from_iso(row["started_at"]),
        ended_at=from_iso(row["ended_at"]),
        counts={Choice(k): int(v) for k, v in json.loads(row["counts"]).items()},
        voters=row["voters"],
        members=row["members"],
        message=message,
        replaced=True,
    )


_PROPOSAL = """
    SELECT p.*, c.platform, c.space_id, c.room_id FROM agreement_proposals p
    JOIN circles c ON c.id = p.circle_id
"""
_AGREEMENT = """
    SELECT a.*, p.process, p.counts, p.voters, p.members, p.outcome FROM agreements a
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
        return settings_from(row) if row else Settings(circle_id)

    async def save_settings(
        self,
        circle_id: int,
        *,
        process: Process | None,
        quorum_percent: int | None,
        threshold_percent: int | None,
        reminder_seconds: int | None,
        review_days: int | None,
        ballot: Ballot | None = None,
    ) -> Settings:
        """Change the given settings (None leaves one as it is)."""
        query = """
            INSERT INTO agreement_settings (circle_id, process, quorum_percent, threshold_percent,
                                            reminder_seconds, review_days, ballot)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (circle_id) DO UPDATE SET
                ballot = COALESCE(excluded.ballot, agreement_settings.ballot),
                process = COALESCE(excluded.process, agreement_settings.process),
                quorum_percent = COALESCE(excluded.quorum_percent, agreement_settings.quorum_percent),
                threshold_percent = COALESCE(excluded.threshold_percent, agreement_settings.threshold_percent),
                reminder_seconds = COALESCE(excluded.reminder_seconds, agreement_settings.reminder_seconds),
                review_days = COALESCE(excluded.review_days, agreement_settings.review_days)
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
                    ballot.value if ballot else None,
                ),
            )
            row = await tx.fetchone(
                "SELECT * FROM agreement_settings WHERE circle_id = ?", (circle_id,)
            )
        if row is None:
            raise LookupError(f"the settings of circle {circle_id} disappeared during the change")
        return settings_from(row)

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
            proposal_id = await tx.fetchval(
                """
                INSERT INTO agreement_proposals (circle_id, kind, agreement_id, starter_id, title, text,
                    proposed_by, process, quorum_percent, threshold_percent, reminder_seconds,
                    opened_at, duration_seconds, closes_at, remind_at, thread_id, ballot)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING id
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
                    (new.ballot or settings.ballot).value,
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
        return proposal_from(row) if row else None

    async def by_message(self, platform: Platform, message_id: str) -> Proposal | None:
        """The proposal whose current post this is (open or closed)."""
        row = await self._db.fetchone(
            _PROPOSAL + " WHERE p.message_id = ? AND c.platform = ?", (message_id, platform.value)
        )
        return proposal_from(row) if row else None

    async def open_proposals(self) -> list[Proposal]:
        rows = await self._db.fetchall(_PROPOSAL + " WHERE p.closed_at IS NULL ORDER BY p.id")
        return [proposal_from(r) for r in rows]

    async def open_in(self, circle_id: int) -> list[Proposal]:
        rows = await self._db.fetchall(
            _PROPOSAL + " WHERE p.circle_id = ? AND p.closed_at IS NULL ORDER BY p.id", (circle_id,)
        )
        return [proposal_from(r) for r in rows]

    async def about(self, agreement_id: int) -> list[Proposal]:
        """The agreement's history: the proposal that made it and every one about it since."""
        rows = await self._db.fetchall(
            _PROPOSAL + " WHERE p.id = ? OR p.agreement_id = ? ORDER BY p.id",
            (agreement_id, agreement_id),
        )
        return [proposal_from(r) for r in rows]

    async def amend(
        self,
        proposal_id: int,
        version: int,
        *,
        text: str,
        kind: Kind,
        by: str,
        at: datetime,
        closes_at: datetime,
        remind_at: datetime,
    ) -> tuple[Proposal, list[str]] | None:
        """A new version: votes start afresh and the clock restarts. The version before is
        kept in full (``agreement_versions``), with how its vote stood, counts only. Returns
        the proposal and who had voted on the version before; None if it closed or moved on
        meanwhile.

        An amended review becomes a proposal of a new wording (or of retiring the agreement),
        and whoever changes a proposal nobody owns (a review) becomes its proposer."""
        async with self._db.transaction() as tx:
            await tx.claim(CLAIM, proposal_id)  # no vote slips in between the read and the reset
            before = await self._proposal(tx, proposal_id)
            if not before.is_open or before.version != version:
                return None
            rows = await tx.fetchall(
                "SELECT member_id FROM agreement_reactions WHERE proposal_id = ? "
                "UNION SELECT member_id FROM agreement_ballots WHERE proposal_id = ? ORDER BY member_id",
                (proposal_id, proposal_id),
            )
            tally = await _tally(tx, before)
            await tx.execute(
                """
                INSERT INTO agreement_versions (proposal_id, version, kind, text, proposed_by,
                    started_at, ended_at, counts, voters, members,
                    message_room_id, message_thread_id, message_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (proposal_id, version) DO NOTHING
                """,
                (
                    proposal_id,
                    version,
                    before.kind.value,
                    before.text,
                    before.proposed_by,
                    to_iso(await _version_start(tx, before)),
                    to_iso(at),
                    json.dumps({c.value: n for c, n in tally.counts.items()}),
                    tally.voters,
                    tally.members,
                    before.message.room.id if before.message else None,
                    before.message.thread.id if before.message and before.message.thread else None,
                    before.message.id if before.message else None,
                ),
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
            await _forget_choices(tx, proposal_id)
            proposal = await self._proposal(tx, proposal_id)
        return proposal, [r["member_id"] for r in rows]

    async def versions(self, proposal_id: int) -> list[Version]:
        """Every wording of the proposal, oldest first; the last is the current one."""
        async with self._db.transaction() as tx:
            proposal = await self._proposal(tx, proposal_id)
            rows = await tx.fetchall(
                "SELECT * FROM agreement_versions WHERE proposal_id = ? ORDER BY version",
                (proposal_id,),
            )
            start = await _version_start(tx, proposal)
        out = [version_from(row, proposal.room) for row in rows]
        out.append(
            Version(
                proposal_id=proposal.id,
                version=proposal.version,
                kind=proposal.kind,
                text=proposal.text,
                proposed_by=proposal.proposed_by,
                started_at=start,
                ended_at=proposal.closed_at,
                counts=proposal.counts,
                voters=proposal.voters,
                members=proposal.members,
                message=proposal.message,
                replaced=False,
                result=proposal.result,
            )
        )
        return out

    async def version(self, proposal_id: int, version: int) -> Version | None:
        """A replaced version, as it was kept."""
        row = await self._db.fetchone(
            "SELECT v.*, c.platform, c.space_id, c.room_id FROM agreement_versions v "
            "JOIN agreement_proposals p ON p.id = v.proposal_id JOIN circles c ON c.id = p.circle_id "
            "WHERE v.proposal_id = ? AND v.version = ?",
            (proposal_id, version),
        )
        if row is None:
            return None
        room = RoomRef(Platform(row["platform"]), row["space_id"], row["room_id"])
        return version_from(row, room)

    async def extend(
        self, proposal_id: int, version: int, *, closes_at: datetime, remind_at: datetime
    ) -> Proposal | None:
        """A later closing time for the open version; the votes stay. The extra time joins the
        proposal's length, so a new version later gets it too. None if it closed or moved on."""
        async with self._db.transaction() as tx:
            current = await self._proposal(tx, proposal_id)
            extra = int((closes_at - current.closes_at).total_seconds())
            changed = await tx.execute_count(
                """
                UPDATE agreement_proposals SET closes_at = ?, remind_at = ?,
                    duration_seconds = duration_seconds + ?
                WHERE id = ? AND version = ? AND closed_at IS NULL AND closes_at = ?
                """,
                (
                    to_iso(closes_at),
                    to_iso(remind_at),
                    max(extra, 0),
                    proposal_id,
                    version,
                    to_iso(current.closes_at),
                ),
            )
            return await self._proposal(tx, proposal_id) if changed else None

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
            # Two processes closing at once take turns (the second then finds it closed), and
            # no vote lands between the count and the clean-up.
            await tx.claim(CLAIM, proposal_id)
            proposal = await self._proposal(tx, proposal_id)
            if not proposal.is_open:
                return None
            rows = await tx.fetchall(
                "SELECT member_id FROM circle_members WHERE circle_id = ? ORDER BY seq",
                (proposal.circle_id,),
            )
            members = [r["member_id"] for r in rows]
            cast = votes(await holdings_in(tx, proposal_id), members)
            counts = count(proposal.process, cast)
            tally = Tally(counts, len(members))
            result = decide(tally, proposal.rules)
            names: dict[Choice, tuple[str, ...]] | None = None
            if proposal.ballot is Ballot.NAMED_AT_CLOSE:  # shown once at the close, never kept
                order = {member: seq for seq, member in enumerate(members)}
                names = {
                    choice: tuple(
                        sorted((m for m, c in cast.items() if c is choice), key=order.__getitem__)
                    )
                    for choice in counts
                }
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
            await _forget_choices(tx, proposal_id)
            effect = await self._apply(tx, proposal, result, takes_effect or at, review)
            agreement_id = proposal.id if proposal.kind is Kind.ADOPT else proposal.agreement_id
            agreement = (
                await self._agreement(tx, agreement_id) if agreement_id is not None else None
            )
            closed = await self._proposal(tx, proposal_id)
        return Closing(closed, tally, result, effect, agreement, names)

    async def write_outcome(self, proposal_id: int, text: str, at: datetime) -> Proposal | None:
        """The outcome statement of a closed proposal (a new one replaces the one before).
        None while the proposal is still open."""
        async with self._db.transaction() as tx:
            changed = await tx.execute_count(
                "UPDATE agreement_proposals SET outcome = ?, outcome_at = ? "
                "WHERE id = ? AND closed_at IS NOT NULL",
                (text, to_iso(at), proposal_id),
            )
            return await self._proposal(tx, proposal_id) if changed else None

    # --- the registry ----------------------------------------------------------------------

    async def agreements(self, circle_id: int, *, retired: bool = False) -> list[Agreement]:
        query = (
            _AGREEMENT + " WHERE a.circle_id = ?" + ("" if retired else " AND a.retired_at IS NULL")
        )
        rows = await self._db.fetchall(query + " ORDER BY a.id", (circle_id,))
        return [agreement_from(r) for r in rows]

    async def agreement(self, agreement_id: int) -> Agreement | None:
        async with self._db.transaction() as tx:
            return await self._agreement(tx, agreement_id)

    async def reviews_to_arm(self) -> list[Agreement]:
        rows = await self._db.fetchall(
            _AGREEMENT + " WHERE a.retired_at IS NULL AND a.review_at IS NOT NULL ORDER BY a.id"
        )
        return [agreement_from(r) for r in rows]

    async def postpone_review(self, agreement_id: int, when: datetime) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE agreements SET review_at = ? WHERE id = ? AND retired_at IS NULL",
                (to_iso(when), agreement_id),
            )

    # --- data care -------------------------------------------------------------------------

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
        """Their proposals and agreements stay as the group's words, without their name."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    async def _proposal(tx: Transaction, proposal_id: int) -> Proposal:
        row = await tx.fetchone(_PROPOSAL + " WHERE p.id = ?", (proposal_id,))
        if row is None:
            raise LookupError(f"proposal {proposal_id} disappeared during the change")
        return proposal_from(row)

    @staticmethod
    async def _agreement(tx: Transaction, agreement_id: int) -> Agreement | None:
        row = await tx.fetchone(_AGREEMENT + " WHERE a.id = ?", (agreement_id,))
        return agreement_from(row) if row else None

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


async def _tally(tx: Transaction, proposal: Proposal) -> Tally:
    """How the open version's vote stands now, among current members (counts only)."""
    rows = await tx.fetchall(
        "SELECT member_id FROM circle_members WHERE circle_id = ?", (proposal.circle_id,)
    )
    members = [r["member_id"] for r in rows]
    cast = votes(await holdings_in(tx, proposal.id), members)
    return Tally(count(proposal.process, cast), len(members))


async def _version_start(tx: Transaction, proposal: Proposal) -> datetime:
    """When the proposal's current version went up: when the one before it was replaced, or
    when the proposal opened."""
    row = await tx.fetchone(
        "SELECT ended_at FROM agreement_versions WHERE proposal_id = ? AND version = ?",
        (proposal.id, proposal.version - 1),
    )
    return from_iso(row["ended_at"]) if row else proposal.opened_at


async def _forget_choices(tx: Transaction, proposal_id: int) -> None:
    """Who chose what goes: the reactions held and the private votes cast (a new version
    starts afresh; a closed proposal keeps only its counts)."""
    await tx.execute("DELETE FROM agreement_reactions WHERE proposal_id = ?", (proposal_id,))
    await tx.execute("DELETE FROM agreement_ballots WHERE proposal_id = ?", (proposal_id,))
