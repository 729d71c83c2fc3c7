"""Running under a supervisor: the shipped systemd unit and container recipe restart the bot
when it exits with an error, keep its data in one folder, and a restart loop like theirs
brings a bot back after Discord sent something it could not read."""

from __future__ import annotations

import asyncio
import configparser
import os
import signal
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from tests.e2e.discord_bot import Folk
from tests.e2e.discord_protocol import DiscordServer, option, subcommand
from tests.e2e.discord_protocol.state import Json

pytestmark = pytest.mark.e2e

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
START_LIMIT = 30.0


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are CamelCase
    parser.read(DEPLOY / "circlekeeper.service", encoding="utf-8")
    return parser


def test_the_systemd_unit_restarts_on_failure_but_not_on_a_config_error() -> None:
    """Restart=on-failure brings the bot back after exit code 1; exit code 2 (a config error) is not retried."""
    service = unit()["Service"]
    assert service["Restart"] == "on-failure"
    assert service["RestartPreventExitStatus"] == "2"
    assert service["ExecStart"].split()[1:] == ["run", "--config", "/etc/circlekeeper/config.toml"]
    assert service["EnvironmentFile"] == "/etc/circlekeeper/env"
    assert service["StateDirectory"] == "circlekeeper"  # /var/lib/circlekeeper, the data folder
    assert int(service["TimeoutStopSec"]) >= 15  # room for commands in hand to finish
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_container_keeps_its_data_in_a_volume_and_restarts_on_failure() -> None:
    """The image runs `circlekeeper run` with /data as a volume; compose restarts it on failure and mounts the volume there."""
    recipe = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert 'VOLUME ["/data"]' in recipe
    assert 'ENTRYPOINT ["circlekeeper"]' in recipe
    assert 'CMD ["run"]' in recipe
    assert "USER circlekeeper" in recipe
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    service = compose["services"]["circlekeeper"]
    assert service["restart"] == "on-failure"
    assert "circlekeeper-data:/data" in service["volumes"]
    assert (DEPLOY / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == service[
        "env_file"
    ]


def test_the_deploy_config_points_the_data_into_the_volume() -> None:
    """The shipped config passes the config check and puts the data folder at /data."""
    config = load_config(DEPLOY / "config.example.toml")
    assert config.data_path == Path("/data")
    assert config.discord.enabled


async def test_a_restart_loop_like_the_units_brings_the_bot_back(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """Discord's first READY can't be read: the bot exits 1, is started again as Restart=on-failure would, and serves."""
    mangled: list[bool] = []

    def once(ready: Json) -> Json:
        if mangled:
            return ready
        mangled.append(True)
        return {k: v for k, v in ready.items() if k != "session_id"}

    discord_server.gateway.mangle_ready = once
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\nenabled = true\napi_base = "{discord_server.api_base}"\ngateway_url = "{discord_server.gateway_url}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["CIRCLEKEEPER_DISCORD_TOKEN"] = discord_server.token
    exits: list[int] = []
    while True:  # what systemd does with Restart=on-failure, without the RestartSec pause
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(config),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        try:
            async with asyncio.timeout(START_LIMIT):
                while True:
                    line = await process.stderr.readline()
                    if not line or b"ready in" in line:
                        break
            if line:  # serving: answer one command, then stop it cleanly
                interaction = await discord_server.dispatch_command(
                    discord_folk.owner,
                    discord_folk.general,
                    "circle",
                    subcommand("create", option("name", "Tuesday")),
                )
                reply = await discord_server.wait_for_reply(interaction)
                assert "has a home here now" in (reply.content or "")
                process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.communicate(), START_LIMIT)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        exits.append(process.returncode or 0)
        if process.returncode == 0 or len(exits) > 3:
            break
    assert exits == [1, 0]
