"""The declared commands (``CommandSpec``) as Discord slash commands.

Path words become a command, a group and subcommand, or a group, subgroup and subcommand
(``/circle rota add``); Discord lets one top-level command mix subcommands and subgroups.
Each option becomes a typed slash option:

    INTEGER          integer, with the declared min and max
    BOOLEAN          boolean
    CHOICE           string with fixed choices
    MEMBER           user (the person picker)
    CIRCLE           string, autocompleted from the circles of the server
    TIME_ZONE        string, autocompleted from the IANA names
    WORD, NAME, TEXT, DURATION, DATE
                     string, with the declared max length

The callbacks only turn Discord's values into the router's raw values (str, int, bool,
``MemberRef``): checking, converting, finding the circle and permission stay in the router, so a
value Discord let through (an out-of-range number from an outdated client, a circle name typed
without picking) gets the router's kind sentence.

What is registered follows Discord's current rules rather than discord.py's defaults: no
deprecated ``dm_permission`` on any command, and on guild commands (``dev_guild_ids``) no
``contexts`` or ``integration_types``, which Discord defines for global commands only.
"""

from __future__ import annotations

import inspect
import logging
import zoneinfo
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cache
from typing import Any

import discord
from discord import app_commands

from bot.commands import SOMETHING_BROKE, CommandSpec, Option, OptionKind

log = logging.getLogger(__name__)

RunCommand = Callable[[discord.Interaction, CommandSpec, Mapping[str, Any]], Awaitable[None]]
Suggest = Callable[[discord.Interaction, str], Awaitable[list[str]]]
Check = Callable[[discord.Interaction], Awaitable[bool]]

MAX_CHOICES = 25  # Discord shows at most 25 autocomplete choices
OUT_OF_DATE = "That command has changed since Discord last showed it to you. Could you try it again in a moment?"
GROUP_HELP = {
    "circle": "Circles: start one, join, leave, preferences and the facilitation rota.",
    "round": "Check-in rounds with a talking piece.",
    "privacy": "What I keep about you: see it, export it, or erase it.",
    "rota": "Who facilitates a circle, and in what order.",
}
_OPTION_TYPES = {
    OptionKind.INTEGER: discord.AppCommandOptionType.integer,
    OptionKind.BOOLEAN: discord.AppCommandOptionType.boolean,
    OptionKind.MEMBER: discord.AppCommandOptionType.user,
}
GUILD_ONLY = app_commands.AppCommandContext(guild=True)
ANYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True)


class OptionShape(app_commands.Transformer):
    """How one declared option looks on Discord. Values pass through unchanged."""

    def __init__(self, option: Option) -> None:
        self.option = option

    @property
    def type(self) -> discord.AppCommandOptionType:
        return _OPTION_TYPES.get(self.option.kind, discord.AppCommandOptionType.string)

    @property
    def min_value(self) -> int | None:
        return self.option.min_value if self.option.kind is OptionKind.INTEGER else None

    @property
    def max_value(self) -> int | None:
        if self.option.kind is OptionKind.INTEGER:
            return self.option.max_value
        if self.type is discord.AppCommandOptionType.string:
            return self.option.max_length  # sent as max_length for strings
        return None

    @property
    def choices(self) -> list[app_commands.Choice[int | float | str]] | None:
        if self.option.kind is not OptionKind.CHOICE:
            return None
        return [
            app_commands.Choice[int | float | str](name=c, value=c) for c in self.option.choices
        ]

    async def transform(self, interaction: discord.Interaction, value: Any, /) -> Any:
        return value


