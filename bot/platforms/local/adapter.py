"""The sandbox adapter: console lines in, events and command runs out.

Each line is read by ``lines.parse_line`` and acted on here. While the bot is away (``:down``,
or between a stop and the next start), the room still takes messages, reactions and edits;
the bot hears none of them, and catches up from the room when it comes back.
"""

from __future__ import annotations

import asyncio
import difflib
import enum
import logging
import re
import sys
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol, TextIO

from bot.chat import (
    Destination,
    MemberRef,
    MessageEdited,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    ThreadRef,
)
from bot.clock import Clock, ManualClock, OffsetClock
from bot.commands import format_duration, parse_duration
from bot.config import LocalConfig
from bot.host import Host
from bot.platforms.local.chat import (
    BOT_ID,
    MARK_EDIT,
    MARK_PERSONAL,
    MARK_PIN,
    MARK_PRIVATE,
    MARK_THREAD,
    MARK_TIME,
    PREFIX,
    LocalChat,
    LocalReplier,
    Transcript,
)
from bot.platforms.local.console import piped_lines
from bot.platforms.local.lines import (
    NAME,
    REACTION_WORDS,
    Blank,
    Direct,
    Edit,
    Narration,
    React,
    SandboxCommand,
    Say,
    Unreadable,
    parse_line,
    resolve_reaction,
)

log = logging.getLogger(__name__)

BANNER = """\
Circlekeeper sandbox: one room, and you can be anyone.
Type as a person, like `alice: hello` or `bob: /circle join`. `/help` lists the bot's commands;
`:help` shows the sandbox's own ways to react, use threads, move time and take the bot away.
Moderators here: {mods}."""
KEPT_NOTE = "The room is kept in {path}, so `:quit` and a new start carry on where you were."
WELCOME_BACK = "(sandbox) Welcome back: the room is as you left it ({messages}, {threads}{clock})."
LOST_ROOM = (
    "(sandbox) The room's file wasn't there, so this is a new room. The bot's database "
    "remembers the old one: its circles still exist (`/circle list`), but they live in the old room."
)
SANDBOX_HELP = f"""\
Talking: start each line with a name (any one word; Alice and alice are the same person).
    alice: hello                 a message in the room, from alice
    bob: /circle join            a command, from bob (`/help` lists them)
    carol #6: done               a message in thread #6
    carol ^: done                … in the newest thread
    dan +7 ✅                     dan reacts ✅ to message #7
    dan +^ consent               … to the newest thread's proposal (its newest version), or its first post
    dan -7 ✅                     dan takes that reaction back
    alice ~3: hello again        alice edits her message #3
    bob > /agreement vote 7 object   a command in bob's direct chat with the bot (the room never sees it)
  A reaction can be an emoji (✅), its name (:white_check_mark:) or a word:
  {", ".join(REACTION_WORDS)}.

The sandbox itself:
    :wait 2h                     let time pass; whatever is due meanwhile happens at its time
    :jump 2d                     the clock jumps on at once (like a computer waking from sleep);
                                 whatever fell due meanwhile happens now, late
    :time                        what time it is in the sandbox
    :down   :up                  take the bot away and bring it back; the room carries on
                                 meanwhile (react, post, :wait), and the bot catches up on :up
    :dms erin closed             erin's private messages are closed (or: open)
    :help   :quit                this help; stop (the room is kept for next time)

What the marks mean:
    #12 bob: …                   message 12, from bob
    [in #6 Title] …              written in thread #6
    {MARK_THREAD} thread #6 opened          the bot opened a thread; its first post is #6
    {MARK_PRIVATE} private to bob: …         a private message that only bob receives
    {MARK_PERSONAL} only bob sees: …          a reply to bob's command that only bob sees
    {MARK_EDIT} #9 now reads: …             a message was changed
    {MARK_PIN} #9 pinned                   a message was pinned
    {MARK_TIME} 2h later…                  the clock moved on
    (sandbox) …                  the sandbox talking about itself, not the bot"""

