"""The dashboard in a real headless Chromium, used with the keyboard alone, on a phone's screen.

The link comes from the sandbox through the real ``/dashboard`` command, served by the real
web server the bot starts. Screenshots of each page go to ``artifacts/browser/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config, WebConfig
from tests.sandbox import Sandbox, make_circle

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()  # looked at once, at import
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parents[3] / "artifacts" / "browser"
LINK = re.compile(r"<(http://[^>\s]+/signin/[^>\s]+)>")
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


def unavailable(why: str) -> None:
    """In CI a missing browser is a failure; on a laptop without one, a skip that says why."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why} (CI must run the browser tests)")
    pytest.skip(why)


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    if not HAVE_CHROMIUM:
        unavailable("Debian's chromium is not installed at /usr/bin/chromium")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def sb(tmp_path: Path) -> AsyncIterator[Sandbox]:
    config = Config(data_dir=str(tmp_path / "data"), web=WebConfig(enabled=True, port=0))
    sandbox = Sandbox(tmp_path, config=config)
    await sandbox.open()
    try:
        yield sandbox
    finally:
        await sandbox.close()


async def focused(page: Any) -> dict[str, str]:
    """What has the keyboard's focus, and how its focus shows."""
    result: dict[str, str] = await page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {tag: el.tagName.toLowerCase(), id: el.id, text: el.textContent.trim(),
                    cls: el.className, outline: style.outlineStyle + ' ' + style.outlineWidth,
                    visible: String(box.top >= 0 && box.bottom <= innerHeight && box.width > 0)};
        }"""
    )
    return result


async def tab_to(page: Any, text: str, *, most: int = 12) -> dict[str, str]:
    """Press Tab until the element with ``text`` has the focus (as a keyboard user would)."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        now = await focused(page)
        if now["text"] == text:
            return now
    raise AssertionError(f"Tab never reached “{text}”")


async def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def test_sign_in_move_around_and_sign_out_with_the_keyboard(
    sb: Sandbox, browser: Any
) -> None:
    """Alice asks for a link in the sandbox, signs in, visits each page and signs out, using
    only the keyboard; the used link then opens nothing."""
    await make_circle(sb, "bob")
    await sb.say("alice: /dashboard")
    found = LINK.search(sb.private_to("alice")[-1])
    assert found, sb.private_to("alice")
    link = found[1]

    page = await browser.new_page(viewport=PHONE)
    await page.goto(link)
    skip = await tab_to(page, "Skip to the page’s content")
    assert skip["cls"] == "skip"
    assert skip["visible"] == "true"  # it slides into view when focused
    assert skip["outline"] == "solid 3px"
    await shoot(page, "1-sign-in")

    button = await tab_to(page, "Sign in")
    assert button["outline"] == "solid 3px"
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith("/circles"), await page.content()
    assert await page.text_content("h1") == "Circles"
    assert "Signed in as Alice, a moderator here." in await page.text_content("footer")
    await shoot(page, "2-circles")

    await tab_to(page, "Skip to the page’s content")
    await page.keyboard.press("Enter")
    assert (await focused(page))["id"] == "main"

    await page.keyboard.press("Shift+Tab")  # back up into the header
    await tab_to(page, "Health", most=16)
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.text_content("h1") == "Health"
    assert "Everything is running." in await page.text_content("main")
    assert "Connected" in await page.text_content("table")
    await shoot(page, "3-health")

    await tab_to(page, "Sign out")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert page.url.endswith("/signed-out")
    assert await page.text_content("h1") == "You’re signed out"
    await shoot(page, "4-signed-out")

    response = await page.goto(link.split("/signin/")[0] + "/circles")
    assert response.status == 401
    response = await page.goto(link)
    assert response.status == 410
    assert await page.text_content("h1") == "This link has been used already"
    await shoot(page, "5-link-used")


async def test_the_pages_read_well_on_a_wide_screen_too(sb: Sandbox, browser: Any) -> None:
    """On a desktop-wide window the column stays readable, nothing overflows sideways."""
    await sb.say("alice: /dashboard")
    found = LINK.search(sb.private_to("alice")[-1])
    assert found
    page = await browser.new_page(viewport={"width": 1280, "height": 800})
    await page.goto(found[1])
    async with page.expect_navigation():
        await page.click("button.primary")
    width = await page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    assert width <= 44 * 17 + 1  # the column's max width, in pixels at 17px per rem
    phone = await browser.new_page(viewport={"width": 320, "height": 640})
    phone_context_cookie = await page.context.cookies()
    await phone.context.add_cookies(phone_context_cookie)
    await phone.goto(found[1].split("/signin/")[0] + "/health")
    overflow = await phone.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    assert overflow is False
    await shoot(page, "6-circles-wide")
    await shoot(phone, "7-health-narrow")


