"""The voice rules hold for the sentences in code too, not only the TOML: every user-facing
text constant (the UPPER_SNAKE strings of ``cogs/`` and ``bot/``, help texts included) is
free of clinical words, advice and mass mentions, and in the features that meet members most
the bot never praises itself as gentle or kind (it shows care rather than saying so)."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

from tests.prompts.test_content import (
    ADVICE_MARKERS,
    CLINICAL_RE,
    MASS_MENTIONS,
    _normalise,
    _report,
)

ROOT = Path(__file__).resolve().parents[2]
UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9_]*$")
# Modules whose constants are vocabulary the detector looks for, not what the bot says.
VOCABULARY = frozenset(
    {
        "cogs/nudges/imperatives.py",
        "cogs/nudges/language.py",
        "cogs/nudges/advice_cues.py",
        "cogs/nudges/counter_cues.py",
    }
)
# Constants that hold what people type in a scripted session, not the bot's own words.
NOT_THE_BOTS_VOICE = frozenset({("bot/demo.py", "SCRIPT")})
NOT_SENTENCES = re.compile(
    r"^\s*(?:SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|WITH)\b", re.IGNORECASE
)
# Where the bot must not call itself (or its notes) gentle or kind. The nudges' own settings
# are named gentle|normal|attentive, so that cog is read on its own terms.
SELF_PRAISE_SCOPE = (
    "cogs/circles/",
    "cogs/agreements/",
    "cogs/reflections/",
    "cogs/privacy/",
    "cogs/support/",
    "bot/",
)
SELF_PRAISE = re.compile(
    r"\b(?:gentl(?:e|y|er|est)|kindly|kindness)\b|\bkind\b(?! of)", re.IGNORECASE
)
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
QUOTED = re.compile(r"“[^”]*”|`[^`]*`")  # quotes of what someone said or typed, and commands


@functools.cache
def text_constants() -> tuple[tuple[str, str, str], ...]:
    """(file, constant, text) for every sentence-like string an UPPER_SNAKE constant holds."""
    found = []
    for path in sorted([*(ROOT / "cogs").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]):
        where = path.relative_to(ROOT).as_posix()
        if where in VOCABULARY:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                names, value = [t.id for t in node.targets if isinstance(t, ast.Name)], node.value
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.value is not None
            ):
                names, value = [node.target.id], node.value
            else:
                continue
            name = next((n for n in names if UPPER_SNAKE.match(n)), None)
            if name is None or (where, name) in NOT_THE_BOTS_VOICE or name.endswith("_LOG"):
                continue
            for part in ast.walk(value):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    text = part.value
                    if " " in text.strip() and not NOT_SENTENCES.match(text):
                        found.append((where, name, text))
    return tuple(found)


def _said(text: str) -> str:
    """The bot's own words: placeholders, quotes and commands taken out."""
    return _normalise(QUOTED.sub(" ", PLACEHOLDER.sub(" ", text)))


def test_there_are_text_constants_to_read() -> None:
    """The reader finds the sentences in code (hundreds of them), so the checks below bite."""
    texts = text_constants()
    assert len(texts) > 300
    assert any(name == "JOINED" and where == "cogs/circles/texts.py" for where, name, _ in texts)


def test_no_clinical_words_in_code() -> None:
    """No sentence in code uses clinical words or assumes a diagnosis or crisis."""
    problems = [
        f"{where} {name}: {match.group(0)!r} sounds clinical"
        for where, name, text in text_constants()
        for match in CLINICAL_RE.finditer(_said(text))
    ]
    assert not problems, _report(problems)


def test_no_advice_in_code() -> None:
    """No sentence in code tells people what to do with their lives (quotes of what someone
    wrote, like a “you should” that was noticed, are not the bot's advice)."""
    problems = [
        f"{where} {name}: contains the advice marker {marker!r}"
        for where, name, text in text_constants()
        for marker in ADVICE_MARKERS
        if re.search(r"\b" + re.escape(marker) + r"\b", _said(text))
    ]
    assert not problems, _report(problems)


def test_no_mass_mentions_in_code() -> None:
    """No sentence in code could ping a whole server or room."""
    problems = [
        f"{where} {name}: contains {mention}"
        for where, name, text in text_constants()
        for mention in MASS_MENTIONS
        if mention in _said(text)
    ]
    assert not problems, _report(problems)


def test_the_bot_never_calls_itself_gentle_or_kind() -> None:
    """In circles, agreements, reflections, privacy and the engine, no text says the bot or
    its notes are gentle or kind: “I've let Bob know, kindly” becomes “privately”."""
    problems = [
        f"{where} {name}: {match.group(0)!r} in “{text}”"
        for where, name, text in text_constants()
        if where.startswith(SELF_PRAISE_SCOPE)
        for match in SELF_PRAISE.finditer(_said(text))
    ]
    assert not problems, _report(problems)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        pytest.param("I've let {name} know, kindly.", True, id="kindly"),
        pytest.param("A gentle reminder: the circle meets soon.", True, id="gentle"),
        pytest.param("the kind of wording noticed", False, id="kind-of"),
        pytest.param("Schedule #{id} is {kind}, so it has no deck.", False, id="placeholder"),
        pytest.param("I noticed a “gentle” in what you wrote.", False, id="quoted"),
    ],
)
def test_the_self_praise_check_reads_words_not_placeholders(text: str, flagged: bool) -> None:
    """“kindly” and “gentle” are caught; “kind of”, a {kind} placeholder and quotes are not."""
    assert bool(SELF_PRAISE.search(_said(text))) is flagged
