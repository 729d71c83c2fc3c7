"""`circlekeeper doctor` against the loopback Discord: what it finds, in plain lines, and its exit code."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from pathlib import Path

import pytest

from bot.config import Secrets
from bot.platforms.discord.doctor import run_doctor
from bot.platforms.discord.permissions import INVITE_PERMISSIONS
from tests.e2e.discord_bot import (
    Folk,
    bot_config,
    make_folk,
    readme_invite_permissions,
    running_bot,
)
from tests.e2e.discord_protocol import DiscordServer, option, subcommand
from tests.e2e.discord_protocol.permissions import ADD_REACTIONS, PIN_MESSAGES

pytestmark = pytest.mark.e2e

START_LIMIT = 30.0


async def doctor(server: DiscordServer, data: Path) -> tuple[int, str]:
    out = io.StringIO()
    secrets = Secrets(discord_token=server.token, matrix_access_token=None, matrix_password=None)
    code = await run_doctor(bot_config(server, data), secrets, out)
    return code, out.getvalue()


async def test_a_well_invited_bot_has_nothing_missing(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """Invited as the README says, with the intent on: every server is fine, and the exit code is 0."""
    code, text = await doctor(discord_server, tmp_path / "data")
    assert code == 0, text
    assert "Logged in as Circlekeeper" in text
    assert "Message Content Intent: on." in text
    assert "Peer Support Commons: everything the bot uses is allowed." in text
    assert f"permissions={INVITE_PERMISSIONS.value}" in text
    assert text.rstrip().endswith("Nothing is missing.")


async def test_the_doctor_lists_what_the_role_the_circles_channels_and_the_invite_lack(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """A role without Pin Messages, a circle's channel that takes Add Reactions away, a server invited without applications.commands, and the intent switched off: each in one line, exit code 1."""
    server, data = discord_server, tmp_path / "data"
    f = make_folk(server, bot_permissions=readme_invite_permissions() & ~PIN_MESSAGES)
    elsewhere = server.create_guild(
        "Quiet Corner", everyone_permissions=0, bot_permissions=readme_invite_permissions()
    )
    async with running_bot(server, data) as bot:
        await bot.ask(f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday")))
    await server.set_overwrite(f.general, server.bot_role(f.guild), deny=ADD_REACTIONS)
    server.without_commands_scope(elsewhere)
    server.world.privileged_intents = 0
    requests_before = len(server.requests)
    code, text = await doctor(server, data)
    assert code == 1
    lines = text.splitlines()
    assert any(line.startswith("Message Content Intent: off.") for line in lines)
    assert (
        "Peer Support Commons: my role is missing Pin Messages (I can't pin the agreements registry)."
        in lines
    )
    assert any(
        line.startswith("Peer Support Commons, #circles: the channel takes away Add Reactions")
        for line in lines
    )
    assert any(
        line.startswith("Quiet Corner: invited without the applications.commands scope")
        for line in lines
    )
    assert lines[-1] == "Something is missing; see above."
    changes = [c for c in server.requests[requests_before:] if c.method != "GET"]
    assert changes == []  # the doctor only looks


async def test_the_doctor_says_when_discord_cannot_be_reached(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """With nothing listening at api_base, one plain line and exit code 1."""
    out = io.StringIO()
    config = bot_config(discord_server, tmp_path / "data", api_base="http://127.0.0.1:9/api/v10")
    secrets = Secrets(
        discord_token=discord_server.token, matrix_access_token=None, matrix_password=None
    )
    assert await run_doctor(config, secrets, out) == 1
    assert "I couldn't reach Discord" in out.getvalue()


async def test_the_doctor_says_when_the_token_is_refused(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """A token Discord refuses (401) is said in one line, with where to get a new one."""
    out = io.StringIO()
    secrets = Secrets(discord_token="not-the-token", matrix_access_token=None, matrix_password=None)
    assert await run_doctor(bot_config(discord_server, tmp_path / "data"), secrets, out) == 1
    assert "Discord doesn't accept the token" in out.getvalue()


async def test_circlekeeper_doctor_runs_from_the_command_line(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """`circlekeeper doctor --config ...` prints the findings and exits 0 when nothing is missing."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[discord]\nenabled = true\napi_base = "{discord_server.api_base}"\ngateway_url = "{discord_server.gateway_url}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["CIRCLEKEEPER_DISCORD_TOKEN"] = discord_server.token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        "--config",
        str(config),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT)
    assert process.returncode == 0, stdout.decode() + stderr.decode()
    assert "Peer Support Commons: everything the bot uses is allowed." in stdout.decode()
