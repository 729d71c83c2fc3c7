"""Circles on every platform: from creation to a check-in round and rest, who may start one,
private answers, and bad input that changes nothing."""

from __future__ import annotations

from tests.contract.driver import Driver, OpenWorld, snapshot, table


async def make_circle(d: Driver, *members: str, name: str = "Tuesday") -> None:
    """Alice (a moderator) starts the circle in the home room; ``members`` join it."""
    await d.ask("alice", f"circle create {name}", expect=f"**{name}** has a home here now")
    for who in members:
        await d.ask(who, "circle join", expect=f"Welcome to **{name}**, {d.name(who)}.")


async def test_a_circle_from_creation_to_a_check_in_round_and_rest(world: OpenWorld) -> None:
    """Create, join, a waitlist, a preference, the rota, a round in its thread, leaving, a place passed on, rest."""
    d = await world("bob", "carol", "dan")
    created = await d.ask(
        "alice",
        "circle create Tuesday A small circle for Tuesday evenings. capacity=3",
        expect="**Tuesday** has a home here now",
    )
    assert not created.private
    await d.ask("bob", "circle join", expect="Welcome to **Tuesday**, Bob.")
    await d.ask("carol", "circle join", expect="Welcome to **Tuesday**, Carol.")
    await d.ask("dan", "circle join", expect="full right now")
    await d.ask("dan", "circle wait", expect="waitlist for Tuesday, number 1")
    await d.ask("bob", "circle preference listening", expect="you'd like **listening**")
    await d.ask(
        "alice",
        f"circle rota add {d.handle('bob')}",
        expect="Bob joins the facilitation rota of Tuesday",
    )
    members = await d.ask("alice", "circle members", expect="Bob · on the rota")
    assert "listening" in members.text

    await d.ask(
        "alice", "round start How are you arriving today?", expect="has begun in its thread"
    )
    root = await d.bot_post("A check-in round for Tuesday")
    assert root.thread is None  # the round's thread grows from this post
    assert "How are you arriving today?" in root.text
    await d.bot_post("Alice, the talking piece is with you", thread=root)
    await d.say("alice", "done", thread=root)
    await d.bot_post("Thank you, Alice. Bob, the talking piece is with you.", thread=root)
    await d.say("carol", "done", thread=root)
    await d.bot_post("The talking piece is with Bob right now", thread=root)
    await d.say("bob", "pass", thread=root)
    await d.bot_post("Thank you, Bob; passing is always welcome. Carol", thread=root)
    closing = await d.ask(
        "carol", "round done", thread=root, expect="That completes the round for **Tuesday**"
    )
    assert closing.post is not None
    assert closing.post.thread == root.id
    assert "Shared: Alice, Carol" in closing.text
    assert "Passed: Bob" in closing.text
    assert table(
        d, "SELECT thread_id, closed_at IS NOT NULL, shared_count, passed_count FROM rounds"
    ) == [(root.id, 1, 2, 1)]

    await d.ask("bob", "circle leave", expect="You've left Tuesday")
    await d.bot_post("Welcome to **Tuesday**, Dan: a place opened up")
    await d.private("dan", "A place opened in **Tuesday**, and it's yours")
    await d.ask("alice", "circle close", expect="**Tuesday** is resting now")


async def test_starting_or_closing_a_circle_without_standing_is_refused_kindly(
    world: OpenWorld,
) -> None:
    """A member who is no moderator can't start a circle, nor close one they only belong to; nothing changes."""
    d = await world("dan", "erin")
    await make_circle(d, "dan")
    before = snapshot(d)
    await d.ask(
        "erin",
        "circle create Fridays",
        expect="Starting a circle is for moderators and facilitators. A moderator can set one up with you.",
    )
    await d.ask(
        "dan",
        "circle close",
        expect="That one is for the facilitators of Tuesday (or a moderator). You could ask one of them.",
    )
    assert snapshot(d) == before
    assert await d.chat.is_moderator(d.member("alice"), d.room)
    assert not await d.chat.is_moderator(d.member("erin"), d.room)


async def test_a_private_answer_reaches_only_the_person_who_asked(world: OpenWorld) -> None:
    """An export goes to the asker alone (privately, or seen only by them), never into the room."""
    d = await world("bob")
    await make_circle(d, "bob")
    export = await d.ask("bob", "privacy export", expect="Here is everything I keep about you")
    assert export.private
    assert export.post is None
    assert [p for p in await d.bot_posts() if "everything I keep about you" in p.text] == []


async def test_bad_options_and_unknown_circles_get_a_kind_sentence_and_change_nothing(
    world: OpenWorld,
) -> None:
    """A circle nobody made, a number out of range and a length out of range are each named kindly."""
    d = await world("bob")
    await make_circle(d)
    before = snapshot(d)
    await d.ask(
        "bob", "circle join Nowhere", expect="I couldn't find a circle called “Nowhere” here."
    )
    await d.ask(
        "alice",
        "circle create Big capacity=1000",
        expect="The capacity can be between 2 and 500; 1000 is outside that.",
    )
    await d.ask(
        "alice", "round start turn=2s", expect="The turn can be between 30 seconds and 30 minutes"
    )
    assert snapshot(d) == before
