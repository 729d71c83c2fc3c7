"""Speaking through the ``Chat`` port where a refusal is no failure: a private note to someone
whose messages may be closed, a post in a room that may be gone."""

from __future__ import annotations

import logging

from bot.chat import Chat, DeliveryError, Destination, MemberRef

log = logging.getLogger(__name__)


async def tell(chat: Chat, member: MemberRef, text: str) -> bool:
    """Send ``text`` privately; False (and a log line) when the person can't be reached."""
    try:
        await chat.send_private(member, text)
    except DeliveryError:
        log.info("could not reach %s privately", member.id)
        return False
    return True


async def post(chat: Chat, where: Destination, text: str) -> bool:
    """Post ``text`` in a room or thread; False (and a log line) when the platform refuses."""
    try:
        await chat.send(where, text)
    except DeliveryError as error:
        log.warning("could not post in %s: %s", where, error)
        return False
    return True
