"""Markdown into Matrix content: HTML without injected markup, no pings, events that fit."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.platforms.matrix.render import (
    MAX_CONTENT_BYTES,
    WORD_JOINER,
    content_bytes,
    edit_content,
    message_content,
    split,
    to_html,
)


def test_markdown_becomes_html_beside_a_plain_body() -> None:
    """Bold, code and line breaks render; the body keeps the Markdown as readable text."""
    content = message_content("**Tuesday** has a home\nsay `!ck circle join`")
    assert content["body"] == "**Tuesday** has a home\nsay `!ck circle join`"
    assert content["format"] == "org.matrix.custom.html"
    assert (
        content["formatted_body"]
        == "<strong>Tuesday</strong> has a home<br />\nsay <code>!ck circle join</code>"
    )


def test_html_from_members_stays_text() -> None:
    """Raw HTML and javascript: links in member text never become markup."""
    html = to_html(
        '<img src=x onerror=alert(1)> [a](javascript:alert(1)) <a href="https://x">x</a>'
    )
    assert "<img" not in html
    assert "<a href" not in html
    assert "&lt;img" in html


def test_every_message_mentions_nobody_and_room_pings_are_defused() -> None:
    """m.mentions is empty, and @room (also as an HTML entity) cannot notify the room."""
    content = message_content("hello @room, and &#64;room, and @Room")
    assert content["m.mentions"] == {}
    assert "@room" not in content["body"].lower()
    assert "@room" not in content["formatted_body"].lower()
    assert f"@{WORD_JOINER}room" in content["body"]


def test_a_short_text_is_one_piece() -> None:
    """Ordinary texts are sent as they are."""
    assert split("just a line") == ["just a line"]


def test_a_long_text_splits_at_paragraphs_and_each_piece_fits() -> None:
    """100 kB of paragraphs come back whole, cut only between paragraphs, each under the limit."""
    paragraphs = [f"Paragraph {n}: " + "a few quiet words " * 5 for n in range(1100)]
    text = "\n\n".join(paragraphs)
    pieces = split(text)
    assert len(pieces) > 1
    assert "\n\n".join(pieces) == text
    assert all(content_bytes(message_content(p)) <= MAX_CONTENT_BYTES for p in pieces)


def test_emoji_heavy_text_still_fits() -> None:
    """JSON escapes make an emoji 12 bytes; pieces are measured as sent, not by characters."""
    text = "\N{SEEDLING}" * 40_000
    pieces = split(text)
    assert "".join(pieces) == text
    assert all(content_bytes(message_content(p)) <= MAX_CONTENT_BYTES for p in pieces)


def test_a_code_fence_cut_in_two_stays_a_code_block_in_both_pieces() -> None:
    """A piece that ends inside a fence closes it, and the next piece reopens it."""
    text = "```json\n" + "\n".join(f'  "key{n}": "value"' for n in range(3000)) + "\n```"
    pieces = split(text)
    assert len(pieces) > 1
    assert all(p.count("```") % 2 == 0 for p in pieces)
    assert all("<pre><code" in to_html(p) for p in pieces)


def test_an_edit_replaces_the_content_and_fits_even_when_long() -> None:
    """m.replace carries m.new_content, and an over-long edit is cut short to fit one event."""
    content = edit_content("$target", "x" * 100_000)
    assert content["m.relates_to"] == {"rel_type": "m.replace", "event_id": "$target"}
    assert content["m.new_content"]["body"].endswith("…")
    assert content["m.new_content"]["m.mentions"] == {}
    assert len(json.dumps(content).encode()) <= MAX_CONTENT_BYTES


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=3000))
def test_any_text_splits_into_pieces_that_fit(text: str) -> None:
    """Whatever the text, no piece is empty or too big for an event."""
    pieces = split(text)
    assert pieces
    assert all(content_bytes(message_content(p)) <= MAX_CONTENT_BYTES for p in pieces)
