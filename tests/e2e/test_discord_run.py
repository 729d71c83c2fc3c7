"""`circlekeeper run` with Discord switched on, as a real process against the loopback Discord."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.e2e.discord_bot import Folk
from tests.e2e.discord_protocol import DiscordServer, option, subcommand

pytestmark = pytest.mark.e2e

START_LIMIT = 30.0  # a cold interpreter, the imports and discord.py's 2 s guild wait


async def test_circlekeeper_run_serves_discord_until_stopped(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """The CLI reads the config and token, syncs the commands, answers one, and stops on SIGTERM."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[discord]\n"
        "enabled = true\n"
        f'api_base = "{discord_server.api_base}"\n'
        f'gateway_url = "{discord_server.gateway_url}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["CIRCLEKEEPER_DISCORD_TOKEN"] = discord_server.token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stderr is not None
    seen: list[bytes] = []
    try:
        async with asyncio.timeout(START_LIMIT):
            while not seen or b"ready in" not in seen[-1]:
                line = await process.stderr.readline()
                assert line, b"".join(seen).decode()  # the process ended before it was ready
                seen.append(line)
        assert any(b"connected to Discord as Circlekeeper" in line for line in seen)
        assert discord_server.requests_to("PUT", "/applications/{application_id}/commands")
        interaction = await discord_server.dispatch_command(
            discord_folk.owner,
            discord_folk.general,
            "circle",
            subcommand("create", option("name", "Tuesday")),
        )
        reply = await discord_server.wait_for_reply(interaction)
        assert "has a home here now" in (reply.content or "")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT)
    assert process.returncode == 0, stderr.decode()
    assert (tmp_path / "data" / "circlekeeper.db").exists()
