"""The loopback Discord that tests start: one aiohttp app serving REST and the gateway.

A test builds the world (guilds, channels, users) before its client connects, then acts as the
users would (post, react, run a slash command), and finally checks what the bot asked the server
to do. Everything the bot sends comes back over the gateway as on Discord.

It is as strict as Discord: permissions per route, body validation, rate limits, interaction
deadlines, intents and resumes (see rest.py and gateway.py). ``rate_scale`` shrinks the
rate-limit windows (the counts stay), so a suite can follow the rules without waiting seconds.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from aiohttp import web

from . import payloads
from .errors import ApiError
from .events import Events
from .gateway import Gateway, ReceivedFrame
from .permissions import MEMBER, ROLE, Overwrite
from .rest import FailureRule, RateLimitRule, RecordedRequest, RestApi
from .state import (
    BOT_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    TEST_TOKEN,
    Channel,
    ChannelType,
    Guild,
    Interaction,
    InteractionReply,
    Json,
    Member,
    Message,
    Role,
    User,
    World,
)

T = TypeVar("T")
APPLICATION_COMMAND, AUTOCOMPLETE = 2, 4
# How long wait_for_* wait before failing with a list of the requests seen: far above the
# milliseconds a loopback exchange takes, so reaching it means the bot never answered.
WAIT_LIMIT = 5.0


class DiscordServer:
    def __init__(
        self, *, token: str = TEST_TOKEN, bot_name: str = "Circlekeeper", rate_scale: float = 1.0
    ) -> None:
        self.world = World(bot_name=bot_name, token=token)
        self.gateway = Gateway(self.world)
        self.events = Events(self.world, self.gateway)
        self.rest = RestApi(self.world, self.events, rate_scale=rate_scale)
        # The IDENTIFY window shrinks with the rate limits' windows (one per bucket still).
        self.gateway.identify_window *= rate_scale
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle --

    async def start(self) -> None:
        app = web.Application(middlewares=[self.rest.middleware])
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/resume", self.gateway.handle_resume)
        self.rest.add_routes(app.router)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.rest.base_url = f"http://127.0.0.1:{self.port}"
        self.gateway.url = f"ws://127.0.0.1:{self.port}/gateway"
        self.gateway.resume_url = f"ws://127.0.0.1:{self.port}/resume"

    async def stop(self) -> None:
        await self.gateway.shutdown()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordServer:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised inside this server: each one is a bug in the fixture."""
        return self.rest.errors + self.gateway.errors

    @property
    def token(self) -> str:
        return self.world.token

    @property
    def bot(self) -> User:
        return self.world.bot

    @property
    def api_base(self) -> str:
        """What discord.http.Route.BASE must be set to."""
        return f"{self.rest.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        """What discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY must be set to."""
        return self.gateway.url

    # -- building the world: before the client connects (it arrives in READY/GUILD_CREATE) --

    def create_user(self, name: str) -> User:
        return self.world.create_user(name)

    def create_guild(
        self,
        name: str,
        *,
        owner: User | None = None,
        everyone_permissions: int = EVERYONE_PERMISSIONS,
        bot_permissions: int = BOT_PERMISSIONS,
        shard: tuple[int, int] | None = None,
    ) -> Guild:
        """A guild the bot is in, with the role its invite gave it (``bot_permissions``); the
        owner is a member too. ``shard`` (id, count): an id Discord routes to that shard."""
        return self.world.create_guild(
            name,
            owner=owner,
            everyone_permissions=everyone_permissions,
            bot_permissions=bot_permissions,
            shard=shard,
        )

    def bot_role(self, guild: Guild) -> Role:
        """The role Discord made for the bot when it was invited."""
        member = guild.members[self.bot.id]
        return guild.roles[member.role_ids[0]]

    def create_role(self, guild: Guild, name: str, permissions: int = 0) -> Role:
        return self.world.create_role(guild, name, permissions)

    def add_member(
        self, guild: Guild, user: User, *, roles: tuple[Role, ...] = (), nick: str | None = None
    ) -> Member:
        return self.world.add_member(guild, user, roles=roles, nick=nick)

    def create_channel(
        self,
        guild: Guild,
        name: str,
        *,
        type: ChannelType = ChannelType.TEXT,
        category: Channel | None = None,
    ) -> Channel:
        return self.world.create_channel(guild, name, type=type, category=category)

    def close_dms(self, user: User) -> None:
        """From now on the bot's DMs to `user` fail with 403 / 50007, like a user who blocks DMs."""
        user.accepts_dms = False

    async def set_overwrite(
        self, channel: Channel, target: Role | User, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Give `channel` an exception for a role or a member (replacing one it had); a
        connected client hears CHANNEL_UPDATE."""
        kind = ROLE if isinstance(target, Role) else MEMBER
        channel.overwrites = [o for o in channel.overwrites if (o.id, o.type) != (target.id, kind)]
        channel.overwrites.append(Overwrite(target.id, kind, allow, deny))
        if self.gateway.sessions:
            await self.events.channel_updated(channel)

    async def set_role_permissions(self, guild: Guild, role: Role, permissions: int) -> None:
        """A moderator changes what a role may do; a connected client hears GUILD_ROLE_UPDATE."""
        role.permissions = permissions
        if self.gateway.sessions:
            await self.events.role_updated(guild, role.id)

    def set_public_updates_channel(self, guild: Guild, channel: Channel) -> None:
        """Make `guild` a Community server whose moderators get Discord's notices in `channel`."""
        guild.public_updates_channel_id = channel.id

    def without_commands_scope(self, guild: Guild) -> None:
        """The bot was invited to `guild` without applications.commands: guild commands 403."""
        guild.commands_scope = False

    # -- acting as users: each change is dispatched to the connected client --

    async def post_message(
        self, channel: Channel, author: User, content: str, *, reply_to: Message | None = None
    ) -> Message:
        self._require_session()
        self._require_member(channel, author)
        body: Json = {"content": content}
        if reply_to is not None:
            body["message_reference"] = {"message_id": reply_to.id}
        msg = self.rest.new_message(channel, author, body, [])
        await self.events.message_created(msg)
        return msg

    async def send_dm(self, author: User, content: str) -> Message:
        """`author` writes to the bot in their DM channel."""
        return await self.post_message(self.world.dm_channel(author), author, content)

    async def edit_message(self, msg: Message, content: str) -> None:
        self._require_session()
        self.rest.apply_edit(msg, {"content": content})
        await self.events.message_updated(msg)

    async def delete_message(self, msg: Message) -> None:
        self._require_session()
        del self.world.messages[msg.id]
        await self.events.message_deleted(msg)

    async def react(
        self, user: User, msg: Message, emoji: str, *, bot_away: bool = False, burst: bool = False
    ) -> None:
        """`emoji` is the character ("\N{THUMBS UP SIGN}") or "name:id" for a custom emoji.

        With `bot_away=True` the bot is not connected: Discord keeps the reaction, and the bot
        only learns of it by reading the message's reactions later (nothing is dispatched).
        With `burst=True` it is a super reaction, which Discord counts and lists apart.
        """
        if not bot_away:
            self._require_session()
        held = msg.burst_reactions if burst else msg.reactions
        users = held.setdefault(emoji, [])
        if user.id not in users:
            users.append(user.id)
            if not bot_away:
                await self.events.reaction_added(msg, user.id, emoji, burst=burst)

    async def unreact(
        self, user: User, msg: Message, emoji: str, *, bot_away: bool = False, burst: bool = False
    ) -> None:
        """`user` takes back a reaction; `bot_away` and `burst` as for `react`."""
        if not bot_away:
            self._require_session()
        held = msg.burst_reactions if burst else msg.reactions
        users = held.get(emoji, [])
        if user.id in users:
            users.remove(user.id)
            if not users:
                del held[emoji]
            if not bot_away:
                await self.events.reaction_removed(msg, user.id, emoji, burst=burst)

    async def start_thread(
        self,
        user: User,
        parent: Channel,
        name: str,
        *,
        from_message: Message | None = None,
        content: str = "",
    ) -> Channel:
        """A user opens a thread: from a message, or in a forum as a post with `content`."""
        self._require_session()
        thread = self.world.create_thread(parent, user, name, starter=from_message)
        await self.events.thread_created(thread)
        if parent.type is ChannelType.FORUM:
            starter = self.rest.new_message(thread, user, {"content": content}, [], id=thread.id)
            await self.events.message_created(starter)
        return thread

    async def join(self, guild: Guild, user: User) -> Member:
        """`user` joins `guild` (GUILD_MEMBER_ADD; needs the members intent)."""
        member = self.world.add_member(guild, user)
        await self.events.member_joined(guild, member)
        return member

    async def leave(self, guild: Guild, user: User) -> None:
        del guild.members[user.id]
        await self.events.member_left(guild, user.id)

    async def dispatch_command(
        self, user: User, channel: Channel, name: str, *options: Json, locale: str = "en-US"
    ) -> Interaction:
        """`user` runs the registered slash command `name`; build options with
        payloads.option / subcommand / subcommand_group."""
        return await self._dispatch_interaction(
            APPLICATION_COMMAND, user, channel, name, options, locale
        )

    async def dispatch_autocomplete(
        self, user: User, channel: Channel, name: str, *options: Json, locale: str = "en-US"
    ) -> Interaction:
        """`user` is typing into the option marked focused=True."""
        return await self._dispatch_interaction(AUTOCOMPLETE, user, channel, name, options, locale)

    async def _dispatch_interaction(
        self,
        kind: int,
        user: User,
        channel: Channel,
        name: str,
        options: tuple[Json, ...],
        locale: str,
    ) -> Interaction:
        self._require_session()
        self._require_member(channel, user)
        guild = self.world.guild_of(channel)
        command, scope = self.world.find_command(name, guild.id if guild else None)
        data: Json = {
            "id": command["id"],
            "name": name,
            "type": command["type"],
            "options": list(options),
        }
        found = payloads.resolved(self.world, guild, list(options))
        if found:
            data["resolved"] = found
        if scope is not None:
            # app_commands.CommandTree looks guild commands up by data.guild_id.
            data["guild_id"] = str(scope)
        interaction = self.world.create_interaction(kind, user, channel, data, locale=locale)
        await self.events.interaction_created(payloads.interaction(self.world, interaction))
        return interaction

    # -- looking at what the bot did --

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.rest.requests

    def requests_to(self, method: str, path: str) -> list[RecordedRequest]:
        """`path` is concrete ("/channels/123/messages") or a route ("/channels/{channel_id}/messages")."""
        return [call for call in self.rest.requests if call.matches(method, path)]

    @property
    def unhandled_requests(self) -> list[RecordedRequest]:
        return self.rest.unhandled

    @property
    def received_frames(self) -> list[ReceivedFrame]:
        """Every gateway frame the client sent (IDENTIFY, heartbeats, RESUME, ...)."""
        return self.gateway.received

    def frames_with_op(self, op: int) -> list[ReceivedFrame]:
        return [frame for frame in self.gateway.received if frame.op == op]

    async def wait_for_frame(
        self, op: int, *, count: int = 1, limit: float = WAIT_LIMIT
    ) -> ReceivedFrame:
        """Wait until the client has sent `count` frames with `op`; return the last of them."""
        try:
            async with asyncio.timeout(limit), self.gateway.frame_arrived:
                await self.gateway.frame_arrived.wait_for(
                    lambda: len(self.frames_with_op(op)) >= count
                )
        except TimeoutError:
            raise AssertionError(f"the client sent no {count} frames with op {op}") from None
        return self.frames_with_op(op)[count - 1]

    def messages_in(self, channel: Channel) -> list[Message]:
        return self.world.messages_in(channel)

    def bot_messages(self, channel: Channel | None = None) -> list[Message]:
        found = sorted(self.world.messages.values(), key=lambda m: m.id)
        return [
            m
            for m in found
            if m.author_id == self.bot.id and (channel is None or m.channel_id == channel.id)
        ]

    def commands(self, guild: Guild | None = None) -> list[Json]:
        """The application commands as registered (global, or for `guild`)."""
        return self.world.commands.get(guild.id if guild else None, [])

    async def wait_for_request(self, method: str, path: str, *, count: int = 1) -> RecordedRequest:
        """Wait until `count` requests matched and return the last of them."""

        def found() -> RecordedRequest | None:
            calls = self.requests_to(method, path)
            return calls[count - 1] if len(calls) >= count else None

        return await self.wait_until(found, f"{count} x {method} {path}")

    async def wait_for_reply(
        self, interaction: Interaction, *, count: int = 1, limit: float = WAIT_LIMIT
    ) -> InteractionReply:
        """Wait until the bot answered `interaction` `count` times (callback, follow-ups, edits)."""

        def found() -> InteractionReply | None:
            return interaction.replies[count - 1] if len(interaction.replies) >= count else None

        return await self.wait_until(
            found, f"{count} replies to interaction {interaction.data['name']}", limit=limit
        )

    async def wait_until(
        self, check: Callable[[], T | None], what: str, *, limit: float = WAIT_LIMIT
    ) -> T:
        """Wait until `check()` returns something (checked after every request); return it."""
        try:
            async with asyncio.timeout(limit), self.rest.changed:
                result = await self.rest.changed.wait_for(check)
        except TimeoutError:
            seen = "\n".join(f"  {c.method} {c.path} -> {c.status}" for c in self.rest.requests)
            raise AssertionError(
                f"timed out waiting for {what}; requests so far:\n{seen}"
            ) from None
        assert result is not None
        return result

    # -- making things go wrong --

    @property
    def latency(self) -> float:
        """Seconds every REST answer takes (0 on loopback), as a distant Discord would."""
        return self.rest.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.rest.latency = seconds

    def age_interaction(self, interaction: Interaction, seconds: float) -> None:
        """Pretend `interaction` was dispatched `seconds` earlier (for its deadlines)."""
        interaction.created -= seconds

    def fail(
        self, method: str, path: str, status: int, code: int, message: str, *, times: int = 1
    ) -> None:
        """The next `times` requests to `method path` get this error (a 400, a 5xx, ...)."""
        error = ApiError(status, code, message)
        self.rest.failures.append(FailureRule(method, path, times, error))

    async def send_raw_event(self, event: str, data: object) -> None:
        """Dispatch `data` as `event` exactly as given, as a Discord field the client doesn't
        know (or a malformed payload) would arrive."""
        self._require_session()
        await self.gateway.dispatch_raw(event, data)

    @property
    def invalid_requests(self) -> int:
        """401, 403 and 429 answers in the last ten minutes (Cloudflare bans at 10,000)."""
        return self.rest.limiter.invalid_requests

    def rate_limit(
        self,
        method: str,
        path: str,
        *,
        times: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
    ) -> None:
        """The next `times` requests to `method path` (concrete or route template) get a 429."""
        self.rest.rate_limits.append(RateLimitRule(method, path, times, retry_after, is_global))

    async def close_gateway(self, code: int = 4000, *, forget_sessions: bool = False) -> None:
        """Close the gateway connection; with a resumable code the client RESUMEs."""
        await self.gateway.close(code, forget_sessions=forget_sessions)

    def drop_gateway(self) -> None:
        """Cut the connection without a close frame, as a network failure would."""
        self.gateway.drop()

    def gateway_outage(self, code: int = 4000) -> AbstractAsyncContextManager[None]:
        """`async with server.gateway_outage(): ...` closes the connection and holds the
        reconnect until the block ends; events dispatched inside are replayed on RESUME."""
        return self.gateway.outage(code)

    def repeat_on_resume(self, count: int) -> None:
        """On the next RESUME, send again the last `count` events the client had already
        received: Discord does not promise to deliver an event only once."""
        self.gateway.repeat_on_resume = count

    async def request_reconnect(self) -> None:
        await self.gateway.request_reconnect()

    # -- guards that keep test mistakes from passing silently --

    def _require_session(self) -> None:
        if not self.gateway.sessions:
            raise RuntimeError("no gateway session: connect a client before dispatching events")

    def _require_member(self, channel: Channel, user: User) -> None:
        guild = self.world.guild_of(channel)
        if guild is not None and user.id not in guild.members:
            raise LookupError(f"{user.name} is not a member of {guild.name}; add_member first")
