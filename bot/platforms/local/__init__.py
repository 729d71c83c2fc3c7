"""The local platform: a console sandbox with one room, where you type as anyone.

    alice: hello                  a message in the room, from alice
    bob: /circle join tuesday     a command, from bob
    carol #6: done                a message in the thread of message #6 (^ = the newest thread)
    dan +7 ✅                      dan reacts ✅ to message #7 (also :white_check_mark: or consent)
    alice ~3: hello again         alice edits her message #3
    :wait 2h   :time   :down   :up   :dms erin closed   :help   :quit

The room (``room``) is kept in a file and outlives the bot, as a real platform's servers
would; ``chat`` is the ``Chat`` port over it; ``lines`` reads what people type; ``adapter``
turns lines into events; ``console`` reads a terminal or a pipe; ``session`` runs it all
across the bot's restarts for ``circlekeeper run``.
"""

from bot.platforms.local.adapter import (
    SANDBOX_HELP,
    LineSource,
    LocalAdapter,
    Outcome,
    parse_member,
)
from bot.platforms.local.chat import BOT_ID, PREFIX, SPACE_ID, LocalChat, LocalReplier, Transcript
from bot.platforms.local.console import script_lines, stdin_lines
from bot.platforms.local.lines import NOT_UNDERSTOOD, resolve_reaction
from bot.platforms.local.room import ROOM_ID, LocalMessage, Room

__all__ = [
    "BOT_ID",
    "NOT_UNDERSTOOD",
    "PREFIX",
    "ROOM_ID",
    "SANDBOX_HELP",
    "SPACE_ID",
    "LineSource",
    "LocalAdapter",
    "LocalChat",
    "LocalMessage",
    "LocalReplier",
    "Outcome",
    "Room",
    "Transcript",
    "parse_member",
    "resolve_reaction",
    "script_lines",
    "stdin_lines",
]
