"""Reading a typed command line: words and quoted phrases, durations, and the raw option
values a line gives (``name=value`` settings, a TEXT option taking the rest)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from bot.chat import MemberRef
from bot.commands.invocation import RawValue
from bot.commands.refusals import (
    NO_SUCH_OPTION,
    TOO_MANY_WORDS,
    UNCLOSED_QUOTE,
    WHO_IS_THAT,
    CommandError,
)
from bot.commands.spec import CommandSpec, OptionKind

QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'", "‘": "’"}
_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|min|s|sec)", re.IGNORECASE)
_DURATION = re.compile(r"^(\s*\d+\s*(w|d|h|m|min|s|sec)\s*)+$", re.IGNORECASE)
_SETTING = re.compile(r"^[a-z_]{2,32}=")
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "min": 60, "s": 1, "sec": 1}


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    quoted: bool


def tokenize(line: str) -> list[Token]:
    """Split on whitespace; a phrase in quotes ("", “”, '', «») stays one token."""
    tokens: list[Token] = []
    i, n = 0, len(line)
    while i < n:
        if line[i].isspace():
            i += 1
            continue
        start = i
        closing = QUOTES.get(line[i])
        if closing is not None:
            end = line.find(closing, i + 1)
            if end != -1 and (end + 1 == n or line[end + 1].isspace()):
                tokens.append(Token(line[i + 1 : end], start, quoted=True))
                i = end + 1
                continue
        while i < n and not line[i].isspace():
            i += 1
        tokens.append(Token(line[start:i], start, quoted=False))
    return tokens


def parse_duration(text: str) -> timedelta | None:
    cleaned = text.strip().lower()
    if not cleaned or not _DURATION.match(cleaned):
        return None
    seconds = sum(int(n) * _UNITS[unit.lower()] for n, unit in _DURATION_PART.findall(cleaned))
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    parts: list[str] = []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return " ".join(parts[:2]) or "no time"


class MemberParser(Protocol):
    def __call__(self, text: str) -> MemberRef | None: ...


def parse_arguments(
    spec: CommandSpec, rest: str, parse_member: MemberParser, prefix: str
) -> dict[str, RawValue]:
    """Turn the words after a command into raw option values (strings and members).

    Words fill the options in their declared order; ``name=value`` sets one by name; a TEXT
    option takes the rest of the line, apart from trailing ``name=value`` settings.
    """
    tokens = tokenize(rest)
    by_name = {o.name: o for o in spec.options}
    raw: dict[str, RawValue] = {}
    # trailing name=value settings, peeled from the end
    while tokens:
        key, sep, value = tokens[-1].text.partition("=")
        if tokens[-1].quoted or not sep or key.lower() not in by_name:
            break
        raw.setdefault(key.lower(), value)
        rest = rest[: tokens[-1].start].rstrip()
        tokens.pop()
    positional = [o for o in spec.positional if o.name not in raw]
    index = 0
    for position, token in enumerate(tokens):
        key, sep, value = token.text.partition("=")
        if not token.quoted and sep and key.lower() in by_name:
            raw.setdefault(key.lower(), value)
            continue
        while index < len(positional) and positional[index].name in raw:
            index += 1
        if index >= len(positional):
            extra = " ".join(t.text for t in tokens[position:])
            raise CommandError(TOO_MANY_WORDS.format(extra=extra, usage=spec.usage(prefix)))
        option = positional[index]
        if option.kind is OptionKind.TEXT:
            raw[option.name] = rest[token.start :].strip()
            break
        if not token.quoted and _SETTING.match(token.text):
            raise CommandError(
                NO_SUCH_OPTION.format(command=spec.name, option=key, usage=spec.usage(prefix))
            )
        if not token.quoted and token.text[:1] in QUOTES:
            # `create "Tuesday evening` would otherwise name a circle `"Tuesday`.
            raise CommandError(UNCLOSED_QUOTE.format(word=token.text[1:] or token.text))
        raw[option.name] = token.text
        index += 1
    for option in spec.options:
        given = raw.get(option.name)
        if option.kind is OptionKind.MEMBER and isinstance(given, str):
            member = parse_member(given)
            if member is None:
                raise CommandError(WHO_IS_THAT.format(text=given))
            raw[option.name] = member
    return raw
