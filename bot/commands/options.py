"""Options several cogs declare alike, written once: which circle, and who."""

from __future__ import annotations

from bot.commands.spec import Option, OptionKind

WHICH_CIRCLE = "Which circle (the one in this room if left out)"

CIRCLE = Option("circle", OptionKind.CIRCLE, WHICH_CIRCLE)
"""The circle, by position or as ``circle=…``; the room's own circle when left out."""

CIRCLE_NAMED = Option("circle", OptionKind.CIRCLE, WHICH_CIRCLE, keyword=True)
"""The circle, only as ``circle=…`` (for commands whose other words come first)."""

MEMBER = Option("member", OptionKind.MEMBER, "Who", required=True)
"""The person a command is about (a mention)."""
