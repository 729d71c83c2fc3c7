"""The loopback Discord refuses what Discord refuses: each rule, shown to a plain discord.py
client (or, where discord.py would never send it, to raw HTTP and websockets)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest

from tests.e2e.discord_fixtures import connected
from tests.e2e.discord_protocol import ChannelType, DiscordServer, User
from tests.e2e.discord_protocol.gateway import HELLO, IDENTIFY, INVALID_SESSION, RESUME
from tests.e2e.discord_protocol.permissions import (
    ADD_REACTIONS,
    MANAGE_MESSAGES,
    PIN_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    VIEW_CHANNEL,
)
from tests.e2e.discord_protocol.state import EVERYONE_PERMISSIONS, Channel, Guild

pytestmark = pytest.mark.e2e

THUMBS_UP = "\N{THUMBS UP SIGN}"
WAIT = 2.0


@dataclass
class Place:
    guild: Guild
    channel: Channel
    alice: User


@pytest.fixture
def place(discord_server: DiscordServer) -> Place:
    guild = discord_server.create_guild("Peer Circle")
    channel = discord_server.create_channel(guild, "check-ins")
    alice = discord_server.create_user("alice")
    discord_server.add_member(guild, alice)
    return Place(guild, channel, alice)


def client(intents: discord.Intents | None = None) -> discord.Client:
    if intents is None:
        intents = discord.Intents.default()
        intents.message_content = True
    return discord.Client(intents=intents)


def text_channel(bot: discord.Client, channel: Channel) -> discord.TextChannel:
    found = bot.get_channel(channel.id)
    assert isinstance(found, discord.TextChannel)
    return found


async def raw(
    server: DiscordServer, method: str, path: str, body: Any = None, *, token: str | None = None
) -> tuple[int, dict[str, str], Any]:
    """One request as it goes over the wire, without discord.py's checks or rate limiter."""
    headers = {"Authorization": f"Bot {token or server.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, server.api_base + path, json=body, headers=headers) as response,
    ):
        text = await response.text()
        data = json.loads(text) if response.content_type == "application/json" else text
        return response.status, dict(response.headers), data


def form_error_at(data: Any, *path: str) -> str:
    """The error code Discord put at ``path`` in a 50035 answer."""
    assert data["code"] == 50035, data
    node = data["errors"]
    for part in path:
        node = node[part]
    return str(node["_errors"][0]["code"])


# --- interactions: 3 s to the first response, 15 minutes for the token -------------------------


@pytest.fixture
async def tree_client(
    discord_server: DiscordServer, place: Place
) -> AsyncIterator[tuple[discord.Client, list[discord.Interaction]]]:
    """A client with /hello, whose interactions are kept for the test to answer."""
    bot = client()
    tree = discord.app_commands.CommandTree(bot)
    seen: list[discord.Interaction] = []
    arrived = asyncio.Event()

    @tree.command(name="hello", description="Say hello")
    async def hello(interaction: discord.Interaction) -> None:
        seen.append(interaction)
        arrived.set()

    async with connected(bot, discord_server):
        await tree.sync()
        bot.arrived = arrived  # type: ignore[attr-defined]  # for first_interaction to wait on
        yield bot, seen


async def first_interaction(
    server: DiscordServer, place: Place, pair: tuple[discord.Client, list[discord.Interaction]]
) -> tuple[Any, discord.Interaction]:
    bot, seen = pair
    sent = await server.dispatch_command(place.alice, place.channel, "hello")
    await asyncio.wait_for(bot.arrived.wait(), WAIT)  # type: ignore[attr-defined]  # set by tree_client
    return sent, seen[0]


async def test_a_first_response_after_three_seconds_is_unknown_interaction(
    discord_server: DiscordServer,
    place: Place,
    tree_client: tuple[discord.Client, list[discord.Interaction]],
) -> None:
    """Discord forgets an interaction not answered within 3 s: the late callback gets 404 / 10062."""
    sent, interaction = await first_interaction(discord_server, place, tree_client)
    discord_server.age_interaction(sent, 3.1)
    with pytest.raises(discord.NotFound) as refused:
        await interaction.response.send_message("too late")
    assert refused.value.code == 10062
    assert sent.replies == []


async def test_a_second_initial_response_is_refused(
    discord_server: DiscordServer,
    place: Place,
    tree_client: tuple[discord.Client, list[discord.Interaction]],
) -> None:
    """An interaction takes one initial response; a second callback gets 400 / 40060."""
    sent, interaction = await first_interaction(discord_server, place, tree_client)
    await interaction.response.defer(ephemeral=True)
    status, _, data = await raw(
        discord_server,
        "POST",
        f"/interactions/{sent.id}/{sent.token}/callback",
        {"type": 4, "data": {"content": "x"}},
    )
    assert (status, data["code"]) == (400, 40060)


