"""``!ck ...`` lines: telling a command from a message, naming people, and answering.

The declared commands become text commands behind a prefix (``!ck circle join``). The router
in ``bot.commands`` does all the parsing, checking and refusing; this module only finds the
line, turns mentions back into user ids, and delivers replies where they belong.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Protocol
from urllib.parse import unquote

from bot.chat import DeliveryError, MemberRef, Platform, RoomRef, ThreadRef, Visibility

log = logging.getLogger(__name__)

MISSING_SPACE = "Did you mean `{prefix}{suggestion}`? Commands have a space after `{bare}`."
# A private answer is never posted in the room instead: it may hold someone's own data.
PRIVATE_UNREACHABLE = (
    "I couldn't open a private chat with you, so I've kept that answer to myself rather than "
    "post it here. If you start a direct chat with me and ask again there, I'll answer in it."
)
ACKNOWLEDGED = "\N{WHITE HEAVY CHECK MARK}"

USER_ID = re.compile(r"^@[^:\s]+:[^\s]+$")
_MATRIX_TO_USER = re.compile(r"^https://matrix\.to/#/((?:@|%40)[^/?\s]+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CommandLine:
    """A command to run: the line after the prefix (``help`` when there was nothing)."""

    line: str


@dataclass(frozen=True, slots=True)
class MissingSpace:
    """``!ckcircle join``: clearly meant as a command, but not one; we say how it goes."""

    suggestion: str


def read_command(
    text: str, prefix: str, groups: Iterable[str]
) -> CommandLine | MissingSpace | None:
    """Is ``text`` a command? ``prefix`` is bare (``!ck``); ``groups`` are the first words of
    the declared commands, used to recognise ``!ckcircle``."""
    stripped = text.lstrip()
    if stripped[: len(prefix)].casefold() != prefix.casefold():
        return None
    rest = stripped[len(prefix) :]
    if not rest.strip():
        return CommandLine("help")
    if rest[0].isspace():
        return CommandLine(rest.strip())
    first = rest.split(maxsplit=1)[0].casefold()
    for group in sorted(groups, key=len, reverse=True):
        if first.startswith(group):
            return MissingSpace(rest.strip())
    return None  # "!ckfoo": someone else's bot, or just a word


def mentioned_user(text: str) -> str | None:
    """``@user:server`` or a matrix.to link (a mention pill) -> the user id."""
    text = text.strip().strip("<>")
    if USER_ID.match(text):
        return text
    match = _MATRIX_TO_USER.match(text)
    if match:
        user = unquote(match.group(1))
        if USER_ID.match(user):
            return user
    return None


class MemberParser:
    """Who a command means by ``@bob:example.org``, a pill, or a room member's display name."""

    def __init__(self, me: str, display_names: Callable[[], dict[str, str]]) -> None:
        self._me = me
        self._display_names = display_names

    def __call__(self, text: str) -> MemberRef | None:
        user = mentioned_user(text)
        if user is None:
            user = self._by_name(text)
        if user is None or user == self._me:
            return None
        return MemberRef(Platform.MATRIX, user)

    def _by_name(self, text: str) -> str | None:
        wanted = text.strip().removeprefix("@").casefold()
        if not wanted:
            return None
        names = self._display_names()
        matches = [user for user, name in names.items() if name.casefold() == wanted]
        if not matches:  # a bare localpart, as people often type it
            matches = [user for user in names if user[1:].split(":", 1)[0].casefold() == wanted]
        return matches[0] if len(matches) == 1 else None


class _PillText(HTMLParser):
    """HTML message text, with each mention pill replaced by the user id it links to."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._link_user: str | None = None
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._skip += 1
        elif tag == "a":
            self._link_user = mentioned_user(dict(attrs).get("href") or "")
            if self._link_user and not self._skip:
                self.parts.append(self._link_user)
        elif tag == "br" or (tag in ("p", "div", "li") and self.parts):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._link_user = None

    def handle_data(self, data: str) -> None:
        if not self._skip and self._link_user is None:
            self.parts.append(data)


def text_with_pills(body: str, formatted: str | None) -> str:
    """The text to read a command from: the body, or, when the HTML holds mention pills
    (whose body text is only a display name), the HTML with each pill as its user id."""
    if not formatted or "matrix.to/#/" not in formatted:
        return body
    parser = _PillText()
    try:
        parser.feed(formatted)
        parser.close()
    except Exception:  # malformed HTML from a client: the plain body will do
        log.debug("could not read the HTML of a command", exc_info=True)
        return body
    return html.unescape("".join(parser.parts)).strip()


class Answers(Protocol):
    """What a replier needs from the chat."""

    async def send_in(self, room_id: str, thread: ThreadRef | None, text: str) -> None: ...

    async def answer(
        self, room_id: str, thread: ThreadRef | None, event_id: str, text: str
    ) -> None: ...

    async def private(self, member: MemberRef, text: str) -> None: ...

    async def mark(self, room_id: str, event_id: str, key: str) -> None: ...


class MatrixReplier:
    """Answers one command.

    PUBLIC goes to the room or thread. PERSONAL is a reply in place (a notice answering the
    command, in its thread when it came from one): Matrix has no ephemeral messages. PRIVATE
    is a direct message; if that fails, a reply in place says so, without the content.
    """

    def __init__(
        self,
        answers: Answers,
        *,
        invoker: MemberRef,
        room_id: str,
        thread: ThreadRef | None,
        event_id: str,
        direct: bool,
    ) -> None:
        self._answers = answers
        self._invoker = invoker
        self._room_id = room_id
        self._thread = thread
        self._event_id = event_id
        self._direct = direct

    async def reply(self, text: str, visibility: Visibility) -> None:
        if visibility is Visibility.PUBLIC:
            await self._answers.send_in(self._room_id, self._thread, text)
        elif visibility is Visibility.PERSONAL or self._direct:
            await self._answers.answer(self._room_id, self._thread, self._event_id, text)
        else:
            try:
                await self._answers.private(self._invoker, text)
            except DeliveryError as error:
                log.info(
                    "could not reach %s privately (%s); saying so in place", self._invoker.id, error
                )
                await self._answers.answer(
                    self._room_id, self._thread, self._event_id, PRIVATE_UNREACHABLE
                )

    async def acknowledge(self) -> None:
        """A ✅ on the command line: heard, without another message in the room."""
        try:
            await self._answers.mark(self._room_id, self._event_id, ACKNOWLEDGED)
        except DeliveryError:
            log.info("could not acknowledge a command in %s", self._room_id)


def room_ref(room_id: str) -> RoomRef:
    """A Matrix room is its own space here: circles are found per room."""
    return RoomRef(Platform.MATRIX, room_id, room_id)
