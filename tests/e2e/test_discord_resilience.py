"""Discord going wrong, and the bot staying kind: no message content intent, gateway drops with
repeated events, rate limits, command sync, holding events until run(), and the config hooks."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord.gateway
import discord.http
import pytest
import yarl

from bot.app import declared_specs
from bot.chat import MessagePosted, Visibility
from bot.commands import Command, CommandSpec, Invocation
from tests.e2e.discord_bot import Folk, RunningBot, bot_config, running_bot
from tests.e2e.discord_protocol import DiscordServer, option, subcommand
from tests.e2e.discord_protocol.gateway import IDENTIFY, RESUME

pytestmark = pytest.mark.e2e

MESSAGE_CONTENT = 1 << 15
PUT_GLOBAL = ("PUT", "/applications/{application_id}/commands")
PUT_GUILD = ("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")


async def top_level_commands() -> set[str]:
    """The slash commands the bot should register: the first word of every declaration."""
    return {spec.path[0] for spec in await declared_specs()}


async def test_without_the_message_content_intent_commands_still_work(
    discord_server: DiscordServer,
    discord_folk: Folk,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Refused message content (4014), the bot reconnects without it, says so once, and slash
    commands carry the round; typed words arrive as unreadable (text None)."""
    discord_server.world.privileged_intents = 0
    f, server = discord_folk, discord_server
    with caplog.at_level(logging.WARNING, logger="bot.platforms.discord"):
        async with running_bot(server, tmp_path / "data") as bot:
            assert bot.adapter.reads_message_content is False
            first, second = (frame.data["intents"] for frame in server.frames_with_op(IDENTIFY))
            assert (first & MESSAGE_CONTENT, second & MESSAGE_CONTENT) == (MESSAGE_CONTENT, 0)

            await bot.ask(
                f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
            )
            await bot.ask(f.bob, f.general, "circle", subcommand("join"))
            await bot.ask(f.alice, f.general, "round", subcommand("start"))
            thread = next(c for c in server.world.channels.values() if c.is_thread)
            await server.post_message(thread, f.alice, "done")
            (posted,) = await bot.ear.wait_for(MessagePosted)
            assert posted.text is None
            assert "Thank you, alice" not in " ".join(
                m.content for m in server.bot_messages(thread)
            )
            done = await bot.ask(f.alice, thread, "round", subcommand("done"))
            assert done.ephemeral
            await bot.wait_for_bot_message(
                thread, "Thank you, alice. Bobby, the talking piece is with you."
            )
    lost = [r.getMessage() for r in caplog.records if "message content intent" in r.getMessage()]
    assert len(lost) == 1
    assert "nudges are off" in lost[0]
    assert "Slash commands" in lost[0]


SHARING = "I've been really low since the move and I can't seem to sleep."
SOFT = "Have you tried a warm bath before bed?"
SECOND = "You should try melatonin, it worked for my cousin."


