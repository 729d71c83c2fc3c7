"""The Synapse harness works, and the Matrix behaviour the bot relies on is what we think it is.

These tests use plain matrix-nio clients acting as people. Each one pins down a fact from
shared/testing/matrix-synapse.md that the Matrix adapter will depend on.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable, Sequence

import aiohttp
import nio
import pytest
from nio.api import RelationshipType

from tests.e2e.synapse import RELAXED, Synapse
from tests.e2e.synapse_fixtures import MakeClient, RegisterUser

pytestmark = pytest.mark.e2e

SYNC_TIMEOUT = 10.0
THUMBS_UP = "\N{THUMBS UP SIGN}"
# https://spec.matrix.org/v1.16/client-server-api/#filtering
TIMELINE_100 = {"room": {"timeline": {"limit": 100}}}

# Loads homeserver.yaml with Synapse's own config parser, in a child process (Synapse is
# AGPL and never imported here), and prints every rate limiter it ended up with.
RATE_LIMIT_PROBE = """
import json, sys
from synapse.config.homeserver import HomeServerConfig
from synapse.config.ratelimiting import RatelimitSettings
config = HomeServerConfig.load_config("", ["-c", sys.argv[1]])
print(json.dumps({
    name: [value.per_second, value.burst_count]
    for name, value in vars(config.ratelimiting).items()
    if isinstance(value, RatelimitSettings)
}))
"""


async def sync_until(
    client: nio.AsyncClient,
    room_id: str,
    done: Callable[[list[nio.Event]], bool],
) -> list[nio.Event]:
    """Sync until the events seen in `room_id` satisfy `done`; return them all."""
    seen: list[nio.Event] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SYNC_TIMEOUT
    while not done(seen):
        remaining = deadline - loop.time()
        if remaining <= 0:
            raise AssertionError(f"{client.user_id} never saw the expected events; saw {seen!r}")
        response = await client.sync(timeout=int(remaining * 1000))
        assert isinstance(response, nio.SyncResponse), response
        if room := response.rooms.join.get(room_id):
            seen.extend(room.timeline.events)
    return seen


def texts(events: Sequence[nio.Event | nio.BadEventType]) -> list[str]:
    return [event.body for event in events if isinstance(event, nio.RoomMessageText)]


async def send_text(client: nio.AsyncClient, room_id: str, body: str, **extra: object) -> str:
    """Send an m.text message and return its event id."""
    content = {"msgtype": "m.text", "body": body, **extra}
    response = await client.room_send(room_id, "m.room.message", content)
    assert isinstance(response, nio.RoomSendResponse), response
    return response.event_id


async def shared_room(host: nio.AsyncClient, guest: nio.AsyncClient, **create: object) -> str:
    """`host` creates a room and invites `guest`, who joins; both have synced since."""
    created = await host.room_create(invite=[guest.user_id], **create)
    assert isinstance(created, nio.RoomCreateResponse), created
    joined = await guest.join(created.room_id)
    assert isinstance(joined, nio.JoinResponse), joined
    for client in (host, guest):
        synced = await client.sync(timeout=0)
        assert isinstance(synced, nio.SyncResponse), synced
    return created.room_id


def test_every_rate_limiter_synapse_reads_is_relaxed(synapse: Synapse) -> None:
    """Synapse parses each rc_* key we write, and no limiter is left at its default."""
    probe = subprocess.run(
        [sys.executable, "-c", RATE_LIMIT_PROBE, str(synapse.config_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    limiters = json.loads(probe.stdout)
    # Throttles federation media downloads (bytes per second); there is no federation here.
    limiters.pop("remote_media_downloads")
    assert limiters, "Synapse reported no rate limiters: the probe is broken"
    expected = [RELAXED["per_second"], RELAXED["burst_count"]]
    assert {name: limit for name, limit in limiters.items() if limit != expected} == {}


async def test_registered_users_are_logged_in_and_admin_only_when_asked(
    synapse: Synapse, matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """Shared-secret registration gives working tokens, and server-admin rights only with admin=True."""
    admin, member = matrix_user("admin", admin=True), matrix_user("member")
    for user in (admin, member):
        whoami = await matrix_client(user).whoami()
        assert isinstance(whoami, nio.WhoamiResponse), whoami
        assert (whoami.user_id, whoami.device_id) == (user.user_id, user.device_id)

    # https://element-hq.github.io/synapse/latest/admin_api/user_admin_api.html#get-whether-a-user-is-a-server-administrator-or-not
    async with aiohttp.ClientSession() as http:
        for user, expected in ((admin, True), (member, False)):
            url = f"{synapse.url}/_synapse/admin/v1/users/{user.user_id}/admin"
            headers = {"Authorization": f"Bearer {admin.access_token}"}
            async with http.get(url, headers=headers) as reply:
                assert reply.status == 200, await reply.text()
                assert (await reply.json())["admin"] is expected


async def test_invited_user_joins_and_receives_a_message(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """A creates a room and invites B; B joins and its sync sees A's message."""
    alice, bob = matrix_client(matrix_user("alice")), matrix_client(matrix_user("bob"))
    created = await alice.room_create(name="Circle")
    assert isinstance(created, nio.RoomCreateResponse), created
    invited = await alice.room_invite(created.room_id, bob.user_id)
    assert isinstance(invited, nio.RoomInviteResponse), invited

    invites = await bob.sync(timeout=0)
    assert isinstance(invites, nio.SyncResponse), invites
    assert created.room_id in invites.rooms.invite
    joined = await bob.join(created.room_id)
    assert isinstance(joined, nio.JoinResponse), joined
    await bob.sync(timeout=0)

    event_id = await send_text(alice, created.room_id, "welcome")
    events = await sync_until(bob, created.room_id, lambda seen: "welcome" in texts(seen))
    message = next(e for e in events if isinstance(e, nio.RoomMessageText))
    assert (message.event_id, message.sender) == (event_id, alice.user_id)


