"""The bot copes with each of Discord's rules that the strict loopback Discord enforces: the
interaction deadlines, permissions from roles and overwrites, closed DMs, rate limits, the
registration and body rules, Get Reactions' pages and kinds, resuming and intents."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.chat import MessagePosted, Platform, RoomRef, Visibility
from bot.commands import Command, CommandSpec, Handler, Invocation
from bot.platforms.discord.permissions import INVITE_PERMISSIONS, NEEDS, invite_url
from tests.e2e.discord_bot import (
    Folk,
    RunningBot,
    make_folk,
    newest_thread,
    readme_invite_permissions,
    running_bot,
)
from tests.e2e.discord_protocol import DiscordServer, Message, User, option, subcommand
from tests.e2e.discord_protocol.gateway import IDENTIFY, RESUME
from tests.e2e.discord_protocol.permissions import (
    ADD_REACTIONS,
    PIN_MESSAGES,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from tests.e2e.discord_protocol.state import Channel
from tests.e2e.discord_protocol.validation import (
    COMMAND_SIZE_LIMIT,
    MAX_CHOICES,
    MAX_OPTIONS,
    command_size,
)

pytestmark = pytest.mark.e2e

CONSENT = "\N{WHITE HEAVY CHECK MARK}"
PUT_GLOBAL = ("PUT", "/applications/{application_id}/commands")
GUILDS, GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT = 1 << 0, 1 << 1, 1 << 8, 1 << 15


def with_command(name: str, handler: Handler) -> Callable[[App], None]:
    spec = CommandSpec((name,), "A command for the tests.")
    return lambda app: app.router.add(Command(spec, handler))


async def make_circle(bot: RunningBot, f: Folk, *members: User) -> None:
    created = await bot.ask(
        f.alice, f.general, "circle", subcommand("create", option("name", "Tuesday"))
    )
    assert "has a home here now" in (created.content or "")
    for member in members:
        await bot.ask(member, f.general, "circle", subcommand("join"))


async def propose(bot: RunningBot, who: User, home: Channel) -> Message:
    await bot.ask(
        who, home, "agreement", subcommand("propose", option("text", "We start and end on time."))
    )
    post = bot.server.world.messages[newest_thread(bot.server, home).id]
    await bot.server.wait_until(lambda: len(post.reactions) == 3 or None, "the option reactions")
    return post


def owner_notes(server: DiscordServer, f: Folk) -> list[str]:
    return [m.content for m in server.bot_messages(server.world.dm_channel(f.owner))]


# --- the interaction deadlines ----------------------------------------------------------------


async def test_a_slow_command_is_deferred_before_the_deadline(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A command that takes longer than Discord allows is deferred in time and answered by an edit."""
    release = asyncio.Event()

    async def slow(inv: Invocation) -> None:
        await release.wait()
        await inv.reply("Thank you for waiting.", Visibility.PERSONAL)

    discord_server.world.interaction_deadline = 0.5  # Discord's 3 s, shrunk with the watchdog
    async with running_bot(
        discord_server, tmp_path / "data", listeners=[with_command("slow", slow)]
    ) as bot:
        bot.adapter.defer_after = 0.2
        interaction = await bot.command(discord_folk.bob, discord_folk.general, "slow")
        first = await discord_server.wait_for_reply(interaction)
        release.set()
        last = await discord_server.wait_for_reply(interaction, count=2)
    assert (first.type, first.ephemeral) == (5, True)
    assert (last.kind, last.content) == ("edit", "Thank you for waiting.")


