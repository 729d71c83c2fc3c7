"""The five ways the bot broke Discord's rules, each against the strict loopback Discord: slash
commands expiring during start-up, pinning without Pin Messages, a command-sync error ending the
process, an unreadable gateway payload ending the process, and super-reaction votes (with the
guild commands' DM contexts and deprecated fields) lost or wrong."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.chat import MessagePosted, ReactionAdded
from tests.e2e.discord_bot import (
    Folk,
    RunningBot,
    bot_config,
    make_folk,
    newest_thread,
    running_bot,
    starting_bot,
)
from tests.e2e.discord_protocol import DiscordServer, Message, User, option, subcommand
from tests.e2e.discord_protocol.permissions import (
    ADD_REACTIONS,
    CREATE_PUBLIC_THREADS,
    MANAGE_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from tests.e2e.discord_protocol.state import Channel

pytestmark = pytest.mark.e2e

CONSENT = "\N{WHITE HEAVY CHECK MARK}"
CALLBACK = ("POST", "/interactions/{interaction_id}/{token}/callback")
PUT_GLOBAL = ("PUT", "/applications/{application_id}/commands")
PUT_GUILD = ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
# What the README asked for before pinning got its own permission: Manage Messages, no Pin Messages.
OLD_INVITE = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | SEND_MESSAGES_IN_THREADS
    | CREATE_PUBLIC_THREADS
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | MANAGE_MESSAGES
)
START_LIMIT = 30.0  # a cold interpreter and the imports, for the process tests
QUICK = {"sync_retry": (0.05, 0.2)}  # command-sync retries in a blink, for the tests
OPEN_PROPOSALS = 12


async def make_circle(bot: RunningBot, f: Folk, *members: User) -> None:
    created = await bot.ask(
        f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
    )
    assert "has a home here now" in (created.content or "")
    for member in members:
        joined = await bot.ask(member, f.general, "circle", subcommand("join"))
        assert "Welcome to **Tuesday**" in (joined.content or "")


async def propose(bot: RunningBot, who: User, home: Channel, text: str) -> tuple[Channel, Message]:
    """``who`` proposes ``text``; returns the proposal's thread and its post."""
    answer = await bot.ask(who, home, "agreement", subcommand("propose", option("text", text)))
    assert "Your proposal is up" in (answer.content or ""), answer.content
    thread = newest_thread(bot.server, home)
    post = bot.server.world.messages[thread.id]  # the thread was made on the post
    await bot.server.wait_until(lambda: len(post.reactions) == 3 or None, "the option reactions")
    return thread, post


# --- 1. slash commands sent while the bot starts ----------------------------------------------


