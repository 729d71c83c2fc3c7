"""Self-tests of the loopback Discord: a plain discord.py client, unmodified, against it."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass

import discord
import pytest
from discord import app_commands

from tests.e2e.discord_fixtures import RATE_SCALE, connected
from tests.e2e.discord_protocol import (
    ChannelType,
    DiscordServer,
    User,
    option,
    subcommand,
)
from tests.e2e.discord_protocol.gateway import IDENTIFY, IDENTIFY_WINDOW, RESUME
from tests.e2e.discord_protocol.state import Channel, Guild

pytestmark = pytest.mark.e2e

THUMBS_UP = "\N{THUMBS UP SIGN}"
EPHEMERAL = 64
WAIT = 2.0  # seconds; everything here takes milliseconds


@dataclass
class Circle:
    guild: Guild
    channel: Channel
    forum: Channel
    alice: User


@pytest.fixture
def circle(discord_server: DiscordServer) -> Circle:
    guild = discord_server.create_guild("Peer Circle")
    channel = discord_server.create_channel(guild, "check-ins")
    forum = discord_server.create_channel(guild, "stories", type=ChannelType.FORUM)
    alice = discord_server.create_user("alice")
    discord_server.add_member(guild, alice)
    return Circle(guild, channel, forum, alice)


def all_intents_we_use() -> discord.Intents:
    intents = discord.Intents.default()
    intents.message_content = True
    intents.members = True
    return intents


def make_client() -> discord.Client:
    return discord.Client(intents=all_intents_we_use())


def text_channel(client: discord.Client, channel: Channel) -> discord.TextChannel:
    found = client.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


async def test_login_and_ready_show_the_guild(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """The client logs in, IDENTIFYs, and on ready sees the guild, its channels and members."""
    client = make_client()
    async with connected(client, discord_server):
        assert client.user is not None
        assert client.user.id == discord_server.bot.id
        guild = client.get_guild(circle.guild.id)
        assert guild is not None
        assert guild.name == "Peer Circle"
        assert guild.chunked  # member_count matched the members sent: no op 8 needed
        assert {c.name for c in guild.channels} == {"check-ins", "stories"}
        assert guild.get_member(circle.alice.id) is not None
        assert guild.me.guild_permissions.manage_messages
        identify = discord_server.frames_with_op(IDENTIFY)
        assert identify[0].data["intents"] == all_intents_we_use().value


async def test_bad_token_fails_login(discord_server: DiscordServer) -> None:
    """GET /users/@me answers 401 to a wrong token, which discord.py raises as LoginFailure."""
    client = make_client()
    try:
        with pytest.raises(discord.LoginFailure):
            await client.login("not-the-token")
    finally:
        await client.close()


async def test_user_message_reaches_on_message(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """A MESSAGE_CREATE the test dispatches arrives in on_message with author and content."""
    client = make_client()
    async with connected(client, discord_server):
        arrival = client.wait_for("message", timeout=WAIT)
        await discord_server.post_message(circle.channel, circle.alice, "I had a hard week")
        message = await arrival
        assert message.content == "I had a hard week"
        assert message.author.id == circle.alice.id
        assert isinstance(message.author, discord.Member)


async def test_content_is_blank_without_the_intent(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """Without the message_content intent, guild message text arrives empty, as on Discord."""
    client = discord.Client(intents=discord.Intents.default())
    async with connected(client, discord_server):
        arrival = client.wait_for("message", timeout=WAIT)
        await discord_server.post_message(circle.channel, circle.alice, "private words")
        assert (await arrival).content == ""


async def test_bot_send_is_recorded_and_echoed(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """channel.send is recorded with its allowed_mentions and echoed back as MESSAGE_CREATE."""
    client = make_client()
    async with connected(client, discord_server):
        echo = client.wait_for("message", timeout=WAIT)
        sent = await text_channel(client, circle.channel).send(
            "Welcome <@123>", allowed_mentions=discord.AllowedMentions.none()
        )
        assert (await echo).id == sent.id
        assert sent.author == client.user
        call = discord_server.requests_to("POST", "/channels/{channel_id}/messages")[0]
        assert call.json["allowed_mentions"] == {"parse": []}
        assert discord_server.bot_messages(circle.channel)[0].content == "Welcome <@123>"


async def test_bot_send_with_a_file_goes_multipart(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """A message with a file arrives as multipart: payload_json plus the file, kept as an attachment."""
    client = make_client()
    async with connected(client, discord_server):
        file = discord.File(io.BytesIO(b"agreement text"), filename="agreement.txt")
        sent = await text_channel(client, circle.channel).send("Our agreement", file=file)
        assert sent.attachments[0].filename == "agreement.txt"
        assert await sent.attachments[0].read() == b"agreement text"
        call = discord_server.requests_to("POST", f"/channels/{circle.channel.id}/messages")[0]
        assert call.json["content"] == "Our agreement"
        assert call.files[0].data == b"agreement text"


async def test_history_replies_edits_and_deletes(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """History pages newest first; replies resolve; edits and deletes come back as events."""
    client = make_client()
    async with connected(client, discord_server):
        for n in range(5):
            await discord_server.post_message(circle.channel, circle.alice, f"share {n}")
        channel = text_channel(client, circle.channel)
        assert [m.content async for m in channel.history(limit=3)] == [
            "share 4",
            "share 3",
            "share 2",
        ]
        oldest_first = [m.content async for m in channel.history(limit=None, oldest_first=True)]
        assert oldest_first == [f"share {n}" for n in range(5)]

        first = discord_server.messages_in(circle.channel)[0]
        arrival = client.wait_for("message", timeout=WAIT)
        await discord_server.post_message(
            circle.channel, circle.alice, "about that", reply_to=first
        )
        reply = await arrival
        assert reply.reference is not None
        assert isinstance(reply.reference.resolved, discord.Message)
        assert reply.reference.resolved.content == "share 0"

        sent = await channel.send("draft")
        edited = client.wait_for("message_edit", timeout=WAIT)
        await sent.edit(content="final")
        assert (await edited)[1].content == "final"
        deleted = client.wait_for("raw_message_delete", timeout=WAIT)
        await sent.delete()
        assert (await deleted).message_id == sent.id


async def test_too_long_message_is_refused(discord_server: DiscordServer, circle: Circle) -> None:
    """Over 2,000 characters Discord answers 400 with error 50035, raised as HTTPException."""
    client = make_client()
    async with connected(client, discord_server):
        with pytest.raises(discord.HTTPException) as refused:
            await text_channel(client, circle.channel).send("x" * 2001)
        assert refused.value.code == 50035


async def test_raw_reactions_reach_handlers(discord_server: DiscordServer, circle: Circle) -> None:
    """A user's reaction add and remove arrive in on_raw_reaction_add / _remove, with the member."""
    client = make_client()
    async with connected(client, discord_server):
        message = await discord_server.post_message(circle.channel, circle.alice, "vote on this")
        added = client.wait_for("raw_reaction_add", timeout=WAIT)
        await discord_server.react(circle.alice, message, THUMBS_UP)
        event = await added
        assert (event.message_id, event.user_id, str(event.emoji)) == (
            message.id,
            circle.alice.id,
            THUMBS_UP,
        )
        assert event.member is not None
        assert event.member.id == circle.alice.id
        removed = client.wait_for("raw_reaction_remove", timeout=WAIT)
        await discord_server.unreact(circle.alice, message, THUMBS_UP)
        assert (await removed).user_id == circle.alice.id


