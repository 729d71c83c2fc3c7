"""Turn a chat message into the sentences the advice detector should read.

Pure and synchronous. The steps, in order:

1. Cap the work: only the first ``MAX_MESSAGE_CHARS`` characters are read, and at most
   ``MAX_SENTENCES`` sentences of at most ``MAX_SENTENCE_CHARS`` characters each come out.
   A 100 kB paste therefore costs about as much as a long message.
2. Drop characters that change nothing a reader sees but can hide words from the rules:
   zero-width and other format characters, bidi controls, variation selectors, control
   characters. Then apply NFKC, so full-width or "fancy" letters read as plain ones.
3. Drop code: fenced blocks (```` ``` ```` or ``~~~``, an unclosed fence runs to the end) and
   `inline` spans. Code is not something said to a person.
4. Drop quoted lines (``> ...``): they are someone else's words, usually the message being
   answered, and the reply must not be judged on them.
5. Split into lines, then into sentences at ``. ! ? …`` followed by a space.

`normalise_apostrophes` is shared with the cue rules so that "don\u2019t" (a typographic
apostrophe) and "don't" read alike.
"""

from __future__ import annotations

import re
import unicodedata

MAX_MESSAGE_CHARS = 8_000
MAX_SENTENCES = 40
MAX_SENTENCE_CHARS = 400

# Format (Cf) characters that occur in chat text, bidi controls, variation selectors and
# the tag characters used inside flag emoji; plus C0/C1 controls other than tab and newline.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
_FENCED_CODE = re.compile(r"(```|~~~).*?(?:\1|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
# A sentence ends at . ! ? or an ellipsis (and any closing quote or bracket) followed by a
# space, unless the full stop belongs to a common abbreviation ("Dr. Lee").
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*\s+")
_ABBREVIATIONS = frozenset({"dr.", "mr.", "ms.", "mrs.", "st.", "vs.", "etc.", "e.g.", "i.e."})
# Right and left single quotation marks, modifier letter apostrophe, grave and acute accents.
_APOSTROPHES = str.maketrans(dict.fromkeys("\u2019\u2018\u02bc`\u00b4", "'"))


def normalise_apostrophes(text: str) -> str:
    """Map typographic apostrophes to ASCII ``'`` so contractions match one way."""
    if text.isascii() and "`" not in text:
        return text  # the common case, and a much cheaper test than the translation
    return text.translate(_APOSTROPHES)


def clean(text: str) -> str:
    """Cap, de-obfuscate and strip code and quoted lines; what remains is the author's prose."""
    text = text[:MAX_MESSAGE_CHARS]
    # Each step runs only when its characters occur: most messages are plain ASCII.
    if not text.isascii():
        text = unicodedata.normalize("NFKC", _INVISIBLE.sub("", text))
    elif not text.isprintable():
        text = _INVISIBLE.sub("", text)  # ASCII control characters
    if "```" in text or "~~~" in text:
        text = _FENCED_CODE.sub("\n", text)
    if "`" in text:
        text = _INLINE_CODE.sub(" ", text)
    if ">" in text:
        text = _QUOTED_LINE.sub("", text)
    return text


def _is_abbreviation(line: str, end: int) -> bool:
    """Whether the full stop just before ``end`` closes an abbreviation such as "Dr."."""
    start = line.rfind(" ", max(0, end - 6), end) + 1
    return line[start:end].lower() in _ABBREVIATIONS


def _split_line(line: str) -> list[str]:
    """Split one line at sentence ends."""
    pieces = []
    start = 0
    for match in _SENTENCE_END.finditer(line):
        end = match.start() + 1
        if line[match.start()] == "." and _is_abbreviation(line, end):
            continue
        pieces.append(line[start : match.end()])
        start = match.end()
    pieces.append(line[start:])
    return pieces


def split_sentences(text: str) -> list[str]:
    """Split cleaned text into at most ``MAX_SENTENCES`` non-empty, capped sentences."""
    sentences: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        for piece in _split_line(line):
            piece = piece.strip()
            if piece:
                sentences.append(piece[:MAX_SENTENCE_CHARS])
                if len(sentences) >= MAX_SENTENCES:
                    return sentences
    return sentences


def message_sentences(text: str) -> list[str]:
    """The sentences of a raw message that the detector should assess, in order."""
    return split_sentences(clean(text))
