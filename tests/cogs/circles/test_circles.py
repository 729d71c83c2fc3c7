"""Circles, spoken through the sandbox: creating, joining, waiting, leaving, the rota, resting."""

from __future__ import annotations

import sqlite3

import pytest

from tests.sandbox import Sandbox, make_circle


def table(sb: Sandbox, sql: str) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(sql).fetchall()


def snapshot(sb: Sandbox) -> dict[str, list[tuple[object, ...]]]:
    """Every circles table, to prove that a refusal changed nothing."""
    names = [
        "circles",
        "circle_members",
        "circle_facilitators",
        "circle_requests",
        "circle_waitlist",
        "rounds",
        "round_turns",
    ]
    return {name: table(sb, f"SELECT * FROM {name} ORDER BY 1, 2") for name in names}  # noqa: S608


# --- creating ------------------------------------------------------------------------------


async def test_a_moderator_creates_a_circle_bound_to_the_room(sb: Sandbox) -> None:
    """Creating a circle announces it and makes the creator its first member and facilitator."""
    out = await sb.say(
        "alice: /circle create Tuesday A small circle for Tuesday evenings. capacity=6 time_zone=Europe/Berlin"
    )
    assert "**Tuesday** has a home here now" in out
    assert "6 places · open to anyone · times in Europe/Berlin" in out
    assert "Alice is facilitating to begin with" in out
    assert table(sb, "SELECT name, capacity, time_zone, room_id FROM circles") == [
        ("Tuesday", 6, "Europe/Berlin", "sandbox-room")
    ]
    assert table(sb, "SELECT member_id FROM circle_members") == [("alice",)]


async def test_a_plain_member_cannot_create_a_circle(sb: Sandbox) -> None:
    """Someone who is neither moderator nor facilitator is refused kindly, and nothing changes."""
    before = snapshot(sb)
    out = await sb.say("bob: /circle create Tuesday")
    assert "only bob sees: Starting a circle is for moderators and facilitators" in out
    assert snapshot(sb) == before


async def test_a_facilitator_of_another_circle_may_create_one(sb: Sandbox) -> None:
    """Facilitators can start circles too: Bob facilitates Tuesday, so he may make a home for another."""
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob", "alice: /round start")
    out = await sb.say("bob ^: /circle create Wednesday")
    assert "**Wednesday** has a home here now" in out
    assert table(sb, "SELECT name, thread_id IS NOT NULL FROM circles ORDER BY id") == [
        ("Tuesday", 0),
        ("Wednesday", 1),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("alice ^: /circle create Tuesday", "There's already a circle called “Tuesday”"),
        ("alice ^: /circle create tuesday", "There's already a circle called “tuesday”"),
        (
            "alice ^: /circle create " + "x" * 41,
            "The name is longer than I can keep (40 characters at most)",
        ),
        ("alice ^: /circle create Tue\u200bsday", "The name has invisible characters"),
        ("alice ^: /circle create Tue\x07sday", "The name has control characters"),
        ("alice ^: /circle create Tue\u202esday", "The name has direction-changing characters"),
        ("alice ^: /circle create a=b", "Circle names can't contain “=”"),
        ("alice ^: /circle create Other " + "d" * 501, "The description is longer than I can keep"),
        (
            "alice ^: /circle create Other capacity=1",
            "The capacity can be between 2 and 500; 1 is outside that",
        ),
        ("alice ^: /circle create Other capacity=300", "A circle here can have up to 100 places"),
        ("alice ^: /circle create Other capacity=many", "The capacity should be a whole number"),
        (
            "alice ^: /circle create Other time_zone=Mars/Olympus",
            "I don't know the time zone “Mars/Olympus”",
        ),
        ("alice ^: /circle create Other open=perhaps", "For open, I understand yes or no"),
        ("alice ^: /circle create", "I need the name for that"),
    ],
)
async def test_bad_input_when_creating_gets_a_kind_sentence_and_changes_nothing(
    sb: Sandbox, line: str, expected: str
) -> None:
    """Each kind of bad input while creating is refused with a clear sentence, and nothing changes."""
    # Tuesday lives in the room; the new circle would live in the round's thread (^).
    await sb.say("alice: /circle create Tuesday", "alice: /round start")
    before = snapshot(sb)
    out = await sb.say(line)
    assert f"only alice sees: {expected}" in out
    assert snapshot(sb) == before


