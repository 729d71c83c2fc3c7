"""The loopback Discord server's Delete User Reaction, held to Discord's rule: taking someone
else's reaction off needs Manage Messages in the channel (secret ballots rely on it), while
taking off the bot's own never does."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.e2e.discord_fixtures import connected
from tests.e2e.discord_protocol import DiscordServer
from tests.e2e.discord_protocol.permissions import MANAGE_MESSAGES
from tests.e2e.test_discord_protocol_rules import Place, client, place, raw

__all__ = ["place"]  # the fixture, shared with the protocol rules

pytestmark = pytest.mark.e2e

RAISED_HAND = "\N{RAISED HAND}"


async def test_taking_off_someone_elses_reaction_needs_manage_messages(
    discord_server: DiscordServer, place: Place
) -> None:
    """Without Manage Messages: 403 / 50013 and the reaction stays. With it: 204, it's gone."""
    posted = discord_server.world.create_message(place.channel, place.alice, "a secret ballot")
    discord_server.rest.limiter.enabled = (
        False  # two deletes in a row; rate limits have their own tests
    )
    posted.reactions[RAISED_HAND] = [place.alice.id]
    role = discord_server.bot_role(place.guild)
    role.permissions &= ~MANAGE_MESSAGES
    path = (
        f"/channels/{place.channel.id}/messages/{posted.id}/reactions/"
        f"{quote(RAISED_HAND)}/{place.alice.id}"
    )
    async with connected(client(), discord_server):
        status, _, data = await raw(discord_server, "DELETE", path)
        assert status == 403
        assert data["code"] == 50013
        assert place.alice.id in posted.reactions[RAISED_HAND]
        role.permissions |= MANAGE_MESSAGES
        status, _, _ = await raw(discord_server, "DELETE", path)
        assert status == 204
        assert RAISED_HAND not in posted.reactions


async def test_the_bot_takes_off_its_own_reaction_without_manage_messages(
    discord_server: DiscordServer, place: Place
) -> None:
    posted = discord_server.world.create_message(place.channel, place.alice, "a proposal")
    posted.reactions[RAISED_HAND] = [discord_server.world.bot.id]
    discord_server.bot_role(place.guild).permissions &= ~MANAGE_MESSAGES
    path = f"/channels/{place.channel.id}/messages/{posted.id}/reactions/{quote(RAISED_HAND)}/@me"
    async with connected(client(), discord_server):
        status, _, _ = await raw(discord_server, "DELETE", path)
        assert status == 204
        assert RAISED_HAND not in posted.reactions
