"""The audit log: who changed which setting of a circle, when, and from chat or the web.

The router writes it (``CommandRouter.audit``): every command whose spec says it changes a
setting (``CommandSpec(changes=True)``) is recorded once its handler has done its work, the
same way whether it was typed in chat or sent from a dashboard form. Nothing a member wrote
in conversation is kept; the options are the command's own, clipped, and people named in
them are left out. The log is part of ``privacy export`` and ``privacy forget`` (its data care
cog below), and the dashboard shows it per circle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import MemberRef, Platform, SpaceRef
from bot.clock import from_iso, to_iso
from bot.cog import Cog, DataStatement
from bot.commands.invocation import OptionValue
from bot.commands.parsing import format_duration
from bot.storage.database import Database, Row

# The columns of the log that name a person, and what forgetting them does: the row stays
# (a circle's history of its settings), but who made the change is cleared.
PERSONAL: tuple[tuple[str, str], ...] = (("audit_log", "member_id"),)
DETAIL_LENGTH = 200  # characters of a change's options kept
VALUE_LENGTH = 80  # characters of any one option's value
VIA = ("chat", "web")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    circle_id: int
    space: SpaceRef
    member: MemberRef | None  # None once they were forgotten
    command: str
    detail: str
    via: str
    at: datetime

    @classmethod
    def from_row(cls, row: Row) -> AuditEntry:
        platform = Platform(row["platform"])
        member_id = row["member_id"]
        return cls(
            id=row["id"],
            circle_id=row["circle_id"],
            space=SpaceRef(platform, row["space_id"]),
            member=MemberRef(platform, member_id) if member_id is not None else None,
            command=row["command"],
            detail=row["detail"],
            via=row["via"],
            at=from_iso(row["at"]),
        )


def describe(values: Mapping[str, OptionValue]) -> str:
    """The options of a change in one short line: ``id=3 when=daily 09:30``. People are
    left out (``member=someone``): the log names only who made the change."""
    parts = []
    for name, value in values.items():
        parts.append(f"{name}={_say(value)}")
    line = " ".join(parts)
    return line if len(line) <= DETAIL_LENGTH else line[: DETAIL_LENGTH - 1] + "…"


def _say(value: OptionValue) -> str:
    if isinstance(value, MemberRef):
        return "someone"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, ZoneInfo):
        return value.key
    if isinstance(value, date):
        return value.isoformat()
    text = " ".join(str(value).split())
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"


class AuditLog:
    """The log's repository; each method is one transaction."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self,
        *,
        circle_id: int,
        space: SpaceRef,
        member: MemberRef,
        command: str,
        values: Mapping[str, OptionValue],
        via: str,
        at: datetime,
    ) -> None:
        detail = describe(values)
        if via not in VIA:
            raise ValueError(f"a change comes from chat or web, not {via!r}")
        await self._db.execute(
            "INSERT INTO audit_log (circle_id, space_id, platform, member_id, command, detail,"
            " via, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                circle_id,
                space.id,
                member.platform.value,
                member.id,
                command,
                detail,
                via,
                to_iso(at),
            ),
        )

    async def of_circles(self, circle_ids: Sequence[int], limit: int = 200) -> list[AuditEntry]:
        """The latest changes to these circles, newest first."""
        if not circle_ids:
            return []
        marks = ", ".join("?" for _ in circle_ids)
        rows = await self._db.fetchall(
            f"SELECT * FROM audit_log WHERE circle_id IN ({marks}) ORDER BY id DESC LIMIT ?",  # noqa: S608 - only placeholders
            (*circle_ids, limit),
        )
        return [AuditEntry.from_row(row) for row in rows]

    async def by_member(self, member: MemberRef) -> list[AuditEntry]:
        rows = await self._db.fetchall(
            "SELECT * FROM audit_log WHERE platform = ? AND member_id = ? ORDER BY id",
            (member.platform.value, member.id),
        )
        return [AuditEntry.from_row(row) for row in rows]

    async def forget(self, member: MemberRef) -> None:
        async with self._db.transaction() as tx:
            for table, column in PERSONAL:
                await tx.execute(
                    f"UPDATE {table} SET {column} = NULL WHERE platform = ? AND {column} = ?",  # noqa: S608 - declared names
                    (member.platform.value, member.id),
                )


class AuditDataCare(Cog):
    """What the audit log keeps about people, for ``privacy show/export/forget``."""

    name = "audit"

    def __init__(self, log: AuditLog) -> None:
        self._log = log

    def data_statement(self) -> DataStatement:
        return DataStatement(
            title="Changes to circle settings",
            keeps=(
                "when you change a circle's setting (a schedule, a prompt, a meeting time), "
                "from chat or the dashboard: that it was you, which command, its options and "
                "when, so facilitators and moderators can see how a circle came to be set up",
            ),
            kept_for=(
                "as long as the circle's history is kept. If you ask me to forget you, your "
                "name comes off these entries and the changes themselves stay"
            ),
        )

    async def export_member(self, member: MemberRef) -> Mapping[str, Any]:
        entries = await self._log.by_member(member)
        if not entries:
            return {}
        return {
            "settings_changed": [
                {
                    "circle": e.circle_id,
                    "command": e.command,
                    "options": e.detail,
                    "from": e.via,
                    "at": to_iso(e.at),
                }
                for e in entries
            ]
        }

    async def forget_member(self, member: MemberRef) -> None:
        await self._log.forget(member)
