"""Configuration: a TOML file read into frozen dataclasses, checked key by key.

Every problem becomes one line naming the file, the key and what is wrong, and all of them are
reported at once. Secrets never live in the file; they come from the environment.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import ipaddress
import os
import re
import tomllib
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_type_hints

from bot.clock import parse_zone
from bot.ownership import parse_shards

_S = TypeVar("_S")

DEFAULT_CONFIG_NAMES = ("config.toml",)
ENV_CONFIG = "CIRCLEKEEPER_CONFIG"
ENV_DISCORD_TOKEN = "CIRCLEKEEPER_DISCORD_TOKEN"
ENV_MATRIX_ACCESS_TOKEN = "CIRCLEKEEPER_MATRIX_ACCESS_TOKEN"
ENV_MATRIX_PASSWORD = "CIRCLEKEEPER_MATRIX_PASSWORD"
LOG_LEVELS = ("debug", "info", "warning", "error")
ROLES = ("discord", "matrix")
MAX_SHARD_COUNT = 65_536
_HOSTNAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?")
SECRET_KEYS = {
    "token": ENV_DISCORD_TOKEN,
    "access_token": ENV_MATRIX_ACCESS_TOKEN,
    "password": ENV_MATRIX_PASSWORD,
}


class ConfigError(Exception):
    """One or more problems in a config file; ``lines`` holds one sentence per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


# --- field helpers ---------------------------------------------------------------------------


def check_zone(value: object) -> str | None:
    if isinstance(value, str) and parse_zone(value) is not None:
        return None
    return f"{value!r} is not an IANA time zone (for example 'Europe/Berlin' or 'UTC')"


def _check_url(value: object) -> str | None:
    if isinstance(value, str) and (value == "" or value.startswith(("http://", "https://"))):
        return None
    return f"{value!r} should be a URL starting with http:// or https://"


def _check_ws_url(value: object) -> str | None:
    if isinstance(value, str) and (value == "" or value.startswith(("ws://", "wss://"))):
        return None
    return f"{value!r} should be a URL starting with ws:// or wss://"


def _check_storage_url(value: object) -> str | None:
    if isinstance(value, str) and (
        value == "" or value.startswith(("sqlite:///", "postgresql://", "postgres://"))
    ):
        return None
    return (
        f"{value!r} should be a store URL: sqlite:///relative/file.db, "
        "sqlite:////absolute/file.db or postgresql://user@host/database"
    )


def _check_matrix_user(value: object) -> str | None:
    if isinstance(value, str) and (value == "" or (value.startswith("@") and ":" in value)):
        return None
    return f"{value!r} should be a Matrix user id like '@circlekeeper:example.org'"


def _check_inviter(value: object) -> str | None:
    if (
        isinstance(value, str)
        and value
        and ((value.startswith("@") and ":" in value) or "@" not in value)
    ):
        return None
    return f"{value!r} should be a user id ('@alice:example.org') or a server name ('example.org')"


def setting(
    default: Any,
    *,
    low: int | None = None,
    high: int | None = None,
    choices: tuple[str, ...] = (),
    check: Callable[[object], str | None] | None = None,
    each: Callable[[object], str | None] | None = None,
) -> Any:
    """A config field with its default and its rules."""
    rules = {"low": low, "high": high, "choices": choices, "check": check, "each": each}
    if isinstance(default, list | dict):
        raise TypeError("use tuples for list defaults")
    return field(default=default, metadata=rules)


# --- the sections ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalConfig:
    space_name: str = setting("Sandbox")
    moderators: tuple[str, ...] = setting(("alice",))


@dataclass(frozen=True, slots=True)
class MatrixConfig:
    enabled: bool = setting(False)
    homeserver: str = setting("", check=_check_url)
    user_id: str = setting("", check=_check_matrix_user)
    device_name: str = setting("Circlekeeper")
    command_prefix: str = setting("!ck")
    moderator_power_level: int = setting(50, low=0, high=100)
    allowed_inviters: tuple[str, ...] = setting((), each=_check_inviter)
    encryption: bool = setting(False)


