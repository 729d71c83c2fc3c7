"""Syncing against a real Synapse: restarts, bursts, gaps, outages and logging in."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

import nio
import pytest

from bot.__main__ import main
from bot.chat import MessagePosted
from bot.platforms.matrix.login import load_session
from tests.e2e.matrix_bot import BotRunner, MakeBot, MakePeople, eventually
from tests.e2e.synapse import Synapse
from tests.e2e.synapse_fixtures import RegisterUser

pytestmark = pytest.mark.e2e


def heard_texts(bot: BotRunner) -> list[str]:
    return [e.text or "" for e in bot.ear.of(MessagePosted)]


async def test_a_first_start_acts_on_nothing_old(
    matrix_bot: MakeBot, people: MakePeople, matrix_user: RegisterUser
) -> None:
    """Commands already in a room before the bot's first start are history, not requests."""
    account = matrix_user("bot")
    alice = await people("Alice")
    room = await alice.room_with()
    invited = await alice.client.room_invite(room, account.user_id)
    assert isinstance(invited, nio.RoomInviteResponse)
    bot_client = nio.AsyncClient(alice.client.homeserver, account.user_id)
    bot_client.restore_login(account.user_id, account.device_id, account.access_token)
    try:
        assert isinstance(await bot_client.join(room), nio.JoinResponse)
    finally:
        await bot_client.close()
    old = await alice.say(room, "!ck help")

    bot = await matrix_bot(account=account)
    probe = await alice.ask(room, bot.user_id, "!ck circle list")

    assert "no circles" in probe.body
    assert alice.answers_to(bot.user_id, old) == []


