"""Sign-in links: signed with itsdangerous, valid for 10 minutes, usable once.

A link carries who asked for it (platform and id) and where (the room, so the space), plus a
random nonce. The signature makes it unforgeable and dates it; the store remembers which
nonces were used, so a second use is refused even within the 10 minutes. The age is measured
on the bot's clock, so the sandbox's time travel and the tests' manual clock count too.
"""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bot.chat import MemberRef, Platform, RoomRef
from bot.clock import Clock, to_iso
from bot.storage.database import Database

LINK_LIFETIME = timedelta(minutes=10)
SALT = "circlekeeper.web.sign-in-link"


class Refusal(enum.Enum):
    """Why a link doesn't open the dashboard."""

    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"  # tampered with, cut short, or signed with another key


@dataclass(frozen=True, slots=True)
class LinkFor:
    """Who a valid link signs in, and where they asked for it."""

    member: MemberRef
    room: RoomRef
    nonce: str


class LinkRefused(Exception):
    def __init__(self, why: Refusal) -> None:
        super().__init__(why.value)
        self.why = why


def _signer_on(clock: Clock) -> type[TimestampSigner]:
    class ClockSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock.now().timestamp())

    return ClockSigner


class SignInLinks:
    def __init__(self, key: str, db: Database, clock: Clock) -> None:
        self._serializer = URLSafeTimedSerializer(key, salt=SALT, signer=_signer_on(clock))
        self._db = db
        self._clock = clock

    def issue(self, member: MemberRef, room: RoomRef) -> str:
        """A fresh token for ``member``, asked for in ``room`` (it goes in the link's path)."""
        if member.platform is not room.platform:
            raise ValueError("a link is for someone on the platform where they asked for it")
        payload = {
            "p": member.platform.value,
            "m": member.id,
            "s": room.space_id,
            "r": room.id,
            "n": secrets.token_urlsafe(16),
        }
        return str(self._serializer.dumps(payload))

    def read(self, token: str) -> LinkFor:
        """Check the signature and the age, not the single use (for the page before signing in)."""
        try:
            payload = self._serializer.loads(token, max_age=int(LINK_LIFETIME.total_seconds()))
        except SignatureExpired:
            raise LinkRefused(Refusal.EXPIRED) from None
        except BadSignature:
            raise LinkRefused(Refusal.INVALID) from None
        try:
            platform = Platform(payload["p"])
            fields = [payload[k] for k in ("m", "s", "r", "n")]
        except (KeyError, TypeError, ValueError):
            raise LinkRefused(Refusal.INVALID) from None
        if not all(isinstance(f, str) and f for f in fields):
            raise LinkRefused(Refusal.INVALID)
        member_id, space_id, room_id, nonce = fields
        return LinkFor(MemberRef(platform, member_id), RoomRef(platform, space_id, room_id), nonce)

    async def is_used(self, link: LinkFor) -> bool:
        used = await self._db.fetchval(
            "SELECT 1 FROM web_used_links WHERE nonce = ?", (link.nonce,)
        )
        return used is not None

    async def redeem(self, token: str) -> LinkFor:
        """Read the link and use it up, at most once: of two tabs racing, one wins."""
        link = self.read(token)
        now = self._clock.now()
        query = """
            INSERT INTO web_used_links (nonce, used_at, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (nonce) DO NOTHING
        """
        async with self._db.transaction() as tx:
            await tx.execute("DELETE FROM web_used_links WHERE expires_at < ?", (to_iso(now),))
            taken = await tx.execute_count(
                query, (link.nonce, to_iso(now), to_iso(now + LINK_LIFETIME + LINK_LIFETIME))
            )
        if taken == 0:
            raise LinkRefused(Refusal.USED)
        return link
