"""The console sandbox: typing as anyone, threads, reactions, edits, time, and a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.chat import (
    DeliveryError,
    Event,
    MessageEdited,
    MessagePosted,
    MessageRef,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    RoomRef,
    ThreadRef,
)
from bot.cog import Cog, DomainEvent
from bot.platforms.local import SANDBOX_HELP, SPACE_ID
from tests.sandbox import Sandbox, make_circle

CONSENT = "\N{WHITE HEAVY CHECK MARK}"
OBJECT = "\N{RAISED HAND}"


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
    """A repeated reaction is not a second event, and the sandbox says it was already there;
    taking back one that isn't there says so too; a missing message is named."""
    listener = ear(sb)
    await sb.say("alice: hi", "bob +1 ✅")
    assert await sb.say("bob +1 ✅") == "(sandbox) bob has already reacted ✅ to #1."
    assert (
        await sb.say("bob -1 ✋")
        == "(sandbox) bob hasn't reacted ✋ to #1, so there is nothing to take back."
    )
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


async def test_unknown_lines_get_a_hint(sb: Sandbox) -> None:
    """A line the sandbox can't read points to :help; the bot's own name is not for typing."""
    assert ":help" in await sb.say("???")
    assert "belongs to the bot" in await sb.say("circlekeeper: hi")
    assert "belongs to the bot" in await sb.say("Circlekeeper +1 ✅")
    assert "`:wait 10m`" in await sb.say(":wait soon")


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        pytest.param(
            "/help",
            "(sandbox) Who is saying that? Start with a name, like `alice: /help`.",
            id="command",
        ),
        pytest.param("/circle join", "like `alice: /circle join`", id="command-with-words"),
        pytest.param(
            "bob /circle join", "(sandbox) Did you mean `bob: /circle join`?", id="missing-colon"
        ),
        pytest.param(
            "Bob hello there", "Did you mean `bob: hello there`?", id="missing-colon-capital"
        ),
        pytest.param(
            "bob +1",
            "(sandbox) Which reaction? Add one after the message, like `bob +1 ✅`.",
            id="no-emoji",
        ),
        pytest.param(
            "hello", "(sandbox) I didn't follow “hello”. Lines start with a name", id="no-name"
        ),
    ],
)
async def test_a_line_without_a_name_gets_a_hint_and_changes_nothing(
    sb: Sandbox, line: str, hint: str
) -> None:
    """A line that isn't said by anyone shows how to say it, and posts nothing."""
    listener = ear(sb)
    assert hint in await sb.say(line)
    assert sb.chat is not None
    assert sb.chat.messages == {}
    assert listener.heard == []


async def test_names_are_case_insensitive(sb: Sandbox) -> None:
    """Alice, ALICE and alice are the same person, in lines and in the people commands name."""
    out = await sb.say("Alice: /circle create Tuesday", "BOB: /circle join", "Bob ^: hi")
    assert "Welcome to **Tuesday**, Bob." in out
    assert "#3 bob: /circle join" in out
    assert "already" in await sb.say("bob: /circle join")
    assert "Bob joins the facilitation rota of Tuesday" in await sb.say(
        "alice: /circle rota add @BOB"
    )
    assert sb.rows_naming("Bob") == 0
    assert sb.rows_naming("BOB") == 0


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("✅", CONSENT),
        ("✅\ufe0f", CONSENT),
        (":white_check_mark:", CONSENT),
        ("white_check_mark", CONSENT),
        ("consent", CONSENT),
        ("Consent", CONSENT),
        ("ok", CONSENT),
        ("object", OBJECT),
        ("✋🏽", OBJECT),
        (":raised_hand:", OBJECT),
        ("concern", "\N{THINKING FACE}"),
        (":+1:", "\N{THUMBS UP SIGN}"),
        ("+1", "\N{THUMBS UP SIGN}"),
        ("block", "\N{OCTAGONAL SIGN}"),
    ],
)
async def test_reactions_have_names_and_words(sb: Sandbox, typed: str, key: str) -> None:
    """An emoji can be typed as itself, by its name in colons, or by the option word it stands for."""
    listener = ear(sb)
    await sb.say("alice: hi", f"bob +1 {typed}")
    event = listener.heard[-1]
    assert isinstance(event, ReactionAdded)
    assert event.key == key


def test_the_option_words_match_the_ballots() -> None:
    """Each voting option's word names exactly the emoji its ballot offers."""
    from bot.platforms.local.lines import REACTION_WORDS
    from cogs.agreements.ballots import OPTIONS

    for options in OPTIONS.values():
        for option in options:
            assert REACTION_WORDS[option.choice.value] == option.emoji, option.choice


async def test_an_unknown_reaction_is_named_and_changes_nothing(sb: Sandbox) -> None:
    """A word that names no emoji gets a hint, and the message keeps its reactions."""
    await sb.say("alice: hi")
    listener = ear(sb)
    out = await sb.say("bob +1 consnt", "bob +1 ✅✅")
    assert "I don't know the reaction “consnt”" in out
    assert "I don't know the reaction “✅✅”" in out
    assert sb.chat is not None
    assert sb.chat.messages["1"].reactions == {}
    assert listener.heard == []


async def test_the_newest_thread_means_the_newest_version_of_a_proposal(sb: Sandbox) -> None:
    """After an amend, `+^` reacts to the new version's post, which is the one that counts."""
    await make_circle(sb, "bob", "carol")
    await sb.say("bob: /agreement propose We start on time.")
    first = sb.last_thread
    await sb.say("bob: /agreement amend 1 We start and end on time.")
    out = await sb.say(f"carol +^ {CONSENT}")
    assert f"carol reacted to #{first}" not in out
    second = [
        m
        for m in sb.chat_or_fail().messages.values()
        if m.thread_id == first and "version 2" in m.text
    ]
    assert len(second) == 1
    assert f"✅ carol reacted to #{second[0].id}" in out


