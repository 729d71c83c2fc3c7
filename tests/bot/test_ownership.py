"""Who owns which circle: Discord's shard formula, the roles, the timers left to the owner,
and the shard settings in the config file and on the command line."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import main, with_run_flags
from bot.app import feature_sections, ownership_of
from bot.chat import Platform, SpaceRef
from bot.clock import ManualClock
from bot.config import Config, ConfigError, DiscordConfig, load_config
from bot.ownership import Ownership, parse_shards, shard_of, spans
from bot.scheduling import Scheduler

START = datetime(2026, 3, 2, 9, 0, tzinfo=ManualClock().now().tzinfo)


def guild_on(shard: int, count: int) -> int:
    """A plausible snowflake on ``shard`` of ``count``."""
    base = 1_300_000_000_000 << 22
    return base + (((shard - (base >> 22)) % count) << 22) + 12345


def test_parse_shards_reads_ranges_and_lists() -> None:
    assert parse_shards("0-3") == (0, 1, 2, 3)
    assert parse_shards("5, 0,2-3") == (0, 2, 3, 5)
    assert parse_shards("7") == (7,)
    for bad in ("", "a", "3-1", "-1", "0,,1", "1-b"):
        with pytest.raises(ValueError, match=r"."):
            parse_shards(bad)


def test_spans_writes_them_back() -> None:
    assert spans([0, 1, 2, 5, 7, 8]) == "0-2,5,7-8"
    assert spans([]) == ""
    assert spans([4]) == "4"


def test_discords_formula() -> None:
    # Discord's own example: guild 81384788765712384 on 17 shards is shard 7.
    assert shard_of(81384788765712384, 17) == 7
    assert shard_of(81384788765712384, 1) == 0
    for shard in range(8):
        assert shard_of(guild_on(shard, 8), 8) == shard


def test_by_default_everything_is_local() -> None:
    own = Ownership.everything()
    assert not own.partial
    for platform in Platform:
        assert own.is_local(SpaceRef(platform, str(guild_on(3, 8))))
    assert own.hears_private_messages


def test_a_process_owns_the_guilds_on_its_shards_only() -> None:
    own = Ownership.of(shards=(0, 1, 2, 3), shard_count=8, platforms={Platform.DISCORD})
    assert own.partial
    assert own.is_local(SpaceRef(Platform.DISCORD, str(guild_on(3, 8))))
    assert not own.is_local(SpaceRef(Platform.DISCORD, str(guild_on(4, 8))))
    assert not own.is_local(SpaceRef(Platform.DISCORD, "not-a-number"))
    assert not own.is_local(SpaceRef(Platform.MATRIX, "!room:example.org"))  # not its role
    assert own.is_local(SpaceRef(Platform.LOCAL, "sandbox"))
    assert own.hears_private_messages
    later = Ownership.of(shards=(4, 5, 6, 7), shard_count=8, platforms={Platform.DISCORD})
    assert not later.hears_private_messages
    assert later.describe() == "discord shards 4-7 of 8"


def test_all_shards_in_one_process_is_everything() -> None:
    own = Ownership.of(shards=range(4), shard_count=4)
    assert own.shards is None
    assert not own.partial


def test_the_matrix_role_owns_matrix_circles() -> None:
    own = Ownership.of(platforms={Platform.MATRIX})
    assert own.is_local(SpaceRef(Platform.MATRIX, "!room:example.org"))
    assert not own.is_local(SpaceRef(Platform.DISCORD, str(guild_on(0, 1))))
    assert not own.hears_private_messages
    assert own.describe() == "matrix"


async def test_timers_of_circles_owned_elsewhere_are_not_armed() -> None:
    clock = ManualClock(START)
    own = Ownership.of(shards=(0,), shard_count=2, platforms={Platform.DISCORD})
    scheduler = Scheduler(clock, real_time=False, ownership=own)
    timers = scheduler.namespace("toy")
    fired: list[str] = []

    async def mark(key: str) -> None:
        fired.append(key)

    mine, theirs = (
        SpaceRef(Platform.DISCORD, str(guild_on(0, 2))),
        SpaceRef(Platform.DISCORD, str(guild_on(1, 2))),
    )
    timers.at("a", START, lambda _: mark("a"), space=mine)
    timers.at("b", START, lambda _: mark("b"), space=theirs)
    timers.at("c", START, lambda _: mark("c"))  # armed by a command or an event: here
    assert (timers.owns(mine), timers.owns(theirs)) == (True, False)
    assert [job for job, _ in scheduler.pending()] == ["toy:a", "toy:c"]
    # A timer re-armed for a space owned elsewhere is dropped, not left behind.
    timers.at("a", START, lambda _: mark("a"), space=theirs)
    clock.advance(timedelta(seconds=1))
    assert await scheduler.run_due() == 1
    assert fired == ["c"]
    assert scheduler.elsewhere == 2


def test_the_config_file_names_shards_and_roles(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'roles = ["discord"]\n[discord]\nenabled = true\nshards = "0-3"\nshard_count = 8\n',
        encoding="utf-8",
    )
    config = load_config(path, feature_sections())
    assert config.discord.shard_ids == (0, 1, 2, 3)
    own = ownership_of(config)
    assert own.shards == frozenset(range(4))
    assert own.shard_count == 8
    assert own.platforms == frozenset({Platform.DISCORD, Platform.LOCAL})


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('[discord]\nshards = "0-3"\n', "discord.shard_count: needed when discord.shards is set"),
        (
            '[discord]\nshards = "0-8"\nshard_count = 8\n',
            "discord.shards: shard 8 is beyond shard_count 8 (shards are numbered 0 to 7)",
        ),
        ('[discord]\nshards = "3-1"\nshard_count = 8\n', "discord.shards: '3-1': '3-1' is not"),
        ("[discord]\nshards = 3\n", "discord.shards: should be text in quotes, not the number 3"),
        ('roles = ["irc"]\n', "roles: 'irc' is not a role; the roles are 'discord', 'matrix'"),
    ],
)
def test_bad_shard_settings_are_explained(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path, feature_sections())
    assert any(problem in line for line in raised.value.lines), raised.value.lines


def _flags(**given: object) -> argparse.Namespace:
    return argparse.Namespace(**({"shards": None, "shard_count": None, "roles": None} | given))


def test_run_flags_override_the_file() -> None:
    config = Config(discord=DiscordConfig(enabled=True, shards="0-1", shard_count=4))
    changed = with_run_flags(config, _flags(shards="0-3", shard_count=8, roles="discord,matrix"))
    assert changed.discord.shard_ids == (0, 1, 2, 3)
    assert changed.discord.shard_count == 8
    assert changed.roles == ("discord", "matrix")
    assert with_run_flags(config, _flags()) == config


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        ({"shards": "0-3"}, "--shards/--shard-count: discord.shard_count: needed"),
        ({"shards": "x", "shard_count": 2}, "--shards: 'x': 'x' is not a shard number"),
        ({"shards": "0-4", "shard_count": 4}, "shard 4 is beyond shard_count 4"),
        ({"roles": "discord,irc"}, "--roles: 'irc' is not a role"),
    ],
)
def test_bad_run_flags_are_explained(given: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError) as raised:
        with_run_flags(Config(), _flags(**given))
    assert any(problem in line for line in raised.value.lines), raised.value.lines


def test_run_refuses_a_shard_count_of_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["run", "--shard-count", "0"])
    assert raised.value.code == 2
    assert "0 is out of range (it can be 1 to 65536)" in capsys.readouterr().err
