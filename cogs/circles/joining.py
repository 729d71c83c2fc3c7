"""Joining and leaving a circle: places, requests to closed circles, the waitlist, and the
support preference each member may show."""

from __future__ import annotations

from datetime import datetime

from bot.chat import MemberRef, Visibility
from bot.commands import CommandError, Invocation
from bot.commands.options import CIRCLE, MEMBER
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from bot.outbound import tell
from cogs.circles.command_set import CommandSet
from cogs.circles.lookup import circle_of
from cogs.circles.model import Circle, Departure, JoinedCircle, JoinResult, LeftCircle, Preference
from cogs.circles.names import spoken_list
from cogs.circles.texts import (
    ALREADY_MEMBER,
    ALREADY_REQUESTED,
    ALREADY_WAITING,
    APPROVED,
    APPROVED_FULL,
    APPROVED_FULL_PRIVATE,
    APPROVED_PRIVATE,
    CLOSED_WAITLIST,
    DECLINED,
    DECLINED_PRIVATE,
    FULL,
    JOINED,
    LEFT,
    LEFT_WAITLIST,
    NO_REQUESTS,
    NOT_A_MEMBER,
    NOT_IN,
    NOT_REQUESTED,
    PREFERENCE_CLEARED,
    PREFERENCE_OFFER,
    PREFERENCE_SET,
    PROMOTED_PRIVATE,
    PROMOTED_PUBLIC,
    REQUEST_FOR_FACILITATORS,
    REQUEST_WAITING,
    REQUESTED,
    REQUESTS,
    WAITLISTED,
    WITHDRAWN,
    quoted,
)

