"""Reflection prompts, agreements and nudges on a real Synapse, with the bot's scheduler on a
manual clock: tests move time with ``app.advance_and_run`` and never wait for a real minute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import nio
import pytest

from bot.app import App
from bot.chat import MessagePosted, ReactionAdded, ReactionRemoved, ThreadRef
from bot.clock import ManualClock
from bot.platforms.matrix.commands import room_ref
from tests.e2e.matrix_bot import BotRunner, MakeBot, MakePeople, Person, eventually, thread_of

pytestmark = pytest.mark.e2e

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
PROMPT = "A reflection for Tuesday"
CONSENT = "\N{WHITE HEAVY CHECK MARK}"
CONCERN = "\N{THINKING FACE}"
OBJECT = "\N{RAISED HAND}"
PROPOSAL_TEXT = "We keep what is shared in the circle within the circle."


def app_of(bot: BotRunner) -> App:
    assert bot.app is not None, "the bot is not running"
    return bot.app


async def make_circle(bot: BotRunner, facilitator: Person, room: str, *members: Person) -> None:
    """``facilitator`` (a moderator: the room's creator) starts Tuesday in ``room``; the others join."""
    mark = facilitator.mark()
    await facilitator.say(room, "!ck circle create Tuesday")
    await facilitator.expect(bot.user_id, "**Tuesday** has a home here now", since=mark)
    for member in members:
        await member.say(room, "!ck circle join")
        await facilitator.expect(bot.user_id, f"Welcome to **Tuesday**, {member.name}.", since=mark)


def prompts_from(person: Person, bot: BotRunner, room: str) -> list[nio.Event]:
    return [e for e in person.messages_from(bot.user_id, room) if PROMPT in e.body]


def direct_rooms(person: Person, room: str) -> list[str]:
    """The rooms ``person`` was invited to besides ``room``: the bot's direct rooms."""
    return [r for r in person.invites if r != room]


async def heard(bot: BotRunner, event_id: str) -> MessagePosted:
    """Wait until the cogs have read a message (they hear it before the listening cog does)."""
    return await eventually(
        lambda: next((e for e in bot.ear.of(MessagePosted) if e.message.id == event_id), None),
        f"the bot to read {event_id}",
    )


# --- reflection prompts ------------------------------------------------------------------------


async def test_a_scheduled_prompt_opens_a_thread_that_members_answer_in(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A schedule's prompt comes at its time as a new root event mentioning nobody; m.thread replies to it are its thread."""
    bot = await matrix_bot(clock=ManualClock(START))
    me = bot.user_id
    alice, bob = await people("Alice"), await people("Bob")
    room = await alice.room_with(me, bob)
    await make_circle(bot, alice, room, bob)
    mark = alice.mark()
    await alice.say(room, "!ck schedule add daily 09:30")
    await alice.expect(me, "Schedule #1 for **Tuesday**", since=mark)

    assert await app_of(bot).advance_and_run(timedelta(minutes=29)) == 0
    assert bot.table("SELECT * FROM reflection_runs") == []
    assert await app_of(bot).advance_and_run(timedelta(minutes=1)) == 1
    prompt = await alice.expect(me, PROMPT, room_id=room, since=mark)
    assert thread_of(prompt) is None  # the root of its own thread
    assert prompt.source["content"]["m.mentions"] == {}
    assert "@room" not in prompt.body
    assert bot.table("SELECT outcome, fire_time, thread_id, message_id FROM reflection_runs") == [
        ("posted", "2026-03-02T09:30:00.000000Z", prompt.event_id, prompt.event_id)
    ]

    answer = await heard(
        bot, await bob.say(room, "Rest, mostly. And a long walk.", thread=prompt.event_id)
    )
    assert answer.thread == ThreadRef(room_ref(room), prompt.event_id)
    assert answer.text == "Rest, mostly. And a long walk."


async def test_a_prompt_due_while_the_bot_was_away_is_posted_once_and_never_again(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A prompt due while the bot was down comes once when it is back, never again after another restart."""
    clock = ManualClock(START)
    bot = await matrix_bot(clock=clock)
    me = bot.user_id
    alice = await people("Alice")
    room = await alice.room_with(me)
    await make_circle(bot, alice, room)
    mark = alice.mark()
    await alice.say(room, "!ck schedule add daily 09:30")
    await alice.expect(me, "Schedule #1 for **Tuesday**", since=mark)

    await bot.stop()
    clock.advance(timedelta(hours=1))
    await bot.start()
    assert await app_of(bot).run_due() == 1
    first = await alice.expect(me, PROMPT, room_id=room, since=mark)
    await bot.stop()
    await bot.start()
    assert await app_of(bot).run_due() == 0
    assert bot.table("SELECT outcome, fire_time, message_id FROM reflection_runs") == [
        ("posted", "2026-03-02T09:30:00.000000Z", first.event_id)
    ]

    assert await app_of(bot).advance_and_run(timedelta(hours=23, minutes=30)) == 1
    await eventually(lambda: len(prompts_from(alice, bot, room)) == 2, "the second day's prompt")
    assert [r[0] for r in bot.table("SELECT fire_time FROM reflection_runs ORDER BY id")] == [
        "2026-03-02T09:30:00.000000Z",
        "2026-03-03T09:30:00.000000Z",
    ]
    assert len(prompts_from(alice, bot, room)) == 2


# --- agreements --------------------------------------------------------------------------------


def held(bot: BotRunner, proposal: int = 1) -> dict[str, list[str]]:
    """The option reactions each member holds on a proposal, oldest first (the last is the vote)."""
    out: dict[str, list[str]] = {}
    rows = bot.table(
        "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = ? ORDER BY id",
        (proposal,),
    )
    for member, choice in rows:
        out.setdefault(member, []).append(choice)
    return out


async def proposal_post(
    bot: BotRunner, proposer: Person, room: str, *, options: str = ""
) -> nio.Event:
    """``proposer`` proposes PROPOSAL_TEXT; returns the post people react to (its thread's root)."""
    mark = proposer.mark()
    answer = await proposer.ask(
        room, bot.user_id, f"!ck agreement propose {PROPOSAL_TEXT} {options}".rstrip()
    )
    assert "Your proposal is up" in answer.body
    post = await proposer.expect(bot.user_id, "**Proposal 1**", room_id=room, since=mark)
    assert thread_of(post) is None
    return post


def events_from(bot: BotRunner, kind: type[ReactionAdded | ReactionRemoved]) -> set[str]:
    return {e.member.id for e in bot.ear.of(kind)}


async def test_votes_changed_while_the_bot_was_away_are_reconciled_and_later_ones_count_live(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """Reactions added, redacted, or made by a non-member while the bot was down are reconciled; later ones count live."""
    bot = await matrix_bot(clock=ManualClock(START))
    me = bot.user_id
    alice, bob, carol, dan, erin = [
        await people(n) for n in ("Alice", "Bob", "Carol", "Dan", "Erin")
    ]
    room = await alice.room_with(me, bob, carol, dan, erin)
    await make_circle(bot, alice, room, bob, carol, dan)
    post = await proposal_post(bot, bob, room)
    await alice.react(room, post.event_id, CONSENT)
    await bob.react(room, post.event_id, CONSENT)
    bobs_concern = await bob.react(room, post.event_id, CONCERN)
    ids = {alice.user_id: "Alice", bob.user_id: "Bob", carol.user_id: "Carol", dan.user_id: "Dan"}
    before = {"Alice": ["consent"], "Bob": ["consent", "concern"]}
    await eventually(lambda: {ids[m]: c for m, c in held(bot).items()} == before, "the first votes")

    await (
        bot.stop()
    )  # meanwhile Bob takes back his concern, Carol has one, Erin (no member) objects
    await bob.redact(room, bobs_concern)
    await carol.react(room, post.event_id, CONCERN)
    await erin.react(room, post.event_id, OBJECT)
    await bot.start()
    # The sync then catches up with those same reactions; they change nothing more.
    await eventually(
        lambda: (
            events_from(bot, ReactionAdded) == {carol.user_id, erin.user_id}
            and events_from(bot, ReactionRemoved) == {bob.user_id}
        ),
        "the catch-up",
    )
    after = {"Alice": ["consent"], "Bob": ["consent"], "Carol": ["concern"]}
    assert {ids[m]: c for m, c in held(bot).items()} == after

    mark = alice.mark()
    await dan.react(room, post.event_id, CONSENT)  # the last member: it closes early, adopted
    outcome = await alice.expect(me, "**Proposal 1 is adopted.**", room_id=room, since=mark)
    assert "✅ consent 3 · 🤔 concern 1 · ✋ object 0 · 4 of 4 members voted." in outcome.body
    assert thread_of(outcome) == post.event_id
    assert bot.table("SELECT result, counts, voters, members FROM agreement_proposals") == [
        ("adopted", '{"consent": 3, "concern": 1, "object": 0}', 4, 4)
    ]
    assert held(bot) == {}  # closed: only the counts are kept
    # Erin's reaction, caught up while it was open, earned her the note on who votes.
    assert bot.table("SELECT member_id, kind FROM agreement_notes") == [(erin.user_id, "outsider")]


async def test_a_proposal_whose_time_passed_while_the_bot_was_away_closes_on_start_up(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A proposal whose closing time passed while the bot was down closes on start-up, counting votes made meanwhile."""
    clock = ManualClock(START)
    bot = await matrix_bot(clock=clock)
    me = bot.user_id
    alice, bob, carol = await people("Alice"), await people("Bob"), await people("Carol")
    room = await alice.room_with(me, bob, carol)
    await make_circle(bot, alice, room, bob, carol)
    post = await proposal_post(bot, bob, room, options="closes=2h")
    await alice.react(room, post.event_id, CONSENT)
    await eventually(lambda: held(bot) == {alice.user_id: ["consent"]}, "Alice's consent")

    await bot.stop()  # from 09:00 to 12:00; voting was to close at 11:00
    clock.advance(timedelta(hours=3))
    await bob.react(room, post.event_id, CONSENT)  # without it, 1 of 3 would miss the quorum
    mark = alice.mark()
    await bot.start()

    outcome = await alice.expect(me, "**Proposal 1 is adopted.**", room_id=room, since=mark)
    assert "✅ consent 2 · 🤔 concern 0 · ✋ object 0 · 2 of 3 members voted." in outcome.body
    assert bot.table("SELECT closed_at, result FROM agreement_proposals") == [
        ("2026-03-02T12:00:00.000000Z", "adopted")
    ]
    # The catch-up then delivers Bob's consent again: it counted, so he hears nothing about it.
    await eventually(lambda: events_from(bot, ReactionAdded) == {bob.user_id}, "the catch-up")
    assert bot.table("SELECT * FROM agreement_notes") == []
    assert direct_rooms(bob, room) == []


async def test_an_objection_made_while_the_bot_was_away_opens_its_conversation_once(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """An objection made while the bot was down brings, once, the private invitation and the note in the thread."""
    bot = await matrix_bot(clock=ManualClock(START))
    me = bot.user_id
    alice, bob = await people("Alice"), await people("Bob")
    room = await alice.room_with(me, bob)
    await make_circle(bot, alice, room, bob)
    post = await proposal_post(bot, alice, room)

    await bot.stop()
    await bob.react(room, post.event_id, OBJECT)
    mark = alice.mark()
    await bot.start()

    direct = await eventually(
        lambda: next(iter(direct_rooms(bob, room)), None), "a direct room for Bob"
    )
    await bob.join(direct)
    await bob.expect(
        me, "Thank you for saying you object to proposal 1 in Tuesday.", room_id=direct
    )
    note = await alice.expect(
        me, "An objection has come in.", room_id=room, since=mark
    )  # in the thread
    assert thread_of(note) == post.event_id
    await eventually(lambda: events_from(bot, ReactionAdded) == {bob.user_id}, "the catch-up")
    assert held(bot) == {bob.user_id: ["object"]}
    assert sorted(bot.table("SELECT member_id, kind FROM agreement_notes")) == [
        (bob.user_id, "objection")
    ]
    # The bot acts in order: once Bob sees the answer to a later command, he has seen all before it.
    await bob.ask(room, me, "!ck help privacy show")
    assert sum("An objection has come in." in e.body for e in bob.messages_from(me, room)) == 1
    assert sum("object to proposal 1" in e.body for e in bob.messages_from(me, direct)) == 1


# --- nudges ------------------------------------------------------------------------------------

SHARING = "I've been really low since the move and I can't seem to sleep."
ASKING = "I can't sleep since the move. Any advice?"
SOFT = "That sounds so hard. How long has it been like this?"  # a connecting reply
SECOND = "You should try melatonin, it worked for my cousin."


async def test_a_thread_drifting_into_advice_earns_the_adviser_a_note_in_a_direct_room(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A thread on someone's sharing that drifts into advice earns the tipping adviser a note in a direct room."""
    bot = await matrix_bot(clock=ManualClock(START))
    me = bot.user_id
    alice, bob, carol = await people("Alice"), await people("Bob"), await people("Carol")
    room = await alice.room_with(me, bob, carol)
    await make_circle(bot, alice, room, bob, carol)
    mark = alice.mark()
    sharing = await alice.say(room, SHARING)
    await bob.say(room, SOFT, thread=sharing)
    await carol.say(room, SECOND, thread=sharing)

    direct = await eventually(
        lambda: next(iter(direct_rooms(carol, room)), None), "a direct room for Carol"
    )
    await carol.join(direct)
    note = await carol.expect(me, "nudges off", room_id=direct)
    assert "`!ck nudges off`" in note.body
    assert note.source["content"]["m.mentions"] == {}
    assert alice.messages_from(me, room, since=mark) == []
    assert direct_rooms(bob, room) == []
    assert bot.table("SELECT member_id, situation, mode, delivered FROM nudge_log") == [
        (carol.user_id, "drift", "private", 1)
    ]


async def test_an_opted_out_member_gets_no_note_until_they_turn_nudges_on(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """A member who turned nudges off gets no note, and gets one again after turning them on."""
    bot = await matrix_bot(clock=ManualClock(START))
    me = bot.user_id
    alice, bob, carol = await people("Alice"), await people("Bob"), await people("Carol")
    room = await alice.room_with(me, bob, carol)
    await make_circle(bot, alice, room, bob, carol)
    assert "Nudges are off for you now" in (await carol.ask(room, me, "!ck nudges off")).body

    sharing = await alice.say(room, SHARING)
    await bob.say(room, SOFT, thread=sharing)
    await heard(bot, await carol.say(room, SECOND, thread=sharing))
    assert bot.table("SELECT * FROM nudge_log") == []
    assert direct_rooms(carol, room) == []

    assert "Nudges are on for you again" in (await carol.ask(room, me, "!ck nudges on")).body
    sharing = await alice.say(room, SHARING)
    await bob.say(room, SOFT, thread=sharing)
    await carol.say(room, SECOND, thread=sharing)
    direct = await eventually(
        lambda: next(iter(direct_rooms(carol, room)), None), "a direct room for Carol"
    )
    await carol.join(direct)
    await carol.expect(me, "nudges off", room_id=direct)


async def test_a_sharer_who_asked_for_ideas_brings_no_note_to_anyone(
    matrix_bot: MakeBot, people: MakePeople
) -> None:
    """When the sharer asked for ideas, advice in the thread on it brings nobody a note."""
    bot = await matrix_bot(clock=ManualClock(START))
    me = bot.user_id
    alice, bob, carol = await people("Alice"), await people("Bob"), await people("Carol")
    room = await alice.room_with(me, bob, carol)
    await make_circle(bot, alice, room, bob, carol)

    asking = await alice.say(room, ASKING)
    await bob.say(room, SOFT, thread=asking)
    await heard(bot, await carol.say(room, SECOND, thread=asking))
    assert bot.table("SELECT * FROM nudge_log") == []
    assert direct_rooms(bob, room) == direct_rooms(carol, room) == []
