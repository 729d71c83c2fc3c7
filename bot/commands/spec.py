"""How a command is declared: its words, typed options, who may run it, one line of help.

A cog puts the declaration on its handler with ``@command(SPEC)``; ``commands_of`` finds the
handlers of an object (a cog, or a set of commands it holds) and binds them.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from bot.commands.invocation import Invocation

MAX_HELP_LENGTH = 100  # Discord's limit for command and option descriptions
_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_DECLARED = "__command_spec__"


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
    # It changes a circle's setting: the router writes it in the audit log once it is done,
    # and the dashboard may offer it as a form (run through the router like a typed line).
    changes: bool = False

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
_H = TypeVar("_H", bound=Callable[..., Awaitable[None]])


@dataclass(frozen=True, slots=True)
class Command:
    spec: CommandSpec
    handler: Handler


def command(spec: CommandSpec) -> Callable[[_H], _H]:
    """Declare the method below as the handler of ``spec``::

    @command(JOIN)
    async def join(self, inv: Invocation) -> None: ...
    """

    def declare(handler: _H) -> _H:
        setattr(handler, _DECLARED, spec)
        return handler

    return declare


def commands_of(*owners: object) -> tuple[Command, ...]:
    """Every ``@command`` handler of these objects, bound to them, in the order declared."""
    found: list[Command] = []
    for owner in owners:
        seen: set[str] = set()
        for klass in reversed(type(owner).__mro__):
            for name, member in vars(klass).items():
                spec = getattr(member, _DECLARED, None)
                if isinstance(spec, CommandSpec) and name not in seen:
                    seen.add(name)
                    found.append(Command(spec, getattr(owner, name)))
    return tuple(found)
