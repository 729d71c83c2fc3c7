"""Matrix events, as the homeserver sends them, read into the adapter's small items."""

from __future__ import annotations

from typing import Any

import nio

from bot.platforms.matrix.adapter import Backoff
from bot.platforms.matrix.translate import Edited, Membership, Posted, Reacted, Redacted, translate

ROOM = "!room"


def event(kind: str, content: dict[str, Any], **extra: Any) -> nio.Event:
    raw = {
        "type": kind,
        "event_id": extra.pop("event_id", "$e"),
        "sender": extra.pop("sender", "@alice:example.org"),
        "origin_server_ts": 1_767_000_000_000,
        "content": content,
        **extra,
    }
    parsed = nio.Event.parse_event(raw)
    assert isinstance(parsed, nio.Event), parsed
    return parsed


def test_a_thread_message_knows_its_thread_and_not_a_reply() -> None:
    """m.thread gives the thread root; its fallback reply is not a real reply."""
    relates = {
        "rel_type": "m.thread",
        "event_id": "$root",
        "is_falling_back": True,
        "m.in_reply_to": {"event_id": "$root"},
    }
    item = translate(
        event("m.room.message", {"msgtype": "m.text", "body": "done", "m.relates_to": relates}),
        ROOM,
    )
    assert isinstance(item, Posted)
    assert (item.thread_id, item.reply_to, item.body, item.notice) == ("$root", None, "done", False)


def test_a_reply_drops_its_fallback_and_a_notice_is_marked() -> None:
    """A rich reply names what it answers and loses the quoted lines; m.notice is a bot's voice."""
    content = {
        "msgtype": "m.notice",
        "body": "> <@b:x> hi\n\nhello",
        "m.relates_to": {"m.in_reply_to": {"event_id": "$q"}},
    }
    item = translate(event("m.room.message", content), ROOM)
    assert isinstance(item, Posted)
    assert (item.reply_to, item.body, item.notice) == ("$q", "hello", True)


def test_an_edit_carries_the_new_text_and_its_target() -> None:
    """m.replace becomes Edited with m.new_content's body, not the '* ' fallback."""
    content = {
        "msgtype": "m.text",
        "body": "* hello",
        "m.new_content": {"msgtype": "m.text", "body": "hello"},
        "m.relates_to": {"rel_type": "m.replace", "event_id": "$old"},
    }
    item = translate(event("m.room.message", content), ROOM)
    assert isinstance(item, Edited)
    assert (item.target_id, item.sender, item.body) == ("$old", "@alice:example.org", "hello")


def test_reactions_and_redactions() -> None:
    """An m.annotation names its target and key; a redaction names the event it removes."""
    reaction = translate(
        event(
            "m.reaction",
            {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$t", "key": "❤️"}},
        ),
        ROOM,
    )
    assert isinstance(reaction, Reacted)
    assert (reaction.target_id, reaction.key) == ("$t", "❤️")
    redaction = translate(event("m.room.redaction", {}, redacts="$r"), ROOM)
    assert isinstance(redaction, Redacted)
    assert redaction.redacts == "$r"


def test_only_real_membership_changes_count() -> None:
    """Joining and leaving are changes; a new display name is not."""

    def member(now: str, before: str | None) -> object:
        unsigned = {"prev_content": {"membership": before}} if before else {}
        raw = event(
            "m.room.member",
            {"membership": now, "displayname": "Bob"},
            state_key="@bob:x",
            unsigned=unsigned,
        )
        return translate(raw, ROOM)

    joined = member("join", None)
    assert isinstance(joined, Membership)
    assert (joined.member, joined.change) == ("@bob:x", "joined")
    left = member("ban", "join")
    assert isinstance(left, Membership)
    assert left.change == "left"
    assert member("join", "join") is None
    assert member("invite", None) is None


def test_back_off_grows_with_jitter_up_to_a_ceiling() -> None:
    """Each failure waits longer, never more than the ceiling, and a success starts over."""
    backoff = Backoff(0.5, 8.0)
    delays = [backoff.next() for _ in range(8)]
    assert 0.375 <= delays[0] <= 0.5
    assert all(d <= 8.0 for d in delays)
    assert delays[-1] >= 6.0
    backoff.reset()
    assert backoff.next() <= 0.5
