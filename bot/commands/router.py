"""The router: every declared command, and one way to run each through the shared checks.

Platforms only translate: Discord turns specs into slash commands, Matrix into ``!ck ...``
lines, the sandbox into ``/...`` lines, and each hands the router a path and raw values (or a
whole text line). Every check lives here, in one place: option parsing and validation,
finding the circle, permission. A refusal is a kind sentence and leaves everything as it was.
"""

from __future__ import annotations

import difflib
import logging
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from bot import metrics
from bot.chat import Chat, MemberRef, Replier, RoomRef, SpaceRef, ThreadRef, Visibility
from bot.clock import Clock
from bot.commands.invocation import CircleHandle, Invocation, OptionValue, RawValue
from bot.commands.parsing import MemberParser, parse_arguments, tokenize
from bot.commands.refusals import (
    CIRCLE_ARCHIVED,
    DID_YOU_MEAN,
    GROUP_ALONE,
    NEEDS_SPACE,
    NO_CIRCLE_HERE,
    NOT_FACILITATOR,
    NOT_FACILITATOR_ANYWHERE,
    NOT_MODERATOR,
    SOMETHING_BROKE,
    UNKNOWN_CIRCLE,
    UNKNOWN_COMMAND,
    CommandError,
)
from bot.commands.spec import Command, CommandSpec, Permission
from bot.commands.values import convert

log = logging.getLogger(__name__)


class CircleDirectory(Protocol):
    """How the router finds circles (the circles kernel provides it)."""

    async def find(self, space: SpaceRef, name: str) -> CircleHandle | None: ...

    async def bound_to(self, room: RoomRef, thread: ThreadRef | None) -> CircleHandle | None: ...

    async def facilitates(self, circle_id: int, member: MemberRef) -> bool: ...

    async def facilitates_any(self, space: SpaceRef, member: MemberRef) -> bool: ...

    async def suggest(self, space: SpaceRef, prefix: str, limit: int = 25) -> list[str]: ...

    async def in_space(self, space: SpaceRef) -> Sequence[CircleHandle]:
        """Every circle of a space, the resting ones last (for the dashboard)."""
        ...


class AuditSink(Protocol):
    """Where the router writes each change of a setting (``bot.audit.AuditLog`` is one)."""

    async def record(
        self,
        *,
        circle_id: int,
        space: SpaceRef,
        member: MemberRef,
        command: str,
        values: Mapping[str, OptionValue],
        via: str,
        at: datetime,
    ) -> None: ...


