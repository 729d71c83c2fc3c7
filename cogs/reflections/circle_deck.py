"""The circle's own deck: prompts members suggest in their own words, which facilitators
approve (with a title, or none), decline, retitle or take out again.

A suggestion is kept with its author's name while it waits; a declined one is deleted, and so is
one taken out of the deck. The scheduled posting of these prompts is the reflections cog's job:
it builds the deck from here (:meth:`CircleDeck.deck`).
"""

from __future__ import annotations

import logging

from bot.chat import Chat, Visibility
from bot.commands import CommandError, Invocation
from bot.commands.options import CIRCLE, CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from bot.outbound import tell
from bot.text import clip
from cogs.circles import Circle, CircleLookup, circle_of, spoken_list
from cogs.reflections.decks import (
    CIRCLE_DECK,
    TEXT_MAX,
    TITLE_MAX,
    TRAILING_PUNCTUATION,
    Deck,
    Prompt,
    text_key,
    text_problem,
)
from cogs.reflections.library import DeckLibrary
from cogs.reflections.model import Suggestion
from cogs.reflections.options import THEME
from cogs.reflections.repo import ReflectionsRepo
from cogs.reflections.texts import (
    ALREADY_APPROVED,
    ALREADY_IN_DECK,
    APPROVED,
    APPROVED_PRIVATE,
    APPROVED_UNTITLED,
    BAD_TITLE,
    DECLINED,
    DECLINED_PRIVATE,
    DUPLICATE_SUGGESTION,
    NO_SUGGESTIONS,
    NOT_A_MEMBER,
    NOT_APPROVED_YET,
    OTHER_CIRCLE_SUGGESTION,
    REMOVED_PROMPT,
    RETITLED,
    SUGGESTED,
    SUGGESTION_FOR_FACILITATORS,
    SUGGESTION_PROBLEM,
    SUGGESTIONS_FOOT,
    SUGGESTIONS_HEAD,
    SUGGESTIONS_IN_DECK,
    UNKNOWN_SUGGESTION,
    UNTITLED_NOW,
    UNTITLED_THREAD,
)

log = logging.getLogger(__name__)

CLEAR_WORDS = frozenset({"any", "none", "all"})  # `prompt retitle <id> none` takes the title away

# --- the commands ---------------------------------------------------------------------------

SUGGESTION_ID = Option(
    "id", OptionKind.INTEGER, "The suggestion's number", required=True, min_value=1
)