async def test_the_newest_thread_without_a_ballot_means_its_first_post(sb: Sandbox) -> None:
    """In a round's thread (nothing to vote on), `+^` reacts to the thread's first post."""
    await sb.say("alice: /circle create Tuesday", "alice: /round start")
    thread = sb.last_thread
    assert f"✅ bob reacted to #{thread}" in await sb.say("bob +^ ✅")


async def test_time_shows_the_sandbox_clock(sb: Sandbox) -> None:
    """`:time` says what time it is in the sandbox, before and after `:wait`."""
    assert "Monday 2 March 2026, 17:00 UTC" in await sb.say(":time")
    out = await sb.say(":wait 1d2h")
    assert "⏳ 1d2h later… (Tuesday 3 March 2026, 19:00 UTC)" in out
    assert "Tuesday 3 March 2026, 19:00 UTC" in await sb.say(":time")


async def test_waiting_lets_each_timer_fire_at_its_own_time(sb: Sandbox) -> None:
    """`:wait 1d` lets a day pass with the bot running: the prompt due at 09:00 is posted
    (not skipped as hours late), and `:time` shows the day after."""
    await sb.say("alice: /circle create Tuesday", "alice: /schedule add daily 09:00")
    out = await sb.say(":wait 1d")
    assert "💭 **" in out
    assert "⤷ thread #" in out
    assert "Tuesday 3 March 2026, 17:00 UTC" in await sb.say(":time")


async def test_waiting_past_a_closing_sends_the_reminder_while_it_is_still_open(
    sb: Sandbox,
) -> None:
    """Walking through the days, the reminder goes out a day before the closing, then the
    proposal closes on time, and its review counts from that closing day."""
    await make_circle(sb, "bob", "carol", "dan")
    await sb.say(
        "bob: /agreement propose We start on time. closes=48h",
        f"alice +^ {CONSENT}",
        f"bob +^ {CONSENT}",
    )
    out = await sb.say(":wait 3d")
    reminder, _, after = out.partition("✉ private to carol:")
    assert after, out
    assert "Proposal 1" in after.split("\n", 1)[1]
    assert "Proposal 1 is" not in reminder  # the reminder came first
    assert "4 March 2026" in after.split("\n", 1)[0]  # it names the closing, still ahead
    assert "on 2 June 2026" in after  # 90 days from the closing on 4 March, not from 5 March


async def test_jumping_fires_what_fell_due_all_at_once(sb: Sandbox) -> None:
    """`:jump` moves the clock at once, like a computer waking from sleep; whatever fell due
    meanwhile happens then, late."""
    await make_circle(sb, "bob")
    await sb.say("bob: /agreement propose We start on time. closes=24h")
    out = await sb.say(":jump 2d")
    assert "the clock jumps 2d on, to Wednesday 4 March 2026, 17:00 UTC" in out
    assert "**Proposal 1" in out
    assert "`:jump 10m`" in await sb.say(":jump never")


def test_the_sandbox_help_explains_every_mark() -> None:
    """`:help` says what each mark in the transcript means, and names every sandbox command."""
    for mark in ("👁", "✉", "⤷", "✎", "📌", "⏳", "[in #", "(sandbox)"):
        line = next((line for line in SANDBOX_HELP.splitlines() if mark in line), None)
        assert line is not None, mark
        assert len(line.split(maxsplit=3)) > 2, f"{mark} is shown but not explained"
    for command in (":wait", ":jump", ":time", ":down", ":up", ":dms", ":help", ":quit"):
        assert command in SANDBOX_HELP


async def test_sandbox_help_is_printed(sb: Sandbox) -> None:
    """`:help` prints the sandbox's help; a near-miss command word is suggested."""
    assert await sb.say(":help") == SANDBOX_HELP
    assert "Did you mean `:time`?" in await sb.say(":tiem")


@pytest.mark.parametrize(
    "line", [":dms", ":dms erin", ":dms erin maybe", ":dms circlekeeper closed"]
)
async def test_dms_needs_a_name_and_a_state(sb: Sandbox, line: str) -> None:
    """`:dms` without whose or how explains itself and closes nobody's messages."""
    assert "like `:dms erin closed`" in await sb.say(line)
    assert sb.chat_or_fail().closed_dms == frozenset()


async def test_the_room_refuses_what_does_not_exist(sb: Sandbox) -> None:
    """Like a real platform, the room can't be written to in a thread, room or message it
    doesn't have."""
    chat = sb.chat_or_fail()
    await sb.say("alice: hello")
    elsewhere = RoomRef(Platform.LOCAL, SPACE_ID, "another-room")
    with pytest.raises(DeliveryError):
        await chat.send(ThreadRef(chat.room, "1"), "into a thread that isn't one")
    with pytest.raises(DeliveryError):
        await chat.send(elsewhere, "into a room that isn't there")
    for message in (MessageRef(chat.room, "99"), MessageRef(elsewhere, "1")):
        with pytest.raises(DeliveryError):
            await chat.react(message, CONSENT)
        with pytest.raises(DeliveryError):
            await chat.edit(message, "changed")
        with pytest.raises(DeliveryError):
            await chat.pin(message)
        with pytest.raises(DeliveryError):
            await chat.reactions(message)
    assert [m.text for m in chat.messages.values()] == ["hello"]


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
