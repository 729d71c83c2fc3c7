"""The server in the bot's process: off by default and then absent, on 127.0.0.1 when on."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from aiohttp import ClientSession, CookieJar

from bot.config import Config, ConfigError, WebConfig, load_config
from tests.sandbox import Sandbox

LINK = re.compile(r"<(http://[^>\s]+)>")


def web_config(tmp_path: Path, **web: object) -> Config:
    settings: dict[str, object] = {"enabled": True, "port": 0, **web}
    return Config(data_dir=str(tmp_path / "data"), web=WebConfig(**settings))  # type: ignore[arg-type]


def test_off_by_default_and_bound_to_this_machine_when_on() -> None:
    """The defaults: no server, and when switched on it listens on 127.0.0.1 only."""
    assert Config().web.enabled is False
    assert Config().web.host == "127.0.0.1"


def test_off_means_nothing_of_it_is_loaded() -> None:
    """A bot with the web off never imports the server, its templates or its libraries, and
    records no metric: the switch costs nothing."""
    script = textwrap.dedent(
        """
        import asyncio, json, sys, tempfile
        from bot import metrics
        from bot.app import open_app
        from bot.config import Config

        async def main():
            with tempfile.TemporaryDirectory() as folder:
                async with open_app(Config(data_dir=folder)) as app:
                    await app.start()
                    loaded = sorted(
                        m for m in sys.modules
                        if m.split(".")[0] in ("jinja2", "itsdangerous", "prometheus_client")
                        or m.startswith(("bot.web", "aiohttp.web"))
                    )
                    print(json.dumps({"loaded": loaded, "recording": metrics.live() is not None,
                                      "commands": [s.name for s in app.router.specs]}))

        asyncio.run(main())
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    found = json.loads(out.stdout)
    assert found["loaded"] == []
    assert found["recording"] is False
    assert "dashboard" not in found["commands"]


async def test_on_it_listens_on_127_0_0_1_and_answers_healthz(tmp_path: Path) -> None:
    """Switched on, the bot's own process serves /healthz on the loopback address."""
    sb = Sandbox(tmp_path, config=web_config(tmp_path))
    await sb.open()
    try:
        await sb.say("alice: /dashboard")
        url = LINK.search(sb.private_to("alice")[-1])
        assert url
        base = url[1].split("/signin/")[0]
        assert base.startswith("http://127.0.0.1:")
        async with ClientSession() as http, http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["ok"] is True
    finally:
        await sb.close()


async def test_the_server_stops_with_the_bot(tmp_path: Path) -> None:
    """Once the bot stops, nothing listens on its port any more."""
    sb = Sandbox(tmp_path, config=web_config(tmp_path))
    await sb.open()
    await sb.say("alice: /dashboard")
    found = LINK.search(sb.private_to("alice")[-1])
    assert found
    port = int(found[1].split(":")[2].split("/")[0])
    await sb.close()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


async def test_a_session_survives_a_restart_of_the_bot(tmp_path: Path) -> None:
    """Sessions and the signing key live in the data folder: after a restart the same cookie
    still opens the dashboard, and the used link stays used."""
    sb = Sandbox(tmp_path, config=web_config(tmp_path))
    await sb.open()
    try:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as http:
            await sb.say("alice: /dashboard")
            found = LINK.search(sb.private_to("alice")[-1])
            assert found
            async with http.get(found[1]) as page:
                csrf = re.search(r'name="csrf" value="([^"]+)"', await page.text())
            assert csrf
            async with http.post(found[1], data={"csrf": csrf[1]}) as signed_in:
                assert signed_in.status == 200
                assert signed_in.url.path == "/circles"
            await sb.restart()
            await sb.say("alice: /dashboard")
            fresh = LINK.search(sb.private_to("alice")[-1])
            assert fresh
            base = fresh[1].split("/signin/")[0]
            async with http.get(f"{base}/circles") as again:
                assert again.status == 200
            async with http.get(found[1].replace(found[1].split("/signin/")[0], base)) as old:
                assert old.status == 410
    finally:
        await sb.close()


async def test_a_taken_port_is_a_clear_config_problem(tmp_path: Path) -> None:
    """If the port is in use, the bot says which key to change instead of a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sb = Sandbox(tmp_path, config=web_config(tmp_path, port=port))
        with pytest.raises(ConfigError) as problem:
            await sb.open()
        assert problem.value.lines[0].startswith(
            f"web.port: the dashboard can't listen on 127.0.0.1:{port}"
        )


def test_the_web_section_is_read_and_checked(tmp_path: Path) -> None:
    """[web] keys are read with their rules; an https public URL needs https = true."""
    good = tmp_path / "good.toml"
    good.write_text(
        '[web]\nenabled = true\nport = 8443\npublic_url = "https://ck.example.org"\nhttps = true\n',
        encoding="utf-8",
    )
    config = load_config(good)
    assert config.web.enabled
    assert config.web.port == 8443
    assert config.web.https
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[web]\nhost = "not an address"\nport = 70000\npublic_url = "https://ck.example.org"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as problem:
        load_config(bad)
    lines = "\n".join(problem.value.lines)
    assert "web.host: 'not an address' should be an address to listen on" in lines
    assert "web.port: 70000 is out of range (it can be 0 to 65535)" in lines
    assert "web.https: should be true when web.public_url starts with https://" in lines
