"""Whether a member's own message names a hard moment of their own, in explicit words: pure
rules, no I/O, nothing kept. It reads sentence by sentence; quoted lines (``>``) and text in
quotation marks are someone else's words and are left out.

The vocabulary lives in ``hard_moments.toml`` next to this module; its recall and its rate of
false offers are measured on our own labelled set (``corpus/support``) by
``bench/support_offers.py``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
_QUOTED = re.compile(r"[\"“”][^\"“”]*[\"“”]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    phrases: tuple[re.Pattern[str], ...]
    not_about_now: tuple[re.Pattern[str], ...]


@functools.cache
def vocabulary() -> Vocabulary:
    raw = tomllib.loads(
        (resources.files("cogs.support") / "hard_moments.toml").read_text(encoding="utf-8")
    )
    return Vocabulary(
        tuple(re.compile(p) for p in raw["phrases"]),
        tuple(re.compile(p) for p in raw["not_about_now"]),
    )


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u02bc", "'")
    return _SPACES.sub(" ", text.lower()).strip()


def names_a_hard_moment(text: str, words: Vocabulary | None = None) -> bool:
    """True when one sentence of the writer's own says plainly that they are in a hard moment
    now ("I can't take much more"), not someone else's words, another time, or a joke."""
    words = words or vocabulary()
    own = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(">"))
    own = _QUOTED.sub(" ", own)
    for sentence in _SENTENCE.split(own):
        said = _normalise(sentence)
        if not said:
            continue
        if any(p.search(said) for p in words.phrases) and not any(
            p.search(said) for p in words.not_about_now
        ):
            return True
    return False