async def test_follow_ups_after_fifteen_minutes_are_an_invalid_webhook_token(
    discord_server: DiscordServer,
    place: Place,
    tree_client: tuple[discord.Client, list[discord.Interaction]],
) -> None:
    """The interaction token lasts 15 minutes: a follow-up or an edit after that gets 401 / 50027."""
    sent, interaction = await first_interaction(discord_server, place, tree_client)
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.followup.send("in time", ephemeral=True)
    discord_server.age_interaction(sent, 15 * 60 + 1)
    with pytest.raises(discord.HTTPException) as refused:
        await interaction.followup.send("too late", ephemeral=True)
    assert (refused.value.status, refused.value.code) == (401, 50027)
    with pytest.raises(discord.HTTPException) as edit_refused:
        await interaction.edit_original_response(content="too late")
    assert edit_refused.value.code == 50027


async def test_a_callback_type_the_interaction_cannot_take_is_refused(
    discord_server: DiscordServer,
    place: Place,
    tree_client: tuple[discord.Client, list[discord.Interaction]],
) -> None:
    """A slash command can't be answered with autocomplete results, and a defer carries no flag but EPHEMERAL."""
    sent, _ = await first_interaction(discord_server, place, tree_client)
    path = f"/interactions/{sent.id}/{sent.token}/callback"
    status, _, data = await raw(discord_server, "POST", path, {"type": 8, "data": {"choices": []}})
    assert (status, form_error_at(data, "type")) == (400, "INTERACTION_CALLBACK_TYPE_INVALID")
    status, _, data = await raw(discord_server, "POST", path, {"type": 5, "data": {"flags": 4}})
    assert form_error_at(data, "data", "flags") == "MESSAGE_FLAGS_INVALID"


# --- permissions, from roles and channel overwrites --------------------------------------------


async def test_pinning_needs_pin_messages_and_manage_messages_is_not_enough(
    discord_server: DiscordServer, place: Place
) -> None:
    """Since February 2026 a bot with Manage Messages but not Pin Messages gets 403 / 50013 on a pin."""
    role = discord_server.bot_role(place.guild)
    role.permissions = (role.permissions | MANAGE_MESSAGES) & ~PIN_MESSAGES
    bot = client()
    async with connected(bot, discord_server):
        sent = await text_channel(bot, place.channel).send("our agreements")
        with pytest.raises(discord.Forbidden) as refused:
            await sent.pin()
        assert refused.value.code == 50013
        assert discord_server.world.messages[sent.id].pinned_at is None


async def test_a_channel_overwrite_takes_a_permission_away_and_gives_one_back(
    discord_server: DiscordServer, place: Place
) -> None:
    """A deny on @everyone in the channel wins over the role; an allow for the bot's role there wins over that deny."""
    everyone = place.guild.everyone
    bot = client()
    async with connected(bot, discord_server):
        await discord_server.set_overwrite(place.channel, everyone, deny=SEND_MESSAGES)
        role = discord_server.bot_role(place.guild)
        role.permissions &= ~SEND_MESSAGES
        channel = text_channel(bot, place.channel)
        with pytest.raises(discord.Forbidden) as refused:
            await channel.send("hello")
        assert refused.value.code == 50013
        await discord_server.set_overwrite(place.channel, role, allow=SEND_MESSAGES)
        await channel.send("hello again")
        assert [m.content for m in discord_server.bot_messages(place.channel)] == ["hello again"]


async def test_a_member_overwrite_comes_last(discord_server: DiscordServer, place: Place) -> None:
    """A deny for the bot itself beats an allow for its role."""
    role = discord_server.bot_role(place.guild)
    await discord_server.set_overwrite(place.channel, role, allow=ADD_REACTIONS)
    await discord_server.set_overwrite(place.channel, discord_server.bot, deny=ADD_REACTIONS)
    posted = discord_server.world.create_message(place.channel, place.alice, "vote here")
    bot = client()
    async with connected(bot, discord_server):
        message = await text_channel(bot, place.channel).fetch_message(posted.id)
        with pytest.raises(discord.Forbidden):
            await message.add_reaction(THUMBS_UP)
        # Someone else's reaction may be joined without Add Reactions (Read Message History is enough).
        posted.reactions[THUMBS_UP] = [place.alice.id]
        await message.add_reaction(THUMBS_UP)