async def test_a_command_sent_while_the_bot_restarts_is_answered_within_discords_deadline(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """With open proposals to read back over a slow link, a command sent just after IDENTIFY still gets its first answer within 3 s."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    async with running_bot(server, data) as bot:
        await make_circle(bot, f, f.bob)
        for n in range(OPEN_PROPOSALS):
            await propose(bot, f.bob, f.general, f"We try agreement number {n} for a month.")
    server.latency = 0.1  # every REST call now takes 100 ms, as across an ocean
    async with starting_bot(server, data) as starting:
        await asyncio.sleep(0.3)
        interaction = await server.dispatch_command(
            f.carol, f.general, "circle", subcommand("list")
        )
        first = await server.wait_for_reply(interaction)
        assert first.type in (4, 5)  # the answer, or "thinking..." until it comes
        listed = (
            interaction.replies[-1]
            if first.type == 4
            else await server.wait_for_reply(interaction, count=2)
        )
        assert "Tuesday" in (listed.content or "")
        assert all(call.status != 404 for call in server.requests_to(*CALLBACK))
        bot = await starting.running()  # the read-back finishes in its own time
        assert (
            len(bot.table("SELECT 1 FROM agreement_proposals WHERE closed_at IS NULL"))
            == OPEN_PROPOSALS
        )


# --- 2. pinning needs Pin Messages ------------------------------------------------------------


async def test_a_bot_whose_role_lacks_pin_messages_tells_the_moderators_once(
    discord_server: DiscordServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Invited with the old list (Manage Messages, no Pin Messages), the bot says once, to the owner, which permission is missing and what it stops; it logs a warning."""
    server = discord_server
    f = make_folk(server, bot_permissions=OLD_INVITE)
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, tmp_path / "data") as bot:
            await make_circle(bot, f, f.bob)
            _, post = await propose(bot, f.bob, f.general, "We start and end on time.")
            await server.react(f.alice, post, CONSENT)
            await server.react(f.bob, post, CONSENT)  # everyone: it closes early, adopted
            await bot.wait_for_bot_message(f.general, "Our agreements")  # the registry
            await server.wait_for_request(
                "PUT", "/channels/{channel_id}/messages/pins/{message_id}"
            )
            dm = server.world.dm_channel(f.owner)
            note = await server.wait_until(
                lambda: next(
                    (m for m in server.bot_messages(dm) if "Pin Messages" in m.content), None
                ),
                "a note to the owner about Pin Messages",
            )
            assert "Peer Support Commons" in note.content
            assert "registry" in note.content
            _, second = await propose(bot, f.alice, f.general, "We let each other finish.")
            await server.react(f.alice, second, CONSENT)
            await server.react(f.bob, second, CONSENT)
            await bot.wait_for_bot_message(newest_thread(server, f.general), "is adopted")
        async with running_bot(server, tmp_path / "data"):
            pass  # a restart doesn't say it again
    assert [m.content for m in server.bot_messages(dm)].count(note.content) == 1
    warned = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "Pin Messages" in r.getMessage()
    ]
    assert warned
    assert all("Peer Support Commons" in line for line in warned)


# --- 3. a command-sync error leaves the bot running --------------------------------------------


async def test_a_400_on_command_sync_leaves_rounds_and_votes_working_and_sync_is_retried(
    discord_server: DiscordServer,
    discord_folk: Folk,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A 400 when syncing commands is logged clearly; rounds and votes go on, and the sync is tried again until it works."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "earlier"):
        pass  # Discord knows the commands from an earlier deployment
    server.fail(*PUT_GLOBAL, 400, 50035, "Invalid Form Body", times=2)
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, tmp_path / "data", adapter_options=QUICK) as bot:
            await make_circle(bot, f, f.bob)
            await bot.ask(f.alice, f.general, "round", subcommand("start"))
            thread = newest_thread(server, f.general)
            await bot.wait_for_bot_message(thread, "the talking piece is with you")
            done = await bot.ask(f.alice, thread, "round", subcommand("done"))
            assert done.ephemeral
            await bot.wait_for_bot_message(thread, "Bobby, the talking piece is with you")
            _, post = await propose(bot, f.bob, f.general, "We start and end on time.")
            await server.react(f.alice, post, CONSENT)
            await bot.ear.wait_for(ReactionAdded)  # Alice's (the bot's own never reach the cogs)
            assert bot.table("SELECT member_id, choice FROM agreement_reactions") == [
                (str(f.alice.id), "consent")
            ]
            await server.wait_until(
                lambda: (
                    (
                        len(server.requests_to(*PUT_GLOBAL)) == 4
                        and server.requests_to(*PUT_GLOBAL)[-1].status
                    )
                    or None
                ),
                "a retried sync",
            )
    statuses = [c.status for c in server.requests_to(*PUT_GLOBAL)]
    assert statuses == [200, 400, 400, 200]
    lines = [r.getMessage() for r in caplog.records if "slash commands" in r.getMessage()]
    assert any("400" in line and "try again" in line for line in lines), lines