def _check_shards(value: object) -> str | None:
    if not isinstance(value, str):
        return f"should be text such as '0-3', not {_describe(value)}"
    if value == "":
        return None
    try:
        parse_shards(value)
    except ValueError as error:
        return f"{value!r}: {error} (for example '0-3' or '0,2,4-5')"
    return None


@dataclass(frozen=True, slots=True)
class DiscordConfig:
    enabled: bool = setting(False)
    dev_guild_ids: tuple[int, ...] = setting(())
    moderator_roles: tuple[str, ...] = setting(())
    api_base: str = setting("", check=_check_url)
    gateway_url: str = setting("", check=_check_ws_url)
    # Discord's sharding: the shards this process runs ("0-3", "0,2,4-5"; empty: all of
    # them) out of shard_count (0: not sharded, one connection).
    shards: str = setting("", check=_check_shards)
    shard_count: int = setting(0, low=0, high=MAX_SHARD_COUNT)

    @property
    def shard_ids(self) -> tuple[int, ...]:
        """The shards this process runs; all of them when ``shards`` is empty."""
        if self.shards:
            return parse_shards(self.shards)
        return tuple(range(self.shard_count))


def _check_role(value: object) -> str | None:
    if value in ROLES:
        return None
    return f"{value!r} is not a role; the roles are {', '.join(map(repr, ROLES))}"


def _check_host(value: object) -> str | None:
    if isinstance(value, str) and value:
        with contextlib.suppress(ValueError):
            ipaddress.ip_address(value)
            return None
        if _HOSTNAME.fullmatch(value):
            return None
    return f"{value!r} should be an address to listen on, like '127.0.0.1', '::1' or 'localhost'"


@dataclass(frozen=True, slots=True)
class WebConfig:
    enabled: bool = setting(False)
    host: str = setting("127.0.0.1", check=_check_host)
    port: int = setting(8080, low=0, high=65535)
    public_url: str = setting("", check=_check_url)
    https: bool = setting(False)
    session_hours: int = setting(12, low=1, high=168)


@dataclass(frozen=True, slots=True)
class StorageConfig:
    # Empty: SQLite at data_dir/circlekeeper.db, as always.
    url: str = setting("", check=_check_storage_url)


@dataclass(frozen=True, slots=True)
class Config:
    data_dir: str = setting("data")
    log_level: str = setting("info", choices=LOG_LEVELS)
    # The platforms this process serves when several processes share one PostgreSQL store
    # ("discord", "matrix"); empty: every platform switched on.
    roles: tuple[str, ...] = setting((), each=_check_role)
    local: LocalConfig = field(default_factory=LocalConfig)
    matrix: MatrixConfig = field(default_factory=MatrixConfig)
    discord: DiscordConfig = field(default_factory=DiscordConfig)
    web: WebConfig = field(default_factory=WebConfig)
    storage: StorageConfig = field(default_factory=StorageConfig)
    # The features' own sections ([circles], [agreements], ...), read by the settings class
    # each feature declares; a section left out of the file is that class's defaults.
    features: Mapping[str, object] = field(default_factory=dict, metadata={"internal": True})
    # where the file was (relative paths resolve against its folder); not a TOML key
    source: Path | None = field(default=None, metadata={"internal": True})

    def section(self, name: str, kind: type[_S]) -> _S:
        """A feature's settings: as the file gave them, or the defaults."""
        value = self.features.get(name)
        if value is None:
            return kind()
        if not isinstance(value, kind):
            raise TypeError(f"[{name}] holds {type(value).__name__}, not {kind.__name__}")
        return value

    @property
    def data_path(self) -> Path:
        base = self.source.parent if self.source else Path.cwd()
        return (base / self.data_dir).resolve()

    @property
    def database_path(self) -> Path:
        return self.data_path / "circlekeeper.db"

    @property
    def storage_url(self) -> str:
        """The store to open: ``storage.url``, or SQLite at :attr:`database_path`. A relative
        SQLite path is relative to the config file's folder, like ``data_dir``."""
        url = self.storage.url
        if not url:
            return f"sqlite:///{self.database_path}"
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            base = self.source.parent if self.source else Path.cwd()
            return f"sqlite:///{(base / url[len('sqlite:///') :]).resolve()}"
        return url

    @property
    def sandbox_path(self) -> Path:
        """The sandbox's room: its messages, threads, reactions and clock (not the bot's data)."""
        return self.data_path / "sandbox.db"


