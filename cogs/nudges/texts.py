"""The words of a nudge: the texts in prompts/nudges.toml, and what was noticed, in words.

Pure apart from reading the file once. Variants rotate, so the same person does not read
the same note twice in a row.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

# What each family of wording sounds like, as a phrase for "I noticed {noticed}".
NOTICED = {
    "imperative": "a reply telling someone what to do",
    "modal": "a “you should”",
    "suggestion": "a suggestion",
    "suggestion_question": "a “have you tried…?”",
    "hypothetical": "an “if I were you”",
    "fix_it": "a quick fix",
    "labelling": "a name put on what someone is going through",
    "learned": "advice-like wording",
}
# How the families read when someone asks `nudges why` later (kept as names, never words).
KIND_NAMES = {
    "imperative": "an instruction (“do this”, “try that”)",
    "modal": "a “you should / you need to”",
    "suggestion": "a suggestion (“you could try”, “it might help to”)",
    "suggestion_question": "a suggestion as a question (“have you tried…?”)",
    "hypothetical": "an “if I were you”",
    "fix_it": "a quick fix (“just…”)",
    "labelling": "a label for someone else's experience",
    "learned": "wording that often comes with advice",
}
PRIVATE_SITUATIONS = ("drift", "listening", "suggestion", "labelling")


@dataclass(frozen=True, slots=True)
class NudgeText:
    id: str
    situation: str
    text: str


class NudgeTexts:
    def __init__(self, by_situation: Mapping[str, Sequence[NudgeText]]) -> None:
        self._by_situation = {k: list(v) for k, v in by_situation.items()}

    @classmethod
    def load(cls) -> NudgeTexts:
        raw = tomllib.loads(resources.files("prompts").joinpath("nudges.toml").read_text(encoding="utf-8"))
        by_situation: dict[str, list[NudgeText]] = {}
        for item in raw["nudges"]:
            text = NudgeText(item["id"], item["situation"], item["text"])
            by_situation.setdefault(text.situation, []).append(text)
        return cls(by_situation)

    def variants(self, situation: str) -> Sequence[NudgeText]:
        return self._by_situation.get(situation, ())

    def pick(self, situation: str, turn: int) -> NudgeText:
        """The ``turn``-th variant for a situation, round and round (private notes fall back
        to the general drift texts)."""
        variants = self.variants(situation) or self.variants("drift")
        return variants[turn % len(variants)]

    def render(self, text: NudgeText, *, noticed: str, prefix: str) -> str:
        return text.text.format(noticed=noticed, opt_out=f"`{prefix}nudges off`", why=f"`{prefix}nudges why`")


def noticed(kinds: Sequence[str], advice_count: int) -> str:
    """Say briefly what was noticed: the wording of the tipping reply, and how many came."""
    phrase = next((NOTICED[k] for k in kinds if k in NOTICED), NOTICED["learned"])
    if advice_count >= 3:
        return f"{phrase}, after a few other suggestions"
    if advice_count == 2:
        return f"{phrase}, after another suggestion"
    return phrase


def kind_names(kinds: Sequence[str]) -> str:
    names = [KIND_NAMES[k] for k in kinds if k in KIND_NAMES] or [KIND_NAMES["learned"]]
    return "; ".join(names)
