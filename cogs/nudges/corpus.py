"""The nudges corpus in ``corpus/items``: reading it, checking it, and splitting it. Pure.

The file format is described in ``corpus/LABELLING.md``. Only training, evaluation and tests
read the corpus; the bot never does.

Splits are whole groups (every reply to one message goes to the same split), chosen by a
stable hash of the group id, so a group never changes split when others are added. About 22 %
of groups are ``test`` (frozen: never used for fitting, calibration or thresholds), 20 %
``dev`` (calibration and thresholds) and the rest ``train``.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cogs.nudges.kinds import KINDS, is_fixing

CORPUS_DIR = Path(__file__).resolve().parents[2] / "corpus"
ITEMS_DIR = CORPUS_DIR / "items"
# A second frozen set in other registers (``corpus/out_of_style/README.md``): measured only.
OUT_OF_STYLE_DIR = CORPUS_DIR / "out_of_style"
Split = Literal["train", "dev", "test"]
PREFERENCES = ("listening", "ideas")
TEST_SHARE = 22  # percent of groups
DEV_SHARE = 20


class CorpusError(ValueError):
    """A corpus file breaks the format; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled reply, with the message it answers."""

    group: str
    kind: str
    text: str
    context: str
    preference: str | None
    source: str  # "file.txt:line"

    @property
    def fixing(self) -> bool:
        """Whether the reply is a fixing form (whatever the context)."""
        return is_fixing(self.kind)

    @property
    def flag_wanted(self) -> bool:
        """Whether the product should flag it: fixing, and not an answer to a request."""
        return self.fixing

    @property
    def split(self) -> Split:
        return split_of(self.group)


def split_of(group: str) -> Split:
    """The split of a group, fixed by its id."""
    bucket = zlib.crc32(group.encode("utf-8")) % 100
    if bucket < TEST_SHARE:
        return "test"
    if bucket < TEST_SHARE + DEV_SHARE:
        return "dev"
    return "train"


_GROUP = re.compile(r"^== (?P<id>[a-z0-9][a-z0-9-]*)(?: (?P<pref>\w+))?\s*$")
_ITEM = re.compile(r"^(?P<kind>[a-z_]+) \| (?P<text>.+)$")


def parse(text: str, name: str) -> list[Item]:
    """Parse one corpus file; raise `CorpusError` on anything that breaks the format."""
    items: list[Item] = []
    group: str | None = None
    preference: str | None = None
    context_lines: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        where = f"{name}:{number}"
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=="):
            match = _GROUP.match(line)
            if match is None:
                raise CorpusError(f"{where}: a group line is '== <id> [listening|ideas]'")
            if match["pref"] is not None and match["pref"] not in PREFERENCES:
                raise CorpusError(f"{where}: preference must be listening or ideas")
            group, preference, context_lines = match["id"], match["pref"], []
            continue
        if line.startswith(">"):
            if group is None:
                raise CorpusError(f"{where}: context before any group")
            context_lines.append(line[1:].strip())
            continue
        match = _ITEM.match(line)
        if match is None:
            raise CorpusError(f"{where}: an item is '<kind> | <reply>'")
        if group is None or not context_lines:
            raise CorpusError(f"{where}: an item needs a group and its context first")
        if match["kind"] not in KINDS:
            raise CorpusError(f"{where}: unknown kind {match['kind']!r}")
        reply = match["text"].strip()
        items.append(Item(group, match["kind"], reply, "\n".join(context_lines), preference, where))
    return items


def load(folder: Path = ITEMS_DIR) -> list[Item]:
    """Every item in the folder's ``*.txt`` files, in file and line order."""
    items: list[Item] = []
    for path in sorted(folder.glob("*.txt")):
        items.extend(parse(path.read_text(encoding="utf-8"), path.name))
    groups: dict[str, str] = {}
    for item in items:
        file = item.source.split(":")[0]
        if groups.setdefault(item.group, file) != file:
            raise CorpusError(
                f"{item.source}: group {item.group!r} is also in {groups[item.group]}"
            )
    seen_groups: list[str] = []
    for item in items:
        if not seen_groups or seen_groups[-1] != item.group:
            if item.group in seen_groups:
                raise CorpusError(f"{item.source}: group {item.group!r} is used twice")
            seen_groups.append(item.group)
    return items


def load_out_of_style(folder: Path = OUT_OF_STYLE_DIR) -> list[Item]:
    """The out-of-style frozen set: never trained on, never used to choose anything."""
    return load(folder)


def of_split(items: Iterable[Item], split: Split) -> list[Item]:
    return [item for item in items if item.split == split]


def fingerprint(items: Sequence[Item]) -> str:
    """A SHA-256 over the items' content, order included: the data version."""
    digest = hashlib.sha256()
    for item in items:
        for part in (item.group, item.preference or "", item.context, item.kind, item.text):
            digest.update(part.encode("utf-8"))
            digest.update(b"\x1f")
        digest.update(b"\x1e")
    return digest.hexdigest()


_NORMAL = re.compile(r"[^a-z0-9 ]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(_NORMAL.sub(" ", text.lower()).split())


def near_duplicates(
    items: Sequence[Item], threshold: float = 0.8, min_words: int = 5
) -> list[tuple[Item, Item]]:
    """Pairs of items in *different* splits whose word sets overlap by ``threshold`` (Jaccard)."""
    return _near_pairs(items, [item.split for item in items], threshold, min_words)


def near_duplicates_across(
    held_out: Sequence[Item], items: Sequence[Item], threshold: float = 0.8, min_words: int = 5
) -> list[tuple[Item, Item]]:
    """Pairs of a held-out item and a corpus item whose word sets overlap by ``threshold``."""
    every = [*held_out, *items]
    sides = ["held_out"] * len(held_out) + ["corpus"] * len(items)
    return _near_pairs(every, sides, threshold, min_words)


def _near_pairs(
    items: Sequence[Item], sides: Sequence[str], threshold: float, min_words: int
) -> list[tuple[Item, Item]]:
    """Pairs of items on different sides whose word sets overlap by ``threshold`` (Jaccard)."""
    words = [_words(item.text) for item in items]
    index: dict[str, list[int]] = {}
    for position, bag in enumerate(words):
        if len(bag) >= min_words:
            for word in bag:
                index.setdefault(word, []).append(position)
    pairs: list[tuple[Item, Item]] = []
    checked: set[tuple[int, int]] = set()
    for position, bag in enumerate(words):
        if len(bag) < min_words:
            continue
        # Any pair above the threshold shares one of the rarest few words of either side.
        rare = sorted(bag, key=lambda word: len(index[word]))[: max(1, len(bag) // 3)]
        for word in rare:
            for other in index[word]:
                if other <= position or (position, other) in checked:
                    continue
                checked.add((position, other))
                if sides[position] == sides[other]:
                    continue
                overlap = len(bag & words[other]) / len(bag | words[other])
                if overlap >= threshold:
                    pairs.append((items[position], items[other]))
    return pairs
