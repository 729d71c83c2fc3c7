"""The local platform: a console sandbox with one room, where you type as anyone.

    alice: hello                  a message in the room, from alice
    bob: /circle join tuesday     a command, from bob
    carol #6: done                a message in the thread of message #6 (^ = the newest thread)
    dan +7 ✅                      dan reacts ✅ to message #7 (^ = the newest thread's first post)
    dan -7 ✅                      dan takes the reaction back
    alice ~3: hello again         alice edits her message #3
    :wait 2h                      move the clock forward; anything scheduled meanwhile happens
    :dms erin closed              erin's private messages are closed (or: open)
    :help  :quit

The bot's messages print with their ids; threads, private messages, personal replies and
reactions are marked. It reads a terminal or a pipe alike, so a script can drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import re
import sys
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol, TextIO

from bot.chat import (
    DeliveryError,
    Destination,
    MemberRef,
    MessageEdited,
    MessagePosted,
    MessageRef,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Reactions,
    RoomRef,
    SpaceRef,
    ThreadRef,
    ThreadStart,
    Visibility,
    normalise_emoji,
)
from bot.commands import parse_duration
from bot.config import LocalConfig
from bot.host import Host

log = logging.getLogger(__name__)

BOT_ID = "circlekeeper"
SPACE_ID = "sandbox"
ROOM_ID = "sandbox-room"
PREFIX = "/"
_NAME = r"[a-z][a-z0-9_-]{0,31}"
_LINE = re.compile(
    rf"""^(?P<who>{_NAME})\s*(?:
        :\s?(?P<text>.*)
      | \#(?P<thread>\d+|\^)\s*:\s?(?P<ttext>.*)
      | \^\s*:\s?(?P<ctext>.*)
      | (?P<sign>[+-])\s*(?P<target>\#?\d+|\^)\s+(?P<key>\S+)
      | ~\s*(?P<edit>\#?\d+)\s*:\s?(?P<etext>.*)
    )$""",
    re.VERBOSE | re.DOTALL,
)
BANNER = """\
Circlekeeper sandbox: one room, and you can be anyone.
Type as a person, like `alice: hello` or `bob: /circle join tuesday`. `/help` lists commands;
`:help` shows the sandbox's own ways to react, use threads and move time. Moderators here: {mods}.
"""
SANDBOX_HELP = __doc__.split("\n\n", 1)[1].split("\n\nThe bot's")[0] if __doc__ else ""
NOT_UNDERSTOOD = "(sandbox) I didn't follow that line. `:help` shows the ways to talk here."
NO_SUCH_MESSAGE = "(sandbox) There's no message #{id}."
NO_SUCH_THREAD = "(sandbox) There's no thread yet to write in."
NOT_YOURS = "(sandbox) Only {author} can edit #{id}."
NO_TIME_TRAVEL = "(sandbox) I can't move this clock."


class LineSource(Protocol):
    def __aiter__(self) -> AsyncIterator[str]: ...


@dataclass(slots=True)
class LocalMessage:
    id: str
    author: str
    text: str
    thread_id: str | None
    reactions: dict[str, list[str]] = field(default_factory=dict)


class Transcript:
    """Where the sandbox prints; tests read ``lines``."""

    def __init__(self, out: TextIO | None) -> None:
        self._out = out
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        for line in text.split("\n"):
            self.lines.append(line)
            if self._out is not None:
                self._out.write(line + "\n")
        if self._out is not None:
            self._out.flush()

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


class LocalChat:
    """The Chat port over an in-memory room that prints everything it does."""

    def __init__(self, transcript: Transcript, config: LocalConfig) -> None:
        self.transcript = transcript
        self._config = config
        self.space = SpaceRef(Platform.LOCAL, SPACE_ID)
        self.room = RoomRef(Platform.LOCAL, SPACE_ID, ROOM_ID)
        self._ids = itertools.count(1)
        self.messages: dict[str, LocalMessage] = {}
        self.threads: dict[str, str] = {}  # thread id (its first post's id) -> title
        self.closed_dms: set[str] = set()
        self.private: list[tuple[str, str]] = []  # (member id, text), for tests

    @property
    def platform(self) -> Platform:
        return Platform.LOCAL

    @property
    def me(self) -> MemberRef:
        return MemberRef(Platform.LOCAL, BOT_ID)

    # --- printing --------------------------------------------------------------------------

    def _print_message(self, message: LocalMessage) -> None:
        where = ""
        if message.thread_id is not None:
            where = f"[in #{message.thread_id} {self.threads.get(message.thread_id, '')}] "
        head = f"#{message.id} {where}{message.author}: "
        self.transcript.write(head + _indent(message.text, " " * 4))

    def _note(self, text: str) -> None:
        self.transcript.write("    " + _indent(text, " " * 6))

    # --- people's side ---------------------------------------------------------------------

    def post(self, author: str, text: str, thread_id: str | None) -> LocalMessage:
        message = LocalMessage(str(next(self._ids)), author, text, thread_id)
        self.messages[message.id] = message
        self._print_message(message)
        return message

    def message_ref(self, message: LocalMessage) -> MessageRef:
        thread = ThreadRef(self.room, message.thread_id) if message.thread_id else None
        return MessageRef(self.room, message.id, thread)

    def toggle_reaction(self, member: str, message_id: str, key: str, add: bool) -> bool:
        message = self.messages[message_id]
        holders = message.reactions.setdefault(key, [])
        if add == (member in holders):
            return False
        if add:
            holders.append(member)
            self._note(f"{key} {member} reacted to #{message_id}")
        else:
            holders.remove(member)
            self._note(f"{member} took back {key} on #{message_id}")
        if not holders:
            del message.reactions[key]
        return True

    # --- the Chat port ---------------------------------------------------------------------

    async def send(self, where: Destination, text: str) -> MessageRef:
        thread_id = where.id if isinstance(where, ThreadRef) else None
        message = self.post(BOT_ID, text, thread_id)
        return self.message_ref(message)

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        message = self.post(BOT_ID, text, None)
        self.threads[message.id] = title
        self._note(f"⤷ thread #{message.id} “{title}” opened (write in it with `name #{message.id}: …`)")
        ref = self.message_ref(message)
        return ThreadStart(ref, ThreadRef(room, message.id))

    async def react(self, message: MessageRef, key: str) -> None:
        if message.id in self.messages:
            self.toggle_reaction(BOT_ID, message.id, normalise_emoji(key), add=True)

    async def edit(self, message: MessageRef, text: str) -> None:
        stored = self.messages.get(message.id)
        if stored is None:
            raise DeliveryError(f"no message {message.id}")
        stored.text = text
        self._note(f"✎ #{message.id} now reads:\n{text}")

    async def pin(self, message: MessageRef) -> None:
        self._note(f"📌 #{message.id} pinned")

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        if member.id in self.closed_dms:
            raise DeliveryError(f"{member.id} does not take private messages")
        self.private.append((member.id, text))
        self._note(f"✉ private to {member.id}: {text}")
        return MessageRef(RoomRef(Platform.LOCAL, SPACE_ID, f"dm-{member.id}"), f"dm{len(self.private)}")

    def show_personal(self, member: str, text: str) -> None:
        self._note(f"👁 only {member} sees: {text}")

    async def reactions(self, message: MessageRef) -> Reactions:
        stored = self.messages.get(message.id)
        if stored is None:
            raise DeliveryError(f"no message {message.id}")
        return Reactions(
            {
                key: [MemberRef(Platform.LOCAL, m) for m in members if m != BOT_ID]
                for key, members in stored.reactions.items()
            }
        )

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool:
        return member.id in self._config.moderators

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        return member.id[:1].upper() + member.id[1:]

    def command_prefix(self, platform: Platform) -> str:
        return PREFIX

    def member_handle(self, member: MemberRef) -> str:
        return f"@{member.id}"


class LocalReplier:
    def __init__(self, chat: LocalChat, member: str, where: Destination) -> None:
        self._chat = chat
        self._member = member
        self._where = where

    async def reply(self, text: str, visibility: Visibility) -> None:
        if visibility is Visibility.PUBLIC:
            await self._chat.send(self._where, text)
        elif visibility is Visibility.PERSONAL:
            self._chat.show_personal(self._member, text)
        else:
            try:
                await self._chat.send_private(MemberRef(Platform.LOCAL, self._member), text)
            except DeliveryError:
                self._chat.show_personal(self._member, text)

    async def acknowledge(self) -> None:
        """The sandbox shows every effect, so a silent command needs no extra word."""


def parse_member(text: str) -> MemberRef | None:
    name = text.strip().removeprefix("@").lower()
    if re.fullmatch(_NAME, name) and name != BOT_ID:
        return MemberRef(Platform.LOCAL, name)
    return None


class LocalAdapter:
    """Drives the sandbox from lines of text (a terminal, a pipe, or the demo's script)."""

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
    ) -> None:
        self._host = host
        self._config = config
        self._source = source
        self._banner = banner
        self._narrate = narrate  # print "# ..." lines (the demo's narration)
        # Passing the chat of an earlier adapter keeps the room as it was: a bot restart
        # does not wipe the platform's messages and threads.
        self._chat = chat or LocalChat(Transcript(out), config)
        self.transcript = self._chat.transcript
        self._stopped = asyncio.Event()

    @property
    def platform(self) -> Platform:
        return Platform.LOCAL

    @property
    def chat(self) -> LocalChat:
        return self._chat

    async def start(self) -> None:
        if self._banner:
            mods = ", ".join(self._config.moderators) or "nobody"
            self.transcript.write(BANNER.format(mods=mods))

    async def run(self) -> None:
        source = self._source if self._source is not None else stdin_lines()
        async for line in source:
            if not await self.feed(line):
                break
            if self._stopped.is_set():
                break

    async def stop(self) -> None:
        self._stopped.set()

    def cogs(self) -> tuple[()]:
        """The sandbox keeps nothing about anyone beyond what the cogs keep."""
        return ()

    async def feed_all(self, lines: Iterable[str]) -> None:
        for line in lines:
            if not await self.feed(line):
                return

    async def feed(self, raw: str) -> bool:
        """Act on one line. Returns False when the line asks the sandbox to stop."""
        line = raw.strip()
        if not line:
            return True
        if line.startswith("#"):
            if self._narrate:
                self.transcript.write("\n" + line.lstrip("# ").join(("── ", " ──")))
            return True
        if line.startswith(":"):
            return await self._sandbox_command(line[1:].strip())
        match = _LINE.match(line)
        if match is None:
            self.transcript.write(NOT_UNDERSTOOD)
            return True
        who = match["who"]
        if who == BOT_ID:
            self.transcript.write("(sandbox) That name belongs to the bot; pick any other.")
            return True
        if match["sign"]:
            await self._react(who, match["target"], match["key"], add=match["sign"] == "+")
        elif match["edit"]:
            await self._edit(who, match["edit"].lstrip("#"), match["etext"])
        else:
            thread_token = match["thread"] or ("^" if match["ctext"] is not None else None)
            text = match["text"] if match["text"] is not None else (match["ttext"] or match["ctext"] or "")
            await self._say(who, text, thread_token)
        return True

    # --- the kinds of line -----------------------------------------------------------------

    async def _say(self, who: str, text: str, thread_token: str | None) -> None:
        thread_id: str | None = None
        if thread_token is not None:
            thread_id = self._resolve(thread_token, thread=True)
            if thread_id is None:
                return
        chat = self._chat
        message = chat.post(who, text, thread_id)
        member = MemberRef(Platform.LOCAL, who)
        where: Destination = ThreadRef(chat.room, thread_id) if thread_id else chat.room
        if text.startswith(PREFIX) and len(text) > 1 and not text[1].isspace():
            await self._host.router.run_text(
                text[len(PREFIX) :],
                invoker=member,
                room=chat.room,
                thread=where if isinstance(where, ThreadRef) else None,
                replier=LocalReplier(chat, who, where),
                parse_member=parse_member,
                prefix=PREFIX,
            )
            return
        await self._host.receive(
            MessagePosted(chat.message_ref(message), member, text, self._host.clock.now())
        )

    async def _react(self, who: str, token: str, key: str, *, add: bool) -> None:
        message_id = self._resolve(token, thread=False)
        if message_id is None:
            return
        key = normalise_emoji(key)
        if not self._chat.toggle_reaction(who, message_id, key, add=add):
            return
        ref = self._chat.message_ref(self._chat.messages[message_id])
        member = MemberRef(Platform.LOCAL, who)
        now = self._host.clock.now()
        event = ReactionAdded(ref, member, key, now) if add else ReactionRemoved(ref, member, key, now)
        await self._host.receive(event)

    async def _edit(self, who: str, message_id: str, text: str) -> None:
        message = self._chat.messages.get(message_id)
        if message is None:
            self.transcript.write(NO_SUCH_MESSAGE.format(id=message_id))
            return
        if message.author != who:
            self.transcript.write(NOT_YOURS.format(author=message.author, id=message_id))
            return
        message.text = text
        self.transcript.write(f"    ✎ {who} edited #{message_id}: {text}")
        await self._host.receive(
            MessageEdited(
                self._chat.message_ref(message), MemberRef(Platform.LOCAL, who), text, self._host.clock.now()
            )
        )

    def _resolve(self, token: str, *, thread: bool) -> str | None:
        token = token.lstrip("#")
        if token == "^":
            if not self._chat.threads:
                self.transcript.write(NO_SUCH_THREAD)
                return None
            return list(self._chat.threads)[-1]
        if thread:
            if token in self._chat.threads:
                return token
            message = self._chat.messages.get(token)
            if message is not None and message.thread_id is not None:
                return message.thread_id
            self.transcript.write(f"(sandbox) #{token} isn't a thread. Threads are marked with ⤷.")
            return None
        if token not in self._chat.messages:
            self.transcript.write(NO_SUCH_MESSAGE.format(id=token))
            return None
        return token

    async def _sandbox_command(self, command: str) -> bool:
        word, _, rest = command.partition(" ")
        word = word.lower()
        if word in ("quit", "exit", "q"):
            return False
        if word == "help":
            self.transcript.write(SANDBOX_HELP)
        elif word == "wait":
            delta = parse_duration(rest)
            if delta is None or delta <= timedelta():
                self.transcript.write("(sandbox) Say how long, like `:wait 10m` or `:wait 2h`.")
            elif not await self._host.advance(delta):
                self.transcript.write(NO_TIME_TRAVEL)
            else:
                self.transcript.write(f"    ⏳ {rest.strip()} later…")
                await self._host.run_due()
        elif word == "dms":
            name, _, state = rest.strip().partition(" ")
            if state.strip() == "closed":
                self._chat.closed_dms.add(name)
            else:
                self._chat.closed_dms.discard(name)
            self.transcript.write(f"    (sandbox) {name}'s private messages are {state.strip() or 'open'}.")
        else:
            self.transcript.write(NOT_UNDERSTOOD)
        return True


async def stdin_lines() -> AsyncIterator[str]:
    """Lines from stdin, terminal or pipe, without blocking the event loop.

    A daemon thread reads, so a pending read never holds up shutdown.
    """
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def pump() -> None:
        try:
            for line in sys.stdin:
                loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        except (ValueError, OSError):  # stdin closed under us
            pass
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may already be gone
                loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=pump, name="sandbox-stdin", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def script_lines(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


def _indent(text: str, pad: str) -> str:
    return text.replace("\n", "\n" + pad)