async def press(page: Any, command: str, **fields: str) -> None:
    """Fill the form that runs ``command`` (opening its fold first) and press its button."""
    form = page.locator(f"form.action:has(input[name=command][value='{command}'])").first
    fold = page.locator(f"details.actions:has(input[name=command][value='{command}'])").first
    if await fold.count() and not await fold.evaluate("d => d.open"):
        await fold.locator("summary").click()
    for name, value in fields.items():
        await form.locator(f"[name={name}]").fill(value)
    async with page.expect_navigation():
        await form.locator("button[type=submit]").click()


async def test_edit_a_schedule_and_approve_a_suggestion_and_the_room_hears_it(
    sb: Sandbox, browser: Any
) -> None:
    """Signed in through the sandbox's link, alice changes a schedule and adds bob's suggested
    prompt from the pages; the circle's room says so, as for the typed commands. Each main
    page is photographed for the artefacts."""
    await make_circle(sb, "bob", extra="time_zone=Europe/Berlin")
    await sb.say(
        "alice: /schedule add mondays 19:30",
        "bob: /prompt suggest What helped you feel heard this week?",
        "bob: /agreement propose We start and end on time.",
    )
    await sb.say("alice: /dashboard")
    found = LINK.search(sb.private_to("alice")[-1])
    assert found
    base = found[1].split("/signin/")[0]
    page = await browser.new_page(viewport=PHONE)
    await page.goto(found[1])
    async with page.expect_navigation():
        await page.click("button.primary")
    assert await page.text_content("h1") == "Circles"
    await shoot(page, "10-circles")

    async with page.expect_navigation():
        await page.click("text=Tuesday")
    assert await page.text_content("h1") == "Tuesday"
    await shoot(page, "11-circle-overview")

    async with page.expect_navigation():
        await page.click("nav.tabs >> text=Schedules")
    assert "Sun 8 Mar" not in await page.text_content("main")
    assert "Mon 2 Mar 2026, 19:30" in await page.text_content("main")
    await shoot(page, "12-schedules")
    sb.mark()
    await press(page, "schedule edit", when="tuesdays 18:00")
    assert await page.text_content("h1") == "Done"
    assert "I said so in the circle" in await page.text_content("main")
    assert "🗓️ Schedule #1 is changed" in sb.since_mark  # the room heard it
    assert "tuesdays 18:00" in sb.since_mark
    async with page.expect_navigation():
        await page.click("text=Back to Tuesday: Schedules")
    assert "#1 · tuesdays 18:00" in await page.text_content("main")

    async with page.expect_navigation():
        await page.click("nav.tabs >> text=Prompts")
    assert "What helped you feel heard this week?" in await page.text_content("main")
    await shoot(page, "13-prompts")
    sb.mark()
    await press(page, "prompt approve", title="Feeling heard")
    assert await page.text_content("h1") == "Done"
    assert "“Feeling heard” joins the circle's own deck for Tuesday" in sb.since_mark

    await page.goto(base + "/circles/1")
    for tab, name in (("Agreements", "14-agreements"), ("Changes", "15-changes")):
        async with page.expect_navigation():
            await page.click(f"nav.tabs >> text={tab}")
        await shoot(page, name)
    changes = await page.text_content("main")
    assert "schedule edit" in changes
    assert "the dashboard" in changes
    for path, name in (
        ("/support", "16-nudges"),
        ("/health", "17-health"),
        ("/audit", "18-all-changes"),
    ):
        await page.goto(base + path)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
        assert overflow is False, path
        await shoot(page, name)
    print(f"screenshots in {ARTIFACTS}")  # noqa: T201 - where the artefacts are, with -s


async def test_a_form_works_with_the_keyboard_alone(sb: Sandbox, browser: Any) -> None:
    """Tab to a schedule's fold, open it with Enter, tab to its button and press it."""
    await make_circle(sb)
    await sb.say("alice: /schedule add mondays 19:30", "alice: /dashboard")
    found = LINK.search(sb.private_to("alice")[-1])
    assert found
    page = await browser.new_page(viewport=PHONE)
    await page.goto(found[1])
    async with page.expect_navigation():
        await page.click("button.primary")
    await page.goto(found[1].split("/signin/")[0] + "/circles/1/schedules")
    fold = await tab_to(page, "Change #1 · mondays 19:30", most=30)
    assert fold["tag"] == "summary"
    assert fold["outline"] == "solid 3px"
    await page.keyboard.press("Enter")
    await tab_to(page, "Let the next one pass", most=30)
    sb.mark()
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await page.text_content("h1") == "Done"
    assert "Schedule #1" in sb.since_mark