async def test_a_hidden_channel_is_missing_access(
    discord_server: DiscordServer, place: Place
) -> None:
    """Without View Channel everything there is 403 / 50001, and so is reading a message without Read Message History."""
    posted = discord_server.world.create_message(place.channel, place.alice, "private")
    role = discord_server.bot_role(place.guild)
    bot = client()
    async with connected(bot, discord_server):
        channel = text_channel(bot, place.channel)
        await discord_server.set_overwrite(place.channel, role, deny=READ_MESSAGE_HISTORY)
        with pytest.raises(discord.Forbidden) as no_history:
            await channel.fetch_message(posted.id)
        assert no_history.value.code == 50001
        assert [m async for m in channel.history(limit=10)] == []  # "no messages will be returned"
        await discord_server.set_overwrite(place.channel, place.guild.everyone, deny=VIEW_CHANNEL)
        role.permissions &= ~VIEW_CHANNEL
        with pytest.raises(discord.Forbidden) as hidden:
            await channel.send("anyone?")
        assert hidden.value.code == 50001


async def test_threads_take_their_parents_overwrites_and_need_send_messages_in_threads(
    discord_server: DiscordServer, place: Place
) -> None:
    """In a thread, Send Messages doesn't count: Send Messages in Threads does, with the parent's overwrites."""
    bot = client()
    async with connected(bot, discord_server):
        thread = await (await text_channel(bot, place.channel).send("round one")).create_thread(
            name="Round one"
        )
        await discord_server.set_overwrite(
            place.channel,
            discord_server.bot_role(place.guild),
            deny=1 << 38,  # SEND_MESSAGES_IN_THREADS
        )
        with pytest.raises(discord.Forbidden):
            await thread.send("in the thread")
        await text_channel(bot, place.channel).send("in the channel, still fine")


async def test_closed_dms_and_strangers_cannot_be_messaged(
    discord_server: DiscordServer, place: Place
) -> None:
    """A DM to someone who closed them, or who shares no server with the bot, gets 403 / 50007."""
    stranger = discord_server.create_user("stranger")
    bot = client()
    async with connected(bot, discord_server):
        for user in (stranger, place.alice):
            if user is place.alice:
                discord_server.close_dms(place.alice)
            target = await bot.fetch_user(user.id)
            with pytest.raises(discord.Forbidden) as refused:
                await target.send("hello")
            assert refused.value.code == 50007


async def test_guild_commands_need_the_applications_commands_scope(
    discord_server: DiscordServer, place: Place
) -> None:
    """A bot invited without applications.commands gets 403 / 50001 when it writes guild commands."""
    discord_server.without_commands_scope(place.guild)
    bot = client()
    tree = discord.app_commands.CommandTree(bot)
    async with connected(bot, discord_server):
        with pytest.raises(discord.Forbidden) as refused:
            await tree.sync(guild=discord.Object(place.guild.id))
        assert refused.value.code == 50001


# --- rate limits -----------------------------------------------------------------------------


async def test_every_answer_describes_its_bucket(
    discord_server: DiscordServer, place: Place
) -> None:
    """Limited routes answer with X-RateLimit-Limit, -Remaining, -Reset, -Reset-After and -Bucket, per channel."""
    other = discord_server.create_channel(place.guild, "another")
    _, first, _ = await raw(
        discord_server, "POST", f"/channels/{place.channel.id}/messages", {"content": "one"}
    )
    _, second, _ = await raw(
        discord_server, "POST", f"/channels/{place.channel.id}/messages", {"content": "two"}
    )
    _, elsewhere, _ = await raw(
        discord_server, "POST", f"/channels/{other.id}/messages", {"content": "three"}
    )
    assert (
        first["X-RateLimit-Limit"],
        first["X-RateLimit-Remaining"],
        second["X-RateLimit-Remaining"],
    ) == ("5", "4", "3")
    assert elsewhere["X-RateLimit-Remaining"] == "4"  # another channel, another count
    assert first["X-RateLimit-Bucket"] == elsewhere["X-RateLimit-Bucket"]  # the same bucket
    assert 0 < float(second["X-RateLimit-Reset-After"]) <= 5 * discord_server.rest.limiter.scale
    assert float(second["X-RateLimit-Reset"]) > 1_700_000_000