PROMPT_RETITLE = CommandSpec(
    ("prompt", "retitle"),
    "Give a prompt in the circle's own deck a new title (none: no title).",
    (
        SUGGESTION_ID,
        Option("title", OptionKind.TEXT, "The new title", required=True, max_length=TITLE_MAX + 20),
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)
PROMPT_REMOVE = CommandSpec(
    ("prompt", "remove"),
    "Take a prompt out of the circle's own deck.",
    (SUGGESTION_ID, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)
PROMPT_SUGGEST = CommandSpec(
    ("prompt", "suggest"),
    "Suggest a prompt for your circle's own deck.",
    (
        Option(
            "text",
            OptionKind.TEXT,
            "Your prompt, as an open question",
            required=True,
            max_length=TEXT_MAX,
        ),
        CIRCLE_NAMED,
    ),
)
PROMPT_SUGGESTIONS = CommandSpec(
    ("prompt", "suggestions"),
    "See the prompts members have suggested.",
    (CIRCLE,),
    permission=Permission.FACILITATOR,
)
PROMPT_APPROVE = CommandSpec(
    ("prompt", "approve"),
    "Add a suggested prompt to the circle's own deck.",
    (
        SUGGESTION_ID,
        Option(
            "title",
            OptionKind.TEXT,
            "A short title for its threads (none if left out)",
            max_length=TITLE_MAX,
        ),
        THEME,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
    changes=True,
)
PROMPT_DECLINE = CommandSpec(
    ("prompt", "decline"),
    "Let a suggested prompt go; its author hears privately.",
    (SUGGESTION_ID, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
    changes=True,
)


class CircleDeck:
    """The commands and rules of each circle's own deck of suggested prompts."""

    def __init__(
        self, chat: Chat, repo: ReflectionsRepo, circles: CircleLookup, library: DeckLibrary
    ) -> None:
        self._chat = chat
        self._repo = repo
        self._circles = circles
        self._library = library

    async def deck(self, circle_id: int) -> Deck:
        """The circle's approved prompts, as a deck a schedule can draw from."""
        approved = await self._repo.approved(circle_id)
        prompts = tuple(
            Prompt(f"circle-{s.id}", CIRCLE_DECK, s.title or "", s.text, s.theme) for s in approved
        )
        return Deck(
            CIRCLE_DECK,
            "The circle's own prompts",
            "Prompts the circle's members suggested.",
            prompts,
        )

    @command(PROMPT_SUGGEST)
    async def suggest(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        if not (
            inv.is_moderator
            or await self._circles.is_member(circle.id, inv.invoker.id)
            or await self._circles.is_facilitator(circle.id, inv.invoker.id)
        ):
            raise CommandError(NOT_A_MEMBER.format(circle=circle.name, prefix=inv.prefix))
        text = " ".join((inv.text("text") or "").split())
        problem = text_problem(text)
        if problem is not None:
            raise CommandError(SUGGESTION_PROBLEM.format(problem=problem))
        key = text_key(text)
        in_deck = self._library.deck_with_text(key)
        if in_deck is not None:
            raise CommandError(ALREADY_IN_DECK.format(deck=in_deck, circle=circle.name))
        suggestion_id = await self._repo.suggest(circle.id, inv.invoker.id, text, key, inv.at)
        if suggestion_id is None:
            raise CommandError(DUPLICATE_SUGGESTION.format(circle=circle.name))
        await inv.reply(SUGGESTED.format(circle=circle.name, id=suggestion_id), Visibility.PERSONAL)
        name = await self._chat.display_name(inv.invoker, circle.room)
        note = SUGGESTION_FOR_FACILITATORS.format(
            name=name, circle=circle.name, id=suggestion_id, text=text, prefix=inv.prefix
        )
        for facilitator in await self._circles.rota(circle.id):
            if facilitator != inv.invoker.id:
                await tell(self._chat, circle.member(facilitator), note)

    @command(PROMPT_SUGGESTIONS)
    async def suggestions(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        waiting = await self._repo.pending(circle.id)
        approved = await self._repo.approved(circle.id)
        in_deck = [SUGGESTIONS_IN_DECK] + [
            f"• #{s.id}" + (f" “{s.title}”" if s.title else "") + f": {clip(s.text, 80)}"
            for s in approved
        ]
        if not waiting:
            text = NO_SUGGESTIONS.format(circle=circle.name)
            await inv.reply("\n".join([text, *in_deck]) if approved else text, Visibility.PERSONAL)
            return
        lines = [SUGGESTIONS_HEAD.format(circle=circle.name)]
        for suggestion in waiting:
            who = (
                await self._chat.display_name(circle.member(suggestion.member_id), circle.room)
                if suggestion.member_id
                else "someone"
            )
            lines.append(f"• #{suggestion.id} from {who}: {suggestion.text}")
        lines.append(SUGGESTIONS_FOOT.format(prefix=inv.prefix))
        if approved:
            lines += in_deck
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    @command(PROMPT_APPROVE)
    async def approve(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        suggestion = await self._suggestion(inv, circle)
        if suggestion.approved:
            raise CommandError(ALREADY_APPROVED.format(id=suggestion.id, circle=circle.name))
        title = _title(inv.text("title"))
        theme = inv.text("theme")
        if not await self._repo.approve(suggestion.id, title, theme, inv.invoker.id, inv.at):
            raise CommandError(ALREADY_APPROVED.format(id=suggestion.id, circle=circle.name))
        count = len(await self._repo.approved(circle.id))
        fmt = {"circle": circle.name, "count": count, "s": "" if count == 1 else "s"}
        if title:
            await inv.reply(APPROVED.format(title=title, **fmt))
        else:  # its words are its own title: never repeat them as one
            await inv.reply(
                APPROVED_UNTITLED.format(
                    id=suggestion.id,
                    thread=UNTITLED_THREAD.format(circle=circle.name),
                    prefix=inv.prefix,
                    **fmt,
                )
            )
        if suggestion.member_id and suggestion.member_id != inv.invoker.id:
            await tell(
                self._chat,
                circle.member(suggestion.member_id),
                APPROVED_PRIVATE.format(circle=circle.name),
            )

    @command(PROMPT_RETITLE)
    async def retitle(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        suggestion = await self._approved_suggestion(inv, circle)
        raw = inv.text("title") or ""
        title = None if raw.strip().lower() in CLEAR_WORDS else _title(raw)
        await self._repo.retitle(suggestion.id, title)
        if title is None:
            await inv.reply(
                UNTITLED_NOW.format(
                    id=suggestion.id, thread=UNTITLED_THREAD.format(circle=circle.name)
                )
            )
        else:
            await inv.reply(RETITLED.format(id=suggestion.id, title=title))

    @command(PROMPT_REMOVE)
    async def remove(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        suggestion = await self._approved_suggestion(inv, circle)
        await self._repo.remove_approved(suggestion.id)
        count = len(await self._repo.approved(circle.id))
        await inv.reply(
            REMOVED_PROMPT.format(
                id=suggestion.id, circle=circle.name, count=count, s="" if count == 1 else "s"
            )
        )

    async def _approved_suggestion(self, inv: Invocation, circle: Circle) -> Suggestion:
        suggestion = await self._suggestion(inv, circle)
        if not suggestion.approved:
            raise CommandError(NOT_APPROVED_YET.format(id=suggestion.id, prefix=inv.prefix))
        return suggestion

    @command(PROMPT_DECLINE)
    async def decline(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        suggestion = await self._suggestion(inv, circle)
        if suggestion.approved:
            raise CommandError(ALREADY_APPROVED.format(id=suggestion.id, circle=circle.name))
        if not await self._repo.decline(suggestion.id):
            raise CommandError(
                UNKNOWN_SUGGESTION.format(id=suggestion.id, prefix=inv.prefix, circle=circle.name)
            )
        name = "them"
        if suggestion.member_id:
            member = circle.member(suggestion.member_id)
            name = await self._chat.display_name(member, circle.room)
            if suggestion.member_id != inv.invoker.id:
                names = [
                    await self._chat.display_name(circle.member(f), circle.room)
                    for f in await self._circles.rota(circle.id)
                ]
                await tell(
                    self._chat,
                    member,
                    DECLINED_PRIVATE.format(
                        circle=circle.name,
                        text=clip(suggestion.text, 80),
                        facilitators=spoken_list(names),
                    ),
                )
        await inv.reply(DECLINED.format(id=suggestion.id, name=name), Visibility.PERSONAL)

    # --- helpers --------------------------------------------------------------------------

    async def _suggestion(self, inv: Invocation, circle: Circle) -> Suggestion:
        suggestion_id = inv.number("id")
        suggestion = await self._repo.suggestion(suggestion_id)
        if suggestion is None:
            raise CommandError(
                UNKNOWN_SUGGESTION.format(id=suggestion_id, prefix=inv.prefix, circle=circle.name)
            )
        if suggestion.circle_id != circle.id:
            raise CommandError(OTHER_CIRCLE_SUGGESTION.format(id=suggestion_id))
        return suggestion


def _title(text: str | None) -> str | None:
    """A title as given: one line, trimmed, without end punctuation; None when none was given."""
    title = " ".join((text or "").split()).rstrip(TRAILING_PUNCTUATION)
    if not title:
        return None
    if len(title) > TITLE_MAX:
        raise CommandError(BAD_TITLE.format(max=TITLE_MAX))
    return title
