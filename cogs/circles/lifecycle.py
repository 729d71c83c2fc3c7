"""A circle's life: making a home for it in a room, changing its shape, resting it and
opening it again."""

from __future__ import annotations

from bot.chat import Chat
from bot.cog import EventBus
from bot.commands import CommandError, Invocation
from bot.commands.options import CIRCLE
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from cogs.circles.command_set import CommandSet
from cogs.circles.facilitation import Facilitation
from cogs.circles.joining import Joining
from cogs.circles.lookup import circle_of
from cogs.circles.model import (
    CircleArchived,
    CircleReopened,
    DuplicateName,
    JoinedCircle,
    PlaceTaken,
    TimeZoneChanged,
)
from cogs.circles.repo import CirclesRepo
from cogs.circles.settings import CirclesSettings
from cogs.circles.texts import (
    ALREADY_ARCHIVED,
    ARCHIVED,
    CLOSED_TEXT,
    CREATED,
    DESCRIPTION_LIMIT,
    DUPLICATE_NAME,
    EDITED,
    NAME_HAS_EQUALS,
    NAME_LIMIT,
    NOT_ARCHIVED,
    NOTHING_TO_EDIT,
    OPEN_TEXT,
    OVER_CAPACITY,
    PLACE_TAKEN,
    REOPENED,
    TOO_FEW_PLACES,
    TOO_MANY_PLACES,
)

