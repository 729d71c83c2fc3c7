"""The contract driver for Discord: the unmodified discord.py against the loopback server.

The bot runs as ``circlekeeper run`` would (``running_bot``), in a server whose @everyone may
do nothing, so every permission it uses comes from the README's invite. Alice holds the
configured moderator role. A command line is turned into the slash command a person would
fill in: the same words pick the command, and the router's own reading of the rest of the line
fills its options (a number as a number, a person as a user).

Discord tells a bot that was away nothing of what happened meanwhile; it reads back what it
needs (the reactions on open proposals) when it comes up, which ``running_bot`` waits for.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

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
from bot.commands import OptionKind, RawValue
from tests.contract.driver import MODERATOR, START, Post, Reply
from tests.e2e.discord_bot import (
    MODERATOR_ROLE,
    RunningBot,
    bot_config,
    readme_invite_permissions,
    running_bot,
    sent_bodies,
)
from tests.e2e.discord_protocol import (
    DiscordServer,
    Message,
    User,
    option,
    subcommand,
    subcommand_group,
)
from tests.e2e.discord_protocol.errors import Json
from tests.e2e.discord_protocol.state import Channel

T = TypeVar("T")

EPHEMERAL = 64


class DiscordDriver:
    platform = Platform.DISCORD
    prefix = "/"

    def __init__(self, server: DiscordServer, data: Path, cast: tuple[str, ...]) -> None:
        self._server = server
        self._data = data
        self._clock = ManualClock(START)
        guild = server.create_guild(
            "Peer Support Commons",
            everyone_permissions=0,
            bot_permissions=readme_invite_permissions(),
        )
        self._guild = guild
        self._home = server.create_channel(guild, "circles")
        stewards = server.create_role(guild, MODERATOR_ROLE)
        self._users: dict[str, User] = {}
        for who in (MODERATOR, *cast):
            user = server.create_user(who.capitalize())
            server.add_member(guild, user, roles=(stewards,) if who == MODERATOR else ())
            self._users[who] = user
        self._running: AbstractAsyncContextManager[RunningBot] | None = None
        self._bot: RunningBot | None = None

    @classmethod
    async def open(cls, server: DiscordServer, data: Path, cast: tuple[str, ...]) -> DiscordDriver:
        driver = cls(server, data, cast)
        await driver.up()
        return driver

    async def close(self) -> None:
        if self._running is not None:
            await self.down()

    def check_rules(self) -> None:
        """Everything the bot wrote went out with every mention switched off."""
        bodies = sent_bodies(self._server)
        assert all(body.get("allowed_mentions") == {"parse": []} for body in bodies), bodies

    # --- who and where ---------------------------------------------------------------------

    @property
    def room(self) -> RoomRef:
        return RoomRef(Platform.DISCORD, str(self._guild.id), str(self._home.id))

    @property
    def _running_bot(self) -> RunningBot:
        assert self._bot is not None, "the bot is down"
        return self._bot

    @property
    def chat(self) -> Chat:
        return self._running_bot.adapter.chat

    @property
    def app(self) -> App:
        return self._running_bot.app

    @property
    def database(self) -> Path:
        return bot_config(self._server, self._data).database_path

    def member(self, who: str) -> MemberRef:
        return MemberRef(Platform.DISCORD, str(self._users[who].id))

    def name(self, who: str) -> str:
        return self._users[who].name

    def handle(self, who: str) -> str:
        return f"@{who}"

    # --- places ----------------------------------------------------------------------------

    def _channel_of(self, thread: Post | None) -> Channel:
        """The home channel, or the thread that grew from ``thread`` (it shares the post's id)."""
        if thread is None:
            return self._home
        return self._server.world.channels[int(thread.thread or thread.id)]

    def _post(self, message: Message) -> Post:
        channel = self._server.world.channels[message.channel_id]
        return Post(
            str(message.id), message.content, str(channel.id) if channel.is_thread else None
        )

    def _message(self, post: Post) -> Message:
        return self._server.world.messages[int(post.id)]

    def _in_home(self, message: Message) -> bool:
        channel = self._server.world.channels[message.channel_id]
        return channel.id == self._home.id or channel.parent_id == self._home.id

    # --- people ----------------------------------------------------------------------------

    async def say(self, who: str, text: str, *, thread: Post | None = None) -> Post:
        channel, user = self._channel_of(thread), self._users[who]
        if self._bot is None:  # Discord keeps it; the bot, away, is told nothing
            return self._post(self._server.world.create_message(channel, user, text))
        heard = len(self._bot.ear.of_type(MessagePosted))
        message = await self._server.post_message(channel, user, text)
        await self._bot.ear.wait_for(MessagePosted, heard + 1)
        return self._post(message)

    async def answer(self, who: str, to: Post, text: str) -> Post:
        """A thread on the post (opened by ``who`` when it has none yet), and ``text`` in it."""
        if to.thread is None and int(to.id) not in self._server.world.channels:
            await self._server.start_thread(
                self._users[who], self._home, "Replies", from_message=self._message(to)
            )
        return await self.say(who, text, thread=to)

    async def edit(self, who: str, post: Post, text: str) -> None:
        bot = self._running_bot
        heard = len(bot.ear.of_type(MessageEdited))
        await self._server.edit_message(self._message(post), text)
        await bot.ear.wait_for(MessageEdited, heard + 1)

    async def react(self, who: str, post: Post, key: str) -> None:
        await self._reaction(who, post, key, ReactionAdded)

    async def unreact(self, who: str, post: Post, key: str) -> None:
        await self._reaction(who, post, key, ReactionRemoved)

    async def _reaction(
        self, who: str, post: Post, key: str, kind: type[ReactionAdded | ReactionRemoved]
    ) -> None:
        change = self._server.react if kind is ReactionAdded else self._server.unreact
        user, message = self._users[who], self._message(post)
        if self._bot is None:
            await change(user, message, key, bot_away=True)
            return
        heard = len(self._bot.ear.of_type(kind))
        await change(user, message, key)
        await self._bot.ear.wait_for(kind, heard + 1)

    async def ask(self, who: str, line: str, *, expect: str, thread: Post | None = None) -> Reply:
        server, user = self._server, self._users[who]
        name, options = self._slash_command(line)
        dm = server.world.dm_channel(user)
        mark = server.world.new_id()
        interaction = await server.dispatch_command(user, self._channel_of(thread), name, *options)

        def seen() -> Reply | None:
            for answer in interaction.replies:
                if answer.content and expect in answer.content:
                    return Reply(answer.content, private=answer.ephemeral)
            for message in server.bot_messages():
                if message.id <= mark or expect not in message.content:
                    continue
                if message.channel_id == dm.id:
                    return Reply(message.content, private=True)
                if self._in_home(message) and not message.flags & EPHEMERAL:
                    return Reply(message.content, private=False, post=self._post(message))
            return None

        try:
            reply = await server.wait_until(seen, f"the bot to say {expect!r} to {who}")
        except AssertionError:
            said = [a.content for a in interaction.replies]
            said += [m.content[:120] for m in server.bot_messages() if m.id > mark]
            raise AssertionError(
                f"the bot never said {expect!r} to {who}; it said {said}"
            ) from None
        # A handler goes on after its reply (what it publishes, others hear): let it finish,
        # so what a scenario reads next is what the command did in full.
        await self._running_bot.adapter.settled()
        return reply

    def _slash_command(self, line: str) -> tuple[str, list[Json]]:
        """The slash command a person fills in for ``line``: its name and its options."""
        router = self.app.router
        spec, rest, _ = router.split_path(line)
        assert spec is not None, f"no command {line!r}"
        raw = router.parse_arguments(spec, rest, self._parse_member, self.prefix)
        kinds = {o.name: o.kind for o in spec.options}
        filled = [option(key, self._option_value(kinds[key], value)) for key, value in raw.items()]
        path = spec.path
        if len(path) == 1:
            return path[0], filled
        if len(path) == 2:
            return path[0], [subcommand(path[1], *filled)]
        return path[0], [subcommand_group(path[1], subcommand(path[2], *filled))]

    def _parse_member(self, text: str) -> MemberRef | None:
        user = self._users.get(text.strip().removeprefix("@").lower())
        return None if user is None else MemberRef(Platform.DISCORD, str(user.id))

    def _option_value(self, kind: OptionKind, value: RawValue) -> object:
        if isinstance(value, MemberRef):
            return self._server.world.users[int(value.id)]
        if kind is OptionKind.INTEGER and isinstance(value, str) and value.strip().isdigit():
            return int(value)
        if kind is OptionKind.BOOLEAN and isinstance(value, str):
            return value.strip().lower() in ("yes", "y", "true", "on", "1", "open")
        return value

    # --- what the bot said -----------------------------------------------------------------

    def _bot_posts(self, thread: Post | None) -> list[Post]:
        found = [
            self._post(m)
            for m in self._server.bot_messages()
            if self._in_home(m) and not m.flags & EPHEMERAL
        ]
        return [p for p in found if thread is None or p.thread == (thread.thread or thread.id)]

    async def bot_post(self, containing: str, *, thread: Post | None = None) -> Post:
        def found() -> Post | None:
            return next((p for p in self._bot_posts(thread) if containing in p.text), None)

        try:
            return await self._server.wait_until(found, f"the bot to post {containing!r}")
        except AssertionError:
            said = [p.text[:120] for p in self._bot_posts(thread)]
            raise AssertionError(f"the bot never posted {containing!r}; it posted {said}") from None

    async def bot_posts(self, *, thread: Post | None = None) -> list[Post]:
        return self._bot_posts(thread)

    async def text_of(self, post: Post) -> str:
        return self._message(post).content

    async def close_dms(self, who: str) -> None:
        self._server.close_dms(self._users[who])

    def _private_texts(self, who: str) -> list[str]:
        dm = self._server.world.dm_channel(self._users[who])
        return [m.content for m in self._server.bot_messages(dm)]

    async def private(self, who: str, containing: str) -> str:
        def found() -> str | None:
            return next((t for t in self._private_texts(who) if containing in t), None)

        return await self._server.wait_until(found, f"{who} to be told {containing!r} privately")

    async def told_privately(self, who: str) -> list[str]:
        return self._private_texts(who)

    def heard(self, kind: type[T]) -> list[T]:
        return self._running_bot.ear.of_type(kind)

    # --- the bot and the clock ---------------------------------------------------------------

    async def down(self) -> None:
        running, self._running, self._bot = self._running, None, None
        assert running is not None, "the bot is down already"
        await running.__aexit__(None, None, None)

    async def up(self) -> None:
        assert self._running is None, "the bot is up already"
        self._running = running_bot(self._server, self._data, clock=self._clock)
        self._bot = await self._running.__aenter__()

    async def pass_time(self, delta: timedelta) -> int:
        if self._bot is None:
            self._clock.advance(delta)
            return 0
        return await self.app.advance_and_run(delta)

    async def run_due(self) -> int:
        return await self.app.run_due()
