"""The REST routes (under /api/v10) that a bot like Circlekeeper uses, and the request log.

Every request is recorded before it is answered, with its JSON body (or the payload_json part of a
multipart body) and its files, so tests assert on what the bot asked for. Errors carry Discord's
JSON error codes, which discord.py turns into Forbidden / NotFound / HTTPException.

The routes hold the bot to Discord's rules: the permissions each route needs, from the bot's
roles and the channel's overwrites (``permissions.py``); what a body may contain
(``validation.py``); the rate limits with their headers (``ratelimits.py``); the interaction
deadlines (the first response within 3 s, the token for 15 minutes); closed DMs.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from . import payloads, validation
from .errors import (
    CANNOT_MESSAGE_USER,
    INVALID_WEBHOOK_TOKEN,
    UNKNOWN_INTERACTION,
    ApiError,
    form_error,
    json_response,
    missing_access,
    missing_permissions,
    no_content,
    not_found,
)
from .events import Events
from .permissions import (
    ADD_REACTIONS,
    ATTACH_FILES,
    CREATE_PRIVATE_THREADS,
    CREATE_PUBLIC_THREADS,
    EMBED_LINKS,
    MANAGE_CHANNELS,
    MANAGE_MESSAGES,
    MANAGE_THREADS,
    PIN_MESSAGES,
    READ_MESSAGE_HISTORY,
    SEND_MESSAGES,
    SEND_MESSAGES_IN_THREADS,
    VIEW_CHANNEL,
)
from .ratelimits import VIA, RateLimiter
from .state import (
    GUILDS,
    Channel,
    ChannelType,
    Interaction,
    InteractionReply,
    Json,
    Message,
    MessageType,
    User,
    World,
    utcnow,
)

API_PREFIX = "/api/v10"
MAX_CONTENT = validation.CONTENT_LIMIT
MAX_CHOICES = 25
MAX_PINS = 250  # since the pins change of 2025 (it was 50)
MAX_REACTION_EMOJI = 20  # distinct emoji on one message
EPHEMERAL, LOADING = 64, 128
# Interaction callback types (Discord's "Interaction Callback Type").
PONG, CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE = 1, 4, 5
DEFERRED_UPDATE, UPDATE_MESSAGE, AUTOCOMPLETE_RESULT, MODAL = 6, 7, 8, 9
# Interaction types, and the callbacks each may answer with.
APPLICATION_COMMAND, MESSAGE_COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
CALLBACKS_FOR = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {
        CHANNEL_MESSAGE,
        DEFERRED_CHANNEL_MESSAGE,
        DEFERRED_UPDATE,
        UPDATE_MESSAGE,
        MODAL,
    },
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE, UPDATE_MESSAGE},
}
THREAD_ARCHIVE_DURATIONS = {60, 1440, 4320, 10080}
THREAD_NAME_LIMIT = 100
REACTION_PAGE_DEFAULT, REACTION_PAGE_LIMIT = 25, 100
NORMAL, BURST = 0, 1  # reaction types

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class UploadedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedRequest:
    method: str
    path: str  # as requested, without /api/v10: "/channels/123/messages"
    route: str  # the route it matched: "/channels/{channel_id}/messages" ("*" if none did)
    query: dict[str, str]
    json: Any  # the JSON body, or the payload_json part of a multipart body
    files: list[UploadedFile] = field(default_factory=list)
    status: int = 0
    injected: bool = False  # answered by a failure or 429 the test arranged, not by the rules

    def matches(self, method: str, path: str) -> bool:
        """`path` may be concrete or a route template."""
        return self.method == method and path in (self.path, self.route)


# The recorded request travels with the request, so handlers read the body parsed once.
CALL = web.RequestKey("call", RecordedRequest)


@dataclass
class RateLimitRule:
    method: str
    path: str  # concrete path or route template, as in RecordedRequest.matches
    remaining: int  # how many more requests get a 429
    retry_after: float
    is_global: bool


@dataclass
class FailureRule:
    """The next ``remaining`` requests to ``method path`` get this error instead of an answer."""

    method: str
    path: str
    remaining: int
    error: ApiError


def checked_content(content: Any) -> str:
    text = str(content or "")
    if len(text) > MAX_CONTENT:
        message = f"Must be {MAX_CONTENT} or fewer in length."
        raise form_error("content", "BASE_TYPE_MAX_LENGTH", message)
    return text


class RestApi:
    def __init__(self, world: World, events: Events, *, rate_scale: float = 1.0) -> None:
        self.world = world
        self.events = events
        self.base_url = ""  # http://127.0.0.1:PORT, set once the server has a port
        self.requests: list[RecordedRequest] = []
        self.rate_limits: list[RateLimitRule] = []
        self.failures: list[FailureRule] = []
        self.limiter = RateLimiter(scale=rate_scale)
        self.latency = 0.0  # seconds each answer takes, as a distant Discord would
        self.uploads: dict[int, UploadedFile] = {}
        self.errors: list[BaseException] = []  # bugs in this fixture, surfaced by the test fixture
        self.changed = asyncio.Condition()  # notified after every request is answered

    # -- plumbing --

    def add_routes(self, router: web.UrlDispatcher) -> None:
        i = r"{%s:\d+}"  # ids are digits, so "pins" or "@me" never matches an id
        c, m, u = i % "channel_id", i % "message_id", i % "user_id"
        g, a = i % "guild_id", i % "application_id"
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/users/@me", self.get_me),
            ("POST", "/users/@me/channels", self.create_dm),
            ("GET", f"/users/{u}", self.get_user),
            ("GET", "/oauth2/applications/@me", self.get_application),
            ("GET", "/gateway", self.get_gateway),
            ("GET", "/gateway/bot", self.get_gateway_bot),
            ("GET", f"/guilds/{g}/members/{u}", self.get_member),
            ("GET", f"/channels/{c}", self.get_channel),
            ("PATCH", f"/channels/{c}", self.edit_channel),
            ("POST", f"/channels/{c}/typing", self.typing),
            ("GET", f"/channels/{c}/messages", self.get_messages),
            ("POST", f"/channels/{c}/messages", self.create_message),
            # discord.py 2.7 pins through /messages/pins (http.pin_message); the older /pins
            # routes still exist on Discord, so both are served.
            ("GET", f"/channels/{c}/messages/pins", self.get_pins),
            ("PUT", f"/channels/{c}/messages/pins/{m}", self.pin),
            ("DELETE", f"/channels/{c}/messages/pins/{m}", self.unpin),
            ("GET", f"/channels/{c}/pins", self.get_pins_legacy),
            ("PUT", f"/channels/{c}/pins/{m}", self.pin),
            ("DELETE", f"/channels/{c}/pins/{m}", self.unpin),
            ("GET", f"/channels/{c}/messages/{m}", self.get_message),
            ("PATCH", f"/channels/{c}/messages/{m}", self.edit_message),
            ("DELETE", f"/channels/{c}/messages/{m}", self.delete_message),
            ("PUT", f"/channels/{c}/messages/{m}/reactions/{{emoji}}/@me", self.add_reaction),
            ("DELETE", f"/channels/{c}/messages/{m}/reactions/{{emoji}}/@me", self.remove_reaction),
            ("DELETE", f"/channels/{c}/messages/{m}/reactions/{{emoji}}/{u}", self.remove_reaction),
            ("GET", f"/channels/{c}/messages/{m}/reactions/{{emoji}}", self.get_reaction_users),
            ("POST", f"/channels/{c}/messages/{m}/threads", self.create_thread_from_message),
            ("POST", f"/channels/{c}/threads", self.create_thread),
            ("GET", f"/applications/{a}/commands", self.get_commands),
            ("PUT", f"/applications/{a}/commands", self.put_commands),
            ("GET", f"/applications/{a}/guilds/{g}/commands", self.get_commands),
            ("PUT", f"/applications/{a}/guilds/{g}/commands", self.put_commands),
            (
                "POST",
                r"/interactions/{interaction_id:\d+}/{token}/callback",
                self.interaction_callback,
            ),
            ("POST", f"/webhooks/{a}/{{token}}", self.create_followup),
            ("GET", f"/webhooks/{a}/{{token}}/messages/{{message_id}}", self.get_webhook_message),
            (
                "PATCH",
                f"/webhooks/{a}/{{token}}/messages/{{message_id}}",
                self.edit_webhook_message,
            ),
            (
                "DELETE",
                f"/webhooks/{a}/{{token}}/messages/{{message_id}}",
                self.delete_webhook_message,
            ),
        ]
        for method, path, handler in routes:
            router.add_route(method, API_PREFIX + path, handler)
        # Last: anything else is recorded (route "*") and answered 404, so a test can see which
        # calls this fixture does not model yet.
        router.add_route("*", API_PREFIX + "/{tail:.*}", self.unknown_route)
        router.add_get(r"/attachments/{attachment_id:\d+}/{filename}", self.get_attachment)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX):
            return await handler(request)
        call = await self._record(request)
        request[CALL] = call
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            response = await self._answer(request, handler, call)
        finally:
            async with self.changed:
                self.changed.notify_all()
        call.status = response.status
        self.limiter.count_invalid(response.status, response.headers)
        return response

    async def _answer(
        self, request: web.Request, handler: Handler, call: RecordedRequest
    ) -> web.StreamResponse:
        try:
            # Interaction callbacks and webhooks are authorised by the token in their path.
            by_path_token = call.path.startswith(("/interactions/", "/webhooks/"))
            if (
                not by_path_token
                and request.headers.get("Authorization") != f"Bot {self.world.token}"
            ):
                raise ApiError(401, 0, "401: Unauthorized")
            limited = self._rate_limited(call)
            if limited is not None:
                call.injected = True
                return limited
            verdict = self.limiter.take(request.method, call.route, request.match_info)
            if verdict.refusal is not None:
                return verdict.refusal
            try:
                injected = self._injected_failure(call)
                if injected is not None:
                    call.injected = True
                    raise injected
                response = await handler(request)
            except ApiError as error:
                response = error.response()
            # Errors carry the bucket's headers too: they count against it.
            response.headers.update(verdict.headers)
            return response
        except ApiError as error:
            return error.response()
        except Exception as error:  # a bug here, not an answer Discord would give
            self.errors.append(error)
            # 501 makes discord.py raise DiscordServerError at once; it retries a 500 for ~16 s.
            return json_response(
                {"message": f"loopback server bug: {error!r}", "code": 0}, status=501
            )

    async def _record(self, request: web.Request) -> RecordedRequest:
        route = request.match_info.route.resource
        template = route.canonical if route is not None and "{tail}" not in route.canonical else "*"
        call = RecordedRequest(
            method=request.method,
            path=request.path.removeprefix(API_PREFIX),
            route=template.removeprefix(API_PREFIX),
            query=dict(request.query),
            json=None,
        )
        if request.content_type == "application/json" and request.can_read_body:
            call.json = await request.json()
        elif request.content_type.startswith("multipart/"):
            # discord.py sends files as files[n] parts and the rest as payload_json.
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):
                    continue  # discord.py never nests multiparts
                data = await part.read()
                if part.name == "payload_json":
                    call.json = json.loads(data)
                else:
                    content_type = part.headers.get("Content-Type", "application/octet-stream")
                    call.files.append(
                        UploadedFile(
                            part.name or "", part.filename or "", content_type, bytes(data)
                        )
                    )
        self.requests.append(call)
        return call

    def _rate_limited(self, call: RecordedRequest) -> web.Response | None:
        for rule in self.rate_limits:
            if rule.remaining > 0 and call.matches(rule.method, rule.path):
                rule.remaining -= 1
                # Without a Via header discord.py takes a 429 for a Cloudflare ban and raises
                # instead of retrying (http.HTTPClient.request).
                headers = {
                    "Via": VIA,
                    "Retry-After": str(math.ceil(rule.retry_after)),
                    "X-RateLimit-Scope": "global" if rule.is_global else "user",
                }
                if rule.is_global:
                    headers["X-RateLimit-Global"] = "true"
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": rule.retry_after,
                    "global": rule.is_global,
                }
                return json_response(body, status=429, headers=headers)
        return None

    def _injected_failure(self, call: RecordedRequest) -> ApiError | None:
        for rule in self.failures:
            if rule.remaining > 0 and call.matches(rule.method, rule.path):
                rule.remaining -= 1
                return rule.error
        return None

    # -- lookups that answer like Discord when something is missing --

    def _channel(self, request: web.Request) -> Channel:
        channel = self.world.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise not_found(10003, "Channel")
        return channel

    def _message(self, request: web.Request, channel: Channel) -> Message:
        msg = self.world.messages.get(int(request.match_info["message_id"]))
        if msg is None or msg.channel_id != channel.id:
            raise not_found(10008, "Message")
        return msg

    def _user(self, user_id: int) -> User:
        if user_id not in self.world.users:
            raise not_found(10013, "User")
        return self.world.users[user_id]

    def _interaction(self, request: web.Request) -> Interaction:
        interaction = self.world.interactions.get(request.match_info["token"])
        if interaction is None:
            raise not_found(10015, "Webhook")
        return interaction

    def _message_view(self, msg: Message) -> Json:
        data = payloads.message(self.world, msg)
        if payloads.hides_content(self.world, data, self.world.privileged_intents):
            return payloads.without_content(data)
        return data

    @staticmethod
    def _call(request: web.Request) -> RecordedRequest:
        return request[CALL]

    @property
    def unhandled(self) -> list[RecordedRequest]:
        return [call for call in self.requests if call.route == "*"]

    async def unknown_route(self, request: web.Request) -> web.Response:
        raise ApiError(404, 0, "404: Not Found")

    # -- permissions: what the bot may do where (see permissions.py) --

    def bot_permissions(self, channel: Channel) -> int:
        return self.world.channel_permissions(channel, self.world.bot.id)

    def _require(self, channel: Channel, needed: int = 0, *, access: int = VIEW_CHANNEL) -> int:
        """403 unless the bot may act in ``channel``: 50001 Missing Access when it can't see
        the channel (``access``: or read what a read needs), 50013 Missing Permissions when it
        lacks ``needed``. Returns the permissions it has there."""
        have = self.bot_permissions(channel)
        if have & access != access:
            raise missing_access()
        if have & needed != needed:
            raise missing_permissions()
        return have

    @staticmethod
    def _send_permission(channel: Channel) -> int:
        # In a thread, sending is its own permission; Send Messages governs the channel only.
        return SEND_MESSAGES_IN_THREADS if channel.is_thread else SEND_MESSAGES

    # -- users, application, gateway --

    async def get_me(self, request: web.Request) -> web.Response:
        return json_response(payloads.client_user(self.world.bot))

    async def get_user(self, request: web.Request) -> web.Response:
        return json_response(payloads.user(self._user(int(request.match_info["user_id"]))))

    async def get_application(self, request: web.Request) -> web.Response:
        return json_response(payloads.application(self.world))

    async def get_gateway(self, request: web.Request) -> web.Response:
        return json_response({"url": self.events.gateway.url})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        # Only AutoShardedClient asks; a plain Client connects to DEFAULT_GATEWAY directly.
        gateway = self.events.gateway
        limit = {
            "total": 1000,
            "remaining": max(gateway.session_starts, 0),
            "reset_after": 86_400_000 if gateway.session_starts < 1000 else 0,
            "max_concurrency": gateway.max_concurrency,
        }
        return json_response(
            {
                "url": gateway.url,
                "shards": gateway.recommended_shards(),
                "session_start_limit": limit,
            }
        )

    async def create_dm(self, request: web.Request) -> web.Response:
        body = self._call(request).json or {}
        user = self._user(int(body.get("recipient_id", 0)))
        return json_response(payloads.channel(self.world, self.world.dm_channel(user).id))

    # -- guilds and channels --

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.world.guilds.get(int(request.match_info["guild_id"]))
        if guild is None or self.world.bot.id not in guild.members:
            raise not_found(10004, "Guild")
        found = guild.members.get(int(request.match_info["user_id"]))
        if found is None:
            raise not_found(10007, "Member")
        return json_response(payloads.member(self.world, guild, found))

    async def get_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel)
        return json_response(payloads.channel(self.world, channel.id))

    async def edit_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        have = self._require(channel)
        if channel.is_thread:
            # The bot may archive or rename a thread it owns; anything else is Manage Threads.
            if channel.owner_id != self.world.bot.id and not have & MANAGE_THREADS:
                raise missing_permissions()
        elif not have & MANAGE_CHANNELS:
            raise missing_permissions()
        body = self._call(request).json or {}
        if "name" in body and not 1 <= len(str(body["name"] or "")) <= THREAD_NAME_LIMIT:
            raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if (
            "auto_archive_duration" in body
            and body["auto_archive_duration"] not in THREAD_ARCHIVE_DURATIONS
        ):
            raise form_error(
                "auto_archive_duration",
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            )
        for key in ("name", "topic", "archived", "locked", "auto_archive_duration"):
            if key in body:
                setattr(channel, key, body[key])
        if channel.is_thread:
            await self.events.thread_updated(channel)
        else:
            data = payloads.channel(self.world, channel.id)
            await self.events.gateway.dispatch("CHANNEL_UPDATE", data, intents=GUILDS)
        return json_response(payloads.channel(self.world, channel.id))

    async def typing(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, self._send_permission(channel))
        return no_content()

    # -- messages --

    async def get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        have = self._require(channel)
        if not have & READ_MESSAGE_HISTORY:
            return json_response([])  # "no messages will be returned"
        query = request.query
        limit = _int_query(query, "limit", 50, low=1, high=100)
        found = self.world.messages_in(channel)  # oldest first
        if "before" in query:
            found = [msg for msg in found if msg.id < int(query["before"])]
        if "after" in query:
            found = [msg for msg in found if msg.id > int(query["after"])][:limit]
        found = found[-limit:]
        # Discord answers newest first whichever way the client pages.
        return json_response([self._message_view(msg) for msg in reversed(found)])

    async def get_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, access=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        return json_response(self._message_view(self._message(request, channel)))

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        call = self._call(request)
        body = call.json or {}
        if channel.type is ChannelType.DM:
            recipient = self.world.users[channel.recipient_id or 0]
            shares_a_guild = any(
                recipient.id in g.members and self.world.bot.id in g.members
                for g in self.world.guilds.values()
            )
            if not recipient.accepts_dms or not shares_a_guild:
                raise ApiError(403, CANNOT_MESSAGE_USER, "Cannot send messages to this user")
        else:
            have = self._require(channel, self._send_permission(channel))
            if channel.is_thread and channel.locked and not have & MANAGE_THREADS:
                raise missing_permissions()
            if body.get("message_reference") and not have & READ_MESSAGE_HISTORY:
                raise missing_permissions()  # replying reads the message replied to
            if call.files and not have & ATTACH_FILES:
                raise missing_permissions()
            if body.get("embeds") and not have & EMBED_LINKS:
                body = {**body, "embeds": []}  # Discord drops them quietly
        validation.check_message(body)
        msg = self.new_message(channel, self.world.bot, body, call.files)
        if channel.is_thread and channel.archived:
            channel.archived = False  # a message reopens an archived (unlocked) thread
            await self.events.thread_updated(channel)
        await self.events.message_created(msg)
        return json_response(payloads.message(self.world, msg))

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel)
        msg = self._message(request, channel)
        if msg.author_id != self.world.bot.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        body = self._call(request).json or {}
        validation.check_message(body)
        self.apply_edit(msg, body)
        await self.events.message_updated(msg)
        return json_response(payloads.message(self.world, msg))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        have = self._require(channel)
        msg = self._message(request, channel)
        if msg.author_id != self.world.bot.id and not have & MANAGE_MESSAGES:
            raise missing_permissions()
        del self.world.messages[msg.id]
        await self.events.message_deleted(msg)
        return no_content()

    def new_message(
        self,
        channel: Channel,
        author: User,
        body: Json,
        files: list[UploadedFile],
        **fields: Any,
    ) -> Message:
        """Validate a message body as Discord does and store the message."""
        content = checked_content(body.get("content"))
        attachments = [self._store_upload(upload) for upload in files]
        parts = ("embeds", "sticker_ids", "poll", "components")
        if not content and not attachments and not any(body.get(part) for part in parts):
            raise ApiError(400, 50006, "Cannot send an empty message")
        reference = body.get("message_reference")
        if reference:
            target = self.world.messages.get(int(reference["message_id"]))
            if target is None and reference.get("fail_if_not_exists", True):
                raise form_error(
                    "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
            fields["type"] = MessageType.REPLY
            fields["reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": str(channel.id),
            } | ({"guild_id": str(channel.guild_id)} if channel.guild_id else {})
        return self.world.create_message(
            channel,
            author,
            content,
            embeds=list(body.get("embeds") or []),
            components=list(body.get("components") or []),
            attachments=attachments,
            flags=int(body.get("flags") or 0),
            allowed_mentions=body.get("allowed_mentions"),
            **fields,
        )

    def apply_edit(self, msg: Message, body: Json) -> None:
        """Change a message as a PATCH with `body` would."""
        if "content" in body:
            msg.content = checked_content(body["content"])
        for key in ("embeds", "components"):
            if key in body:
                setattr(msg, key, list(body[key] or []))
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        msg.flags &= ~LOADING  # the first edit of a deferred reply replaces "thinking..."
        msg.edited_timestamp = utcnow()

    def _store_upload(self, upload: UploadedFile) -> Json:
        attachment_id = self.world.new_id()
        self.uploads[attachment_id] = upload
        url = f"{self.base_url}/attachments/{attachment_id}/{upload.filename}"
        # message.Attachment reads id, size, filename, url and proxy_url strictly.
        return {
            "id": str(attachment_id),
            "filename": upload.filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
        }

    async def get_attachment(self, request: web.Request) -> web.Response:
        upload = self.uploads.get(int(request.match_info["attachment_id"]))
        if upload is None:
            raise web.HTTPNotFound()
        return web.Response(body=upload.data, content_type=upload.content_type)

    # -- reactions --

    async def add_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        emoji = request.match_info["emoji"]
        # Read Message History always; Add Reactions unless someone reacted with it already.
        needed = READ_MESSAGE_HISTORY | (0 if msg.reactions.get(emoji) else ADD_REACTIONS)
        self._require(channel, needed)
        if emoji not in msg.reactions and len(msg.reactions) >= MAX_REACTION_EMOJI:
            raise ApiError(400, 30010, "Maximum number of reactions reached (20)")
        users = msg.reactions.setdefault(emoji, [])
        if self.world.bot.id not in users:  # adding twice is a no-op on Discord, with no event
            users.append(self.world.bot.id)
            await self.events.reaction_added(msg, self.world.bot.id, emoji)
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        have = self._require(channel)
        msg = self._message(request, channel)
        emoji = request.match_info["emoji"]
        user_id = int(request.match_info.get("user_id", self.world.bot.id))
        if user_id != self.world.bot.id and not have & MANAGE_MESSAGES:
            raise missing_permissions()
        users = msg.reactions.get(emoji, [])
        if user_id in users:
            users.remove(user_id)
            if not users:
                del msg.reactions[emoji]
            await self.events.reaction_removed(msg, user_id, emoji)
        return no_content()

    async def get_reaction_users(self, request: web.Request) -> web.Response:
        """Get Reactions: normal reactions unless ``type=1`` asks for super (burst) ones;
        ``limit`` 1 to 100 (25 if left out), paged by ascending user id with ``after``."""
        channel = self._channel(request)
        self._require(channel, access=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        msg = self._message(request, channel)
        query = request.query
        kind = _int_query(query, "type", NORMAL, low=NORMAL, high=BURST)
        limit = _int_query(query, "limit", REACTION_PAGE_DEFAULT, low=1, high=REACTION_PAGE_LIMIT)
        after = _int_query(query, "after", 0, low=0, high=2**64)
        held = msg.burst_reactions if kind == BURST else msg.reactions
        emoji = request.match_info["emoji"]
        user_ids = sorted(i for i in held.get(emoji, []) if i > after)
        return json_response([payloads.user(self.world.users[i]) for i in user_ids[:limit]])

    # -- pins --

    async def pin(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        # Since February 2026 pinning needs Pin Messages; Manage Messages no longer does it.
        self._require(channel, PIN_MESSAGES)
        msg = self._message(request, channel)
        if msg.pinned_at is None:
            if len(self._pinned(channel)) >= MAX_PINS:
                raise ApiError(400, 30003, f"Maximum number of pins reached ({MAX_PINS})")
            msg.pinned_at = utcnow()
            # Discord announces a pin with a system message pointing at the pinned one.
            notice = self.world.create_message(
                channel,
                self.world.bot,
                type=MessageType.CHANNEL_PINNED_MESSAGE,
                reference={"type": 0, "message_id": str(msg.id), "channel_id": str(channel.id)}
                | ({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            )
            await self.events.message_created(notice)
            await self.events.pins_updated(channel, msg)
        return no_content()

    async def unpin(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, PIN_MESSAGES)
        msg = self._message(request, channel)
        if msg.pinned_at is not None:
            msg.pinned_at = None
            still_pinned = self._pinned(channel)
            await self.events.pins_updated(channel, still_pinned[0] if still_pinned else None)
        return no_content()

    def _pinned(self, channel: Channel) -> list[Message]:
        pinned = [msg for msg in self.world.messages_in(channel) if msg.pinned_at is not None]
        return sorted(pinned, key=lambda msg: msg.pinned_at or utcnow(), reverse=True)

    async def get_pins(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, access=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        # The newer shape that abc.Messageable.pins reads: items of {pinned_at, message}.
        items = [
            {"pinned_at": payloads.timestamp(msg.pinned_at), "message": self._message_view(msg)}
            for msg in self._pinned(channel)
        ]
        return json_response({"items": items, "has_more": False})

    async def get_pins_legacy(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, access=VIEW_CHANNEL | READ_MESSAGE_HISTORY)
        return json_response([self._message_view(msg) for msg in self._pinned(channel)])

    # -- threads --

    @staticmethod
    def _thread_fields(body: Json) -> tuple[str, int]:
        name = body.get("name")
        if not isinstance(name, str) or not 1 <= len(name) <= THREAD_NAME_LIMIT:
            raise form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        duration = body.get("auto_archive_duration") or 1440
        if duration not in THREAD_ARCHIVE_DURATIONS:
            raise form_error(
                "auto_archive_duration",
                "BASE_TYPE_CHOICES",
                "Value must be one of {60, 1440, 4320, 10080}.",
            )
        return name, int(duration)

    async def create_thread_from_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        self._require(channel, CREATE_PUBLIC_THREADS)
        msg = self._message(request, channel)
        if channel.is_thread:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        if msg.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        name, duration = self._thread_fields(self._call(request).json or {})
        thread = self.world.create_thread(
            channel, self.world.bot, name, starter=msg, auto_archive_duration=duration
        )
        await self.events.thread_created(thread)
        return json_response(payloads.thread(self.world, thread.id), status=201)

    async def create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        call = self._call(request)
        body = call.json or {}
        if parent.type is ChannelType.FORUM:
            # A forum post is a thread plus its first message, sent under "message"
            # (http.start_thread_in_forum); the message takes the thread's id. Posting in a
            # forum is Send Messages there.
            have = self._require(parent, SEND_MESSAGES)
            if "message" not in body:
                raise form_error("message", "BASE_TYPE_REQUIRED", "This field is required")
            name, duration = self._thread_fields(body)
            first = body["message"]
            if call.files and not have & ATTACH_FILES:
                raise missing_permissions()
            validation.check_message(first)
            thread = self.world.create_thread(
                parent, self.world.bot, name, auto_archive_duration=duration
            )
            try:
                starter = self.new_message(thread, self.world.bot, first, call.files, id=thread.id)
            except ApiError:
                del self.world.channels[thread.id]  # Discord makes neither when the post is invalid
                raise
            await self.events.thread_created(thread)
            await self.events.message_created(starter)
            data = payloads.thread(self.world, thread.id) | {
                "message": payloads.message(self.world, starter)
            }
            return json_response(data, status=201)
        if parent.is_thread or parent.type is not ChannelType.TEXT:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        # Without a type, API v9+ makes a private thread.
        private = int(body.get("type") or ChannelType.PRIVATE_THREAD) == ChannelType.PRIVATE_THREAD
        self._require(parent, CREATE_PRIVATE_THREADS if private else CREATE_PUBLIC_THREADS)
        name, duration = self._thread_fields(body)
        thread = self.world.create_thread(
            parent, self.world.bot, name, private=private, auto_archive_duration=duration
        )
        await self.events.thread_created(thread)
        return json_response(payloads.thread(self.world, thread.id), status=201)

    # -- application commands --

    def _command_scope(self, request: web.Request) -> int | None:
        if int(request.match_info["application_id"]) != self.world.application_id:
            raise not_found(10002, "Application")
        guild_id = request.match_info.get("guild_id")
        if not guild_id:
            return None
        guild = self.world.guilds.get(int(guild_id))
        if guild is None or not guild.commands_scope:
            # Invited without the applications.commands scope (or not in the guild at all).
            raise missing_access()
        return guild.id

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.world.commands.get(self._command_scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite, as tree.sync() does: a command keeps its id while its name and type do."""
        scope = self._command_scope(request)
        commands = self._call(request).json
        validation.check_commands(commands, guild_scope=scope is not None)
        existing = {(c["name"], c["type"]): c for c in self.world.commands.get(scope, [])}
        registered = []
        for command in commands:
            kind = int(command.get("type", 1))
            previous = existing.get((command["name"], kind))
            # app_commands.AppCommand reads id, application_id, name and description strictly.
            stored = command | {
                "id": previous["id"] if previous else str(self.world.new_id()),
                "application_id": str(self.world.application_id),
                "version": str(self.world.new_id()),
                "type": kind,
                "description": command.get("description", ""),
            }
            if scope is not None:
                stored["guild_id"] = str(scope)
            registered.append(stored)
        self.world.commands[scope] = registered
        return json_response(registered)

    # -- interactions: the callback, then follow-ups through the webhook routes --

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self.world.interactions.get(request.match_info["token"])
        if interaction is None or str(interaction.id) != request.match_info["interaction_id"]:
            raise not_found(UNKNOWN_INTERACTION, "interaction")
        if self.world.clock() - interaction.created > self.world.interaction_deadline:
            # Too late for the first response: the person already saw "did not respond".
            raise not_found(UNKNOWN_INTERACTION, "interaction")
        if interaction.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        call = self._call(request)
        body = call.json or {}
        kind = body.get("type")
        if kind not in CALLBACKS_FOR.get(interaction.type, set()):
            raise form_error(
                "type",
                "INTERACTION_CALLBACK_TYPE_INVALID",
                f"Callback type {kind} is not valid here",
            )
        data = body.get("data") or {}
        if kind == AUTOCOMPLETE_RESULT:
            _check_choices(data.get("choices"))
        elif kind == CHANNEL_MESSAGE:
            validation.check_message(data, interaction=True)
        elif kind == DEFERRED_CHANNEL_MESSAGE and int(data.get("flags") or 0) & ~EPHEMERAL:
            raise form_error(
                ["data", "flags"],
                "MESSAGE_FLAGS_INVALID",
                "When deferring, EPHEMERAL is the only valid flag",
            )
        reply = InteractionReply("callback", body, type=kind)
        msg = None
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            channel = self.world.channels[interaction.channel_id]
            if kind == CHANNEL_MESSAGE:
                msg = self.new_message(
                    channel, self.world.bot, data, call.files, webhook_id=self.world.application_id
                )
            else:  # deferred: Discord shows a "thinking..." message until the first edit
                flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
                msg = self.world.create_message(
                    channel, self.world.bot, flags=flags, webhook_id=self.world.application_id
                )
            interaction.original_message_id = reply.message_id = msg.id
            if not msg.flags & EPHEMERAL:  # ephemeral messages never reach the gateway
                await self.events.message_created(msg)
        interaction.acknowledged = True
        interaction.replies.append(reply)
        if request.query.get("with_response") not in ("1", "true", "True"):
            return no_content()
        # interactions.InteractionCallbackResponse._update reads interaction.id strictly and,
        # when present, resource.type and resource.message.
        answer: Json = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_id": str(msg.id) if msg else None,
                "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                "response_message_ephemeral": bool(msg and msg.flags & EPHEMERAL),
            }
        }
        if msg is not None:
            answer["resource"] = {"type": kind, "message": payloads.message(self.world, msg)}
        return json_response(answer)

    def _webhook_interaction(self, request: web.Request) -> Interaction:
        if int(request.match_info["application_id"]) != self.world.application_id:
            raise not_found(10015, "Webhook")
        interaction = self._interaction(request)
        if self.world.clock() - interaction.created > self.world.token_lifetime:
            # An interaction token lasts 15 minutes.
            raise ApiError(401, INVALID_WEBHOOK_TOKEN, "Invalid Webhook Token")
        if not interaction.acknowledged:
            # Follow-ups exist only after the first response.
            raise not_found(10015, "Webhook")
        return interaction

    def _webhook_message(self, request: web.Request, interaction: Interaction) -> Message:
        raw = request.match_info["message_id"]
        message_id = interaction.original_message_id if raw == "@original" else int(raw)
        msg = self.world.messages.get(message_id or 0)
        if msg is None or msg.webhook_id is None:
            raise not_found(10008, "Message")
        return msg

    async def create_followup(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        call = self._call(request)
        body = call.json or {}
        validation.check_message(body, interaction=True)
        channel = self.world.channels[int(call.query.get("thread_id") or interaction.channel_id)]
        msg = self.new_message(
            channel,
            self.world.bot,
            body,
            call.files,
            webhook_id=self.world.application_id,
        )
        interaction.replies.append(InteractionReply("followup", body, message_id=msg.id))
        if not msg.flags & EPHEMERAL:
            await self.events.message_created(msg)
        if call.query.get("wait") in ("1", "true", "True"):
            return json_response(payloads.message(self.world, msg))
        return no_content()

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        return json_response(
            payloads.message(self.world, self._webhook_message(request, interaction))
        )

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        msg = self._webhook_message(request, interaction)
        body = self._call(request).json or {}
        validation.check_message(body, interaction=True)
        self.apply_edit(msg, body)
        interaction.replies.append(InteractionReply("edit", body, message_id=msg.id))
        if not msg.flags & EPHEMERAL:
            await self.events.message_updated(msg)
        return json_response(payloads.message(self.world, msg))

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        msg = self._webhook_message(request, interaction)
        del self.world.messages[msg.id]
        interaction.replies.append(InteractionReply("delete", {}, message_id=msg.id))
        if not msg.flags & EPHEMERAL:
            await self.events.message_deleted(msg)
        return no_content()


def _int_query(query: Any, name: str, default: int, *, low: int, high: int) -> int:
    """A whole-number query parameter within [low, high], or a 50035 naming it."""
    raw = query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise form_error(name, "NUMBER_TYPE_COERCE", f'Value "{raw}" is not int.') from None
    if not low <= value <= high:
        raise form_error(name, "NUMBER_TYPE_MAX", f"int value should be between {low} and {high}.")
    return value


def _check_choices(choices: Any) -> None:
    if not isinstance(choices, list) or len(choices) > MAX_CHOICES:
        raise form_error(
            ["data", "choices"],
            "BASE_TYPE_MAX_LENGTH",
            f"Must be {MAX_CHOICES} or fewer in length.",
        )
    for n, choice in enumerate(choices):
        name = choice.get("name") if isinstance(choice, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= validation.CHOICE_NAME_LIMIT:
            raise form_error(
                ["data", "choices", n, "name"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > validation.CHOICE_VALUE_LIMIT:
            raise form_error(
                ["data", "choices", n, "value"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be 100 or fewer in length.",
            )
