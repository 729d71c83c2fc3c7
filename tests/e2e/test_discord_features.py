"""Reflection prompts, agreements and nudges through the loopback Discord, with the unmodified
discord.py and the bot's scheduler on a manual clock: time moves with ``app.advance_and_run``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat import MessagePosted, Platform, ReactionAdded, RoomRef, ThreadRef
from bot.clock import ManualClock
from tests.e2e.discord_bot import (
    Folk,
    RunningBot,
    assert_never_mentions,
    newest_thread,
    running_bot,
)
from tests.e2e.discord_protocol import ChannelType, DiscordServer, Message, User, option, subcommand
from tests.e2e.discord_protocol.state import Channel

pytestmark = pytest.mark.e2e

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
PROMPT = "A reflection for Tuesday"
CONSENT = "\N{WHITE HEAVY CHECK MARK}"
CONCERN = "\N{THINKING FACE}"
OBJECT = "\N{RAISED HAND}"
PROPOSAL_TEXT = "We keep what is shared in the circle within the circle."


async def make_circle(bot: RunningBot, facilitator: User, home: Channel, *members: User) -> None:
    """``facilitator`` (a steward, so a moderator) starts Tuesday in ``home``; the others join."""
    created = await bot.ask(
        facilitator, home, "circle", subcommand("create", option("name", "Tuesday"))
    )
    assert "has a home here now" in (created.content or "")
    for member in members:
        joined = await bot.ask(member, home, "circle", subcommand("join"))
        assert "Welcome to **Tuesday**" in (joined.content or "")


def prompt_threads(server: DiscordServer, parent: Channel) -> list[Channel]:
    """Threads under ``parent`` whose first post is a reflection prompt."""
    return [
        c
        for c in server.world.channels.values()
        if c.is_thread
        and c.parent_id == parent.id
        and PROMPT in server.world.messages[c.id].content
    ]


# --- reflection prompts ------------------------------------------------------------------------


async def test_a_scheduled_prompt_opens_a_public_thread_on_its_post(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A schedule's prompt comes at its time as a post with a public thread, mentioning nobody; replies are its thread."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "data", clock=ManualClock(START)) as bot:
        await make_circle(bot, f.alice, f.general, f.bob)
        added = await bot.ask(
            f.alice, f.general, "schedule", subcommand("add", option("when", "daily 09:30"))
        )
        assert "Schedule #1 for **Tuesday**" in (added.content or "")
        assert not added.ephemeral

        assert await bot.app.advance_and_run(timedelta(minutes=29)) == 0
        assert prompt_threads(server, f.general) == []
        assert await bot.app.advance_and_run(timedelta(minutes=1)) == 1
        (thread,) = prompt_threads(server, f.general)
        post = server.world.messages[thread.id]  # a thread made from a post shares its id
        assert (thread.type, post.channel_id) == (ChannelType.PUBLIC_THREAD, f.general.id)
        assert f"**{thread.name}**" in post.content  # the prompt's title names the thread
        assert_never_mentions(server)
        assert bot.table(
            "SELECT outcome, fire_time, thread_id, message_id FROM reflection_runs"
        ) == [("posted", "2026-03-02T09:30:00.000000Z", str(thread.id), str(thread.id))]

        await server.post_message(thread, f.bob, "Rest, mostly. And a long walk.")
        (answer,) = await bot.ear.wait_for(MessagePosted)
        room = RoomRef(Platform.DISCORD, str(f.guild.id), str(f.general.id))
        assert (answer.thread, answer.text) == (
            ThreadRef(room, str(thread.id)),
            "Rest, mostly. And a long walk.",
        )


async def test_a_circle_in_a_forum_post_gets_its_prompts_in_that_post(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A circle living in a forum post gets each prompt right in that post, not in a new thread."""
    f, server = discord_folk, discord_server
    async with running_bot(server, tmp_path / "data", clock=ManualClock(START)) as bot:
        home = await server.start_thread(
            f.alice, f.forum, "Evening circle", content="A home for our evenings."
        )
        await make_circle(bot, f.alice, home, f.bob)
        await bot.ask(f.alice, home, "schedule", subcommand("add", option("when", "daily 09:30")))
        assert await bot.app.advance_and_run(timedelta(minutes=30)) == 1
        prompt = await bot.wait_for_bot_message(home, PROMPT)
        assert [c for c in server.world.channels.values() if c.is_thread] == [home]
        assert bot.table("SELECT outcome, thread_id, message_id FROM reflection_runs") == [
            ("posted", str(home.id), str(prompt.id))
        ]
        assert_never_mentions(server)


