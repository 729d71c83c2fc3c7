"""Looking around: the circles of a space, who is in one (as far as the asker may see), and
what a newcomer would like to know about it."""

from __future__ import annotations

from bot.chat import Visibility
from bot.commands import CommandError, CommandSpec, Invocation, command
from bot.commands.options import CIRCLE
from cogs.circles.command_set import CommandSet
from cogs.circles.lookup import circle_of
from cogs.circles.model import Circle, CircleRoster, InfoTopic, InfoWanted
from cogs.circles.rota import rotation_order
from cogs.circles.texts import (
    INFO_FACILITATORS,
    INFO_JOIN_FULL,
    INFO_JOIN_OPEN,
    INFO_JOIN_REQUEST,
    INFO_MEMBER,
    INFO_MEMBER_PREFERENCE,
    INFO_NO_FACILITATORS,
    INFO_PLACES,
    INFO_RESTING,
    MEMBERS_COUNT,
    NO_CIRCLES,
    openness,
    places,
    quoted,
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


class Listing(CommandSet):
    @command(LIST)
    async def list_circles(self, inv: Invocation) -> None:
        room = inv.need_room
        circles = await self._repo.in_space(room.space)
        if not circles:
            await inv.reply(NO_CIRCLES.format(prefix=inv.prefix), Visibility.PERSONAL)
            return
        lines = ["**Circles here**"]
        for circle in circles:
            count = len(await self._repo.members(circle.id))
            state = openness(circle.archived, circle.is_open)
            about = f" — {circle.description}" if circle.description else ""
            lines.append(f"• **{circle.name}** · {places(count, circle.capacity)} · {state}{about}")
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    @command(MEMBERS)
    async def members(self, inv: Invocation) -> None:
        """Members, facilitators and moderators see who is in the circle; anyone else sees how
        many. A preference shows only to the circle's facilitators and to the member."""
        circle = circle_of(inv)
        roster = await self._roster(circle)
        facilitator = await self._repo.is_facilitator(circle.id, inv.invoker.id)
        facilitating = facilitator or inv.is_moderator
        member = any(m.member_id == inv.invoker.id for m in roster.members)
        lines = [
            f"**{circle.name}** · {places(len(roster.members), circle.capacity)} · "
            f"{openness(circle.archived, circle.is_open)} · {circle.time_zone}"
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
                    circle=quoted(circle.name),
                )
            )
            await inv.reply("\n".join(lines), Visibility.PERSONAL)
            return
        for membership in roster.members:
            name = await self._names.of(circle, membership.member_id)
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
                waiting = await self._names.all(circle, roster.waitlist)
                lines.append(f"Waitlist: {', '.join(waiting)}")
            else:
                lines.append(f"Waitlist: {len(roster.waitlist)} waiting")
        if facilitating and roster.requests:
            asking = await self._names.all(circle, roster.requests)
            lines.append(f"Asking to join: {', '.join(asking)}")
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    @command(INFO)
    async def info(self, inv: Invocation) -> None:
        """What someone would like to know before joining, or as a new member: no member's
        name beyond the facilitators, whose names are how people find their way in."""
        circle = circle_of(inv)
        roster = await self._roster(circle)
        lines = [f"**{circle.name}**"]
        if circle.description:
            lines.append(f"_{circle.description}_")
        lines.append(
            INFO_PLACES.format(
                places=places(len(roster.members), circle.capacity),
                openness=openness(circle.archived, circle.is_open),
                zone=circle.time_zone,
            )
        )
        lines.append(await self._facilitators_line(circle, roster))
        wanted = InfoWanted(circle, InfoTopic.CIRCLE, inv.prefix)
        await self._bus.publish(wanted)
        lines += wanted.ordered
        lines.append(self._way_in(circle, roster, inv))
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    async def _roster(self, circle: Circle) -> CircleRoster:
        roster = await self._repo.roster(circle.id)
        if roster is None:
            raise CommandError(f"I couldn't find {circle.name} any more.")
        return roster

    async def _facilitators_line(self, circle: Circle, roster: CircleRoster) -> str:
        if not roster.rota:
            return INFO_NO_FACILITATORS
        names = []
        for member_id in rotation_order(roster.rota, circle.holder_id):
            name = await self._names.of(circle, member_id)
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
        fmt = {"prefix": inv.prefix, "circle": quoted(circle.name)}
        if circle.archived:
            return INFO_RESTING
        if not circle.is_open:
            return INFO_JOIN_REQUEST.format(**fmt)
        if len(roster.members) >= circle.capacity:
            return INFO_JOIN_FULL.format(**fmt)
        return INFO_JOIN_OPEN.format(**fmt)
