"""What reaches the cogs from Discord, and what the Chat port does there, where Discord has
ways of its own: replies, other bots, DMs, custom emoji, uncached messages, paged reactions,
closed DMs and 2,000-character messages. What every platform shares is in tests/contract."""

from __future__ import annotations

import pytest

from bot.chat import (
    DeliveryError,
    MemberRef,
    MessagePosted,
    MessageRef,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    RoomRef,
)
from tests.e2e.discord_bot import Folk, RunningBot
from tests.e2e.discord_protocol import option, subcommand

pytestmark = pytest.mark.e2e

THUMBS_UP = "\N{THUMBS UP SIGN}"
MEDIUM_SKIN = "\N{EMOJI MODIFIER FITZPATRICK TYPE-4}"
HEART, VS16 = "\N{HEAVY BLACK HEART}", "\N{VARIATION SELECTOR-16}"


def member(user_id: int) -> MemberRef:
    return MemberRef(Platform.DISCORD, str(user_id))


# --- messages ------------------------------------------------------------------------------


async def test_a_reply_names_what_it_answers_and_other_bots_are_left_out(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A reply arrives with the message it answers; what another bot writes doesn't arrive."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    room = RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id))
    first = await server.post_message(f.general, f.bob, "Hello, circle")
    await server.post_message(f.general, f.helper, "I am another bot")
    await server.post_message(f.general, f.carol, "Welcome, Bob", reply_to=first)
    posted = await bot.ear.wait_for(MessagePosted, 2)
    assert [(p.author, p.text) for p in posted] == [
        (member(f.bob.id), "Hello, circle"),
        (member(f.carol.id), "Welcome, Bob"),
    ]
    assert posted[1].reply_to == MessageRef(room, str(first.id))


async def test_a_direct_message_to_the_bot_is_an_event_outside_any_server(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A DM arrives as a message in the "@me" space, with its text."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    sent = await server.send_dm(f.bob, "Is there a circle for parents?")
    (posted,) = await bot.ear.wait_for(MessagePosted)
    dm = server.world.dm_channel(f.bob)
    assert posted.message == MessageRef(RoomRef(Platform.DISCORD, "@me", str(dm.id)), str(sent.id))
    assert posted.text == "Is there a circle for parents?"


async def test_long_text_is_split_between_lines_and_never_mentions(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """Over 2,000 characters the bot sends several messages, cut between lines, pinging nobody."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    room = RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id))
    text = "\n".join(f"@everyone <@{f.bob.id}> line {n} " + "and so on " * 15 for n in range(30))
    first = await bot.adapter.chat.send(room, text)
    parts = server.bot_messages(f.general)
    assert first.id == str(parts[0].id)
    assert [len(p.content) <= 2000 for p in parts] == [True, True, True]
    assert "\n".join(p.content for p in parts) == text
    assert {str(p.allowed_mentions) for p in parts} == {"{'parse': []}"}


# --- reactions -----------------------------------------------------------------------------


async def test_custom_emoji_arrive_as_name_and_id(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A server's own emoji is keyed name:id, added and taken back like any other."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    message = await server.post_message(f.general, f.bob, "Shall we meet on Tuesdays?")
    await server.react(f.carol, message, "seedling:123456789")
    await server.unreact(f.carol, message, "seedling:123456789")
    (removed,) = await bot.ear.wait_for(ReactionRemoved)
    (added,) = bot.ear.of_type(ReactionAdded)
    assert (added.member, added.key) == (member(f.carol.id), "seedling:123456789")
    assert (removed.member, removed.key) == (member(f.carol.id), "seedling:123456789")


async def test_reactions_by_bots_do_not_reach_the_cogs(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """Another bot's reaction and the bot's own are ignored; a person's counts."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    message = await server.post_message(f.general, f.bob, "A proposal")
    ref = MessageRef(RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id)), str(message.id))
    await server.react(f.helper, message, THUMBS_UP)
    await server.unreact(f.helper, message, THUMBS_UP)
    await bot.adapter.chat.react(ref, "\N{WHITE HEAVY CHECK MARK}")
    await server.react(f.carol, message, THUMBS_UP)
    (added,) = await bot.ear.wait_for(ReactionAdded)
    assert added.member == member(f.carol.id)
    assert bot.ear.of_type(ReactionRemoved) == []
    assert message.reactions["\N{WHITE HEAVY CHECK MARK}"] == [server.bot.id]


async def test_reactions_on_old_or_unknown_messages_are_harmless(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A reaction on a message from before the bot connected counts, even in an unseen thread;
    asking about a message that is gone is a DeliveryError, and events keep flowing."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    old = server.world.create_message(f.general, f.bob, "From last month")
    hidden = server.world.create_thread(f.general, f.bob, "An old thread")  # never announced
    old_in_thread = server.world.create_message(hidden, f.bob, "Still here")
    await server.react(f.carol, old, THUMBS_UP)
    await server.react(f.carol, old_in_thread, THUMBS_UP)
    first, second = await bot.ear.wait_for(ReactionAdded, 2)
    assert first.message.id == str(old.id)
    assert second.message.thread is not None
    assert (second.message.room.id, second.message.thread.id) == (str(f.general.id), str(hidden.id))

    room = RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id))
    with pytest.raises(DeliveryError):
        await bot.adapter.chat.reactions(MessageRef(room, "4242"))
    gone = await server.post_message(f.general, f.bob, "About to vanish")
    await server.delete_message(gone)
    with pytest.raises(DeliveryError):
        await bot.adapter.chat.react(MessageRef(room, str(gone.id)), THUMBS_UP)
    await server.post_message(f.general, f.bob, "Still listening?")
    heard = await bot.ear.wait_for(MessagePosted, 2)
    assert heard[-1].text == "Still listening?"


