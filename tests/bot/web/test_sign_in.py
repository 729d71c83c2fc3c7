"""Signing in with a one-time link from chat, and signing out: the rules of issue 18."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient, TestServer

from bot import metrics
from bot.config import Config, WebConfig
from bot.web.links import LINK_LIFETIME
from bot.web.server import wire
from tests.bot.web.conftest import FORM_CSRF, Dash
from tests.sandbox import Sandbox


def set_cookies(response: object) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name, as sent."""
    headers = response.headers.getall("Set-Cookie", [])  # type: ignore[attr-defined]
    out = {}
    for header in headers:
        name = header.split("=", 1)[0]
        out[name] = header
    return out


async def test_dashboard_sends_the_link_privately_and_never_in_the_room(dash: Dash) -> None:
    """The link arrives as a private message, and the room shows no trace of it."""
    path = await dash.link("alice")
    assert path.startswith("/signin/")
    token = path.removeprefix("/signin/")
    assert token not in "\n".join(m.text for m in dash.sb.chat_or_fail().messages.values())
    assert token in dash.sb.private_to("alice")[-1]


async def test_opening_the_link_asks_before_it_signs_in(dash: Dash) -> None:
    """The link's page names who it signs in and has a button; opening it spends nothing,
    so a chat's link preview can't use it up."""
    path = await dash.link("alice")
    for _ in range(2):
        response, html = await dash.open_link(path)
        assert response.status == 200
        assert 'This link signs <span class="who">Alice</span> in' in html
        assert "<button" in html
    assert (await dash.press_sign_in(path)).status == 303


async def test_signing_in_opens_the_circles_page(dash: Dash) -> None:
    """After the button, the person lands on the circles page, signed in."""
    response = await dash.press_sign_in(await dash.link("alice"))
    assert response.headers["Location"] == "/circles"
    page = await dash.client.get("/circles")
    html = await page.text()
    assert page.status == 200
    assert 'Signed in as <span class="who">Alice</span>, a moderator here.' in html


async def test_a_link_used_twice_is_refused_the_second_time(dash: Dash) -> None:
    """A link works once: the second press is refused, and so is opening it again."""
    path = await dash.link("alice")
    assert (await dash.press_sign_in(path)).status == 303
    dash.client.session.cookie_jar.clear()
    response, html = await dash.open_link(path)
    assert response.status == 410
    assert "This link has been used already" in html
    assert "/dashboard" in html


async def test_two_presses_racing_sign_in_only_once(dash: Dash) -> None:
    """The same page pressed twice (two tabs): one session, one refusal."""
    path = await dash.link("alice")
    _page, html = await dash.open_link(path)
    csrf = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    first, second = await asyncio.gather(
        *(dash.client.post(path, data={"csrf": csrf}, allow_redirects=False) for _ in range(2))
    )
    assert sorted([first.status, second.status]) == [303, 410]


async def test_an_expired_link_is_refused(dash: Dash) -> None:
    """Ten minutes after it was given, the link no longer opens anything."""
    path = await dash.link("alice")
    await dash.sb.wait(LINK_LIFETIME + timedelta(seconds=1))
    response, html = await dash.open_link(path)
    assert response.status == 410
    assert "This link has run out of time" in html


async def test_a_link_just_inside_its_ten_minutes_still_works(dash: Dash) -> None:
    """At 9 minutes 59 seconds the link still signs in."""
    path = await dash.link("alice")
    await dash.sb.wait(LINK_LIFETIME - timedelta(seconds=1))
    assert (await dash.press_sign_in(path)).status == 303


async def test_a_tampered_link_is_refused(dash: Dash) -> None:
    """Changing any part of the link, or cutting it short, makes it unreadable."""
    path = await dash.link("alice")
    token = path.removeprefix("/signin/")
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    for bad in (flipped, token[:-5], token.replace(".", "", 1), "nonsense", "x" * 300):
        response, html = await dash.open_link(f"/signin/{bad}")
        assert response.status == 400, bad
        assert "This link isn’t one I can read" in html
    assert (await dash.press_sign_in(path)).status == 303  # the real one still works