async def test_going_over_a_bucket_gets_a_429_with_retry_after(
    discord_server: DiscordServer, place: Place
) -> None:
    """The sixth message in a channel's window gets 429 with retry_after, Retry-After, scope "user" and Via."""
    answers = [
        await raw(
            discord_server, "POST", f"/channels/{place.channel.id}/messages", {"content": f"n{n}"}
        )
        for n in range(6)
    ]
    _, headers, body = answers[-1]
    assert [a[0] for a in answers] == [200] * 5 + [429]
    assert body["global"] is False
    assert 0 < body["retry_after"] <= 5 * discord_server.rest.limiter.scale
    assert headers["X-RateLimit-Scope"] == "user"
    assert headers["X-RateLimit-Remaining"] == "0"
    assert "Via" in headers
    assert "Retry-After" in headers
    assert len(discord_server.bot_messages(place.channel)) == 5


async def test_the_global_limit_is_fifty_a_second_but_not_for_interactions(
    discord_server: DiscordServer, place: Place
) -> None:
    """The 51st request inside the global window gets a global 429; interaction callbacks don't count towards it."""
    discord_server.rest.limiter.scale = 1.0  # the real second
    answers = await asyncio.gather(*(raw(discord_server, "GET", "/users/@me") for _ in range(51)))
    statuses = sorted(a[0] for a in answers)
    assert statuses == [200] * 50 + [429]
    _, headers, body = next(a for a in answers if a[0] == 429)
    assert (body["global"], headers["X-RateLimit-Global"], headers["X-RateLimit-Scope"]) == (
        True,
        "true",
        "global",
    )
    unknown = await raw(discord_server, "POST", "/interactions/1/nope/callback", {"type": 1})
    assert unknown[0] == 404  # not 429: interaction routes are outside the global limit


async def test_discord_py_waits_out_a_bucket_by_its_headers(
    discord_server: DiscordServer, place: Place
) -> None:
    """Given the headers, discord.py sends the sixth message after the window instead of being refused."""
    bot = client()
    async with connected(bot, discord_server):
        channel = text_channel(bot, place.channel)
        for n in range(7):
            await channel.send(f"message {n}")
    statuses = [
        c.status for c in discord_server.requests_to("POST", "/channels/{channel_id}/messages")
    ]
    assert statuses == [200] * 7


async def test_ten_thousand_refusals_get_the_client_banned(
    discord_server: DiscordServer, place: Place
) -> None:
    """401, 403 and 429 answers count; at 10,000 in ten minutes Cloudflare answers 429 without Via."""
    limiter = discord_server.rest.limiter
    now = limiter.clock()
    limiter._invalid.extend([now] * 9_999)
    await raw(discord_server, "GET", "/users/@me", token="wrong")  # the 10,000th: a 401
    status, headers, body = await raw(discord_server, "GET", "/users/@me")
    assert status == 429
    assert "Via" not in headers
    assert isinstance(body, str)  # not JSON: discord.py raises instead of waiting


# --- command registration ---------------------------------------------------------------------


def command(**fields: Any) -> dict[str, Any]:
    return {
        "name": "circle",
        "type": 1,
        "description": "Circles you belong to",
        "options": [],
    } | fields


def string_option(name: str = "name", **fields: Any) -> dict[str, Any]:
    return {"type": 3, "name": name, "description": "Which one"} | fields


async def register(
    server: DiscordServer, commands: list[dict[str, Any]], *, guild: Guild | None = None
) -> Any:
    app = server.world.application_id
    path = (
        f"/applications/{app}/guilds/{guild.id}/commands"
        if guild
        else f"/applications/{app}/commands"
    )
    status, _, data = await raw(server, "PUT", path, commands)
    assert status == 400, data
    return data


