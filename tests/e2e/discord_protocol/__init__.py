"""A loopback Discord (REST + gateway v10) for testing the unmodified discord.py client.

The pytest fixtures are in tests/e2e/discord_fixtures.py; the facts the payloads follow are in the
design notes, testing/discord-protocol.md.
"""

from .payloads import option, subcommand, subcommand_group
from .rest import RecordedRequest
from .server import DiscordServer
from .state import ChannelType, Interaction, InteractionReply, Message, User

__all__ = [
    "ChannelType",
    "DiscordServer",
    "Interaction",
    "InteractionReply",
    "Message",
    "RecordedRequest",
    "User",
    "option",
    "subcommand",
    "subcommand_group",
]
