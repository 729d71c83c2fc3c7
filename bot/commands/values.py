"""Option values: each raw value checked against its option and turned into its type, or a
kind sentence saying what would work instead."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

from bot.chat import MemberRef
from bot.clock import parse_zone
from bot.commands.invocation import OptionValue, RawValue
from bot.commands.parsing import format_duration, parse_duration
from bot.commands.refusals import MISSING_OPTION, NO_SUCH_OPTION, WHO_IS_THAT, CommandError
from bot.commands.spec import CommandSpec, Option, OptionKind
from bot.text import TextProblem, check_line, check_name, check_text, clip, printable

_TRUE = {"yes", "y", "true", "on", "1", "open"}
_FALSE = {"no", "n", "false", "off", "0", "closed"}


def convert(spec: CommandSpec, raw: Mapping[str, RawValue], prefix: str) -> dict[str, OptionValue]:
    """Every option's value in its type; a missing required one or an unknown name refused."""
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
            NO_SUCH_OPTION.format(
                command=spec.name, option=sorted(unknown)[0], usage=spec.usage(prefix)
            )
        )
    return values


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
            raise CommandError(WHO_IS_THAT.format(text=value))
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
                f"I don't know the time zone “{clip(printable(text), 40)}”. It is usually a region and a city, like Europe/Berlin or America/New_York."
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
    return _checked_text(option, text, label)


def _checked_text(option: Option, text: str, label: str) -> str:
    problem: TextProblem | None
    if option.kind in (OptionKind.NAME, OptionKind.CIRCLE):
        limit = option.max_length or 40
        cleaned, problem = check_name(text, max_length=limit)
    elif option.kind is OptionKind.WORD:
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
