"""The many-shards deployment examples: compose with PostgreSQL and three bot processes, and
the systemd template unit. Each process's command line is read by the real `circlekeeper`
parser against the shipped config, and the processes' shards must split the plan exactly."""

from __future__ import annotations

import configparser
import shlex
from pathlib import Path
from typing import Any

import yaml

from bot.__main__ import _parser, with_run_flags
from bot.app import feature_sections, ownership_of
from bot.chat import Platform
from bot.config import Config, load_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def shipped_config() -> Config:
    return load_config(DEPLOY / "config.shards.example.toml", feature_sections())


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (DEPLOY / "compose.shards.yaml").read_text(encoding="utf-8")
    )
    return loaded


def as_run(argv: list[str]) -> Config:
    """The config a process started with ``argv`` runs with (as `circlekeeper run` reads it)."""
    args = _parser().parse_args(argv)
    assert args.command == "run"
    return with_run_flags(shipped_config(), args)


def test_the_shipped_config_shares_one_postgresql() -> None:
    config = shipped_config()
    assert config.storage_url.startswith("postgresql://circlekeeper@postgres:5432/")
    assert config.discord.enabled
    assert config.discord.shard_count == 6
    assert config.web.enabled  # /healthz and /metrics per process


def test_compose_runs_postgresql_and_three_processes_that_split_the_shards() -> None:
    services = compose()["services"]
    postgres = services.pop("postgres")
    assert postgres["image"] == "postgres:15"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert postgres["env_file"] in (DEPLOY / ".gitignore").read_text(encoding="utf-8").split()
    assert len(services) == 3
    owned: list[int] = []
    matrix = []
    for name, service in services.items():
        assert service["restart"] == "on-failure", name
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy", name
        assert "./config.shards.toml:/etc/circlekeeper/config.toml:ro" in service["volumes"]
        config = as_run(service["command"])
        own = ownership_of(config)
        assert own.shard_count == shipped_config().discord.shard_count, name
        assert own.shards is not None, f"{name} runs every shard"
        owned += sorted(own.shards)
        if own.runs(Platform.MATRIX):
            matrix.append(name)
    assert sorted(owned) == list(range(6))  # every shard once: none twice, none left out
    assert len(matrix) == 1  # one Matrix sync loop per account


def test_the_template_unit_runs_the_shards_its_instance_names() -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are CamelCase
    parser.read(DEPLOY / "circlekeeper@.service", encoding="utf-8")
    service = parser["Service"]
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"
    argv = shlex.split(service["ExecStart"])
    assert "%i" in argv
    halves = [
        ownership_of(as_run([a.replace("%i", instance) for a in argv[1:]]))
        for instance in ("0-2", "3-5")
    ]
    assert [sorted(h.shards or ()) for h in halves] == [[0, 1, 2], [3, 4, 5]]
    assert halves[0].hears_private_messages
    assert not halves[1].hears_private_messages
    assert not any(h.runs(Platform.MATRIX) for h in halves)  # Matrix is given by a drop-in
