"""What the dashboard keeps about people (its sessions), for ``privacy show/export/forget``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.chat import MemberRef
from bot.clock import to_iso
from bot.cog import Cog, DataStatement
from bot.web.sessions import SessionsRepo


class DashboardDataCare(Cog):
    name = "dashboard"

    def __init__(self, sessions: SessionsRepo) -> None:
        self._sessions = sessions

    def data_statement(self) -> DataStatement:
        hours = int(self._sessions.lifetime.total_seconds() // 3600)
        return DataStatement(
            title="Dashboard",
            keeps=(
                "while you're signed in to the web dashboard: that it's you, in which "
                "community, and when the sign-in ends (never a password; your roles are "
                "asked of the platform each time)",
            ),
            kept_for=f"until you sign out, or at most {hours} hours",
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        sessions = await self._sessions.of_member(member)
        if not sessions:
            return {}
        return {
            "sign_ins": [
                {
                    "space": s.space.id,
                    "signed_in_at": to_iso(s.created_at),
                    "ends_at": to_iso(s.expires_at),
                }
                for s in sessions
            ]
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._sessions.end_all_of(member)