@dataclass(frozen=True, slots=True)
class Secrets:
    """What comes from the environment only."""

    discord_token: str | None
    matrix_access_token: str | None
    matrix_password: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(
            discord_token=env.get(ENV_DISCORD_TOKEN) or None,
            matrix_access_token=env.get(ENV_MATRIX_ACCESS_TOKEN) or None,
            matrix_password=env.get(ENV_MATRIX_PASSWORD) or None,
        )


# --- loading ---------------------------------------------------------------------------------


def find_config(explicit: str | None, env: Mapping[str, str] | None = None) -> Path | None:
    """The config file to read: ``--config``, then $CIRCLEKEEPER_CONFIG, then ./config.toml."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG])
    for name in DEFAULT_CONFIG_NAMES:
        if Path(name).is_file():
            return Path(name)
    return None


def load_config(path: Path | None, features: Mapping[str, type[Any]] | None = None) -> Config:
    """Read and check ``path`` (defaults for everything when it is None). ``features`` names
    the sections the features declare, with the settings class that reads each."""
    if path is None:
        return Config()
    features = dict(features or {})
    label = str(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{label}: the file does not exist"]) from None
    except UnicodeDecodeError:
        raise ConfigError([f"{label}: the file is not UTF-8 text"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{label}: not valid TOML: {error}"]) from None
    except OSError as error:
        raise ConfigError([f"{label}: cannot be read: {error.strerror}"]) from None
    problems: list[str] = []
    values: dict[str, Any] = {}
    sections: dict[str, object] = {}
    for key, value in raw.items():  # in the file's order, so the problems read in its order
        kind = features.get(key)
        if kind is None:
            values |= _read_section(Config, {key: value}, "", label, problems, also=tuple(features))
        elif not isinstance(value, dict):
            problems.append(f"{label}: {key}: should be a table ([{key}])")
        else:
            sections[key] = _build(kind, _read_section(kind, value, f"{key}.", label, problems))
    for name, kind in features.items():
        _check_section(name, sections.get(name) or kind(), label, problems)
    _check_relations(values, label, problems)
    if problems:
        raise ConfigError(problems)
    config: Config = _build(Config, values)
    return dataclasses.replace(config, features=sections, source=path.resolve())


def _read_section(
    cls: type[Any],
    raw: Mapping[str, Any],
    prefix: str,
    label: str,
    problems: list[str],
    also: tuple[str, ...] = (),
) -> dict[str, Any]:
    """The valid values of one table; a line in ``problems`` for each key that isn't.
    ``also``: more names a close match may point to (the features' sections)."""
    hints = get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    out: dict[str, Any] = {}
    for key, value in raw.items():
        dotted = f"{prefix}{key}"
        if key in SECRET_KEYS and key not in fields:
            problems.append(
                f"{label}: {dotted}: secrets don't belong in the config file; set the environment variable {SECRET_KEYS[key]} instead"
            )
            continue
        spec = fields.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, [*fields, *also], n=1)
            hint = f" (did you mean '{prefix}{close[0]}'?)" if close else ""
            problems.append(f"{label}: {dotted}: unknown key{hint}")
            continue
        hint = hints[key]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                problems.append(f"{label}: {dotted}: should be a table ([{dotted}])")
                continue
            out[key] = _read_section(hint, value, f"{dotted}.", label, problems)
            continue
        problem = _check_value(hint, spec.metadata, value)
        if problem:
            problems.append(f"{label}: {dotted}: {problem}")
            continue
        out[key] = tuple(value) if isinstance(value, list) else value
    return out


_SINGULAR = {bool: "true or false", int: "a whole number", str: "text in quotes"}
_PLURAL = {bool: "true or false values", int: "whole numbers", str: "texts in quotes"}


def _type_name(hint: Any) -> str:
    if typing.get_origin(hint) is tuple:
        inner = typing.get_args(hint)[0]
        return f"a list of {_PLURAL.get(inner, str(inner))}"
    return _SINGULAR.get(hint, str(hint))