async def test_reading_reactions_pages_through_everyone(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """reactions() reads every reactor (more than one page), merges ❤ and ❤️, and leaves bots out."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    message = await server.post_message(f.general, f.bob, "Do we adopt this agreement?")
    voters = [server.world.create_user(f"voter{n}") for n in range(150)]
    message.reactions[THUMBS_UP] = [v.id for v in voters] + [f.helper.id]  # as if voted while away
    message.reactions[HEART] = [f.carol.id]
    message.reactions[HEART + VS16] = [f.carol.id, f.dan.id]
    ref = MessageRef(RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id)), str(message.id))
    found = await bot.adapter.chat.reactions(ref)
    assert set(found.members(THUMBS_UP)) == {member(v.id) for v in voters}
    assert found.members(HEART) == [member(f.carol.id), member(f.dan.id)]
    pages = server.requests_to(
        "GET", "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}"
    )
    assert len(pages) >= 3  # two pages of thumbs, at least one of hearts


# --- private messages ----------------------------------------------------------------------


async def test_private_messages_go_by_dm_and_closed_dms_are_a_delivery_error(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """send_private opens a DM; a person with closed DMs raises DeliveryError, kindly handled."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    sent = await bot.adapter.chat.send_private(member(f.bob.id), "A place opened in **Tuesday**.")
    dm = server.world.dm_channel(f.bob)
    assert sent.room.id == str(dm.id)
    assert [m.content for m in server.bot_messages(dm)] == ["A place opened in **Tuesday**."]
    server.close_dms(f.carol)
    with pytest.raises(DeliveryError, match="doesn't accept direct messages"):
        await bot.adapter.chat.send_private(member(f.carol.id), "Hello")


async def test_with_closed_dms_a_closed_circle_still_works(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """When the facilitator's DMs are closed a request still lands, and the approval reaches the
    requester by DM; private command replies need no DM at all."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    await bot.ask(
        f.alice,
        f.general,
        "circle",
        subcommand("create", option("name", "Quiet"), option("open", False)),
    )
    server.close_dms(f.alice)
    requested = await bot.ask(f.bob, f.general, "circle", subcommand("join"))
    assert "passed your request" in (requested.content or "")
    assert server.bot_messages(server.world.dm_channel(f.alice)) == []
    approved = await bot.ask(
        f.alice, f.general, "circle", subcommand("approve", option("member", f.bob))
    )
    assert "Bobby is now part of Quiet." in (approved.content or "")
    welcome = await bot.wait_for_bot_message(
        server.world.dm_channel(f.bob), "Your request to join **Quiet** was welcomed"
    )
    assert welcome.allowed_mentions == {"parse": []}

    server.close_dms(f.bob)
    exported = await bot.ask(f.bob, f.general, "privacy", subcommand("export"))
    assert exported.ephemeral
    assert "Here is everything I keep about you" in (exported.content or "")