DIRECT_LINE = f"    {MARK_PRIVATE} {{who}}, in their direct chat with the bot: {{text}}"
NO_SUCH_MESSAGE = "(sandbox) There's no message #{id}."
NO_SUCH_THREAD = "(sandbox) There's no thread yet to write in."
NOT_A_THREAD = "(sandbox) #{id} isn't a thread. Threads are marked with {mark}."
NOT_YOURS = "(sandbox) Only {author} can edit #{id}."
BOTS_NAME = "(sandbox) That name belongs to the bot; pick any other."
UNKNOWN_REACTION = (
    "(sandbox) I don't know the reaction “{key}”. Try an emoji like ✅, its name like "
    ":white_check_mark:, or a word like consent, concern or object."
)
HOW_LONG = "(sandbox) Say how long, like `:{word} 10m` or `:{word} 2h`."
NO_TIME_TRAVEL = "(sandbox) I can't move this clock."
WAITED = f"    {MARK_TIME} {{typed}} later… ({{now}})"
JUMPED = f"    {MARK_TIME} the clock jumps {{typed}} on, to {{now}}; whatever fell due meanwhile happens now, late"
WAITED_AWAY = (
    f"    {MARK_TIME} {{typed}} later… ({{now}}; the bot is away, so it catches up on `:up`)"
)
TIME_OFFSET = "(sandbox) In the sandbox it's {now}, {ahead} ahead of the real clock."
TIME_REAL = (
    "(sandbox) In the sandbox it's {now}, the same as the real clock. `:wait 2h` moves it on."
)
TIME_MANUAL = "(sandbox) In the sandbox it's {now}. The clock moves only with `:wait` or `:jump`."
WENT_DOWN = (
    "(sandbox) The bot is away now. The room carries on: post, react and `:wait` as you like; "
    "nobody answers commands until `:up`."
)
CAME_UP = "(sandbox) The bot is back, and catches up on what happened while it was away."
ALREADY_DOWN = "(sandbox) The bot is away already; `:up` brings it back."
ALREADY_UP = "(sandbox) The bot is here already."
CANT_RESTART = "(sandbox) This session can't send the bot away; `circlekeeper run` can."
AWAY_COMMAND = "(sandbox) The bot is away, so nobody answers `{command}`. `:up` brings it back."
DMS_HOW = "(sandbox) Say whose and how, like `:dms erin closed` or `:dms erin open`."
DMS_SET = "    (sandbox) {name}'s private messages are {state}."
UNKNOWN_SANDBOX_COMMAND = (
    "(sandbox) I don't know `:{word}`.{suggestion} `:help` lists the sandbox's own commands."
)
SANDBOX_WORDS = ("help", "wait", "jump", "time", "down", "up", "dms", "quit")
# The bot's database keeps a mark above every message id the bot was shown, written before
# the bot learns the id, so a room that replaces a lost one starts above it (see room.py).
IDS_SHOWN_KEY = "room_ids_shown_up_to"
ID_BLOCK = 100  # the mark moves on in steps, so it costs one write per hundred messages


class Outcome(enum.Enum):
    """What a line asks of whoever runs the sandbox."""

    CONTINUE = "continue"
    QUIT = "quit"
    DOWN = "down"  # stop the bot, keep the room
    UP = "up"  # start the bot again


class LineSource(Protocol):
    def __aiter__(self) -> AsyncIterator[str]: ...