async def test_an_unknown_setting_is_named(sb: Sandbox) -> None:
    """A setting the command doesn't have is named back, and nothing changes."""
    await make_circle(sb)
    before = snapshot(sb)
    out = await sb.say("alice: /circle edit colour=blue")
    assert "`circle edit` has no option called “colour”" in out
    assert snapshot(sb) == before


async def test_a_second_circle_cannot_share_a_room(sb: Sandbox) -> None:
    """A room is home to one circle; a second one is pointed elsewhere."""
    await sb.say("alice: /circle create Tuesday")
    out = await sb.say("alice: /circle create Wednesday")
    assert "This room is already home to Tuesday" in out


# --- joining and leaving --------------------------------------------------------------------


async def test_joining_welcomes_the_member_and_invites_a_preference(sb: Sandbox) -> None:
    """Joining an open circle welcomes the person by name and mentions preferences."""
    await make_circle(sb)
    out = await sb.say("bob: /circle join Tuesday")
    assert "Welcome to **Tuesday**, Bob." in out
    assert "/circle preference listening" in out


async def test_joining_twice_is_refused_gently(sb: Sandbox) -> None:
    """A member who joins again is told they are already part of it."""
    await make_circle(sb, "bob")
    before = snapshot(sb)
    out = await sb.say("bob: /circle join")
    assert "only bob sees: You're already part of Tuesday." in out
    assert snapshot(sb) == before


async def test_an_unknown_circle_is_named_with_a_way_forward(sb: Sandbox) -> None:
    """Naming a circle that doesn't exist explains and points to the list."""
    out = await sb.say("bob: /circle join Thursday")
    assert "I couldn't find a circle called “Thursday” here. `/circle list`" in out


async def test_leaving_a_circle_you_are_not_in_changes_nothing(sb: Sandbox) -> None:
    """Leaving a circle one isn't part of is a gentle no-op."""
    await make_circle(sb)
    before = snapshot(sb)
    out = await sb.say("bob: /circle leave")
    assert "You're not part of Tuesday, so there's nothing to leave." in out
    assert snapshot(sb) == before


async def test_a_full_circle_offers_the_waitlist_and_a_freed_place_goes_to_the_first_waiting(
    sb: Sandbox,
) -> None:
    """When full, joining offers the waitlist; when someone leaves, the first waiting gets a private note."""
    await make_circle(sb, "bob", extra="capacity=2")
    before = snapshot(sb)
    out = await sb.say("carol: /circle join")
    assert "Tuesday is full right now (all 2 places are taken)" in out
    assert "`/circle wait Tuesday`" in out
    assert snapshot(sb) == before
    await sb.say("carol: /circle wait", "dan: /circle wait")
    assert table(sb, "SELECT member_id FROM circle_waitlist ORDER BY seq") == [("carol",), ("dan",)]
    out = await sb.say("bob: /circle leave")
    assert "You've left Tuesday" in out
    assert "Welcome to **Tuesday**, Carol: a place opened up." in out
    assert any("A place opened in **Tuesday**, and it's yours" in t for t in sb.private_to("carol"))
    assert sb.private_to("dan") == []
    assert table(sb, "SELECT member_id FROM circle_waitlist") == [("dan",)]


async def test_waiting_twice_and_leaving_the_waitlist(sb: Sandbox) -> None:
    """Someone already waiting is told so; leaving takes them off the waitlist."""
    await make_circle(sb, extra="capacity=2")
    await sb.say("bob: /circle join", "carol: /circle wait")
    out = await sb.say("carol: /circle wait")
    assert "You're already on the waitlist for Tuesday." in out
    out = await sb.say("carol: /circle leave")
    assert "You're off the waitlist for Tuesday." in out
    assert table(sb, "SELECT * FROM circle_waitlist") == []


