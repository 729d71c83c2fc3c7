"""The console sandbox: typing as anyone, threads, reactions, edits, time, and a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.chat import Event, MessageEdited, MessagePosted, ReactionAdded, ReactionRemoved
from bot.cog import Cog, DomainEvent
from tests.sandbox import Sandbox


class Ear(Cog):
    """A listening cog, to see which events the sandbox produces."""

    name = "ear"

    def __init__(self) -> None:
        self.heard: list[Event | DomainEvent] = []

    async def handle(self, event: Event | DomainEvent) -> None:
        self.heard.append(event)


def ear(sb: Sandbox) -> Ear:
    assert sb.app is not None
    listener = Ear()
    sb.app.bus.attach(listener)
    return listener


async def test_messages_print_with_ids_and_become_events(sb: Sandbox) -> None:
    """A typed message prints with its id and reaches the cogs as MessagePosted."""
    listener = ear(sb)
    out = await sb.say("alice: hello there")
    assert out == "#1 alice: hello there"
    (event,) = listener.heard
    assert isinstance(event, MessagePosted)
    assert (event.author.id, event.text, event.message.id) == ("alice", "hello there", "1")


async def test_commands_are_not_messages(sb: Sandbox) -> None:
    """A command line runs the command and is not handed to the cogs as a message."""
    listener = ear(sb)
    await sb.say("alice: /help")
    assert listener.heard == []


async def test_reactions_show_and_normalise(sb: Sandbox) -> None:
    """Reacting shows clearly; skin tones are stripped; taking it back is an event too."""
    listener = ear(sb)
    await sb.say("alice: hello")
    out = await sb.say("bob +1 ✋🏽")
    assert "✋ bob reacted to #1" in out
    assert "(sandbox)" not in await sb.say("bob -1 ✋")
    assert [type(e) for e in listener.heard[1:]] == [ReactionAdded, ReactionRemoved]
    assert isinstance(listener.heard[1], ReactionAdded)
    assert listener.heard[1].key == "✋"


async def test_reacting_twice_or_to_nothing(sb: Sandbox) -> None:
    """A repeated reaction is not a second event; a missing message is named."""
    listener = ear(sb)
    await sb.say("alice: hi", "bob +1 ✅", "bob +1 ✅")
    assert len(listener.heard) == 2
    assert "There's no message #9" in await sb.say("bob +9 ✅")


async def test_threads_are_marked_and_written_in(sb: Sandbox) -> None:
    """Messages in a thread show the thread; ^ means the newest thread."""
    await sb.say("alice: /circle create Tuesday", "alice: /round start")
    thread = sb.last_thread
    out = await sb.say("bob ^: hi")
    assert f"[in #{thread} Check-in · Tuesday] bob: hi" in out
    out = await sb.say(f"bob #{thread}: again")
    assert f"[in #{thread} " in out
    assert "isn't a thread" in await sb.say("bob #1: nope")


async def test_edits_are_events_and_only_for_the_author(sb: Sandbox) -> None:
    """Editing your own message is an event; editing someone else's is refused."""
    listener = ear(sb)
    await sb.say("alice: helo")
    await sb.say("alice ~1: hello")
    assert isinstance(listener.heard[-1], MessageEdited)
    assert "Only alice can edit #1" in await sb.say("bob ~1: hijack")


async def test_unknown_lines_get_a_gentle_hint(sb: Sandbox) -> None:
    """A line the sandbox can't read points to :help; the bot's own name is not for typing."""
    assert ":help" in await sb.say("???")
    assert "belongs to the bot" in await sb.say("circlekeeper: hi")
    assert "`:wait 10m`" in await sb.say(":wait soon")


async def test_closed_private_messages_fall_back_kindly(sb: Sandbox) -> None:
    """When someone's DMs are closed, a private reply is shown to them in place instead."""
    await sb.say(":dms bob closed")
    out = await sb.say("bob: /privacy export")
    assert "only bob sees: Here is everything I keep about you" in out


def test_the_sandbox_runs_from_a_pipe(tmp_path: Path) -> None:
    """`circlekeeper run` with no credentials reads a piped script and answers it."""
    script = "alice: /circle create Tuesday\nbob: /circle join\nbob +2 ✅\n:quit\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CIRCLEKEEPER_")}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Circlekeeper sandbox" in result.stdout
    assert "#2 circlekeeper: 🌱 **Tuesday** has a home here now." in result.stdout
    assert "Welcome to **Tuesday**, Bob." in result.stdout
    assert "✅ bob reacted to #2" in result.stdout
    assert (tmp_path / "data" / "circlekeeper.db").exists()


def test_the_sandbox_stops_at_the_end_of_its_input(tmp_path: Path) -> None:
    """Without :quit, the end of the pipe ends the sandbox cleanly."""
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        input="alice: hello\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "#1 alice: hello" in result.stdout
