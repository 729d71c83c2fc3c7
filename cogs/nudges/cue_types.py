"""The shared vocabulary of the cue rules: what a cue is, and how words are found fast.

Pure, no I/O. See `cogs.nudges.cues` for what the rules look for.
"""

from __future__ import annotations

import re
from typing import NamedTuple

WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words_of(sentence: str) -> frozenset[str]:
    """The set of words in a lower-cased sentence, contractions kept whole ("don't")."""
    return frozenset(WORD.findall(sentence))


class Cue(NamedTuple):
    """One thing seen in a sentence, with a short human-readable description.

    A named tuple rather than a frozen dataclass: several are made per sentence, and a
    frozen dataclass takes several times longer to build.
    """

    family: str  # stable name, also a model feature: "imperative", "modal", "self_talk" ...
    text: str  # e.g. "a directive: 'you should'"
    advice: bool  # True: points towards advice; False: counter-evidence
    strong: bool = False  # an outright directive
    start: int = 0  # where in the sentence it was seen; reporting cuts cues at this point


class CueReport(NamedTuple):
    """What `find_cues` saw in one sentence."""

    advice: tuple[Cue, ...]
    counter: tuple[Cue, ...]
    hints: tuple[str, ...] = ()

    @property
    def strong(self) -> bool:
        """Whether any advice cue is an outright directive."""
        return any(cue.strong for cue in self.advice)


def word_set(text: str) -> frozenset[str]:
    """The set of whitespace-separated words in ``text``; rules list their words this way."""
    return frozenset(text.split())


def quote(phrase: str, words: int = 4) -> str:
    """The first ``words`` words of ``phrase`` in single quotes, for a cue's description."""
    return "'" + " ".join(phrase.split()[:words]) + "'"


class WordFinder:
    """A pattern searched fast, whose matches must start at a word boundary.

    A leading ``\\b`` stops the regular-expression engine from scanning ahead for the first
    characters of the pattern, which makes a search several times slower. So ``anywhere`` is
    written without it and the boundary is checked here; ``opening`` is matched at the start
    of the sentence only.
    """

    __slots__ = ("anywhere", "opening")

    def __init__(self, anywhere: str | None = None, opening: str | None = None) -> None:
        self.anywhere = re.compile(anywhere) if anywhere else None
        self.opening = re.compile(opening) if opening else None

    def search(self, text: str) -> int | None:
        """Where the first match starts, or None."""
        if self.opening is not None and self.opening.match(text):
            return 0
        if self.anywhere is None:
            return None
        return search_at_word(self.anywhere, text)


def search_at_word(pattern: re.Pattern[str], text: str, position: int = 0) -> int | None:
    """Where the first match of ``pattern`` at a word boundary starts, or None."""
    match = pattern.search(text, position)
    while match is not None:
        start = match.start()
        if start == 0 or not (text[start - 1].isalnum() or text[start - 1] == "'"):
            return start
        match = pattern.search(text, start + 1)
    return None