CAPACITY = Option(
    "capacity", OptionKind.INTEGER, "How many places", min_value=2, max_value=500, keyword=True
)
OPENNESS = Option(
    "open", OptionKind.BOOLEAN, "yes: anyone may join; no: joining is by request", keyword=True
)
CREATE = CommandSpec(
    ("circle", "create"),
    "Start a circle that lives in this room or thread.",
    (
        Option("name", OptionKind.NAME, "The circle's name", required=True, max_length=NAME_LIMIT),
        Option(
            "description",
            OptionKind.TEXT,
            "A few words about the circle",
            max_length=DESCRIPTION_LIMIT,
        ),
        CAPACITY,
        OPENNESS,
        Option(
            "time_zone",
            OptionKind.TIME_ZONE,
            "The circle's time zone, like Europe/Berlin",
            keyword=True,
        ),
    ),
    permission=Permission.FACILITATOR,
)
EDIT = CommandSpec(
    ("circle", "edit"),
    "Change a circle's name, description, places, openness or time zone.",
    (
        CIRCLE,
        Option("name", OptionKind.NAME, "A new name", max_length=NAME_LIMIT, keyword=True),
        Option(
            "description",
            OptionKind.TEXT,
            "A new description",
            max_length=DESCRIPTION_LIMIT,
            keyword=True,
        ),
        CAPACITY,
        OPENNESS,
        Option("time_zone", OptionKind.TIME_ZONE, "The circle's time zone", keyword=True),
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)
CLOSE = CommandSpec(
    ("circle", "close"),
    "Rest (archive) a circle; everything is kept.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
    changes=True,
)
REOPEN = CommandSpec(
    ("circle", "reopen"),
    "Reopen a resting circle.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
    allow_archived=True,
    changes=True,
)


class Lifecycle(CommandSet):
    def __init__(
        self,
        repo: CirclesRepo,
        chat: Chat,
        bus: EventBus,
        facilitation: Facilitation,
        *,
        settings: CirclesSettings,
        joining: Joining,
    ) -> None:
        super().__init__(repo, chat, bus, facilitation)
        self._settings = settings
        self._joining = joining

    @command(CREATE)
    async def create(self, inv: Invocation) -> None:
        room = inv.need_room
        name = inv.text("name") or ""
        if "=" in name:
            raise CommandError(NAME_HAS_EQUALS)
        capacity = inv.integer("capacity") or self._settings.default_capacity
        self._check_capacity(capacity)
        zone = inv.zone("time_zone")
        is_open = inv.flag("open")
        try:
            circle = await self._repo.create(
                room=room,
                thread=inv.thread,
                name=name,
                description=inv.text("description") or "",
                capacity=capacity,
                is_open=True if is_open is None else is_open,
                time_zone=zone.key if zone else self._settings.default_time_zone,
                creator=inv.invoker.id,
                at=inv.at,
            )
        except DuplicateName:
            raise CommandError(DUPLICATE_NAME.format(name=name)) from None
        except PlaceTaken as taken:
            raise CommandError(PLACE_TAKEN.format(other=taken.circle_name)) from None
        await inv.reply(
            CREATED.format(
                circle=circle.name,
                description=f"\n_{circle.description}_" if circle.description else "",
                places=circle.capacity,
                openness=OPEN_TEXT if circle.is_open else CLOSED_TEXT,
                zone=circle.time_zone,
                holder=await self._chat.display_name(inv.invoker, room),
                prefix=inv.prefix,
            )
        )
        await self._bus.publish(JoinedCircle(circle, inv.invoker))

    @command(EDIT)
    async def edit(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        name = inv.text("name")
        description = inv.text("description")
        capacity = inv.integer("capacity")
        is_open = inv.flag("open")
        zone = inv.zone("time_zone")
        if all(v is None for v in (name, description, capacity, is_open, zone)):
            raise CommandError(NOTHING_TO_EDIT.format(prefix=inv.prefix, circle=circle.name))
        if name is not None and "=" in name:
            raise CommandError(NAME_HAS_EQUALS)
        if capacity is not None:
            self._check_capacity(capacity)
        try:
            updated = await self._repo.update(
                circle.id,
                name=name,
                description=description,
                is_open=is_open,
                time_zone=zone.key if zone else None,
            )
        except DuplicateName:
            raise CommandError(DUPLICATE_NAME.format(name=name)) from None
        promoted: list[str] = []
        if capacity is not None:
            promoted = await self._repo.set_capacity(circle.id, capacity, inv.at)
        changes = []
        if name is not None:
            changes.append(f"name “{updated.name}”")
        if description is not None:
            changes.append("description")
        if capacity is not None:
            changes.append(f"{capacity} places")
        if is_open is not None:
            changes.append(OPEN_TEXT if is_open else CLOSED_TEXT)
        if zone is not None:
            changes.append(f"times in {zone.key}")
        text = EDITED.format(circle=updated.name, changes=", ".join(changes))
        if capacity is not None:
            count = len(await self._repo.members(circle.id))
            if count > capacity:
                text += "\n" + OVER_CAPACITY.format(
                    circle=updated.name, count=count, capacity=capacity
                )
        await inv.reply(text)
        if zone is not None and zone.key != circle.time_zone:
            await self._bus.publish(TimeZoneChanged(updated, circle.time_zone))
        for member_id in promoted:
            await self._joining.welcome_promoted(updated, member_id, inv.prefix)

    def _check_capacity(self, capacity: int) -> None:
        if capacity < 2:
            raise CommandError(TOO_FEW_PLACES)
        if capacity > self._settings.max_capacity:
            raise CommandError(
                TOO_MANY_PLACES.format(max=self._settings.max_capacity, asked=capacity)
            )

    # --- resting ----------------------------------------------------------------------------

    @command(CLOSE)
    async def close(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        if circle.archived:
            raise CommandError(ALREADY_ARCHIVED.format(circle=circle.name))
        await self._repo.set_archived(circle.id, inv.at)
        await inv.reply(ARCHIVED.format(circle=circle.name, prefix=inv.prefix))
        await self._bus.publish(CircleArchived(circle))

    @command(REOPEN)
    async def reopen(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        if not circle.archived:
            raise CommandError(NOT_ARCHIVED.format(circle=circle.name))
        await self._repo.set_archived(circle.id, None)
        await inv.reply(REOPENED.format(circle=circle.name))
        reopened = await self._repo.get(circle.id)
        if reopened is not None:
            await self._bus.publish(CircleReopened(reopened))
