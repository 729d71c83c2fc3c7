"""Commands, declared once and run the same way on every platform.

A cog declares each command as a :class:`CommandSpec` (its words, typed options, who may run it
and a one-line help text) and pairs it with a handler. Platforms only translate: Discord turns
specs into slash commands, Matrix into ``!ck ...`` lines, the sandbox into ``/...`` lines. Every
check lives here, in one place: option parsing and validation, finding the circle, permission.
A refusal is a kind sentence and leaves everything as it was.
"""

from __future__ import annotations

import difflib
import enum
import logging
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot import metrics
from bot.chat import Chat, MemberRef, Replier, RoomRef, SpaceRef, ThreadRef, Visibility
from bot.clock import Clock, parse_zone
from bot.text import TextProblem, check_line, check_name, check_text

log = logging.getLogger(__name__)
_T = TypeVar("_T")

MAX_HELP_LENGTH = 100  # Discord's limit for command and option descriptions
_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")

UNKNOWN_COMMAND = (
    "I don't know the command `{usage}`.{suggestion} `{prefix}help` lists what I can do."
)
DID_YOU_MEAN = " Did you mean `{usage}`?"
NEEDS_SPACE = "That one works inside a community's rooms rather than in a direct message."
NOT_MODERATOR = (
    "That one rests with the moderators here. If it matters to you, you could bring it to one of "
    "them and take it from there together."
)
GROUP_ALONE = "`{prefix}{group}` goes with one more word, one of these (`{prefix}help {group} <word>` tells more about one):"
NOT_FACILITATOR = (
    "That one is for the facilitators of {circle} (or a moderator). You could ask one of them."
)
NOT_FACILITATOR_ANYWHERE = (
    "Starting a circle is for moderators and facilitators. A moderator can set one up with you."
)
UNKNOWN_CIRCLE = "I couldn't find a circle called “{name}” here. `{prefix}circle list` shows the circles in this space."
NO_CIRCLE_HERE = "This room isn't home to a circle, so I'm not sure which one you mean. You can name it, like `{usage}`."
CIRCLE_ARCHIVED = "{circle} is resting (archived) right now. A facilitator can reopen it with `{prefix}circle reopen`."
MISSING_OPTION = "I need {what} for that: `{usage}`."
TOO_MANY_WORDS = "I wasn't sure what to do with “{extra}”. The shape is `{usage}`."
UNCLOSED_QUOTE = 'It looks like the quote before “{word}” was opened but not closed. A name with spaces goes between two quotes, like "Tuesday evening".'
SOMETHING_BROKE = "Something went wrong on my side and I couldn't finish that. I've noted it for the people who look after me."


class CommandError(Exception):
    """A refusal for the person who ran the command: a kind sentence, nothing changed."""

    def __init__(self, message: str, visibility: Visibility = Visibility.PERSONAL) -> None:
        super().__init__(message)
        self.message = message
        self.visibility = visibility


class Permission(enum.Enum):
    MEMBER = "member"
    FACILITATOR = "facilitator"
    MODERATOR = "moderator"

    @property
    def label(self) -> str:
        return {
            Permission.MEMBER: "anyone",
            Permission.FACILITATOR: "facilitators",
            Permission.MODERATOR: "moderators",
        }[self]


class OptionKind(enum.Enum):
    WORD = "word"  # one word or a quoted phrase, one line
    NAME = "name"  # a short label: one line, no control or invisible characters
    TEXT = "text"  # the rest of the line; may be long
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MEMBER = "member"
    CIRCLE = "circle"  # a circle name, found in the invoker's space
    DURATION = "duration"  # 90s, 10m, 2h, 3d, 1w, 1h30m
    TIME_ZONE = "time_zone"  # an IANA name such as Europe/Berlin
    DATE = "date"  # YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    kind: OptionKind
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    min_value: int | None = None  # integers; durations in seconds
    max_value: int | None = None
    max_length: int | None = None  # WORD, NAME, TEXT
    keyword: bool = False  # on text platforms, set only as name=value

    @property
    def placeholder(self) -> str:
        if self.keyword:
            return f"[{self.name}=…]"
        return f"<{self.name}>" if self.required else f"[{self.name}]"


