"""The nudge's voice: no praise before the point, no guessing at motives, the honest limit
of reading only wording, a pointer to the circle's agreement, and a bot that never calls
itself gentle or kind, in the notes, in the cog's help texts and in the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from cogs.nudges import cog as nudges_cog
from cogs.nudges import texts as nudges_texts
from cogs.nudges.kinds import PLAIN_WORDS, SITUATION_WORDS

PROJECT = Path(__file__).resolve().parents[3]
NUDGES = tomllib.loads((PROJECT / "prompts" / "nudges.toml").read_text(encoding="utf-8"))["nudges"]
PRIVATE = [n for n in NUDGES if n["situation"] != "group"]

# Praise before correction, and guesses at what someone feels or intends.
PRAISE_OR_MOTIVE = re.compile(
    r"care behind|good place|wish to help|wanting to help|want to help|clear you care|you care"
    r"|caring move|lovely|kindly meant|from caring|it's natural|very human|your care|warm place",
    re.IGNORECASE,
)
# The bot describing itself.
SELF_PRAISE = re.compile(r"\b(?:gentle|kind|kindly|helper)\b", re.IGNORECASE)


@pytest.mark.parametrize("nudge", NUDGES, ids=[n["id"] for n in NUDGES])
def test_no_note_praises_first_or_guesses_a_motive(nudge: dict[str, str]) -> None:
    """No note opens with a compliment or tells anyone what they feel or mean."""
    assert not PRAISE_OR_MOTIVE.search(nudge["text"]), nudge["text"]


@pytest.mark.parametrize("nudge", NUDGES, ids=[n["id"] for n in NUDGES])
def test_no_note_calls_the_bot_gentle_kind_or_a_helper(nudge: dict[str, str]) -> None:
    """The notes show care instead of claiming it."""
    assert not SELF_PRAISE.search(nudge["text"]), nudge["text"]


@pytest.mark.parametrize("nudge", PRIVATE, ids=[n["id"] for n in PRIVATE])
def test_every_private_note_says_it_reads_only_wording(nudge: dict[str, str]) -> None:
    """Each private note keeps the honest limit: the bot reads words, not intentions."""
    assert "word" in nudge["text"], nudge["text"]


@pytest.mark.parametrize("nudge", NUDGES, ids=[n["id"] for n in NUDGES])
def test_every_note_can_point_to_the_circles_agreement(nudge: dict[str, str]) -> None:
    """Each note has a place for the circle's own agreement."""
    assert "{agreement}" in nudge["text"]


def test_the_cogs_help_and_texts_never_call_the_bot_gentle_or_kind() -> None:
    """Command help, option help and the cog's sentences say what happens, not how nice it is."""
    specs = [
        nudges_cog.OFF_SPEC,
        nudges_cog.ON_SPEC,
        nudges_cog.WHY_SPEC,
        nudges_cog.STATS_SPEC,
        nudges_cog.SETTINGS_SPEC,
    ]
    texts = [spec.help for spec in specs]
    texts += [option.help for spec in specs for option in spec.options]
    texts += [
        value
        for module in (nudges_cog, nudges_texts)
        for name, value in vars(module).items()
        if name.isupper() and isinstance(value, str)
    ]
    texts += list(nudges_texts.MODE_WORDS.values()) + list(nudges_texts.SENSITIVITY_WORDS.values())
    texts += list(PLAIN_WORDS.values()) + list(SITUATION_WORDS.values())
    for text in texts:
        # The sensitivity level is called "gentle"; naming the setting is not self-praise.
        named = re.sub(r"\bgentle(?=:|,| or|\b)", "", text) if "attentive" in text else text
        assert not SELF_PRAISE.search(named), text


def test_the_readmes_nudges_section_never_calls_the_bot_gentle_or_kind() -> None:
    """Outside the level's name (`gentle`), the README's section on nudges claims no gentleness."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Nudges", 1)[1].split("\n## ", 1)[0]
    assert "TAXONOMY.md" in section
    without_level = re.sub(r"`[^`]*gentle[^`]*`", "", section)
    assert not re.search(
        r"\bgentle\b|\bkind note\b|\bkindly\b(?! meant)|\bhelper\b", without_level
    ), without_level
