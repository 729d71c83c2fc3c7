"""What every message the bot sends to Discord goes through: the 2,000-character limit, and
mentions switched off.

The bot often echoes what people wrote (circle names, prompts, display names), so no message it
sends may ping anyone: ``NO_MENTIONS`` goes with every send, edit and interaction reply.
"""

from __future__ import annotations

import discord

MESSAGE_LIMIT = 2000  # Discord refuses longer content with 50035
THREAD_NAME_LIMIT = 100
FENCE = "```"
NO_MENTIONS = discord.AllowedMentions.none()


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut ``text`` into messages of at most ``limit`` characters.

    Cuts fall between lines where possible, else between words, else anywhere. A code block
    that spans a cut is closed before it and opened again (with its language) after it, so
    each part still renders as code.
    """
    if len(text) <= limit:
        return [text] if text.strip() else []
    # Room for a fence opener at the start of a part and a closing fence at its end.
    piece_limit = max(limit - 2 * len(FENCE) - 40, limit // 2)
    parts: list[str] = []
    lines: list[str] = []
    has_text = False
    fence: str | None = None  # the opening line of the code block we are inside, if any

    def flush() -> None:
        nonlocal lines, has_text
        if has_text:
            body = "\n".join(lines)
            parts.append(body + ("\n" + FENCE if fence is not None else ""))
        lines = [fence] if fence is not None else []
        has_text = False

    for line in _pieces(text, piece_limit):
        after = fence
        if line.lstrip().startswith(FENCE):
            after = None if fence is not None else line.strip()
        closing = len("\n" + FENCE) if after is not None else 0
        size = len("\n".join([*lines, line])) + closing
        if size > limit and has_text:
            flush()
        lines.append(line)
        has_text = has_text or bool(line.strip()) or fence is not None
        fence = after
    flush()
    # A pathological fence opener (a very long first line) could still overflow: cut hard.
    return [part[i : i + limit] for part in parts for i in range(0, len(part), limit)]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip() + "…"


def _pieces(text: str, limit: int) -> list[str]:
    """The lines of ``text``, with any line longer than ``limit`` broken between words."""
    pieces: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            if cut <= 0:
                cut = limit
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        pieces.append(line)
    return pieces
