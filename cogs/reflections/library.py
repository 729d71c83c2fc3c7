"""The decks a circle can draw from: the ones shipped in ``prompts/decks`` and the ones
moderators drop into the decks folder (``reflections.deck_dir``, by default ``<data_dir>/decks``).

Reading files is blocking, so the cog calls :meth:`DeckLibrary.reload` in a worker thread, at
start and on ``prompt decks reload``. A folder deck with a problem is left out and the problem
is reported in plain words; the others load. Each circle's own deck (approved suggestions) lives
in the database and is built by the cog.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from bot.config import Config
from cogs.reflections.decks import Deck, DeckError, clashes, parse_deck, text_key
from cogs.reflections.settings import ReflectionsSettings

log = logging.getLogger(__name__)

MAX_DECK_BYTES = 512 * 1024  # a deck is a few kilobytes; anything larger is a mistake


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a reload found in the decks folder."""

    loaded: tuple[Deck, ...]
    problems: tuple[str, ...]
    folder_exists: bool


@dataclass(slots=True)
class DeckLibrary:
    folder: Path
    builtin: tuple[Deck, ...] = field(default_factory=lambda: tuple(builtin_decks()))
    extra: tuple[Deck, ...] = ()
    _keys: dict[str, str] = field(default_factory=dict)  # text key -> deck id, to spot repeats

    def __post_init__(self) -> None:
        self._index()

    def get(self, deck_id: str) -> Deck | None:
        return next((d for d in (*self.builtin, *self.extra) if d.id == deck_id), None)

    @property
    def decks(self) -> tuple[Deck, ...]:
        return (*self.builtin, *self.extra)

    def deck_with_text(self, key: str) -> str | None:
        """The deck that already has a prompt with this text key."""
        return self._keys.get(key)

    def reload(self) -> LoadReport:
        """Read the decks folder again (blocking: run it in a thread)."""
        loaded, problems, exists = read_folder(self.folder, self.builtin)
        self.extra = tuple(loaded)
        self._index()
        return LoadReport(tuple(loaded), tuple(problems), exists)

    def _index(self) -> None:
        self._keys = {text_key(p.text): d.id for d in self.decks for p in d.prompts}


def deck_folder(config: Config, settings: ReflectionsSettings) -> Path:
    """Where moderators' decks live: ``reflections.deck_dir`` (relative to the config file's
    folder), or ``<data_dir>/decks``."""
    setting = settings.deck_dir
    if not setting:
        return config.data_path / "decks"
    base = config.source.parent if config.source else Path.cwd()
    return (base / setting).resolve()


def builtin_decks() -> list[Deck]:
    """The decks shipped with the bot. A problem here is a bug, so it raises."""
    folder = resources.files("prompts").joinpath("decks")
    decks = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            decks.append(parse_deck(entry.read_text(encoding="utf-8"), entry.name))
    problems = clashes(decks)
    if problems:
        raise DeckError("prompts/decks", problems)
    return decks


def read_folder(folder: Path, taken: tuple[Deck, ...]) -> tuple[list[Deck], list[str], bool]:
    """Every ``*.toml`` deck in ``folder`` that can be used, and a sentence per one that can't."""
    if not folder.is_dir():
        return [], [], False
    decks: list[Deck] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            if path.stat().st_size > MAX_DECK_BYTES:
                problems.append(
                    f"{path.name} is larger than a deck could be ({MAX_DECK_BYTES // 1024} KB at most)."
                )
                continue
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            problems.append(f"{path.name} isn't UTF-8 text; could it be saved as UTF-8?")
            continue
        except OSError as error:
            problems.append(f"{path.name} couldn't be read ({error.strerror or error}).")
            continue
        try:
            deck = parse_deck(text, path.name)
        except DeckError as error:
            problems += error.problems
            continue
        clash = clashes([deck], (*taken, *decks))
        if clash:
            problems += clash
            continue
        decks.append(deck)
    return decks, problems, True