async def test_a_closed_circle_takes_requests_that_a_facilitator_answers(sb: Sandbox) -> None:
    """In a closed circle, joining asks the facilitators; approving welcomes, declining is kind."""
    await make_circle(sb, extra="open=no")
    out = await sb.say("bob: /circle join")
    assert "a closed circle, so I've passed your request to its facilitators" in out
    assert any("Bob would like to join **Tuesday**" in t for t in sb.private_to("alice"))
    out = await sb.say("bob: /circle join")
    assert "already with its facilitators" in out
    await sb.say("carol: /circle join")
    out = await sb.say("alice: /circle requests")
    assert "Bob, Carol" in out
    out = await sb.say("alice: /circle approve @bob")
    assert "Bob is now part of Tuesday." in out
    assert any("was welcomed" in t for t in sb.private_to("bob"))
    out = await sb.say("alice: /circle decline @carol")
    assert "I've let Carol know privately." in out
    assert any("can't offer a place just now" in t for t in sb.private_to("carol"))
    assert table(sb, "SELECT member_id FROM circle_members ORDER BY seq") == [("alice",), ("bob",)]
    assert table(sb, "SELECT * FROM circle_requests") == []


async def test_only_facilitators_answer_requests(sb: Sandbox) -> None:
    """A member without the role cannot approve, and nothing changes."""
    await make_circle(sb, "bob", extra="open=no")
    await sb.say("alice: /circle approve @bob", "carol: /circle join")
    before = snapshot(sb)
    out = await sb.say("bob: /circle approve @carol")
    assert "That one is for the facilitators of Tuesday (or a moderator)" in out
    assert snapshot(sb) == before


async def test_approving_someone_who_did_not_ask(sb: Sandbox) -> None:
    """Approving a person with no request is refused with their name."""
    await make_circle(sb, extra="open=no")
    out = await sb.say("alice: /circle approve @zoe")
    assert "Zoe hasn't asked to join Tuesday." in out


async def test_approving_into_a_full_circle_puts_them_on_the_waitlist(sb: Sandbox) -> None:
    """A welcomed request into a full circle becomes the first place on the waitlist."""
    await make_circle(sb, extra="open=no capacity=2")
    await sb.say("bob: /circle join", "alice: /circle approve @bob", "carol: /circle join")
    out = await sb.say("alice: /circle approve @carol")
    assert "Tuesday is full, so Carol is on the waitlist" in out
    assert table(sb, "SELECT member_id FROM circle_waitlist") == [("carol",)]


# --- looking around ------------------------------------------------------------------------


async def test_the_member_list_shows_preferences_and_the_rota(sb: Sandbox) -> None:
    """To a facilitator, members show with their support preference (default unset) and role."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say("bob: /circle preference listening", "carol: /circle preference ideas")
    await sb.say("alice: /circle rota add @dan")
    out = await sb.say("alice: /circle members Tuesday")
    assert "**Tuesday** · 4 of 12 places · open to anyone · UTC" in out
    assert "• Alice · facilitating" in out
    assert "• Bob · listening" in out
    assert "• Carol · open to ideas" in out
    assert "• Dan · on the rota" in out


async def test_a_preference_is_for_members_only(sb: Sandbox) -> None:
    """Someone outside the circle cannot set a preference there."""
    await make_circle(sb)
    out = await sb.say("bob: /circle preference listening")
    assert "That's for members of Tuesday" in out
    out = await sb.say("bob: /circle preference loud")
    assert "For preference, the choices are: listening, ideas, unset." in out


async def test_the_list_shows_every_circle_in_the_space(sb: Sandbox) -> None:
    """`circle list` lists circles with places and openness; an empty space says how to start."""
    out = await sb.say("bob: /circle list")
    assert "There are no circles in this space yet" in out
    await make_circle(sb, "bob")
    out = await sb.say("bob: /circle list")
    assert "• **Tuesday** · 2 of 12 places · open to anyone — A small circle." in out


# --- the rota --------------------------------------------------------------------------------


async def test_facilitation_passes_round_the_rota(sb: Sandbox) -> None:
    """Passing moves facilitation to the next person and wraps back to the first."""
    await make_circle(sb, "bob", "carol")
    await sb.say("alice: /circle rota add @bob", "alice: /circle rota add @carol")
    out = await sb.say("alice: /circle rota show")
    assert "Alice → Bob → Carol. Alice is facilitating now." in out
    assert "passes to Bob" in await sb.say("alice: /circle rota pass")
    assert "passes to Carol" in await sb.say("bob: /circle rota pass")
    assert "passes to Alice" in await sb.say("carol: /circle rota pass")


async def test_the_rota_only_takes_members_and_never_empties(sb: Sandbox) -> None:
    """A non-member can't be added; the last facilitator can't be removed; a plain member can't edit."""
    await make_circle(sb, "bob")
    assert "isn't part of Tuesday yet" in await sb.say("alice: /circle rota add @zoe")
    assert "is the only facilitator of Tuesday" in await sb.say("alice: /circle rota remove @alice")
    assert "That one is for the facilitators" in await sb.say("bob: /circle rota add @bob")
    assert table(sb, "SELECT member_id FROM circle_facilitators") == [("alice",)]


