"""What a feature module looks like to the engine.

A cog declares its commands, hears events, rebuilds its timers on start, and states what it
keeps about members (and can export or erase it). Everything it needs is handed to it by
``bot/app.py``; it never builds a client or opens a connection itself.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.chat import Chat, Event, MemberRef
from bot.clock import Clock
from bot.commands import Command, commands_of
from bot.config import Config
from bot.scheduling import Scheduler
from bot.storage.database import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Services:
    """The shared services every cog may use, built once by the composition root."""

    db: Database
    chat: Chat
    clock: Clock
    scheduler: Scheduler
    config: Config
    bus: EventBus


@dataclass(frozen=True, slots=True)
class DataStatement:
    """One cog's plain-language account of what it keeps about a person."""

    title: str
    keeps: Sequence[str]
    kept_for: str


class Cog:
    """Base for feature modules. Override what you use; the defaults do nothing."""

    name: ClassVar[str] = "cog"

    def commands(self) -> Sequence[Command]:
        """The cog's ``@command`` handlers; a cog that keeps its commands in sets of their
        own returns ``commands_of(*sets)``."""
        return commands_of(self)

    async def start(self) -> None:
        """Called once the platforms are connected: re-arm timers, reconcile with platforms."""

    async def stop(self) -> None:
        """Called before the database closes."""

    async def handle(self, event: Event | DomainEvent) -> None:
        """Hear an inbound platform event or another cog's domain event."""

    # data care

    def data_statement(self) -> DataStatement | None:
        return None

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        return {}

    async def forget_member(self, member: MemberRef) -> None:
        """Erase what this cog keeps about ``member``."""


class DomainEvent:
    """Base for events one cog announces to the others (a member left a circle, ...)."""


class EventBus:
    """Delivers every event to every cog, in registration order, one event at a time per
    publisher. A cog that fails is logged and does not stop the others."""

    def __init__(self) -> None:
        self._cogs: list[Cog] = []

    def attach(self, cog: Cog) -> None:
        self._cogs.append(cog)

    @property
    def cogs(self) -> Sequence[Cog]:
        return tuple(self._cogs)

    async def publish(self, event: Event | DomainEvent) -> None:
        for cog in self._cogs:
            try:
                await cog.handle(event)
            except Exception:
                log.exception("%s failed on %s", cog.name, type(event).__name__)
