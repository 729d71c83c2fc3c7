"""The facilitation rota, by hand: who is on it, adding and taking off, and passing it on."""

from __future__ import annotations

from bot.chat import Visibility
from bot.commands import CommandError, CommandSpec, Invocation, Permission, command
from bot.commands.options import CIRCLE, MEMBER
from bot.outbound import tell
from cogs.circles.command_set import CommandSet
from cogs.circles.lookup import circle_of
from cogs.circles.model import InfoTopic, InfoWanted
from cogs.circles.rota import rotation_order
from cogs.circles.texts import (
    NOT_THE_HOLDER,
    ROTA,
    ROTA_ADDED,
    ROTA_ALREADY,
    ROTA_EMPTY,
    ROTA_LAST,
    ROTA_NEEDS_MEMBER,
    ROTA_NOT_ON,
    ROTA_REMOVED,
    ROTA_REMOVED_BY,
    ROTA_REMOVED_PRIVATE,
)

ROTA_SHOW = CommandSpec(("circle", "rota", "show"), "Show the facilitation rota.", (CIRCLE,))
ROTA_ADD = CommandSpec(
    ("circle", "rota", "add"),
    "Add a member to the facilitation rota.",
    (MEMBER, CIRCLE),
    permission=Permission.FACILITATOR,
    changes=True,
)
ROTA_REMOVE = CommandSpec(
    ("circle", "rota", "remove"),
    "Take someone off the facilitation rota.",
    (MEMBER, CIRCLE),
    permission=Permission.FACILITATOR,
    changes=True,
)
ROTA_PASS = CommandSpec(
    ("circle", "rota", "pass"),
    "Pass facilitation on to the next person on the rota (the holder, or a moderator).",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
)


class RotaCommands(CommandSet):
    @command(ROTA_SHOW)
    async def rota_show(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        rota = await self._repo.rota(circle.id)
        if not rota:
            await inv.reply(ROTA_EMPTY.format(circle=circle.name), Visibility.PERSONAL)
            return
        order = await self._names.all(circle, rotation_order(rota, circle.holder_id))
        holder = await self._names.of(circle, circle.holder_id or rota[0])
        wanted = InfoWanted(circle, InfoTopic.ROTA, inv.prefix)
        await self._bus.publish(wanted)  # an automatic hand-over says so
        text = "\n".join(
            [
                ROTA.format(circle=circle.name, order=" → ".join(order), holder=holder),
                *wanted.ordered,
            ]
        )
        await inv.reply(text, Visibility.PERSONAL)

    @command(ROTA_ADD)
    async def rota_add(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        member = inv.person()
        name = await self._chat.display_name(member, circle.room)
        if not await self._repo.is_member(circle.id, member.id):
            raise CommandError(ROTA_NEEDS_MEMBER.format(name=name, circle=circle.name))
        if not await self._repo.add_to_rota(circle.id, member.id):
            raise CommandError(ROTA_ALREADY.format(name=name, circle=circle.name))
        updated = await self._repo.get(circle.id) or circle  # the first on a rota holds it
        order = await self._names.all(
            updated, rotation_order(await self._repo.rota(circle.id), updated.holder_id)
        )
        await inv.reply(ROTA_ADDED.format(name=name, circle=circle.name, order=" → ".join(order)))

    @command(ROTA_REMOVE)
    async def rota_remove(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        member = inv.person()
        name = await self._chat.display_name(member, circle.room)
        rota = await self._repo.rota(circle.id)
        if member.id not in rota:
            raise CommandError(ROTA_NOT_ON.format(name=name, circle=circle.name))
        if rota == [member.id]:
            raise CommandError(ROTA_LAST.format(name=name, circle=circle.name))
        changed, holder = await self._repo.remove_from_rota(circle.id, member.id)
        if member.id == inv.invoker.id:
            await inv.reply(ROTA_REMOVED.format(name=name, circle=circle.name))
        else:  # someone else's choice: say whose, and let the person hear it from us privately
            by = await self._chat.display_name(inv.invoker, circle.room)
            await inv.reply(ROTA_REMOVED_BY.format(name=name, circle=circle.name, by=by))
            await tell(self._chat, member, ROTA_REMOVED_PRIVATE.format(by=by, circle=circle.name))
        if changed:
            await self._facilitation.announce(circle, holder, inv.prefix)

    @command(ROTA_PASS)
    async def rota_pass(self, inv: Invocation) -> None:
        """The holder passes facilitation on; a moderator may too (and the circle hears who).
        Another rota member can't take it from the holder."""
        circle = circle_of(inv)
        rota = await self._repo.rota(circle.id)
        holding = circle.holder_id if circle.holder_id in rota else None
        if holding is not None and holding != inv.invoker.id and not inv.is_moderator:
            holder = await self._names.of(circle, holding)
            raise CommandError(NOT_THE_HOLDER.format(holder=holder, circle=circle.name))
        by = None if holding in (None, inv.invoker.id) else inv.invoker
        await inv.reply(await self._facilitation.pass_on(circle, inv.prefix, by=by))
