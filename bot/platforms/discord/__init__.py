"""The Discord platform (discord.py): slash commands from the declared commands, events
translated into ``bot.chat``, and the ``Chat`` port. See ``adapter.py`` for the lifecycle and
``translate.py`` for how guilds, channels and threads map onto the neutral refs."""

from bot.platforms.discord.adapter import DiscordAdapter

__all__ = ["DiscordAdapter"]
