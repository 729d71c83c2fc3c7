"""The contract driver for the sandbox (``bot.platforms.local``): people type console lines.

Everything goes through the lines a person would type at ``circlekeeper run`` (``bob: hello``,
``bob +7 ✅``, ``alice #6: /round done``, ``:down``, ``:up``), fed to the real adapter over the
real engine, with the room kept in its own file as the console keeps it. The sandbox is
synchronous: when a line has been fed, the bot has done all it will do about it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from bot.app import App
from bot.chat import Chat, Event, MemberRef, Platform, RoomRef
from bot.cog import Cog, DomainEvent
from bot.platforms.local.chat import BOT_ID, MARK_PERSONAL, PREFIX
from tests.contract.driver import CAST, MODERATOR, START, Post, Reply, caught_up
from tests.sandbox import Sandbox

T = TypeVar("T")

# How the sandbox prints a reply only its asker sees (LocalChat.note): continued lines are
# indented by six spaces.
PERSONAL_HEAD = f"    {MARK_PERSONAL} only {{who}} sees: "
NOTE_INDENT = " " * 6


class Ear(Cog):
    """A listening cog: every event the host hands the cogs."""

    name = "ear"

    def __init__(self) -> None:
        self.heard: list[Event | DomainEvent] = []

    async def handle(self, event: Event | DomainEvent) -> None:
        self.heard.append(event)


class LocalDriver:
    platform = Platform.LOCAL
    prefix = PREFIX

    def __init__(self, sandbox: Sandbox) -> None:
        self._sb = sandbox
        self._ear = Ear()

    @classmethod
    async def open(cls, tmp_path: Path) -> LocalDriver:
        driver = cls(Sandbox(tmp_path, moderators=(MODERATOR,), start=START))
        await driver._sb.open()
        driver._listen()
        return driver

    async def close(self) -> None:
        await self._sb.close()

    def _listen(self) -> None:
        self._ear = Ear()
        self.app.bus.attach(self._ear)

    # --- who and where ---------------------------------------------------------------------

    @property
    def room(self) -> RoomRef:
        return self._sb.chat_or_fail().room

    @property
    def chat(self) -> Chat:
        return self._sb.adapter.chat

    @property
    def app(self) -> App:
        assert self._sb.app is not None, "the bot is down"
        return self._sb.app

    @property
    def database(self) -> Path:
        return self._sb.config.database_path

    def member(self, who: str) -> MemberRef:
        return MemberRef(Platform.LOCAL, who)

    def name(self, who: str) -> str:
        return who.capitalize()

    def handle(self, who: str) -> str:
        return f"@{who}"

    # --- people ----------------------------------------------------------------------------

    async def _line(self, line: str) -> str:
        return await self._sb.say(line)

    def _highest_id(self) -> int:
        return max((int(m) for m in self._sb.chat_or_fail().messages), default=0)

    async def say(self, who: str, text: str, *, thread: Post | None = None) -> Post:
        assert who in CAST
        before = self._highest_id()
        where = f" #{thread.id}" if thread is not None else ""
        printed = await self._line(f"{who}{where}: {text}")
        message = self._sb.chat_or_fail().messages.get(str(self._highest_id()))
        assert message is not None, printed
        assert int(message.id) > before, printed
        return Post(message.id, message.text, message.thread_id)

    async def answer(self, who: str, to: Post, text: str) -> Post:
        """People can't open threads in the sandbox: the room is where a post is answered."""
        return await self.say(who, text, thread=None if to.thread is None else to)

    async def edit(self, who: str, post: Post, text: str) -> None:
        await self._line(f"{who} ~{post.id}: {text}")

    async def react(self, who: str, post: Post, key: str) -> None:
        await self._line(f"{who} +{post.id} {key}")

    async def unreact(self, who: str, post: Post, key: str) -> None:
        await self._line(f"{who} -{post.id} {key}")

    async def ask(self, who: str, line: str, *, expect: str, thread: Post | None = None) -> Reply:
        chat = self._sb.chat_or_fail()
        seen = self._highest_id()
        told = len(chat.private)
        where = f" #{thread.id}" if thread is not None else ""
        start = len(self._sb.lines)
        await self._line(f"{who}{where}: {PREFIX}{line}")
        replies = [
            *self._posted_since(seen),
            *(Reply(text, private=True) for member, text in chat.private[told:] if member == who),
            *(Reply(text, private=True) for text in personal_notes(self._sb.lines[start:], who)),
        ]
        found = next((r for r in replies if expect in r.text), None)
        assert found is not None, f"the bot never said {expect!r} to {who}; it said {replies}"
        return found

    def _posted_since(self, seen: int) -> list[Reply]:
        chat = self._sb.chat_or_fail()
        return [
            Reply(m.text, private=False, post=Post(m.id, m.text, m.thread_id))
            for m in chat.messages.values()
            if m.author == BOT_ID and int(m.id) > seen
        ]

    # --- what the bot said -----------------------------------------------------------------

    def _bot_posts(self, thread: Post | None) -> list[Post]:
        chat = self._sb.chat_or_fail()
        return [
            Post(m.id, m.text, m.thread_id)
            for m in chat.messages.values()
            if m.author == BOT_ID and (thread is None or m.thread_id == thread.id)
        ]

    async def bot_post(self, containing: str, *, thread: Post | None = None) -> Post:
        posts = self._bot_posts(thread)
        found = next((p for p in posts if containing in p.text), None)
        assert found is not None, f"the bot never posted {containing!r}: {[p.text for p in posts]}"
        return found

    async def bot_posts(self, *, thread: Post | None = None) -> list[Post]:
        return self._bot_posts(thread)

    async def text_of(self, post: Post) -> str:
        return self._sb.chat_or_fail().messages[post.id].text

    async def private(self, who: str, containing: str) -> str:
        told = self._sb.private_to(who)
        found = next((t for t in told if containing in t), None)
        assert found is not None, f"{who} was never told {containing!r} privately: {told}"
        return found

    async def told_privately(self, who: str) -> list[str]:
        return self._sb.private_to(who)

    async def close_dms(self, who: str) -> None:
        await self._line(f":dms {who} closed")

    def heard(self, kind: type[T]) -> list[T]:
        return [e for e in self._ear.heard if isinstance(e, kind)]

    # --- the bot and the clock ---------------------------------------------------------------

    async def down(self) -> None:
        await self._line(":down")
        assert not self._sb.up

    async def up(self) -> None:
        await self._line(":up")
        assert self._sb.up
        self._listen()
        await caught_up(self.app)

    async def pass_time(self, delta: timedelta) -> int:
        if self._sb.app is None:
            self._sb.clock.advance(delta)
            return 0
        return await self._sb.app.advance_and_run(delta)

    async def run_due(self) -> int:
        return await self.app.run_due()


def personal_notes(lines: list[str], who: str) -> list[str]:
    """The replies only ``who`` saw, read back from the lines the sandbox printed."""
    head = PERSONAL_HEAD.format(who=who)
    notes: list[str] = []
    current: list[str] | None = None
    for line in lines:
        if current is not None and line.startswith(NOTE_INDENT):
            current.append(line[len(NOTE_INDENT) :])
            continue
        if current is not None:
            notes.append("\n".join(current))
            current = None
        if line.startswith(head):
            current = [line[len(head) :]]
    if current is not None:
        notes.append("\n".join(current))
    return notes
