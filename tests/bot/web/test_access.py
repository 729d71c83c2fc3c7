"""Who may open the dashboard and what they may manage, asked of the platform each time."""

from __future__ import annotations

from bot.chat import MemberRef, Platform, RoomRef
from bot.web.access import Access, Viewer
from bot.web.sessions import Session
from cogs.circles.repo import CirclesRepo
from tests.bot.web.conftest import Dash
from tests.sandbox import make_circle


async def test_someone_without_a_role_gets_no_link_and_a_kind_word(dash: Dash) -> None:
    """Bob is a member, not a facilitator: no link, and a sentence that says who can help."""
    await make_circle(dash.sb, "bob")
    out = await dash.sb.say("bob: /dashboard")
    assert "where moderators and facilitators look after the circles" in out
    assert "/signin/" not in out
    assert dash.sb.private_to("bob") == []


async def test_a_facilitator_gets_a_link_and_sees_their_own_circles(dash: Dash) -> None:
    """Dan helps hold Tuesday: he can sign in, as a facilitator."""
    await make_circle(dash.sb, "dan")
    await dash.sb.say("alice: /circle rota add @dan")
    await dash.sign_in("dan")
    html = await (await dash.client.get("/circles")).text()
    assert 'Signed in as <span class="who">Dan</span>, a facilitator here.' in html
    assert "the circles you help hold" in html


async def test_a_role_taken_away_counts_at_the_next_request(dash: Dash) -> None:
    """Once Dan is off the rota, the same session opens nothing more."""
    await make_circle(dash.sb, "dan")
    await dash.sb.say("alice: /circle rota add @dan")
    await dash.sign_in("dan")
    assert (await dash.client.get("/circles")).status == 200
    await dash.sb.say("alice: /circle rota remove @dan")
    response = await dash.client.get("/circles")
    assert response.status == 403
    assert "for moderators and facilitators" in await response.text()


async def test_a_link_of_someone_whose_role_ended_meanwhile_signs_nobody_in(dash: Dash) -> None:
    """A link asked for as a facilitator, pressed after the role ended: no session."""
    await make_circle(dash.sb, "dan")
    await dash.sb.say("alice: /circle rota add @dan")
    path = await dash.link("dan")
    await dash.sb.say("alice: /circle rota remove @dan")
    response = await dash.press_sign_in(path)
    assert response.status == 403
    assert "ck_session" not in response.cookies


async def test_when_the_platform_cant_be_asked_the_page_says_so(dash: Dash) -> None:
    """Roles come from the platform; when it is away, no page guesses them."""
    await dash.sign_in("alice")
    chat = dash.sb.chat_or_fail()
    assert dash.sb.app is not None
    dash.sb.app.hub.unregister(Platform.LOCAL)
    try:
        response = await dash.client.get("/circles")
        assert response.status == 503
        assert "I can’t check with Sandbox right now" in await response.text()
    finally:
        dash.sb.app.hub.register(Platform.LOCAL, chat)
    assert (await dash.client.get("/circles")).status == 200


async def test_may_manage_follows_the_space_and_the_rota(dash: Dash) -> None:
    """A moderator manages every circle of their space; a facilitator only their own; nobody
    manages another space's circles."""
    await make_circle(dash.sb, "dan")
    await dash.sb.say("alice: /circle rota add @dan")
    app = dash.sb.app
    assert app is not None
    repo = CirclesRepo(app.db)
    tuesday = await repo.find(dash.sb.chat_or_fail().space, "Tuesday")
    assert tuesday is not None
    room = dash.sb.chat_or_fail().room
    other_room = RoomRef(Platform.LOCAL, room.space_id, "another-room")
    wednesday = await repo.create(
        room=other_room,
        thread=None,
        name="Wednesday",
        description="",
        capacity=8,
        is_open=True,
        time_zone="UTC",
        creator="erin",
        at=dash.sb.clock.now(),
    )
    elsewhere = await repo.create(
        room=RoomRef(Platform.LOCAL, "another-space", "a-room"),
        thread=None,
        name="Thursday",
        description="",
        capacity=8,
        is_open=True,
        time_zone="UTC",
        creator="dan",
        at=dash.sb.clock.now(),
    )
    access = Access(app.hub, app.router.directory)

    async def viewer(who: str) -> Viewer:
        at = dash.sb.clock.now()
        return await access.viewer(Session(MemberRef(Platform.LOCAL, who), room, "x", at, at))

    alice, dan = await viewer("alice"), await viewer("dan")
    assert alice.moderator
    assert not dan.moderator
    assert dan.facilitator
    assert await access.may_manage(alice, tuesday)
    assert await access.may_manage(alice, wednesday)
    assert not await access.may_manage(alice, elsewhere)
    assert await access.may_manage(dan, tuesday)
    assert not await access.may_manage(dan, wednesday)
    assert not await access.may_manage(dan, elsewhere)  # his, but not in this space
