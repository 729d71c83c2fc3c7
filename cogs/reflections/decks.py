"""Prompt decks: read one deck from TOML text and check it. Pure: text in, a ``Deck`` or a
``DeckError`` out, no files touched here.

The schema is described in ``prompts/README.md``. Each problem becomes one plain sentence that
names the file and the prompt, because the people who read them are moderators adding a deck of
their own, not programmers.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

THEMES = (
    "connection",
    "worldview",
    "mutuality",
    "moving-towards",
    "agreements",
    "check-in",
    "check-out",
)
CIRCLE_DECK = "circle"  # each circle's own deck of approved suggestions; no file may take the id
ID_PATTERN = re.compile(r"^[a-z0-9-]{1,40}$")
TAG_PATTERN = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
TITLE_MAX = 60
DESCRIPTION_MAX = 200
TEXT_MIN = 20
TEXT_MAX = 280
TRAILING_PUNCTUATION = ".,;:!?\u2026"
MASS_MENTIONS = ("@everyone", "@here", "@room")

_DECK_KEYS: Mapping[str, type] = {"id": str, "title": str, "description": str}
_PROMPT_KEYS: Mapping[str, type] = {"id": str, "theme": str, "title": str, "text": str}
_PROMPT_OPTIONAL: Mapping[str, type] = {"tags": list}
_TYPE_WORDS: Mapping[type, str] = {str: "text in quotes", list: 'a list like ["light"]'}


@dataclass(frozen=True, slots=True)
class Prompt:
    id: str
    deck_id: str
    title: str
    text: str
    theme: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Deck:
    id: str
    title: str
    description: str
    prompts: tuple[Prompt, ...]
    source: str = ""

    @property
    def themes(self) -> tuple[str, ...]:
        return tuple(t for t in THEMES if any(p.theme == t for p in self.prompts))

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({t for p in self.prompts for t in p.tags}))

    def matching(self, theme: str | None) -> tuple[Prompt, ...]:
        """The prompts a schedule with this theme filter may draw (all when ``theme`` is None)."""
        return self.choose(PromptFilter(theme=theme))

    def choose(self, wanted: PromptFilter) -> tuple[Prompt, ...]:
        """The prompts a schedule with this filter may draw."""
        return tuple(p for p in self.prompts if wanted.admits(p))

    def get(self, prompt_id: str) -> Prompt | None:
        return next((p for p in self.prompts if p.id == prompt_id), None)


@dataclass(frozen=True, slots=True)
class PromptFilter:
    """Which prompts of a deck a schedule (or ``prompt now``) may draw: one theme, prompts with
    one tag, and none with any tag in ``without`` (say, no ``deep`` prompts on a daily timer)."""

    theme: str | None = None
    tag: str | None = None
    without: tuple[str, ...] = ()

    def admits(self, prompt: Prompt) -> bool:
        if self.theme is not None and prompt.theme != self.theme:
            return False
        if self.tag is not None and self.tag not in prompt.tags:
            return False
        return not any(t in prompt.tags for t in self.without)

    @property
    def words(self) -> list[str]:
        """How the filter reads in a listing: ``theme connection``, ``tag light``, ``without deep``."""
        parts = []
        if self.theme:
            parts.append(f"theme {self.theme}")
        if self.tag:
            parts.append(f"tag {self.tag}")
        if self.without:
            parts.append("without " + ", ".join(self.without))
        return parts


def read_tags(text: str) -> tuple[str, ...] | None:
    """Tags as typed (``deep`` or ``deep,group``): lowercase words, in order, once each. None
    when one of them isn't a tag word."""
    words = [w.strip().lower() for w in text.replace(",", " ").split()]
    if not words or not all(TAG_PATTERN.match(w) for w in words):
        return None
    return tuple(dict.fromkeys(words))


