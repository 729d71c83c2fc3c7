"""One run of a command, as its handler sees it: options checked and converted, the circle
found, and a way to reply."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo

from bot.chat import MemberRef, Replier, RoomRef, ThreadRef, Visibility
from bot.commands.refusals import NEEDS_SPACE, NO_CIRCLE_HERE, CommandError
from bot.commands.spec import CommandSpec

_T = TypeVar("_T")

OptionValue = str | int | bool | MemberRef | timedelta | ZoneInfo | date
RawValue = str | int | bool | MemberRef


class CircleHandle(Protocol):
    """What dispatch needs of a circle: which one, where, and whether it is resting. The
    circles kernel hands the router its full circles, and a command gets the one it found."""

    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def room(self) -> RoomRef: ...

    @property
    def thread(self) -> ThreadRef | None:
        """The thread it lives in, when it has one rather than a whole room."""
        ...

    @property
    def archived(self) -> bool: ...


@dataclass(slots=True)
class Invocation:
    """One run of a command, with its options already checked and converted."""

    spec: CommandSpec
    invoker: MemberRef
    room: RoomRef | None
    thread: ThreadRef | None
    values: Mapping[str, OptionValue]
    circle: CircleHandle | None
    at: datetime
    prefix: str
    replier: Replier
    is_moderator: bool = False
    replies: int = field(default=0)

    async def reply(self, text: str, visibility: Visibility = Visibility.PUBLIC) -> None:
        self.replies += 1
        await self.replier.reply(text, visibility)

    def _get(self, name: str, kind: type[_T]) -> _T | None:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise TypeError(f"option {name} is {type(value).__name__}, not {kind.__name__}")
        return value

    def text(self, name: str) -> str | None:
        return self._get(name, str)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if isinstance(value, bool):
            raise TypeError(f"option {name} is a boolean")
        return self._get(name, int)

    def number(self, name: str) -> int:
        """A required whole number (the router has checked it is there)."""
        value = self.integer(name)
        if value is None:
            raise CommandError("I need the number for that.")
        return value

    def flag(self, name: str) -> bool | None:
        return self._get(name, bool)

    def member(self, name: str) -> MemberRef | None:
        return self._get(name, MemberRef)

    def person(self, name: str = "member") -> MemberRef:
        """A required member option (the router has checked it is there)."""
        value = self.member(name)
        if value is None:
            raise CommandError(f"I need to know who: `{self.usage()}`.")
        return value

    def duration(self, name: str) -> timedelta | None:
        return self._get(name, timedelta)

    def zone(self, name: str) -> ZoneInfo | None:
        return self._get(name, ZoneInfo)

    def day(self, name: str) -> date | None:
        return self._get(name, date)

    @property
    def need_room(self) -> RoomRef:
        if self.room is None:
            raise CommandError(NEEDS_SPACE)
        return self.room

    @property
    def need_circle(self) -> CircleHandle:
        if self.circle is None:  # the router resolves declared CIRCLE options before this
            raise CommandError(NO_CIRCLE_HERE.format(usage=self.spec.usage(self.prefix)))
        return self.circle

    def usage(self, spec: CommandSpec | None = None) -> str:
        return (spec or self.spec).usage(self.prefix)
