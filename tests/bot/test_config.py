"""Config: every problem is one line naming the file, the key and what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import feature_sections
from bot.config import Config, ConfigError, Secrets
from bot.config import load_config as load_engine_config
from cogs.circles import CirclesSettings


def load_config(path: Path | None) -> Config:
    """The config as the bot reads it: with the sections its features declare."""
    return load_engine_config(path, feature_sections())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return caught.value.lines


def test_the_example_config_is_valid() -> None:
    """config.example.toml loads cleanly and matches the defaults."""
    config = load_config(Path(__file__).parents[2] / "config.example.toml")
    assert config.section("circles", CirclesSettings) == CirclesSettings()
    assert not config.matrix.enabled
    assert not config.discord.enabled


def test_no_file_means_the_defaults() -> None:
    """Without a config file everything has a sensible default (and the sandbox runs)."""
    assert load_config(None) == Config()


def test_relative_data_dir_resolves_next_to_the_file(tmp_path: Path) -> None:
    """A relative data_dir is relative to the config file, not to where the bot was started."""
    config = load_config(write(tmp_path, 'data_dir = "state"\n'))
    assert config.data_path == (tmp_path / "state").resolve()


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("colour = 1\n", "config.toml: colour: unknown key"),
        (
            "[circles]\ndefault_capacty = 5\n",
            "config.toml: circles.default_capacty: unknown key (did you mean 'circles.default_capacity'?)",
        ),
        ("log_level = 3\n", "config.toml: log_level: should be text in quotes, not the number 3"),
        (
            'log_level = "loud"\n',
            "config.toml: log_level: 'loud' is not one of 'debug', 'info', 'warning', 'error'",
        ),
        (
            '[circles]\ndefault_time_zone = "Mars/Olympus"\n',
            "config.toml: circles.default_time_zone: 'Mars/Olympus' is not an IANA time zone",
        ),
        (
            "[circles]\ndefault_capacity = 1000\n",
            "config.toml: circles.default_capacity: 1000 is out of range (it can be 2 to 500)",
        ),
        (
            "[circles]\ndefault_capacity = true\n",
            "config.toml: circles.default_capacity: should be a whole number, not true/false",
        ),
        (
            '[matrix]\nenabled = true\nuser_id = "@ck:example.org"\n',
            "config.toml: matrix.homeserver: needed when matrix.enabled is true",
        ),
        (
            '[matrix]\nhomeserver = "matrix.org"\n',
            "config.toml: matrix.homeserver: 'matrix.org' should be a URL",
        ),
        (
            '[discord]\ntoken = "abc"\n',
            "config.toml: discord.token: secrets don't belong in the config file; set the environment variable CIRCLEKEEPER_DISCORD_TOKEN instead",
        ),
        (
            '[discord]\ndev_guild_ids = ["x"]\n',
            "config.toml: discord.dev_guild_ids: should be a list of whole numbers, but item 1 is the text 'x'",
        ),
        (
            '[discord]\ndev_guild_ids = [1, 2, "3"]\n',
            "config.toml: discord.dev_guild_ids: should be a list of whole numbers, but item 3 is the text '3'",
        ),
        (
            "[discord]\ndev_guild_ids = 5\n",
            "config.toml: discord.dev_guild_ids: should be a list of whole numbers, not the number 5",
        ),
        (
            "[local]\nmoderators = [1]\n",
            "config.toml: local.moderators: should be a list of texts in quotes, but item 1 is the number 1",
        ),
        (
            '[matrix]\nenabled = true\nhomeserver = "matrix.org"\nuser_id = "@ck:matrix.org"\n',
            "config.toml: matrix.homeserver: 'matrix.org' should be a URL",
        ),
        ("circles = 5\n", "config.toml: circles: should be a table ([circles])"),
        ("this is not toml\n", "config.toml: not valid TOML"),
    ],
)
def test_each_problem_names_file_key_and_problem(tmp_path: Path, text: str, line: str) -> None:
    """Unknown keys, wrong types, bad zones, out-of-range numbers and secrets each give one line."""
    found = problems(tmp_path, text)
    assert len(found) == 1
    assert found[0].startswith(str(tmp_path / "config.toml"))
    assert line.removeprefix("config.toml") in found[0]


def test_all_problems_are_reported_together(tmp_path: Path) -> None:
    """Several mistakes give several lines at once, not one at a time."""
    assert (
        len(problems(tmp_path, 'colour = 1\nlog_level = "loud"\n[circles]\ndefault_capacity = 0\n'))
        == 3
    )


def test_check_config_exits_2_with_the_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`circlekeeper check-config` prints each problem on stderr and exits 2."""
    path = write(tmp_path, "colour = 1\n[circles]\ndefault_capacity = 0\n")
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2
    assert all(line.startswith(str(path)) for line in err)


def test_check_config_accepts_a_good_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A valid file is confirmed in one friendly line."""
    assert main(["check-config", str(write(tmp_path, 'log_level = "debug"\n'))]) == 0
    assert "looks good" in capsys.readouterr().out


def test_check_config_takes_the_file_with_config_like_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check-config --config FILE` reads FILE, exactly as `run --config FILE` would."""
    good = write(tmp_path, 'log_level = "debug"\n')
    assert main(["check-config", "--config", str(good)]) == 0
    assert f"{good}: looks good" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 1\n", encoding="utf-8")
    assert main(["check-config", "--config", str(bad)]) == 2
    assert f"{bad}: colour: unknown key" in capsys.readouterr().err


def test_check_config_given_two_different_files_asks_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file both by position and by --config, when they differ, is a question, not a guess."""
    one = write(tmp_path, "")
    other = tmp_path / "other.toml"
    other.write_text("", encoding="utf-8")
    assert main(["check-config", str(one), "--config", str(other)]) == 2
    assert "please name just one" in capsys.readouterr().err


def test_an_enabled_platform_without_its_secret_is_a_config_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord switched on without CIRCLEKEEPER_DISCORD_TOKEN is named, exit 2."""
    monkeypatch.delenv("CIRCLEKEEPER_DISCORD_TOKEN", raising=False)
    path = write(tmp_path, "[discord]\nenabled = true\n")
    assert main(["check-config", str(path)]) == 2
    assert "set CIRCLEKEEPER_DISCORD_TOKEN in the environment" in capsys.readouterr().err


def test_run_validates_the_same_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`circlekeeper run` refuses a malformed config with the same lines and exit 2."""
    path = write(tmp_path, "[circles]\nmax_capacity = 1\n")
    assert main(["run", "--config", str(path)]) == 2
    assert "circles.max_capacity: 1 is out of range" in capsys.readouterr().err


def test_secrets_come_from_the_environment() -> None:
    """Tokens are read from CIRCLEKEEPER_* variables only."""
    secrets = Secrets.from_env(
        {"CIRCLEKEEPER_DISCORD_TOKEN": "t", "CIRCLEKEEPER_MATRIX_ACCESS_TOKEN": ""}
    )
    assert secrets.discord_token == "t"
    assert secrets.matrix_access_token is None
