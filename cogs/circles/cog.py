"""The circles cog: the kernel's commands (a circle's life, joining, looking around, the rota)
gathered into one cog, and what it keeps about people, with export and forgetting."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.chat import MemberRef
from bot.clock import Clock, to_iso
from bot.cog import Cog, DataStatement, Services
from bot.commands import CircleHandle, Command, commands_of
from bot.dashboard import Section, Topic
from cogs.circles.dashboard import CircleOverview
from cogs.circles.facilitation import Facilitation
from cogs.circles.joining import Joining
from cogs.circles.lifecycle import Lifecycle
from cogs.circles.listing import Listing
from cogs.circles.repo import CirclesRepo
from cogs.circles.rota_commands import RotaCommands
from cogs.circles.rounds_repo import RoundsRepo
from cogs.circles.settings import CirclesSettings

log = logging.getLogger(__name__)

KEEPS = (
    "which circles you're part of, since when, and the support preference you chose (only you and the circle's facilitators see it)",
    "requests to join a closed circle, and your place on a waitlist",
    "your place on a facilitation rota",
    "while a check-in round is open: your place in the order and whether you shared or passed (never what you said); this goes when the round closes",
)
KEPT_FOR = "until you leave the circle, or ask me to forget you"


class CirclesCog(Cog):
    name = "circles"

    def __init__(
        self,
        services: Services,
        settings: CirclesSettings,
        repo: CirclesRepo,
        rounds: RoundsRepo,
        facilitation: Facilitation,
    ) -> None:
        chat, bus = services.chat, services.bus
        self._chat = chat
        self._clock: Clock = services.clock
        self._repo = repo
        self._rounds = rounds
        self._facilitation = facilitation
        self._joining = Joining(repo, chat, bus, facilitation)
        self._lifecycle = Lifecycle(
            repo, chat, bus, facilitation, settings=settings, joining=self._joining
        )
        self._listing = Listing(repo, chat, bus, facilitation)
        self._rota = RotaCommands(repo, chat, bus, facilitation)
        self._overview = CircleOverview(repo, chat)

    def commands(self) -> Sequence[Command]:
        return commands_of(self._lifecycle, self._joining, self._listing, self._rota)

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]:
        """The web dashboard's facts about each circle (``bot.dashboard.DashboardView``)."""
        return await self._overview.dashboard(topic, circles)

    # --- data care --------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(title="Circles", keeps=KEEPS, kept_for=KEPT_FOR)

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        memberships = await self._repo.memberships_of(member)
        waiting, requests = await self._repo.waiting_and_requests_of(member)
        facilitating = [
            circle.name
            for circle, _ in memberships
            if member.id in await self._repo.rota(circle.id)
        ]
        rounds = await self._rounds.rounds_touching(member.platform, member.id)
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
        for circle_id in await self._repo.circle_ids_touching(member):
            circle = await self._repo.get(circle_id)
            if circle is None:
                continue
            await self._joining.remove_member(circle, member, self._clock.now(), prefix)
            changed, holder = await self._repo.remove_from_rota(circle.id, member.id)
            if changed:
                await self._facilitation.announce(circle, holder, prefix)
        await self._repo.forget_authorship(member)
