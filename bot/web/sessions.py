"""Dashboard sessions, kept in the store: a random token in the cookie, its hash in the table.

Keeping sessions in the store (rather than only in a signed cookie) means signing out really
ends one, a restart doesn't sign anyone out, and ``privacy forget`` can erase them. The
session carries who signed in and where; roles are never stored here, they are asked of the
platform at each request (see ``access.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.chat import MemberRef, Platform, RoomRef, SpaceRef
from bot.clock import Clock, from_iso, to_iso
from bot.storage.database import Database, Row

TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class Session:
    member: MemberRef
    room: RoomRef  # where the link was asked for; its space is what the dashboard shows
    csrf: str
    created_at: datetime
    expires_at: datetime

    @property
    def space(self) -> SpaceRef:
        return self.room.space

    def csrf_matches(self, given: str | None) -> bool:
        return given is not None and hmac.compare_digest(given.encode(), self.csrf.encode())

    @classmethod
    def from_row(cls, row: Row) -> Session:
        platform = Platform(row["platform"])
        return cls(
            member=MemberRef(platform, row["member_id"]),
            room=RoomRef(platform, row["space_id"], row["room_id"]),
            csrf=row["csrf"],
            created_at=from_iso(row["created_at"]),
            expires_at=from_iso(row["expires_at"]),
        )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionsRepo:
    def __init__(self, db: Database, clock: Clock, lifetime: timedelta) -> None:
        self._db = db
        self._clock = clock
        self.lifetime = lifetime

    async def open(self, member: MemberRef, room: RoomRef) -> tuple[str, Session]:
        """A new session; returns the token for the cookie (never stored) and the session."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock.now()
        session = Session(
            member, room, secrets.token_urlsafe(TOKEN_BYTES), now, now + self.lifetime
        )
        query = """
            INSERT INTO web_sessions
                (token_hash, platform, member_id, space_id, room_id, csrf, created_at, expires_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM web_sessions WHERE expires_at <= ?", (to_iso(now),))
            await tx.execute(
                query,
                (
                    _hash(token),
                    member.platform.value,
                    member.id,
                    room.space_id,
                    room.id,
                    session.csrf,
                    to_iso(now),
                    to_iso(session.expires_at),
                ),
            )
        return token, session

    async def find(self, token: str) -> Session | None:
        """The live session for a cookie's token; None if unknown, ended or expired."""
        if not token or len(token) > 200:
            return None
        row = await self._db.fetchone(
            "SELECT * FROM web_sessions WHERE token_hash = ? AND expires_at > ?",
            (_hash(token), to_iso(self._clock.now())),
        )
        return None if row is None else Session.from_row(row)

    async def end(self, token: str) -> None:
        await self._db.execute("DELETE FROM web_sessions WHERE token_hash = ?", (_hash(token),))

    async def of_member(self, member: MemberRef) -> list[Session]:
        rows = await self._db.fetchall(
            "SELECT * FROM web_sessions WHERE platform = ? AND member_id = ? ORDER BY created_at",
            (member.platform.value, member.id),
        )
        return [Session.from_row(row) for row in rows]

    async def end_all_of(self, member: MemberRef) -> None:
        await self._db.execute(
            "DELETE FROM web_sessions WHERE platform = ? AND member_id = ?",
            (member.platform.value, member.id),
        )
