"""Circles: create one for a room, join and leave, requests and the waitlist, preferences,
the facilitation rota, and resting (archiving) a circle."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.chat import DeliveryError, MemberRef, RoomRef, Visibility
from bot.clock import to_iso
from bot.cog import Cog, DataStatement, Services
from bot.commands import (
    Command,
    CommandError,
    CommandSpec,
    Invocation,
    Option,
    OptionKind,
    Permission,
)
from cogs.circles.events import (
    CircleArchived,
    CircleReopened,
    InfoTopic,
    InfoWanted,
    JoinedCircle,
    LeftCircle,
    TimeZoneChanged,
)
from cogs.circles.lookup import invoked_circle
from cogs.circles.names import spoken_list
from cogs.circles.repo import (
    Circle,
    CircleRoster,
    CirclesRepo,
    Departure,
    DuplicateName,
    JoinResult,
    PlaceTaken,
    Preference,
)
from cogs.circles.rota import next_holder, rotation_order

log = logging.getLogger(__name__)

NAME_LIMIT = 40
DESCRIPTION_LIMIT = 500

# --- what people read -----------------------------------------------------------------------

CREATED = (
    "🌱 **{circle}** has a home here now.{description}\n"
    "{places} places · {openness} · times in {zone}.\n"
    "{holder} is facilitating to begin with. Anyone who'd like to join can say `{prefix}circle join {circle}`."
)
OPEN_TEXT = "open to anyone"
CLOSED_TEXT = "joining is by request"
DUPLICATE_NAME = (
    "There's already a circle called “{name}” in this space. Could you choose another name?"
)
PLACE_TAKEN = "This room is already home to {other}. A circle needs a room or thread of its own."
NAME_HAS_EQUALS = "Circle names can't contain “=”, because I'd mistake them for settings. Could you choose another?"
TOO_MANY_PLACES = "A circle here can have up to {max} places, so {asked} is more than I can hold."
TOO_FEW_PLACES = "A circle needs at least 2 places, so there's room for more than one voice."
NOTHING_TO_EDIT = (
    "What would you like to change? For example: `{prefix}circle edit {circle} capacity=10`."
)
EDITED = "Updated **{circle}**: {changes}."
OVER_CAPACITY = "{circle} has {count} members now, more than its {capacity} places. Everyone keeps their place; newcomers wait until one is free."
PREFERENCE_OFFER = "If you like, you can say how you'd like support here: `{prefix}circle preference listening{named}` or `{prefix}circle preference ideas{named}`. Only you and the circle's facilitators see it."
JOINED = "Welcome to **{circle}**, {name}. 🌿 `{prefix}circle info` tells you about the circle: when it meets, what we've agreed, who facilitates. {offer}"
ALREADY_MEMBER = "You're already part of {circle}."
FULL = "{circle} is full right now (all {capacity} places are taken). Would you like a place on the waitlist? `{prefix}circle wait {circle}` adds you, and I'll send you a private note when a place opens."
REQUESTED = "{circle} is a closed circle, so I've passed your request to its facilitators. I'll let you know privately when they've answered."
ALREADY_REQUESTED = "Your request to join {circle} is already with its facilitators."
REQUEST_FOR_FACILITATORS = "{name} would like to join **{circle}**. You can say `{prefix}circle approve {handle} {circle}` or `{prefix}circle decline {handle} {circle}` in the circle's space."
REQUEST_WAITING = (
    "Someone would like to join **{circle}**. Facilitators, `{prefix}circle requests` shows who."
)
WAITLISTED = "You're on the waitlist for {circle}, number {position}. I'll send you a private note when a place opens."
ALREADY_WAITING = "You're already on the waitlist for {circle}."
CLOSED_WAITLIST = (
    "{circle} is a closed circle, so the way in is a request: `{prefix}circle join {circle}`."
)
LEFT = "You've left {circle}. You're welcome back any time."
LEFT_WAITLIST = "You're off the waitlist for {circle}."
WITHDRAWN = "I've withdrawn your request to join {circle}."
NOT_IN = "You're not part of {circle}, so there's nothing to leave."
PROMOTED_PRIVATE = "A place opened in **{circle}**, and it's yours: you were next on the waitlist. Welcome! 🌿 `{prefix}circle info {circle}` tells you about the circle. {offer} If it no longer suits you, `{prefix}circle leave {circle}` passes the place to the next person."
PROMOTED_PUBLIC = "Welcome to **{circle}**, {name}: a place opened up. 🌿"
HOLDER_NOW = "{name} is facilitating {circle} now."
NO_HOLDER = "Nobody is on the facilitation rota for {circle} now. A moderator or a member can help find someone: `{prefix}circle rota add`."
APPROVED = "{name} is now part of {circle}."
APPROVED_PRIVATE = "Your request to join **{circle}** was welcomed. You're part of the circle now. 🌿 `{prefix}circle info {circle}` tells you about it. {offer}"
APPROVED_FULL = "{circle} is full, so {name} is on the waitlist and will get the next place."
APPROVED_FULL_PRIVATE = "Your request to join **{circle}** was welcomed. The circle is full just now, so you're on the waitlist; I'll write when a place opens."
DECLINED = "I've let {name} know privately."
DECLINED_PRIVATE = "Thank you for asking to join **{circle}**. The facilitators can't offer a place just now; that's about the circle's shape at the moment. If you'd like to talk it over, you're welcome to write to {facilitators}. `{prefix}circle list` shows the other circles in the space."
NOT_REQUESTED = "{name} hasn't asked to join {circle}."
NO_REQUESTS = "Nobody is waiting for an answer about {circle}."
REQUESTS = "People who'd like to join **{circle}**: {names}.\n`{prefix}circle approve @name` or `{prefix}circle decline @name`."
NO_CIRCLES = "There are no circles in this space yet. A moderator or facilitator can start one with `{prefix}circle create <name>`."
PREFERENCE_SET = "Noted: in {circle}, you'd like **{label}**. Only you and the circle's facilitators see it, and you can change it any time."
PREFERENCE_CLEARED = "Noted: no preference shown for you in {circle}."
NOT_A_MEMBER = "That's for members of {circle}. You can join with `{prefix}circle join {circle}`."
ROTA = "Facilitation in **{circle}**: {order}. {holder} is facilitating now."
ROTA_EMPTY = "Nobody is on the facilitation rota for {circle} yet."
ROTA_ADDED = "{name} joins the facilitation rota of {circle}: {order}."
ROTA_ALREADY = "{name} is already on the rota of {circle}."
ROTA_NEEDS_MEMBER = "Facilitators come from the circle, and {name} isn't part of {circle} yet."
ROTA_REMOVED = "{name} has stepped off the rota of {circle}."
ROTA_REMOVED_BY = "{name} is off the facilitation rota of {circle} now; {by} made the change."
ROTA_REMOVED_PRIVATE = "{by} has taken you off the facilitation rota of **{circle}**. If you'd like to talk it over, {by} is one person to ask, and the circle's thread is always there."
ROTA_NOT_ON = "{name} isn't on the rota of {circle}."
ROTA_LAST = "{name} is the only facilitator of {circle}. Could someone join the rota first, so the circle is never without one?"
PASSED_ON = "Facilitation of **{circle}** passes to {name}. Thank you, {previous}. 🌿"
PASSED_ON_BY = "{by} passed facilitation of **{circle}** on from {previous} to {name}. Thank you, {previous}. 🌿"
NOT_THE_HOLDER = "{holder} is facilitating {circle} just now, so passing it on is {holder}'s to do (or a moderator's). You could ask {holder} in the circle."
PASS_ALONE = "{name} is the only one on the rota of {circle}, so facilitation stays with them. `{prefix}circle rota add @name` adds someone."
ARCHIVED = "**{circle}** is resting now. Its members, rota and settings are kept, and a facilitator can reopen it with `{prefix}circle reopen {circle}`."
ALREADY_ARCHIVED = "{circle} is already resting."
REOPENED = "**{circle}** is open again. Welcome back, everyone. 🌱"
NOT_ARCHIVED = "{circle} is already open."
MEMBERS_COUNT = "{count} member{s}. Their names stay within the circle; `{prefix}circle info {circle}` tells you more, and `{prefix}circle join {circle}` is the way in."
INFO_PLACES = "{places} · {openness} · times in {zone}"
INFO_FACILITATORS = "Facilitators: {names}."
INFO_NO_FACILITATORS = "Nobody is on the facilitation rota just now."
INFO_MEMBER = "You're part of this circle{preference}."
INFO_MEMBER_PREFERENCE = "; you'd like **{label}** here"
INFO_JOIN_OPEN = "To join, say `{prefix}circle join {circle}`."
INFO_JOIN_FULL = "It's full just now; `{prefix}circle wait {circle}` takes a place on the waitlist."
INFO_JOIN_REQUEST = "Joining is by request: `{prefix}circle join {circle}` asks the facilitators."
INFO_RESTING = "It's resting just now; a facilitator can reopen it."

CIRCLE = Option("circle", OptionKind.CIRCLE, "Which circle (the one in this room if left out)")
CIRCLE_KEYWORD = Option(
    "circle", OptionKind.CIRCLE, "Which circle (the one in this room if left out)", keyword=True
)
WHO = Option("member", OptionKind.MEMBER, "Who", required=True)

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
        Option(
            "capacity",
            OptionKind.INTEGER,
            "How many places",
            min_value=2,
            max_value=500,
            keyword=True,
        ),
        Option(
            "open",
            OptionKind.BOOLEAN,
            "yes: anyone may join; no: joining is by request",
            keyword=True,
        ),
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
        Option(
            "capacity",
            OptionKind.INTEGER,
            "How many places",
            min_value=2,
            max_value=500,
            keyword=True,
        ),
        Option(
            "open",
            OptionKind.BOOLEAN,
            "yes: anyone may join; no: joining is by request",
            keyword=True,
        ),
        Option("time_zone", OptionKind.TIME_ZONE, "The circle's time zone", keyword=True),
    ),
    permission=Permission.FACILITATOR,
)
JOIN = CommandSpec(("circle", "join"), "Join a circle, or ask to join a closed one.", (CIRCLE,))
WAIT = CommandSpec(("circle", "wait"), "Take a place on a full circle's waitlist.", (CIRCLE,))
LEAVE = CommandSpec(
    ("circle", "leave"), "Leave a circle, its waitlist, or withdraw a request.", (CIRCLE,)
)
LIST = CommandSpec(("circle", "list"), "List the circles in this space.", allow_archived=True)
MEMBERS = CommandSpec(
    ("circle", "members"),
    "Show who is in a circle (members see names; others, how many).",
    (CIRCLE,),
    allow_archived=True,
)
INFO = CommandSpec(
    ("circle", "info"),
    "About a circle: when it meets, its agreements, who facilitates, how to join.",
    (CIRCLE,),
    allow_archived=True,
)
REQUESTS_SPEC = CommandSpec(
    ("circle", "requests"),
    "See who has asked to join a closed circle.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
)
APPROVE = CommandSpec(
    ("circle", "approve"),
    "Welcome someone who asked to join.",
    (WHO, CIRCLE),
    permission=Permission.FACILITATOR,
)
DECLINE = CommandSpec(
    ("circle", "decline"),
    "Decline a request to join; the person hears privately.",
    (WHO, CIRCLE),
    permission=Permission.FACILITATOR,
)
PREFERENCE = CommandSpec(
    ("circle", "preference"),
    "Say how you'd like support here: listening, or open to ideas.",
    (
        Option(
            "preference",
            OptionKind.CHOICE,
            "listening, ideas, or unset",
            required=True,
            choices=("listening", "ideas", "unset"),
        ),
        CIRCLE,
    ),
)
ROTA_SHOW = CommandSpec(("circle", "rota", "show"), "Show the facilitation rota.", (CIRCLE,))
ROTA_ADD = CommandSpec(
    ("circle", "rota", "add"),
    "Add a member to the facilitation rota.",
    (WHO, CIRCLE),
    permission=Permission.FACILITATOR,
)
ROTA_REMOVE = CommandSpec(
    ("circle", "rota", "remove"),
    "Take someone off the facilitation rota.",
    (WHO, CIRCLE),
    permission=Permission.FACILITATOR,
)
ROTA_PASS = CommandSpec(
    ("circle", "rota", "pass"),
    "Pass facilitation on to the next person on the rota (the holder, or a moderator).",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
)
CLOSE = CommandSpec(
    ("circle", "close"),
    "Rest (archive) a circle; everything is kept.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
)
REOPEN = CommandSpec(
    ("circle", "reopen"),
    "Reopen a resting circle.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
    allow_archived=True,
)


class CirclesCog(Cog):
    name = "circles"

    def __init__(self, services: Services, repo: CirclesRepo) -> None:
        self._services = services
        self._chat = services.chat
        self._repo = repo
        self._config = services.config.circles

    def commands(self) -> Sequence[Command]:
        return (
            Command(CREATE, self.create),
            Command(EDIT, self.edit),
            Command(JOIN, self.join),
            Command(WAIT, self.wait),
            Command(LEAVE, self.leave),
            Command(LIST, self.list_circles),
            Command(MEMBERS, self.members),
            Command(INFO, self.info),
            Command(REQUESTS_SPEC, self.requests),
            Command(APPROVE, self.approve),
            Command(DECLINE, self.decline),
            Command(PREFERENCE, self.preference),
            Command(ROTA_SHOW, self.rota_show),
            Command(ROTA_ADD, self.rota_add),
            Command(ROTA_REMOVE, self.rota_remove),
            Command(ROTA_PASS, self.rota_pass),
            Command(CLOSE, self.close),
            Command(REOPEN, self.reopen),
        )

    # --- creating and editing ---------------------------------------------------------------

    async def create(self, inv: Invocation) -> None:
        room = inv.need_room
        name = inv.text("name") or ""
        if "=" in name:
            raise CommandError(NAME_HAS_EQUALS)
        capacity = inv.integer("capacity") or self._config.default_capacity
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
                time_zone=zone.key if zone else self._config.default_time_zone,
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
                holder=await self._name(inv.invoker, room),
                prefix=inv.prefix,
            )
        )
        await self._services.bus.publish(JoinedCircle(circle, inv.invoker))

    async def edit(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
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
            await self._services.bus.publish(TimeZoneChanged(updated, circle.time_zone))
        for member_id in promoted:
            await self._welcome_promoted(updated, member_id, inv.prefix)

    def _check_capacity(self, capacity: int) -> None:
        if capacity < 2:
            raise CommandError(TOO_FEW_PLACES)
        if capacity > self._config.max_capacity:
            raise CommandError(
                TOO_MANY_PLACES.format(max=self._config.max_capacity, asked=capacity)
            )

    # --- joining and leaving ----------------------------------------------------------------

    async def join(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        result = await self._repo.join(circle.id, inv.invoker.id, inv.at)
        fmt = {"circle": circle.name, "prefix": inv.prefix}
        if result is JoinResult.JOINED:
            await inv.reply(
                self._joined(circle, await self._name(inv.invoker, circle.room), inv.prefix)
            )
            await self._services.bus.publish(JoinedCircle(circle, inv.invoker))
        elif result is JoinResult.ALREADY_MEMBER:
            raise CommandError(ALREADY_MEMBER.format(**fmt))
        elif result is JoinResult.FULL:
            raise CommandError(FULL.format(capacity=circle.capacity, **fmt))
        elif result is JoinResult.REQUESTED:
            await inv.reply(REQUESTED.format(**fmt), Visibility.PERSONAL)
            await self._tell_facilitators(circle, inv.invoker, inv.prefix)
        elif result is JoinResult.ALREADY_REQUESTED:
            raise CommandError(ALREADY_REQUESTED.format(**fmt))

    async def wait(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        result = await self._repo.wait(circle.id, inv.invoker.id, inv.at)
        fmt = {"circle": circle.name, "prefix": inv.prefix}
        if result is JoinResult.JOINED:
            await inv.reply(
                self._joined(circle, await self._name(inv.invoker, circle.room), inv.prefix)
            )
            await self._services.bus.publish(JoinedCircle(circle, inv.invoker))
        elif result is JoinResult.WAITLISTED:
            roster = await self._repo.roster(circle.id)
            position = roster.waitlist.index(inv.invoker.id) + 1 if roster else 1
            await inv.reply(WAITLISTED.format(position=position, **fmt), Visibility.PERSONAL)
        elif result is JoinResult.ALREADY_MEMBER:
            raise CommandError(ALREADY_MEMBER.format(**fmt))
        elif result is JoinResult.ALREADY_WAITING:
            raise CommandError(ALREADY_WAITING.format(**fmt))
        else:
            raise CommandError(CLOSED_WAITLIST.format(**fmt))

    async def leave(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        departure = await self._repo.leave(circle.id, inv.invoker.id, inv.at)
        fmt = {"circle": circle.name, "prefix": inv.prefix}
        if departure.was_member:
            await inv.reply(LEFT.format(**fmt), Visibility.PERSONAL)
        elif departure.was_waiting:
            await inv.reply(LEFT_WAITLIST.format(**fmt), Visibility.PERSONAL)
        elif departure.was_requesting:
            await inv.reply(WITHDRAWN.format(**fmt), Visibility.PERSONAL)
        else:
            raise CommandError(NOT_IN.format(**fmt))
        await self._after_departure(circle, inv.invoker, departure, inv.prefix)

    async def remove_member(
        self, circle: Circle, member: MemberRef, at: datetime, prefix: str
    ) -> None:
        """Take someone out of a circle entirely (used by ``privacy forget``)."""
        departure = await self._repo.leave(circle.id, member.id, at)
        await self._after_departure(circle, member, departure, prefix)

    async def _after_departure(
        self, circle: Circle, member: MemberRef, departure: Departure, prefix: str
    ) -> None:
        if departure.was_member:
            await self._services.bus.publish(LeftCircle(circle, member))
        if departure.holder_changed:
            await self._announce_holder(circle, departure.new_holder, prefix)
        if departure.promoted is not None:
            await self._welcome_promoted(circle, departure.promoted, prefix)

    @staticmethod
    def _joined(circle: Circle, name: str, prefix: str) -> str:
        offer = PREFERENCE_OFFER.format(prefix=prefix, named="")
        return JOINED.format(circle=circle.name, name=name, prefix=prefix, offer=offer)

    @staticmethod
    def _offer(circle: Circle, prefix: str) -> str:
        """The preference choice, for a private note (so it names the circle)."""
        return PREFERENCE_OFFER.format(prefix=prefix, named=f" {_quoted(circle.name)}")

    async def _welcome_promoted(self, circle: Circle, member_id: str, prefix: str) -> None:
        member = circle.member(member_id)
        await self._private(
            member,
            PROMOTED_PRIVATE.format(
                circle=circle.name, prefix=prefix, offer=self._offer(circle, prefix)
            ),
        )
        await self._chat.send(
            circle.home,
            PROMOTED_PUBLIC.format(circle=circle.name, name=await self._name(member, circle.room)),
        )
        await self._services.bus.publish(JoinedCircle(circle, member))

    async def _tell_facilitators(self, circle: Circle, member: MemberRef, prefix: str) -> None:
        name = await self._name(member, circle.room)
        text = REQUEST_FOR_FACILITATORS.format(
            name=name, circle=circle.name, prefix=prefix, handle=self._chat.member_handle(member)
        )
        reached = [
            await self._private(circle.member(f), text) for f in await self._repo.rota(circle.id)
        ]
        if not any(reached):  # nobody could be told privately: a note in the circle, naming no one
            await self._chat.send(
                circle.home, REQUEST_WAITING.format(circle=circle.name, prefix=prefix)
            )

    # --- requests ---------------------------------------------------------------------------

    async def requests(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        roster = await self._repo.roster(circle.id)
        if roster is None or not roster.requests:
            await inv.reply(NO_REQUESTS.format(circle=circle.name), Visibility.PERSONAL)
            return
        names = await self._names(circle, roster.requests)
        await inv.reply(
            REQUESTS.format(circle=circle.name, names=", ".join(names), prefix=inv.prefix),
            Visibility.PERSONAL,
        )

    async def approve(self, inv: Invocation) -> None:
        await self._decide(inv, approve=True)

    async def decline(self, inv: Invocation) -> None:
        await self._decide(inv, approve=False)

    async def _decide(self, inv: Invocation, *, approve: bool) -> None:
        circle = await self._circle(inv)
        member = _required_member(inv)
        name = await self._name(member, circle.room)
        result = await self._repo.decide_request(circle.id, member.id, approve, inv.at)
        fmt = {"circle": circle.name, "name": name, "prefix": inv.prefix}
        if result is JoinResult.ALREADY_MEMBER:
            raise CommandError(f"{name} is already part of {circle.name}.")
        if result is JoinResult.NOT_REQUESTED and approve:
            raise CommandError(NOT_REQUESTED.format(**fmt))
        if not approve:
            if result is not JoinResult.NOT_REQUESTED:
                raise CommandError(NOT_REQUESTED.format(**fmt))
            facilitators = await self._names(circle, await self._repo.rota(circle.id))
            await self._private(
                member, DECLINED_PRIVATE.format(facilitators=spoken_list(facilitators), **fmt)
            )
            await inv.reply(DECLINED.format(**fmt), Visibility.PERSONAL)
            return
        if result is JoinResult.JOINED:
            await self._private(
                member, APPROVED_PRIVATE.format(offer=self._offer(circle, inv.prefix), **fmt)
            )
            await inv.reply(APPROVED.format(**fmt))
            await self._services.bus.publish(JoinedCircle(circle, member))
        else:
            await self._private(member, APPROVED_FULL_PRIVATE.format(**fmt))
            await inv.reply(APPROVED_FULL.format(**fmt), Visibility.PERSONAL)

    # --- looking around ---------------------------------------------------------------------

    async def list_circles(self, inv: Invocation) -> None:
        room = inv.need_room
        circles = await self._repo.in_space(room.space)
        if not circles:
            await inv.reply(NO_CIRCLES.format(prefix=inv.prefix), Visibility.PERSONAL)
            return
        lines = ["**Circles here**"]
        for circle in circles:
            count = len(await self._repo.members(circle.id))
            state = "resting" if circle.archived else (OPEN_TEXT if circle.is_open else CLOSED_TEXT)
            about = f" — {circle.description}" if circle.description else ""
            lines.append(
                f"• **{circle.name}** · {_places(count, circle.capacity)} · {state}{about}"
            )
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def members(self, inv: Invocation) -> None:
        """Members, facilitators and moderators see who is in the circle; anyone else sees how
        many. A preference shows only to the circle's facilitators and to the member."""
        circle = await self._circle(inv)
        roster = await self._repo.roster(circle.id)
        if roster is None:
            raise CommandError(f"I couldn't find {circle.name} any more.")
        facilitator = await self._repo.is_facilitator(circle.id, inv.invoker.id)
        facilitating = facilitator or inv.is_moderator
        member = any(m.member_id == inv.invoker.id for m in roster.members)
        lines = [
            f"**{circle.name}** · {_places(len(roster.members), circle.capacity)} · "
            f"{'resting' if circle.archived else (OPEN_TEXT if circle.is_open else CLOSED_TEXT)} · {circle.time_zone}"
        ]
        if circle.description:
            lines.append(f"_{circle.description}_")
        if not (member or facilitating):
            count = len(roster.members)
            lines.append(
                MEMBERS_COUNT.format(
                    count=count,
                    s="" if count == 1 else "s",
                    prefix=inv.prefix,
                    circle=_quoted(circle.name),
                )
            )
            await inv.reply("\n".join(lines), Visibility.PERSONAL)
            return
        for membership in roster.members:
            name = await self._name(circle.member(membership.member_id), circle.room)
            marks = []
            if membership.member_id == circle.holder_id:
                marks.append("facilitating")
            elif membership.member_id in roster.rota:
                marks.append("on the rota")
            if membership.preference is not None:
                if facilitator:
                    marks.append(membership.preference.label)
                elif membership.member_id == inv.invoker.id:
                    marks.append(
                        f"{membership.preference.label} (only you and the facilitators see this)"
                    )
            lines.append(f"• {name}" + (f" · {', '.join(marks)}" if marks else ""))
        if roster.waitlist:
            if facilitating:
                lines.append(f"Waitlist: {', '.join(await self._names(circle, roster.waitlist))}")
            else:
                lines.append(f"Waitlist: {len(roster.waitlist)} waiting")
        if facilitating and roster.requests:
            lines.append(f"Asking to join: {', '.join(await self._names(circle, roster.requests))}")
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def info(self, inv: Invocation) -> None:
        """What someone would like to know before joining, or as a new member: no member's
        name beyond the facilitators, whose names are how people find their way in."""
        circle = await self._circle(inv)
        roster = await self._repo.roster(circle.id)
        if roster is None:
            raise CommandError(f"I couldn't find {circle.name} any more.")
        openness = "resting" if circle.archived else (OPEN_TEXT if circle.is_open else CLOSED_TEXT)
        lines = [f"**{circle.name}**"]
        if circle.description:
            lines.append(f"_{circle.description}_")
        lines.append(
            INFO_PLACES.format(
                places=_places(len(roster.members), circle.capacity),
                openness=openness,
                zone=circle.time_zone,
            )
        )
        lines.append(await self._facilitators_line(circle, roster))
        wanted = InfoWanted(circle, InfoTopic.CIRCLE, inv.prefix)
        await self._services.bus.publish(wanted)
        lines += wanted.ordered
        lines.append(self._way_in(circle, roster, inv))
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def _facilitators_line(self, circle: Circle, roster: CircleRoster) -> str:
        if not roster.rota:
            return INFO_NO_FACILITATORS
        names = []
        for member_id in rotation_order(roster.rota, circle.holder_id):
            name = await self._name(circle.member(member_id), circle.room)
            names.append(f"{name} (facilitating now)" if member_id == circle.holder_id else name)
        return INFO_FACILITATORS.format(names=", ".join(names))

    @staticmethod
    def _way_in(circle: Circle, roster: CircleRoster, inv: Invocation) -> str:
        mine = next((m for m in roster.members if m.member_id == inv.invoker.id), None)
        if mine is not None:
            preference = (
                INFO_MEMBER_PREFERENCE.format(label=mine.preference.label)
                if mine.preference
                else ""
            )
            return INFO_MEMBER.format(preference=preference)
        fmt = {"prefix": inv.prefix, "circle": _quoted(circle.name)}
        if circle.archived:
            return INFO_RESTING
        if not circle.is_open:
            return INFO_JOIN_REQUEST.format(**fmt)
        if len(roster.members) >= circle.capacity:
            return INFO_JOIN_FULL.format(**fmt)
        return INFO_JOIN_OPEN.format(**fmt)

    # --- preferences ------------------------------------------------------------------------

    async def preference(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        choice = inv.text("preference") or "unset"
        preference = None if choice == "unset" else Preference(choice)
        if not await self._repo.set_preference(circle.id, inv.invoker.id, preference):
            raise CommandError(NOT_A_MEMBER.format(circle=circle.name, prefix=inv.prefix))
        if preference is None:
            await inv.reply(PREFERENCE_CLEARED.format(circle=circle.name), Visibility.PERSONAL)
        else:
            await inv.reply(
                PREFERENCE_SET.format(circle=circle.name, label=preference.label),
                Visibility.PERSONAL,
            )

    # --- the rota ---------------------------------------------------------------------------

    async def rota_show(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        rota = await self._repo.rota(circle.id)
        if not rota:
            await inv.reply(ROTA_EMPTY.format(circle=circle.name), Visibility.PERSONAL)
            return
        order = await self._names(circle, rotation_order(rota, circle.holder_id))
        holder = await self._name(circle.member(circle.holder_id or rota[0]), circle.room)
        wanted = InfoWanted(circle, InfoTopic.ROTA, inv.prefix)
        await self._services.bus.publish(wanted)  # an automatic hand-over says so
        text = "\n".join(
            [
                ROTA.format(circle=circle.name, order=" → ".join(order), holder=holder),
                *wanted.ordered,
            ]
        )
        await inv.reply(text, Visibility.PERSONAL)

    async def rota_add(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        member = _required_member(inv)
        name = await self._name(member, circle.room)
        if await self._repo.membership(circle.id, member.id) is None:
            raise CommandError(ROTA_NEEDS_MEMBER.format(name=name, circle=circle.name))
        if not await self._repo.add_to_rota(circle.id, member.id):
            raise CommandError(ROTA_ALREADY.format(name=name, circle=circle.name))
        updated = await self._circle(inv)
        order = await self._names(
            updated, rotation_order(await self._repo.rota(circle.id), updated.holder_id)
        )
        await inv.reply(ROTA_ADDED.format(name=name, circle=circle.name, order=" → ".join(order)))

    async def rota_remove(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        member = _required_member(inv)
        name = await self._name(member, circle.room)
        rota = await self._repo.rota(circle.id)
        if member.id not in rota:
            raise CommandError(ROTA_NOT_ON.format(name=name, circle=circle.name))
        if rota == [member.id]:
            raise CommandError(ROTA_LAST.format(name=name, circle=circle.name))
        changed, holder = await self._repo.remove_from_rota(circle.id, member.id)
        if member.id == inv.invoker.id:
            await inv.reply(ROTA_REMOVED.format(name=name, circle=circle.name))
        else:  # someone else's choice: say whose, and let the person hear it from us privately
            by = await self._name(inv.invoker, circle.room)
            await inv.reply(ROTA_REMOVED_BY.format(name=name, circle=circle.name, by=by))
            await self._private(member, ROTA_REMOVED_PRIVATE.format(by=by, circle=circle.name))
        if changed:
            await self._announce_holder(circle, holder, inv.prefix)

    async def rota_pass(self, inv: Invocation) -> None:
        """The holder passes facilitation on; a moderator may too (and the circle hears who).
        Another rota member can't take it from the holder."""
        circle = await self._circle(inv)
        rota = await self._repo.rota(circle.id)
        holding = circle.holder_id if circle.holder_id in rota else None
        if holding is not None and holding != inv.invoker.id and not inv.is_moderator:
            holder = await self._name(circle.member(holding), circle.room)
            raise CommandError(NOT_THE_HOLDER.format(holder=holder, circle=circle.name))
        by = None if holding in (None, inv.invoker.id) else inv.invoker
        await inv.reply(await self.pass_facilitation(circle, inv.prefix, by=by))

    async def pass_facilitation(
        self, circle: Circle, prefix: str, *, by: MemberRef | None = None
    ) -> str:
        """Move facilitation to the next person on the rota; return what to tell the circle.
        ``by``: someone other than the holder passed it (named in what the circle hears).

        Also used by scheduled rotation.
        """
        rota = await self._repo.rota(circle.id)
        if not rota:
            return ROTA_EMPTY.format(circle=circle.name)
        current = circle.holder_id if circle.holder_id in rota else rota[0]
        following = next_holder(rota, current)
        current_name = await self._name(circle.member(current), circle.room)
        if following is None or following == current:
            return PASS_ALONE.format(name=current_name, circle=circle.name, prefix=prefix)
        await self._repo.set_holder(circle.id, following)
        fmt = {
            "circle": circle.name,
            "name": await self._name(circle.member(following), circle.room),
            "previous": current_name,
        }
        if by is not None:
            return PASSED_ON_BY.format(by=await self._name(by, circle.room), **fmt)
        return PASSED_ON.format(**fmt)

    async def _announce_holder(self, circle: Circle, holder: str | None, prefix: str) -> None:
        if holder is None:
            text = NO_HOLDER.format(circle=circle.name, prefix=prefix)
        else:
            text = HOLDER_NOW.format(
                name=await self._name(circle.member(holder), circle.room), circle=circle.name
            )
        await self._chat.send(circle.home, text)

    # --- resting ----------------------------------------------------------------------------

    async def close(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        if circle.archived:
            raise CommandError(ALREADY_ARCHIVED.format(circle=circle.name))
        await self._repo.set_archived(circle.id, inv.at)
        await inv.reply(ARCHIVED.format(circle=circle.name, prefix=inv.prefix))
        await self._services.bus.publish(CircleArchived(circle))

    async def reopen(self, inv: Invocation) -> None:
        circle = await self._circle(inv)
        if not circle.archived:
            raise CommandError(NOT_ARCHIVED.format(circle=circle.name))
        await self._repo.set_archived(circle.id, None)
        await inv.reply(REOPENED.format(circle=circle.name))
        reopened = await self._repo.get(circle.id)
        if reopened is not None:
            await self._services.bus.publish(CircleReopened(reopened))

    # --- data care --------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Circles",
            keeps=(
                "which circles you're part of, since when, and the support preference you chose (only you and the circle's facilitators see it)",
                "requests to join a closed circle, and your place on a waitlist",
                "your place on a facilitation rota",
                "while a check-in round is open: your place in the order and whether you shared or passed (never what you said); this goes when the round closes",
            ),
            kept_for="until you leave the circle, or ask me to forget you",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        memberships = await self._repo.memberships_of(member.platform, member.id)
        waiting, requests = await self._repo.waiting_and_requests_of(member.platform, member.id)
        facilitating = [
            circle.name
            for circle, _ in memberships
            if member.id in await self._repo.rota(circle.id)
        ]
        rounds = await self._repo.rounds_touching(member.platform, member.id)
        return {
            "memberships": [
                {
                    "circle": circle.name,
                    "joined_at": to_iso(membership.joined_at),
                    "preference": membership.preference.value if membership.preference else None,
                }
                for circle, membership in memberships
            ],
            "waitlists": waiting,
            "requests": requests,
            "facilitation_rotas": facilitating,
            "open_rounds": [
                {"circle": name, "turn": outcome or "still to come"} for name, outcome in rounds
            ],
        }

    async def forget_member(self, member: MemberRef) -> None:
        prefix = self._chat.command_prefix(member.platform)
        for circle_id in await self._repo.circle_ids_touching(member.platform, member.id):
            circle = await self._repo.get(circle_id)
            if circle is None:
                continue
            await self.remove_member(circle, member, self._services.clock.now(), prefix)
            changed, holder = await self._repo.remove_from_rota(circle.id, member.id)
            if changed:
                await self._announce_holder(circle, holder, prefix)
        await self._repo.forget_authorship(member.platform, member.id)

    # --- helpers ----------------------------------------------------------------------------

    async def _circle(self, inv: Invocation) -> Circle:
        return await invoked_circle(self._repo, inv)

    async def _name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        return await self._chat.display_name(member, room)

    async def _names(self, circle: Circle, member_ids: Sequence[str]) -> list[str]:
        return [await self._name(circle.member(m), circle.room) for m in member_ids]

    async def _private(self, member: MemberRef, text: str) -> bool:
        """Send privately; False (and a log line) when the person can't be reached."""
        try:
            await self._chat.send_private(member, text)
        except DeliveryError:
            log.info("could not reach %s privately", member.id)
            return False
        return True


def _places(count: int, capacity: int) -> str:
    """``3 of 12 places``; when a circle holds more people than places, say both plainly."""
    if count > capacity:
        return f"{count} members, {capacity} places"
    return f"{count} of {capacity} places"


def _quoted(name: str) -> str:
    """A circle's name as it can be typed back in a command."""
    return f'"{name}"' if any(ch.isspace() for ch in name) else name


def _required_member(inv: Invocation) -> MemberRef:
    member = inv.member("member")
    if member is None:
        raise CommandError(f"I need to know who: `{inv.usage()}`.")
    return member
