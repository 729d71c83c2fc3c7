"""Which prompts a schedule or a command asks for: the deck by its name (the circle's own deck
too), checked against a theme and tags, and the draw from it that never repeats a prompt
before the deck has gone round."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.commands import CommandError, Invocation
from bot.text import clip
from cogs.circles import Circle
from cogs.reflections.circle_deck import CircleDeck
from cogs.reflections.decks import CIRCLE_DECK, Deck, Prompt, PromptFilter, read_tags
from cogs.reflections.library import DeckLibrary
from cogs.reflections.model import Draw
from cogs.reflections.shuffle_bag import draw
from cogs.reflections.texts import (
    BAD_TAGS,
    DECK_NO_TAGS,
    DECK_TAGS,
    EMPTY_CIRCLE_DECK,
    EMPTY_DECK,
    FILTER_LEAVES_NOTHING,
    NO_SUCH_TAG,
    THEME_MATCHES_NOTHING,
    THEME_MATCHES_NOTHING_AT_ALL,
    UNKNOWN_DECK,
)

DEFAULT_DECK = "ips"
ANY_WORDS = frozenset({"any", "none", "all"})  # schedule edit: clear a theme or tag filter


class Decks:
    """The decks a circle can draw from: the library's, and its own."""

    def __init__(self, library: DeckLibrary, circle_deck: CircleDeck) -> None:
        self.library = library
        self._circle_deck = circle_deck

    async def get(self, circle_id: int, deck_id: str) -> Deck | None:
        if deck_id != CIRCLE_DECK:
            return self.library.get(deck_id)
        return await self._circle_deck.deck(circle_id)

    async def checked(
        self, circle: Circle, deck_id: str, wanted: PromptFilter, prefix: str
    ) -> Deck:
        """The deck, if it has prompts this filter admits; otherwise a kind sentence saying why."""
        deck = await self.get(circle.id, deck_id)
        if deck is None:
            raise CommandError(UNKNOWN_DECK.format(deck=clip(deck_id, 40), prefix=prefix))
        if not deck.prompts:
            if deck_id == CIRCLE_DECK:
                raise CommandError(EMPTY_CIRCLE_DECK.format(circle=circle.name, prefix=prefix))
            raise CommandError(EMPTY_DECK.format(deck=deck_id, prefix=prefix))
        theme = wanted.theme
        if theme is not None and not deck.matching(theme):
            if deck.themes:
                raise CommandError(
                    THEME_MATCHES_NOTHING.format(
                        deck=deck_id, theme=theme, themes=", ".join(deck.themes)
                    )
                )
            raise CommandError(THEME_MATCHES_NOTHING_AT_ALL.format(deck=deck_id, theme=theme))
        for tag in (*([wanted.tag] if wanted.tag else []), *wanted.without):
            if tag not in deck.tags:  # most likely a typo: say which tags there are
                tags = DECK_TAGS.format(tags=", ".join(deck.tags)) if deck.tags else DECK_NO_TAGS
                raise CommandError(NO_SUCH_TAG.format(deck=deck_id, tag=clip(tag, 40), tags=tags))
        if not deck.choose(wanted):
            raise CommandError(
                FILTER_LEAVES_NOTHING.format(what=" and ".join(wanted.words), deck=deck_id)
            )
        return deck


def asked_deck(inv: Invocation) -> str:
    """The deck a command names (``deck=…``), or the default."""
    return (inv.text("deck") or DEFAULT_DECK).lower()


def asked_filter(inv: Invocation, *, base: PromptFilter | None = None) -> PromptFilter:
    """The theme and tags asked for (on ``schedule edit``, changes to ``base``)."""
    base = base or PromptFilter()
    theme = inv.text("theme")
    tag_text = inv.text("tag")
    without_text = inv.text("without")
    tag = base.tag
    if tag_text is not None:
        if tag_text.strip().lower() in ANY_WORDS:
            tag = None
        else:
            tags = read_tags(tag_text)
            if tags is None or len(tags) != 1:
                raise CommandError(BAD_TAGS.format(text=clip(tag_text, 40)))
            tag = tags[0]
    without = base.without
    if without_text is not None:
        if without_text.strip().lower() in ANY_WORDS:
            without = ()
        else:
            read = read_tags(without_text)
            if read is None:
                raise CommandError(BAD_TAGS.format(text=clip(without_text, 40)))
            without = read
    chosen_theme = base.theme if theme is None else (None if theme == "any" else theme)
    return PromptFilter(theme=chosen_theme, tag=tag, without=without)


def drawer(deck: Deck, choices: Sequence[Prompt], circle_id: int) -> Draw:
    """The draw a claim makes inside its transaction: given the uses so far, the prompt."""
    ids = [p.id for p in deck.prompts]
    eligible = {p.id for p in choices}
    seed = f"{circle_id}:{deck.id}"

    def choose(uses: Mapping[str, int]) -> str | None:
        return draw(ids, uses, seed, eligible)

    return choose
