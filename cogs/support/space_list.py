"""The places a space keeps for hard moments, for its moderators: the list (the shipped
example until a moderator first edits it, then the space's own), its commands, and the
reminder when an entry is due a look."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.chat import Chat, DeliveryError, MemberRef, RoomRef, SpaceRef, Visibility
from bot.commands import CommandError, Invocation
from bot.commands.spec import command
from bot.outbound import tell
from bot.scheduling import Timers
from bot.text import check_line
from cogs.support import texts as t
from cogs.support.places import Resource, due_for_a_look, next_look, region_code
from cogs.support.repo import SupportRepo
from cogs.support.specs import RESOURCE_ADD, RESOURCE_REMOVE, RESOURCE_VERIFY, RESOURCES

log = logging.getLogger(__name__)

ENTRY_LIMITS = (("name", 120), ("way to reach it", 200), ("hours", 120))
REMIND_AGAIN = timedelta(days=30)


class SpaceList:
    def __init__(
        self, repo: SupportRepo, chat: Chat, timers: Timers, shipped: Sequence[Resource]
    ) -> None:
        self._repo = repo
        self._chat = chat
        self._timers = timers
        self.shipped = list(shipped)
        self._noted: set[SpaceRef] = set()  # spaces known to be in the store already

    async def entries(self, space: SpaceRef) -> tuple[list[Resource], bool]:
        """The space's list, and whether it is the space's own (else the shipped example)."""
        own = await self._repo.own_resources(space)
        return (own, True) if own is not None else (list(self.shipped), False)

    async def moderators(self, room: RoomRef) -> Sequence[MemberRef]:
        try:
            return await self._chat.moderators(room)
        except DeliveryError:  # the room is gone: nobody to ask there
            log.info("could not learn the moderators of a room")
            return ()

    async def note_space(self, room: RoomRef) -> None:
        """Remember a space the bot serves, so its moderators hear when the list is due a look."""
        if room.space in self._noted:
            return  # every join passes here: one look at the store per space is enough
        if not await self._repo.spaces_has(room.space):
            await self._repo.note_space(room)
            await self.arm_look(room, None)
        self._noted.add(room.space)

    @command(RESOURCES)
    async def resources(self, inv: Invocation) -> None:
        room = inv.need_room
        await self.note_space(room)
        entries, own = await self.entries(room.space)
        lines = [t.RESOURCES_HEAD.format(source=t.RESOURCES_OWN if own else t.RESOURCES_SHIPPED)]
        for number, entry in enumerate(entries, start=1):
            lines.append(
                t.RESOURCE_ENTRY.format(
                    number=entry.id if entry.id is not None else number,
                    region=entry.region,
                    name=entry.name,
                    reach=entry.reach,
                    hours=entry.hours,
                    verified=entry.verified_on.isoformat(),
                )
            )
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def _own_list(self, room: RoomRef) -> list[Resource]:
        """The space's own list, made from the shipped one the first time it is edited."""
        await self._repo.take_in_hand(room, list(self.shipped))
        own = await self._repo.own_resources(room.space)
        return own or []

    @command(RESOURCE_ADD)
    async def add_resource(self, inv: Invocation) -> None:
        room = inv.need_room
        code = region_code(inv.text("region") or "")
        if code is None:
            raise CommandError(t.RESOURCE_REGION_BAD)
        parts = [part.strip() for part in (inv.text("entry") or "").split("|")]
        if len(parts) != len(ENTRY_LIMITS) or not all(parts):
            raise CommandError(t.RESOURCE_SHAPE.format(usage=inv.usage()))
        for part, (label, limit) in zip(parts, ENTRY_LIMITS, strict=True):
            _, problem = check_line(part, max_length=limit)
            if problem is not None:
                raise CommandError(problem.sentence(label, limit))
        name, reach, hours = parts
        await self._own_list(room)
        entry = Resource(code, name, reach, hours, inv.at.date())
        number = await self._repo.add_resource(room.space, entry)
        await self.arm_look(room, None)
        await inv.reply(
            t.RESOURCE_ADDED.format(number=number, name=name, region=code), Visibility.PERSONAL
        )

    async def _numbered(self, inv: Invocation) -> tuple[RoomRef, int]:
        """The room, and the stored number of the entry meant (the list's position is its
        number while the space uses the shipped list)."""
        room = inv.need_room
        number = inv.number("number")
        own = await self._repo.own_resources(room.space)
        if own is None:
            if number > len(self.shipped):
                raise CommandError(t.RESOURCE_UNKNOWN.format(number=number))
            listed = await self._own_list(room)
            number = listed[number - 1].id or number
        return room, number

    @command(RESOURCE_REMOVE)
    async def remove_resource(self, inv: Invocation) -> None:
        room, number = await self._numbered(inv)
        if not await self._repo.remove_resource(room.space, number):
            raise CommandError(t.RESOURCE_UNKNOWN.format(number=number))
        await inv.reply(t.RESOURCE_REMOVED.format(number=number), Visibility.PERSONAL)

    @command(RESOURCE_VERIFY)
    async def verify_resource(self, inv: Invocation) -> None:
        room, number = await self._numbered(inv)
        if not await self._repo.verify_resource(room.space, number, inv.at.date()):
            raise CommandError(t.RESOURCE_UNKNOWN.format(number=number))
        await self.arm_look(room, None)
        await inv.reply(t.RESOURCE_VERIFIED.format(number=number), Visibility.PERSONAL)

    async def arm_look(self, room: RoomRef, reminded: datetime | None) -> None:
        """The next moment this space's moderators are reminded of entries due a look."""
        entries, _ = await self.entries(room.space)
        reminded = reminded or await self._repo.reminded_at(room.space)
        due = next_look(entries)
        if due is None:
            self._timers.cancel(_look_key(room.space))
            return
        when = datetime(due.year, due.month, due.day, 9, tzinfo=UTC)
        if reminded is not None:
            when = max(when, reminded + REMIND_AGAIN)

        async def look(fired: datetime) -> None:
            await self._remind(room, fired)

        self._timers.at(_look_key(room.space), when, look)

    async def _remind(self, room: RoomRef, now: datetime) -> None:
        entries, own = await self.entries(room.space)
        stale = due_for_a_look(entries, now.date())
        if stale:
            prefix = self._chat.command_prefix(room.platform)
            listed = "\n".join(
                f"• {e.id if e.id is not None else entries.index(e) + 1}. {e.name} ({e.region}), "
                f"checked {e.verified_on.isoformat()}"
                for e in stale
            )
            template = t.STALE_REMINDER if own else t.STALE_SHIPPED
            text = template.format(prefix=prefix, space="this space", entries=listed)
            for moderator in await self.moderators(room):
                await tell(self._chat, moderator, text)
            await self._repo.reminded(room.space, now)
            log.info("moderators were reminded of %d entries to check", len(stale))
        await self.arm_look(room, now if stale else None)


def _look_key(space: SpaceRef) -> str:
    return f"look:{space.platform.value}:{space.id}"
