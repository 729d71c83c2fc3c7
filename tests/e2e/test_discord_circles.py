"""Circles through slash commands on the loopback Discord: the declared commands as a tree, a
round's public thread and personal answers, autocomplete, who moderates, commands in DMs, and
deferred and long replies. The flow every platform shares is in tests/contract."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import declared_specs
from bot.chat import Visibility
from bot.commands import Command, CommandSpec, Invocation
from tests.e2e.discord_bot import (
    MANAGE_GUILD,
    Folk,
    RunningBot,
    assert_never_mentions,
    bot_config,
    newest_thread,
    running_bot,
)
from tests.e2e.discord_protocol import (
    ChannelType,
    DiscordServer,
    option,
    subcommand,
)
from tests.e2e.discord_protocol.state import Channel

pytestmark = pytest.mark.e2e

EPHEMERAL = 64
GUILD, BOT_DM = 0, 1


# --- the tree ------------------------------------------------------------------------------


async def test_the_declared_commands_become_slash_commands(discord_bot: RunningBot) -> None:
    """Paths, groups, subgroups, typed options, choices, autocomplete and contexts match the specs."""
    registered = {c["name"]: c for c in discord_bot.server.commands()}
    assert set(registered) == {spec.path[0] for spec in await declared_specs()}
    assert {"circle", "help", "privacy", "round"} <= set(registered)
    circle = {o["name"]: o for o in registered["circle"]["options"]}
    assert circle["rota"]["type"] == 2  # a subcommand group beside plain subcommands
    assert {o["name"] for o in circle["rota"]["options"]} >= {"add", "pass", "remove", "show"}
    create = {o["name"]: o for o in circle["create"]["options"]}
    assert [o["name"] for o in circle["create"]["options"]] == [
        "name",
        "description",
        "capacity",
        "open",
        "time_zone",
    ]
    assert (create["name"]["type"], create["name"]["required"], create["name"]["max_length"]) == (
        3,
        True,
        40,
    )
    assert (
        create["capacity"]["type"],
        create["capacity"]["min_value"],
        create["capacity"]["max_value"],
    ) == (4, 2, 500)
    assert create["open"]["type"] == 5
    assert create["time_zone"]["autocomplete"] is True
    approve = {o["name"]: o for o in circle["approve"]["options"]}
    assert (approve["member"]["type"], approve["circle"]["autocomplete"]) == (6, True)
    preference = circle["preference"]["options"][0]
    assert [c["value"] for c in preference["choices"]] == ["listening", "ideas", "unset"]
    assert registered["circle"]["contexts"] == [GUILD]
    assert sorted(registered["privacy"]["contexts"]) == [GUILD, BOT_DM]
    assert registered["help"]["options"][0]["max_length"] == 60
    assert all(len(c["description"]) <= 100 for c in registered.values())


# --- a round -------------------------------------------------------------------------------


async def test_a_rounds_thread_is_public_and_slash_answers_stay_personal(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A round's thread is a public thread on its post, named for the circle; people go by their
    server nickname; answers to /round and refusals are ephemeral."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    created = await bot.ask(
        f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
    )
    assert not created.ephemeral  # a public announcement
    joined = await bot.ask(f.bob, f.general, "circle", subcommand("join"))
    assert "Welcome to **Tuesday**, Bobby." in (joined.content or "")  # the server nickname
    await bot.ask(f.carol, f.general, "circle", subcommand("join"))
    refused = await bot.ask(f.dan, f.general, "circle", subcommand("close"))
    assert refused.ephemeral

    started = await bot.ask(
        f.alice,
        f.general,
        "round",
        subcommand("start", option("prompt", "How are you arriving today?")),
    )
    assert (started.content, started.ephemeral) == (
        "The round for Tuesday has begun in its thread.",
        True,
    )
    thread = newest_thread(server, f.general)
    assert (thread.type, thread.name) == (ChannelType.PUBLIC_THREAD, "Check-in · Tuesday")
    opening = server.world.messages[thread.id]  # a thread made from a message shares its id
    assert opening.channel_id == f.general.id
    assert "alice, Bobby, carol" in opening.content
    await server.post_message(thread, f.alice, "done")
    await bot.wait_for_bot_message(thread, "Thank you, alice. Bobby, the talking piece")
    passed = await bot.ask(f.bob, thread, "round", subcommand("pass"))
    assert passed.ephemeral
    status = await bot.ask(f.carol, thread, "round", subcommand("status"))
    assert status.ephemeral
    assert "the talking piece is with carol" in (status.content or "")
    assert_never_mentions(server)


async def test_typing_a_circle_name_is_autocompleted_from_real_circles(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """Autocomplete offers the server's circles that match what is typed, and nothing in DMs."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    other = server.create_channel(f.guild, "evenings")
    await bot.ask(f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday")))
    await bot.ask(f.alice, other, "circle", subcommand("create", option("name", "Thursday")))

    async def offered(channel: Channel, typed: str) -> list[str]:
        interaction = await server.dispatch_autocomplete(
            f.bob, channel, "circle", subcommand("join", option("circle", typed, focused=True))
        )
        answer = await server.wait_for_reply(interaction)
        assert answer.type == 8
        return [c["value"] for c in answer.choices]

    assert sorted(await offered(f.general, "t")) == ["Thursday", "Tuesday"]
    assert await offered(f.general, "thu") == ["Thursday"]
    assert await offered(f.general, "nowhere") == []
    zones = await server.dispatch_autocomplete(
        f.alice,
        f.general,
        "circle",
        subcommand("create", option("name", "X"), option("time_zone", "berl", focused=True)),
    )
    assert [c["value"] for c in (await server.wait_for_reply(zones)).choices] == ["Europe/Berlin"]


# --- who may do what -----------------------------------------------------------------------


async def test_moderators_are_manage_server_or_a_configured_role(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Any
) -> None:
    """Manage Server, a role named in moderator_roles, or a role given by id makes a moderator."""
    f, server = discord_folk, discord_server
    managers = server.create_role(f.guild, "Admins", permissions=MANAGE_GUILD)
    keepers = server.create_role(f.guild, "Keepers")
    server.add_member(f.guild, f.carol, roles=(managers,))
    server.add_member(f.guild, f.dan, roles=(keepers,))
    rooms = [server.create_channel(f.guild, f"room-{n}") for n in range(4)]
    config = bot_config(server, tmp_path / "data", moderator_roles=("Stewards", str(keepers.id)))
    async with running_bot(server, tmp_path / "data", config=config) as bot:
        for who, room, name in (
            (f.owner, rooms[0], "Owners"),
            (f.alice, rooms[1], "Stewards"),
            (f.carol, rooms[2], "Managers"),
            (f.dan, rooms[3], "Keepers"),
        ):
            reply = await bot.ask(who, room, "circle", subcommand("create", option("name", name)))
            assert "has a home here now" in (reply.content or ""), (who.name, reply.content)


# --- bad input -----------------------------------------------------------------------------


async def test_server_commands_in_a_dm_are_refused_and_personal_ones_work(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """In a DM, /circle join says it needs a server; /privacy show answers there, privately."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    dm = server.world.dm_channel(f.bob)
    before = bot.snapshot()
    refused = await bot.ask(f.bob, dm, "circle", subcommand("join", option("circle", "Tuesday")))
    assert refused.ephemeral
    assert (
        refused.content
        == "That one works inside a community's rooms rather than in a direct message."
    )
    shown = await bot.ask(f.bob, dm, "privacy", subcommand("show"))
    assert shown.ephemeral
    assert "What I keep about you" in (shown.content or "")
    assert bot.snapshot() == before


async def test_a_command_the_bot_no_longer_has_gets_a_kind_sentence(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A command Discord still shows from an older version is answered kindly, privately."""
    server = discord_bot.server
    stale = {"id": str(server.world.new_id()), "name": "agreement", "type": 1, "description": "Old"}
    server.world.commands[None].append(stale)
    reply = await discord_bot.ask(discord_folk.bob, discord_folk.general, "agreement")
    assert reply.ephemeral
    assert (
        reply.content
        == "That command has changed since Discord last showed it to you. Could you try it again in a moment?"
    )


# --- replies -------------------------------------------------------------------------------


def _slow_command(release: asyncio.Event, replies: list[tuple[str, Visibility]]) -> Command:
    async def run(inv: Invocation) -> None:
        await release.wait()
        for text, visibility in replies:
            await inv.reply(text, visibility)

    return Command(CommandSpec(("slow",), "A command that takes its time, for the tests."), run)


@pytest.mark.parametrize("first", [Visibility.PUBLIC, Visibility.PERSONAL])
async def test_a_slow_command_is_deferred_and_keeps_its_visibility(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Any, first: Visibility
) -> None:
    """Past the defer time the bot defers privately; a public answer still reaches everyone."""
    release = asyncio.Event()
    replies = [("first words", first), ("a private aside", Visibility.PERSONAL)]
    slow = _slow_command(release, replies)
    async with running_bot(
        discord_server, tmp_path / "data", listeners=[lambda app: app.router.add(slow)]
    ) as bot:
        bot.adapter.defer_after = 0.01
        interaction = await bot.command(discord_folk.bob, discord_folk.general, "slow")
        deferred = await discord_server.wait_for_reply(interaction)
        assert (deferred.type, deferred.ephemeral) == (5, True)
        release.set()
        if first is Visibility.PUBLIC:
            answers = await bot.answers(interaction, 4)
            assert [a.kind for a in answers] == ["callback", "delete", "followup", "followup"]
            assert (answers[2].content, answers[2].ephemeral) == ("first words", False)
            public = [m.content for m in discord_server.bot_messages(discord_folk.general)]
            assert "first words" in public
        else:
            answers = await bot.answers(interaction, 3)
            assert [a.kind for a in answers] == ["callback", "edit", "followup"]
            assert answers[1].content == "first words"
            original = discord_server.world.messages[interaction.original_message_id or 0]
            assert original.flags & EPHEMERAL
        assert (answers[-1].content, answers[-1].ephemeral) == ("a private aside", True)
        assert_never_mentions(discord_server)


async def test_a_long_reply_is_split_into_follow_ups(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Any
) -> None:
    """A reply over 2,000 characters goes out as a response plus follow-ups, cut between lines."""
    release = asyncio.Event()
    release.set()
    text = "\n".join(f"Line {n}: " + "words " * 20 for n in range(60))
    slow = _slow_command(release, [(text, Visibility.PERSONAL)])
    async with running_bot(
        discord_server, tmp_path / "data", listeners=[lambda app: app.router.add(slow)]
    ) as bot:
        interaction = await bot.command(discord_folk.bob, discord_folk.general, "slow")
        await bot.server.wait_until(
            lambda: interaction.replies[-1] if len(interaction.replies) >= 4 else None, "four parts"
        )
        parts = [a.content or "" for a in interaction.replies]
        assert all(len(p) <= 2000 for p in parts)
        assert all(a.ephemeral for a in interaction.replies)
        assert "\n".join(parts) == text
        assert_never_mentions(discord_server)