class CircleShape(OptionShape):
    """A circle name, with the server's circles offered as the person types."""

    def __init__(self, option: Option, suggest: Suggest) -> None:
        super().__init__(option)
        self._suggest = suggest

    async def autocomplete(
        self, interaction: discord.Interaction, value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        names = await self._suggest(interaction, str(value))
        return [app_commands.Choice(name=n, value=n) for n in names[:MAX_CHOICES]]


class ZoneShape(OptionShape):
    """An IANA time zone, offered as the person types ("berl" finds Europe/Berlin)."""

    async def autocomplete(
        self, interaction: discord.Interaction, value: int | float | str, /
    ) -> list[app_commands.Choice[int | float | str]]:
        typed = str(value).strip().casefold().replace(" ", "_")
        found = [z for z in _zones() if typed in z.casefold()][:MAX_CHOICES]
        return [app_commands.Choice(name=z, value=z) for z in found]


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def shape_of(option: Option, suggest: Suggest) -> OptionShape:
    if option.kind is OptionKind.CIRCLE:
        return CircleShape(option, suggest)
    if option.kind is OptionKind.TIME_ZONE:
        return ZoneShape(option)
    return OptionShape(option)


def _parameter_name(option: Option) -> str:
    name = option.name.replace("-", "_")
    return name if name.isidentifier() and name not in ("interaction", "self") else f"option_{name}"


def make_command(
    spec: CommandSpec, run: RunCommand, suggest: Suggest
) -> app_commands.Command[Any, ..., None]:
    """One slash command (the last word of the path) for ``spec``."""
    names = {_parameter_name(o): o.name for o in spec.options}

    async def callback(interaction: discord.Interaction, **values: Any) -> None:
        await run(interaction, spec, {names[key]: value for key, value in values.items()})

    # discord.py reads the options from the callback's signature; this one is built from the spec.
    parameters = [inspect.Parameter("interaction", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    for option in spec.options:
        parameters.append(
            inspect.Parameter(
                _parameter_name(option),
                inspect.Parameter.KEYWORD_ONLY,
                annotation=shape_of(option, suggest),
                default=inspect.Parameter.empty if option.required else None,
            )
        )
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]  # a function's __signature__ is not declared, but inspect honours it
    described = app_commands.describe(**{_parameter_name(o): o.help for o in spec.options})(
        callback
    )
    renamed = {key: name for key, name in names.items() if key != name}
    if renamed:
        described = app_commands.rename(**renamed)(described)
    return app_commands.Command(name=spec.path[-1], description=spec.help, callback=described)


def group_help(name: str, children: Sequence[str]) -> str:
    text = GROUP_HELP.get(name) or f"{name.capitalize()}: {', '.join(children)}."
    return text if len(text) <= 100 else text[:99] + "…"


def build_commands(
    specs: Sequence[CommandSpec], run: RunCommand, suggest: Suggest
) -> list[app_commands.Command[Any, ..., None] | app_commands.Group]:
    """The top-level slash commands and groups for ``specs``."""
    tops: dict[str, app_commands.Command[Any, ..., None] | app_commands.Group] = {}
    subgroups: dict[tuple[str, str], app_commands.Group] = {}
    by_top: dict[str, list[CommandSpec]] = {}
    for spec in specs:
        by_top.setdefault(spec.path[0], []).append(spec)
    for top, members in by_top.items():
        contexts = GUILD_ONLY if all(s.needs_space for s in members) else ANYWHERE
        if len(members) == 1 and len(members[0].path) == 1:
            command = make_command(members[0], run, suggest)
            command.allowed_contexts = contexts
            tops[top] = command
            continue
        children = sorted({s.path[1] for s in members})
        group = app_commands.Group(
            name=top, description=group_help(top, children), allowed_contexts=contexts
        )
        tops[top] = group
        for spec in members:
            parent = group
            if len(spec.path) == 3:
                key = (top, spec.path[1])
                if key not in subgroups:
                    leaves = sorted(s.path[2] for s in members if s.path[:2] == spec.path[:2])
                    subgroups[key] = app_commands.Group(
                        name=spec.path[1],
                        description=group_help(spec.path[1], leaves),
                        parent=group,
                    )
                parent = subgroups[key]
            parent.add_command(make_command(spec, run, suggest))
    return list(tops.values())


# discord.py 2.7 still writes the field that `contexts` replaced.
DEPRECATED_FIELDS = ("dm_permission",)
GLOBAL_ONLY_FIELDS = ("contexts", "integration_types")


def registration(command: dict[str, Any], *, in_guild: bool) -> dict[str, Any]:
    """A command's payload as Discord documents it for its scope."""
    dropped = DEPRECATED_FIELDS + (GLOBAL_ONLY_FIELDS if in_guild else ())
    return {key: value for key, value in command.items() if key not in dropped}


class CommandTree(app_commands.CommandTree):
    """discord.py's tree, with one check before everything, kind words for its errors, and
    registrations cleaned for their scope (see ``registration``)."""

    def __init__(self, client: discord.Client, check: Check) -> None:
        super().__init__(client)
        self._check = check

    def payload(self, guild: discord.abc.Snowflake | None = None) -> list[dict[str, Any]]:
        """What ``sync(guild=...)`` sends: the commands of that scope, cleaned."""
        commands = self._get_all_commands(guild=guild)
        return [registration(c.to_dict(self), in_guild=guild is not None) for c in commands]

    async def sync(
        self, *, guild: discord.abc.Snowflake | None = None
    ) -> list[app_commands.AppCommand]:
        """``CommandTree.sync`` with ``payload``: discord.py builds the payload inside sync and
        offers no hook to change it, so this sends it the same way, through the same routes."""
        application_id = self.client.application_id
        if application_id is None:
            raise app_commands.MissingApplicationID
        payload = self.payload(guild)
        http = self.client.http
        try:
            if guild is None:
                data = await http.bulk_upsert_global_commands(application_id, payload=payload)
            else:
                data = await http.bulk_upsert_guild_commands(
                    application_id, guild.id, payload=payload
                )
        except discord.HTTPException as error:
            if error.status == 400 and error.code == 50035:
                raise app_commands.CommandSyncFailure(
                    error, self._get_all_commands(guild=guild)
                ) from None
            raise
        return [app_commands.AppCommand(data=d, state=self.client._connection) for d in data]

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        return await self._check(interaction)

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError, /
    ) -> None:
        if isinstance(error, app_commands.CommandNotFound | app_commands.CommandSignatureMismatch):
            log.warning(
                "a command Discord sent doesn't match ours (%s); syncing should fix it", error
            )
            text = OUT_OF_DATE
        else:
            log.error("a slash command failed", exc_info=error)
            text = SOMETHING_BROKE
        try:
            if interaction.response.is_done():
                await interaction.followup.send(
                    text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
            else:
                await interaction.response.send_message(
                    text, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
                )
        except discord.HTTPException:
            log.exception("could not tell the person that their command failed")
