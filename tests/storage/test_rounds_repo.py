"""The rounds repository's contract: one open round per circle, moves that can't overwrite
each other, and turns that go when the round closes."""

from __future__ import annotations

from bot.chat import MemberRef, Platform, ThreadRef
from bot.storage.database import Database
from cogs.circles.repo import CirclesRepo
from cogs.circles.rounds import Outcome
from cogs.circles.rounds_repo import RoundsRepo
from tests.storage.conftest import ROOM, at, local, make_circle


async def open_one(db: Database, circles: CirclesRepo) -> tuple[RoundsRepo, int, int]:
    circle = await make_circle(circles, members=("bob", "carol"))
    rounds = RoundsRepo(db)
    round_id = await rounds.open_round(
        circle_id=circle.id,
        started_by="alice",
        at=at(5),
        room=ROOM,
        turn_seconds=180,
        order=["alice", "bob", "carol", "bob"],
    )
    assert round_id is not None
    return rounds, circle.id, round_id


async def test_a_circle_has_one_open_round_in_the_order_given(
    db: Database, circles: CirclesRepo
) -> None:
    """The order keeps each person once; a second round while one is open is refused."""
    rounds, circle_id, round_id = await open_one(db, circles)
    again = await rounds.open_round(
        circle_id=circle_id, started_by="bob", at=at(6), room=ROOM, turn_seconds=None, order=["bob"]
    )
    assert again is None
    record = await rounds.open_round_of(circle_id)
    assert record is not None
    assert record.id == round_id
    assert record.round.order == ("alice", "bob", "carol")
    assert (record.turn_seconds, record.turn_started_at, record.reminded) == (180, at(5), False)
    assert [r.id for r in await rounds.open_rounds()] == [round_id]


async def test_a_round_is_placed_in_its_thread(db: Database, circles: CirclesRepo) -> None:
    """Where the round is held and its opening post are kept."""
    rounds, circle_id, round_id = await open_one(db, circles)
    thread = ThreadRef(ROOM, "m1")
    await rounds.place_round(round_id, thread, "m1")
    record = await rounds.open_round_of(circle_id)
    assert record is not None
    assert (record.thread, record.message_id, record.where) == (thread, "m1", thread)


async def test_a_move_made_on_a_stale_round_loses(db: Database, circles: CirclesRepo) -> None:
    """Two moves from the same state: the first is stored, the second is told it lost."""
    rounds, circle_id, _ = await open_one(db, circles)
    record = await rounds.open_round_of(circle_id)
    assert record is not None
    moved = record.round.end_turn("alice", Outcome.SHARED)
    assert await rounds.save_round(record, moved, turn_started_at=at(7), reminded=False)
    assert not await rounds.save_round(record, moved, turn_started_at=at(8), reminded=True)
    fresh = await rounds.open_round_of(circle_id)
    assert fresh is not None
    assert fresh.round == moved
    assert fresh.turn_started_at == at(7)


async def test_a_rewritten_round_drops_a_person_and_closing_drops_every_turn(
    db: Database, circles: CirclesRepo
) -> None:
    """Erasing someone rewrites the order; a closed round keeps its counts, not its people."""
    rounds, circle_id, round_id = await open_one(db, circles)
    record = await rounds.open_round_of(circle_id)
    assert record is not None
    assert await rounds.open_rounds_with(Platform.LOCAL, "bob") == [circle_id]
    assert await rounds.rounds_touching(Platform.LOCAL, "bob") == [("Tuesday", None)]
    await rounds.rewrite_round(record, record.round.forget("bob"))
    assert await rounds.open_rounds_with(Platform.LOCAL, "bob") == []
    assert await rounds.close_round(round_id, at(9), shared=1, passed=1)
    assert not await rounds.close_round(round_id, at(10), shared=0, passed=0)
    assert await rounds.open_round_of(circle_id) is None
    assert await db.fetchval("SELECT COUNT(*) FROM round_turns") == 0
    assert await db.fetchval("SELECT shared_count FROM rounds") == 1


async def test_whoever_began_a_round_is_forgotten_on_their_platform(
    db: Database, circles: CirclesRepo
) -> None:
    """The round stays; only the name comes off, and only for that platform."""
    rounds, _, _ = await open_one(db, circles)
    await rounds.forget_starter(MemberRef(Platform.MATRIX, "alice"))
    assert await db.fetchval("SELECT started_by FROM rounds") == "alice"
    await rounds.forget_starter(local("alice"))
    assert await db.fetchval("SELECT started_by FROM rounds") is None
