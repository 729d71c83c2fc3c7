"""`circle info`: what a circle is about, when it meets, what it has agreed, who facilitates and
how to join; and the places a new member is pointed to it. Also the edges of capacity and of
the waitlist."""

from __future__ import annotations

import sqlite3

from tests.sandbox import Sandbox, make_circle

CONSENT = "\N{WHITE HEAVY CHECK MARK}"


def rows(sb: Sandbox, sql: str) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(sql).fetchall()


async def test_circle_info_tells_a_newcomer_what_the_circle_is(sb: Sandbox) -> None:
    """Someone outside sees the description, places, meeting time, agreements, facilitators
    and how to join, and no member's name beyond the facilitators."""
    await make_circle(sb, "bob", "carol", extra="time_zone=Europe/Berlin")
    await sb.say("alice: /circle rota add @bob", "alice: /meeting set tuesdays 19:00")
    await sb.say(
        "bob: /agreement propose We start and end on time.",
        f"alice +^ {CONSENT}",
        f"bob +^ {CONSENT}",
        f"carol +^ {CONSENT}",
    )
    out = await sb.say("erin: /circle info Tuesday")
    assert "only erin sees: **Tuesday**" in out
    assert "_A small circle._" in out
    assert "3 of 12 places · open to anyone · times in Europe/Berlin" in out
    assert "Facilitators: Alice (facilitating now), Bob." in out
    assert "Meets `tuesdays 19:00` (Europe/Berlin); the next meeting is Tue 3 Mar, 19:00." in out
    assert "Our agreements (1): 1 · We start and end on time." in out
    assert "To join, say `/circle join Tuesday`." in out
    assert "Carol" not in out


async def test_circle_info_for_a_member_says_they_belong_and_their_preference(sb: Sandbox) -> None:
    """A member hears they are part of it (with their own preference), not how to join."""
    await make_circle(sb, "bob")
    await sb.say("bob: /circle preference listening")
    out = await sb.say("bob: /circle info")
    assert "You're part of this circle; you'd like **listening** here." in out
    assert "To join" not in out


async def test_circle_info_for_a_closed_or_full_circle_says_how_in(sb: Sandbox) -> None:
    """A closed circle takes requests; a full open one has a waitlist."""
    await make_circle(sb, extra="open=no")
    assert "Joining is by request: `/circle join Tuesday` asks the facilitators." in await sb.say(
        "erin: /circle info"
    )
    await sb.say("alice: /circle edit open=yes capacity=2", "bob: /circle join")
    assert (
        "It's full just now; `/circle wait Tuesday` takes a place on the waitlist."
        in await sb.say("erin: /circle info")
    )


async def test_a_new_member_is_pointed_to_circle_info(sb: Sandbox) -> None:
    """Joining, being welcomed from a request and taking a freed place all mention `circle info`."""
    await make_circle(sb, extra="capacity=2")
    assert "`/circle info`" in await sb.say("bob: /circle join")
    await sb.say("carol: /circle wait", "bob: /circle leave")
    assert "`/circle info Tuesday`" in sb.private_to("carol")[-1]
    await sb.say(
        "alice: /circle edit open=no capacity=3", "dan: /circle join", "alice: /circle approve @dan"
    )
    assert "`/circle info Tuesday`" in sb.private_to("dan")[-1]


async def test_someone_promoted_from_the_waitlist_is_offered_the_preference_choice(
    sb: Sandbox,
) -> None:
    """The private note for a freed place invites listening or ideas, as joining does."""
    await make_circle(sb, "bob", extra="capacity=2")
    await sb.say("carol: /circle wait", "bob: /circle leave")
    note = sb.private_to("carol")[-1]
    assert "`/circle preference listening Tuesday`" in note
    assert "`/circle preference ideas Tuesday`" in note


async def test_a_welcomed_request_is_offered_the_preference_choice(sb: Sandbox) -> None:
    """Someone whose request is welcomed hears how to say what support they'd like."""
    await make_circle(sb, extra="open=no")
    await sb.say("bob: /circle join", "alice: /circle approve @bob")
    assert "`/circle preference listening Tuesday`" in sb.private_to("bob")[-1]


async def test_shrinking_capacity_below_the_members_says_what_it_means_and_moves_no_one(
    sb: Sandbox,
) -> None:
    """Four members, capacity 2: everyone keeps their place, and the reply says new people
    wait until the circle is smaller."""
    await make_circle(sb, "bob", "carol", "dan")
    before = rows(sb, "SELECT member_id FROM circle_members ORDER BY seq")
    out = await sb.say("alice: /circle edit capacity=2")
    assert "Updated **Tuesday**: 2 places." in out
    assert (
        "Tuesday has 4 members now, more than its 2 places. Everyone keeps their place; newcomers wait until one is free."
        in out
    )
    assert rows(sb, "SELECT member_id FROM circle_members ORDER BY seq") == before
    assert "is full right now (4 of 2 places)" not in await sb.say("erin: /circle join")
    assert rows(sb, "SELECT member_id FROM circle_members ORDER BY seq") == before
