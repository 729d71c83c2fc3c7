"""Circles through slash commands on the loopback Discord: the declared commands as a tree,
the whole flow with a check-in round, autocomplete, permissions, and bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import declared_specs
from bot.chat import MessagePosted, Platform, RoomRef, ThreadRef, Visibility
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
    subcommand_group,
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


# --- the whole flow ------------------------------------------------------------------------


async def test_circles_and_a_check_in_round_through_slash_commands(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """Create, join, preferences, members, and a round held in a public thread, end to end."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    created = await bot.ask(
        f.alice,
        f.general,
        "circle",
        subcommand(
            "create",
            option("name", "Tuesday"),
            option("description", "A small circle."),
            option("capacity", 6),
        ),
    )
    assert (created.content or "").startswith(
        "🌱 **Tuesday** has a home here now.\n_A small circle._\n6 places"
    )
    assert not created.ephemeral  # a public announcement
    joined = await bot.ask(f.bob, f.general, "circle", subcommand("join"))
    assert "Welcome to **Tuesday**, Bobby." in (joined.content or "")  # the server nickname
    await bot.ask(f.carol, f.general, "circle", subcommand("join", option("circle", "Tuesday")))
    preference = await bot.ask(
        f.bob, f.general, "circle", subcommand("preference", option("preference", "listening"))
    )
    assert preference.ephemeral
    members = await bot.ask(f.carol, f.general, "circle", subcommand("members"))
    assert "Bobby" in (members.content or "")
    rota = await bot.ask(f.bob, f.general, "circle", subcommand_group("rota", subcommand("show")))
    assert "alice" in (rota.content or "")

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
    assert thread.type is ChannelType.PUBLIC_THREAD
    assert thread.name == "Check-in · Tuesday"
    opening = server.world.messages[thread.id]  # a thread made from a message shares its id
    assert opening.channel_id == f.general.id
    assert "How are you arriving today?" in opening.content
    assert "alice, Bobby, carol" in opening.content
    await bot.wait_for_bot_message(thread, "alice, the talking piece is with you")

    await server.post_message(thread, f.alice, "Tired, but glad to be here. done")
    await server.post_message(thread, f.alice, "done")
    await bot.wait_for_bot_message(
        thread, "Thank you, alice. Bobby, the talking piece is with you."
    )
    passed = await bot.ask(f.bob, thread, "round", subcommand("pass"))
    assert passed.ephemeral
    await bot.wait_for_bot_message(
        thread, "Thank you, Bobby; passing is always welcome. carol, the talking piece"
    )
    status = await bot.ask(f.carol, thread, "round", subcommand("status"))
    assert "the talking piece is with carol" in (status.content or "")
    await server.post_message(thread, f.carol, "Done.")
    closing = await bot.wait_for_bot_message(thread, "That completes the round for **Tuesday**")
    assert "alice" in closing.content
    assert "Bobby" in closing.content

    room = RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id))
    in_thread = await bot.ear.wait_for(MessagePosted, 3)
    assert {e.thread for e in in_thread} == {ThreadRef(room, str(thread.id))}
    assert [e.text for e in in_thread] == ["Tired, but glad to be here. done", "done", "Done."]
    rounds = bot.table(
        "SELECT thread_id, closed_at IS NOT NULL, shared_count, passed_count FROM rounds"
    )
    assert rounds == [(str(thread.id), 1, 2, 1)]
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


async def test_a_member_without_permission_is_refused_kindly(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """Creating or closing a circle without the standing to is refused privately, and nothing changes."""
    bot, f = discord_bot, discord_folk
    await bot.ask(f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday")))
    await bot.ask(f.dan, f.general, "circle", subcommand("join"))
    before = bot.snapshot()
    refused = await bot.ask(f.dan, f.general, "circle", subcommand("close"))
    assert refused.ephemeral
    assert (
        refused.content
        == "That one is for the facilitators of Tuesday (or a moderator). You could ask one of them."
    )
    other = bot.server.create_channel(f.guild, "dans-room")
    refused = await bot.ask(f.dan, other, "circle", subcommand("create", option("name", "Mine")))
    assert refused.ephemeral
    assert (
        refused.content
        == "Starting a circle is for moderators and facilitators. A moderator can set one up with you."
    )
    assert bot.snapshot() == before


# --- bad input -----------------------------------------------------------------------------


async def test_an_option_out_of_range_gets_the_router_sentence(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A number outside the declared range (an outdated client can send one) is refused kindly."""
    bot, f = discord_bot, discord_folk
    before = bot.snapshot()
    refused = await bot.ask(
        f.alice,
        f.general,
        "circle",
        subcommand("create", option("name", "Big"), option("capacity", 1000)),
    )
    assert refused.ephemeral
    assert refused.content == "The capacity can be between 2 and 500; 1000 is outside that."
    refused = await bot.ask(f.alice, f.general, "round", subcommand("start", option("turn", "2s")))
    assert refused.ephemeral
    assert refused.content is not None
    assert refused.content.startswith("The turn can be between 30 seconds and 30 minutes")
    assert bot.snapshot() == before


async def test_an_unknown_circle_typed_anyway_is_named(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A circle name that autocomplete never offered gets a kind sentence and changes nothing."""
    bot, f = discord_bot, discord_folk
    await bot.ask(f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday")))
    before = bot.snapshot()
    refused = await bot.ask(
        f.bob, f.general, "circle", subcommand("join", option("circle", "Nowhere"))
    )
    assert refused.ephemeral
    assert (
        refused.content
        == "I couldn't find a circle called “Nowhere” here. `/circle list` shows the circles in this space."
    )
    assert bot.snapshot() == before


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
