"""Checks for text that people give the bot: names, one-line phrases and longer text.

Each check returns the cleaned text and, when the text cannot be used, a problem that knows
how to explain itself kindly. Nothing here raises for bad input.
"""

from __future__ import annotations

import enum
import re
import unicodedata

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_INVISIBLE = frozenset("\u200b\u200c\u2060\ufeff\u180e\u00ad")
_ZWJ = "\u200d"
_SPACES = re.compile(r"\s+")


class TextProblem(enum.Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL = "control"
    INVISIBLE = "invisible"
    BIDI = "bidi"
    MULTILINE = "multiline"
    UNENCODABLE = "unencodable"

    def sentence(self, label: str, max_length: int | None = None) -> str:
        return {
            TextProblem.EMPTY: f"The {label} is empty; could you give me a few words?",
            TextProblem.TOO_LONG: f"The {label} is longer than I can keep"
            + (f" ({max_length} characters at most)" if max_length else "")
            + "; could you shorten it?",
            TextProblem.CONTROL: f"The {label} has control characters in it that I can't show safely; could you type it again without them?",
            TextProblem.INVISIBLE: f"The {label} has invisible characters (like zero-width spaces) that would make it hard for others to type; could you type it again without them?",
            TextProblem.BIDI: f"The {label} has direction-changing characters that can disguise text, so I can't use it. Could you type it again without them?",
            TextProblem.MULTILINE: f"The {label} should fit on one line.",
            TextProblem.UNENCODABLE: f"The {label} has characters I can't read; could you type it again?",
        }[self]


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return True


def _is_emoji_zwj(text: str, i: int) -> bool:
    """A zero-width joiner between two pictographs is part of one emoji (👩‍👧), not a trick."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    return (
        bool(before and after)
        and unicodedata.category(before) in ("So", "Sk", "Mn")
        and (unicodedata.category(after) == "So")
    )


def _scan(text: str, *, allow_newlines: bool) -> TextProblem | None:
    for i, ch in enumerate(text):
        if ch in _BIDI_CONTROLS:
            return TextProblem.BIDI
        if ch in "\n\t":
            if not allow_newlines:
                return TextProblem.MULTILINE if ch == "\n" else None
            continue
        category = unicodedata.category(ch)
        if ch == _ZWJ:
            if not _is_emoji_zwj(text, i):
                return TextProblem.INVISIBLE
            continue
        if ch in _INVISIBLE:
            return TextProblem.INVISIBLE
        if category in ("Cc", "Cs") or ch in "\u2028\u2029":
            return (
                TextProblem.MULTILINE
                if ch in "\r\u2028\u2029" and not allow_newlines
                else TextProblem.CONTROL
            )
        if category in ("Cf", "Co", "Cn"):
            return TextProblem.INVISIBLE if category == "Cf" else TextProblem.CONTROL
    return None


def _problem(cleaned: str, max_length: int, *, allow_newlines: bool) -> TextProblem | None:
    """What keeps cleaned text from being used, if anything: a character, emptiness, length."""
    problem = _scan(cleaned, allow_newlines=allow_newlines)
    if problem is not None:
        return problem
    if not cleaned:
        return TextProblem.EMPTY
    if len(cleaned) > max_length:
        return TextProblem.TOO_LONG
    return None


def check_name(text: str, *, max_length: int = 40) -> tuple[str, TextProblem | None]:
    """A short label, such as a circle's name: one line, visible characters, spaces folded."""
    if not _encodable(text):
        return "", TextProblem.UNENCODABLE
    cleaned = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if "\n" in text.strip() or "\r" in text.strip():
        return cleaned, TextProblem.MULTILINE
    return cleaned, _problem(cleaned, max_length, allow_newlines=False)


def check_line(text: str, *, max_length: int = 200) -> tuple[str, TextProblem | None]:
    """One line of free text, such as a short prompt."""
    if not _encodable(text):
        return "", TextProblem.UNENCODABLE
    cleaned = unicodedata.normalize("NFC", text).strip()
    return cleaned, _problem(cleaned, max_length, allow_newlines=False)


def check_text(text: str, *, max_length: int = 2000) -> tuple[str, TextProblem | None]:
    """Longer text, such as a description or a proposal: line breaks are fine.

    Invisible spacing characters are quietly dropped (phones insert them); characters that can
    disguise text are refused.
    """
    if not _encodable(text):
        return "", TextProblem.UNENCODABLE
    normalised = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(ch for ch in normalised if ch not in _INVISIBLE).strip()
    return cleaned, _problem(cleaned, max_length, allow_newlines=True)


def name_key(name: str) -> str:
    """How names compare: case, width and accents-in-composed-form do not make a new name."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def clip(text: str, length: int) -> str:
    """Shorten for display, marking the cut with an ellipsis."""
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def printable(text: str) -> str:
    """Unchecked input made safe to echo: control and format characters left out."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
