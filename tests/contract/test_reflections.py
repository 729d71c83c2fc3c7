"""Reflection prompts on every platform, with the bot's scheduler on a manual clock: a prompt
comes at its time and grows a thread, and one due while the bot was away comes once."""

from __future__ import annotations

from datetime import timedelta

from bot.chat import MessagePosted
from tests.contract.driver import OpenWorld, table, thread_ref
from tests.contract.test_circles import make_circle

PROMPT = "A reflection for Tuesday"


async def test_a_scheduled_prompt_opens_a_thread_that_members_answer_in(world: OpenWorld) -> None:
    """A schedule's prompt comes at its time as a post that grows a thread; answers in it are the thread's."""
    d = await world("bob")
    await make_circle(d, "bob")
    await d.ask("alice", "schedule add daily 09:30", expect="Schedule #1 for **Tuesday**")

    assert await d.pass_time(timedelta(minutes=29)) == 0
    assert table(d, "SELECT * FROM reflection_runs") == []
    assert await d.pass_time(timedelta(minutes=1)) == 1
    prompt = await d.bot_post(PROMPT)
    assert prompt.thread is None  # the root of its own thread
    assert table(d, "SELECT outcome, fire_time, thread_id, message_id FROM reflection_runs") == [
        ("posted", "2026-03-02T09:30:00.000000Z", prompt.id, prompt.id)
    ]

    await d.say("bob", "Rest, mostly. And a long walk.", thread=prompt)
    answer = d.heard(MessagePosted)[-1]
    assert (answer.thread, answer.text) == (thread_ref(d, prompt), "Rest, mostly. And a long walk.")


async def test_a_prompt_due_while_the_bot_was_away_is_posted_once_and_never_again(
    world: OpenWorld,
) -> None:
    """A prompt due while the bot was down comes once when it is back, never again after another restart."""
    d = await world()
    await make_circle(d)
    await d.ask("alice", "schedule add daily 09:30", expect="Schedule #1 for **Tuesday**")

    await d.down()
    await d.pass_time(timedelta(hours=1))
    await d.up()
    assert await d.run_due() == 1
    first = await d.bot_post(PROMPT)
    await d.down()
    await d.up()
    assert await d.run_due() == 0
    assert table(d, "SELECT outcome, fire_time, message_id FROM reflection_runs") == [
        ("posted", "2026-03-02T09:30:00.000000Z", first.id)
    ]

    assert await d.pass_time(timedelta(hours=23, minutes=30)) == 1
    prompts = [p for p in await d.bot_posts() if PROMPT in p.text and p.thread is None]
    assert len(prompts) == 2
    assert [r[0] for r in table(d, "SELECT fire_time FROM reflection_runs ORDER BY id")] == [
        "2026-03-02T09:30:00.000000Z",
        "2026-03-03T09:30:00.000000Z",
    ]
