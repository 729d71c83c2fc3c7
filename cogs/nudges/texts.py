"""The words of a nudge: the texts in prompts/nudges.toml, and what was noticed, in words;
and the replies to the nudges commands.

Pure apart from reading the file once. Variants rotate, so the same person does not read
the same note twice in a row.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from cogs.nudges.kinds import plain_words

PRIVATE_SITUATIONS = ("drift", "listening", "suggestion", "labelling")
AGREEMENT = "This circle's agreement #{number} speaks to this (`{prefix}agreement show {number}`). "


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
        raw = tomllib.loads(
            resources.files("prompts").joinpath("nudges.toml").read_text(encoding="utf-8")
        )
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

    def render(
        self, text: NudgeText, *, noticed: str, prefix: str, agreement: int | None = None
    ) -> str:
        pointer = AGREEMENT.format(number=agreement, prefix=prefix) if agreement else ""
        return text.text.format(
            noticed=noticed,
            agreement=pointer,
            opt_out=f"`{prefix}nudges off`",
            why=f"`{prefix}nudges why`",
        )


def noticed(kind: str | None, advice_count: int) -> str:
    """Say briefly what was noticed: the kind of the tipping reply, and how many came."""
    phrase = plain_words(kind or "")
    if advice_count >= 3:
        return f"{phrase}, after a few other replies like it"
    if advice_count == 2:
        return f"{phrase}, after another reply like it"
    return phrase


# --- the replies to the nudges commands ----------------------------------------------------

OFF = "Nudges are off for you now, everywhere I am. I won't send you these notes. `{prefix}nudges on` brings them back whenever you like."
ALREADY_OFF = "Nudges were already off for you. `{prefix}nudges on` brings them back."
ON = "Nudges are on for you again. I'll keep them rare and private."
ALREADY_ON = "Nudges are already on for you. `{prefix}nudges off` turns them off."
NO_NUDGE_YET = "You haven't had a note from me, so there's nothing to explain. 🌿"
WHY_DETAIL = "{kinds}, in a reply of yours in {circle} on {day}"
SETTINGS = "Nudges in **{circle}**: {mode}, sensitivity {sensitivity}: {meaning}.{agreement}"
SETTINGS_CHANGED = (
    "Updated: nudges in **{circle}** are {mode}, sensitivity {sensitivity}: {meaning}.{agreement}"
)
SETTINGS_AGREEMENT = " Notes point to agreement #{number}."
MODE_WORDS = {
    "off": "off",
    "private": "private notes to the person whose reply tipped a thread",
    "group": "one note to the whole thread, naming no one",
}
# What each level means, in words (the figures behind them are in cogs/nudges/model_card.json).
SENSITIVITY_WORDS = {
    "gentle": (
        "a note only for wording that reads as fixing nearly every time, and only after two "
        "such replies to the same person (one, if they asked to be listened to)"
    ),
    "normal": (
        "a note for a reply to someone sharing whose wording reads as fixing at least 24 times "
        "in 25 on our test conversations"
    ),
    "attentive": (
        "softer fixing counts too (a light “maybe try…”, a quick “you'll be fine”), so more "
        "notes, and now and then one that misreads"
    ),
}
STATS_HEAD = "**Nudges in this space**, by week (numbers only):"
STATS_NONE = "No nudges in this space in the last {weeks} weeks."

# --- the web dashboard's support page (cogs/nudges/dashboard.py): numbers only ---------------

DASH_SECTION = "Nudges"
DASH_CHART = "Nudges per week, by what was noticed"
DASH_KINDS = {
    "drift": "fixing",
    "listening": "fixing, after asking to be heard",
    "suggestion": "a suggestion",
    "labelling": "a label",
}
