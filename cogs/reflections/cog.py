"""Reflection prompts on schedules, meeting reminders and automatic facilitation hand-overs:
the shell that gathers them into one cog. Schedules by hand are in ``schedules.py`` (meetings
and automatic hand-overs in ``meetings.py``), what
happens when one comes due in ``runner.py``, the ``prompt`` commands in ``prompts.py``, and
each circle's own deck of suggested prompts in ``circle_deck.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from bot.chat import Event, MemberRef, MessagePosted
from bot.clock import to_iso
from bot.cog import Cog, DataStatement, DomainEvent
from bot.commands import CircleHandle, Command, commands_of
from bot.dashboard import Section, Topic
from bot.feature import Context
from cogs.circles import CircleLookup, Facilitation, InfoWanted, LeftCircle, TimeZoneChanged
from cogs.reflections.choosing import Decks
from cogs.reflections.circle_deck import CircleDeck
from cogs.reflections.dashboard import ReflectionsDashboard
from cogs.reflections.library import DeckLibrary, deck_folder
from cogs.reflections.meeting_poll import MeetingPolls
from cogs.reflections.meetings import Meetings
from cogs.reflections.poll_repo import MeetingPollRepo
from cogs.reflections.prompts import PromptCommands
from cogs.reflections.repo import ReflectionsRepo
from cogs.reflections.runner import Runner
from cogs.reflections.schedules import Schedules
from cogs.reflections.settings import ReflectionsSettings

log = logging.getLogger(__name__)


class ReflectionsCog(Cog):
    name = "reflections"

    def __init__(
        self,
        context: Context[ReflectionsSettings],
        circles: CircleLookup,
        facilitation: Facilitation,
    ) -> None:
        services = context.services
        self._clock = services.clock
        self._repo = ReflectionsRepo(services.db)
        self._library = DeckLibrary(deck_folder(services.config, context.settings))
        self._circle_deck = CircleDeck(services.chat, self._repo, circles, self._library)
        decks = Decks(self._library, self._circle_deck)
        self._runner = Runner(
            repo=self._repo,
            chat=services.chat,
            clock=services.clock,
            timers=context.timers,
            circles=circles,
            facilitation=facilitation,
            decks=decks,
            settings=context.settings,
        )
        self._schedules = Schedules(self._repo, self._runner, decks)
        self._meetings = Meetings(self._repo, self._runner, decks)
        self._prompts = PromptCommands(self._repo, self._runner, decks)
        self._polls = MeetingPolls(
            repo=MeetingPollRepo(services.db),
            meetings=self._meetings,
            chat=services.chat,
            clock=services.clock,
            timers=context.timers,
            circles=circles,
        )
        self._dashboard = ReflectionsDashboard(self._repo, self._library)

    @property
    def repo(self) -> ReflectionsRepo:
        return self._repo

    @property
    def library(self) -> DeckLibrary:
        return self._library

    def commands(self) -> Sequence[Command]:
        return commands_of(
            self._schedules, self._meetings, self._polls, self._prompts, self._circle_deck
        )

    # --- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> None:
        report = await asyncio.to_thread(self._library.reload)
        for problem in report.problems:
            log.warning("prompt decks: %s", problem)
        await self._runner.start()
        await self._polls.start()

    async def stop(self) -> None:
        self._runner.stop()

    async def handle(self, event: Event | DomainEvent) -> None:
        if isinstance(event, MessagePosted):
            self._runner.activity.saw(event.room, min(event.at, self._clock.now()))
        elif isinstance(event, TimeZoneChanged):
            await self._runner.follow_zone(event.circle.id)
        elif isinstance(event, InfoWanted):
            await self._meetings.add_info(event)
        elif isinstance(event, LeftCircle):
            await self._polls.forget_answers_of(event.circle.id, event.member.id)

    async def dashboard(
        self, topic: Topic, circles: Sequence[CircleHandle]
    ) -> Mapping[int, Sequence[Section]]:
        """The web dashboard's schedules and prompts (``bot.dashboard.DashboardView``)."""
        return await self._dashboard.dashboard(topic, circles, self._clock.now())

    # --- data care ----------------------------------------------------------------------------

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Reflection prompts",
            keeps=(
                "prompts you suggest for a circle: your words and your name, while the facilitators decide. A declined one is deleted; an approved one joins the circle's own deck",
                "schedules, meeting times and automatic rotas you set up for a circle: that it was you who set them up",
                "meeting polls: your answers for each time offered (in a secret poll only until it closes; then only the counts remain), that you started a poll or chose its time, and the time zone you asked to see times in",
            ),
            kept_for="as long as the suggestion or schedule is there. If you ask me to forget you, your waiting suggestions are deleted, and your name comes off approved prompts (they stay in the circle's deck) and off schedules",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        suggestions = await self._repo.suggestions_of(member.platform, member.id)
        schedules = await self._repo.schedules_by(member.platform, member.id)
        polls = self._polls.repo
        answers = await polls.answers_by(member.platform, member.id)
        started = await polls.polls_by(member.platform, member.id)
        zone = await polls.zone_of(member)
        if not suggestions and not schedules and not answers and not started and zone is None:
            return {}
        return {
            "meeting_poll_answers": [
                {"circle": circle, "poll": poll, "time": to_iso(at), "answer": answer.words}
                for circle, poll, at, answer in answers
            ],
            "meeting_polls_started_or_decided": [
                {"circle": circle, "poll": poll} for circle, poll in started
            ],
            "time_zone_for_poll_times": zone,
            "suggested_prompts": [
                {
                    "circle": circle_name,
                    "text": s.text,
                    "status": "in the circle's deck"
                    if s.approved
                    else "waiting for the facilitators",
                    "suggested_at": to_iso(s.suggested_at),
                }
                for circle_name, s in suggestions
            ],
            "schedules_set_up": [
                {
                    "circle": s.circle_name,
                    "schedule": s.id,
                    "kind": s.kind.value,
                    "when": s.form,
                    "created_at": to_iso(s.created_at),
                }
                for s in schedules
            ],
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._repo.forget(member)
        await self._polls.repo.forget(member)