@pytest.mark.parametrize(
    ("commands", "path", "code"),
    [
        ([command(name="Circle")], ("0", "name"), "APPLICATION_COMMAND_INVALID_NAME"),
        ([command(name="circle list")], ("0", "name"), "APPLICATION_COMMAND_INVALID_NAME"),
        ([command(name="c" * 33)], ("0", "name"), "BASE_TYPE_BAD_LENGTH"),
        ([command(description="")], ("0", "description"), "BASE_TYPE_BAD_LENGTH"),
        ([command(description="d" * 101)], ("0", "description"), "BASE_TYPE_BAD_LENGTH"),
        ([command(), command()], ("1", "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME"),
        (
            [command(options=[string_option("a"), string_option("b", required=True)])],
            ("0", "options", "1", "required"),
            "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
        ),
        (
            [
                command(
                    options=[
                        string_option(
                            choices=[{"name": f"c{n}", "value": f"v{n}"} for n in range(26)]
                        )
                    ]
                )
            ],
            ("0", "options", "0", "choices"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            [
                command(
                    options=[
                        string_option(choices=[{"name": "a", "value": "v"}], autocomplete=True)
                    ]
                )
            ],
            ("0", "options", "0", "autocomplete"),
            "APPLICATION_COMMAND_AUTOCOMPLETE_WITH_CHOICES",
        ),
        (
            [command(options=[string_option(max_length=6001)])],
            ("0", "options", "0", "max_length"),
            "NUMBER_TYPE_MAX",
        ),
        (
            [command(options=[string_option(min_value=1)])],
            ("0", "options", "0", "min_value"),
            "APPLICATION_COMMAND_OPTION_INVALID",
        ),
        (
            [command(options=[string_option(f"o{n}") for n in range(26)])],
            ("0", "options"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        (
            [
                command(
                    options=[{"type": 1, "name": "join", "description": "Join"}, string_option()]
                )
            ],
            ("0", "options"),
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        ),
        (
            [
                command(
                    options=[
                        {
                            "type": 1,
                            "name": "join",
                            "description": "Join",
                            "options": [{"type": 1, "name": "x", "description": "x"}],
                        }
                    ]
                )
            ],
            ("0", "options", "0", "options"),
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        ),
        (
            [
                command(
                    options=[
                        {
                            "type": 2,
                            "name": "rota",
                            "description": "Rota",
                            "options": [string_option()],
                        }
                    ]
                )
            ],
            ("0", "options", "0", "options"),
            "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
        ),
        ([command(contexts=[0, 7])], ("0", "contexts"), "ENUM_TYPE_COERCE"),
    ],
    ids=[
        "uppercase name",
        "space in name",
        "long name",
        "no description",
        "long description",
        "duplicate",
        "required after optional",
        "26 choices",
        "choices with autocomplete",
        "max_length over 6000",
        "min_value on a string",
        "26 options",
        "subcommand mixed with options",
        "subcommand in a subcommand",
        "plain option in a group",
        "unknown context",
    ],
)
async def test_invalid_command_registrations_are_refused(
    discord_server: DiscordServer,
    place: Place,
    commands: list[dict[str, Any]],
    path: tuple[str, ...],
    code: str,
) -> None:
    """Each broken rule of "Application Commands" gets 400 / 50035 naming the field, and nothing is registered."""
    data = await register(discord_server, commands)
    assert form_error_at(data, *path) == code
    assert discord_server.commands() == []


async def test_a_command_over_eight_thousand_characters_is_refused(
    discord_server: DiscordServer, place: Place
) -> None:
    """Names, descriptions and choice values together may not pass 8,000 characters in one command."""
    options = [
        string_option(
            f"o{n}",
            description="d" * 100,
            choices=[{"name": "n" * 100, "value": "v" * 100} for _ in range(4)],
        )
        for n in range(10)
    ]
    data = await register(discord_server, [command(options=options)])
    assert form_error_at(data, "0") == "APPLICATION_COMMAND_TOO_LARGE"


async def test_guild_commands_may_not_carry_dm_contexts(
    discord_server: DiscordServer, place: Place
) -> None:
    """contexts and integration_types are for global commands only; on a guild command they are refused."""
    data = await register(discord_server, [command(contexts=[0, 1])], guild=place.guild)
    assert form_error_at(data, "0", "contexts") == "APPLICATION_COMMAND_GLOBAL_ONLY"
    data = await register(discord_server, [command(integration_types=[0])], guild=place.guild)
    assert form_error_at(data, "0", "integration_types") == "APPLICATION_COMMAND_GLOBAL_ONLY"


async def test_discord_py_reports_a_refused_registration_per_command(
    discord_server: DiscordServer, place: Place
) -> None:
    """discord.py turns the 50035 into CommandSyncFailure, naming the command that was wrong."""
    bot = client()
    tree = discord.app_commands.CommandTree(bot)
    choices = [discord.app_commands.Choice(name=f"c{n}", value=f"v{n}") for n in range(25)]

    @tree.command(name="ok", description="Fine")
    @discord.app_commands.choices(pick=choices)
    async def ok(interaction: discord.Interaction, pick: discord.app_commands.Choice[str]) -> None:
        return None

    async with connected(bot, discord_server):
        assert [c.name for c in await tree.sync()] == ["ok"]  # 25 choices are allowed
        ok.description = "x" * 101
        with pytest.raises(discord.app_commands.CommandSyncFailure) as refused:
            await tree.sync()
        assert "ok" in str(refused.value)


# --- message bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        ({"content": "x" * 2001}, ("content",), "BASE_TYPE_MAX_LENGTH"),
        ({"content": "hi", "embeds": [{"title": "t"}] * 11}, ("embeds",), "BASE_TYPE_MAX_LENGTH"),
        ({"embeds": [{"title": "t" * 257}]}, ("embeds", "0", "title"), "BASE_TYPE_MAX_LENGTH"),
        (
            {"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]},
            ("embeds",),
            "MAX_EMBED_SIZE_EXCEEDED",
        ),
        (
            {"embeds": [{"fields": [{"name": "n"}]}]},
            ("embeds", "0", "fields", "0", "value"),
            "BASE_TYPE_REQUIRED",
        ),
        (
            {"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
            ("allowed_mentions", "users"),
            "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
        ),
        (
            {"content": "hi", "allowed_mentions": {"parse": ["here"]}},
            ("allowed_mentions", "parse"),
            "ENUM_TYPE_COERCE",
        ),
        (
            {"content": "hi", "allowed_mentions": {"users": [str(n) for n in range(101)]}},
            ("allowed_mentions", "users"),
            "BASE_TYPE_MAX_LENGTH",
        ),
        ({"content": "hi", "flags": 64}, ("flags",), "MESSAGE_FLAGS_INVALID"),
        ({"content": "hi", "nonce": "n" * 26}, ("nonce",), "BASE_TYPE_MAX_LENGTH"),
    ],
    ids=[
        "content over 2000",
        "eleven embeds",
        "long embed title",
        "embeds over 6000",
        "field without value",
        "users parsed and listed",
        "unknown mention kind",
        "101 users",
        "ephemeral outside an interaction",
        "long nonce",
    ],
)
async def test_invalid_message_bodies_are_refused(
    discord_server: DiscordServer,
    place: Place,
    body: dict[str, Any],
    path: tuple[str, ...],
    code: str,
) -> None:
    """Each broken rule of "Create Message" gets 400 / 50035 naming the field, and nothing is posted."""
    status, _, data = await raw(
        discord_server, "POST", f"/channels/{place.channel.id}/messages", body
    )
    assert status == 400
    assert form_error_at(data, *path) == code
    assert discord_server.bot_messages(place.channel) == []


async def test_an_empty_message_is_refused(discord_server: DiscordServer, place: Place) -> None:
    """A message with no content, embed, file or sticker gets 400 / 50006."""
    status, _, data = await raw(
        discord_server, "POST", f"/channels/{place.channel.id}/messages", {"content": ""}
    )
    assert (status, data["code"]) == (400, 50006)


async def test_embeds_without_embed_links_are_dropped_quietly(
    discord_server: DiscordServer, place: Place
) -> None:
    """Without Embed Links the message goes out and its embeds don't."""
    role = discord_server.bot_role(place.guild)
    role.permissions &= ~(1 << 14)
    place.guild.everyone.permissions &= ~(1 << 14)
    status, _, data = await raw(
        discord_server,
        "POST",
        f"/channels/{place.channel.id}/messages",
        {"content": "see", "embeds": [{"title": "t"}]},
    )
    assert status == 200
    assert data["embeds"] == []


# --- Get Reactions: type and limit -------------------------------------------------------------


async def test_get_reactions_lists_normal_and_super_reactions_apart(
    discord_server: DiscordServer, place: Place
) -> None:
    """Without type only normal reactions are listed; type=1 lists super (burst) ones; both show in the counts."""
    bob = discord_server.create_user("bob")
    discord_server.add_member(place.guild, bob)
    posted = discord_server.world.create_message(place.channel, place.alice, "vote here")
    bot = client()
    async with connected(bot, discord_server):
        await discord_server.react(place.alice, posted, THUMBS_UP)
        await discord_server.react(bob, posted, THUMBS_UP, burst=True)
        message = await text_channel(bot, place.channel).fetch_message(posted.id)
        (reaction,) = message.reactions
        assert (reaction.count, reaction.normal_count, reaction.burst_count) == (2, 1, 1)
        assert [u.id async for u in reaction.users()] == [place.alice.id]
        assert [u.id async for u in reaction.users(type=discord.ReactionType.burst)] == [bob.id]


async def test_get_reactions_checks_type_and_limit(
    discord_server: DiscordServer, place: Place
) -> None:
    """limit must be 1 to 100 (25 if left out) and type 0 or 1; otherwise 400 / 50035."""
    discord_server.rest.limiter.enabled = (
        False  # many reads in a row; rate limits have tests of their own
    )
    posted = discord_server.world.create_message(place.channel, place.alice, "vote here")
    crowd = [discord_server.create_user(f"member{n}") for n in range(30)]
    posted.reactions[THUMBS_UP] = [u.id for u in crowd]
    base = f"/channels/{place.channel.id}/messages/{posted.id}/reactions/{THUMBS_UP}"
    assert len((await raw(discord_server, "GET", base))[2]) == 25
    assert len((await raw(discord_server, "GET", base + "?limit=100"))[2]) == 30
    after = (await raw(discord_server, "GET", base + f"?after={crowd[9].id}"))[2]
    assert [int(u["id"]) for u in after] == [u.id for u in crowd[10:30]]
    for query, field in (
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("type=2", "type"),
        ("type=x", "type"),
    ):
        status, _, data = await raw(discord_server, "GET", f"{base}?{query}")
        assert status == 400
        assert field in data["errors"]


async def test_super_reactions_arrive_marked_as_burst(
    discord_server: DiscordServer, place: Place
) -> None:
    """A super reaction comes over the gateway with burst true and type 1."""
    posted = discord_server.world.create_message(place.channel, place.alice, "vote here")
    bot = client()
    async with connected(bot, discord_server):
        arrival = bot.wait_for("raw_reaction_add", timeout=WAIT)
        await discord_server.react(place.alice, posted, THUMBS_UP, burst=True)
        event = await arrival
        assert (event.burst, event.type) == (True, discord.ReactionType.burst)


# --- the gateway: resume URL, intents, the order of things ---------------------------------------


async def open_socket(
    server: DiscordServer, url: str, query: str = "?v=10&encoding=json"
) -> tuple[aiohttp.ClientSession, aiohttp.ClientWebSocketResponse]:
    session = aiohttp.ClientSession()
    socket = await session.ws_connect(url + query)
    return session, socket


async def receive(socket: aiohttp.ClientWebSocketResponse) -> dict[str, Any]:
    msg = await asyncio.wait_for(socket.receive(), WAIT)
    assert msg.type is aiohttp.WSMsgType.TEXT, msg
    return dict(json.loads(msg.data))


def identify(server: DiscordServer, intents: int = 1) -> dict[str, Any]:
    properties = {"os": "linux", "browser": "test", "device": "test"}
    return {
        "op": IDENTIFY,
        "d": {"token": server.token, "intents": intents, "properties": properties},
    }


async def closing_code(socket: aiohttp.ClientWebSocketResponse) -> int | None:
    while True:
        msg = await asyncio.wait_for(socket.receive(), WAIT)
        if msg.type in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.CLOSING,
        ):
            return socket.close_code


async def test_ready_sends_resumes_to_a_url_of_their_own(
    discord_server: DiscordServer, place: Place
) -> None:
    """READY's resume_gateway_url is not the URL connected to; a RESUME sent to the plain URL gets INVALID_SESSION."""
    session, socket = await open_socket(discord_server, discord_server.gateway_url)
    try:
        assert (await receive(socket))["op"] == HELLO
        await socket.send_json(identify(discord_server))
        ready = await receive(socket)
        assert ready["t"] == "READY"
        assert ready["d"]["resume_gateway_url"] != discord_server.gateway_url
        await socket.close()
        session_id = ready["d"]["session_id"]
        second, again = await open_socket(discord_server, discord_server.gateway_url)
        try:
            await receive(again)
            resume = {
                "op": RESUME,
                "d": {"token": discord_server.token, "session_id": session_id, "seq": 1},
            }
            await again.send_json(resume)
            assert (await receive(again))["op"] == INVALID_SESSION
            await again.close()
        finally:
            await second.close()
    finally:
        await session.close()


async def test_discord_py_resumes_on_the_resume_url_and_gets_what_it_missed(
    discord_server: DiscordServer, place: Place
) -> None:
    """discord.py RESUMEs on READY's resume_gateway_url, and the events it missed are replayed there."""
    bot = client()
    seen: list[str] = []
    bot.event(_recorder(seen))
    async with connected(bot, discord_server):
        resumed = bot.wait_for("resumed", timeout=WAIT)
        async with discord_server.gateway_outage():
            await discord_server.post_message(place.channel, place.alice, "while away")
        await resumed
        arrival = bot.wait_for("message", timeout=WAIT)
        await discord_server.post_message(place.channel, place.alice, "after")
        await arrival
    assert seen == ["while away", "after"]
    first, second = discord_server.gateway.connections[:2]
    assert (first.resume_endpoint, second.resume_endpoint) == (False, True)
    assert len(discord_server.frames_with_op(RESUME)) == 1


def _recorder(seen: list[str]) -> Any:
    async def on_message(message: discord.Message) -> None:
        seen.append(message.content)

    return on_message


@pytest.mark.parametrize(
    ("query", "first", "code"),
    [
        ("?v=9&encoding=json", None, 4012),
        ("?v=10&encoding=etf", None, 4002),
        ("?v=10&encoding=json", {"op": 3, "d": {}}, 4003),
        ("?v=10&encoding=json", {"op": IDENTIFY, "d": {"token": "test-token", "intents": 1}}, 4002),
        (
            "?v=10&encoding=json",
            {
                "op": IDENTIFY,
                "d": {
                    "token": "wrong",
                    "intents": 1,
                    "properties": {"os": "l", "browser": "b", "device": "d"},
                },
            },
            4004,
        ),
        (
            "?v=10&encoding=json",
            {
                "op": IDENTIFY,
                "d": {
                    "token": "test-token",
                    "intents": 1 << 30,
                    "properties": {"os": "l", "browser": "b", "device": "d"},
                },
            },
            4013,
        ),
    ],
    ids=["old version", "etf", "before identify", "no properties", "wrong token", "unknown intent"],
)
async def test_the_gateway_closes_on_what_discord_refuses(
    discord_server: DiscordServer, query: str, first: dict[str, Any] | None, code: int
) -> None:
    """A wrong version or encoding, a frame before IDENTIFY, an incomplete IDENTIFY, a bad token or unknown intents close the socket with Discord's code."""
    session, socket = await open_socket(discord_server, discord_server.gateway_url, query)
    try:
        if first is not None:
            assert (await receive(socket))["op"] == HELLO
            await socket.send_json(first)
        assert await closing_code(socket) == code
    finally:
        await session.close()


async def test_identifying_twice_is_refused(discord_server: DiscordServer) -> None:
    """A second IDENTIFY on a connection closes it with 4005."""
    session, socket = await open_socket(discord_server, discord_server.gateway_url)
    try:
        await receive(socket)
        await socket.send_json(identify(discord_server))
        await receive(socket)  # READY
        await socket.send_json(identify(discord_server))
        assert await closing_code(socket) == 4005
    finally:
        await session.close()


async def test_intents_decide_which_events_arrive(
    discord_server: DiscordServer, place: Place
) -> None:
    """Without the guild messages and reactions intents, messages and reactions in servers never arrive; DMs do."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.dm_messages = True
    bot = client(intents)
    seen: list[str] = []
    bot.event(_recorder(seen))
    async with connected(bot, discord_server):
        posted = await discord_server.post_message(place.channel, place.alice, "in the server")
        await discord_server.react(place.alice, posted, THUMBS_UP)
        arrival = bot.wait_for("message", timeout=WAIT)
        await discord_server.send_dm(place.alice, "in a DM")
        await arrival
    assert seen == ["in a DM"]
    session = next(iter(discord_server.gateway.sessions.values()), None)
    sent = [frame["t"] for frame in session.sent] if session else []
    assert "MESSAGE_REACTION_ADD" not in sent


async def test_without_the_guilds_intent_no_guild_arrives(
    discord_server: DiscordServer, place: Place
) -> None:
    """GUILD_CREATE is a guilds-intent event: without it, READY's guilds never become available."""
    intents = discord.Intents.none()
    intents.dm_messages = True
    bot = client(intents)
    async with connected(bot, discord_server):
        guild = bot.get_guild(place.guild.id)
        assert guild is None or guild.unavailable  # READY's placeholder, never filled in


async def test_a_privileged_intent_not_granted_closes_with_4014(
    discord_server: DiscordServer,
) -> None:
    """Members or message content, not switched on for the application, close the connection with 4014."""
    discord_server.world.privileged_intents = 0
    session, socket = await open_socket(discord_server, discord_server.gateway_url)
    try:
        await receive(socket)
        await socket.send_json(
            identify(discord_server, intents=1 | (1 << 1))
        )  # GUILDS | GUILD_MEMBERS
        assert await closing_code(socket) == 4014
    finally:
        await session.close()


async def test_everyone_permissions_default_leaves_the_bot_its_role(
    discord_server: DiscordServer,
) -> None:
    """A server made with the defaults gives @everyone the usual member permissions, and the bot its invite role."""
    guild = discord_server.create_guild("Defaults")
    assert guild.everyone.permissions == EVERYONE_PERMISSIONS
    assert discord_server.bot_role(guild).permissions & PIN_MESSAGES
    forum = discord_server.create_channel(guild, "stories", type=ChannelType.FORUM)
    assert discord_server.world.channel_permissions(forum, discord_server.bot.id) & SEND_MESSAGES
