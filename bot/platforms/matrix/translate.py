"""nio's events, read at the edge into small plain items the adapter acts on.

Nothing here talks to the homeserver. The items keep only what the bot needs (ids, the text,
relations); no nio object travels further than this module and the adapter.
Relations are read from the raw content (``event.source``), as the spec writes them:
https://spec.matrix.org/v1.16/client-server-api/#forming-relationships-between-events
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import nio

log = logging.getLogger(__name__)

THREAD = "m.thread"
REPLACE = "m.replace"
ANNOTATION = "m.annotation"
MAX_REACTION_KEY = 64  # characters; a reaction is an emoji or a word, not an essay
SERVER_NOTICE = "m.server_notice"


@dataclass(frozen=True, slots=True)
class Posted:
    """Someone wrote a message (text, emote or notice)."""

    event_id: str
    room_id: str
    sender: str
    body: str
    html: str | None
    thread_id: str | None
    reply_to: str | None
    at: datetime
    notice: bool


@dataclass(frozen=True, slots=True)
class Edited:
    """Someone replaced the text of an earlier message (``m.replace``)."""

    event_id: str
    room_id: str
    sender: str
    target_id: str
    body: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reacted:
    event_id: str
    room_id: str
    sender: str
    target_id: str
    key: str  # as sent; the adapter normalises and checks it
    at: datetime


@dataclass(frozen=True, slots=True)
class Redacted:
    event_id: str
    room_id: str
    sender: str
    redacts: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Membership:
    """Someone's membership changed: ``joined`` or ``left`` (leaving, kicked or banned)."""

    event_id: str
    room_id: str
    member: str
    sender: str
    change: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Invited:
    """The bot was invited to a room."""

    room_id: str
    inviter: str
    is_direct: bool

    @property
    def event_id(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Removed:
    """The bot is no longer in a room: it left, or was kicked or banned."""

    room_id: str
    sender: str | None
    membership: str
    reason: str | None

    @property
    def event_id(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class Undecryptable:
    event_id: str
    room_id: str
    sender: str


Item = Posted | Edited | Reacted | Redacted | Membership | Invited | Removed | Undecryptable
# What a timeline holds: nio's parsed events, and the ones that failed nio's schema checks.
# An event that passed them has its typed fields (a message's body, a sender) as declared.
TimelineEvent = nio.Event | nio.BadEventType


def at_of(event: TimelineEvent) -> datetime:
    stamp = getattr(event, "server_timestamp", 0) or 0
    return datetime.fromtimestamp(stamp / 1000, tz=UTC)


def relation_of(content: Any) -> dict[str, Any]:
    relates = content.get("m.relates_to") if isinstance(content, dict) else None
    return relates if isinstance(relates, dict) else {}


def thread_root(content: Any) -> str | None:
    relates = relation_of(content)
    if relates.get("rel_type") == THREAD and isinstance(relates.get("event_id"), str):
        return str(relates["event_id"])
    return None


def replied_to(content: Any) -> str | None:
    """The event a message answers, unless it is only a thread's fallback reply."""
    relates = relation_of(content)
    if relates.get("rel_type") == THREAD and relates.get("is_falling_back", False):
        return None
    reply = relates.get("m.in_reply_to")
    if isinstance(reply, dict) and isinstance(reply.get("event_id"), str):
        return str(reply["event_id"])
    return None


def strip_reply_fallback(body: str) -> str:
    """Drop the ``> <@someone> quoted text`` lines old clients put before a reply.

    https://spec.matrix.org/v1.16/client-server-api/#fallbacks-for-rich-replies
    """
    if not body.startswith("> "):
        return body
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        return "\n".join(lines[index + 1 :])
    return body


def strip_reply_html(html: str) -> str:
    start = html.find("<mx-reply>")
    end = html.find("</mx-reply>")
    if start != -1 and end > start:
        return html[:start] + html[end + len("</mx-reply>") :]
    return html


def translate(event: TimelineEvent, room_id: str) -> Item | None:
    """One timeline event as an item, or None for what the bot has no use for."""
    source = event.source if isinstance(getattr(event, "source", None), dict) else {}
    content = source.get("content", {})
    at = at_of(event)
    if isinstance(event, nio.RoomMessageText | nio.RoomMessageNotice | nio.RoomMessageEmote):
        relates = relation_of(content)
        if relates.get("rel_type") == REPLACE:
            new = content.get("m.new_content")
            target = relates.get("event_id")
            if not isinstance(new, dict) or not isinstance(target, str):
                return None
            body = new.get("body")
            if not isinstance(body, str):
                return None
            return Edited(event.event_id, room_id, event.sender, target, body, at)
        reply_to = replied_to(content)
        body = event.body
        html = getattr(event, "formatted_body", None)
        if reply_to is not None:
            body = strip_reply_fallback(body)
            html = strip_reply_html(html) if isinstance(html, str) else None
        return Posted(
            event_id=event.event_id,
            room_id=room_id,
            sender=event.sender,
            body=body,
            html=html if isinstance(html, str) else None,
            thread_id=thread_root(content),
            reply_to=reply_to,
            at=at,
            notice=isinstance(event, nio.RoomMessageNotice)
            or content.get("msgtype") == SERVER_NOTICE,
        )
    if isinstance(event, nio.ReactionEvent):
        return Reacted(event.event_id, room_id, event.sender, event.reacts_to, event.key, at)
    if isinstance(event, nio.RedactionEvent):
        return Redacted(event.event_id, room_id, event.sender, event.redacts, at)
    if isinstance(event, nio.RoomMemberEvent):
        was_in = event.prev_membership == "join"
        now_in = event.membership == "join"
        if now_in and not was_in:
            change = "joined"
        elif was_in and event.membership in ("leave", "ban"):
            change = "left"
        else:
            return None  # a new display name or avatar, an invite, a knock
        return Membership(event.event_id, room_id, event.state_key, event.sender, change, at)
    if isinstance(event, nio.MegolmEvent):
        return Undecryptable(event.event_id, room_id, event.sender)
    return None


def invited(info: Any, room_id: str, me: str) -> Invited | None:
    """The invitation in an invited room's stripped state, if it is for the bot."""
    for event in getattr(info, "invite_state", ()):
        if (
            getattr(event, "state_key", None) == me
            and getattr(event, "membership", None) == "invite"
            and isinstance(getattr(event, "sender", None), str)
        ):
            content = getattr(event, "content", {}) or {}
            return Invited(room_id, event.sender, bool(content.get("is_direct", False)))
    return None


def removed(info: Any, room_id: str, me: str) -> Removed:
    """Why the bot is out of a room: the last membership event about it in the timeline."""
    for event in reversed(getattr(getattr(info, "timeline", None), "events", ()) or ()):
        if isinstance(event, nio.RoomMemberEvent) and event.state_key == me:
            reason = event.content.get("reason")
            return Removed(
                room_id, event.sender, event.membership, reason if isinstance(reason, str) else None
            )
    return Removed(room_id, None, "leave", None)


def creators_of(event: nio.Event) -> set[str]:
    """Who created a room: the create event's sender, and, from room version 12 on, the
    ``additional_creators``. They outrank every power level without being listed in
    ``m.room.power_levels`` (MSC4289)."""
    found = {event.sender}
    content = event.source.get("content", {})
    extra = content.get("additional_creators", []) if isinstance(content, dict) else []
    if isinstance(extra, list):
        found.update(x for x in extra if isinstance(x, str))
    creator = content.get("creator") if isinstance(content, dict) else None
    if isinstance(creator, str):  # room versions before 11 name the creator in the content
        found.add(creator)
    return found


def localpart(user_id: str) -> str:
    return user_id[1:].split(":", 1)[0] if user_id.startswith("@") else user_id


def server_of(user_id: str) -> str:
    return user_id.split(":", 1)[1] if ":" in user_id else ""
