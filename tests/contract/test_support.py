"""Support calls on every platform: a call taken by the one holding the circle, a call that
moves on when nobody answers in time, and a holder who takes no private messages. Nothing is
ever posted in the circle, and the caller always hears what is happening."""

from __future__ import annotations

from datetime import timedelta

from tests.contract.driver import Driver, OpenWorld, table
from tests.contract.test_circles import make_circle

ASKED = "would like someone to reach out"


async def tuesday(d: Driver) -> None:
    """Alice (a moderator) starts Tuesday and holds it; bob and carol join; bob is on the rota."""
    await make_circle(d, "bob", "carol")
    await d.ask("alice", f"circle rota add {d.handle('bob')}", expect="Bob")


async def test_a_call_is_taken_by_the_one_holding_the_circle(world: OpenWorld) -> None:
    d = await world("bob", "carol")
    await tuesday(d)
    posts = len(await d.bot_posts())
    told = await d.ask("carol", "support call the evenings are long", expect="I've asked")
    assert told.private
    assert f"I've asked {d.name('alice')}, who is facilitating Tuesday now" in told.text
    ask = await d.private("alice", ASKED)
    assert "the evenings are long" in ask
    taken = await d.ask("alice", "support take 1", expect="the call is yours")
    assert taken.private
    await d.private("carol", f"{d.name('alice')} has your call")
    assert [t for t in await d.told_privately("bob") if ASKED in t] == []
    assert len(await d.bot_posts()) == posts  # nothing in the circle
    assert table(d, "SELECT status, line FROM support_calls") == [("taken", None)]


async def test_a_call_nobody_answers_moves_on_to_the_next(world: OpenWorld) -> None:
    d = await world("bob", "carol")
    await tuesday(d)
    await d.ask("carol", "support call", expect="I've asked")
    await d.private("alice", ASKED)
    await d.pass_time(timedelta(minutes=16))
    await d.private("bob", ASKED)
    await d.private("carol", f"Nobody has answered yet. I've asked {d.name('bob')} too.")
    await d.ask("bob", "support take 1", expect="the call is yours")
    await d.private("alice", f"{d.name('bob')} has already taken call 1")
    await d.private("carol", f"{d.name('bob')} has your call")


async def test_a_holder_with_closed_private_messages_is_skipped(
    world_with_closed_dms: OpenWorld,
) -> None:
    """The rota holder can't be reached privately, so the next facilitator is asked at once."""
    d = await world_with_closed_dms("bob", "carol")
    await tuesday(d)
    await d.close_dms("alice")
    told = await d.ask("carol", "support call", expect="I've asked")
    assert f"I've asked {d.name('bob')} privately." in told.text
    await d.private("bob", ASKED)
    assert table(d, "SELECT member_id, reached FROM support_asks ORDER BY position")[:2] == [
        (d.member("alice").id, 0),
        (d.member("bob").id, 1),
    ]


async def test_a_circle_with_nobody_on_duty_goes_to_the_spaces_moderators(
    world: OpenWorld,
) -> None:
    """With no facilitator left, the platform's own moderators are asked (alice moderates)."""
    d = await world("bob", "carol")
    await make_circle(d, "carol")
    await d.ask("alice", "circle leave", expect="left")
    told = await d.ask("carol", "support call", expect="I've asked")
    assert f"I've asked {d.name('alice')} privately." in told.text
    await d.private("alice", ASKED)
    assert [t for t in await d.told_privately("bob") if ASKED in t] == []


async def test_support_now_answers_privately_with_the_emergency_line_first(
    world: OpenWorld,
) -> None:
    d = await world("bob")
    await make_circle(d, "bob")
    posts = len(await d.bot_posts())
    now = await d.ask("bob", "support now", expect="emergency number")
    assert now.private
    assert now.text.splitlines()[0] == (
        "If you are in danger right now, please call your local emergency number."
    )
    assert "findahelpline.com" in now.text
    assert len(await d.bot_posts()) == posts
