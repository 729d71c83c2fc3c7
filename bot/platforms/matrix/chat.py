"""The ``Chat`` port over a Matrix homeserver.

nio returns errors as values; here they become ``DeliveryError`` (for the cogs) or a log line
(for the best-effort things such as pins). Sends are retried a few times through a 429 or a
short outage, with the same transaction id, so a retry can never post twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
import nio
from nio.api import RelationshipType

from bot.chat import (
    DeliveryError,
    Destination,
    MemberRef,
    MessageRef,
    Platform,
    Reactions,
    RoomRef,
    ThreadRef,
    ThreadStart,
    normalise_emoji,
    room_of,
)
from bot.clock import Clock
from bot.config import MatrixConfig
from bot.platforms.matrix import render
from bot.platforms.matrix.commands import room_ref
from bot.platforms.matrix.memory import EventMemory
from bot.platforms.matrix.store import MatrixStore
from bot.platforms.matrix.translate import (
    MAX_REACTION_KEY,
    TimelineEvent,
    creators_of,
    localpart,
)

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 5
RETRY_FIRST = 0.5  # seconds, doubled each time, with jitter
ROOM_READY_TIMEOUT = 15.0  # how long a new direct room may take to reach our sync
RELATIONS_PAGE = 50  # reactions per /relations page (Synapse's default is 5)
NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)
_MD_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_[]<>~|"})


def usable_key(key: str) -> str | None:
    """A reaction key we can count: normalised, not blank, not absurdly long."""
    normal = normalise_emoji(key)
    if not normal or len(normal) > MAX_REACTION_KEY or not normal.isprintable():
        return None
    return normal


def decrypted(client: nio.AsyncClient, event: TimelineEvent) -> TimelineEvent:
    """The event in the clear when the bot holds its key, else as it came."""
    if isinstance(event, nio.MegolmEvent) and client.olm is not None:
        try:
            # nio's @store_loaded decorator hides decrypt_event's declared return type.
            clear: TimelineEvent = client.decrypt_event(event)
        except Exception:  # no key for it (yet)
            return event
        return clear
    return event


class MatrixChat:
    """What the cogs may ask of Matrix. Also answers commands for ``MatrixReplier``."""

    def __init__(
        self,
        client: nio.AsyncClient,
        *,
        me: str,
        config: MatrixConfig,
        store: MatrixStore,
        memory: EventMemory,
        clock: Clock,
    ) -> None:
        self._client = client
        self.me = me
        self._config = config
        self._store = store
        self._memory = memory
        self._clock = clock
        self.creators: dict[str, set[str]] = {}
        self.direct: dict[str, str] = {}  # direct room id -> the person it is with
        self._direct_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._joined: dict[str, asyncio.Event] = {}

    @property
    def platform(self) -> Platform:
        return Platform.MATRIX

    # --- what the adapter tells us --------------------------------------------------------

    def note_creators(self, room_id: str, event: nio.Event) -> None:
        self.creators[room_id] = creators_of(event)

    def note_joined(self, room_id: str) -> None:
        self._joined.setdefault(room_id, asyncio.Event()).set()

    def forget_room(self, room_id: str) -> None:
        self.creators.pop(room_id, None)
        self.direct.pop(room_id, None)
        self._joined.pop(room_id, None)
        self._client.rooms.pop(room_id, None)

    # --- sending --------------------------------------------------------------------------

    async def send(self, where: Destination, text: str) -> MessageRef:
        thread = where if isinstance(where, ThreadRef) else None
        return await self._post(room_of(where).id, thread, text, msgtype="m.text")

    async def open_thread(self, room: RoomRef, title: str, text: str) -> ThreadStart:
        # A Matrix thread is a root message and the messages that relate to it; it has no
        # title of its own, and the cogs' opening texts already say what the thread is for.
        root = await self._post(room.id, None, text, msgtype="m.text")
        return ThreadStart(root, ThreadRef(room, root.id))

    async def send_in(self, room_id: str, thread: ThreadRef | None, text: str) -> None:
        await self._post(room_id, thread, text, msgtype="m.text")

    async def answer(
        self, room_id: str, thread: ThreadRef | None, event_id: str, text: str
    ) -> None:
        """A notice answering one message, in its thread if it had one."""
        await self._post(room_id, thread, text, msgtype="m.notice", reply_to=event_id)

    async def private(self, member: MemberRef, text: str) -> None:
        await self.send_private(member, text)

    async def _post(
        self,
        room_id: str,
        thread: ThreadRef | None,
        text: str,
        *,
        msgtype: str,
        reply_to: str | None = None,
    ) -> MessageRef:
        first = ""
        for piece in render.split(text):
            content = render.message_content(piece, msgtype)
            if thread is not None:
                content["m.relates_to"] = self._thread_relation(room_id, thread.id, reply_to)
            elif reply_to is not None:
                content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
            reply_to = None  # only the first piece answers; the rest follow it
            event_id = await self.send_event(room_id, "m.room.message", content)
            self._memory.remember(event_id, self.me, thread.id if thread else None)
            if thread is not None:
                self._memory.note_in_thread(room_id, thread.id, event_id)
            first = first or event_id
        room = thread.room if thread is not None else room_ref(room_id)
        return MessageRef(room, first, thread)

    def _thread_relation(self, room_id: str, root: str, reply_to: str | None) -> dict[str, Any]:
        """https://spec.matrix.org/v1.16/client-server-api/#threading: without a real reply,
        the fallback reply points at the newest event of the thread."""
        falling_back = reply_to is None
        return {
            "rel_type": "m.thread",
            "event_id": root,
            "is_falling_back": falling_back,
            "m.in_reply_to": {"event_id": reply_to or self._memory.thread_tip(room_id, root)},
        }

    async def send_event(self, room_id: str, event_type: str, content: dict[str, Any]) -> str:
        """Send one event and return its id; retry a 429 or a lost connection a few times."""
        transaction = str(uuid.uuid4())
        delay = RETRY_FIRST
        problem = "the homeserver could not be reached"
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                response = await self._client.room_send(
                    room_id,
                    event_type,
                    content,
                    tx_id=transaction,
                    # Nobody verifies the bot's peers' devices, so waiting for verification
                    # would mean never speaking in an encrypted room. See the README.
                    ignore_unverified_devices=True,
                )
            except NETWORK_ERRORS as error:
                problem = f"{type(error).__name__}: {error}"
            except (nio.LocalProtocolError, nio.SendRetryError) as error:
                raise DeliveryError(f"{room_id}: {error}") from error
            else:
                if isinstance(response, nio.RoomSendResponse):
                    return str(response.event_id)
                if response.status_code != "M_LIMIT_EXCEEDED":
                    raise DeliveryError(f"{room_id}: {response.status_code} {response.message}")
                problem = "rate limited"
                retry_after = getattr(response, "retry_after_ms", None)
                if retry_after:
                    delay = max(delay, retry_after / 1000)
            if attempt < SEND_ATTEMPTS:
                log.warning(
                    "sending to %s failed (%s); trying again in %.1f s", room_id, problem, delay
                )
                await asyncio.sleep(delay * random.uniform(1.0, 1.5))  # noqa: S311 - jitter
                delay *= 2
        raise DeliveryError(f"{room_id}: {problem}")

    # --- reactions, edits, pins -----------------------------------------------------------

    async def react(self, message: MessageRef, key: str) -> None:
        content = {"m.relates_to": {"rel_type": "m.annotation", "event_id": message.id, "key": key}}
        try:
            await self.send_event(message.room.id, "m.reaction", content)
        except DeliveryError as error:
            if "M_DUPLICATE_ANNOTATION" in str(error):
                return  # we had already reacted with that key
            raise

    async def mark(self, room_id: str, event_id: str, key: str) -> None:
        """React to any event by id (the replier's acknowledgement of a command line)."""
        await self.react(MessageRef(room_ref(room_id), event_id), key)

    async def edit(self, message: MessageRef, text: str) -> None:
        await self.send_event(
            message.room.id, "m.room.message", render.edit_content(message.id, text)
        )

    async def remove_reaction(self, message: MessageRef, member: MemberRef, key: str) -> None:
        """Redact the person's annotation with that key; redacting someone else's event needs
        the room's ``redact`` power level."""
        try:
            async for event in self._client.room_get_event_relations(
                message.room.id,
                message.id,
                rel_type=RelationshipType.annotation,
                limit=RELATIONS_PAGE,
            ):
                event = decrypted(self._client, event)
                if (
                    isinstance(event, nio.ReactionEvent)
                    and event.sender == member.id
                    and usable_key(event.key) == normalise_emoji(key)
                ):
                    response = await self._client.room_redact(message.room.id, event.event_id)
                    if not isinstance(response, nio.RoomRedactResponse):
                        raise DeliveryError(
                            f"could not redact {event.event_id}: "
                            f"{getattr(response, 'message', response)}"
                        )
        except AttributeError as error:  # nio's iterator trips over an error response
            raise DeliveryError(f"could not read the reactions on {message.id}") from error
        except NETWORK_ERRORS as error:
            raise DeliveryError(f"could not take a reaction off {message.id}: {error}") from error

    def message_link(self, message: MessageRef) -> str:
        return f"https://matrix.to/#/{quote(message.room.id)}/{quote(message.id)}"

    async def pin(self, message: MessageRef) -> None:
        """Pin by adding to ``m.room.pinned_events``. It needs a power level the room may not
        have given the bot; then we log it and carry on."""
        room_id = message.room.id
        try:
            current = await self._client.room_get_state_event(room_id, "m.room.pinned_events")
            pinned: list[str] = []
            if isinstance(current, nio.RoomGetStateEventResponse):
                found = current.content.get("pinned", [])
                pinned = [p for p in found if isinstance(p, str)] if isinstance(found, list) else []
            if message.id in pinned:
                return
            response = await self._client.room_put_state(
                room_id, "m.room.pinned_events", {"pinned": [*pinned, message.id]}
            )
            if not isinstance(response, nio.RoomPutStateResponse):
                log.warning(
                    "could not pin %s in %s: %s",
                    message.id,
                    room_id,
                    getattr(response, "message", response),
                )
        except NETWORK_ERRORS as error:
            log.warning("could not pin %s in %s: %s", message.id, room_id, error)

    async def reactions(self, message: MessageRef) -> Reactions:
        """The live reactions from ``/relations`` (redacted ones are gone), by normalised key."""
        by_key: dict[str, list[MemberRef]] = {}
        try:
            async for event in self._client.room_get_event_relations(
                message.room.id,
                message.id,
                rel_type=RelationshipType.annotation,
                limit=RELATIONS_PAGE,
            ):
                event = decrypted(self._client, event)
                if not isinstance(event, nio.ReactionEvent) or event.sender == self.me:
                    continue
                key = usable_key(event.key)
                if key is None:
                    continue
                members = by_key.setdefault(key, [])
                member = MemberRef(Platform.MATRIX, event.sender)
                if member not in members:
                    members.append(member)
        except AttributeError as error:  # nio's iterator trips over an error response
            raise DeliveryError(f"could not read the reactions on {message.id}") from error
        except NETWORK_ERRORS as error:
            raise DeliveryError(f"could not read the reactions on {message.id}: {error}") from error
        return Reactions(by_key)

    # --- private messages -----------------------------------------------------------------

    async def send_private(self, member: MemberRef, text: str) -> MessageRef:
        room_id = await self._direct_room(member.id)
        return await self._post(room_id, None, text, msgtype="m.text")

    async def _direct_room(self, user_id: str) -> str:
        """The direct room we share with ``user_id``, made (and marked ``m.direct``) if needed."""
        async with self._direct_locks[user_id]:
            known = await self._store.direct_room(user_id)
            if known is not None and self._still_shared(known, user_id):
                return known
            if known is not None:
                await self._store.forget_direct_room(known)
                self.direct.pop(known, None)
            await self._check_exists(user_id)
            initial_state = (
                [nio.EnableEncryptionBuilder().as_dict()]  # type: ignore[no-untyped-call]  # nio's builders are unannotated
                if self._config.encryption
                else []
            )
            try:
                created = await self._client.room_create(
                    is_direct=True,
                    invite=[user_id],
                    preset=nio.RoomPreset.trusted_private_chat,
                    initial_state=initial_state,
                )
            except NETWORK_ERRORS as error:
                raise DeliveryError(
                    f"could not open a direct room with {user_id}: {error}"
                ) from error
            if not isinstance(created, nio.RoomCreateResponse):
                raise DeliveryError(
                    f"could not open a direct room with {user_id}: {created.message}"
                )
            room_id = str(created.room_id)
            await self._store.set_direct_room(user_id, room_id, self._clock.now())
            self.direct[room_id] = user_id
            await self._mark_direct(user_id, room_id)
            if self._client.olm is not None:
                await self._wait_until_synced(room_id)
            return room_id

    async def _check_exists(self, user_id: str) -> None:
        """Synapse accepts a new room that invites someone who doesn't exist (or whose account
        was closed and erased), and nobody would ever read it: ask for the profile first."""
        try:
            profile = await self._client.get_profile(user_id)
        except NETWORK_ERRORS as error:
            raise DeliveryError(f"could not look up {user_id}: {error}") from error
        if isinstance(profile, nio.ProfileGetError):
            status = getattr(profile.transport_response, "status", None)
            if profile.status_code == "M_NOT_FOUND" or status == 404:
                raise DeliveryError(f"{user_id} has no account (any more)")

    def _still_shared(self, room_id: str, user_id: str) -> bool:
        room = self._client.rooms.get(room_id)
        return room is not None and user_id in room.users

    async def _wait_until_synced(self, room_id: str) -> None:
        """Encrypting needs the room's state from a sync (nio refuses unknown rooms)."""
        if room_id in self._client.rooms:
            return
        joined = self._joined.setdefault(room_id, asyncio.Event())
        try:
            await asyncio.wait_for(joined.wait(), ROOM_READY_TIMEOUT)
        except TimeoutError:
            raise DeliveryError(f"the new direct room {room_id} did not arrive in time") from None

    async def _mark_direct(self, user_id: str, room_id: str) -> None:
        """Add the room to the bot's ``m.direct`` account data, so clients show it as a DM.

        https://spec.matrix.org/v1.16/client-server-api/#mdirect
        """
        try:
            response = await self._client.list_direct_rooms()
            rooms: dict[str, list[str]] = {}
            if isinstance(response, nio.DirectRoomsResponse):
                # nio hands the account data over unchecked, whatever its annotation says.
                found: Mapping[str, object] = response.rooms
                rooms = {k: list(v) for k, v in found.items() if isinstance(v, list)}
            if room_id in rooms.get(user_id, []):
                return
            rooms.setdefault(user_id, []).append(room_id)
            path = nio.Api._build_path(["user", self.me, "account_data", "m.direct"])
            reply = await self._client.send(
                "PUT",
                path,
                nio.Api.to_json(rooms),
                headers={
                    "Authorization": f"Bearer {self._client.access_token}",
                    "Content-Type": "application/json",
                },
            )
            reply.release()
            if reply.status != 200:
                log.info("could not mark %s as a direct room (HTTP %s)", room_id, reply.status)
        except NETWORK_ERRORS as error:
            log.info("could not mark %s as a direct room: %s", room_id, error)

    # --- people ---------------------------------------------------------------------------

    async def is_moderator(self, member: MemberRef, room: RoomRef) -> bool:
        """Power level at or above the configured threshold, or one of the room's creators."""
        if member.id in await self._creators(room.id):
            return True
        nroom = self._client.rooms.get(room.id)
        if nroom is None:
            return False
        return bool(
            nroom.power_levels.get_user_level(member.id) >= self._config.moderator_power_level
        )

    async def moderators(self, room: RoomRef) -> list[MemberRef]:
        """The room's creators and everyone at or above the moderator power level in it."""
        found = dict.fromkeys(sorted(await self._creators(room.id)))
        nroom = self._client.rooms.get(room.id)
        if nroom is not None:
            threshold = self._config.moderator_power_level
            for user_id, level in sorted(nroom.power_levels.users.items()):
                if level >= threshold:
                    found[user_id] = None
        me = self._client.user_id
        return [MemberRef(Platform.MATRIX, u) for u in found if u != me]

    async def _creators(self, room_id: str) -> set[str]:
        known = self.creators.get(room_id)
        if known is not None:
            return known
        try:
            response = await self._client.room_get_state(room_id)
        except NETWORK_ERRORS:
            return set()
        if isinstance(response, nio.RoomGetStateResponse):
            for raw in response.events:
                if isinstance(raw, dict) and raw.get("type") == "m.room.create":
                    event = nio.Event.parse_event(raw)
                    if isinstance(event, nio.Event):
                        self.note_creators(room_id, event)
                        return self.creators[room_id]
        return set()

    def display_names(self, room_id: str) -> dict[str, str]:
        """Room members' display names by user id (members without one are left out)."""
        room = self._client.rooms.get(room_id)
        if room is None:
            return {}
        return {
            user_id: user.display_name for user_id, user in room.users.items() if user.display_name
        }

    async def display_name(self, member: MemberRef, room: RoomRef | None = None) -> str:
        """The name a room knows the person by, else their localpart; Markdown-safe."""
        rooms = [self._client.rooms.get(room.id)] if room is not None else []
        rooms += list(self._client.rooms.values())
        for nroom in rooms:
            if nroom is None:
                continue
            user = nroom.users.get(member.id)
            if user is not None and user.display_name:
                return _plain(user.display_name)
        return _plain(localpart(member.id))

    def command_prefix(self, platform: Platform) -> str:
        return f"{self._config.command_prefix} "

    def member_handle(self, member: MemberRef) -> str:
        return member.id


def _plain(name: str) -> str:
    """A display name to put inside Markdown, so that ``*bob*`` is not bold and ``[x](y)``
    is not a link, and without line breaks."""
    return " ".join(name.split()).translate(_MD_SPECIAL)
