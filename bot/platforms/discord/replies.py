"""Answering the person who ran a slash command.

The first reply is the interaction's response; later ones are follow-ups. PERSONAL and PRIVATE
replies are ephemeral (only the invoker sees them; no DM is needed), PUBLIC ones are ordinary.

Discord wants a response within 3 seconds of the interaction's creation, whatever the bot is
doing, start-up included. If a command has said nothing by ``defer_after`` (counted from when
Discord made the interaction, as far as the clocks agree), the replier defers, ephemerally:
only the invoker sees "thinking…". While the bot is still starting it defers at once
(``defer_now``). Deferring fixes the original response's visibility, so afterwards a personal reply fills in that original, while a public
one removes it and goes out as a public follow-up (a follow-up sent while the original is
still "thinking" would replace it and inherit its ephemerality:
https://discord.com/developers/docs/interactions/receiving-and-responding#create-followup-message).
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.utils import utcnow

from bot.chat import Visibility
from bot.platforms.discord.rendering import NO_MENTIONS, split_message

log = logging.getLogger(__name__)

DONE = "Done."
# Discord's codes for an interaction it no longer takes answers to: the first response came
# after 3 s (unknown interaction), or a later one after the token's 15 minutes.
EXPIRED = {10062: "no first answer within 3 s", 50027: "its 15 minutes are over"}


class InteractionReplier:
    def __init__(self, interaction: discord.Interaction) -> None:
        self._interaction = interaction
        self._lock = asyncio.Lock()
        self._thinking = False  # deferred, and the original still shows "thinking…"

    async def reply(self, text: str, visibility: Visibility) -> None:
        ephemeral = visibility is not Visibility.PUBLIC
        async with self._lock:
            for part in split_message(text):
                try:
                    await self._send(part, ephemeral=ephemeral)
                except discord.HTTPException as error:
                    if error.code in EXPIRED:
                        log.warning(
                            "could not answer interaction %s: Discord no longer takes answers to it (%s)",
                            self._interaction.id,
                            EXPIRED[error.code],
                        )
                    else:
                        log.exception("could not answer interaction %s", self._interaction.id)
                    return

    async def _send(self, part: str, *, ephemeral: bool) -> None:
        interaction = self._interaction
        if not interaction.response.is_done():
            await interaction.response.send_message(
                part, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS
            )
        elif self._thinking:
            self._thinking = False
            if ephemeral:
                await interaction.edit_original_response(content=part, allowed_mentions=NO_MENTIONS)
            else:
                await interaction.delete_original_response()
                await interaction.followup.send(part, ephemeral=False, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(part, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)

    async def acknowledge(self) -> None:
        """Discord needs an answer to every interaction: a quiet "Done.", for the invoker only."""
        await self.reply(DONE, Visibility.PERSONAL)

    async def defer_after(self, delay: float) -> None:
        """Defer (ephemerally) if nothing has been said ``delay`` seconds after Discord made
        the interaction. A clock that disagrees with Discord's only makes it defer sooner."""
        age = (utcnow() - self._interaction.created_at).total_seconds()
        await asyncio.sleep(max(delay - max(age, 0.0), 0.0))  # a clock behind Discord's: from now
        await self.defer_now()

    async def defer_now(self) -> None:
        """Show "thinking…" to the invoker now, unless something was said already."""
        async with self._lock:
            if self._interaction.response.is_done():
                return
            try:
                await self._interaction.response.defer(ephemeral=True, thinking=True)
            except discord.HTTPException:
                log.exception("could not defer interaction %s", self._interaction.id)
                return
            self._thinking = True
