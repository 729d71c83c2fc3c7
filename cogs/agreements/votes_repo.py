"""All the SQL of votes: the reactions members hold on open proposals, turnout, and the
notes and the reminder that are claimed once.

A vote change is one small transaction (the membership check rides along in the same
statement), so a storm of reactions stays cheap. When a proposal closes, its reactions go
and only the counts stay (``repo.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from bot.chat import MemberRef, MessageRef, Platform, RoomRef, ThreadRef
from bot.clock import from_iso, to_iso
from bot.storage.database import Database, Row, Transaction
from cogs.agreements.ballots import Choice, Held, reconcile, votes
from cogs.agreements.model import NoteKind, Reason, VoteChange, VoteStatus
from cogs.circles import Forget, Personal, forget_in

# Votes and notes find their circle through their proposal.
_BY_PROPOSAL = "(SELECT p.circle_id FROM agreement_proposals p WHERE p.id = {table}.proposal_id)"
# A person's votes and the notes sent to them go when they ask to be forgotten.
PERSONAL = (
    Personal("agreement_reactions", "member_id", Forget.DELETE_ROW, circle=_BY_PROPOSAL),
    Personal("agreement_notes", "member_id", Forget.DELETE_ROW, circle=_BY_PROPOSAL),
    Personal("agreement_reasons", "member_id", Forget.DELETE_ROW, circle=_BY_PROPOSAL),
    Personal("agreement_ballots", "member_id", Forget.DELETE_ROW, circle=_BY_PROPOSAL),
)
# Whether every member holds a vote once the change is made, cast either way: a reaction held
# (an open ballot) or a private vote (a secret one). A RETURNING clause's subqueries see the
# table after the change on SQLite but before it on PostgreSQL, so the change itself is spelled
# out: the new voter counts as holding one ({held}), and the reaction taken back doesn't count
# ({kept}); both read the same on either backend.
_EVERYONE = """
    EXISTS (SELECT 1 FROM circle_members
            WHERE circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = :proposal))
    AND NOT EXISTS (
        SELECT 1 FROM circle_members m
        WHERE m.circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = :proposal)
          AND NOT ({held} EXISTS (SELECT 1 FROM agreement_reactions r
                          WHERE r.proposal_id = :proposal AND r.member_id = m.member_id {kept})
                   OR EXISTS (SELECT 1 FROM agreement_ballots b
                          WHERE b.proposal_id = :proposal AND b.member_id = m.member_id)))
    AS everyone
"""


# The lock every change to a proposal's votes holds: votes, reconciling, amending, closing.
CLAIM = "agreement_proposal"

_REASON = """
    SELECT r.*, c.platform, c.space_id, c.room_id FROM agreement_reasons r
    JOIN agreement_proposals p ON p.id = r.proposal_id JOIN circles c ON c.id = p.circle_id
