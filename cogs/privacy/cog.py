"""Privacy: ``privacy show`` tells what each cog keeps about you, ``privacy export`` sends it
to you privately as JSON, and ``privacy forget`` erases it everywhere after a confirmation."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.chat import MemberRef, Visibility
from bot.clock import to_iso
from bot.cog import Cog, EventBus, Services
from bot.commands import Command, CommandError, CommandSpec, Invocation, Option, OptionKind

log = logging.getLogger(__name__)

CONFIRM_WITHIN = timedelta(minutes=10)

STATEMENT_HEAD = "**What I keep about you**"
NEVER_KEPT = (
    "**Never kept:** what anyone says in conversation. I read messages as they pass (to follow "
    "a round, or to notice advice drifting in) and keep nothing of them. The only words I keep "
    "are the ones you hand me on purpose, like a proposal or a suggested prompt, as listed above."
)
STATEMENT_FOOT = (
    "`{prefix}privacy export` sends you a copy privately; `{prefix}privacy forget` erases it all."
)
EXPORT_INTRO = "Here is everything I keep about you, as JSON:\n```json\n{data}\n```"
FORGET_ASK = (
    "This erases everything I keep about you, in every circle: memberships, preferences, "
    "places on waitlists and rotas, votes, suggested prompts, notes I've sent you, your own "
    "support note and calls (an open one is withdrawn), and your settings. You'll leave the circles you're part of; words you gave the group (proposals, "
    "approved prompts) stay with it, without your name. "
    "It can't be undone.\nIf you're sure, say `{prefix}privacy forget confirm` within 10 minutes."
)
FORGET_NOT_ASKED = "To be sure it's what you want, please say `{prefix}privacy forget` first; I'll explain what it erases and then ask you to confirm."
FORGOTTEN = "Done. I've forgotten what I kept about you. If you come back, you'll be welcome as someone new. 🌿"

SHOW = CommandSpec(
    ("privacy", "show"), "See what I keep about you, and for how long.", needs_space=False
)
EXPORT = CommandSpec(
    ("privacy", "export"), "Get a private copy of everything I keep about you.", needs_space=False
)
FORGET = CommandSpec(
    ("privacy", "forget"),
    "Erase everything I keep about you, after you confirm.",
    (Option("confirm", OptionKind.CHOICE, "Say confirm to go ahead", choices=("confirm",)),),
    needs_space=False,
)


class PrivacyCog(Cog):
    name = "privacy"

    def __init__(self, services: Services, bus: EventBus) -> None:
        self._clock = services.clock
        self._bus = bus
        self._asked: dict[MemberRef, datetime] = {}  # pending confirmations, memory only

    def commands(self) -> Sequence[Command]:
        return (
            Command(SHOW, self.show),
            Command(EXPORT, self.export),
            Command(FORGET, self.forget),
        )

    async def show(self, inv: Invocation) -> None:
        parts = [STATEMENT_HEAD]
        for cog in self._bus.cogs:
            statement = cog.data_statement()
            if statement is None:
                continue
            lines = [f"**{statement.title}**"]
            lines += [f"• {item}" for item in statement.keeps]
            lines.append(f"Kept {statement.kept_for}.")
            parts.append("\n".join(lines))
        parts.append(NEVER_KEPT)
        parts.append(STATEMENT_FOOT.format(prefix=inv.prefix))
        await inv.reply("\n\n".join(parts), Visibility.PERSONAL)

    async def export(self, inv: Invocation) -> None:
        data: dict[str, object] = {
            "member": inv.invoker.id,
            "platform": inv.invoker.platform.value,
            "exported_at": to_iso(inv.at),
        }
        for cog in self._bus.cogs:
            exported = await cog.export_member(inv.invoker)
            if exported:
                data[cog.name] = dict(exported)
        text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
        await inv.reply(EXPORT_INTRO.format(data=text), Visibility.PRIVATE)

    async def forget(self, inv: Invocation) -> None:
        member = inv.invoker
        if inv.text("confirm") != "confirm":
            self._asked[member] = inv.at
            await inv.reply(FORGET_ASK.format(prefix=inv.prefix), Visibility.PRIVATE)
            return
        asked = self._asked.pop(member, None)
        if asked is None or inv.at - asked > CONFIRM_WITHIN:
            raise CommandError(FORGET_NOT_ASKED.format(prefix=inv.prefix), Visibility.PRIVATE)
        for cog in self._bus.cogs:
            try:
                await cog.forget_member(member)
            except Exception:
                log.exception("%s could not forget a member", cog.name)
                raise
        await inv.reply(FORGOTTEN, Visibility.PRIVATE)