class DeckError(Exception):
    """A deck that can't be used, with one sentence per problem."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.source = source
        self.problems = list(problems)


# --- text rules shared with suggestions ---------------------------------------------------------


def text_problem(text: str) -> str | None:
    """Why a prompt's text can't be used, as a sentence; None when it's fine."""
    if len(text) < TEXT_MIN:
        return f"a prompt needs a little more to go on (at least {TEXT_MIN} characters; this one has {len(text)})"
    if len(text) > TEXT_MAX:
        return f"a prompt can be at most {TEXT_MAX} characters, and this one has {len(text)}"
    lowered = text.lower()
    for mention in MASS_MENTIONS:
        if mention in lowered:
            return f"it mentions {mention}; prompts never call out to a whole room"
    return None


def text_key(text: str) -> str:
    """How two prompts compare when spotting duplicates: case, punctuation and spacing aside."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'")
    return " ".join(re.sub(r"[^\w\s]", " ", folded).split())


def title_from(text: str, limit: int = TITLE_MAX - 1) -> str:
    """A short thread title from a prompt's text: its first clause, cut at a word."""
    first = re.split(r"(?<=[?.!])\s", text.strip(), maxsplit=1)[0]
    words: list[str] = []
    for word in first.split():
        if len(" ".join([*words, word])) > limit:
            break
        words.append(word)
    title = " ".join(words) or first[:limit]
    if len(title) < len(first):
        title += "…"
    return title.rstrip(TRAILING_PUNCTUATION.replace("\u2026", "")).strip() or "A reflection"


# --- parsing ------------------------------------------------------------------------------------