class LocalAdapter:
    """Drives the sandbox from lines of text (a terminal, a pipe, a test, the demo's script)."""

    def __init__(
        self,
        host: Host,
        config: LocalConfig,
        *,
        out: TextIO | None = sys.stdout,
        source: LineSource | None = None,
        banner: bool = True,
        narrate: bool = False,
        chat: LocalChat | None = None,
        restartable: bool = False,
    ) -> None:
        self._host: Host | None = host
        self._config = config
        self._clock: Clock = host.clock
        self._source = source
        self._banner = banner
        self._narrate = narrate  # print "# ..." lines (the demo's narration)
        self._restartable = restartable  # someone above us can stop and start the bot (:down/:up)
        # Passing the chat of an earlier adapter keeps the room as it was: a bot restart
        # does not wipe the platform's messages and threads.
        self._owns_chat = chat is None
        self._chat = chat or LocalChat(Transcript(out), config)
        self.transcript = self._chat.transcript
        self._stopped = asyncio.Event()
        self._ids_shown_up_to = 0

    @property
    def platform(self) -> Platform:
        return Platform.LOCAL

    @property
    def chat(self) -> LocalChat:
        return self._chat

    @property
    def away(self) -> bool:
        """True once the bot stopped: lines then change the room only."""
        return self._host is None

    async def start(self) -> None:
        host = self._host
        contents = self._chat.contents
        if host is not None and contents.kept:
            mark = await host.state.get(Platform.LOCAL, IDS_SHOWN_KEY)
            shown = int(mark) if mark and mark.isdigit() else 0
            if contents.fresh and not contents.messages and shown > contents.highest_id:
                contents.replace_lost_room(ids_above=shown)
            self._ids_shown_up_to = max(shown, contents.highest_id)
            self._chat.before_the_bot_sees = self._showing
        if self._banner:
            mods = ", ".join(self._config.moderators) or "nobody"
            self.transcript.write(BANNER.format(mods=mods))
            path = self._chat.contents.path
            if path is not None:
                self.transcript.write(KEPT_NOTE.format(path=path))
            self.transcript.write("")

    async def run(self) -> None:
        """Read the source to its end or to `:quit` (the demo; the console has its session)."""
        source = self._source if self._source is not None else piped_lines()
        async for line in source:
            if await self.feed(line) is not Outcome.CONTINUE or self._stopped.is_set():
                break

    async def stop(self) -> None:
        self._stopped.set()
        self._host = None
        self._chat.before_the_bot_sees = None
        if self._owns_chat and not self._restartable:
            self._chat.contents.close()

    def cogs(self) -> tuple[()]:
        """The bot keeps nothing of its own here beyond what the cogs keep. The room's file
        holds what people wrote, as a platform's servers would; it is not the bot's memory,
        and `/privacy forget` leaves it as Discord or Matrix would leave their messages."""
        return ()

    async def feed_all(self, lines: Iterable[str]) -> None:
        for line in lines:
            if await self.feed(line) is not Outcome.CONTINUE:
                return

    async def feed(self, raw: str) -> Outcome:
        """Act on one line, and say what it asks of whoever runs the sandbox."""
        line = parse_line(raw)
        match line:
            case Blank():
                pass
            case Narration(text):
                if self._narrate:
                    self.transcript.write("\n" + text.join(("── ", " ──")))
            case SandboxCommand(word, rest):
                return await self._sandbox_command(word, rest)
            case Unreadable(hint):
                self.transcript.write(hint)
            case Say(who) | React(who) | Edit(who) if who == BOT_ID:
                self.transcript.write(BOTS_NAME)
            case Say(who, text, thread):
                await self._say(who, text, thread)
            case React(who, target, key, add):
                await self._react(who, target, key, add=add)
            case Edit(who, message_id, text):
                await self._edit(who, message_id, text)
            case Direct(who, text):
                await self._direct(who, text)
        return Outcome.CONTINUE

    async def _showing(self, message_id: str) -> None:
        """Move the mark of ids shown to the bot past ``message_id``, before the bot sees it."""
        host = self._host
        number = int(message_id)
        if host is None or number <= self._ids_shown_up_to:
            return
        self._ids_shown_up_to = number + ID_BLOCK
        await host.state.set(
            Platform.LOCAL, IDS_SHOWN_KEY, str(self._ids_shown_up_to), self._clock.now()
        )

    # --- the kinds of line -----------------------------------------------------------------

    async def _direct(self, who: str, text: str) -> None:
        """A command in the person's direct chat with the bot: no room, no post; replies that
        are for them alone arrive as private messages."""
        chat = self._chat
        self.transcript.write(DIRECT_LINE.format(who=who, text=text))
        host = self._host
        if host is None:
            self.transcript.write(AWAY_COMMAND.format(command=text.split()[0]))
            return
        await host.router.run_text(
            text[len(PREFIX) :],
            invoker=MemberRef(Platform.LOCAL, who),
            room=None,
            thread=None,
            replier=LocalReplier(chat, who, chat.room, direct=True),
            parse_member=parse_member,
            prefix=PREFIX,
        )

    async def _say(self, who: str, text: str, thread_token: str | None) -> None:
        thread_id: str | None = None
        if thread_token is not None:
            thread_id = self._resolve_thread(thread_token)
            if thread_id is None:
                return
        chat = self._chat
        message = chat.post(who, text, thread_id)
        member = MemberRef(Platform.LOCAL, who)
        where: Destination = ThreadRef(chat.room, thread_id) if thread_id else chat.room
        is_command = text.startswith(PREFIX) and len(text) > 1 and not text[1].isspace()
        host = self._host
        if host is None:
            if is_command:
                self.transcript.write(AWAY_COMMAND.format(command=text.split()[0]))
            return
        await chat.shown_to_the_bot(message.id)
        if is_command:
            await host.router.run_text(
                text[len(PREFIX) :],
                invoker=member,
                room=chat.room,
                thread=where if isinstance(where, ThreadRef) else None,
                replier=LocalReplier(chat, who, where),
                parse_member=parse_member,
                prefix=PREFIX,
            )
            return
        await host.receive(
            MessagePosted(chat.message_ref(message), member, text, self._clock.now())
        )

    async def _react(self, who: str, token: str, typed: str, *, add: bool) -> None:
        message_id = self._resolve_message(token)
        if message_id is None:
            return
        key = resolve_reaction(typed)
        if key is None:
            self.transcript.write(UNKNOWN_REACTION.format(key=typed))
            return
        if not self._chat.toggle_reaction(who, message_id, key, add=add):
            return
        host = self._host
        if host is None:
            return
        ref = self._chat.message_ref(self._chat.messages[message_id])
        member = MemberRef(Platform.LOCAL, who)
        now = self._clock.now()
        event = (
            ReactionAdded(ref, member, key, now) if add else ReactionRemoved(ref, member, key, now)
        )
        await host.receive(event)

    async def _edit(self, who: str, message_id: str, text: str) -> None:
        message = self._chat.messages.get(message_id)
        if message is None:
            self.transcript.write(NO_SUCH_MESSAGE.format(id=message_id))
            return
        if message.author != who:
            self.transcript.write(NOT_YOURS.format(author=message.author, id=message_id))
            return
        self._chat.edit_by(who, message_id, text)
        host = self._host
        if host is not None:
            await host.receive(
                MessageEdited(
                    self._chat.message_ref(message),
                    MemberRef(Platform.LOCAL, who),
                    text,
                    self._clock.now(),
                )
            )

    def _newest_thread(self) -> str | None:
        if not self._chat.threads:
            self.transcript.write(NO_SUCH_THREAD)
            return None
        return next(reversed(self._chat.threads))

    def _resolve_thread(self, token: str) -> str | None:
        if token == "^":
            return self._newest_thread()
        if token in self._chat.threads:
            return token
        message = self._chat.messages.get(token)
        if message is not None and message.thread_id is not None:
            return message.thread_id
        if message is None:
            self.transcript.write(NO_SUCH_MESSAGE.format(id=token))
        else:
            self.transcript.write(NOT_A_THREAD.format(id=token, mark=MARK_THREAD))
        return None

    def _resolve_message(self, token: str) -> str | None:
        """A message id as typed, or for ``^`` the newest thread's ballot: its newest post that
        the bot reacted to (a proposal's newest version), else the thread's first post."""
        if token == "^":
            thread = self._newest_thread()
            if thread is None:
                return None
            for message in reversed(self._chat.messages.values()):
                if message.thread_id == thread and any(
                    BOT_ID in held for held in message.reactions.values()
                ):
                    return message.id
            return thread
        if token not in self._chat.messages:
            self.transcript.write(NO_SUCH_MESSAGE.format(id=token))
            return None
        return token

    # --- the sandbox's own commands ----------------------------------------------------------

    async def _sandbox_command(self, word: str, rest: str) -> Outcome:
        if word in ("quit", "exit", "q"):
            return Outcome.QUIT
        if word == "help":
            self.transcript.write(SANDBOX_HELP)
        elif word in ("wait", "jump"):
            await self._move_clock(rest, jump=word == "jump")
        elif word == "time":
            self.transcript.write(self._time_line())
        elif word == "down":
            return self._go_down()
        elif word == "up":
            return self._come_up()
        elif word == "dms":
            self._dms(rest)
        else:
            close = difflib.get_close_matches(word, SANDBOX_WORDS, n=1)
            suggestion = f" Did you mean `:{close[0]}`?" if close else ""
            self.transcript.write(UNKNOWN_SANDBOX_COMMAND.format(word=word, suggestion=suggestion))
        return Outcome.CONTINUE

    async def _move_clock(self, typed: str, *, jump: bool) -> None:
        """`:wait` lets time pass with the bot running: each timer fires at its own moment.
        `:jump` moves the clock at once, as when a computer wakes from sleep: whatever fell
        due meanwhile fires late, all together."""
        delta = parse_duration(typed)
        if delta is None or delta <= timedelta():
            self.transcript.write(HOW_LONG.format(word="jump" if jump else "wait"))
            return
        clock = self._clock
        if not isinstance(clock, ManualClock | OffsetClock):
            self.transcript.write(NO_TIME_TRAVEL)
            return
        # Kept first: a kill on the way loses none of the time, and the bot catches up on start.
        self._keep_clock(ahead=delta)
        host = self._host
        target = _moment(clock.now() + delta)
        if host is None:
            clock.advance(delta)
            self.transcript.write(WAITED_AWAY.format(typed=typed, now=target))
            return
        self.transcript.write((JUMPED if jump else WAITED).format(typed=typed, now=target))
        await host.pass_time(delta, leap=jump)

    def _keep_clock(self, ahead: timedelta = timedelta()) -> None:
        if isinstance(self._clock, OffsetClock):
            self._chat.contents.keep_clock_offset(self._clock.offset + ahead)

    def _time_line(self) -> str:
        now = _moment(self._clock.now())
        if isinstance(self._clock, OffsetClock):
            if self._clock.offset <= timedelta(seconds=1):
                return TIME_REAL.format(now=now)
            return TIME_OFFSET.format(now=now, ahead=format_duration(self._clock.offset))
        if isinstance(self._clock, ManualClock):
            return TIME_MANUAL.format(now=now)
        return TIME_REAL.format(now=now)

    def _go_down(self) -> Outcome:
        if not self._restartable:
            self.transcript.write(CANT_RESTART)
            return Outcome.CONTINUE
        if self.away:
            self.transcript.write(ALREADY_DOWN)
            return Outcome.CONTINUE
        self.transcript.write(WENT_DOWN)
        return Outcome.DOWN

    def _come_up(self) -> Outcome:
        if not self.away:
            self.transcript.write(ALREADY_UP)
            return Outcome.CONTINUE
        self.transcript.write(CAME_UP)
        return Outcome.UP

    def _dms(self, rest: str) -> None:
        name, _, state = rest.partition(" ")
        member = parse_member(name)
        state = state.strip().lower()
        if member is None or state not in ("open", "closed"):
            self.transcript.write(DMS_HOW)
            return
        self._chat.set_dms_open(member.id, open_=state == "open")
        self.transcript.write(DMS_SET.format(name=member.id, state=state))

    def welcome_back(self) -> None:
        """On a start with a room read back from its file, say what is there."""
        contents = self._chat.contents
        if contents.replaced_lost_room:
            self.transcript.write(LOST_ROOM)
        if contents.fresh:
            return
        messages = len(contents.messages)
        threads = len(contents.threads)
        clock = ""
        if isinstance(self._clock, OffsetClock) and self._clock.offset > timedelta(seconds=1):
            clock = f"; the clock runs {format_duration(self._clock.offset)} ahead"
        self.transcript.write(
            WELCOME_BACK.format(
                messages=f"{messages} message{'s' if messages != 1 else ''}",
                threads=f"{threads} thread{'s' if threads != 1 else ''}",
                clock=clock,
            )
        )


def parse_member(text: str) -> MemberRef | None:
    """A person named in a command (``@bob`` or ``bob``, any case); never the bot."""
    name = text.strip().removeprefix("@")
    if re.fullmatch(NAME, name) is None:
        return None
    name = name.lower()
    return None if name == BOT_ID else MemberRef(Platform.LOCAL, name)


def _moment(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%A %-d %B %Y, %H:%M UTC")
