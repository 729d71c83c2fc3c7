"""Reading one line of the sandbox console: who says what, where, and which reaction.

Pure functions, no I/O. A line that can't be read gets a hint that shows the nearest shape
that would work, rather than a bare "didn't follow".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import emoji

from bot.chat import normalise_emoji

NAME = r"[A-Za-z][A-Za-z0-9_-]{0,31}"
_LINE = re.compile(
    rf"""^(?P<who>{NAME})\s*(?:
        :\s?(?P<text>.*)
      | \#(?P<thread>\d+|\^)\s*:\s?(?P<ttext>.*)
      | \^\s*:\s?(?P<ctext>.*)
      | (?P<sign>[+-])\s*(?P<target>\#?\d+|\^)\s+(?P<key>\S+)
      | ~\s*(?P<edit>\#?\d+)\s*:\s?(?P<etext>.*)
      | \s>\s*(?P<direct>/.*)
    )$""",
    re.VERBOSE | re.DOTALL,
)
_NAME_THEN_WORDS = re.compile(rf"^(?P<who>{NAME})\s+(?P<rest>[^\s:#^+~-].*)$", re.DOTALL)
_REACTION_WITHOUT_KEY = re.compile(
    rf"^(?P<who>{NAME})\s*(?P<sign>[+-])\s*(?P<target>\#?\d+|\^)\s*$"
)

# Words for the options people vote with, and a few everyday ones. Emoji names in colons
# (:white_check_mark:) come from the emoji package's aliases.
REACTION_WORDS = {
    "consent": "\N{WHITE HEAVY CHECK MARK}",
    "concern": "\N{THINKING FACE}",
    "object": "\N{RAISED HAND}",
    "agree": "\N{THUMBS UP SIGN}",
    "abstain": "\N{SHRUG}",
    "disagree": "\N{THUMBS DOWN SIGN}",
    "block": "\N{OCTAGONAL SIGN}",
    "ok": "\N{WHITE HEAVY CHECK MARK}",
    "+1": "\N{THUMBS UP SIGN}",
    "-1": "\N{THUMBS DOWN SIGN}",
    "heart": "\N{HEAVY BLACK HEART}",
}

NO_NAME = "(sandbox) Who is saying that? Start with a name, like `alice: {text}`."
MISSING_COLON = "(sandbox) Did you mean `{who}: {rest}`? A colon after the name makes it a message."
MISSING_KEY = "(sandbox) Which reaction? Add one after the message, like `{who} {sign}{target} ✅`."
NOT_UNDERSTOOD = (
    "(sandbox) I didn't follow “{line}”. Lines start with a name, like `alice: hello`; "
    "`:help` shows the other ways to talk here."
)


@dataclass(frozen=True, slots=True)
class Say:
    who: str
    text: str
    thread: str | None  # a message id, "^" for the newest thread, or None for the room


@dataclass(frozen=True, slots=True)
class React:
    who: str
    target: str  # a message id or "^"
    key: str  # as typed; see resolve_reaction
    add: bool


@dataclass(frozen=True, slots=True)
class Edit:
    who: str
    message_id: str
    text: str


@dataclass(frozen=True, slots=True)
class Direct:
    """A command sent in one's direct chat with the bot: the room never sees it."""

    who: str
    text: str


@dataclass(frozen=True, slots=True)
class SandboxCommand:
    word: str
    rest: str


@dataclass(frozen=True, slots=True)
class Narration:
    text: str


@dataclass(frozen=True, slots=True)
class Blank:
    pass


@dataclass(frozen=True, slots=True)
class Unreadable:
    hint: str


Line = Say | React | Edit | Direct | SandboxCommand | Narration | Blank | Unreadable


def parse_line(raw: str) -> Line:
    """What one console line asks for. Names are case-insensitive: ``Alice`` is ``alice``."""
    line = raw.strip()
    if not line:
        return Blank()
    if line.startswith("#"):
        return Narration(line.lstrip("# "))
    if line.startswith(":"):
        word, _, rest = line[1:].strip().partition(" ")
        return SandboxCommand(word.lower(), rest.strip())
    match = _LINE.match(line)
    if match is None:
        return Unreadable(_hint(line))
    who = match["who"].lower()
    if match["sign"]:
        return React(who, match["target"].lstrip("#"), match["key"], add=match["sign"] == "+")
    if match["edit"]:
        return Edit(who, match["edit"].lstrip("#"), match["etext"])
    if match["direct"] is not None:
        return Direct(who, match["direct"])
    if match["text"] is not None:
        return Say(who, match["text"], None)
    if match["ttext"] is not None:
        return Say(who, match["ttext"], match["thread"])
    return Say(who, match["ctext"] or "", "^")


def _hint(line: str) -> str:
    if line.startswith(("/", "!")):
        return NO_NAME.format(text=_clip(line))
    missing = _REACTION_WITHOUT_KEY.match(line)
    if missing:
        return MISSING_KEY.format(
            who=missing["who"].lower(), sign=missing["sign"], target=missing["target"]
        )
    words = _NAME_THEN_WORDS.match(line)
    if words:
        return MISSING_COLON.format(who=words["who"].lower(), rest=_clip(words["rest"]))
    return NOT_UNDERSTOOD.format(line=_clip(line))


def resolve_reaction(typed: str) -> str | None:
    """The emoji a typed reaction means, normalised; None when it names no emoji.

    ``✅``, ``✅️``, ``:white_check_mark:``, ``white_check_mark`` and ``consent`` are all ✅.
    """
    text = typed.strip()
    word = text.lower()
    if word in REACTION_WORDS:
        return REACTION_WORDS[word]
    if not text.startswith(":") and re.fullmatch(r"[a-z0-9_+-]+", word):
        text = f":{word}:"
    if text.startswith(":") and text.endswith(":") and len(text) > 2:
        text = emoji.emojize(text.lower(), language="alias")
    if emoji.purely_emoji(text) and emoji.emoji_count(text) == 1:
        return normalise_emoji(text)
    return None


def _clip(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
