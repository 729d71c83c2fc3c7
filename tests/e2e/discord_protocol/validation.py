"""What Discord refuses in a request body, checked the way its API documents it.

Command registration ("Application Commands": naming, the command and option structure, the
limits per scope) and message bodies ("Messages": content, embeds and their limits, allowed
mentions, flags). Each refusal is a 400 with code 50035 and the path of the field that was
wrong, as Discord answers.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from .errors import Json, form_error

# -- application commands --

CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND, PRIMARY_ENTRY_POINT = 1, 2, 3, 4
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, NUMBER, CHANNEL = 1, 2, 3, 4, 10, 7
OPTION_TYPES = range(1, 12)
MAX_COMMANDS = {CHAT_INPUT: 100, USER_COMMAND: 15, MESSAGE_COMMAND: 15}
MAX_OPTIONS = 25
MAX_CHOICES = 25
NAME_LIMIT = 32
DESCRIPTION_LIMIT = 100
CHOICE_NAME_LIMIT = 100
CHOICE_VALUE_LIMIT = 100
STRING_LENGTH_LIMIT = 6000
# "The combined sum of characters for name, description, and value properties of a command, its
# options (including subcommands and groups), and choices" (8000 since 2024; it was 4000).
COMMAND_SIZE_LIMIT = 8000
SAFE_INTEGER = 2**53
INTERACTION_CONTEXTS = {0, 1, 2}  # GUILD, BOT_DM, PRIVATE_CHANNEL
INTEGRATION_TYPES = {0, 1}  # GUILD_INSTALL, USER_INSTALL

# -- messages --

CONTENT_LIMIT = 2000
MAX_EMBEDS = 10
EMBED_TOTAL_LIMIT = 6000
EMBED_FIELDS = 25
EMBED_LIMITS = {"title": 256, "description": 4096}
FIELD_LIMITS = {"name": 256, "value": 1024}
NONCE_LIMIT = 25
MENTION_KINDS = {"roles", "users", "everyone"}
MENTION_IDS_LIMIT = 100
SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2 = (
    1 << 2,
    1 << 6,
    1 << 12,
    1 << 15,
)
MESSAGE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_COMPONENTS_V2
INTERACTION_FLAGS = MESSAGE_FLAGS | EPHEMERAL


def _is_name_char(ch: str) -> bool:
    """One character of ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]$``."""
    if ch in "-_'":
        return True
    if unicodedata.category(ch)[0] in "LN":
        return True
    code = ord(ch)
    return 0x0900 <= code <= 0x097F or 0x0E00 <= code <= 0x0E7F  # Devanagari, Thai


def check_name(name: Any, path: list[str | int], *, chat_input: bool = True) -> None:
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_LIMIT:
        raise form_error(
            [*path, "name"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {NAME_LIMIT} in length.",
        )
    if chat_input and not all(_is_name_char(ch) for ch in name):
        raise form_error(
            [*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
        )
    if chat_input and name != name.lower():
        # "If there is a lowercase variant of any letters used, you must use those."
        raise form_error(
            [*path, "name"], "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
        )


def check_description(description: Any, path: list[str | int], *, required: bool = True) -> None:
    if not required:
        if description not in (None, ""):
            raise form_error(
                [*path, "description"],
                "APPLICATION_COMMAND_INVALID_DESCRIPTION",
                "Must be empty for this command type",
            )
        return
    if not isinstance(description, str) or not 1 <= len(description) <= DESCRIPTION_LIMIT:
        raise form_error(
            [*path, "description"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {DESCRIPTION_LIMIT} in length.",
        )


def check_commands(commands: Any, *, guild_scope: bool) -> None:
    """A bulk overwrite (``PUT .../commands``): every command valid, unique, within the limits."""
    if not isinstance(commands, list):
        raise form_error([], "BASE_TYPE_ARRAY", "Must be an array.")
    seen: set[tuple[int, str]] = set()
    per_type: dict[int, int] = {}
    for index, command in enumerate(commands):
        path: list[str | int] = [index]
        if not isinstance(command, dict):
            raise form_error(
                path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
            )
        kind = command.get("type", CHAT_INPUT)
        if kind not in (CHAT_INPUT, USER_COMMAND, MESSAGE_COMMAND, PRIMARY_ENTRY_POINT):
            raise form_error(
                [*path, "type"], "ENUM_TYPE_COERCE", f'Value "{kind}" is not a valid enum value.'
            )
        if guild_scope and kind == PRIMARY_ENTRY_POINT:
            raise form_error(
                [*path, "type"],
                "APPLICATION_COMMAND_INVALID_TYPE",
                "Entry point commands are global only",
            )
        check_name(command.get("name"), path, chat_input=kind == CHAT_INPUT)
        check_description(command.get("description"), path, required=kind == CHAT_INPUT)
        key = (kind, command["name"])
        if key in seen:
            raise form_error(
                [*path, "name"],
                "APPLICATION_COMMANDS_DUPLICATE_NAME",
                f"Application command names must be unique: {command['name']}",
            )
        seen.add(key)
        per_type[kind] = per_type.get(kind, 0) + 1
        if per_type[kind] > MAX_COMMANDS.get(kind, 1):
            raise form_error(
                path,
                "APPLICATION_COMMAND_TOO_MANY",
                "Maximum number of application commands reached",
            )
        _check_scope_fields(command, path, guild_scope=guild_scope)
        options = command.get("options") or []
        if options and kind != CHAT_INPUT:
            raise form_error(
                [*path, "options"],
                "APPLICATION_COMMAND_OPTIONS_NOT_ALLOWED",
                "Only chat input commands have options",
            )
        _check_options(options, [*path, "options"], depth=0)
        size = command_size(command)
        if size > COMMAND_SIZE_LIMIT:
            raise form_error(
                path,
                "APPLICATION_COMMAND_TOO_LARGE",
                f"Command exceeds maximum size ({size} > {COMMAND_SIZE_LIMIT})",
            )


def _check_scope_fields(command: Json, path: list[str | int], *, guild_scope: bool) -> None:
    for field, allowed in (
        ("contexts", INTERACTION_CONTEXTS),
        ("integration_types", INTEGRATION_TYPES),
    ):
        value = command.get(field)
        if value is None:
            continue
        if guild_scope:
            # "only for globally-scoped commands": a guild command is never available in DMs.
            raise form_error(
                [*path, field],
                "APPLICATION_COMMAND_GLOBAL_ONLY",
                f"{field} is only for globally-scoped commands",
            )
        if not isinstance(value, list) or not value or any(v not in allowed for v in value):
            raise form_error([*path, field], "ENUM_TYPE_COERCE", f"{field} has an invalid value")
    permissions = command.get("default_member_permissions")
    if permissions is not None and not (isinstance(permissions, str) and permissions.isdigit()):
        raise form_error(
            [*path, "default_member_permissions"],
            "BASE_TYPE_BAD_INT",
            "Must be a string of digits or null",
        )


def _check_options(options: Any, path: list[str | int], *, depth: int) -> None:
    if not isinstance(options, list):
        raise form_error(path, "BASE_TYPE_ARRAY", "Must be an array.")
    if len(options) > MAX_OPTIONS:
        raise form_error(path, "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_OPTIONS} or fewer in length.")
    kinds = [o.get("type") if isinstance(o, dict) else None for o in options]
    nesting = [k in (SUB_COMMAND, SUB_COMMAND_GROUP) for k in kinds]
    if any(nesting) and not all(nesting):
        raise form_error(
            path,
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
            "Sub-command and sub-command group option types are mutually exclusive to all other types",
        )
    names: set[str] = set()
    optional_seen = False
    for index, option in enumerate(options):
        here = [*path, index]
        if not isinstance(option, dict):
            raise form_error(
                here, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
            )
        kind = option.get("type")
        if not isinstance(kind, int) or kind not in OPTION_TYPES:
            raise form_error(
                [*here, "type"], "ENUM_TYPE_COERCE", f'Value "{kind}" is not a valid enum value.'
            )
        check_name(option.get("name"), here)
        check_description(option.get("description"), here)
        if option["name"] in names:
            raise form_error(
                [*here, "name"],
                "APPLICATION_COMMAND_OPTION_NAME_ALREADY_USED",
                "Option names must be unique",
            )
        names.add(option["name"])
        if kind == SUB_COMMAND_GROUP:
            if depth > 0:
                raise form_error(
                    [*here, "type"],
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "A sub-command group can only be a top-level option",
                )
            children = option.get("options") or []
            if any(not isinstance(c, dict) or c.get("type") != SUB_COMMAND for c in children):
                raise form_error(
                    [*here, "options"],
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "A sub-command group holds sub-commands only",
                )
            _check_options(children, [*here, "options"], depth=depth + 1)
            continue
        if kind == SUB_COMMAND:
            if depth > 1:
                raise form_error(
                    [*here, "type"],
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "Sub-commands can't be nested deeper",
                )
            children = option.get("options") or []
            if any(
                isinstance(c, dict) and c.get("type") in (SUB_COMMAND, SUB_COMMAND_GROUP)
                for c in children
            ):
                raise form_error(
                    [*here, "options"],
                    "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                    "A sub-command holds plain options only",
                )
            _check_options(children, [*here, "options"], depth=depth + 1)
            continue
        if option.get("options"):
            raise form_error(
                [*here, "options"],
                "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
                "Only sub-commands and groups have options",
            )
        # "Required options must be listed before optional options."
        if option.get("required"):
            if optional_seen:
                raise form_error(
                    [*here, "required"],
                    "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                    "Required options must be placed before non-required options",
                )
        else:
            optional_seen = True
        _check_option_values(option, here, kind)


def _check_option_values(option: Json, path: list[str | int], kind: int) -> None:
    choices = option.get("choices")
    if choices is not None:
        if kind not in (STRING, INTEGER, NUMBER):
            raise form_error(
                [*path, "choices"],
                "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
                "Only string, integer and number options have choices",
            )
        if not isinstance(choices, list) or len(choices) > MAX_CHOICES:
            raise form_error(
                [*path, "choices"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {MAX_CHOICES} or fewer in length.",
            )
        if choices and option.get("autocomplete"):
            raise form_error(
                [*path, "autocomplete"],
                "APPLICATION_COMMAND_AUTOCOMPLETE_WITH_CHOICES",
                "Autocomplete can't be used with choices",
            )
        for n, choice in enumerate(choices):
            _check_choice(choice, [*path, "choices", n], kind)
    if option.get("autocomplete") and kind not in (STRING, INTEGER, NUMBER):
        raise form_error(
            [*path, "autocomplete"],
            "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
            "Only string, integer and number options autocomplete",
        )
    for bound in ("min_value", "max_value"):
        if bound in option and option[bound] is not None:
            value = option[bound]
            if kind not in (INTEGER, NUMBER):
                raise form_error(
                    [*path, bound],
                    "APPLICATION_COMMAND_OPTION_INVALID",
                    f"{bound} is for integer and number options",
                )
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or abs(value) > SAFE_INTEGER
            ):
                raise form_error(
                    [*path, bound], "NUMBER_TYPE_MAX", "Must be between -2^53 and 2^53"
                )
            if kind == INTEGER and not float(value).is_integer():
                raise form_error([*path, bound], "NUMBER_TYPE_COERCE", "Must be an integer")
    low, high = option.get("min_value"), option.get("max_value")
    if low is not None and high is not None and low > high:
        raise form_error(
            [*path, "min_value"], "NUMBER_TYPE_MAX", "min_value can't be above max_value"
        )
    for bound, smallest in (("min_length", 0), ("max_length", 1)):
        if bound in option and option[bound] is not None:
            value = option[bound]
            if kind != STRING:
                raise form_error(
                    [*path, bound],
                    "APPLICATION_COMMAND_OPTION_INVALID",
                    f"{bound} is for string options",
                )
            if not isinstance(value, int) or not smallest <= value <= STRING_LENGTH_LIMIT:
                raise form_error(
                    [*path, bound],
                    "NUMBER_TYPE_MAX",
                    f"Must be between {smallest} and {STRING_LENGTH_LIMIT}",
                )
    if "channel_types" in option and kind != CHANNEL:
        raise form_error(
            [*path, "channel_types"],
            "APPLICATION_COMMAND_OPTION_INVALID",
            "channel_types is for channel options",
        )


def _check_choice(choice: Any, path: list[str | int], kind: int) -> None:
    if not isinstance(choice, dict):
        raise form_error(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
    name, value = choice.get("name"), choice.get("value")
    if not isinstance(name, str) or not 1 <= len(name) <= CHOICE_NAME_LIMIT:
        raise form_error(
            [*path, "name"],
            "BASE_TYPE_BAD_LENGTH",
            f"Must be between 1 and {CHOICE_NAME_LIMIT} in length.",
        )
    if kind == STRING:
        if not isinstance(value, str) or len(value) > CHOICE_VALUE_LIMIT:
            raise form_error(
                [*path, "value"],
                "BASE_TYPE_BAD_LENGTH",
                f"Must be a string of {CHOICE_VALUE_LIMIT} or fewer characters.",
            )
    elif (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (kind == INTEGER and not float(value).is_integer())
    ):
        raise form_error([*path, "value"], "NUMBER_TYPE_COERCE", "Value is not a valid number")


def command_size(command: Json) -> int:
    """The characters Discord counts towards a command's size: names, descriptions and choice
    values everywhere in it, the longest localization of each field standing for it."""

    def longest(item: Json, field: str) -> int:
        values = [str(item.get(field) or "")]
        values += [str(v) for v in (item.get(f"{field}_localizations") or {}).values()]
        return max(len(v) for v in values)

    def walk(item: Json) -> int:
        total = longest(item, "name") + longest(item, "description")
        for choice in item.get("choices") or []:
            total += longest(choice, "name") + len(str(choice.get("value", "")))
        return total + sum(walk(o) for o in item.get("options") or [] if isinstance(o, dict))

    return walk(command)


# -- message bodies --


def check_message(body: Json, *, interaction: bool = False) -> None:
    """A message body for Create Message, an interaction response, a follow-up or an edit."""
    content = body.get("content")
    if content is not None and (not isinstance(content, str) or len(content) > CONTENT_LIMIT):
        raise form_error(
            "content", "BASE_TYPE_MAX_LENGTH", f"Must be {CONTENT_LIMIT} or fewer in length."
        )
    nonce = body.get("nonce")
    if isinstance(nonce, str) and len(nonce) > NONCE_LIMIT:
        raise form_error(
            "nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_LIMIT} or fewer in length."
        )
    check_embeds(body.get("embeds"))
    check_allowed_mentions(body.get("allowed_mentions"))
    flags = body.get("flags")
    if flags is not None:
        allowed = INTERACTION_FLAGS if interaction else MESSAGE_FLAGS
        if not isinstance(flags, int) or flags & ~allowed:
            raise form_error("flags", "MESSAGE_FLAGS_INVALID", "Invalid flags")


def check_embeds(embeds: Any) -> None:
    if embeds is None:
        return
    if not isinstance(embeds, list) or len(embeds) > MAX_EMBEDS:
        raise form_error(
            "embeds", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_EMBEDS} or fewer in length."
        )
    total = 0
    for index, embed in enumerate(embeds):
        path: list[str | int] = ["embeds", index]
        if not isinstance(embed, dict):
            raise form_error(
                path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
            )
        for field, limit in EMBED_LIMITS.items():
            text = str(embed.get(field) or "")
            if len(text) > limit:
                raise form_error(
                    [*path, field], "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length."
                )
            total += len(text)
        fields = embed.get("fields") or []
        if len(fields) > EMBED_FIELDS:
            raise form_error(
                [*path, "fields"],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {EMBED_FIELDS} or fewer in length.",
            )
        for n, item in enumerate(fields):
            for part, limit in FIELD_LIMITS.items():
                value = item.get(part) if isinstance(item, dict) else None
                if not isinstance(value, str) or not value:
                    raise form_error(
                        [*path, "fields", n, part], "BASE_TYPE_REQUIRED", "This field is required"
                    )
                if len(value) > limit:
                    raise form_error(
                        [*path, "fields", n, part],
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
                total += len(value)
        footer = str((embed.get("footer") or {}).get("text") or "")
        author = str((embed.get("author") or {}).get("name") or "")
        if len(footer) > 2048:
            raise form_error(
                [*path, "footer", "text"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 2048 or fewer in length.",
            )
        if len(author) > 256:
            raise form_error(
                [*path, "author", "name"], "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length."
            )
        total += len(footer) + len(author)
    if total > EMBED_TOTAL_LIMIT:
        raise form_error(
            "embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )


def check_allowed_mentions(mentions: Any) -> None:
    """Allowed Mentions: ``parse`` from roles/users/everyone, and explicit ``users`` or ``roles``
    lists only when that kind is not also parsed (Discord: "mutually exclusive")."""
    if mentions is None:
        return
    if not isinstance(mentions, dict):
        raise form_error(
            "allowed_mentions", "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
        )
    unknown = set(mentions) - {"parse", "roles", "users", "replied_user"}
    if unknown:
        raise form_error(["allowed_mentions", sorted(unknown)[0]], "UNKNOWN_FIELD", "Unknown field")
    parse = mentions.get("parse", [])
    if not isinstance(parse, list) or any(kind not in MENTION_KINDS for kind in parse):
        raise form_error(
            ["allowed_mentions", "parse"], "ENUM_TYPE_COERCE", "Value is not a valid enum value."
        )
    for kind in ("users", "roles"):
        ids = mentions.get(kind)
        if ids is None:
            continue
        if (
            not isinstance(ids, list)
            or len(ids) > MENTION_IDS_LIMIT
            or any(not str(i).isdigit() for i in ids)
        ):
            raise form_error(
                ["allowed_mentions", kind],
                "BASE_TYPE_MAX_LENGTH",
                f"Must be {MENTION_IDS_LIMIT} or fewer snowflakes.",
            )
        if ids and kind in parse:
            raise form_error(
                ["allowed_mentions", kind],
                "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.',
            )
    if "replied_user" in mentions and not isinstance(mentions["replied_user"], bool):
        raise form_error(
            ["allowed_mentions", "replied_user"],
            "BASE_TYPE_BOOLEAN",
            "Must be either true or false.",
        )
