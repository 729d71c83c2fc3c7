"""The ``prompt`` commands that draw from decks: a prompt now, which one comes next, the
decks a circle can use, and reading the decks folder again."""

from __future__ import annotations

import asyncio

from bot.chat import Visibility
from bot.commands import CommandError, Invocation
from bot.commands.options import CIRCLE, CIRCLE_NAMED
from bot.commands.spec import CommandSpec, Option, OptionKind, Permission, command
from cogs.circles import circle_of
from cogs.reflections.choosing import DEFAULT_DECK, asked_deck, asked_filter, drawer
from cogs.reflections.model import Kind, Outcome
from cogs.reflections.options import DECK, TAG, THEME, WITHOUT
from cogs.reflections.schedules import ScheduleCommands
from cogs.reflections.texts import (
    CIRCLE_DECK_LINE,
    DECK_LINE,
    DECKS_FOOT,
    DECKS_HEAD,
    KIND_WORDS,
    NEXT_PROMPT,
    NEXT_PROMPT_UNTITLED,
    NEXT_WHERE,
    NOT_FOR_PROMPTS,
    POSTED_NOW,
    RELOAD_PROBLEMS,
    RELOADED,
    RELOADED_MISSING,
    RELOADED_NONE,
    RELOADED_SOME,
)
from cogs.reflections.timing import say_when, zone_named

PROMPT_NOW = CommandSpec(
    ("prompt", "now"),
    "Post a reflection prompt right away, in its own thread.",
    (DECK, THEME, TAG, WITHOUT, CIRCLE_NAMED),
    permission=Permission.FACILITATOR,
)
PROMPT_NEXT = CommandSpec(
    ("prompt", "next"),
    "See which prompt comes next, from a schedule or a deck, without posting it.",
    (
        Option(
            "id",
            OptionKind.INTEGER,
            "A schedule's number (or leave it out and name a deck)",
            min_value=1,
        ),
        DECK,
        THEME,
        TAG,
        WITHOUT,
        CIRCLE_NAMED,
    ),
    permission=Permission.FACILITATOR,
)
DECKS_LIST = CommandSpec(
    ("prompt", "decks", "list"), "See the prompt decks a circle can use.", (CIRCLE,)
)
DECKS_RELOAD = CommandSpec(
    ("prompt", "decks", "reload"),
    "Read the decks folder again, after adding or changing a deck.",
    permission=Permission.MODERATOR,
)


class PromptCommands(ScheduleCommands):
    @command(PROMPT_NOW)
    async def prompt_now(self, inv: Invocation) -> None:
        circle = circle_of(inv)
        deck_id = asked_deck(inv)
        wanted = asked_filter(inv)
        deck = await self._decks.checked(circle, deck_id, wanted, inv.prefix)
        choices = deck.choose(wanted)
        async with self._runner.room_lock(
            circle.room
        ):  # never side by side with a scheduled prompt
            run_id, prompt_id = await self._repo.claim_now(
                circle.id, deck_id, drawer(deck, choices, circle.id), inv.at
            )
            prompt = deck.get(prompt_id or "")
            if prompt is None:
                await self._repo.record(run_id, Outcome.FAILED, inv.at)
                raise CommandError("I couldn't find a prompt to post just now.")
            await self._runner.post_prompt(run_id, circle.room, circle.thread, circle.name, prompt)
        await inv.reply(POSTED_NOW.format(circle=circle.name), Visibility.PERSONAL)

    @command(PROMPT_NEXT)
    async def prompt_next(self, inv: Invocation) -> None:
        """Which prompt the shuffle bag gives next, for a schedule or a deck; nothing is posted."""
        circle = circle_of(inv)
        schedule_id = inv.integer("id")
        where = ""
        if schedule_id is not None:
            schedule = await self._schedule(inv, circle, schedule_id)
            if schedule.kind is not Kind.PROMPT:
                raise CommandError(
                    NOT_FOR_PROMPTS.format(
                        id=schedule.id, kind=KIND_WORDS[schedule.kind.value], prefix=inv.prefix
                    )
                )
            deck_id = schedule.deck_id or DEFAULT_DECK
            wanted = schedule.choosing
            if schedule.next_due is not None:
                where = NEXT_WHERE.format(
                    id=schedule.id, when=say_when(schedule.next_due, zone_named(schedule.zone_name))
                )
        else:
            deck_id = asked_deck(inv)
            wanted = asked_filter(inv)
        deck = await self._decks.checked(circle, deck_id, wanted, inv.prefix)
        chosen = drawer(deck, deck.choose(wanted), circle.id)(
            await self._repo.uses(circle.id, deck_id)
        )
        prompt = deck.get(chosen or "")
        if prompt is None:
            raise CommandError("I couldn't find a prompt to show just now.")
        template = NEXT_PROMPT if prompt.title else NEXT_PROMPT_UNTITLED
        await inv.reply(
            template.format(deck=deck_id, where=where, title=prompt.title, text=prompt.text),
            Visibility.PERSONAL,
        )

    @command(DECKS_LIST)
    async def decks_list(self, inv: Invocation) -> None:
        lines = [DECKS_HEAD]
        for deck in self._decks.library.decks:
            where = "" if deck in self._decks.library.builtin else " · from the decks folder"
            themes = f" · {', '.join(deck.themes)}" if deck.themes else ""
            count = len(deck.prompts)
            lines.append(
                DECK_LINE.format(
                    id=deck.id,
                    title=deck.title,
                    count=count,
                    s="" if count == 1 else "s",
                    themes=themes,
                    where=where,
                )
            )
        if inv.circle is not None:
            count = len(await self._repo.approved(inv.circle.id))
            lines.append(CIRCLE_DECK_LINE.format(circle=inv.circle.name, count=count))
        lines.append(DECKS_FOOT)
        await inv.reply("\n".join(lines), Visibility.PERSONAL)

    @command(DECKS_RELOAD)
    async def decks_reload(self, inv: Invocation) -> None:
        report = await asyncio.to_thread(self._decks.library.reload)
        if not report.folder_exists:
            await inv.reply(RELOADED_MISSING.format(prefix=inv.prefix), Visibility.PERSONAL)
            return
        if report.loaded:
            count = len(report.loaded)
            prompts = sum(len(d.prompts) for d in report.loaded)
            summary = RELOADED_SOME.format(
                count=count,
                s="" if count == 1 else "s",
                names=", ".join(d.id for d in report.loaded),
                prompts=prompts,
                ps="" if prompts == 1 else "s",
            )
        else:
            summary = RELOADED_NONE
        text = RELOADED.format(summary=summary)
        if report.problems:
            text += RELOAD_PROBLEMS.format(lines="\n".join(f"• {p}" for p in report.problems))
        await inv.reply(text, Visibility.PERSONAL)
