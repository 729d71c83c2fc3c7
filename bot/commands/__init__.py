"""Commands, declared once and run the same way on every platform.

A cog declares each command as a :class:`CommandSpec` (its words, typed options, who may run
it and a one-line help text) and puts it on its handler with ``@command(SPEC)``. Platforms only
translate: Discord turns specs into slash commands, Matrix into ``!ck ...`` lines, the sandbox
into ``/...`` lines. Every check lives in the router, in one place: option parsing and
validation, finding the circle, permission. A refusal is a kind sentence and leaves everything
as it was.

``spec``        declarations, ``@command`` and ``commands_of``
``options``     the options several cogs share (which circle, who)
``invocation``  one run as its handler sees it
``parsing``     reading a typed line: words, quotes, durations, raw values
``values``      checking and converting option values
``refusals``    the router's kind sentences (each importable from there), and ``CommandError``
``router``      the router itself
"""

from bot.commands.invocation import CircleHandle, Invocation, OptionValue, RawValue
from bot.commands.parsing import (
    MemberParser,
    Token,
    format_duration,
    parse_arguments,
    parse_duration,
    tokenize,
)
from bot.commands.refusals import NOT_MODERATOR, SOMETHING_BROKE, CommandError
from bot.commands.router import CircleDirectory, CommandRouter
from bot.commands.spec import (
    MAX_HELP_LENGTH,
    Command,
    CommandSpec,
    Handler,
    Option,
    OptionKind,
    Permission,
    command,
    commands_of,
)
from bot.commands.values import convert

__all__ = [
    "MAX_HELP_LENGTH",
    "NOT_MODERATOR",
    "SOMETHING_BROKE",
    "CircleDirectory",
    "CircleHandle",
    "Command",
    "CommandError",
    "CommandRouter",
    "CommandSpec",
    "Handler",
    "Invocation",
    "MemberParser",
    "Option",
    "OptionKind",
    "OptionValue",
    "Permission",
    "RawValue",
    "Token",
    "command",
    "commands_of",
    "convert",
    "format_duration",
    "parse_arguments",
    "parse_duration",
    "tokenize",
]
