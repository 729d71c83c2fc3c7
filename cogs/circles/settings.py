"""The ``[circles]`` section of the config: defaults for new circles."""

from __future__ import annotations

from bot.config import CirclesConfig as CirclesSettings

__all__ = ["CirclesSettings"]
