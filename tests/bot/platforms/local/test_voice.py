"""What the sandbox says about itself is written in our voice: plain, no clinic, no self-praise."""

from __future__ import annotations

import importlib
import pkgutil
import re

import pytest

import bot.platforms.local as local
from tests.prompts.test_content import CLINICAL_RE

# The bot never calls itself (or its notes) gentle or kind, and the sandbox doesn't either.
SELF_PRAISE = re.compile(r"\b(gentle|gently|kind|kindly)\b", re.IGNORECASE)
# Refusals say what would work instead of only what didn't.
BARE_REFUSALS = re.compile(r"\b(invalid|not allowed|forbidden|error|wrong)\b", re.IGNORECASE)


def texts() -> list[tuple[str, str]]:
    found = []
    for module_info in pkgutil.iter_modules(local.__path__):
        module = importlib.import_module(f"{local.__name__}.{module_info.name}")
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str) and " " in value:
                found.append((f"{module_info.name}.{name}", value))
    return found


def test_there_are_texts_to_read() -> None:
    """The sandbox's sentences are module constants (so this test sees them)."""
    assert len(texts()) > 20


@pytest.mark.parametrize(("name", "text"), texts(), ids=[name for name, _ in texts()])
def test_each_sandbox_text_is_in_our_voice(name: str, text: str) -> None:
    """No clinical words, no self-praise, no bare "invalid" or "wrong"."""
    assert not CLINICAL_RE.search(text), name
    assert not SELF_PRAISE.search(text), name
    assert not BARE_REFUSALS.search(text), name
