"""The contract driver for Matrix: people with nio clients on a real Synapse, the real bot.

The bot runs as ``circlekeeper run`` would (``BotRunner``: the app, the Matrix adapter, real
SQLite), and each person is an ordinary client syncing in the background (``Person``). Alice
creates the home room and invites everyone, so she is its creator and so a moderator.

The bot acts on one sync batch after another, in order. So after the bot comes back, the
driver asks it something harmless (``help privacy show``) and waits for the answer: by then
it has caught up with everything said before. The probe's answer is no post of the scenario's.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import nio

from bot.app import App
from bot.chat import (
    Chat,
    MemberRef,
    MessageEdited,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    RoomRef,
)
from bot.clock import ManualClock
from bot.platforms.matrix.commands import room_ref
from tests.contract.driver import MODERATOR, START, Post, Reply, caught_up, eventually, until
from tests.e2e.matrix_bot import BotRunner, MakeBot, MakePeople, Person, Said, thread_of

T = TypeVar("T")

PROBE = "help privacy show"


class MatrixDriver:
    platform = Platform.MATRIX
    prefix = "!ck "

    def __init__(
        self, bot: BotRunner, clock: ManualClock, people: dict[str, Person], room_id: str
    ) -> None:
        self._bot = bot
        self._clock = clock
        self._people = people
        self._room_id = room_id
        self._reactions: dict[tuple[str, str, str], str] = {}  # (who, post, key) -> event id
        self._probes: set[str] = set()  # the probes' answers, which are nobody's posts
        self._direct: dict[str, set[str]] = {who: set() for who in people}
        self._settled = False  # nothing was said, done or fired since the last probe

    @classmethod
    async def open(
        cls, matrix_bot: MakeBot, people: MakePeople, cast: tuple[str, ...]
    ) -> MatrixDriver:
        clock = ManualClock(START)
        names = (MODERATOR, *cast)
        starting = asyncio.ensure_future(matrix_bot(clock=clock))
        made = await asyncio.gather(*(people(who.capitalize()) for who in names))
        bot = await starting
        persons = dict(zip(names, made, strict=True))
        alice, others = persons[MODERATOR], [persons[who] for who in cast]
        created = await alice.client.room_create(invite=[bot.user_id, *(p.user_id for p in others)])
        assert isinstance(created, nio.RoomCreateResponse), created
        room_id = str(created.room_id)
        await asyncio.gather(*(p.join(room_id) for p in others))
        for user_id in (bot.user_id, *(p.user_id for p in others)):
            await alice.wait_joined(room_id, user_id)
        return cls(bot, clock, persons, room_id)

    def check_rules(self) -> None:
        """Every message the bot sent, in the room and in private, mentions nobody."""
        for person in self._people.values():
            for _, event in person.seen:
                if isinstance(event, Said) and event.sender == self._bot.user_id:
                    assert event.source["content"].get("m.mentions") == {}, event.source

    # --- who and where ---------------------------------------------------------------------

    @property
    def room(self) -> RoomRef:
        return room_ref(self._room_id)

    @property
    def chat(self) -> Chat:
        assert self._bot.adapter is not None
        return self._bot.adapter.chat

    @property
    def app(self) -> App:
        assert self._bot.app is not None, "the bot is down"
        return self._bot.app

    @property
    def database(self) -> Path:
        return self._bot.config.database_path

    def member(self, who: str) -> MemberRef:
        return MemberRef(Platform.MATRIX, self._people[who].user_id)

    def name(self, who: str) -> str:
        return self._people[who].name

    def handle(self, who: str) -> str:
        return self._people[who].user_id

    @property
    def _up(self) -> bool:
        return self._bot.app is not None

    # --- people ----------------------------------------------------------------------------

    async def say(self, who: str, text: str, *, thread: Post | None = None) -> Post:
        self._settled = False
        root = None if thread is None else (thread.thread or thread.id)
        event_id = await self._people[who].say(self._room_id, text, thread=root)
        if self._up:
            await eventually(
                lambda: any(e.message.id == event_id for e in self._bot.ear.of(MessagePosted)),
                f"the bot to read {text[:40]!r}",
            )
        return Post(event_id, text, root)

    async def answer(self, who: str, to: Post, text: str) -> Post:
        return await self.say(who, text, thread=to)

    async def edit(self, who: str, post: Post, text: str) -> None:
        self._settled = False
        heard = len(self._bot.ear.of(MessageEdited))
        replacing: dict[str, Any] = {
            "m.new_content": {"msgtype": "m.text", "body": text},
            "m.relates_to": {"rel_type": "m.replace", "event_id": post.id},
        }
        await self._people[who].say(self._room_id, f"* {text}", **replacing)
        if self._up:
            await self._heard(MessageEdited, heard + 1)

    async def react(self, who: str, post: Post, key: str) -> None:
        self._settled = False
        heard = len(self._bot.ear.of(ReactionAdded))
        event_id = await self._people[who].react(self._room_id, post.id, key)
        self._reactions[(who, post.id, key)] = event_id
        if self._up:
            await self._heard(ReactionAdded, heard + 1)

    async def unreact(self, who: str, post: Post, key: str) -> None:
        """Taking a reaction back is redacting the reaction event."""
        self._settled = False
        heard = len(self._bot.ear.of(ReactionRemoved))
        await self._people[who].redact(self._room_id, self._reactions.pop((who, post.id, key)))
        if self._up:
            await self._heard(ReactionRemoved, heard + 1)

    async def _heard(self, kind: type[object], count: int) -> None:
        await eventually(
            lambda: len(self._bot.ear.of(kind)) >= count, f"the bot to hear a {kind.__name__}"
        )

    async def ask(self, who: str, line: str, *, expect: str, thread: Post | None = None) -> Reply:
        self._settled = False
        person = self._people[who]
        mark = person.mark()
        root = None if thread is None else (thread.thread or thread.id)
        await person.say(self._room_id, self.prefix + line, thread=root)

        async def seen() -> Reply | None:
            await self._join_direct_rooms(who)
            for room_id, event in person.seen[mark:]:
                if (
                    isinstance(event, Said)
                    and event.sender == self._bot.user_id
                    and expect in event.body
                    and (room_id == self._room_id or room_id in self._direct[who])
                ):
                    if room_id != self._room_id:
                        return Reply(event.body, private=True)
                    return Reply(event.body, private=False, post=self._post(event))
            return None

        try:
            return await until(seen, f"the bot to say {expect!r} to {who}")
        except AssertionError:
            said = [e.body[:120] for _, e in person.seen[mark:] if isinstance(e, Said)]
            raise AssertionError(
                f"the bot never said {expect!r} to {who}; it said {said}"
            ) from None

    # --- what the bot said -----------------------------------------------------------------

    def _from_bot(self, person: Person, room_id: str | None = None) -> list[Said]:
        return [
            e
            for r, e in person.seen
            if r == (room_id or self._room_id)
            and isinstance(e, Said)
            and e.sender == self._bot.user_id
        ]

    def _post(self, event: Said) -> Post:
        return Post(event.event_id, event.body, thread_of(event))

    def _bot_posts(self, thread: Post | None) -> list[Post]:
        posts = [
            self._post(e)
            for e in self._from_bot(self._people[MODERATOR])
            if e.event_id not in self._probes and not _is_edit(e)
        ]
        return [p for p in posts if thread is None or p.thread == thread.id]

    async def bot_post(self, containing: str, *, thread: Post | None = None) -> Post:
        def found() -> Post | None:
            return next((p for p in self._bot_posts(thread) if containing in p.text), None)

        try:
            return await eventually(found, f"the bot to post {containing!r}")
        except AssertionError:
            said = [p.text[:120] for p in self._bot_posts(thread)]
            raise AssertionError(f"the bot never posted {containing!r}; it posted {said}") from None

    async def bot_posts(self, *, thread: Post | None = None) -> list[Post]:
        await self._settle()
        return self._bot_posts(thread)

    async def text_of(self, post: Post) -> str:
        """The newest of the bot's edits of ``post`` (``m.replace``), else what it first said."""
        await self._settle()
        text = post.text
        for event in self._from_bot(self._people[MODERATOR]):
            relates = event.source["content"].get("m.relates_to", {})
            if relates.get("rel_type") == "m.replace" and relates.get("event_id") == post.id:
                text = event.source["content"]["m.new_content"]["body"]
        return text

    async def _join_direct_rooms(self, who: str) -> None:
        """Join the rooms the bot invited ``who`` to: its direct rooms."""
        person = self._people[who]
        for room_id in person.invites:
            if room_id != self._room_id and room_id not in self._direct[who]:
                self._direct[who].add(room_id)
                await person.join(room_id)

    def _private_texts(self, who: str) -> list[str]:
        person = self._people[who]
        return [e.body for r in self._direct[who] for e in self._from_bot(person, r)]

    async def private(self, who: str, containing: str) -> str:
        async def found() -> str | None:
            await self._join_direct_rooms(who)
            return next((t for t in self._private_texts(who) if containing in t), None)

        return await until(found, f"{who} to be told {containing!r} privately")

    async def close_dms(self, who: str) -> None:
        # Matrix has no refusal to meet: the bot's invite to a direct room always goes out,
        # and a person who never joins it simply doesn't read it.
        raise AssertionError(
            "Matrix has no closed private messages; use the world_with_closed_dms fixture"
        )

    async def told_privately(self, who: str) -> list[str]:
        await self._settle()
        await self._join_direct_rooms(who)
        return self._private_texts(who)

    def heard(self, kind: type[T]) -> list[T]:
        return self._bot.ear.of(kind)

    async def _settle(self) -> None:
        """Ask the bot something harmless and wait for its answer: it acts in order, so it
        has then done everything about what came before."""
        if not self._up or self._settled:
            return
        alice = self._people[MODERATOR]
        event_id = await alice.say(self._room_id, self.prefix + PROBE)
        self._probes.add(event_id)
        answers = await eventually(
            lambda: alice.answers_to(self._bot.user_id, event_id), "the bot to catch up"
        )
        self._probes.update(a.event_id for a in answers)
        self._settled = True

    # --- the bot and the clock ---------------------------------------------------------------

    async def down(self) -> None:
        await self._bot.stop()

    async def up(self) -> None:
        self._settled = False
        await self._bot.start()
        await caught_up(self.app)
        await self._settle()

    async def pass_time(self, delta: timedelta) -> int:
        self._settled = False
        if not self._up:
            self._clock.advance(delta)
            return 0
        return await self.app.advance_and_run(delta)

    async def run_due(self) -> int:
        self._settled = False
        return await self.app.run_due()


def _is_edit(event: Said) -> bool:
    relates = event.source["content"].get("m.relates_to", {})
    return bool(relates.get("rel_type") == "m.replace")