async def test_a_restart_neither_replays_nor_skips(matrix_bot: MakeBot, people: MakePeople) -> None:
    """Old commands are not answered again; one sent while the bot was down is answered once."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    before = await alice.say(room, "!ck help")
    await eventually(lambda: alice.answers_to(bot.user_id, before), "the first answer")

    await bot.stop()
    while_down = await alice.say(room, "!ck circle list")
    await alice.say(room, "a message while the bot was away")
    await bot.start()
    await eventually(
        lambda: alice.answers_to(bot.user_id, while_down),
        "the answer to the command sent while down",
    )
    await alice.ask(room, bot.user_id, "!ck privacy show")  # by now, any repeat would have come

    assert len(alice.answers_to(bot.user_id, before)) == 1
    assert len(alice.answers_to(bot.user_id, while_down)) == 1
    assert heard_texts(bot) == ["a message while the bot was away"]

    await bot.stop()  # and once more, with nothing new: nothing is answered again
    await bot.start()
    await alice.ask(room, bot.user_id, "!ck privacy show")
    assert len(alice.answers_to(bot.user_id, while_down)) == 1


async def test_a_burst_of_100_messages_arrives_whole(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A hundred messages in a row: every one reaches the cogs, once, in order."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    burst = [f"burst {n}" for n in range(100)]

    for text in burst:
        await alice.say(room, text)

    await eventually(lambda: len(heard_texts(bot)) >= 100, "all 100 messages")
    assert heard_texts(bot) == burst


async def test_a_gap_in_a_limited_timeline_is_filled(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """With a timeline of 10 and 60 messages sent while away, /messages fills the gap exactly."""
    bot = await matrix_bot(adapter_options={"timeline_limit": 10})
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    await alice.say(room, "before")
    await eventually(lambda: heard_texts(bot) == ["before"], "the first message")
    await bot.stop()
    missed = [f"missed {n}" for n in range(60)]
    for text in missed:
        await alice.say(room, text)
    await bot.start()

    await eventually(lambda: len(heard_texts(bot)) >= 60, "the 60 missed messages")
    await alice.ask(room, bot.user_id, "!ck privacy show")
    assert heard_texts(bot) == missed


async def test_the_bot_recovers_from_an_outage_by_itself(
    synapse: Synapse, matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Synapse stops and starts again: the bot backs off, reconnects, and answers as before."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    await alice.ask(room, bot.user_id, "!ck help")
    assert bot.adapter is not None
    health = bot.adapter.health

    with synapse.outage():
        await eventually(lambda: health.failures >= 2, "the bot to notice the outage")
    answer = await alice.ask(room, bot.user_id, "!ck circle list")

    assert "no circles" in answer.body
    assert health.recoveries >= 1


async def test_a_password_login_keeps_its_device(
    matrix_bot: MakeBot, people: MakePeople, matrix_user: RegisterUser, tmp_path: Path
) -> None:
    """Logging in with a password stores the session; a restart reuses the device."""
    account = matrix_user("bot")
    bot = await matrix_bot(account=account, use_password=True, data_dir=tmp_path / "data")
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    await alice.ask(room, bot.user_id, "!ck help")
    first = load_session(tmp_path / "data", bot.config.matrix.homeserver, account.user_id)
    assert first is not None
    assert first.device_id != account.device_id  # its own device, not the registration's
    assert oct((tmp_path / "data" / "matrix-session.json").stat().st_mode & 0o777) == "0o600"

    await bot.stop()
    await bot.start()
    await alice.ask(room, bot.user_id, "!ck help")
    again = load_session(tmp_path / "data", bot.config.matrix.homeserver, account.user_id)
    assert again == first


def test_matrix_login_keeps_a_session_or_prints_a_token(
    synapse: Synapse,
    matrix_user: RegisterUser,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`circlekeeper matrix-login` logs in once: it keeps the session, or prints a working token."""
    account = matrix_user("bot")
    config = tmp_path / "config.toml"
    config.write_text(
        f'data_dir = "data"\n[matrix]\nenabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{account.user_id}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CIRCLEKEEPER_MATRIX_PASSWORD", account.password)

    assert main(["matrix-login", "--config", str(config)]) == 0
    assert "needs no password from now on" in capsys.readouterr().out
    kept = json.loads((tmp_path / "data" / "matrix-session.json").read_text())
    assert kept["user_id"] == account.user_id

    monkeypatch.delenv("CIRCLEKEEPER_MATRIX_PASSWORD")
    monkeypatch.delenv("CIRCLEKEEPER_MATRIX_ACCESS_TOKEN", raising=False)
    assert main(["check-config", str(config)]) == 0  # the kept session is enough to run
    assert "looks good" in capsys.readouterr().out

    monkeypatch.setenv("CIRCLEKEEPER_MATRIX_PASSWORD", account.password)
    assert main(["matrix-login", "--config", str(config), "--print-token"]) == 0
    token = capsys.readouterr().out.strip()
    whoami = synapse._request(
        "GET", f"{synapse.url}/_matrix/client/v3/account/whoami?access_token={token}"
    )
    assert whoami["user_id"] == account.user_id
    assert whoami["device_id"] == kept["device_id"]  # the same device again

    monkeypatch.setenv("CIRCLEKEEPER_MATRIX_PASSWORD", "not the password")
    assert main(["matrix-login", "--config", str(config)]) == 1
    assert "logging in as" in capsys.readouterr().err


async def test_a_rate_limit_is_waited_out(
    matrix_bot: MakeBot,
    people: MakePeople,
    matrix_user: RegisterUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When Synapse answers 429, the bot waits as it is told, logs it, and still answers everything."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    admin = matrix_user("admin", admin=True)
    # https://element-hq.github.io/synapse/latest/admin_api/user_admin_api.html#override-ratelimiting-for-users
    limited = await alice.client.send(
        "POST",
        f"/_synapse/admin/v1/users/{bot.user_id}/override_ratelimit",
        json.dumps({"messages_per_second": 2, "burst_count": 1}),
        headers={"Authorization": f"Bearer {admin.access_token}"},
    )
    limited.release()
    assert limited.status == 200

    asked = [
        await alice.say(room, line) for line in ("!ck help", "!ck circle list", "!ck privacy show")
    ]
    for event_id in asked:
        await eventually(lambda: alice.answers_to(bot.user_id, event_id), "every answer")  # noqa: B023

    assert any("rate limited" in r.getMessage() for r in caplog.records)
    assert all(len(alice.answers_to(bot.user_id, e)) == 1 for e in asked)


async def test_circlekeeper_run_serves_matrix_and_stops_cleanly(
    synapse: Synapse, people: MakePeople, matrix_user: RegisterUser, tmp_path: Path
) -> None:
    """`circlekeeper run` with [matrix] on answers in a room, and exits 0 on SIGTERM."""
    account = matrix_user("bot")
    config = tmp_path / "config.toml"
    config.write_text(
        f'data_dir = "data"\n[matrix]\nenabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{account.user_id}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    env["CIRCLEKEEPER_MATRIX_ACCESS_TOKEN"] = account.access_token
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--config",
        str(config),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        alice = await people("Alice")
        room = await alice.room_with(account.user_id)
        answer = await alice.ask(room, account.user_id, "!ck help")
        assert "`!ck circle join [circle]`" in answer.body
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert "Matrix is ready" in stderr.decode()


async def test_a_sync_token_the_homeserver_has_forgotten_means_a_fresh_start(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """If Synapse refuses the stored sync token, the bot says so in its log and starts afresh."""
    bot = await matrix_bot()
    alice = await people("Alice")
    room = await alice.room_with(bot.user_id)
    await alice.ask(room, bot.user_id, "!ck help")
    await bot.stop()
    with sqlite3.connect(bot.config.database_path) as db:
        db.execute(
            "UPDATE platform_state SET value = 'forgotten' WHERE platform = 'matrix' AND key = 'next_batch'"
        )
    while_away = await alice.say(room, "!ck circle list")

    await bot.start()
    await alice.ask(room, bot.user_id, "!ck privacy show")

    assert alice.answers_to(bot.user_id, while_away) == []  # history now, as on a first start
    lost = [r.getMessage() for r in bot.errors.records]
    assert len(lost) == 1
    assert "no longer knows where the bot left off" in lost[0]
    bot.errors.records.clear()
