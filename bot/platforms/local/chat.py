"""The ``Chat`` port over the sandbox room, printing everything that happens in it.

It is as strict as a real platform where that matters for the cogs: a message, thread or room
that doesn't exist can't be written to, edited, pinned or reacted to (``DeliveryError``), and
a private message to someone who closed theirs is refused.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.chat import (
    DeliveryError,
    Destination,
    MemberRef,
    MessageRef,
    Platform,
    Reactions,
    RoomRef,
    SpaceRef,
    ThreadRef,
    ThreadStart,
    Visibility,
    normalise_emoji,
)
from bot.config import LocalConfig
from bot.platforms.local.room import LocalMessage, Room

BOT_ID = "circlekeeper"
SPACE_ID = "sandbox"
PREFIX = "/"

# The marks in front of what the sandbox shows; `:help` explains each one.
MARK_PERSONAL = "\N{EYE}"  # a reply only its asker sees
MARK_PRIVATE = "\N{ENVELOPE}"  # a private (direct) message
MARK_THREAD = "\N{ARROW POINTING DOWNWARDS THEN CURVING RIGHTWARDS}"  # a thread opened
MARK_EDIT = "\N{LOWER RIGHT PENCIL}"  # a message changed
MARK_PIN = "\N{PUSHPIN}"  # a message pinned
MARK_TIME = "\N{HOURGLASS WITH FLOWING SAND}"  # the clock moved on

ALREADY_REACTED = "(sandbox) {member} has already reacted {key} to #{id}."
NOT_REACTED = "(sandbox) {member} hasn't reacted {key} to #{id}, so there is nothing to take back."


class Output(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class Transcript:
    """Where the sandbox prints; tests read ``lines``."""

    def __init__(self, out: Output | None) -> None:
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
    """The Chat port over the sandbox's room."""

    def __init__(
        self, transcript: Transcript, config: LocalConfig, room: Room | None = None
    ) -> None:
        self.transcript = transcript
        self._config = config
        self.contents = room if room is not None else Room.in_memory()
        self.space = SpaceRef(Platform.LOCAL, SPACE_ID)
        # Called with each new message's id before the bot can learn it (the adapter keeps
        # a mark of the ids the bot was shown); None while the bot is away.
        self.before_the_bot_sees: Callable[[str], Awaitable[None]] | None = None

    # --- the room as tests and the console see it -------------------------------------------

    @property
    def room(self) -> RoomRef:
        return RoomRef(Platform.LOCAL, SPACE_ID, self.contents.id)

    @property
    def messages(self) -> dict[str, LocalMessage]:
        return self.contents.messages

    @property
    def threads(self) -> dict[str, str]:
        """Thread id (its first post's id) -> title, oldest first."""
        return self.contents.threads

    @property
    def private(self) -> list[tuple[str, str]]:
        """Every private message: (member id, text), oldest first."""
        return self.contents.private

    @property
    def closed_dms(self) -> frozenset[str]:
        return frozenset(self.contents.closed_dms)

    def reopen(self) -> None:
        """Read the room back from its file, as a restarted platform would."""
        path = self.contents.path
        if path is None:
            return  # a room in memory is all there is
        self.contents.close()
        self.contents = Room.open(path)

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

    def note(self, text: str) -> None:
        self.transcript.write("    " + _indent(text, " " * 6))

    # --- people's side ---------------------------------------------------------------------

    def post(self, author: str, text: str, thread_id: str | None) -> LocalMessage:
        message = self.contents.post(author, text, thread_id)
        self._print_message(message)
        return message

    async def shown_to_the_bot(self, message_id: str) -> None:
        if self.before_the_bot_sees is not None:
            await self.before_the_bot_sees(message_id)

    def message_ref(self, message: LocalMessage) -> MessageRef:
        thread = ThreadRef(self.room, message.thread_id) if message.thread_id else None
        return MessageRef(self.room, message.id, thread)

    def toggle_reaction(self, member: str, message_id: str, key: str, add: bool) -> bool:
        """Add or take back a reaction; says so (and returns False) when nothing changes."""
        if not self.contents.react(member, message_id, key, add=add):
            if member != BOT_ID:
                sentence = ALREADY_REACTED if add else NOT_REACTED
                self.transcript.write(sentence.format(member=member, key=key, id=message_id))
            return False
        if add:
            self.note(f"{key} {member} reacted to #{message_id}")
        else:
            self.note(f"{member} took back {key} on #{message_id}")
        return True

    def edit_by(self, member: str, message_id: str, text: str) -> LocalMessage:
        self.contents.edit(message_id, text)
        self.transcript.write(f"    {MARK_EDIT} {member} edited #{message_id}: {text}")
        return self.messages[message_id]

    def set_dms_open(self, member: str, *, open_: bool) -> None:
        self.contents.set_dms_open(member, open_=open_)

    # --- the Chat port ---------------------------------------------------------------------

    def _known(self, message: MessageRef) -> LocalMessage:
        stored = self.messages.get(message.id)
        if message.room.id != self.contents.id or stored is None:
            raise DeliveryError(f"there is no message {message.id} in {message.room.id}")
        return stored

    def _check_room(self, room: RoomRef) -> None:
        if room.platform is not Platform.LOCAL or room.id != self.contents.id:
            raise DeliveryError(f"there is no room {room.id} in the sandbox")

    async def send(self, where: Destination, text: str) -> MessageRef:
        thread_id: str | None = None
        if isinstance(where, ThreadRef):
            self._check_room(where.room)
            if where.id not in self.threads:
                raise DeliveryError(f"there is no thread {where.id} in the sandbox")
            thread_id = where.id
        else:
            self._check_room(where)
        message = self.post(BOT_ID, text, thread_id)
        await self.shown_to_the_bot(message.id)
        return self.message_ref(message)

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        self._check_room(room)
        message = self.contents.post(BOT_ID, text, None, thread_title=title)
        self._print_message(message)
        await self.shown_to_the_bot(message.id)
        self.note(
            f"{MARK_THREAD} thread #{message.id} “{title}” opened (write in it with `name #{message.id}: …`)"
        )
        return ThreadStart(self.message_ref(message), ThreadRef(room, message.id))

    async def react(self, message: MessageRef, key: str) -> None:
        stored = self._known(message)
        self.toggle_reaction(BOT_ID, stored.id, normalise_emoji(key), add=True)

    async def edit(self, message: MessageRef, text: str) -> None:
        stored = self._known(message)
        self.contents.edit(stored.id, text)
        self.note(f"{MARK_EDIT} #{message.id} now reads:\n{text}")

    async def pin(self, message: MessageRef) -> None:
        stored = self._known(message)
        self.contents.pin(stored.id)
        self.note(f"{MARK_PIN} #{message.id} pinned")

    async def remove_reaction(self, message: MessageRef, member: MemberRef, key: str) -> None:
        """The sandbox lets the bot take anyone's reaction off, as a moderator could."""
        stored = self._known(message)
        key = normalise_emoji(key)
        if member.id in stored.reactions.get(key, ()):
            self.contents.react(member.id, stored.id, key, add=False)
            self.note(f"{MARK_EDIT} #{message.id}: {member.id}'s {key} taken off")

    def message_link(self, message: MessageRef) -> str:
        return f"#{message.id}"

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        if member.id in self.contents.closed_dms:
            raise DeliveryError(f"{member.id} does not take private messages")
        pid = self.contents.send_private(member.id, text)
        self.note(f"{MARK_PRIVATE} private to {member.id}: {text}")
        return MessageRef(RoomRef(Platform.LOCAL, SPACE_ID, f"dm-{member.id}"), f"dm{pid}")

    def show_personal(self, member: str, text: str) -> None:
        self.note(f"{MARK_PERSONAL} only {member} sees: {text}")

    async def reactions(self, message: MessageRef) -> Reactions:
        """Who holds each key now, the bot left out (so is a key only the bot holds)."""
        stored = self._known(message)
        people = {
            key: [MemberRef(Platform.LOCAL, m) for m in members if m != BOT_ID]
            for key, members in stored.reactions.items()
        }
        return Reactions({key: members for key, members in people.items() if members})

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool:
        return member.id in self._config.moderators

    async def moderators(self, room: RoomRef) -> list[MemberRef]:
        """The sandbox's moderators are the ones its config names."""
        self._check_room(room)
        return [MemberRef(Platform.LOCAL, m) for m in self._config.moderators]

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        return member.id[:1].upper() + member.id[1:]

    def command_prefix(self, platform: Platform) -> str:
        return PREFIX

    def member_handle(self, member: MemberRef) -> str:
        return f"@{member.id}"


class LocalReplier:
    def __init__(
        self, chat: LocalChat, member: str, where: Destination, *, direct: bool = False
    ) -> None:
        self._chat = chat
        self._member = member
        self._where = where
        self._direct = direct  # the command came in the person's direct chat with the bot

    async def reply(self, text: str, visibility: Visibility) -> None:
        if self._direct:  # whatever the visibility, the answer goes back where they asked
            try:
                await self._chat.send_private(MemberRef(Platform.LOCAL, self._member), text)
            except DeliveryError:
                self._chat.show_personal(self._member, text)
            return
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


def _indent(text: str, pad: str) -> str:
    return text.replace("\n", "\n" + pad)