class CommandRouter:
    """Holds every declared command and runs invocations through the shared checks.

    ``audit``, when set, hears every command declared as changing a setting
    (``CommandSpec.changes``) once its handler is done, with where it came from (``via``:
    chat, or the web dashboard, which runs the same commands through this same router).
    """

    def __init__(self, directory: CircleDirectory, chat: Chat, clock: Clock) -> None:
        self._directory = directory
        self._chat = chat
        self._clock = clock
        self._commands: dict[tuple[str, ...], Command] = {}
        self.audit: AuditSink | None = None

    # registration

    def add(self, command: Command) -> None:
        command.spec.validate()
        path = command.spec.path
        if path in self._commands:
            raise ValueError(f"command {command.spec.name!r} is declared twice")
        for other in self._commands:
            if other[: len(path)] == path or path[: len(other)] == other:
                raise ValueError(f"{command.spec.name!r} and {' '.join(other)!r} overlap")
        self._commands[path] = command

    def add_all(self, commands: Sequence[Command]) -> None:
        for command in commands:
            self.add(command)

    @property
    def specs(self) -> list[CommandSpec]:
        return sorted((c.spec for c in self._commands.values()), key=lambda s: s.path)

    def spec(self, path: Sequence[str]) -> CommandSpec | None:
        command = self._commands.get(tuple(path))
        return command.spec if command else None

    @property
    def directory(self) -> CircleDirectory:
        return self._directory

    # text lines

    def split_path(self, line: str) -> tuple[CommandSpec | None, str, list[str]]:
        """Find the longest declared command at the start of ``line``.

        Returns the spec (or None), the rest of the line after the command words, and the
        words that were read (for error messages).
        """
        tokens = tokenize(line)
        words = [t.text.lower() for t in tokens[:3] if not t.quoted]
        for length in range(min(3, len(words)), 0, -1):
            command = self._commands.get(tuple(words[:length]))
            if command is not None:
                rest_start = tokens[length].start if len(tokens) > length else len(line)
                return command.spec, line[rest_start:], words[:length]
        return None, line, words

    def group(self, words: Sequence[str]) -> tuple[tuple[str, ...], list[CommandSpec]]:
        """The longest run of ``words`` that names a group of commands, and the group's commands."""
        for length in range(min(3, len(words)), 0, -1):
            prefix = tuple(words[:length])
            members = [
                c.spec
                for p, c in sorted(self._commands.items())
                if p[:length] == prefix and len(p) > length
            ]
            if members:
                return prefix, members
        return (), []

    def suggestion(self, words: Sequence[str]) -> CommandSpec | None:
        names = {" ".join(path): c.spec for path, c in self._commands.items()}
        typed = " ".join(words)
        best = difflib.get_close_matches(typed, list(names), n=1, cutoff=0.6)
        if best:
            return names[best[0]]
        # "/circle" alone: point at the group's first command
        for path, command in sorted(self._commands.items()):
            if words and path[0] == words[0]:
                return command.spec
        return None

    def parse_arguments(
        self, spec: CommandSpec, rest: str, parse_member: MemberParser, prefix: str
    ) -> dict[str, RawValue]:
        return parse_arguments(spec, rest, parse_member, prefix)

    def convert(
        self, spec: CommandSpec, raw: Mapping[str, RawValue], prefix: str
    ) -> dict[str, OptionValue]:
        return convert(spec, raw, prefix)

    # running

    async def run_text(
        self,
        line: str,
        *,
        invoker: MemberRef,
        room: RoomRef | None,
        thread: ThreadRef | None,
        replier: Replier,
        parse_member: MemberParser,
        prefix: str,
    ) -> None:
        """Run a text command line (without its prefix), replying to the invoker."""
        started = time.perf_counter()
        spec, rest, words = self.split_path(line)
        try:
            group, members = self.group(words) if spec is None else ((), [])
            if group and len(group) == len(words):
                name = " ".join(group)
                head = GROUP_ALONE.format(prefix=prefix, group=name)
                raise CommandError("\n".join([head, *(m.line(prefix) for m in members)]))
            if spec is None:
                close = self.suggestion(words)
                suggestion = DID_YOU_MEAN.format(usage=close.usage(prefix)) if close else ""
                typed = " ".join(words) if words else line.strip()[:40]
                raise CommandError(
                    UNKNOWN_COMMAND.format(
                        usage=f"{prefix}{typed}", suggestion=suggestion, prefix=prefix
                    )
                )
            raw = self.parse_arguments(spec, rest, parse_member, prefix)
        except CommandError as refusal:
            await replier.reply(refusal.message, refusal.visibility)
            name, outcome = (spec.name, "refused") if spec else (metrics.UNKNOWN_COMMAND, "unknown")
            metrics.command_handled(name, outcome, time.perf_counter() - started)
            return
        await self.run(
            spec.path,
            raw,
            invoker=invoker,
            room=room,
            thread=thread,
            replier=replier,
            prefix=prefix,
        )

    async def run(
        self,
        path: Sequence[str],
        raw: Mapping[str, RawValue],
        *,
        invoker: MemberRef,
        room: RoomRef | None,
        thread: ThreadRef | None,
        replier: Replier,
        prefix: str,
        via: str = "chat",
    ) -> str:
        """Check and run one command. Every refusal becomes a reply; nothing is raised.
        Returns the outcome: ``done``, ``refused``, ``failed`` or ``unknown``."""
        started = time.perf_counter()
        command = self._commands.get(tuple(path))
        if command is None:
            await replier.reply(
                UNKNOWN_COMMAND.format(
                    usage=f"{prefix}{' '.join(path)}", suggestion="", prefix=prefix
                ),
                Visibility.PERSONAL,
            )
            metrics.command_handled(metrics.UNKNOWN_COMMAND, "unknown", 0.0)
            return "unknown"
        spec = command.spec
        invocation: Invocation | None = None
        outcome = "done"
        try:
            if spec.needs_space and room is None:
                raise CommandError(NEEDS_SPACE)
            values = self.convert(spec, raw, prefix)
            circle = await self._resolve_circle(spec, values, room, thread, prefix)
            moderator = room is not None and await self._chat.is_moderator(invoker, room)
            await self._check_permission(spec, circle, invoker, room, moderator)
            invocation = Invocation(
                spec=spec,
                invoker=invoker,
                room=room,
                thread=thread,
                values=values,
                circle=circle,
                at=self._clock.now(),
                prefix=prefix,
                replier=replier,
                is_moderator=moderator,
            )
            await command.handler(invocation)
            if spec.changes:
                await self._audit(invocation, via)
            if invocation.replies == 0:
                await replier.acknowledge()
        except CommandError as refusal:
            outcome = "refused"
            await replier.reply(refusal.message, refusal.visibility)
        except Exception:
            outcome = "failed"
            log.exception("command %r failed", spec.name)
            await replier.reply(SOMETHING_BROKE, Visibility.PERSONAL)
        finally:
            metrics.command_handled(spec.name, outcome, time.perf_counter() - started)
        return outcome

    async def _audit(self, inv: Invocation, via: str) -> None:
        circle, room = inv.circle, inv.room
        if self.audit is None or circle is None or room is None:
            return
        try:
            await self.audit.record(
                circle_id=circle.id,
                space=room.space,
                member=inv.invoker,
                command=inv.spec.name,
                values=inv.values,
                via=via,
                at=inv.at,
            )
        except Exception:  # the change is made; a lost line of the log must not undo it
            log.exception("could not write %r to the audit log", inv.spec.name)

    async def _resolve_circle(
        self,
        spec: CommandSpec,
        values: dict[str, OptionValue],
        room: RoomRef | None,
        thread: ThreadRef | None,
        prefix: str,
    ) -> CircleHandle | None:
        option = spec.circle_option
        if option is None or room is None:
            return None
        name = values.pop(option.name, None)
        if isinstance(name, str):
            circle = await self._directory.find(room.space, name)
            if circle is None:
                raise CommandError(UNKNOWN_CIRCLE.format(name=name, prefix=prefix))
        else:
            circle = await self._directory.bound_to(room, thread)
            if circle is None:
                if not option.required and spec.permission is not Permission.FACILITATOR:
                    return None
                raise CommandError(NO_CIRCLE_HERE.format(usage=spec.usage(prefix)))
        if circle.archived and not spec.allow_archived:
            raise CommandError(CIRCLE_ARCHIVED.format(circle=circle.name, prefix=prefix))
        return circle

    async def _check_permission(
        self,
        spec: CommandSpec,
        circle: CircleHandle | None,
        invoker: MemberRef,
        room: RoomRef | None,
        moderator: bool,
    ) -> None:
        if spec.permission is Permission.MEMBER or moderator:
            return
        if spec.permission is Permission.MODERATOR or room is None:
            raise CommandError(NOT_MODERATOR)
        if circle is not None:
            if not await self._directory.facilitates(circle.id, invoker):
                raise CommandError(NOT_FACILITATOR.format(circle=circle.name))
        elif not await self._directory.facilitates_any(room.space, invoker):
            raise CommandError(NOT_FACILITATOR_ANYWHERE)