def parse_deck(text: str, source: str) -> Deck:
    """Read and check one deck; raise ``DeckError`` listing every problem at once."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DeckError(source, [f"{source} isn't valid TOML: {error}."]) from None
    problems: list[str] = []
    deck_table = data.get("deck")
    raw_prompts = data.get("prompts")
    for key in data:
        if key not in ("deck", "prompts"):
            problems.append(
                f"{source}: I don't know the table “{key}”; a deck has [deck] and [[prompts]]."
            )
    if not isinstance(deck_table, dict):
        problems.append(f"{source} needs a [deck] table with an id, a title and a description.")
        deck_table = {}
    else:
        problems += _shape(f"{source}, [deck]", deck_table, _DECK_KEYS, {})
    deck_id = deck_table.get("id")
    if isinstance(deck_id, str):
        if not ID_PATTERN.match(deck_id):
            problems.append(
                f"{source}: the deck id “{deck_id}” should be lowercase letters, digits and hyphens (at most 40)."
            )
        elif deck_id == CIRCLE_DECK:
            problems.append(
                f"{source}: the deck id “{CIRCLE_DECK}” is kept for each circle's own deck; could you choose another?"
            )
    description = deck_table.get("description")
    if isinstance(description, str) and (
        "\n" in description or not 1 <= len(description) <= DESCRIPTION_MAX
    ):
        problems.append(
            f"{source}: the description should be one line of at most {DESCRIPTION_MAX} characters."
        )
    title = deck_table.get("title")
    if isinstance(title, str):
        problems += _title_problems(f"{source}, [deck]", title)
    if not isinstance(raw_prompts, list) or not raw_prompts:
        problems.append(
            f"{source} has no prompts yet; a deck needs at least one [[prompts]] entry."
        )
        raw_prompts = []
    prompts: list[Prompt] = []
    for number, item in enumerate(raw_prompts, start=1):
        where = f"{source}, prompt {number}"
        if not isinstance(item, dict):
            problems.append(f"{where} should be a [[prompts]] table.")
            continue
        if isinstance(item.get("id"), str):
            where += f" ({item['id']})"
        found = _shape(where, item, _PROMPT_KEYS, _PROMPT_OPTIONAL)
        if found:
            problems += found
            continue
        prompt, found = _prompt(where, item, deck_id if isinstance(deck_id, str) else "")
        problems += found
        if prompt is not None:
            prompts.append(prompt)
    for prompt_id, count in Counter(p.id for p in prompts).items():
        if count > 1:
            problems.append(
                f"{source}: the prompt id “{prompt_id}” is used {count} times; each needs its own."
            )
    if problems:
        raise DeckError(source, problems)
    return Deck(str(deck_id), str(title), str(description), tuple(prompts), source)


def clashes(decks: Iterable[Deck], taken: Iterable[Deck] = ()) -> list[str]:
    """Problems between decks: a deck id or a prompt id used twice (``taken`` came first)."""
    problems: list[str] = []
    deck_owner: dict[str, str] = {}
    prompt_owner: dict[str, str] = {}
    for deck in taken:
        deck_owner[deck.id] = deck.source
        for prompt in deck.prompts:
            prompt_owner[prompt.id] = deck.source
    for deck in decks:
        if deck.id in deck_owner:
            problems.append(
                f"{deck.source}: the deck id “{deck.id}” is already used by {deck_owner[deck.id]}."
            )
            continue
        mine = [p.id for p in deck.prompts if p.id in prompt_owner]
        if mine:
            problems.append(
                f"{deck.source}: the prompt id “{mine[0]}” is already used by {prompt_owner[mine[0]]}; prompt ids are unique across all decks."
            )
            continue
        deck_owner[deck.id] = deck.source
        for prompt in deck.prompts:
            prompt_owner[prompt.id] = deck.source
    return problems


def _prompt(where: str, item: Mapping[str, Any], deck_id: str) -> tuple[Prompt | None, list[str]]:
    problems: list[str] = []
    prompt_id, theme, title, text = item["id"], item["theme"], item["title"], item["text"]
    if not ID_PATTERN.match(prompt_id):
        problems.append(
            f"{where}: the id should be lowercase letters, digits and hyphens (at most 40)."
        )
    if theme not in THEMES:
        problems.append(
            f"{where}: the theme “{theme}” isn't one I know; the themes are {', '.join(THEMES)}."
        )
    problems += _title_problems(where, title)
    if text != text.strip():
        problems.append(f"{where}: the text starts or ends with spaces.")
    problem = text_problem(text.strip())
    if problem is not None:
        problems.append(f"{where}: {problem}.")
    tags = item.get("tags", [])
    if not all(isinstance(t, str) and TAG_PATTERN.match(t) for t in tags):
        problems.append(f'{where}: each tag should be one lowercase word, like "light".')
    if problems:
        return None, problems
    return Prompt(prompt_id, deck_id, title, text.strip(), theme, tuple(tags)), []


def _title_problems(where: str, title: str) -> list[str]:
    if not 1 <= len(title) <= TITLE_MAX or "\n" in title:
        return [f"{where}: the title should be one line of 1 to {TITLE_MAX} characters."]
    if title[-1] in TRAILING_PUNCTUATION:
        return [
            f"{where}: the title ends with “{title[-1]}”; titles read better without end punctuation."
        ]
    lowered = title.lower()
    for mention in MASS_MENTIONS:
        if mention in lowered:
            return [
                f"{where}: the title mentions {mention}; prompts never call out to a whole room."
            ]
    return []


def _shape(
    where: str, item: Mapping[str, Any], required: Mapping[str, type], optional: Mapping[str, type]
) -> list[str]:
    problems = [f"{where}: “{key}” is missing." for key in required if key not in item]
    for key, value in item.items():
        expected = required.get(key, optional.get(key))
        if expected is None:
            close = difflib.get_close_matches(key, [*required, *optional], n=1)
            hint = f" (did you mean “{close[0]}”?)" if close else ""
            problems.append(f"{where}: I don't know the key “{key}”{hint}.")
        elif not isinstance(value, expected):
            problems.append(
                f"{where}: “{key}” should be {_TYPE_WORDS.get(expected, expected.__name__)}."
            )
    return problems