async def test_a_tampered_link_cannot_be_pressed_either(dash: Dash) -> None:
    """Posting the form to a changed link signs nobody in."""
    path = await dash.link("alice")
    _page, html = await dash.open_link(path)
    csrf = html.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    response = await dash.client.post(path[:-2] + "xx", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 400
    assert "ck_session" not in set_cookies(response)


async def test_the_session_cookie_is_httponly_and_samesite_strict(dash: Dash) -> None:
    """Over plain HTTP (the default, on this machine only) the cookie is HttpOnly and
    SameSite=Strict, lives as long as a session, and is not marked Secure."""
    response = await dash.press_sign_in(await dash.link("alice"))
    cookie = SimpleCookie(set_cookies(response)["ck_session"].split(":", 1)[-1])["ck_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/"
    assert cookie["max-age"] == str(12 * 3600)
    assert not cookie["secure"]
    assert len(cookie.value) >= 40


async def test_a_post_without_the_csrf_token_is_refused(dash: Dash) -> None:
    """Pressing sign-in without the form's token, or with a wrong one, does nothing."""
    path = await dash.link("alice")
    await dash.open_link(path)
    for data in ({}, {"csrf": "wrong"}, {"csrf": ""}):
        response = await dash.client.post(path, data=data, allow_redirects=False)
        assert response.status == 403
        assert "That didn’t go through" in await response.text()
    assert (await dash.press_sign_in(path)).status == 303  # the link wasn't spent


async def test_signing_out_needs_the_csrf_token(dash: Dash) -> None:
    """A sign-out POST without the session's token leaves the session as it was."""
    await dash.sign_in("alice")
    response = await dash.client.post("/signout", data={}, allow_redirects=False)
    assert response.status == 403
    assert (await dash.client.get("/circles")).status == 200


async def test_a_post_from_another_site_is_refused(dash: Dash) -> None:
    """Even with the right token, a form posted from another origin is turned away."""
    csrf = await dash.sign_in("alice")
    for headers in ({"Origin": "https://elsewhere.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = await dash.client.post(
            "/signout", data={"csrf": csrf}, headers=headers, allow_redirects=False
        )
        assert response.status == 403
    assert (await dash.client.get("/circles")).status == 200


async def test_signing_out_ends_the_session(dash: Dash) -> None:
    """After signing out, the old cookie opens nothing, even if someone kept a copy."""
    csrf = await dash.sign_in("alice")
    kept = dash.client.session.cookie_jar.filter_cookies(dash.client.make_url("/"))["ck_session"]
    response = await dash.client.post("/signout", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/signed-out"
    cleared = set_cookies(response)["ck_session"]
    assert "Max-Age=0" in cleared
    signed_out = await dash.client.get("/signed-out")
    assert "You’re signed out" in await signed_out.text()
    page = await dash.client.get("/circles", cookies={"ck_session": kept.value})
    assert page.status == 401
    assert "You’re not signed in" in await page.text()


async def test_sessions_expire(dash: Dash) -> None:
    """A session ends by itself after its hours, signed out or not."""
    await dash.sign_in("alice")
    await dash.sb.wait(timedelta(hours=11, minutes=59))
    assert (await dash.client.get("/circles")).status == 200
    await dash.sb.wait(timedelta(minutes=2))
    assert (await dash.client.get("/circles")).status == 401


async def test_the_pages_need_a_session(dash: Dash) -> None:
    """Without signing in, the pages say how to get a link."""
    for path in ("/circles", "/health"):
        response = await dash.client.get(path)
        assert response.status == 401
        assert "/dashboard" in await response.text()
    start = await dash.client.get("/")
    assert start.status == 200
    assert "say <code>/dashboard</code>" in await start.text()


async def test_behind_https_the_cookies_are_secure_host_cookies(tmp_path: Path) -> None:
    """With https on, the cookies are __Host- cookies: Secure, Path=/, no Domain; links are
    made from public_url, and forms from any other origin are refused."""
    config = Config(
        data_dir=str(tmp_path / "data"),
        web=WebConfig(public_url="https://ck.example.org", https=True),
    )
    sb = Sandbox(tmp_path, config=config)
    await sb.open()
    assert sb.app is not None
    families = metrics.start()
    wired = wire(sb.app, families, lambda: "https://ck.example.org")
    client = TestClient(TestServer(wired.application))
    await client.start_server()
    try:
        await sb.say("alice: /dashboard")
        found = re.search(r"<(https://ck\.example\.org/signin/[^>]+)>", sb.private_to("alice")[-1])
        assert found
        path = urlsplit(found[1]).path
        page = await client.get(path)
        signin = set_cookies(page)["__Host-ck_signin"]
        assert "Secure" in signin
        assert "HttpOnly" in signin
        assert "SameSite=Strict" in signin
        assert "Domain" not in signin
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        csrf = FORM_CSRF.search(await page.text())
        assert csrf
        cookies = {"__Host-ck_signin": SimpleCookie(signin)["__Host-ck_signin"].value}
        refused = await client.post(
            path,
            data={"csrf": csrf[1]},
            cookies=cookies,
            headers={"Origin": f"http://{client.host}:{client.port}"},
            allow_redirects=False,
        )
        assert refused.status == 403
        response = await client.post(
            path,
            data={"csrf": csrf[1]},
            cookies=cookies,
            headers={"Origin": "https://ck.example.org"},
            allow_redirects=False,
        )
        assert response.status == 303
        session = set_cookies(response)["__Host-ck_session"]
        assert "Secure" in session
        assert "HttpOnly" in session
        assert "SameSite=Strict" in session
        assert "Path=/" in session
    finally:
        await client.close()
        metrics.stop(families)
        await sb.close()
