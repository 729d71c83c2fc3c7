"""The options the reflection commands share: which schedule, when, which deck and which of
its prompts, and a time zone of its own."""

from __future__ import annotations

from bot.commands import Option, OptionKind
from cogs.reflections.decks import THEMES

SCHEDULE_ID = Option(
    "id",
    OptionKind.INTEGER,
    "The schedule's number, from schedule list",
    required=True,
    min_value=1,
)
WHEN = Option(
    "when",
    OptionKind.TEXT,
    "Like: daily 09:30, mondays 19:00, every 2 weeks on thursday 18:00",
    required=True,
    max_length=100,
)
DECK = Option(
    "deck", OptionKind.WORD, "Which prompt deck (ips if left out)", keyword=True, max_length=40
)
THEME = Option(
    "theme", OptionKind.CHOICE, "Only prompts with this theme", choices=THEMES, keyword=True
)
THEME_EDIT = Option(
    "theme",
    OptionKind.CHOICE,
    "Only prompts with this theme (any: all themes)",
    choices=(*THEMES, "any"),
    keyword=True,
)
TAG = Option(
    "tag", OptionKind.WORD, "Only prompts with this tag, like light", keyword=True, max_length=40
)
WITHOUT = Option(
    "without",
    OptionKind.WORD,
    "Leave out prompts with these tags, like deep",
    keyword=True,
    max_length=100,
)
ZONE = Option(
    "time_zone", OptionKind.TIME_ZONE, "A time zone, if not the circle's own", keyword=True
)
