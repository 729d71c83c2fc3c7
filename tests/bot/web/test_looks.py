"""The pages' looks: WCAG AA contrast, a phone-sized layout, keyboard use, escaped names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.chat import MemberRef, Platform, RoomRef
from bot.web.access import Viewer
from bot.web.pages import Pages

WEB = Path(__file__).parents[3] / "bot" / "web"
CSS = (WEB / "static" / "style.css").read_text(encoding="utf-8")
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
HOSTILE = '<script>alert("hi")</script><img src=x onerror=alert(1)>'

# (foreground, background, least ratio): text needs 4.5:1, focus rings and borders 3:1.
PAIRS = [
    ("text", "bg", 4.5),
    ("text", "surface", 4.5),
    ("muted", "bg", 4.5),
    ("link", "bg", 4.5),
    ("link", "surface", 4.5),
    ("accent-text", "accent", 4.5),
    ("ok", "bg", 4.5),
    ("problem", "bg", 4.5),
    ("focus", "bg", 3.0),
    ("border", "bg", 3.0),
    # the charts' bars and swatches are graphics: 3:1 against the page (WCAG 1.4.11)
    *((f"k{i}", "bg", 3.0) for i in range(6)),
    ("text", "surface", 4.5),  # a tag, a command's reply
]


def palettes() -> dict[str, dict[str, str]]:
    light_block = CSS.split("@media (prefers-color-scheme: dark)")[0]
    dark_block = CSS.split("@media (prefers-color-scheme: dark)")[1].split("}\n}")[0]

    def read(block: str) -> dict[str, str]:
        return dict(re.findall(r"--([a-z0-9-]+):\s*(#[0-9a-fA-F]{6})", block))

    return {"light": read(light_block), "dark": read(dark_block)}


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_colour_pair_meets_wcag_aa(scheme: str) -> None:
    """Text on its backgrounds at 4.5:1 or more; focus rings and borders at 3:1 or more."""
    colours = palettes()[scheme]
    for fg, bg, least in PAIRS:
        ratio = contrast(colours[fg], colours[bg])
        assert ratio >= least, f"{scheme}: {fg} on {bg} is {ratio:.2f}:1"


def test_focus_is_always_visible_and_the_page_fits_a_phone() -> None:
    """Every focusable thing gets a visible outline, and the page scales to the screen."""
    assert re.search(r"a:focus-visible, button:focus-visible.*outline: 3px solid", CSS, re.S)
    assert "outline: none" not in CSS.replace("main:focus { outline: none; }", "")
    base = (WEB / "templates" / "base.html").read_text(encoding="utf-8")
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in base
    assert '<html lang="en">' in base


def test_the_skip_link_comes_first_and_leads_to_the_content() -> None:
    """The first thing the keyboard reaches skips to the main content."""
    base = (WEB / "templates" / "base.html").read_text(encoding="utf-8")
    body = base.split("<body>", 1)[1]
    first_link = re.search(r"<(a|button|input)\b[^>]*>", body)
    assert first_link
    assert 'class="skip" href="#main"' in first_link[0]
    assert '<main id="main" tabindex="-1">' in base


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_form_carries_a_csrf_token(template: Path) -> None:
    """No form that posts without its hidden token (a GET form, like the prompts' tag filter,
    only reads, and the server changes nothing on a GET)."""
    html = template.read_text(encoding="utf-8")
    for form in re.findall(r"<form\b.*?</form>", html, re.S):
        assert 'method="post"' in form or 'method="get"' in form, template.name
        if 'method="get"' in form:
            continue
        assert '<input type="hidden" name="csrf" value="{{' in form, template.name


def test_names_are_escaped_wherever_they_appear() -> None:
    """A display name full of markup shows as text, never as markup."""
    viewer = Viewer(
        MemberRef(Platform.DISCORD, "1"),
        RoomRef(Platform.DISCORD, "2", "3"),
        HOSTILE,
        moderator=True,
        facilitator=False,
    )
    pages = Pages()
    common = {"root": "", "page": "circles", "csrf": "t", "title": HOSTILE}
    html = pages.render(
        "circles.html",
        {
            **common,
            "viewer": viewer,
            "intro": HOSTILE,
            "none": "",
            "name_label": "Circle",
            "labels": [HOSTILE],
            "rows": [],
        },
    )
    landing = pages.render(
        "landing.html",
        {**common, "viewer": None, "name": HOSTILE, "action": "/x", "form_csrf": "t", "hours": 12},
    )
    for out in (html, landing):
        assert "<script>" not in out
        assert "<img" not in out
        assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;" in out
