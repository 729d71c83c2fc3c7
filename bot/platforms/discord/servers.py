"""Pointing discord.py at the configured Discord: ``discord.api_base`` and ``discord.gateway_url``.

discord.py reads two class attributes on every request and every connect
(``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``), so a self-hosted
Discord-compatible server, or the test suite's loopback Discord, is a matter of setting them
for as long as the bot runs, and putting them back afterwards.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

from bot.config import DiscordConfig


class ServerHooks:
    def __init__(self, config: DiscordConfig) -> None:
        self._config = config
        self._saved: tuple[str, yarl.URL] | None = None

    def point(self) -> None:
        config = self._config
        if not (config.api_base or config.gateway_url) or self._saved is not None:
            return
        self._saved = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
        if config.api_base:
            discord.http.Route.BASE = config.api_base.rstrip("/")
        if config.gateway_url:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(config.gateway_url)

    def restore(self) -> None:
        if self._saved is not None:
            discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._saved
            self._saved = None

    def __enter__(self) -> ServerHooks:
        self.point()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.restore()
