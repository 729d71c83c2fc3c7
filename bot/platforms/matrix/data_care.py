"""What the Matrix adapter keeps about people, stated, exported and erased like any cog's.

The adapter remembers each reaction until it is taken back (on Matrix, taking a reaction back
is a redaction that names only the reaction's own event id), and the direct room it uses for
private notes. Both name a person, so ``privacy`` must cover them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.chat import MemberRef, Platform
from bot.clock import to_iso
from bot.cog import Cog, DataStatement
from bot.platforms.matrix.store import MatrixStore

KEEP_REACTIONS = timedelta(days=30)


class MatrixDataCare(Cog):
    name = "matrix"

    def __init__(self, store: MatrixStore) -> None:
        self._store = store

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="On Matrix",
            keeps=(
                "the reactions you add in rooms I'm in (which message, which emoji), so that taking one back counts",
                "which direct chat I use for private notes to you",
            ),
            kept_for=f"reactions for {KEEP_REACTIONS.days} days or until you take them back; the direct chat until you leave it",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        if member.platform is not Platform.MATRIX:
            return {}
        reactions = await self._store.reactions_by(member.id)
        direct = await self._store.direct_room(member.id)
        return {
            "reactions": [
                {
                    "room": r.room_id,
                    "message": r.target_id,
                    "key": r.key,
                    "at": to_iso(r.created_at),
                }
                for r in reactions
            ],
            "direct_room": direct,
        }

    async def forget_member(self, member: MemberRef) -> None:
        if member.platform is Platform.MATRIX:
            await self._store.forget_member(member.id)