async def test_a_facilitator_who_leaves_hands_facilitation_on(sb: Sandbox) -> None:
    """When the facilitating member leaves, the next on the rota facilitates and the circle hears it."""
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob")
    out = await sb.say("alice: /circle leave")
    assert "Bob is facilitating Tuesday now." in out
    assert table(sb, "SELECT holder_id FROM circles") == [("bob",)]


# --- resting ---------------------------------------------------------------------------------


async def test_a_circle_rests_and_reopens(sb: Sandbox) -> None:
    """Closing archives the circle (commands refuse kindly); reopening brings it back."""
    await make_circle(sb, "bob")
    out = await sb.say("alice: /circle close")
    assert "**Tuesday** is resting now" in out
    out = await sb.say("carol: /circle join")
    assert "Tuesday is resting (archived) right now" in out
    assert "is open again" in await sb.say("alice: /circle reopen")
    assert "Welcome to **Tuesday**, Carol" in await sb.say("carol: /circle join")


async def test_editing_a_circle(sb: Sandbox) -> None:
    """Facilitators edit settings; growing capacity gives waiting people their places."""
    await make_circle(sb, "bob", extra="capacity=2")
    await sb.say("carol: /circle wait")
    out = await sb.say("alice: /circle edit capacity=3 open=no")
    assert "Updated **Tuesday**: 3 places, joining is by request." in out
    assert any("it's yours" in t for t in sb.private_to("carol"))
    assert "What would you like to change?" in await sb.say("alice: /circle edit")
    assert "That one is for the facilitators" in await sb.say("bob: /circle edit capacity=9")


async def test_a_request_reaches_the_circle_when_no_facilitator_takes_private_messages(
    sb: Sandbox,
) -> None:
    """If every facilitator's DMs are closed, the circle hears that a request waits, naming no one."""
    await make_circle(sb, extra="open=no")
    await sb.say(":dms alice closed")
    out = await sb.say("bob: /circle join")
    assert (
        "Someone would like to join **Tuesday**. Facilitators, `/circle requests` shows who." in out
    )
    assert "Bob would like" not in out


async def test_a_declined_request_offers_a_way_to_talk(sb: Sandbox) -> None:
    """The private note after a decline thanks the person and names who they can write to."""
    await make_circle(sb, "bob", extra="open=no")
    await sb.say(
        "alice: /circle approve @bob", "alice: /circle rota add @bob", "carol: /circle join"
    )
    await sb.say("alice: /circle decline @carol")
    note = sb.private_to("carol")[-1]
    assert note.startswith("Thank you for asking to join **Tuesday**.")
    assert "If you'd like to talk it over, you're welcome to write to Alice and Bob." in note