async def test_without_the_message_content_intent_no_nudge_is_attempted(
    discord_server: DiscordServer,
    discord_folk: Folk,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without the message content intent the words arrive unreadable: no nudge is tried, and the bot carries on."""
    discord_server.world.privileged_intents = 0
    f, server = discord_folk, discord_server
    with caplog.at_level(logging.INFO):
        async with running_bot(server, tmp_path / "data") as bot:
            assert bot.adapter.reads_message_content is False
            await bot.ask(
                f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
            )
            for member in (f.bob, f.carol):
                await bot.ask(member, f.general, "circle", subcommand("join"))
            sharing = await server.post_message(f.general, f.alice, SHARING)
            thread = await server.start_thread(f.bob, f.general, "Sleep", from_message=sharing)
            await server.post_message(thread, f.bob, SOFT)
            await server.post_message(thread, f.carol, SECOND)
            await bot.ear.wait_for(MessagePosted, 3)
            assert {e.text for e in bot.ear.of_type(MessagePosted)} == {None}
            assert server.requests_to("POST", "/users/@me/channels") == []
            assert bot.table("SELECT * FROM nudge_log") == []
            why = await bot.ask(f.carol, f.general, "nudges", subcommand("why"))
            assert "You haven't had a note from me" in (why.content or "")
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("bot", "cogs"))
    ]
    assert problems == []


async def test_a_gateway_drop_resumes_and_nothing_is_handled_twice(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """After a drop the bot RESUMEs; events sent again by the server are handled only once."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    await bot.ask(f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday")))
    joining = await bot.command(f.bob, f.general, "circle", subcommand("join"))
    await server.wait_for_reply(joining)
    message = await server.post_message(f.general, f.carol, "before the drop")
    await server.react(f.carol, message, "\N{SEEDLING}")
    await bot.ear.wait_for(MessagePosted)
    session = next(iter(server.gateway.sessions.values()))
    server.repeat_on_resume(session.seq - 2)  # everything after READY and GUILD_CREATE, again
    async with server.gateway_outage():
        await server.post_message(f.general, f.carol, "while the bot was away")
    await server.post_message(f.general, f.carol, "after the drop")
    heard = await bot.ear.wait_for(MessagePosted, 3)
    assert [e.text for e in heard] == [
        "before the drop",
        "while the bot was away",
        "after the drop",
    ]
    assert len(server.frames_with_op(RESUME)) == 1
    assert len(server.frames_with_op(IDENTIFY)) == 1
    callbacks = server.requests_to("POST", f"/interactions/{joining.id}/{joining.token}/callback")
    assert len(callbacks) == 1
    assert len(bot.ear.heard) == len(set(map(repr, bot.ear.heard)))
    assert bot.table("SELECT member_id FROM circle_members ORDER BY joined_at") == [
        (str(f.alice.id),),
        (str(f.bob.id),),
    ]


async def test_rate_limits_are_waited_out(discord_bot: RunningBot, discord_folk: Folk) -> None:
    """A 429 on a send or on an interaction answer is retried by discord.py; nobody notices."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    server.rate_limit(
        "POST", "/interactions/{interaction_id}/{token}/callback", times=1, retry_after=0.05
    )
    created = await bot.ask(
        f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
    )
    assert "has a home here now" in (created.content or "")
    await bot.ask(f.bob, f.general, "circle", subcommand("join"))
    server.rate_limit("POST", "/channels/{channel_id}/messages", times=2, retry_after=0.05)
    await bot.ask(f.alice, f.general, "round", subcommand("start"))
    thread = next(c for c in server.world.channels.values() if c.is_thread)
    await bot.wait_for_bot_message(thread, "the talking piece is with you")
    statuses = [
        c.status
        for c in server.requests_to("POST", "/interactions/{interaction_id}/{token}/callback")
    ]
    assert statuses[:2] == [429, 200]
    sends = [c.status for c in server.requests_to("POST", "/channels/{channel_id}/messages")]
    assert sends[:3] == [429, 429, 200]
    assert len([m for m in server.bot_messages(f.general) if "check-in round" in m.content]) == 1


async def test_commands_sync_globally_and_only_when_they_changed(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """The first start syncs globally; a restart with the same commands doesn't write them again."""
    async with running_bot(discord_server, tmp_path / "data"):
        assert len(discord_server.requests_to(*PUT_GLOBAL)) == 1
    assert {c["name"] for c in discord_server.commands()} == await top_level_commands()
    async with running_bot(discord_server, tmp_path / "data") as bot:
        assert len(discord_server.requests_to(*PUT_GLOBAL)) == 1
        listed = await bot.ask(discord_folk.bob, discord_folk.general, "circle", subcommand("list"))
        assert "no circles in this space yet" in (listed.content or "")


