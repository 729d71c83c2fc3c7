"""Threads on the loopback Discord: a thread on a post in a text channel, a forum post, and a
circle that lives in a forum post, with its rounds and prompts. A thread is
ThreadRef(room=its parent channel, id=itself)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat import MessagePosted, MessageRef, Platform, ReactionAdded, RoomRef, ThreadRef
from bot.clock import ManualClock
from tests.e2e.discord_bot import Folk, RunningBot, assert_never_mentions, running_bot
from tests.e2e.discord_protocol import ChannelType, DiscordServer, option, subcommand

pytestmark = pytest.mark.e2e


def room_of(folk: Folk, channel_id: int) -> RoomRef:
    return RoomRef(Platform.DISCORD, str(folk.guild.id), str(channel_id))


async def test_a_thread_in_a_text_channel_hangs_on_its_post(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """open_thread posts in the channel and opens a public thread on that post; replies map back."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    room = room_of(f, f.general.id)
    start = await bot.adapter.chat.open_thread(
        room, "Weekly reflection", "What helped you this week?"
    )
    thread = server.world.channels[int(start.thread.id)]
    assert (thread.type, thread.parent_id, thread.name) == (
        ChannelType.PUBLIC_THREAD,
        f.general.id,
        "Weekly reflection",
    )
    assert start.thread == ThreadRef(room, str(thread.id))
    # A thread made from a post takes the post's id; the post stays in the channel.
    assert start.message == MessageRef(room, str(thread.id), None)
    assert server.world.messages[thread.id].channel_id == f.general.id

    await server.post_message(thread, f.bob, "A long walk, honestly.")
    (posted,) = await bot.ear.wait_for(MessagePosted)
    assert (posted.room, posted.thread, posted.text) == (
        room,
        start.thread,
        "A long walk, honestly.",
    )
    await server.react(f.carol, server.world.messages[thread.id], "\N{SEEDLING}")
    (reaction,) = await bot.ear.wait_for(ReactionAdded)
    assert (reaction.message, reaction.key) == (start.message, "\N{SEEDLING}")


async def test_a_thread_in_a_forum_is_a_post(discord_bot: RunningBot, discord_folk: Folk) -> None:
    """In a forum, open_thread makes a post whose first message lives inside the thread."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    forum = room_of(f, f.forum.id)
    long_text = "\n".join(f"Prompt line {n}: " + "gently " * 30 for n in range(20))
    start = await bot.adapter.chat.open_thread(forum, "This week's prompt", long_text)
    post = server.world.channels[int(start.thread.id)]
    assert (post.parent_id, post.name) == (f.forum.id, "This week's prompt")
    assert start.thread == ThreadRef(forum, str(post.id))
    assert start.message == MessageRef(forum, str(post.id), start.thread)
    (request,) = server.requests_to("POST", f"/channels/{f.forum.id}/threads")
    assert request.json["message"]["allowed_mentions"] == {"parse": []}
    parts = [m.content for m in server.messages_in(post)]
    assert len(parts) == 3
    assert all(len(p) <= 2000 for p in parts)
    assert "\n".join(parts) == long_text

    await server.post_message(post, f.bob, "Mine is about rest.")
    (posted,) = await bot.ear.wait_for(MessagePosted)
    assert (posted.room, posted.thread) == (forum, start.thread)
    await server.react(
        f.bob, server.world.messages[post.id], "\N{HEAVY BLACK HEART}\N{VARIATION SELECTOR-16}"
    )
    (reaction,) = await bot.ear.wait_for(ReactionAdded)
    assert (reaction.message, reaction.key) == (start.message, "\N{HEAVY BLACK HEART}")


async def test_a_circle_in_a_forum_post_holds_its_round_there(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A circle made inside a forum post is bound to it, and its round runs right in the post."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    post = await server.start_thread(
        f.alice, f.forum, "Evening circle", content="A home for our evenings."
    )
    await bot.ask(f.alice, post, "circle", subcommand("create", option("name", "Evening")))
    await bot.ask(f.bob, post, "circle", subcommand("join"))
    assert bot.table("SELECT room_id, thread_id FROM circles") == [(str(f.forum.id), str(post.id))]

    started = await bot.ask(f.alice, post, "round", subcommand("start"))
    assert started.ephemeral
    await bot.wait_for_bot_message(post, "alice, the talking piece is with you")
    assert [c for c in server.world.channels.values() if c.is_thread] == [post]  # no new thread
    await server.post_message(post, f.alice, "done")
    await bot.wait_for_bot_message(post, "Bobby, the talking piece is with you")
    done = await bot.ask(f.bob, post, "round", subcommand("done"))
    assert done.ephemeral
    await bot.wait_for_bot_message(post, "That completes the round for **Evening**")


async def test_a_circle_in_a_forum_post_gets_its_prompts_in_that_post(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A circle living in a forum post gets each prompt right in that post, not in a new thread."""
    f, server = discord_folk, discord_server
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    async with running_bot(server, tmp_path / "data", clock=ManualClock(start)) as bot:
        home = await server.start_thread(
            f.alice, f.forum, "Evening circle", content="A home for our evenings."
        )
        await bot.ask(f.alice, home, "circle", subcommand("create", option("name", "Tuesday")))
        await bot.ask(f.alice, home, "schedule", subcommand("add", option("when", "daily 09:30")))
        assert await bot.app.advance_and_run(timedelta(minutes=30)) == 1
        prompt = await bot.wait_for_bot_message(home, "A reflection for Tuesday")
        assert [c for c in server.world.channels.values() if c.is_thread] == [home]
        assert bot.table("SELECT outcome, thread_id, message_id FROM reflection_runs") == [
            ("posted", str(home.id), str(prompt.id))
        ]
        assert_never_mentions(server)
