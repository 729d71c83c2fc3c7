"""The gateway (v10) websocket: HELLO, IDENTIFY/READY, heartbeats, numbered dispatches, RESUME.

Frames go out as plain TEXT JSON even though discord.py asks for zlib-stream: it accepts both
(gateway.DiscordWebSocket.received_message only decompresses bytes). Each session keeps every
dispatch it was sent, so a RESUME can replay what the client missed after its last sequence number.

As on Discord ("Gateway" topic): the URL must ask for ``v=10`` and ``encoding=json`` (4012,
4002); nothing but a heartbeat comes before IDENTIFY (4003), and IDENTIFY comes once (4005)
with its token, properties and intents (4004, 4002); unknown intent bits close with 4013 and a
privileged intent the application was not granted with 4014. READY names a
``resume_gateway_url`` of its own, and sessions resume there: a RESUME sent to the plain URL
gets INVALID_SESSION (Discord asks clients to resume on that URL, and may refuse otherwise).
Dispatches go only to sessions whose intents cover them, GUILD_CREATE included.

Sharding ("Gateway" topic, Sharding): IDENTIFY may carry ``shard: [shard_id, num_shards]``,
two whole numbers with ``0 <= shard_id < num_shards``; anything else closes with 4010. A
session then holds only the guilds with ``(guild_id >> 22) % num_shards == shard_id``: READY
lists only those, and only their events reach it; private messages (events without a guild)
go to shard 0 alone. A session that would hold more than ``max_guilds_per_shard`` guilds
(Discord's 2,500) closes with 4011, sharding required. IDENTIFYs are limited per bucket
``shard_id % max_concurrency`` to one per ``identify_window`` seconds (5 on Discord); one
too soon gets INVALID_SESSION, as Discord answers it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from . import payloads
from .state import GUILD_MEMBERS, GUILDS, PRIVILEGED_INTENTS, Json, World

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, RECONNECT = 0, 1, 2, 6, 7
REQUEST_GUILD_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 8, 9, 10, 11

# Discord's real interval; discord.py's first heartbeat goes out at once on HELLO anyway.
HEARTBEAT_INTERVAL_MS = 41_250
# Close codes after which Discord wants a new session rather than a RESUME
# (4007 invalid seq, 4009 session timed out).
NEW_SESSION_CODES = (4007, 4009)
# A client that closes with these ends its session on Discord's side (no resume afterwards).
CLIENT_ENDS_SESSION = (1000, 1001)
# Discord's gateway close codes.
DECODE_ERROR, NOT_AUTHENTICATED, AUTHENTICATION_FAILED, ALREADY_AUTHENTICATED = (
    4002,
    4003,
    4004,
    4005,
)
INVALID_SHARD, SHARDING_REQUIRED = 4010, 4011
INVALID_API_VERSION, INVALID_INTENTS, DISALLOWED_INTENTS = 4012, 4013, 4014
MAX_GUILDS_PER_SHARD = 2500  # Discord's limit, past which it asks for (more) shards
IDENTIFY_WINDOW = 5.0  # seconds: one IDENTIFY per bucket in this long
SNOWFLAKE_SHIFT = 22
# Events whose payload names its guild as "id", not "guild_id".
GUILD_ITSELF = ("GUILD_CREATE", "GUILD_UPDATE", "GUILD_DELETE")
# Every intent Discord defines (bits 0-16, auto moderation 20-21, polls 24-25).
KNOWN_INTENTS = sum(1 << bit for bit in (*range(17), 20, 21, 24, 25))
BEFORE_IDENTIFY = (HEARTBEAT, IDENTIFY, RESUME)


@dataclass
class ReceivedFrame:
    """One frame the client sent, on the numbered connection it came over."""

    connection: int
    op: int
    data: Any
    at: float = field(default_factory=time.monotonic)


@dataclass
class Connection:
    """One websocket a client opened: on the plain URL or on the resume URL, with its query."""

    number: int
    resume_endpoint: bool
    query: dict[str, str]


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    sent: list[Json] = field(
        default_factory=list
    )  # every dispatch, in order: sent[i]["s"] == i + 1
    socket: web.WebSocketResponse | None = None

    def receives(self, intents: int) -> bool:
        return intents == 0 or bool(self.intents & intents)

    def holds(self, guild_id: int | None) -> bool:
        """Does this session get the events of ``guild_id`` (None: a private message)?"""
        if self.shard is None:
            return True
        shard_id, count = self.shard
        if guild_id is None:
            return shard_id == 0
        return shard_of(guild_id, count) == shard_id


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> SNOWFLAKE_SHIFT) % count


def guild_of(event: str, data: Any) -> int | None:
    """The guild an event belongs to; None for private messages."""
    if not isinstance(data, dict):
        return None
    raw = data.get("id") if event in GUILD_ITSELF else data.get("guild_id")
    return int(raw) if raw is not None else None


def valid_shard(shard: object) -> bool:
    return (
        isinstance(shard, list)
        and len(shard) == 2
        and all(isinstance(n, int) and not isinstance(n, bool) for n in shard)
        and shard[1] >= 1
        and 0 <= shard[0] < shard[1]
    )


class Gateway:
    def __init__(self, world: World) -> None:
        self.world = world
        self.url = ""  # ws://127.0.0.1:PORT/gateway, set once the server has a port
        self.resume_url = ""  # ws://127.0.0.1:PORT/resume: where READY sends resumes
        self.sessions: dict[str, Session] = {}
        self.received: list[ReceivedFrame] = []
        self.connections: list[Connection] = []
        self.frame_arrived = asyncio.Condition()  # notified after every frame a client sends
        self.errors: list[BaseException] = []  # bugs in this fixture, surfaced by the test fixture
        self._connections: dict[web.WebSocketResponse, web.Request] = {}
        self._numbers = itertools.count(1)
        self._open = asyncio.Event()  # cleared during an outage: new connections wait for HELLO
        self._open.set()
        self.repeat_on_resume = 0  # events sent again on the next RESUME (see DiscordServer)
        # Changes READY before it goes out, for a payload the client can't read.
        self.mangle_ready: Callable[[Json], Json] | None = None
        # Sharding, as Discord applies it (see the module's docstring).
        self.max_guilds_per_shard = MAX_GUILDS_PER_SHARD
        self.max_concurrency = 1
        self.identify_window = IDENTIFY_WINDOW
        self.session_starts = 1000  # session_start_limit.remaining: one less per IDENTIFY
        self._last_identify: dict[int, float] = {}  # bucket -> when its last IDENTIFY came
        self.refused_identifies = 0  # IDENTIFYs turned away for coming too soon in their bucket

    def recommended_shards(self) -> int:
        """What /gateway/bot recommends: one shard per 1,000 guilds, at least one."""
        return max(1, -(-len(self.world.guilds) // 1000))

    # -- what tests and the REST side call --

    async def dispatch(self, event: str, data: Json, *, intents: int = 0) -> None:
        """Send an event to every session whose intents include one of `intents` (0: all)."""
        guild_id = guild_of(event, data)
        for session in list(self.sessions.values()):
            if session.receives(intents) and session.holds(guild_id):
                await self._send_event(session, event, self._as_seen_by(session, event, data))

    async def dispatch_raw(self, event: str, data: Any) -> None:
        """Send ``data`` exactly as given, for a payload the client may not understand."""
        guild_id = guild_of(event, data)
        for session in list(self.sessions.values()):
            if session.holds(guild_id):
                await self._send_event(session, event, data)

    async def close(self, code: int = 4000, *, forget_sessions: bool = False) -> None:
        """Close every connection with `code`, as Discord does; sessions stay resumable unless
        forgotten (then the client's RESUME gets INVALID_SESSION and it IDENTIFYs again)."""
        for session in self.sessions.values():
            session.socket = None  # from now on its dispatches wait in session.sent
        if forget_sessions or code in NEW_SESSION_CODES:
            self.sessions.clear()
        for socket in list(self._connections):
            await socket.close(code=code)

    def drop(self) -> None:
        """Cut every connection without a close frame, like a network failure."""
        for session in self.sessions.values():
            session.socket = None
        for request in self._connections.values():
            if request.transport is not None:
                request.transport.abort()

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the client closes and RESUMEs."""
        for socket in list(self._connections):
            await self._send(socket, {"op": RECONNECT, "d": None})

    @asynccontextmanager
    async def outage(self, code: int = 4000) -> AsyncIterator[None]:
        """Close the connections and hold new ones before HELLO until the block ends, so that
        whatever the test dispatches inside the block is missed and must come back by replay."""
        self._open.clear()
        try:
            await self.close(code)
            yield
        finally:
            self._open.set()

    async def shutdown(self) -> None:
        self._open.set()
        await self.close(1001)

    # -- the websocket --

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """The gateway URL that clients connect to first."""
        return await self._serve(request, resume_endpoint=False)

    async def handle_resume(self, request: web.Request) -> web.WebSocketResponse:
        """The ``resume_gateway_url`` from READY."""
        return await self._serve(request, resume_endpoint=True)

    async def _serve(self, request: web.Request, *, resume_endpoint: bool) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self._connections[socket] = request
        connection = next(self._numbers)
        self.connections.append(Connection(connection, resume_endpoint, dict(request.query)))
        session: Session | None = None
        authenticated = False
        try:
            if request.query.get("v") != "10":
                await socket.close(code=INVALID_API_VERSION, message=b"Invalid API version.")
                return socket
            if request.query.get("encoding", "json") != "json":
                await socket.close(code=DECODE_ERROR, message=b"Error while decoding payload.")
                return socket
            await self._open.wait()
            await self._send(
                socket, {"op": HELLO, "d": {"heartbeat_interval": HEARTBEAT_INTERVAL_MS}}
            )
            async for msg in socket:
                if msg.type is not aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    frame = json.loads(msg.data)
                except ValueError:
                    await socket.close(code=DECODE_ERROR, message=b"Error while decoding payload.")
                    break
                op, data = frame.get("op"), frame.get("d")
                self.received.append(ReceivedFrame(connection, op, data))
                async with self.frame_arrived:
                    self.frame_arrived.notify_all()
                if not authenticated and op not in BEFORE_IDENTIFY:
                    await socket.close(code=NOT_AUTHENTICATED, message=b"Not authenticated.")
                    break
                if op == HEARTBEAT:
                    # Unacknowledged heartbeats make discord.py reconnect (gateway.KeepAliveHandler).
                    await self._send(socket, {"op": HEARTBEAT_ACK, "d": None})
                elif op in (IDENTIFY, RESUME) and authenticated:
                    await socket.close(
                        code=ALREADY_AUTHENTICATED, message=b"Already authenticated."
                    )
                    break
                elif op == IDENTIFY:
                    session = await self._identify(socket, data)
                    authenticated = session is not None
                elif op == RESUME:
                    session = await self._resume(socket, data, resume_endpoint=resume_endpoint)
                    authenticated = session is not None
                elif op == REQUEST_GUILD_MEMBERS and session is not None:
                    await self._send_member_chunk(session, data)
                # Presence (3) and voice state (4) updates are only recorded.
        except Exception as error:  # a bug here: make it visible, and close like Discord's 4000
            self.errors.append(error)
            await socket.close(code=4000)
        finally:
            del self._connections[socket]
            if session is not None and session.socket is socket:
                session.socket = None
                if socket.close_code in CLIENT_ENDS_SESSION:
                    self.sessions.pop(session.id, None)
        return socket

    async def _identify(self, socket: web.WebSocketResponse, data: Any) -> Session | None:
        world = self.world
        properties = data.get("properties") if isinstance(data, dict) else None
        if (
            not isinstance(properties, dict)
            or not all(isinstance(properties.get(k), str) for k in ("os", "browser", "device"))
            or not isinstance(data.get("intents"), int)
        ):
            # IDENTIFY needs token, properties (os, browser, device) and intents.
            await socket.close(code=DECODE_ERROR, message=b"Error while decoding payload.")
            return None
        if data.get("token") != world.token:
            await socket.close(code=AUTHENTICATION_FAILED, message=b"Authentication failed.")
            return None
        intents = data["intents"]
        if intents < 0 or intents & ~KNOWN_INTENTS:
            await socket.close(code=INVALID_INTENTS, message=b"Invalid intent(s).")
            return None
        if intents & PRIVILEGED_INTENTS & ~world.privileged_intents:
            # discord.py turns 4014 into PrivilegedIntentsRequired (client.Client.connect).
            await socket.close(code=DISALLOWED_INTENTS, message=b"Disallowed intent(s).")
            return None
        shard = data.get("shard")
        if shard is not None and not valid_shard(shard):
            await socket.close(code=INVALID_SHARD, message=b"Invalid shard.")
            return None
        shard_id, count = shard if shard is not None else (0, 1)
        guilds = [g for g in world.guilds.values() if shard_of(g.id, count) == shard_id]
        if len(guilds) > self.max_guilds_per_shard:
            await socket.close(code=SHARDING_REQUIRED, message=b"Sharding required.")
            return None
        bucket = shard_id % self.max_concurrency
        now = time.monotonic()
        last = self._last_identify.get(bucket)
        if last is not None and now - last < self.identify_window:
            self.refused_identifies += 1
            await self._send(socket, {"op": INVALID_SESSION, "d": False})
            return None
        self._last_identify[bucket] = now
        self.session_starts -= 1
        session = Session(id=secrets.token_hex(16), intents=intents, shard=shard, socket=socket)
        self.sessions[session.id] = session
        ready: Json = {
            "v": 10,
            "user": payloads.client_user(world.bot),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            # gateway.DiscordWebSocket.received_message reads it strictly and resumes there.
            "resume_gateway_url": self.resume_url,
            "application": {"id": str(world.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if session.shard is not None:
            ready["shard"] = session.shard  # AutoShardedConnectionState.parse_ready reads it
        if self.mangle_ready is not None:
            ready = self.mangle_ready(ready)
        await self._send_event(session, "READY", ready)
        if not intents & GUILDS:
            return session  # guilds come in GUILD_CREATE, which is a GUILDS event
        for guild in guilds:
            data = payloads.guild_create(world, guild, all_members=bool(intents & GUILD_MEMBERS))
            # unavailable=False marks a guild from READY becoming available, as Discord sends it.
            await self._send_event(session, "GUILD_CREATE", data | {"unavailable": False})
        return session

    async def _resume(
        self, socket: web.WebSocketResponse, data: Json, *, resume_endpoint: bool
    ) -> Session | None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None or data.get("token") != self.world.token or not resume_endpoint:
            # d=false: not resumable; discord.py then reconnects and IDENTIFYs.
            await self._send(socket, {"op": INVALID_SESSION, "d": False})
            return None
        # Replay everything after the client's last sequence number, including what is
        # dispatched while we replay, then go live.
        index = int(data.get("seq") or 0)
        # A repeat re-sends what the client already had, as a flaky delivery would.
        index, self.repeat_on_resume = max(index - self.repeat_on_resume, 0), 0
        while index < len(session.sent):
            await self._send(socket, session.sent[index])
            index += 1
        session.socket = socket
        await self._send_event(session, "RESUMED", {})
        return session

    async def _send_member_chunk(self, session: Session, data: Json) -> None:
        guild = self.world.guilds[int(data["guild_id"])]
        wanted = {int(u) for u in data.get("user_ids") or []}
        query = (data.get("query") or "").lower()
        members = [
            m
            for m in guild.members.values()
            if (
                m.user_id in wanted
                if wanted
                else self.world.users[m.user_id].name.lower().startswith(query)
            )
        ]
        if data.get("limit"):
            members = members[: data["limit"]]
        chunk = {
            "guild_id": str(guild.id),
            "members": [payloads.member(self.world, guild, m) for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
            "nonce": data.get("nonce"),
        }
        await self._send_event(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _send_event(self, session: Session, event: str, data: Json) -> None:
        session.seq += 1
        frame = {"op": DISPATCH, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.socket is not None:
            await self._send(session.socket, frame)

    async def _send(self, socket: web.WebSocketResponse, frame: Json) -> None:
        if socket.closed:
            return  # a dispatch racing a close: it stays in session.sent for the RESUME
        with suppress(ConnectionResetError):
            await socket.send_str(json.dumps(frame))

    def _as_seen_by(self, session: Session, event: str, data: Json) -> Json:
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE") and payloads.hides_content(
            self.world, data, session.intents
        ):
            return payloads.without_content(data)
        return data