async def test_commands_sync_to_development_servers(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """With dev_guild_ids the commands go to those servers only, and work there at once."""
    f, server = discord_folk, discord_server
    config = bot_config(server, tmp_path / "data", dev_guild_ids=(f.guild.id,))
    async with running_bot(server, tmp_path / "data", config=config) as bot:
        assert server.requests_to(*PUT_GLOBAL) == []
        assert len(server.requests_to(*PUT_GUILD)) == 1
        assert server.commands() == []
        assert {c["name"] for c in server.commands(f.guild)} == await top_level_commands()
        created = await bot.ask(
            f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
        )
        assert "has a home here now" in (created.content or "")


async def test_nothing_reaches_the_cogs_before_run(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """Between start() and run() events and commands wait; run() lets them through, in order."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "data", run=False) as bot:
        client = bot.adapter.client
        arrived = asyncio.gather(
            client.wait_for("message", check=lambda m: m.content == "early one", timeout=5),
            client.wait_for("interaction", timeout=5),
            client.wait_for("message", check=lambda m: m.content == "early two", timeout=5),
        )
        await server.post_message(f.general, f.bob, "early one")
        interaction = await bot.command(f.bob, f.general, "circle", subcommand("list"))
        await server.post_message(f.general, f.bob, "early two")
        await arrived  # discord.py has all three in hand, and the adapter holds them
        assert bot.ear.heard == []
        assert interaction.replies == []
        running = asyncio.create_task(bot.adapter.run())
        try:
            heard = await bot.ear.wait_for(MessagePosted, 2)
            assert [e.text for e in heard] == ["early one", "early two"]
            reply = await server.wait_for_reply(interaction)
            assert reply.ephemeral
        finally:
            running.cancel()


async def test_the_config_points_discord_py_at_the_server_and_puts_it_back(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """discord.api_base and discord.gateway_url set discord.py's hooks for the bot's lifetime."""
    elsewhere_api, elsewhere_gateway = (
        "http://127.0.0.1:9/api/v10",
        yarl.URL("ws://127.0.0.1:9/gateway"),
    )
    discord.http.Route.BASE = elsewhere_api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = elsewhere_gateway
    async with running_bot(discord_server, tmp_path / "data") as bot:
        assert discord_server.api_base == discord.http.Route.BASE
        reply = await bot.ask(discord_folk.bob, discord_folk.general, "help")
        assert reply.ephemeral
    assert elsewhere_api == discord.http.Route.BASE
    assert elsewhere_gateway == discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY


async def test_stopping_lets_a_command_in_hand_finish(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """stop() takes nothing new but waits for a running command to answer before closing."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(inv: Invocation) -> None:
        started.set()
        await release.wait()
        await inv.reply("Thank you for waiting.", Visibility.PERSONAL)

    command = Command(CommandSpec(("slow",), "A command that takes its time, for the tests."), slow)
    async with running_bot(
        discord_server, tmp_path / "data", listeners=[lambda app: app.router.add(command)]
    ) as bot:
        bot.adapter.defer_after = 60
        interaction = await bot.command(discord_folk.bob, discord_folk.general, "slow")
        await asyncio.wait_for(started.wait(), 5)
        stopping = asyncio.create_task(bot.adapter.stop())
        late = await bot.command(discord_folk.carol, discord_folk.general, "help")
        release.set()
        await stopping
        assert [r.content for r in interaction.replies] == ["Thank you for waiting."]
        assert late.replies == []


async def test_names_are_fetched_for_people_not_met_since_a_restart(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """After a restart the bot asks Discord for a member it hasn't met, and shows the nickname."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "data") as bot:
        await bot.ask(f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday")))
        await bot.ask(f.bob, f.general, "circle", subcommand("join"))
    async with running_bot(server, tmp_path / "data") as bot:
        members = await bot.ask(f.alice, f.general, "circle", subcommand("members"))
        assert "Bobby" in (members.content or "")
        assert server.requests_to("GET", f"/guilds/{f.guild.id}/members/{f.bob.id}")
