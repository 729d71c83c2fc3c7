"""Markdown from the cogs into Matrix message content, safely.

Every message carries a plain ``body`` (the Markdown itself, which reads well as text) and an
HTML ``formatted_body`` rendered by markdown-it-py with raw HTML switched off, so text a member
typed can never become markup. Nothing the bot sends may ping anyone:

- ``"m.mentions": {}`` on every event says "this mentions nobody", which switches off the old
  push rules that matched display names and ``@room`` in the body (MSC3952, spec v1.7
  https://spec.matrix.org/v1.16/client-server-api/#user-and-room-mentions);
- ``@room`` is defused with a word joiner in body and HTML alike, for older clients.

Long texts are split into several events: Synapse refuses an event over 64 KiB.
"""

from __future__ import annotations

import json
import re
from typing import Any

from markdown_it import MarkdownIt

HTML_FORMAT = "org.matrix.custom.html"
# Synapse's limit is 65,536 bytes for the whole signed event; the envelope (ids, hashes,
# signatures, relation) takes a few hundred bytes, so the content stays well under it.
MAX_CONTENT_BYTES = 56_000
FIRST_CUT = 12_000  # characters per piece before measuring; most texts are one piece
WORD_JOINER = "\u2060"

_ROOM_MENTION = re.compile(r"@(room)\b", re.IGNORECASE)
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_ONE_PARAGRAPH = re.compile(r"^<p>(.*)</p>\n?$", re.DOTALL)

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False}).enable(
    "strikethrough"
)


def defuse(text: str) -> str:
    """Make ``@room`` inert: a word joiner after the ``@`` keeps it readable but not a ping."""
    return _ROOM_MENTION.sub("@" + WORD_JOINER + r"\1", text)


def to_html(text: str) -> str:
    """Markdown to the HTML subset Matrix clients show; user HTML stays escaped text."""
    html = _markdown.render(text).strip("\n")
    single = _ONE_PARAGRAPH.match(html)
    if single and "<p>" not in single.group(1):
        html = single.group(1)
    return defuse(html)


def message_content(text: str, msgtype: str = "m.text") -> dict[str, Any]:
    """One message's content: plain body, HTML body, and no mentions at all."""
    body = defuse(text)
    return {
        "msgtype": msgtype,
        "body": body,
        "format": HTML_FORMAT,
        "formatted_body": to_html(body),
        "m.mentions": {},
    }


def edit_content(target_id: str, text: str, msgtype: str = "m.text") -> dict[str, Any]:
    """An ``m.replace`` edit: the new content, plus a ``* ``-prefixed fallback for old clients.

    https://spec.matrix.org/v1.16/client-server-api/#event-replacements
    """
    text = fit(text, share=0.45)
    new = message_content(text, msgtype)
    content = message_content("* " + text, msgtype)
    content["m.new_content"] = new
    content["m.relates_to"] = {"rel_type": "m.replace", "event_id": target_id}
    return content


def content_bytes(content: dict[str, Any]) -> int:
    # nio sends JSON with ASCII escapes, where one emoji can take 12 bytes.
    return len(json.dumps(content, ensure_ascii=True).encode())


def fits(text: str, share: float = 1.0) -> bool:
    return content_bytes(message_content(text)) <= MAX_CONTENT_BYTES * share


def fit(text: str, share: float = 1.0) -> str:
    """``text`` cut short (with an ellipsis) so one event can carry it."""
    if fits(text, share):
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle] + "…", share):
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def split(text: str) -> list[str]:
    """Cut a long text into pieces that each fit in one event, at paragraph breaks where
    possible, then at line breaks, then between words. Code fences stay balanced."""
    if len(text) <= FIRST_CUT and fits(text):
        return [text]
    pieces: list[str] = []
    for piece in _balance_fences(_pack(text, FIRST_CUT)):
        pieces.extend(_shrink(piece))
    return [p for p in pieces if p.strip()] or [text[:1]]


def _shrink(piece: str) -> list[str]:
    if fits(piece):
        return [piece]
    half = max(1, len(piece) // 2)
    parts = _balance_fences(_pack(piece, half))
    if len(parts) == 1:  # nothing to cut at: halve by characters
        parts = [piece[:half], piece[half:]]
    out: list[str] = []
    for part in parts:
        out.extend(_shrink(part))
    return out


def _pack(text: str, limit: int) -> list[str]:
    """Greedily pack paragraphs (then lines, then words) into pieces of at most ``limit``."""
    pieces: list[str] = []
    current = ""

    def push(chunk: str, joiner: str) -> None:
        nonlocal current
        candidate = f"{current}{joiner}{chunk}" if current else chunk
        if len(candidate) <= limit:
            current = candidate
            return
        if current:
            pieces.append(current)
        current = chunk

    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            push(paragraph, "\n\n")
            continue
        for line in paragraph.split("\n"):
            if len(line) <= limit:
                push(line, "\n" if current else "")
                continue
            for chunk in _cut_line(line, limit):
                push(chunk, " ")
    if current:
        pieces.append(current)
    return pieces


def _cut_line(line: str, limit: int) -> list[str]:
    chunks = []
    while len(line) > limit:
        cut = line.rfind(" ", 0, limit)
        if cut <= limit // 2:
            cut = limit
        chunks.append(line[:cut].rstrip())
        line = line[cut:].lstrip()
    if line:
        chunks.append(line)
    return chunks


def _balance_fences(pieces: list[str]) -> list[str]:
    """If a piece ends inside a code fence, close it there and reopen it in the next piece."""
    out: list[str] = []
    carry: str | None = None
    for piece in pieces:
        if carry is not None:
            piece = f"{carry}\n{piece}"
        fence = None
        for line in piece.split("\n"):
            match = _FENCE.match(line)
            if match:
                fence = None if fence is not None else match.group(1)
        if fence is not None:
            out.append(f"{piece}\n{fence}")
            carry = fence
        else:
            out.append(piece)
            carry = None
    return out
