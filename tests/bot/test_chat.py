"""The neutral vocabulary: emoji keys are normalised once, at the edge."""

from __future__ import annotations

import pytest

from bot.chat import normalise_emoji


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("❤️", "❤"),
        ("❤", "❤"),
        ("✋🏽", "✋"),
        ("👍🏿", "👍"),
        ("✅", "✅"),
        (" 🤔 ", "🤔"),
        ("👩‍👧", "👩‍👧"),
    ],
)
def test_emoji_variants_become_one_key(key: str, expected: str) -> None:
    """Variation selectors and skin tones are stripped; joined emoji stay whole."""
    assert normalise_emoji(key) == expected