async def test_add_reaction_is_recorded_and_fetched(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """message.add_reaction is recorded; fetch_message shows the reactions and who made them."""
    client = make_client()
    async with connected(client, discord_server):
        posted = await discord_server.post_message(circle.channel, circle.alice, "proposal")
        await discord_server.react(circle.alice, posted, THUMBS_UP)
        await discord_server.react(circle.alice, posted, "party:123456789")
        message = await text_channel(client, circle.channel).fetch_message(posted.id)
        await message.add_reaction(THUMBS_UP)
        assert discord_server.requests_to(
            "PUT", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me"
        )

        fetched = await text_channel(client, circle.channel).fetch_message(posted.id)
        counts = {str(r.emoji): (r.count, r.me) for r in fetched.reactions}
        assert counts == {THUMBS_UP: (2, True), "<:party:123456789>": (1, False)}
        thumbs = next(r for r in fetched.reactions if str(r.emoji) == THUMBS_UP)
        assert {u.id async for u in thumbs.users()} == {circle.alice.id, discord_server.bot.id}
        # Pages go by ascending user id; the bot's user was made before alice's.
        assert [u.id async for u in thumbs.users(limit=1)] == [discord_server.bot.id]
        after_bot = thumbs.users(after=discord.Object(discord_server.bot.id))
        assert [u.id async for u in after_bot] == [circle.alice.id]


async def test_pin_uses_the_new_route(discord_server: DiscordServer, circle: Circle) -> None:
    """message.pin() goes to /messages/pins (discord.py 2.7) and the message shows as pinned."""
    client = make_client()
    async with connected(client, discord_server):
        posted = await discord_server.post_message(circle.channel, circle.alice, "our agreement")
        message = await text_channel(client, circle.channel).fetch_message(posted.id)
        await message.pin()
        assert discord_server.requests_to(
            "PUT", "/channels/{channel_id}/messages/pins/{message_id}"
        )
        pins = [m.id async for m in text_channel(client, circle.channel).pins()]
        assert pins == [posted.id]


async def test_thread_from_a_message(discord_server: DiscordServer, circle: Circle) -> None:
    """create_thread on a message answers a thread, dispatches THREAD_CREATE, and takes messages."""
    client = make_client()
    async with connected(client, discord_server):
        posted = await discord_server.post_message(circle.channel, circle.alice, "round one")
        message = await text_channel(client, circle.channel).fetch_message(posted.id)
        created = client.wait_for("thread_create", timeout=WAIT)
        thread = await message.create_thread(name="Round one")
        assert (await created).id == thread.id == posted.id
        assert thread.parent_id == circle.channel.id
        await thread.send("Welcome to the round")
        in_thread = discord_server.messages_in(discord_server.world.channels[thread.id])
        assert [m.content for m in in_thread] == ["Welcome to the round"]

        # A user's reply in the thread reaches the bot with the thread as its channel.
        arrival = client.wait_for(
            "message", check=lambda m: m.author.id == circle.alice.id, timeout=WAIT
        )
        await discord_server.post_message(
            discord_server.world.channels[thread.id], circle.alice, "me too"
        )
        assert isinstance((await arrival).channel, discord.Thread)


async def test_forum_post(discord_server: DiscordServer, circle: Circle) -> None:
    """A forum post makes a thread plus its first message; both reach the client."""
    client = make_client()
    async with connected(client, discord_server):
        forum = client.get_channel(circle.forum.id)
        assert isinstance(forum, discord.ForumChannel)
        created = client.wait_for("thread_create", timeout=WAIT)
        post = await forum.create_thread(name="My story", content="It began in spring")
        assert (await created).id == post.thread.id
        assert post.message.content == "It began in spring"
        assert post.message.id == post.thread.id
        call = discord_server.requests_to("POST", "/channels/{channel_id}/threads")[0]
        assert call.json["message"]["content"] == "It began in spring"


async def test_user_forum_post_and_member_join(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """A user's forum post arrives as THREAD_CREATE plus its first message; a join as member_join."""
    client = make_client()
    async with connected(client, discord_server):
        created = client.wait_for("thread_create", timeout=WAIT)
        first = client.wait_for("message", timeout=WAIT)
        thread = await discord_server.start_thread(
            circle.alice, circle.forum, "Hello", content="New here"
        )
        assert (await created).id == thread.id
        message = await first
        assert (message.content, message.channel.id) == ("New here", thread.id)

        bob = discord_server.create_user("bob")
        joined = client.wait_for("member_join", timeout=WAIT)
        await discord_server.join(circle.guild, bob)
        assert (await joined).id == bob.id


async def test_dm_send_and_closed_dms(discord_server: DiscordServer, circle: Circle) -> None:
    """A DM opens a DM channel and sends; to a user with closed DMs it raises Forbidden 50007."""
    client = make_client()
    async with connected(client, discord_server):
        alice = await client.fetch_user(circle.alice.id)
        await alice.send("A gentle note, just for you")
        assert discord_server.requests_to("POST", "/users/@me/channels")
        dm = discord_server.world.dm_channel(circle.alice)
        assert [m.content for m in discord_server.bot_messages(dm)] == [
            "A gentle note, just for you"
        ]

        discord_server.close_dms(circle.alice)
        with pytest.raises(discord.Forbidden) as refused:
            await alice.send("another note")
        assert refused.value.code == 50007

        arrival = client.wait_for("message", timeout=WAIT)
        await discord_server.send_dm(circle.alice, "thanks")
        assert isinstance((await arrival).channel, discord.DMChannel)


def build_tree(client: discord.Client, calls: list[tuple[str, str]]) -> app_commands.CommandTree:
    """/circle join <name> (with autocomplete) and /circle leave, as a group."""
    tree = app_commands.CommandTree(client)
    group = app_commands.Group(name="circle", description="Circles you belong to")

    @group.command(name="join", description="Join a circle")
    @app_commands.describe(name="Which circle")
    async def join(interaction: discord.Interaction, name: str) -> None:
        calls.append(("join", name))
        await interaction.response.send_message(f"Welcome to {name}", ephemeral=True)
        await interaction.followup.send("Your first round starts Monday", ephemeral=True)

    @join.autocomplete("name")
    async def circle_names(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["Morning circle", "Evening circle", "Parents"]
        return [app_commands.Choice(name=n, value=n) for n in names if current.lower() in n.lower()]

    @group.command(name="leave", description="Leave a circle")
    @app_commands.choices(why=[app_commands.Choice(name="Taking a break", value="break")])
    async def leave(interaction: discord.Interaction, why: app_commands.Choice[str]) -> None:
        calls.append(("leave", why.value))
        await interaction.response.defer(ephemeral=True)
        await interaction.edit_original_response(content="You have left. Come back any time.")

    tree.add_command(group)
    return tree


async def test_tree_sync_is_recorded(discord_server: DiscordServer, circle: Circle) -> None:
    """tree.sync() registers the commands; their options, choices and autocomplete are stored."""
    client = make_client()
    tree = build_tree(client, [])
    async with connected(client, discord_server):
        synced = await tree.sync()
        assert [c.name for c in synced] == ["circle"]
        assert synced[0].id
        (registered,) = discord_server.commands()
        join, leave = registered["options"]
        assert (join["name"], join["options"][0]["autocomplete"]) == ("join", True)
        assert leave["options"][0]["choices"] == [{"name": "Taking a break", "value": "break"}]

        guild_synced = await tree.sync(guild=discord.Object(circle.guild.id))
        assert guild_synced == []
        assert discord_server.requests_to(
            "PUT", "/applications/{application_id}/guilds/{guild_id}/commands"
        )


async def test_slash_command_reply_and_followup(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """/circle join name:X reaches the callback; its ephemeral reply and follow-up are recorded."""
    client = make_client()
    calls: list[tuple[str, str]] = []
    tree = build_tree(client, calls)
    async with connected(client, discord_server):
        await tree.sync()
        interaction = await discord_server.dispatch_command(
            circle.alice, circle.channel, "circle", subcommand("join", option("name", "Parents"))
        )
        reply = await discord_server.wait_for_reply(interaction)
        followup = await discord_server.wait_for_reply(interaction, count=2)
        assert calls == [("join", "Parents")]
        assert (reply.kind, reply.type, reply.content, reply.flags) == (
            "callback",
            4,
            "Welcome to Parents",
            EPHEMERAL,
        )
        assert (followup.kind, followup.content, followup.ephemeral) == (
            "followup",
            "Your first round starts Monday",
            True,
        )
        # Ephemeral messages never reach the gateway, so the bot saw no echo of them.
        assert all(m.flags & EPHEMERAL for m in discord_server.bot_messages(circle.channel))


async def test_deferred_reply_then_edit(discord_server: DiscordServer, circle: Circle) -> None:
    """A deferred reply (type 5) then edit_original_response fills in the original message."""
    client = make_client()
    calls: list[tuple[str, str]] = []
    tree = build_tree(client, calls)
    async with connected(client, discord_server):
        await tree.sync()
        interaction = await discord_server.dispatch_command(
            circle.alice, circle.channel, "circle", subcommand("leave", option("why", "break"))
        )
        deferred = await discord_server.wait_for_reply(interaction)
        edit = await discord_server.wait_for_reply(interaction, count=2)
        assert calls == [("leave", "break")]
        assert (deferred.type, deferred.ephemeral) == (5, True)
        assert (edit.kind, edit.content) == ("edit", "You have left. Come back any time.")
        original = discord_server.world.messages[interaction.original_message_id or 0]
        assert original.content == "You have left. Come back any time."


async def test_autocomplete_returns_choices(discord_server: DiscordServer, circle: Circle) -> None:
    """An autocomplete interaction for a focused option is answered with type 8 and choices."""
    client = make_client()
    tree = build_tree(client, [])
    async with connected(client, discord_server):
        await tree.sync()
        interaction = await discord_server.dispatch_autocomplete(
            circle.alice,
            circle.channel,
            "circle",
            subcommand("join", option("name", "circle", focused=True)),
        )
        answer = await discord_server.wait_for_reply(interaction)
        assert answer.type == 8
        assert [c["name"] for c in answer.choices] == ["Morning circle", "Evening circle"]


async def test_rate_limit_is_retried(discord_server: DiscordServer, circle: Circle) -> None:
    """A 429 with Via and retry_after is retried by discord.py; the caller never notices."""
    client = make_client()
    async with connected(client, discord_server):
        discord_server.rate_limit(
            "POST", "/channels/{channel_id}/messages", times=1, retry_after=0.05
        )
        await text_channel(client, circle.channel).send("patience")
        statuses = [
            c.status for c in discord_server.requests_to("POST", "/channels/{channel_id}/messages")
        ]
        assert statuses == [429, 200]
        assert len(discord_server.bot_messages(circle.channel)) == 1


async def test_resume_replays_missed_events_once(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """After a resumable close the client RESUMEs; what it missed is replayed, nothing twice."""
    client = make_client()
    seen: list[str] = []

    @client.event
    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)

    async with connected(client, discord_server):
        before = client.wait_for("message", timeout=WAIT)
        await discord_server.post_message(circle.channel, circle.alice, "before the outage")
        await before
        resumed = client.wait_for("resumed", timeout=WAIT)
        async with discord_server.gateway_outage(code=4000):
            await discord_server.post_message(circle.channel, circle.alice, "while you were away")
        await resumed
        after = client.wait_for("message", timeout=WAIT)
        await discord_server.post_message(circle.channel, circle.alice, "after")
        await after

        assert seen == ["before the outage", "while you were away", "after"]
        (resume,) = discord_server.frames_with_op(RESUME)
        session = next(iter(discord_server.gateway.sessions.values()))
        assert resume.data["session_id"] == session.id
        assert resume.data["seq"] == 3  # READY, GUILD_CREATE, the first message
        assert len(discord_server.frames_with_op(IDENTIFY)) == 1


async def test_dropped_connection_resumes(discord_server: DiscordServer, circle: Circle) -> None:
    """A connection cut without a close frame is RESUMEd too."""
    client = make_client()
    async with connected(client, discord_server):
        resumed = client.wait_for("resumed", timeout=WAIT)
        discord_server.drop_gateway()
        await resumed
        assert len(discord_server.frames_with_op(RESUME)) == 1


async def test_reconnect_request_resumes(discord_server: DiscordServer, circle: Circle) -> None:
    """Op 7 RECONNECT makes the client close and RESUME."""
    client = make_client()
    async with connected(client, discord_server):
        resumed = client.wait_for("resumed", timeout=WAIT)
        await discord_server.request_reconnect()
        await resumed


async def test_disallowed_privileged_intent_is_refused(discord_server: DiscordServer) -> None:
    """Asking for a privileged intent the app lacks closes with 4014: PrivilegedIntentsRequired."""
    discord_server.world.privileged_intents = 0
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with connected(make_client(), discord_server):
            pass


class NoWaitReidentifyClient(discord.Client):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        # discord.py's default sleeps 5 s before every IDENTIFY after the first, to respect
        # Discord's identify limit (client.Client.before_identify_hook); the loopback keeps
        # that limit with its window shrunk like the rate limits', so this waits that long.
        if not initial:
            await asyncio.sleep(IDENTIFY_WINDOW * RATE_SCALE)


async def test_invalid_session_falls_back_to_identify(
    discord_server: DiscordServer, circle: Circle
) -> None:
    """A RESUME of a forgotten session gets INVALID_SESSION; the client IDENTIFYs and is ready again."""
    client = NoWaitReidentifyClient(intents=all_intents_we_use())
    async with connected(client, discord_server):
        ready_again = client.wait_for("ready", timeout=WAIT)
        await discord_server.close_gateway(4000, forget_sessions=True)
        await ready_again
        assert len(discord_server.frames_with_op(RESUME)) == 1
        assert len(discord_server.frames_with_op(IDENTIFY)) == 2
        arrival = client.wait_for("message", timeout=WAIT)
        await discord_server.post_message(circle.channel, circle.alice, "still here")
        assert (await arrival).content == "still here"


async def test_no_unmodelled_routes_were_hit(discord_server: DiscordServer, circle: Circle) -> None:
    """Everything discord.py calls on login, ready and a send is a route this server models."""
    client = make_client()
    async with connected(client, discord_server):
        await text_channel(client, circle.channel).send("hello")
        await asyncio.sleep(0)
    assert discord_server.unhandled_requests == []