async def test_a_prompt_due_while_the_bot_was_away_is_posted_once_and_never_again(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A prompt due while the bot was down comes once when it is back, never again after another restart."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    clock = ManualClock(START)
    async with running_bot(server, data, clock=clock) as bot:
        await make_circle(bot, f.alice, f.general)
        await bot.ask(
            f.alice, f.general, "schedule", subcommand("add", option("when", "daily 09:30"))
        )
    clock.advance(timedelta(hours=1))
    async with running_bot(server, data, clock=clock) as bot:
        assert await bot.app.run_due() == 1
        (thread,) = prompt_threads(server, f.general)
    async with running_bot(server, data, clock=clock) as bot:
        assert await bot.app.run_due() == 0
        assert prompt_threads(server, f.general) == [thread]
        assert bot.table("SELECT outcome, fire_time, message_id FROM reflection_runs") == [
            ("posted", "2026-03-02T09:30:00.000000Z", str(thread.id))
        ]
        assert await bot.app.advance_and_run(timedelta(hours=23, minutes=30)) == 1
        assert len(prompt_threads(server, f.general)) == 2


# --- agreements --------------------------------------------------------------------------------


def held(bot: RunningBot, names: dict[int, str], proposal: int = 1) -> dict[str, list[str]]:
    """The option reactions each member holds on a proposal, by name, oldest first (the last is the vote)."""
    out: dict[str, list[str]] = {}
    rows = bot.table(
        "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = ? ORDER BY id",
        (proposal,),
    )
    for member, choice in rows:
        out.setdefault(names[int(str(member))], []).append(str(choice))
    return out


async def propose(
    bot: RunningBot, who: User, home: Channel, *options: dict[str, object]
) -> tuple[Channel, Message]:
    """``who`` proposes PROPOSAL_TEXT; returns the proposal's thread and the post people react to."""
    answer = await bot.ask(
        who, home, "agreement", subcommand("propose", option("text", PROPOSAL_TEXT), *options)
    )
    assert answer.ephemeral
    assert "Your proposal is up" in (answer.content or "")
    thread = newest_thread(bot.server, home)
    post = bot.server.world.messages[thread.id]
    assert post.content.startswith("\N{SCROLL} **Proposal 1**")
    return thread, post


async def test_votes_changed_while_the_bot_was_away_are_reconciled_and_later_ones_count_live(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """Reactions added, taken back, or made by a non-member while the bot was down are reconciled; later ones count live."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    erin = server.create_user("erin")
    server.add_member(f.guild, erin)
    names = {u.id: u.name for u in (f.alice, f.bob, f.carol, f.dan)}
    clock = ManualClock(START)
    async with running_bot(server, data, clock=clock) as bot:
        await make_circle(bot, f.alice, f.general, f.bob, f.carol, f.dan)
        thread, post = await propose(bot, f.bob, f.general)
        await server.react(f.alice, post, CONSENT)
        await server.react(f.bob, post, CONSENT)
        await server.react(f.bob, post, CONCERN)
        await bot.ear.wait_for(ReactionAdded, 3)  # the cogs hear each one before the ear does
        assert held(bot, names) == {"alice": ["consent"], "bob": ["consent", "concern"]}

    # While the bot is away: Bob takes back his concern, Carol has one, Erin (no member) objects.
    await server.unreact(f.bob, post, CONCERN, bot_away=True)
    await server.react(f.carol, post, CONCERN, bot_away=True)
    await server.react(erin, post, OBJECT, bot_away=True)

    async with running_bot(server, data, clock=clock) as bot:
        assert held(bot, names) == {"alice": ["consent"], "bob": ["consent"], "carol": ["concern"]}
        await server.react(f.dan, post, CONSENT)  # the last member: it closes early, adopted
        outcome = await bot.wait_for_bot_message(thread, "**Proposal 1 is adopted.**")
        assert (
            "✅ consent 3 · 🤔 concern 1 · ✋ object 0 · 4 of 4 members voted." in outcome.content
        )
        closed = "**Closed on 2 March 2026: adopted.**"  # the post says so, right after the outcome
        await server.wait_until(
            lambda: server.world.messages[post.id].content.startswith(closed), "the closed post"
        )
        assert bot.table("SELECT result, counts, voters, members FROM agreement_proposals") == [
            ("adopted", '{"consent": 3, "concern": 1, "object": 0}', 4, 4)
        ]
        assert held(bot, names) == {}  # closed: only the counts are kept
        assert_never_mentions(server)


async def test_a_proposal_whose_time_passed_while_the_bot_was_away_closes_on_start_up(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """A proposal whose closing time passed while the bot was down closes on start-up, counting votes made meanwhile."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    clock = ManualClock(START)
    async with running_bot(server, data, clock=clock) as bot:
        await make_circle(bot, f.alice, f.general, f.bob, f.carol)
        thread, post = await propose(bot, f.bob, f.general, option("closes", "2h"))
        await server.react(f.alice, post, CONSENT)
        await bot.ear.wait_for(ReactionAdded)

    clock.advance(timedelta(hours=3))  # down from 09:00 to 12:00; voting was to close at 11:00
    await server.react(
        f.bob, post, CONSENT, bot_away=True
    )  # without it, 1 of 3 would miss the quorum

    async with running_bot(server, data, clock=clock) as bot:
        outcome = await bot.wait_for_bot_message(thread, "**Proposal 1 is adopted.**")
        assert (
            "✅ consent 2 · 🤔 concern 0 · ✋ object 0 · 2 of 3 members voted." in outcome.content
        )
        assert bot.table("SELECT closed_at, result FROM agreement_proposals") == [
            ("2026-03-02T12:00:00.000000Z", "adopted")
        ]


# --- nudges ------------------------------------------------------------------------------------

SHARING = "I've been really low since the move and I can't seem to sleep."
ASKING = "I can't sleep since the move. Any advice?"
SOFT = "That sounds so hard. How long has it been like this?"  # a connecting reply
SECOND = "You should try melatonin, it worked for my cousin."
OPEN_DM = ("POST", "/users/@me/channels")


async def drift(
    bot: RunningBot, home: Channel, sharer: User, text: str, first: User, second: User
) -> Channel:
    """``sharer`` posts ``text`` in ``home``; ``first`` makes a thread on it and suggests, and
    ``second`` says "you should" there. Returns once the cogs have read all three."""
    server = bot.server
    heard = len(bot.ear.of_type(MessagePosted))
    sharing = await server.post_message(home, sharer, text)
    thread = await server.start_thread(first, home, "Sleep", from_message=sharing)
    await server.post_message(thread, first, SOFT)
    await server.post_message(thread, second, SECOND)
    await bot.ear.wait_for(MessagePosted, heard + 3)  # the cogs read each one before the ear
    return thread


def nudges_to(bot: RunningBot, user: User) -> list[str]:
    """What the bot wrote to ``user`` in their DM that is a nudge (every nudge says how to stop them)."""
    return [
        m.content
        for m in bot.server.bot_messages(bot.server.world.dm_channel(user))
        if "nudges off" in m.content
    ]


async def test_a_thread_drifting_into_advice_earns_the_adviser_a_dm(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A thread on someone's sharing that drifts into advice earns the tipping adviser a DM, and nobody else hears."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    await make_circle(bot, f.alice, f.general, f.bob, f.carol)
    said = len(server.bot_messages())
    await drift(bot, f.general, f.alice, SHARING, f.bob, f.carol)

    (note,) = nudges_to(bot, f.carol)
    assert "`/nudges off`" in note
    assert [m.channel_id for m in server.bot_messages()[said:]] == [
        server.world.dm_channel(f.carol).id
    ]
    assert bot.table("SELECT member_id, situation, mode, delivered FROM nudge_log") == [
        (str(f.carol.id), "drift", "private", 1)
    ]
    assert_never_mentions(server)


async def test_an_opted_out_member_gets_no_dm_until_they_turn_nudges_on(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """A member who turned nudges off gets no DM (none is even opened), and gets one again after turning them on."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    await make_circle(bot, f.alice, f.general, f.bob, f.carol)
    off = await bot.ask(f.carol, f.general, "nudges", subcommand("off"))
    assert off.ephemeral
    assert "Nudges are off for you now" in (off.content or "")

    await drift(bot, f.general, f.alice, SHARING, f.bob, f.carol)
    assert server.requests_to(*OPEN_DM) == []
    assert bot.table("SELECT * FROM nudge_log") == []

    on = await bot.ask(f.carol, f.general, "nudges", subcommand("on"))
    assert "Nudges are on for you again" in (on.content or "")
    await drift(bot, f.general, f.alice, SHARING, f.bob, f.carol)
    assert len(nudges_to(bot, f.carol)) == 1


async def test_a_sharer_who_asked_for_ideas_brings_no_dm_to_anyone(
    discord_bot: RunningBot, discord_folk: Folk
) -> None:
    """When the sharer asked for ideas, advice in the thread on it brings nobody a DM."""
    bot, f, server = discord_bot, discord_folk, discord_bot.server
    await make_circle(bot, f.alice, f.general, f.bob, f.carol)
    await drift(bot, f.general, f.alice, ASKING, f.bob, f.carol)
    assert server.requests_to(*OPEN_DM) == []
    assert bot.table("SELECT * FROM nudge_log") == []


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
            await make_circle(bot, f.alice, f.general, f.bob, f.carol)
            await drift(bot, f.general, f.alice, SHARING, f.bob, f.carol)
            assert {e.text for e in bot.ear.of_type(MessagePosted)} == {None}
            assert server.requests_to(*OPEN_DM) == []
            assert bot.table("SELECT * FROM nudge_log") == []
            why = await bot.ask(f.carol, f.general, "nudges", subcommand("why"))
            assert "You haven't had a note from me" in (why.content or "")
    problems = [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and r.name.startswith(("bot", "cogs"))
    ]
    assert problems == []


async def test_an_objection_made_while_the_bot_was_away_opens_its_conversation_once(
    discord_server: DiscordServer, discord_folk: Folk, tmp_path: Path
) -> None:
    """An objection made while the bot was down brings, once, the private invitation and the note in the thread."""
    f, server, data = discord_folk, discord_server, tmp_path / "data"
    clock = ManualClock(START)
    async with running_bot(server, data, clock=clock) as bot:
        await make_circle(bot, f.alice, f.general, f.bob)
        thread, post = await propose(bot, f.alice, f.general)
    await server.react(f.bob, post, OBJECT, bot_away=True)

    async with running_bot(server, data, clock=clock) as bot:
        invitation = "Thank you for saying you object to proposal 1 in Tuesday."
        dm = server.world.dm_channel(f.bob)
        assert [invitation in m.content for m in server.bot_messages(dm)] == [True]
        assert [
            m.content.startswith("An objection has come in.") for m in server.bot_messages(thread)
        ] == [True]
    async with running_bot(server, data, clock=clock) as bot:
        assert len(server.bot_messages(dm)) == 1
        assert len(server.bot_messages(thread)) == 1
        assert bot.table("SELECT kind FROM agreement_notes") == [("objection",)]