JOIN = CommandSpec(("circle", "join"), "Join a circle, or ask to join a closed one.", (CIRCLE,))
WAIT = CommandSpec(("circle", "wait"), "Take a place on a full circle's waitlist.", (CIRCLE,))
LEAVE = CommandSpec(
    ("circle", "leave"), "Leave a circle, its waitlist, or withdraw a request.", (CIRCLE,)
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
    (MEMBER, CIRCLE),
    permission=Permission.FACILITATOR,
)
DECLINE = CommandSpec(
    ("circle", "decline"),
    "Decline a request to join; the person hears privately.",
    (MEMBER, CIRCLE),
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


class Joining(CommandSet):
    @command(JOIN)
    async def join(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        result = await self._repo.join(circle.id, inv.invoker.id, inv.at)
        fmt = {"circle": circle.name, "prefix": inv.prefix}
        if result is JoinResult.JOINED:
            await self._welcome(inv, circle)
        elif result is JoinResult.ALREADY_MEMBER:
            raise CommandError(ALREADY_MEMBER.format(**fmt))
        elif result is JoinResult.FULL:
            raise CommandError(FULL.format(capacity=circle.capacity, **fmt))
        elif result is JoinResult.REQUESTED:
            await inv.reply(REQUESTED.format(**fmt), Visibility.PERSONAL)
            await self._tell_facilitators(circle, inv.invoker, inv.prefix)
        elif result is JoinResult.ALREADY_REQUESTED:
            raise CommandError(ALREADY_REQUESTED.format(**fmt))

    @command(WAIT)
    async def wait(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        result = await self._repo.wait(circle.id, inv.invoker.id, inv.at)
        fmt = {"circle": circle.name, "prefix": inv.prefix}
        if result is JoinResult.JOINED:
            await self._welcome(inv, circle)
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

    @command(LEAVE)
    async def leave(self, inv: Invocation) -> None:
        circle = circle_of(inv)
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

    async def welcome_promoted(self, circle: Circle, member_id: str, prefix: str) -> None:
        """A place opened and the first person waiting has it now: they hear privately, and
        the circle hears their name."""
        member = circle.member(member_id)
        await tell(
            self._chat,
            member,
            PROMOTED_PRIVATE.format(
                circle=circle.name, prefix=prefix, offer=_private_offer(circle, prefix)
            ),
        )
        await self._chat.send(
            circle.home,
            PROMOTED_PUBLIC.format(
                circle=circle.name, name=await self._names.of(circle, member_id)
            ),
        )
        await self._bus.publish(JoinedCircle(circle, member))

    async def _welcome(self, inv: Invocation, circle: Circle) -> None:
        name = await self._chat.display_name(inv.invoker, circle.room)
        offer = PREFERENCE_OFFER.format(prefix=inv.prefix, named="")
        await inv.reply(
            JOINED.format(circle=circle.name, name=name, prefix=inv.prefix, offer=offer)
        )
        await self._bus.publish(JoinedCircle(circle, inv.invoker))

    async def _after_departure(
        self, circle: Circle, member: MemberRef, departure: Departure, prefix: str
    ) -> None:
        if departure.was_member:
            await self._bus.publish(LeftCircle(circle, member))
        if departure.holder_changed:
            await self._facilitation.announce(circle, departure.new_holder, prefix)
        if departure.promoted is not None:
            await self.welcome_promoted(circle, departure.promoted, prefix)

    async def _tell_facilitators(self, circle: Circle, member: MemberRef, prefix: str) -> None:
        name = await self._chat.display_name(member, circle.room)
        text = REQUEST_FOR_FACILITATORS.format(
            name=name, circle=circle.name, prefix=prefix, handle=self._chat.member_handle(member)
        )
        reached = [
            await tell(self._chat, circle.member(f), text) for f in await self._repo.rota(circle.id)
        ]
        if not any(reached):  # nobody could be told privately: a note in the circle, naming no one
            await self._chat.send(
                circle.home, REQUEST_WAITING.format(circle=circle.name, prefix=prefix)
            )

    # --- requests ---------------------------------------------------------------------------

    @command(REQUESTS_SPEC)
    async def requests(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        roster = await self._repo.roster(circle.id)
        if roster is None or not roster.requests:
            await inv.reply(NO_REQUESTS.format(circle=circle.name), Visibility.PERSONAL)
            return
        names = await self._names.all(circle, roster.requests)
        await inv.reply(
            REQUESTS.format(circle=circle.name, names=", ".join(names), prefix=inv.prefix),
            Visibility.PERSONAL,
        )

    @command(APPROVE)
    async def approve(self, inv: Invocation) -> None:
        await self._decide(inv, approve=True)

    @command(DECLINE)
    async def decline(self, inv: Invocation) -> None:
        await self._decide(inv, approve=False)

    async def _decide(self, inv: Invocation, *, approve: bool) -> None:
        circle = circle_of(inv)
        member = inv.person()
        name = await self._chat.display_name(member, circle.room)
        result = await self._repo.decide_request(circle.id, member.id, approve, inv.at)
        fmt = {"circle": circle.name, "name": name, "prefix": inv.prefix}
        if result is JoinResult.ALREADY_MEMBER:
            raise CommandError(f"{name} is already part of {circle.name}.")
        if result is JoinResult.NOT_REQUESTED and approve:
            raise CommandError(NOT_REQUESTED.format(**fmt))
        if not approve:
            if result is not JoinResult.NOT_REQUESTED:
                raise CommandError(NOT_REQUESTED.format(**fmt))
            facilitators = await self._names.all(circle, await self._repo.rota(circle.id))
            await tell(
                self._chat,
                member,
                DECLINED_PRIVATE.format(facilitators=spoken_list(facilitators), **fmt),
            )
            await inv.reply(DECLINED.format(**fmt), Visibility.PERSONAL)
            return
        if result is JoinResult.JOINED:
            offer = _private_offer(circle, inv.prefix)
            await tell(self._chat, member, APPROVED_PRIVATE.format(offer=offer, **fmt))
            await inv.reply(APPROVED.format(**fmt))
            await self._bus.publish(JoinedCircle(circle, member))
        else:
            await tell(self._chat, member, APPROVED_FULL_PRIVATE.format(**fmt))
            await inv.reply(APPROVED_FULL.format(**fmt), Visibility.PERSONAL)

    # --- preferences ------------------------------------------------------------------------

    @command(PREFERENCE)
    async def preference(self, inv: Invocation) -> None:
        circle = circle_of(inv)
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


def _private_offer(circle: Circle, prefix: str) -> str:
    """The preference choice, for a private note (so it names the circle)."""
    return PREFERENCE_OFFER.format(prefix=prefix, named=f" {quoted(circle.name)}")