"""


def reason_from(row: Row) -> Reason:
    message: MessageRef | None = None
    if row["message_id"]:
        room = RoomRef(
            Platform(row["platform"]), row["space_id"], row["message_room_id"] or row["room_id"]
        )
        thread = ThreadRef(room, row["message_thread_id"]) if row["message_thread_id"] else None
        message = MessageRef(room, row["message_id"], thread)
    return Reason(
        id=row["id"],
        proposal_id=row["proposal_id"],
        version=row["version"],
        member_id=row["member_id"],
        choice=Choice(row["choice"]),
        text=row["text"],
        named=bool(row["named"]),
        given_at=from_iso(row["given_at"]),
        message=message,
    )


class VotesRepo:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_reaction(
        self, proposal_id: int, message_id: str, member_id: str, choice: Choice
    ) -> VoteChange:
        """A reaction on the proposal's post: counted if the person is a member, the proposal
        is open and the post shows its current version. One statement makes the membership
        check, the change, and says whether everyone has voted now (a RETURNING subquery sees
        the new row)."""
        insert = (
            """
            INSERT INTO agreement_reactions (proposal_id, member_id, choice)
            SELECT p.id, :member, :choice FROM agreement_proposals p
            WHERE p.id = :proposal AND p.closed_at IS NULL AND p.message_id = :message
              AND p.posted_version = p.version
              AND EXISTS (SELECT 1 FROM circle_members m WHERE m.circle_id = p.circle_id AND m.member_id = :member)
            ON CONFLICT DO NOTHING
            RETURNING """  # noqa: S608 - fixed text, no input
            + _EVERYONE.format(held="m.member_id = :member OR", kept="")
        )
        return await self._change(insert, proposal_id, message_id, member_id, choice)

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
            + _EVERYONE.format(
                held="", kept="AND NOT (r.member_id = :member AND r.choice = :choice)"
            )
        )
        return await self._change(delete, proposal_id, message_id, member_id, choice)

    async def _change(
        self, statement: str, proposal_id: int, message_id: str, member_id: str, choice: Choice
    ) -> VoteChange:
        """Run one vote change; when it didn't count, ask why (the rare path)."""
        params = {
            "member": member_id,
            "choice": choice.value,
            "proposal": proposal_id,
            "message": message_id,
        }
        # One statement, its own transaction; the claim keeps it from slipping between the
        # count and the clean-up of a closing (repo.py claims the same name).
        row = await self._db.write_returning(statement, params, claim=(CLAIM, proposal_id))
        if row is not None:
            return VoteChange(VoteStatus.COUNTED, everyone_voted=bool(row["everyone"]))
        async with self._db.transaction() as tx:
            return VoteChange(await _why_not(tx, proposal_id, message_id, member_id))

    async def holdings(self, proposal_id: int) -> dict[str, Held]:
        async with self._db.transaction() as tx:
            return await holdings_in(tx, proposal_id)

    async def reconcile(
        self, proposal_id: int, version: int, observed: Mapping[str, Iterable[Choice]]
    ) -> bool:
        """Make the stored reactions match what the platform shows (``observed``, members
        only), keeping the order of those already known (see ``ballots.reconcile``). Returns
        whether anything changed."""
        async with self._db.transaction() as tx:
            await tx.claim(CLAIM, proposal_id)
            row = await tx.fetchone(
                "SELECT 1 FROM agreement_proposals WHERE id = ? AND version = ? AND closed_at IS NULL",
                (proposal_id, version),
            )
            if row is None:
                return False
            stored = await holdings_in(tx, proposal_id)
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
            for table in ("agreement_reactions", "agreement_ballots"):
                await tx.execute(
                    f"DELETE FROM {table} WHERE member_id = ? AND proposal_id IN "  # noqa: S608 - fixed names
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
            return votes(await holdings_in(tx, proposal_id), members), len(members)

    async def turnout(self, proposal_id: int) -> tuple[int, int]:
        """(members who voted, members) for an open proposal, counting current members only."""
        async with self._db.transaction() as tx:
            return await _turnout(tx, proposal_id)

    # --- notes and reminders ---------------------------------------------------------------

    async def claim_note(self, proposal_id: int, member_id: str, kind: NoteKind) -> bool:
        """True the first time only: a note of this kind is due to this person."""
        async with self._db.transaction() as tx:
            return bool(
                await tx.execute_count(
                    "INSERT INTO agreement_notes (proposal_id, member_id, kind) VALUES (?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
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
                  AND NOT EXISTS (SELECT 1 FROM (SELECT proposal_id, member_id FROM agreement_reactions UNION ALL SELECT proposal_id, member_id FROM agreement_ballots) r
                                  WHERE r.proposal_id = ? AND r.member_id = m.member_id)
                ORDER BY m.seq
                """,
                (proposal_id, proposal_id),
            )
        return [r["member_id"] for r in rows]

    async def vote_of(self, proposal_id: int, member_id: str) -> Choice | None:
        """A member's current vote on an open proposal: the newest option they hold, or the
        vote they cast privately."""
        async with self._db.transaction() as tx:
            held = (await holdings_in(tx, proposal_id)).get(member_id, ())
        return held[-1] if held else None

    async def cast(
        self, proposal_id: int, member_id: str, choice: Choice | None, at: datetime
    ) -> VoteChange:
        """A private vote on an open secret ballot: counted if the person is a member now;
        ``None`` withdraws it. Says whether everyone has voted now."""
        async with self._db.transaction() as tx:
            await tx.claim(CLAIM, proposal_id)  # not between a closing's count and its clean-up
            row = await tx.fetchone(
                """
                SELECT p.closed_at IS NOT NULL AS closed,
                       EXISTS (SELECT 1 FROM circle_members m
                               WHERE m.circle_id = p.circle_id AND m.member_id = ?) AS member
                FROM agreement_proposals p WHERE p.id = ?
                """,
                (member_id, proposal_id),
            )
            if row is None:
                return VoteChange(VoteStatus.STALE)
            if row["closed"]:
                return VoteChange(VoteStatus.CLOSED)
            if not row["member"]:
                return VoteChange(VoteStatus.NOT_MEMBER)
            if choice is None:
                changed = await tx.execute_count(
                    "DELETE FROM agreement_ballots WHERE proposal_id = ? AND member_id = ?",
                    (proposal_id, member_id),
                )
            else:
                changed = await tx.execute_count(
                    """
                    INSERT INTO agreement_ballots (proposal_id, member_id, choice, cast_at)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT (proposal_id, member_id) DO UPDATE SET
                        choice = excluded.choice, cast_at = excluded.cast_at
                    WHERE agreement_ballots.choice <> excluded.choice
                    """,
                    (proposal_id, member_id, choice.value, to_iso(at)),
                )
            everyone = await tx.fetchone(
                "SELECT " + _EVERYONE.format(held="", kept=""), {"proposal": proposal_id}
            )
        status = VoteStatus.COUNTED if changed else VoteStatus.UNCHANGED
        return VoteChange(status, everyone_voted=bool(everyone and everyone["everyone"]))

    # --- reasons ---------------------------------------------------------------------------

    async def save_reason(
        self,
        proposal_id: int,
        version: int,
        member_id: str,
        choice: Choice,
        text: str,
        *,
        named: bool,
        at: datetime,
    ) -> Reason | None:
        """Keep a member's reason for their objection or block on the open version; a second
        one replaces the first (and keeps its post, to be edited). None if it closed or moved on."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT 1 FROM agreement_proposals WHERE id = ? AND version = ? AND closed_at IS NULL",
                (proposal_id, version),
            )
            if row is None:
                return None
            await tx.execute(
                """
                INSERT INTO agreement_reasons (proposal_id, version, member_id, choice, text, named, given_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (proposal_id, version, member_id) DO UPDATE SET
                    choice = excluded.choice, text = excluded.text, named = excluded.named,
                    given_at = excluded.given_at
                """,
                (proposal_id, version, member_id, choice.value, text, int(named), to_iso(at)),
            )
            saved = await tx.fetchone(
                _REASON + " WHERE r.proposal_id = ? AND r.version = ? AND r.member_id = ?",
                (proposal_id, version, member_id),
            )
        return reason_from(saved) if saved else None

    async def place_reason(self, reason_id: int, message: MessageRef) -> None:
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE agreement_reasons SET message_room_id = ?, message_thread_id = ?, message_id = ? "
                "WHERE id = ?",
                (
                    message.room.id,
                    message.thread.id if message.thread else None,
                    message.id,
                    reason_id,
                ),
            )

    async def unposted_reasons(self, proposal_id: int) -> list[Reason]:
        """Reasons kept but not yet in the thread (the bot stopped in between)."""
        rows = await self._db.fetchall(
            _REASON + " WHERE r.proposal_id = ? AND r.message_id IS NULL ORDER BY r.id",
            (proposal_id,),
        )
        return [reason_from(r) for r in rows]

    async def reasons(self, proposal_id: int) -> list[Reason]:
        rows = await self._db.fetchall(
            _REASON + " WHERE r.proposal_id = ? ORDER BY r.id", (proposal_id,)
        )
        return [reason_from(r) for r in rows]

    async def reasons_of(self, platform: Platform, member_id: str) -> list[Row]:
        """The reasons this person gave, with where (for their copy)."""
        return await self._db.fetchall(
            "SELECT r.proposal_id, r.version, r.choice, r.text, r.named, r.given_at, c.name AS circle "
            "FROM agreement_reasons r JOIN agreement_proposals p ON p.id = r.proposal_id "
            "JOIN circles c ON c.id = p.circle_id WHERE c.platform = ? AND r.member_id = ? "
            "ORDER BY r.id",
            (platform.value, member_id),
        )

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

    async def secret_votes_of(self, platform: Platform, member_id: str) -> list[Row]:
        """The private votes this person has cast on open secret ballots (theirs to see)."""
        return await self._db.fetchall(
            """
            SELECT b.proposal_id, c.name AS circle, b.choice, b.cast_at, p.ballot
            FROM agreement_ballots b
            JOIN agreement_proposals p ON p.id = b.proposal_id JOIN circles c ON c.id = p.circle_id
            WHERE c.platform = ? AND b.member_id = ? ORDER BY b.proposal_id
            """,
            (platform.value, member_id),
        )

    async def forget(self, member: MemberRef) -> None:
        """Erase someone's votes and the notes sent to them."""
        async with self._db.transaction() as tx:
            await forget_in(tx, PERSONAL, member)


async def holdings_in(tx: Transaction, proposal_id: int) -> dict[str, Held]:
    """What each member holds: their option reactions in order, or their one private vote."""
    rows = await tx.fetchall(
        "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = ? ORDER BY id",
        (proposal_id,),
    )
    out: dict[str, Held] = {}
    for row in rows:
        out[row["member_id"]] = (*out.get(row["member_id"], ()), Choice(row["choice"]))
    for row in await tx.fetchall(
        "SELECT member_id, choice FROM agreement_ballots WHERE proposal_id = ?", (proposal_id,)
    ):
        out[row["member_id"]] = (Choice(row["choice"]),)
    return out


async def _turnout(tx: Transaction, proposal_id: int) -> tuple[int, int]:
    row = await tx.fetchone(
        """
        SELECT COUNT(*) AS members, COUNT(r.member_id) AS voters
        FROM circle_members m
        LEFT JOIN (SELECT DISTINCT member_id FROM (SELECT proposal_id, member_id FROM agreement_reactions UNION ALL SELECT proposal_id, member_id FROM agreement_ballots) v WHERE proposal_id = ?) r
               ON r.member_id = m.member_id
        WHERE m.circle_id = (SELECT circle_id FROM agreement_proposals WHERE id = ?)
        """,
        (proposal_id, proposal_id),
    )
    return (row["voters"], row["members"]) if row else (0, 0)


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