async def test_an_answer_after_the_token_expired_is_logged_and_the_bot_carries_on(
    discord_server: DiscordServer,
    discord_folk: Folk,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An answer that comes after the 15-minute token (50027) is logged plainly; the next command is answered."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow(inv: Invocation) -> None:
        started.set()
        await release.wait()
        await inv.reply("Here it is, at last.", Visibility.PERSONAL)

    f, server = discord_folk, discord_server
    with caplog.at_level(logging.WARNING, logger="bot.platforms.discord"):
        async with running_bot(
            server, tmp_path / "data", listeners=[with_command("slow", slow)]
        ) as bot:
            bot.adapter.defer_after = 0.05
            interaction = await bot.command(f.bob, f.general, "slow")
            await asyncio.wait_for(started.wait(), 5)
            await server.wait_for_reply(interaction)  # deferred
            server.age_interaction(interaction, 15 * 60 + 1)
            release.set()
            listed = await bot.ask(f.carol, f.general, "circle", subcommand("list"))
            assert "no circles in this space yet" in (listed.content or "")
    assert len(interaction.replies) == 1
    assert any("15 minutes are over" in r.getMessage() for r in caplog.records)


async def test_autocomplete_is_answered_while_the_bot_is_still_starting(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """Suggestions need only the circle directory, so they don't wait for start-up to finish."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "data") as bot:
        await make_circle(bot, f)
    async with running_bot(server, tmp_path / "data", run=False):
        typing = await server.dispatch_autocomplete(
            f.bob, f.general, "circle", subcommand("join", option("circle", "Tue", focused=True))
        )
        answer = await server.wait_for_reply(typing)
    assert [c["name"] for c in answer.choices] == ["Tuesday"]


async def test_a_command_held_while_starting_hears_why_when_the_bot_stops_instead(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A command deferred during start-up, when the bot stops before serving, gets a short note to try again."""
    async with running_bot(discord_server, tmp_path / "data", run=False) as bot:
        interaction = await bot.command(discord_folk.bob, discord_folk.general, "help")
        deferred = await discord_server.wait_for_reply(interaction)
        await bot.adapter.stop()
    assert deferred.type == 5
    assert "try that again in a minute" in (interaction.replies[-1].content or "")


# --- permissions from roles and channel overwrites ---------------------------------------------


async def test_a_channel_overwrite_that_silences_the_bot_is_told_to_the_moderators(
    discord_server: DiscordServer,
    discord_folk: Folk,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When #circles takes Send Messages from the bot's role, starting a round there fails kindly, and the owner hears which permission, where, and how to give it back."""
    f, server = discord_folk, discord_server
    with caplog.at_level(logging.WARNING):
        async with running_bot(server, tmp_path / "data") as bot:
            await make_circle(bot, f, f.bob)
            await server.set_overwrite(f.general, server.bot_role(f.guild), deny=SEND_MESSAGES)
            answer = await bot.ask(f.alice, f.general, "round", subcommand("start"))
            assert answer.ephemeral
            (note,) = await server.wait_until(
                lambda: owner_notes(server, f) or None, "a note to the owner"
            )
    assert "**Send Messages**" in note
    assert f"<#{f.general.id}>" in note
    assert "Edit Channel → Permissions" in note
    assert any(
        "Send Messages" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING
    )
    assert server.invalid_requests <= 3  # one refusal, not a hammering


async def test_a_hidden_channel_at_restart_is_told_and_the_bot_serves_on(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """If the bot can't see the channel of an open proposal after a restart (50001), the owner hears about View Channels there, and commands still work."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    async with running_bot(server, data) as bot:
        await make_circle(bot, f, f.bob)
        await propose(bot, f.bob, f.general)
    await server.set_overwrite(f.general, server.bot_role(f.guild), deny=VIEW_CHANNEL)
    async with running_bot(server, data) as bot:
        (note,) = await server.wait_until(
            lambda: owner_notes(server, f) or None, "a note to the owner"
        )
        assert "**View Channels**" in note
        assert f"<#{f.general.id}>" in note
        listed = await bot.ask(
            f.bob, f.general, "circle", subcommand("list")
        )  # interactions need no permission
        assert "Tuesday" in (listed.content or "")


async def test_a_missing_role_permission_goes_to_the_moderators_channel_when_there_is_one(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """A Community server's moderators' channel gets the note, every gap in one (once, across restarts), and the owner's DMs stay quiet."""
    server = discord_server
    f = make_folk(
        server, bot_permissions=readme_invite_permissions() & ~(PIN_MESSAGES | ADD_REACTIONS)
    )
    mods = server.create_channel(f.guild, "moderators")
    server.set_public_updates_channel(f.guild, mods)
    for _ in range(2):
        async with running_bot(server, tmp_path / "data"):
            await server.wait_until(
                lambda: server.bot_messages(mods) or None, "a note in the moderators' channel"
            )
    (note,) = [m.content for m in server.bot_messages(mods)]
    assert "• **Pin Messages**: I can't pin the agreements registry." in note
    assert "• **Add Reactions**: proposals can't show their voting reactions." in note
    assert (
        "If you'd like these to work, they can be added to my role under Server Settings → Roles."
        in note
    )
    assert owner_notes(server, f) == []


async def test_with_the_owners_dms_closed_the_next_moderator_hears_it_privately(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """When nobody can be reached, the note waits for a moderator's next command and comes with its answer, only for them, once."""
    server = discord_server
    f = make_folk(server, bot_permissions=readme_invite_permissions() & ~PIN_MESSAGES)
    server.close_dms(f.owner)
    async with running_bot(server, tmp_path / "data") as bot:
        plain = await bot.ask(f.bob, f.general, "help")  # not a moderator: nothing extra
        interaction = await bot.command(f.alice, f.general, "circle", subcommand("list"))
        replies = await bot.answers(interaction, 2)
        again = await bot.command(f.alice, f.general, "circle", subcommand("list"))
        await server.wait_for_reply(again)
    assert "Pin Messages" not in (plain.content or "")
    assert "**Pin Messages**" in (replies[1].content or "")
    assert replies[1].ephemeral
    assert len(again.replies) == 1
    async with running_bot(server, tmp_path / "data") as bot:
        later = await bot.command(f.alice, f.general, "circle", subcommand("list"))
        await server.wait_for_reply(later)
        assert len(later.replies) == 1  # told already


async def test_a_permission_given_back_is_forgotten_so_losing_it_again_is_told_again(
    discord_server: DiscordServer, tmp_path: Path
) -> None:
    """Once the role has Pin Messages again, the bot forgets it said so; a later loss brings a new note."""
    server = discord_server
    f = make_folk(server, bot_permissions=readme_invite_permissions() & ~PIN_MESSAGES)
    role = server.bot_role(f.guild)
    async with running_bot(server, tmp_path / "data"):
        await server.wait_until(lambda: owner_notes(server, f) or None, "the first note")
    role.permissions |= PIN_MESSAGES
    async with running_bot(server, tmp_path / "data") as bot:
        assert (
            bot.table("SELECT value FROM platform_state WHERE key LIKE 'permissions-told:%'") == []
        )
        await server.set_role_permissions(f.guild, role, role.permissions & ~PIN_MESSAGES)
        await server.wait_until(lambda: len(owner_notes(server, f)) == 2 or None, "a second note")


def test_the_readme_invite_asks_for_exactly_what_the_bot_checks() -> None:
    """The README's invite URL carries the permissions the bot checks for (Pin Messages included), and names each of them."""
    assert readme_invite_permissions() == INVITE_PERMISSIONS.value
    assert INVITE_PERMISSIONS.pin_messages
    assert not INVITE_PERMISSIONS.manage_messages
    readme = " ".join(
        (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8").split()
    )
    assert all(need.label in readme for need in NEEDS)
    assert f"permissions={INVITE_PERMISSIONS.value}" in invite_url(123)


# --- rate limits ------------------------------------------------------------------------------


async def test_a_long_text_follows_the_channels_bucket_without_a_single_429(
    discord_folk: Folk, discord_bot: RunningBot
) -> None:
    """Six parts into one channel outrun its bucket of five; discord.py waits by the headers, and all arrive, in order."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    room = RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id))
    text = "\n".join(f"line {n:04d} " + "x" * 180 for n in range(60))  # about 11,600 characters
    await bot.adapter.chat.send(room, text)
    parts = server.bot_messages(f.general)
    assert len(parts) >= 6
    assert [c.status for c in server.requests_to("POST", "/channels/{channel_id}/messages")] == [
        200
    ] * len(parts)
    assert "".join(p.content for p in parts).replace("\n", "") == text.replace("\n", "")


async def test_a_global_429_is_waited_out_and_the_command_still_answered(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A global rate limit holds every request for retry_after; the bot carries on afterwards."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    server.rate_limit(
        "POST", "/channels/{channel_id}/messages", times=1, retry_after=0.05, is_global=True
    )
    await make_circle(bot, f, f.bob)
    await bot.ask(f.alice, f.general, "round", subcommand("start"))
    await bot.wait_for_bot_message(
        newest_thread(server, f.general), "the talking piece is with you"
    )
    statuses = [c.status for c in server.requests_to("POST", "/channels/{channel_id}/messages")]
    assert statuses[:2] == [429, 200]


# --- registration and bodies ----------------------------------------------------------------


async def test_the_bots_commands_fit_discords_limits_with_room_to_spare(
    discord_bot: RunningBot,
) -> None:
    """Every registered command is accepted, and stays well under the size, option and choice limits."""
    (put,) = discord_bot.server.requests_to(*PUT_GLOBAL)
    assert put.status == 200
    sizes = {c["name"]: command_size(c) for c in put.json}
    assert max(sizes.values()) < COMMAND_SIZE_LIMIT * 0.75, sizes

    def options(item: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = list(item.get("options") or [])
        return found + [o for child in found for o in options(child)]

    for registered in put.json:
        assert len(registered.get("options") or []) <= MAX_OPTIONS
        assert all(len(o.get("choices") or []) <= MAX_CHOICES for o in options(registered))


async def test_a_circle_named_like_a_mention_is_sent_with_every_mention_off(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """Text people wrote goes out with allowed_mentions parse [] (valid, and pinging nobody), in channel posts and replies alike."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    created = await bot.ask(
        f.alice,
        f.general,
        "circle",
        subcommand(
            "create", option("name", "Everyone"), option("description", "@everyone <@&1> hi")
        ),
    )
    assert "has a home here now" in (created.content or "")
    await bot.ask(f.alice, f.general, "round", subcommand("start"))
    bodies = [c.json for c in server.requests_to("POST", "/channels/{channel_id}/messages")]
    assert bodies
    assert all(b["allowed_mentions"] == {"parse": []} for b in bodies)


# --- Get Reactions: pages and kinds -----------------------------------------------------------


async def test_more_than_a_page_of_reactions_is_read_back_in_full(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """With 130 people reacting while the bot was away, the read-back pages through (limit 100) and finds the member who came last."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    crowd = [server.create_user(f"visitor{n}") for n in range(130)]
    zoe = server.create_user("zoe")  # the highest id: on the second page
    server.add_member(f.guild, zoe)
    async with running_bot(server, data) as bot:
        await make_circle(bot, f, zoe)
        post = await propose(bot, f.alice, f.general)
    for person in [*crowd, zoe]:
        server.add_member(f.guild, person)
        await server.react(person, post, CONSENT, bot_away=True)
    async with running_bot(server, data) as bot:
        assert bot.table("SELECT member_id, choice FROM agreement_reactions") == [
            (str(zoe.id), "consent")
        ]
    reads = server.requests_to(
        "GET", f"/channels/{f.general.id}/messages/{post.id}/reactions/{CONSENT}"
    )
    assert [(c.query["limit"], "after" in c.query) for c in reads[-2:]] == [
        ("100", False),
        ("32", True),
    ]


# --- the gateway -----------------------------------------------------------------------------


async def test_the_bot_resumes_on_the_resume_url_and_handles_what_it_missed_once(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """After a drop the bot RESUMEs on READY's resume URL; the missed message is replayed there and heard once."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    async with server.gateway_outage():
        await server.post_message(f.general, f.bob, "while the bot was away")
    await server.post_message(f.general, f.bob, "after")
    heard = await bot.ear.wait_for(MessagePosted, 2)
    assert [e.text for e in heard] == ["while the bot was away", "after"]
    assert [c.resume_endpoint for c in server.gateway.connections] == [False, True]
    (resume,) = server.frames_with_op(RESUME)
    assert resume.connection == server.gateway.connections[1].number


async def test_the_bot_asks_only_for_the_intents_it_uses(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """No members or presences intent: the bot IDENTIFYs with guilds, messages, reactions and message content, and hears no joins."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    (identify,) = server.frames_with_op(IDENTIFY)
    intents = identify.data["intents"]
    assert intents & GUILDS
    assert intents & MESSAGE_CONTENT
    assert not intents & (GUILD_MEMBERS | GUILD_PRESENCES)
    newcomer = server.create_user("newcomer")
    await server.join(f.guild, newcomer)
    await server.post_message(f.general, f.bob, "hello")
    await bot.ear.wait_for(MessagePosted)
    session = next(iter(server.gateway.sessions.values()))
    assert "GUILD_MEMBER_ADD" not in {frame["t"] for frame in session.sent}
