"""Sign-in links on their own: signed, dated on the bot's clock, single use."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.chat import MemberRef, Platform, RoomRef
from bot.clock import ManualClock
from bot.storage.database import Database
from bot.web.links import LINK_LIFETIME, LinkRefused, Refusal, SignInLinks

KEY = "k" * 48
BOB = MemberRef(Platform.DISCORD, "1234")
ROOM = RoomRef(Platform.DISCORD, "42", "99")


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "links.db")
    yield database
    await database.close()


async def test_a_link_says_who_it_is_for_and_where(db: Database) -> None:
    """Reading a fresh link gives back the person and the room they asked in."""
    links = SignInLinks(KEY, db, ManualClock())
    link = links.read(links.issue(BOB, ROOM))
    assert (link.member, link.room) == (BOB, ROOM)


async def test_each_link_is_different(db: Database) -> None:
    """Two links for the same person at the same moment differ (their nonces do)."""
    links = SignInLinks(KEY, db, ManualClock())
    assert links.issue(BOB, ROOM) != links.issue(BOB, ROOM)


async def test_a_link_signed_with_another_key_is_invalid(db: Database) -> None:
    """A link made by another bot (another key) opens nothing here."""
    clock = ManualClock()
    token = SignInLinks("o" * 48, db, clock).issue(BOB, ROOM)
    with pytest.raises(LinkRefused) as refused:
        SignInLinks(KEY, db, clock).read(token)
    assert refused.value.why is Refusal.INVALID


async def test_age_is_measured_on_the_bots_clock(db: Database) -> None:
    """Expiry follows the injected clock, so the sandbox's :jump expires links too."""
    clock = ManualClock()
    links = SignInLinks(KEY, db, clock)
    token = links.issue(BOB, ROOM)
    clock.advance(LINK_LIFETIME + timedelta(seconds=1))
    with pytest.raises(LinkRefused) as refused:
        await links.redeem(token)
    assert refused.value.why is Refusal.EXPIRED


async def test_redeeming_twice_is_refused(db: Database) -> None:
    """The second redeem of the same link is refused as used."""
    links = SignInLinks(KEY, db, ManualClock())
    token = links.issue(BOB, ROOM)
    await links.redeem(token)
    with pytest.raises(LinkRefused) as refused:
        await links.redeem(token)
    assert refused.value.why is Refusal.USED


async def test_used_links_are_forgotten_once_they_would_have_expired(db: Database) -> None:
    """The store keeps a used nonce only while its link could still be presented."""
    clock = ManualClock()
    links = SignInLinks(KEY, db, clock)
    await links.redeem(links.issue(BOB, ROOM))
    clock.advance(3 * LINK_LIFETIME)
    await links.redeem(links.issue(BOB, ROOM))
    assert await db.fetchval("SELECT COUNT(*) FROM web_used_links") == 1


async def test_a_link_is_for_the_platform_it_was_asked_on(db: Database) -> None:
    """A Discord person can't be given a link for a Matrix room."""
    links = SignInLinks(KEY, db, ManualClock())
    with pytest.raises(ValueError, match="platform"):
        links.issue(BOB, RoomRef(Platform.MATRIX, "!r:x", "!r:x"))
