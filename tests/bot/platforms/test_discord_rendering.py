"""Cutting text into Discord messages: at most 2,000 characters, between lines, code kept as code."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.platforms.discord.rendering import clip, split_message


def test_short_text_is_one_message_and_blank_text_none() -> None:
    """Text within the limit goes as it is; blank text sends nothing."""
    assert split_message("Welcome, Bobby.") == ["Welcome, Bobby."]
    assert split_message("  \n ") == []


def test_long_text_is_cut_between_lines() -> None:
    """Parts end where lines end, and together they are the text."""
    lines = [f"{n:03d} " + "x" * 95 for n in range(50)]
    parts = split_message("\n".join(lines), limit=1000)
    assert all(len(p) <= 1000 for p in parts)
    assert all(p.split("\n")[0][:3].isdigit() for p in parts)
    assert "\n".join(parts) == "\n".join(lines)


def test_a_very_long_line_is_cut_between_words() -> None:
    """One line longer than a message breaks at a space, never inside a word."""
    text = " ".join(["gentle"] * 500)
    parts = split_message(text, limit=500)
    assert all(len(p) <= 500 for p in parts)
    assert all(word == "gentle" for p in parts for word in p.split())


def test_a_code_block_across_a_cut_is_closed_and_reopened() -> None:
    """Each part of a cut code block is fenced, with its language kept."""
    body = "\n".join(f'  "key{n}": "{"v" * 60}",' for n in range(40))
    parts = split_message(f"Here it is:\n```json\n{body}\n```\nThat's all.", limit=800)
    assert len(parts) > 2
    for part in parts[:-1]:
        assert part.endswith("```")
    for part in parts[1:]:
        assert part.startswith("```json") or part.startswith("That's all")
    assert all(len(p) <= 800 for p in parts)


def test_clip_marks_what_was_cut() -> None:
    """An over-long edit or title is cut at a word and ends with an ellipsis."""
    assert clip("short", 10) == "short"
    clipped = clip("Check-in round for the Tuesday evening circle", 20)
    assert len(clipped) <= 20
    assert clipped.endswith("…")
    assert clipped == "Check-in round for…"


@given(
    st.text(alphabet=st.sampled_from("ab \n`"), max_size=3000),
    st.integers(min_value=100, max_value=700),
)
def test_no_part_is_ever_too_long(text: str, limit: int) -> None:
    """Whatever the text, no part is over the limit and no visible character is lost (fences
    added around a cut are the only additions)."""
    parts = split_message(text, limit=limit)
    assert all(len(p) <= limit for p in parts)
    sent = iter("".join(parts))
    assert all(ch in sent for ch in text if not ch.isspace())  # in order, as a subsequence
