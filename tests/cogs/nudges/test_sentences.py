"""How a message is read: cleaning, sentence splitting and the caps on work."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cogs.nudges.sentences import (
    MAX_SENTENCE_CHARS,
    MAX_SENTENCES,
    clean,
    message_sentences,
    normalise_apostrophes,
)


def test_sentences_split_at_ends_but_not_after_abbreviations() -> None:
    """Full stops, question and exclamation marks end sentences; "Dr." does not."""
    text = "I saw Dr. Lee today. It went ok! Did it help? Maybe... we'll see"
    assert message_sentences(text) == [
        "I saw Dr. Lee today.",
        "It went ok!",
        "Did it help?",
        "Maybe...",
        "we'll see",
    ]


def test_lines_are_sentences_of_their_own() -> None:
    """A line break ends a sentence even without punctuation, and blank lines vanish."""
    assert message_sentences("first thought\n\n  second thought  \n") == [
        "first thought",
        "second thought",
    ]


def test_code_and_quotes_are_removed() -> None:
    """Fenced code, inline code and quoted lines are gone after cleaning."""
    text = "> you must\nsee `rm -rf` here\n```\nstop it\n```\nend"
    assert [" ".join(sentence.split()) for sentence in message_sentences(text)] == [
        "see here",
        "end",
    ]
    assert "stop it" not in clean("```python\nstop it\n")  # an unclosed fence runs to the end


def test_invisible_characters_are_dropped_and_letters_normalised() -> None:
    """Zero-width characters go; full-width letters read as plain ones."""
    assert clean("you\u200b sh\u200dould\ufeff") == "you should"
    assert clean("\uff59\uff4f\uff55") == "you"


def test_typographic_apostrophes_become_plain() -> None:
    """Curly apostrophes and look-alikes read as "'" so contractions match one way."""
    assert normalise_apostrophes("don\u2019t can\u02bct won`t") == "don't can't won't"


@given(st.text(max_size=20_000))
def test_work_is_capped_for_any_text(text: str) -> None:
    """However long the text, at most MAX_SENTENCES capped sentences come out."""
    sentences = message_sentences(text)
    assert len(sentences) <= MAX_SENTENCES
    assert all(0 < len(sentence) <= MAX_SENTENCE_CHARS for sentence in sentences)
