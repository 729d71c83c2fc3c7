"""The dashboard's sessions repository's contract: a session is found by its token while it
lives, never by anything stored, and ends when asked or when its time is up."""

from __future__ import annotations

from datetime import timedelta

from bot.chat import MemberRef, Platform
from bot.clock import ManualClock
from bot.storage.database import Database
from bot.web.sessions import SessionsRepo
from tests.storage.conftest import ROOM, T0, local


async def test_a_session_is_found_by_its_token_until_it_ends(db: Database) -> None:
    """Its token finds it and nothing else does; ending it, or its expiry, loses it."""
    clock = ManualClock(T0)
    sessions = SessionsRepo(db, clock, timedelta(hours=12))
    token, session = await sessions.open(local("alice"), ROOM)
    found = await sessions.find(token)
    assert found is not None
    assert (found.member, found.room, found.expires_at) == (
        local("alice"),
        ROOM,
        T0 + timedelta(hours=12),
    )
    assert found.csrf_matches(session.csrf)
    assert not found.csrf_matches("another")
    assert await sessions.find("not-a-token") is None
    assert await sessions.find("") is None
    assert token not in str(await db.fetchall("SELECT * FROM web_sessions"))
    clock.advance(timedelta(hours=12))
    assert await sessions.find(token) is None


async def test_a_person_s_sessions_are_listed_and_ended_together(db: Database) -> None:
    """By person and platform; ending one leaves the others, ending all leaves none."""
    sessions = SessionsRepo(db, ManualClock(T0), timedelta(hours=1))
    first, _ = await sessions.open(local("alice"), ROOM)
    await sessions.open(local("alice"), ROOM)
    await sessions.open(MemberRef(Platform.DISCORD, "alice"), ROOM)
    assert len(await sessions.of_member(local("alice"))) == 2
    await sessions.end(first)
    assert len(await sessions.of_member(local("alice"))) == 1
    await sessions.end_all_of(local("alice"))
    assert await sessions.of_member(local("alice")) == []
    assert len(await sessions.of_member(MemberRef(Platform.DISCORD, "alice"))) == 1