async def test_a_persistent_server_error_on_sync_leaves_the_bot_serving(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A 503 on every sync try doesn't stop the bot: commands are answered meanwhile."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "earlier"):
        pass
    server.fail(*PUT_GLOBAL, 503, 0, "Service Unavailable", times=1000)
    async with running_bot(server, tmp_path / "data", adapter_options=QUICK) as bot:
        await server.wait_for_request(*PUT_GLOBAL, count=3)
        listed = await bot.ask(f.bob, f.general, "circle", subcommand("list"))
        assert "no circles in this space yet" in (listed.content or "")


# --- 4. a gateway payload discord.py can't read -----------------------------------------------


async def test_an_unreadable_gateway_event_costs_that_event_only(
    discord_bot: RunningBot, discord_folk: Folk, caplog: pytest.LogCaptureFixture
) -> None:
    """A MESSAGE_CREATE that discord.py can't parse is logged and dropped; the connection stays and the next message arrives."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    broken = {
        "id": "1",
        "channel_id": str(f.general.id),
        "guild_id": str(f.guild.id),
    }  # no author, no content
    with caplog.at_level(logging.ERROR):
        await server.send_raw_event("MESSAGE_CREATE", broken)
        await server.post_message(f.general, f.bob, "still here")
        (heard,) = await bot.ear.wait_for(MessagePosted)
    assert heard.text == "still here"
    assert len(server.gateway.connections) == 1  # no reconnect was needed
    lines = [r.getMessage() for r in caplog.records if "MESSAGE_CREATE" in r.getMessage()]
    assert len(lines) == 1
    bot.adapter.dropped_events.clear()  # seen and expected: the harness checks for others


async def test_circlekeeper_run_exits_with_a_clear_line_when_discord_sends_what_it_cannot_read(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A READY that discord.py can't read ends `circlekeeper run` with exit code 1 and one plain line, for the supervisor to restart it."""
    discord_server.gateway.mangle_ready = lambda ready: {
        k: v for k, v in ready.items() if k != "session_id"
    }
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
        "run",
        "--config",
        str(config),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), START_LIMIT)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()
    text = stderr.decode()
    assert process.returncode == 1, text
    assert "discord.py could not read" in text
    assert "service manager" in text


# --- 5. super reactions, DM contexts, deprecated fields ----------------------------------------


async def test_a_vote_cast_as_a_super_reaction_survives_a_restart(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A consent given as a super reaction counts live and is still counted after the restart's read-back."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    async with running_bot(server, data) as bot:
        await make_circle(bot, f, f.bob, f.carol)
        _, post = await propose(bot, f.bob, f.general, "We start and end on time.")
        await server.react(f.alice, post, CONSENT, burst=True)
        await bot.ear.wait_for(ReactionAdded)
        assert bot.table("SELECT member_id FROM agreement_reactions") == [(str(f.alice.id),)]
    async with running_bot(server, data) as bot:
        assert bot.table("SELECT member_id, choice FROM agreement_reactions") == [
            (str(f.alice.id), "consent")
        ]
        reads = server.requests_to(
            "GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"
        )
        assert {c.query.get("type", "0") for c in reads} == {"0", "1"}


async def test_guild_commands_carry_no_dm_contexts_and_no_command_carries_dm_permission(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """Synced to a development server, commands carry no contexts (Discord: global only); no command carries the deprecated dm_permission."""
    f, server = discord_folk, discord_server
    config = bot_config(server, tmp_path / "dev", dev_guild_ids=(f.guild.id,))
    async with running_bot(server, tmp_path / "dev", config=config) as bot:
        (put,) = server.requests_to(*PUT_GUILD)
        assert put.status == 200
        assert all("contexts" not in c and "integration_types" not in c for c in put.json)
        created = await bot.ask(
            f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
        )
        assert "has a home here now" in (created.content or "")
    async with running_bot(server, tmp_path / "global"):
        (put,) = server.requests_to(*PUT_GLOBAL)
        assert {tuple(c["contexts"]) for c in put.json} == {(0,), (0, 1)}
    assert all(
        "dm_permission" not in c
        for call in server.requests
        if call.method == "PUT"
        for c in call.json
    )