@dataclass(frozen=True, slots=True)
class CommandSpec:
    path: tuple[str, ...]
    help: str
    options: tuple[Option, ...] = ()
    permission: Permission = Permission.MEMBER
    needs_space: bool = True
    allow_archived: bool = False  # runs on a resting circle (for reopen and listings)

    @property
    def name(self) -> str:
        return " ".join(self.path)

    @property
    def circle_option(self) -> Option | None:
        return next((o for o in self.options if o.kind is OptionKind.CIRCLE), None)

    @property
    def positional(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if not o.keyword)

    def line(self, prefix: str = "/") -> str:
        """One line for a list: usage, help, and who may run it when that isn't everyone."""
        who = "" if self.permission is Permission.MEMBER else f" _({self.permission.label})_"
        return f"• `{self.usage(prefix)}` — {self.help}{who}"

    def usage(self, prefix: str = "/") -> str:
        parts = [f"{prefix}{self.name}"]
        parts += [o.placeholder for o in self.positional]
        parts += [o.placeholder for o in self.options if o.keyword]
        return " ".join(parts)

    def validate(self) -> None:
        """Raise ValueError if the declaration could not be rendered on every platform."""
        if not 1 <= len(self.path) <= 3:
            raise ValueError(f"{self.name}: a command has one to three words")
        for word in self.path:
            if not _WORD.match(word):
                raise ValueError(f"{self.name}: {word!r} is not a lowercase command word")
        if not 1 <= len(self.help) <= MAX_HELP_LENGTH:
            raise ValueError(f"{self.name}: help must be 1..{MAX_HELP_LENGTH} characters")
        seen: set[str] = set()
        optional_seen = False
        for opt in self.options:
            if not _WORD.match(opt.name) or opt.name in seen:
                raise ValueError(f"{self.name}: bad or repeated option name {opt.name!r}")
            seen.add(opt.name)
            if not 1 <= len(opt.help) <= MAX_HELP_LENGTH:
                raise ValueError(f"{self.name} {opt.name}: help must be 1..{MAX_HELP_LENGTH} chars")
            if opt.kind is OptionKind.CHOICE and not opt.choices:
                raise ValueError(f"{self.name} {opt.name}: a CHOICE option needs choices")
            if opt.required and (optional_seen or opt.keyword):
                raise ValueError(f"{self.name}: required options come first and by position")
            optional_seen = optional_seen or not opt.required
        positional = self.positional
        for i, opt in enumerate(positional):
            if opt.kind is OptionKind.TEXT and i != len(positional) - 1:
                raise ValueError(f"{self.name}: a TEXT option is the last one given by position")