def _matches(hint: Any, value: object) -> bool:
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if typing.get_origin(hint) is tuple:
        inner = typing.get_args(hint)[0]
        return isinstance(value, list) and all(_matches(inner, v) for v in value)
    if isinstance(hint, types.UnionType):
        return any(_matches(h, value) for h in typing.get_args(hint))
    return False


def _check_value(hint: Any, rules: Mapping[str, Any], value: object) -> str | None:
    if not _matches(hint, value):
        if typing.get_origin(hint) is tuple and isinstance(value, list):
            inner = typing.get_args(hint)[0]
            position, item = next((i, v) for i, v in enumerate(value, 1) if not _matches(inner, v))
            return f"should be {_type_name(hint)}, but item {position} is {_describe(item)}"
        return f"should be {_type_name(hint)}, not {_describe(value)}"
    low, high = rules.get("low"), rules.get("high")
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and ((low is not None and value < low) or (high is not None and value > high))
    ):
        return f"{value} is out of range (it can be {low} to {high})"
    choices = rules.get("choices") or ()
    if choices and value not in choices:
        return f"{value!r} is not one of {', '.join(map(repr, choices))}"
    check = rules.get("check")
    if check is not None:
        problem: str | None = check(value)
        if problem:
            return problem
    each = rules.get("each")
    if each is not None and isinstance(value, list):
        for item in value:
            problem = each(item)
            if problem:
                return problem
    return None


def _describe(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _check_section(name: str, settings: object, label: str, problems: list[str]) -> None:
    """A feature's settings may check how their values go together: ``relations()`` returns
    (key, problem) pairs for the values that don't."""
    relations = getattr(settings, "relations", None)
    if callable(relations):
        for key, problem in relations():
            problems.append(f"{label}: {name}.{key}: {problem}")


def _check_relations(values: Mapping[str, Any], label: str, problems: list[str]) -> None:
    matrix = values.get("matrix", {})
    for key in ("homeserver", "user_id"):
        dotted = f"matrix.{key}"
        already = any(p.startswith(f"{label}: {dotted}:") for p in problems)  # given, but not valid
        if matrix.get("enabled") and not matrix.get(key) and not already:
            problems.append(f"{label}: {dotted}: needed when matrix.enabled is true")
    _check_sharding(values, label, problems)
    web = values.get("web", {})
    public_url = web.get("public_url", "")
    if isinstance(public_url, str) and public_url.startswith("https://") and not web.get("https"):
        problems.append(
            f"{label}: web.https: should be true when web.public_url starts with https:// "
            "(sign-in cookies then get the Secure flag)"
        )
    if web.get("https") and isinstance(public_url, str) and public_url.startswith("http://"):
        problems.append(
            f"{label}: web.public_url: starts with http://, but web.https is true; "
            "browsers would then never send the sign-in cookie"
        )


def _check_sharding(values: Mapping[str, Any], label: str, problems: list[str]) -> None:
    discord = values.get("discord", {})
    shards, count = discord.get("shards", ""), discord.get("shard_count", 0)
    problems.extend(f"{label}: {line}" for line in sharding_problems(shards, count))


def sharding_problems(shards: str, count: int) -> list[str]:
    """What is wrong with running ``shards`` out of ``count`` (keys named as in the file)."""
    if not shards:
        return []
    if count < 1:
        return ["discord.shard_count: needed when discord.shards is set (how many shards in all)"]
    try:
        ids = parse_shards(shards)
    except ValueError:
        return []  # said already, by the key's own check
    beyond = [i for i in ids if i >= count]
    if beyond:
        return [
            f"discord.shards: shard {beyond[0]} is beyond shard_count {count} "
            f"(shards are numbered 0 to {count - 1})"
        ]
    return []


def _build(cls: Any, values: Mapping[str, Any]) -> Any:
    hints = get_type_hints(cls)
    kwargs = {}
    for key, value in values.items():
        hint = hints[key]
        kwargs[key] = _build(hint, value) if dataclasses.is_dataclass(hint) else value
    return cls(**kwargs)
