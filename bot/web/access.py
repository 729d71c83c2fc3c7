"""Who may see and change what on the dashboard, asked afresh at every request.

A session only says who signed in and where. Whether they moderate that space comes from the
platform now (a role taken away an hour ago counts now), and whether they facilitate a circle
comes from the circle's rota in the store. A moderator of the space may see and change
everything in it; a facilitator only the circles they help hold; anyone else nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.chat import Chat, DeliveryError, MemberRef, RoomRef, SpaceRef
from bot.commands import CircleDirectory, CircleHandle
from bot.web.sessions import Session

log = logging.getLogger(__name__)


class PlatformAway(Exception):
    """The platform can't be asked right now, so nobody's role can be known."""


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person behind one request, with their roles as the platform gives them now."""

    member: MemberRef
    room: RoomRef
    name: str
    moderator: bool
    facilitator: bool  # of at least one circle in the space

    @property
    def space(self) -> SpaceRef:
        return self.room.space

    @property
    def allowed(self) -> bool:
        """Whether the dashboard has anything for them at all."""
        return self.moderator or self.facilitator


class Access:
    def __init__(self, chat: Chat, directory: CircleDirectory) -> None:
        self._chat = chat
        self._directory = directory

    async def viewer(self, session: Session) -> Viewer:
        """Ask the platform (and the rotas) who this is now. Raises ``PlatformAway``."""
        member, room = session.member, session.room
        try:
            moderator = await self._chat.is_moderator(member, room)
            name = await self._chat.display_name(member, room)
        except DeliveryError as error:
            log.info("could not check a dashboard viewer's roles (%s)", error)
            raise PlatformAway(str(error)) from None
        facilitator = await self._directory.facilitates_any(room.space, member)
        return Viewer(member, room, name, moderator=moderator, facilitator=facilitator)

    async def may_manage(self, viewer: Viewer, circle: CircleHandle) -> bool:
        """Whether ``viewer`` may see and change ``circle``: the pages call this for each one,
        for reading and for every form they accept."""
        if circle.room.space != viewer.space:
            return False  # another community's circle, whoever is asking
        if viewer.moderator:
            return True
        return await self._directory.facilitates(circle.id, viewer.member)