async def test_reaction_and_its_redaction_reach_the_other_member(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """B sees A's m.annotation reaction, then the redaction that names the reaction's id."""
    alice, bob = matrix_client(matrix_user("alice")), matrix_client(matrix_user("bob"))
    room_id = await shared_room(alice, bob)
    target = await send_text(bob, room_id, "shall we meet weekly?")

    reaction = await alice.room_send(
        room_id,
        "m.reaction",
        {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": THUMBS_UP}},
    )
    assert isinstance(reaction, nio.RoomSendResponse), reaction
    seen = await sync_until(
        bob, room_id, lambda seen: any(isinstance(e, nio.ReactionEvent) for e in seen)
    )
    [reacted] = [e for e in seen if isinstance(e, nio.ReactionEvent)]
    assert (reacted.reacts_to, reacted.key, reacted.sender) == (target, THUMBS_UP, alice.user_id)

    redacted = await alice.room_redact(room_id, reaction.event_id)
    assert isinstance(redacted, nio.RoomRedactResponse), redacted
    seen = await sync_until(
        bob, room_id, lambda seen: any(isinstance(e, nio.RedactionEvent) for e in seen)
    )
    [redaction] = [e for e in seen if isinstance(e, nio.RedactionEvent)]
    # A vote is withdrawn by redacting the reaction event, not by naming the message.
    assert redaction.redacts == reaction.event_id


async def test_thread_reply_carries_its_relation_in_the_source(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """A thread reply arrives with rel_type m.thread and the root's id in event.source."""
    alice, bob = matrix_client(matrix_user("alice")), matrix_client(matrix_user("bob"))
    room_id = await shared_room(alice, bob)
    root = await send_text(alice, room_id, "check-in round")
    # https://spec.matrix.org/v1.16/client-server-api/#threading: the fallback reply lets
    # clients without thread support show it as a plain reply.
    relation = {
        "rel_type": "m.thread",
        "event_id": root,
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": root},
    }
    reply = await send_text(bob, room_id, "feeling steady", **{"m.relates_to": relation})

    seen = await sync_until(alice, room_id, lambda seen: "feeling steady" in texts(seen))
    [event] = [e for e in seen if getattr(e, "event_id", None) == reply]
    assert event.source["content"]["m.relates_to"]["rel_type"] == "m.thread"
    assert event.source["content"]["m.relates_to"]["event_id"] == root


async def test_relations_endpoint_lists_live_reactions_only(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """/relations lists a message's reactions and drops one once it is redacted."""
    alice, bob = matrix_client(matrix_user("alice")), matrix_client(matrix_user("bob"))
    room_id = await shared_room(alice, bob)
    target = await send_text(alice, room_id, "proposal: phones face down")

    reaction_ids = {}
    for voter, key in ((alice, THUMBS_UP), (bob, THUMBS_UP), (bob, "\N{HEAVY BLACK HEART}")):
        sent = await voter.room_send(
            room_id,
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": target, "key": key}},
        )
        assert isinstance(sent, nio.RoomSendResponse), sent
        reaction_ids[voter.user_id, key] = sent.event_id
    withdrawn = await bob.room_redact(room_id, reaction_ids[bob.user_id, THUMBS_UP])
    assert isinstance(withdrawn, nio.RoomRedactResponse), withdrawn

    relations = [
        event
        async for event in alice.room_get_event_relations(
            room_id, target, rel_type=RelationshipType.annotation
        )
    ]
    assert {(e.sender, e.key) for e in relations if isinstance(e, nio.ReactionEvent)} == {
        (alice.user_id, THUMBS_UP),
        (bob.user_id, "\N{HEAVY BLACK HEART}"),
    }


async def test_burst_of_100_arrives_whole_only_with_a_timeline_filter(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """100 messages in a row: a timeline.limit 100 filter gets all; the default gets 10 and a gap."""
    alice, bob = matrix_client(matrix_user("alice")), matrix_client(matrix_user("bob"))
    room_id = await shared_room(alice, bob)
    before_burst = bob.next_batch
    # Sequential sends: with the default rc_message, the 10th would already get 429.
    bodies = [f"burst {n}" for n in range(100)]
    for body in bodies:
        await send_text(alice, room_id, body)

    filtered = await bob.sync(timeout=0, since=before_burst, sync_filter=TIMELINE_100)
    assert isinstance(filtered, nio.SyncResponse), filtered
    timeline = filtered.rooms.join[room_id].timeline
    assert (texts(timeline.events), timeline.limited) == (bodies, False)

    # Without a filter Synapse sends the newest 10 and marks the timeline `limited`; the
    # rest must be fetched backwards from prev_batch with /messages.
    # https://spec.matrix.org/v1.16/client-server-api/#syncing
    unfiltered = await bob.sync(timeout=0, since=before_burst)
    assert isinstance(unfiltered, nio.SyncResponse), unfiltered
    timeline = unfiltered.rooms.join[room_id].timeline
    assert (texts(timeline.events), timeline.limited) == (bodies[-10:], True)
    gap = await bob.room_messages(room_id, start=timeline.prev_batch, limit=100)
    assert isinstance(gap, nio.RoomMessagesResponse), gap
    # /messages pages backwards (newest first) and runs on past the burst into older events.
    assert texts(gap.chunk)[::-1] == bodies[:-10]


async def test_room_creator_is_not_listed_in_power_levels(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """Rooms default to version 12, whose creator has full power without a power_levels entry."""
    alice = matrix_client(matrix_user("alice"))
    created = await alice.room_create()
    assert isinstance(created, nio.RoomCreateResponse), created

    create = await alice.room_get_state_event(created.room_id, "m.room.create")
    assert isinstance(create, nio.RoomGetStateEventResponse), create
    assert create.content["room_version"] == "12"
    power = await alice.room_get_state_event(created.room_id, "m.room.power_levels")
    assert isinstance(power, nio.RoomGetStateEventResponse), power
    # MSC4289 (room version 12): creators outrank every power level and may not be listed.
    # The only place the creator shows is the m.room.create event's sender.
    assert alice.user_id not in power.content.get("users", {})
    synced = await alice.sync(timeout=0)
    assert isinstance(synced, nio.SyncResponse), synced
    room_create = next(
        event
        for event in synced.rooms.join[created.room_id].timeline.events
        if isinstance(event, nio.RoomCreateEvent)
    )
    assert room_create.sender == alice.user_id
    # Version 12 room ids are the create event's hash, with no ":server" part to parse.
    assert ":" not in created.room_id


async def test_encrypted_message_decrypts_for_the_other_member(
    matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """In an encrypted room, B's sync decrypts A's megolm message (vodozemac, no libolm)."""
    alice = matrix_client(matrix_user("alice"), encrypted=True)
    bob = matrix_client(matrix_user("bob"), encrypted=True)
    # Device keys must be on the server before A can open an Olm session to B's device.
    for client in (alice, bob):
        uploaded = await client.keys_upload()
        assert isinstance(uploaded, nio.KeysUploadResponse), uploaded
    room_id = await shared_room(alice, bob, initial_state=[nio.EnableEncryptionBuilder().as_dict()])
    assert alice.rooms[room_id].encrypted

    # Nobody verified anybody's device here; a bot must decide the same, explicitly.
    sent = await alice.room_send(
        room_id,
        "m.room.message",
        {"msgtype": "m.text", "body": "only for the circle"},
        ignore_unverified_devices=True,
    )
    assert isinstance(sent, nio.RoomSendResponse), sent

    seen = await sync_until(
        bob, room_id, lambda seen: any(getattr(e, "event_id", None) == sent.event_id for e in seen)
    )
    [event] = [e for e in seen if getattr(e, "event_id", None) == sent.event_id]
    # An undecryptable event would stay a nio.MegolmEvent.
    assert isinstance(event, nio.RoomMessageText), event
    assert (event.body, event.decrypted) == ("only for the circle", True)


async def test_sync_recovers_after_synapse_restarts(
    synapse: Synapse, matrix_user: RegisterUser, matrix_client: MakeClient
) -> None:
    """A sync in flight across a Synapse restart retries, then sees a message sent after it."""
    alice, bob = matrix_client(matrix_user("alice")), matrix_client(matrix_user("bob"))
    carol = matrix_user("carol")
    room_id = await shared_room(alice, bob)
    # The TaskGroup cancels the waiting sync if anything below fails.
    async with asyncio.TaskGroup() as tasks:
        # A sync long-polling when the server goes away retries, as nio does by default.
        waiting = tasks.create_task(
            sync_until(bob, room_id, lambda seen: "back again" in texts(seen))
        )
        await asyncio.sleep(0.2)
        # Stopping and starting block the event loop for a second or two, on purpose:
        # Synapse must be started from this (the main) thread; see Synapse.outage.
        with synapse.outage():
            # A client told not to retry shows that the server really is gone.
            impatient = matrix_client(carol, max_timeouts=0)
            with pytest.raises(aiohttp.ClientConnectionError):
                await impatient.sync(timeout=0)
            assert not waiting.done()
        await send_text(alice, room_id, "back again")
    assert "back again" in texts(waiting.result())