Handler = Callable[["Invocation"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    spec: CommandSpec
    handler: Handler


# --- what the core needs to know about circles --------------------------------------------


@dataclass(frozen=True, slots=True)
class CircleHandle:
    """Just enough of a circle for dispatch: which one, where, and whether it is resting."""

    id: int
    name: str
    room: RoomRef
    archived: bool


class CircleDirectory(Protocol):
    async def find(self, space: SpaceRef, name: str) -> CircleHandle | None: ...

    async def bound_to(self, room: RoomRef, thread: ThreadRef | None) -> CircleHandle | None: ...

    async def facilitates(self, circle_id: int, member: MemberRef) -> bool: ...

    async def facilitates_any(self, space: SpaceRef, member: MemberRef) -> bool: ...

    async def suggest(self, space: SpaceRef, prefix: str, limit: int = 25) -> list[str]: ...


# --- an invocation -----------------------------------------------------------------------------

OptionValue = str | int | bool | MemberRef | timedelta | ZoneInfo | date
RawValue = str | int | bool | MemberRef


@dataclass(slots=True)
class Invocation:
    """One run of a command, with its options already checked and converted."""

    spec: CommandSpec
    invoker: MemberRef
    room: RoomRef | None
    thread: ThreadRef | None
    values: Mapping[str, OptionValue]
    circle: CircleHandle | None
    at: datetime
    prefix: str
    replier: Replier
    is_moderator: bool = False
    replies: int = field(default=0)

    async def reply(self, text: str, visibility: Visibility = Visibility.PUBLIC) -> None:
        self.replies += 1
        await self.replier.reply(text, visibility)

    def _get(self, name: str, kind: type[_T]) -> _T | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise TypeError(f"option {name} is {type(value).__name__}, not {kind.__name__}")
        return value

    def text(self, name: str) -> str | None:
        return self._get(name, str)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if isinstance(value, bool):
            raise TypeError(f"option {name} is a boolean")
        return self._get(name, int)

    def flag(self, name: str) -> bool | None:
        return self._get(name, bool)

    def member(self, name: str) -> MemberRef | None:
        return self._get(name, MemberRef)

    def duration(self, name: str) -> timedelta | None:
        return self._get(name, timedelta)

    def zone(self, name: str) -> ZoneInfo | None:
        return self._get(name, ZoneInfo)

    def day(self, name: str) -> date | None:
        return self._get(name, date)

    @property
    def need_room(self) -> RoomRef:
        if self.room is None:
            raise CommandError(NEEDS_SPACE)
        return self.room

    @property
    def need_circle(self) -> CircleHandle:
        if self.circle is None:  # the router resolves declared CIRCLE options before this
            raise CommandError(NO_CIRCLE_HERE.format(usage=self.spec.usage(self.prefix)))
        return self.circle

    def usage(self, spec: CommandSpec | None = None) -> str:
        return (spec or self.spec).usage(self.prefix)


# --- parsing text command lines ----------------------------------------------------------------

_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'", "‘": "’"}
_DURATION_PART = re.compile(r"(\d+)\s*(w|d|h|m|min|s|sec)", re.IGNORECASE)
_DURATION = re.compile(r"^(\s*\d+\s*(w|d|h|m|min|s|sec)\s*)+$", re.IGNORECASE)
_SETTING = re.compile(r"^[a-z_]{2,32}=")
_TRUE = {"yes", "y", "true", "on", "1", "open"}
_FALSE = {"no", "n", "false", "off", "0", "closed"}
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
        closing = _QUOTES.get(line[i])
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


# --- the router --------------------------------------------------------------------------------


class CommandRouter:
    """Holds every declared command and runs invocations through the shared checks."""

    def __init__(self, directory: CircleDirectory, chat: Chat, clock: Clock) -> None:
        self._directory = directory
        self._chat = chat
        self._clock = clock
        self._commands: dict[tuple[str, ...], Command] = {}

    # registration

    def add(self, command: Command) -> None:
        command.spec.validate()
        path = command.spec.path
        if path in self._commands:
            raise ValueError(f"command {command.spec.name!r} is declared twice")
        for other in self._commands:
            if other[: len(path)] == path or path[: len(other)] == other:
                raise ValueError(f"{command.spec.name!r} and {' '.join(other)!r} overlap")
        self._commands[path] = command

    def add_all(self, commands: Sequence[Command]) -> None:
        for command in commands:
            self.add(command)

    @property
    def specs(self) -> list[CommandSpec]:
        return sorted((c.spec for c in self._commands.values()), key=lambda s: s.path)

    def spec(self, path: Sequence[str]) -> CommandSpec | None:
        command = self._commands.get(tuple(path))
        return command.spec if command else None

    @property
    def directory(self) -> CircleDirectory:
        return self._directory

    # text lines

    def split_path(self, line: str) -> tuple[CommandSpec | None, str, list[str]]:
        """Find the longest declared command at the start of ``line``.

        Returns the spec (or None), the rest of the line after the command words, and the
        words that were read (for error messages).
        """
        tokens = tokenize(line)
        words = [t.text.lower() for t in tokens[:3] if not t.quoted]
        for length in range(min(3, len(words)), 0, -1):
            command = self._commands.get(tuple(words[:length]))
            if command is not None:
                rest_start = tokens[length].start if len(tokens) > length else len(line)
                return command.spec, line[rest_start:], words[:length]
        return None, line, words

    def group(self, words: Sequence[str]) -> tuple[tuple[str, ...], list[CommandSpec]]:
        """The longest run of ``words`` that names a group of commands, and the group's commands."""
        for length in range(min(3, len(words)), 0, -1):
            prefix = tuple(words[:length])
            members = [
                c.spec
                for p, c in sorted(self._commands.items())
                if p[:length] == prefix and len(p) > length
            ]
            if members:
                return prefix, members
        return (), []

    def suggestion(self, words: Sequence[str]) -> CommandSpec | None:
        names = {" ".join(path): c.spec for path, c in self._commands.items()}
        typed = " ".join(words)
        best = difflib.get_close_matches(typed, list(names), n=1, cutoff=0.6)
        if best:
            return names[best[0]]
        # "/circle" alone: point at the group's first command
        for path, command in sorted(self._commands.items()):
            if words and path[0] == words[0]:
                return command.spec
        return None

    def parse_arguments(
        self, spec: CommandSpec, rest: str, parse_member: MemberParser, prefix: str
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
                    f"`{spec.name}` has no option called “{key}”. The shape is `{spec.usage(prefix)}`."
                )
            if not token.quoted and token.text[:1] in _QUOTES:
                # `create "Tuesday evening` would otherwise name a circle `"Tuesday`.
                raise CommandError(UNCLOSED_QUOTE.format(word=token.text[1:] or token.text))
            raw[option.name] = token.text
            index += 1
        for option in spec.options:
            given = raw.get(option.name)
            if option.kind is OptionKind.MEMBER and isinstance(given, str):
                member = parse_member(given)
                if member is None:
                    raise CommandError(
                        f"I couldn't tell who “{given}” is. Try mentioning them, like `@name`."
                    )
                raw[option.name] = member
        return raw

    # conversion

    def convert(
        self, spec: CommandSpec, raw: Mapping[str, RawValue], prefix: str
    ) -> dict[str, OptionValue]:
        values: dict[str, OptionValue] = {}
        for option in spec.options:
            value = raw.get(option.name)
            if isinstance(value, str) and not value.strip() and option.kind is not OptionKind.TEXT:
                value = None
            if value is None or (isinstance(value, str) and not value.strip()):
                if option.required:
                    raise CommandError(
                        MISSING_OPTION.format(what=_describe(option), usage=spec.usage(prefix))
                    )
                continue
            values[option.name] = _convert_one(option, value)
        unknown = set(raw) - {o.name for o in spec.options}
        if unknown:
            raise CommandError(
                f"`{spec.name}` has no option called “{sorted(unknown)[0]}”. The shape is `{spec.usage(prefix)}`."
            )
        return values

    # running

    async def run_text(
        self,
        line: str,
        *,
        invoker: MemberRef,
        room: RoomRef | None,
        thread: ThreadRef | None,
        replier: Replier,
        parse_member: MemberParser,
        prefix: str,
    ) -> None:
        """Run a text command line (without its prefix), replying to the invoker."""
        started = time.perf_counter()
        spec, rest, words = self.split_path(line)
        try:
            group, members = self.group(words) if spec is None else ((), [])
            if group and len(group) == len(words):
                name = " ".join(group)
                head = GROUP_ALONE.format(prefix=prefix, group=name)
                raise CommandError("\n".join([head, *(m.line(prefix) for m in members)]))
            if spec is None:
                close = self.suggestion(words)
                suggestion = DID_YOU_MEAN.format(usage=close.usage(prefix)) if close else ""
                typed = " ".join(words) if words else line.strip()[:40]
                raise CommandError(
                    UNKNOWN_COMMAND.format(
                        usage=f"{prefix}{typed}", suggestion=suggestion, prefix=prefix
                    )
                )
            raw = self.parse_arguments(spec, rest, parse_member, prefix)
        except CommandError as refusal:
            await replier.reply(refusal.message, refusal.visibility)
            name, outcome = (spec.name, "refused") if spec else (metrics.UNKNOWN_COMMAND, "unknown")
            metrics.command_handled(name, outcome, time.perf_counter() - started)
            return
        await self.run(
            spec.path,
            raw,
            invoker=invoker,
            room=room,
            thread=thread,
            replier=replier,
            prefix=prefix,
        )

    async def run(
        self,
        path: Sequence[str],
        raw: Mapping[str, RawValue],
        *,
        invoker: MemberRef,
        room: RoomRef | None,
        thread: ThreadRef | None,
        replier: Replier,
        prefix: str,
    ) -> None:
        """Check and run one command. Every refusal becomes a reply; nothing is raised."""
        started = time.perf_counter()
        command = self._commands.get(tuple(path))
        if command is None:
            await replier.reply(
                UNKNOWN_COMMAND.format(
                    usage=f"{prefix}{' '.join(path)}", suggestion="", prefix=prefix
                ),
                Visibility.PERSONAL,
            )
            metrics.command_handled(metrics.UNKNOWN_COMMAND, "unknown", 0.0)
            return
        spec = command.spec
        invocation: Invocation | None = None
        outcome = "done"
        try:
            if spec.needs_space and room is None:
                raise CommandError(NEEDS_SPACE)
            values = self.convert(spec, raw, prefix)
            circle = await self._resolve_circle(spec, values, room, thread, prefix)
            moderator = room is not None and await self._chat.is_moderator(invoker, room)
            await self._check_permission(spec, circle, invoker, room, moderator)
            invocation = Invocation(
                spec=spec,
                invoker=invoker,
                room=room,
                thread=thread,
                values=values,
                circle=circle,
                at=self._clock.now(),
                prefix=prefix,
                replier=replier,
                is_moderator=moderator,
            )
            await command.handler(invocation)
            if invocation.replies == 0:
                await replier.acknowledge()
        except CommandError as refusal:
            outcome = "refused"
            await replier.reply(refusal.message, refusal.visibility)
        except Exception:
            outcome = "failed"
            log.exception("command %r failed", spec.name)
            await replier.reply(SOMETHING_BROKE, Visibility.PERSONAL)
        finally:
            metrics.command_handled(spec.name, outcome, time.perf_counter() - started)

    async def _resolve_circle(
        self,
        spec: CommandSpec,
        values: dict[str, OptionValue],
        room: RoomRef | None,
        thread: ThreadRef | None,
        prefix: str,
    ) -> CircleHandle | None:
        option = spec.circle_option
        if option is None or room is None:
            return None
        name = values.pop(option.name, None)
        if isinstance(name, str):
            circle = await self._directory.find(room.space, name)
            if circle is None:
                raise CommandError(UNKNOWN_CIRCLE.format(name=name, prefix=prefix))
        else:
            circle = await self._directory.bound_to(room, thread)
            if circle is None:
                if not option.required and spec.permission is not Permission.FACILITATOR:
                    return None
                raise CommandError(NO_CIRCLE_HERE.format(usage=spec.usage(prefix)))
        if circle.archived and not spec.allow_archived:
            raise CommandError(CIRCLE_ARCHIVED.format(circle=circle.name, prefix=prefix))
        return circle

    async def _check_permission(
        self,
        spec: CommandSpec,
        circle: CircleHandle | None,
        invoker: MemberRef,
        room: RoomRef | None,
        moderator: bool,
    ) -> None:
        if spec.permission is Permission.MEMBER or moderator:
            return
        if spec.permission is Permission.MODERATOR or room is None:
            raise CommandError(NOT_MODERATOR)
        if circle is not None:
            if not await self._directory.facilitates(circle.id, invoker):
                raise CommandError(NOT_FACILITATOR.format(circle=circle.name))
        elif not await self._directory.facilitates_any(room.space, invoker):
            raise CommandError(NOT_FACILITATOR_ANYWHERE)


def _describe(option: Option) -> str:
    return {
        OptionKind.CIRCLE: "the circle's name",
        OptionKind.MEMBER: "a person",
        OptionKind.DURATION: "a length of time (like 5m or 2h)",
        OptionKind.TIME_ZONE: "a time zone (like Europe/Berlin)",
        OptionKind.DATE: "a date (like 2026-12-24)",
    }.get(option.kind, f"the {option.name.replace('_', ' ')}")


def _convert_one(option: Option, value: RawValue) -> OptionValue:
    label = option.name.replace("_", " ")
    kind = option.kind
    if kind is OptionKind.MEMBER:
        if not isinstance(value, MemberRef):
            raise CommandError(
                f"I couldn't tell who “{value}” is. Try mentioning them, like `@name`."
            )
        return value
    if isinstance(value, MemberRef):
        raise CommandError(f"The {label} should be {_describe(option)}, not a person.")
    if kind is OptionKind.BOOLEAN:
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise CommandError(f"For {label}, I understand yes or no.")
    if kind is OptionKind.INTEGER:
        if isinstance(value, bool):
            raise CommandError(f"The {label} should be a whole number.")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise CommandError(f"The {label} should be a whole number, like 8.") from None
        _check_range(option, number, str(number))
        return number
    text = str(value)
    if kind is OptionKind.DURATION:
        delta = parse_duration(text)
        if delta is None:
            raise CommandError(f"I read the {label} as a length of time, like 90s, 5m, 2h or 3d.")
        _check_range(option, int(delta.total_seconds()), format_duration(delta))
        return delta
    if kind is OptionKind.TIME_ZONE:
        zone = parse_zone(text)
        if zone is None:
            raise CommandError(
                f"I don't know the time zone “{_clip(text)}”. It is usually a region and a city, like Europe/Berlin or America/New_York."
            )
        return zone
    if kind is OptionKind.DATE:
        try:
            return date.fromisoformat(text.strip())
        except ValueError:
            raise CommandError(f"I read the {label} as a date like 2026-12-24.") from None
    if kind is OptionKind.CHOICE:
        word = text.strip().lower()
        if word not in option.choices:
            raise CommandError(f"For {label}, the choices are: {', '.join(option.choices)}.")
        return word
    problem: TextProblem | None
    if kind in (OptionKind.NAME, OptionKind.CIRCLE):
        limit = option.max_length or 40
        cleaned, problem = check_name(text, max_length=limit)
    elif kind is OptionKind.WORD:
        limit = option.max_length or 200
        cleaned, problem = check_line(text, max_length=limit)
    else:
        limit = option.max_length or 2000
        cleaned, problem = check_text(text, max_length=limit)
    if problem is not None:
        raise CommandError(problem.sentence(label, limit))
    return cleaned


def _check_range(option: Option, number: int, shown: str) -> None:
    low, high = option.min_value, option.max_value
    label = option.name.replace("_", " ")
    if (low is not None and number < low) or (high is not None and number > high):

        def show(bound: int) -> str:
            if option.kind is OptionKind.DURATION:
                return format_duration(timedelta(seconds=bound))
            return str(bound)

        if low is not None and high is not None:
            bounds = f"between {show(low)} and {show(high)}"
        elif low is not None:
            bounds = f"at least {show(low)}"
        else:
            bounds = f"at most {show(high)}" if high is not None else ""
        raise CommandError(f"The {label} can be {bounds}; {shown} is outside that.")


def _clip(text: str, length: int = 40) -> str:
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return text if len(text) <= length else text[: length - 1] + "…"
