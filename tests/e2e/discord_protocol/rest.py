"""The REST routes (under /api/v10) that a bot like Circlekeeper uses, and the request log.

Every request is recorded before it is answered, with its JSON body (or the payload_json part of a
multipart body) and its files, so tests assert on what the bot asked for. Errors carry Discord's
JSON error codes, which discord.py turns into Forbidden / NotFound / HTTPException.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from . import payloads
from .events import Events
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
MAX_CONTENT = 2000
MAX_CHOICES = 25
EPHEMERAL, LOADING = 64, 128
# Interaction callback types (Discord's "Interaction Callback Type").
CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, AUTOCOMPLETE_RESULT = 4, 5, 8

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


class ApiError(Exception):
    """An error answer in Discord's shape: {"message", "code", "errors"?}."""

    def __init__(self, status: int, code: int, message: str, errors: Json | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.errors = status, code, message, errors

    def response(self) -> web.Response:
        body: Json = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return json_response(body, status=self.status)


def json_response(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    # discord.py parses a body only when Content-Type is exactly "application/json", without a
    # charset (http.json_or_text); aiohttp's web.json_response would add "; charset=utf-8".
    return web.Response(
        status=status,
        body=json.dumps(data).encode(),
        content_type="application/json",
        headers=headers,
    )


def no_content() -> web.Response:
    return web.Response(status=204)


def form_error(field_name: str, code: str, message: str) -> ApiError:
    errors = {field_name: {"_errors": [{"code": code, "message": message}]}}
    return ApiError(400, 50035, "Invalid Form Body", errors)


def not_found(code: int, what: str) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


def checked_content(content: Any) -> str:
    text = str(content or "")
    if len(text) > MAX_CONTENT:
        message = f"Must be {MAX_CONTENT} or fewer in length."
        raise form_error("content", "BASE_TYPE_MAX_LENGTH", message)
    return text


class RestApi:
    def __init__(self, world: World, events: Events) -> None:
        self.world = world
        self.events = events
        self.base_url = ""  # http://127.0.0.1:PORT, set once the server has a port
        self.requests: list[RecordedRequest] = []
        self.rate_limits: list[RateLimitRule] = []
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
            response = await self._answer(request, handler, call)
        finally:
            async with self.changed:
                self.changed.notify_all()
        call.status = response.status
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
                return limited
            return await handler(request)
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
                    "Via": "1.1 google",
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
        limit = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return json_response(
            {"url": self.events.gateway.url, "shards": 1, "session_start_limit": limit}
        )

    async def create_dm(self, request: web.Request) -> web.Response:
        body = self._call(request).json or {}
        user = self._user(int(body.get("recipient_id", 0)))
        return json_response(payloads.channel(self.world, self.world.dm_channel(user).id))

    # -- guilds and channels --

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.world.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise not_found(10004, "Guild")
        found = guild.members.get(int(request.match_info["user_id"]))
        if found is None:
            raise not_found(10007, "Member")
        return json_response(payloads.member(self.world, guild, found))

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(payloads.channel(self.world, self._channel(request).id))

    async def edit_channel(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body = self._call(request).json or {}
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
        self._channel(request)
        return no_content()

    # -- messages --

    async def get_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        query = request.query
        limit = min(int(query.get("limit", 50)), 100)
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
        return json_response(self._message_view(self._message(request, channel)))

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        call = self._call(request)
        if channel.type is ChannelType.DM:
            recipient = self.world.users[channel.recipient_id or 0]
            if not recipient.accepts_dms:
                raise ApiError(403, 50007, "Cannot send messages to this user")
        msg = self.new_message(channel, self.world.bot, call.json or {}, call.files)
        await self.events.message_created(msg)
        return json_response(payloads.message(self.world, msg))

    async def edit_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        if msg.author_id != self.world.bot.id:
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        self.apply_edit(msg, self._call(request).json or {})
        await self.events.message_updated(msg)
        return json_response(payloads.message(self.world, msg))

    async def delete_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
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
        users = msg.reactions.setdefault(emoji, [])
        if self.world.bot.id not in users:  # adding twice is a no-op on Discord, with no event
            users.append(self.world.bot.id)
            await self.events.reaction_added(msg, self.world.bot.id, emoji)
        return no_content()

    async def remove_reaction(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        emoji = request.match_info["emoji"]
        user_id = int(request.match_info.get("user_id", self.world.bot.id))
        users = msg.reactions.get(emoji, [])
        if user_id in users:
            users.remove(user_id)
            if not users:
                del msg.reactions[emoji]
            await self.events.reaction_removed(msg, user_id, emoji)
        return no_content()

    async def get_reaction_users(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        after = int(request.query.get("after", 0))
        limit = min(int(request.query.get("limit", 25)), 100)
        # Pages go by user id, ascending, which is what the client's `after` expects.
        user_ids = sorted(
            i for i in msg.reactions.get(request.match_info["emoji"], []) if i > after
        )
        return json_response([payloads.user(self.world.users[i]) for i in user_ids[:limit]])

    # -- pins --

    async def pin(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        if msg.pinned_at is None:
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
        # The newer shape that abc.Messageable.pins reads: items of {pinned_at, message}.
        items = [
            {"pinned_at": payloads.timestamp(msg.pinned_at), "message": self._message_view(msg)}
            for msg in self._pinned(self._channel(request))
        ]
        return json_response({"items": items, "has_more": False})

    async def get_pins_legacy(self, request: web.Request) -> web.Response:
        return json_response(
            [self._message_view(msg) for msg in self._pinned(self._channel(request))]
        )

    # -- threads --

    async def create_thread_from_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        msg = self._message(request, channel)
        if msg.thread_id is not None:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        body = self._call(request).json or {}
        thread = self.world.create_thread(
            channel,
            self.world.bot,
            body["name"],
            starter=msg,
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
        )
        await self.events.thread_created(thread)
        return json_response(payloads.thread(self.world, thread.id), status=201)

    async def create_thread(self, request: web.Request) -> web.Response:
        parent = self._channel(request)
        call = self._call(request)
        body = call.json or {}
        duration = int(body.get("auto_archive_duration") or 1440)
        if parent.type is ChannelType.FORUM:
            # A forum post is a thread plus its first message, sent under "message"
            # (http.start_thread_in_forum); the message takes the thread's id.
            if "message" not in body:
                raise form_error("message", "BASE_TYPE_REQUIRED", "This field is required")
            thread = self.world.create_thread(
                parent, self.world.bot, body["name"], auto_archive_duration=duration
            )
            try:
                starter = self.new_message(
                    thread, self.world.bot, body["message"], call.files, id=thread.id
                )
            except ApiError:
                del self.world.channels[thread.id]  # Discord makes neither when the post is invalid
                raise
            await self.events.thread_created(thread)
            await self.events.message_created(starter)
            data = payloads.thread(self.world, thread.id) | {
                "message": payloads.message(self.world, starter)
            }
            return json_response(data, status=201)
        # Without a type, API v9+ makes a private thread.
        private = int(body.get("type") or ChannelType.PRIVATE_THREAD) == ChannelType.PRIVATE_THREAD
        thread = self.world.create_thread(
            parent, self.world.bot, body["name"], private=private, auto_archive_duration=duration
        )
        await self.events.thread_created(thread)
        return json_response(payloads.thread(self.world, thread.id), status=201)

    # -- application commands --

    def _command_scope(self, request: web.Request) -> int | None:
        if int(request.match_info["application_id"]) != self.world.application_id:
            raise not_found(10002, "Application")
        guild_id = request.match_info.get("guild_id")
        return int(guild_id) if guild_id else None

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.world.commands.get(self._command_scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        """Bulk overwrite, as tree.sync() does: a command keeps its id while its name and type do."""
        scope = self._command_scope(request)
        existing = {(c["name"], c["type"]): c for c in self.world.commands.get(scope, [])}
        registered = []
        for command in self._call(request).json or []:
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
            raise not_found(10062, "interaction")
        if interaction.acknowledged:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        call = self._call(request)
        body = call.json or {}
        kind = int(body["type"])
        data = body.get("data") or {}
        if kind == AUTOCOMPLETE_RESULT and len(data.get("choices") or []) > MAX_CHOICES:
            raise form_error(
                "data.choices", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CHOICES} or fewer in length."
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
        channel = self.world.channels[int(call.query.get("thread_id") or interaction.channel_id)]
        msg = self.new_message(
            channel,
            self.world.bot,
            call.json or {},
            call.files,
            webhook_id=self.world.application_id,
        )
        interaction.replies.append(InteractionReply("followup", call.json or {}, message_id=msg.id))
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
