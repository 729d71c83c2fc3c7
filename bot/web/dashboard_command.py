"""``dashboard``: a private, one-time sign-in link, declared in the engine like ``help``.

It is declared only while the web server is switched on. The link goes to the person alone:
ephemeral on Discord, a direct chat on Matrix, the sandbox's private messages.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.chat import Visibility
from bot.commands import CircleDirectory, Command, CommandError, CommandSpec, Invocation
from bot.web.links import LINK_LIFETIME, SignInLinks

DASHBOARD = CommandSpec(
    ("dashboard",),
    "Get a private link to the web dashboard (for moderators and facilitators).",
)
LINK = (
    "Here's your way into the dashboard: <{url}>\n"
    "It signs you in once, within the next {minutes} minutes. It's yours alone, "
    "so it's best not passed on."
)
NOT_FOR_YOU = (
    "The dashboard is where moderators and facilitators look after the circles here. "
    "If there's something you'd like to see or change, one of them could look at it with you."
)


def dashboard_command(
    links: SignInLinks, directory: CircleDirectory, sign_in_url: Callable[[str], str]
) -> Command:
    """``sign_in_url`` turns a link's token into the full address people open."""

    async def run(inv: Invocation) -> None:
        room = inv.need_room
        if not inv.is_moderator and not await directory.facilitates_any(room.space, inv.invoker):
            raise CommandError(NOT_FOR_YOU)
        token = links.issue(inv.invoker, room)
        minutes = int(LINK_LIFETIME.total_seconds() // 60)
        await inv.reply(LINK.format(url=sign_in_url(token), minutes=minutes), Visibility.PRIVATE)

    return Command(DASHBOARD, run)
