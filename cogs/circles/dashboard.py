"""The kernel's part of the web dashboard: each circle's places, openness, waitlist and rota
(``bot.dashboard``'s read model), read for many circles at once, and the forms for resting,
reopening and changing a circle, which run the kernel's own commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.chat import Chat
from bot.commands import CircleHandle
from bot.dashboard import Action, Fact, Section, Topic
from cogs.circles import texts
from cogs.circles.model import Circle
from cogs.circles.repo import CirclesRepo


class CircleOverview:
    def __init__(self, repo: CirclesRepo, chat: Chat) -> None:
        self._repo = repo
        self._chat = chat

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]:
        if topic is not Topic.CIRCLES:
            return {}
        mine = [c for c in circles if isinstance(c, Circle)]
        counts = await self._repo.overview([c.id for c in mine])
        out: dict[int, Sequence[Section]] = {}
        names: dict[tuple[str, str], str] = {}  # one question per person and space, not per circle

        async def name(circle: Circle, member_id: str) -> str:
            key = (circle.space.id, member_id)
            if key not in names:
                names[key] = await self._chat.display_name(circle.member(member_id), circle.room)
            return names[key]

        for circle in mine:
            count = counts[circle.id]
            # Names go only to those who see the circle at all: its facilitators and the
            # space's moderators (the dashboard asks for no other circles).
            rota = [await name(circle, m) for m in count.rota]
            holder = await name(circle, circle.holder_id) if circle.holder_id else None
            facts = [
                Fact(
                    texts.DASH_MEMBERS,
                    texts.DASH_PLACES.format(members=count.members, capacity=circle.capacity),
                ),
                Fact(
                    texts.DASH_JOINING,
                    texts.DASH_RESTING
                    if circle.archived
                    else (texts.OPEN_TEXT if circle.is_open else texts.CLOSED_TEXT),
                ),
                Fact(texts.DASH_WAITING, str(count.waiting)),
                Fact(texts.DASH_ASKING, str(count.asking)),
                Fact(texts.DASH_ROTA, ", ".join(rota) or texts.DASH_ROTA_EMPTY),
            ]
            if holder:
                facts.append(Fact(texts.DASH_HOLDING, holder))
            facts.append(Fact(texts.DASH_ZONE, circle.time_zone))
            if circle.archived:
                actions = [Action(texts.DASH_REOPEN, ("circle", "reopen"))]
            else:
                actions = [
                    Action(
                        texts.DASH_EDIT,
                        ("circle", "edit"),
                        fields=("capacity", "open", "time_zone"),
                        values={
                            "capacity": str(circle.capacity),
                            "open": "yes" if circle.is_open else "no",
                            "time_zone": circle.time_zone,
                        },
                    ),
                    Action(texts.DASH_CLOSE, ("circle", "close")),
                ]
            out[circle.id] = [Section(texts.DASH_SECTION, tuple(facts), actions=tuple(actions))]
        return out
