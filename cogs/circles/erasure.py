"""Forgetting a person in the tables of circles and features: one rule for what "this
person's rows" means, instead of one per repository.

A member id names a person only together with a platform. Rows that belong to a circle find
their platform through the circle (``circle``: the column, or a fixed expression, that names
the row's circle); rows kept per person carry a ``platform`` column of their own
(``circle=None``). A repository declares the columns that name people, and ``forget_in``
erases the rows that are the person's own, or clears their name from rows that stay with
the group, inside the repository's transaction.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.chat import MemberRef
from bot.storage.database import Transaction

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")
ON_PLATFORM = "IN (SELECT id FROM circles WHERE platform = ?)"


class Forget(enum.Enum):
    DELETE_ROW = "delete"  # the row is the person's own (a vote, a note sent to them)
    CLEAR = "clear"  # the row stays with the group; the name comes off (a proposal's author)


@dataclass(frozen=True, slots=True)
class Personal:
    """A column of ``table`` that names a person, and what forgetting them does to it."""

    table: str
    column: str
    forget: Forget
    # How a row finds its circle (a column, or a fixed expression that may name ``{table}``);
    # None: the row carries its own ``platform``.
    circle: str | None = "circle_id"
    where: str = ""  # a further condition, fixed text (``status = 'pending'``)

    def __post_init__(self) -> None:
        for name in (self.table, self.column):
            if not _IDENTIFIER.match(name):
                raise ValueError(f"{name!r} is not a table or column name")

    def statement(self) -> str:
        if self.circle is None:
            scope = "platform = ?"
        else:
            scope = f"{self.circle.format(table=self.table)} {ON_PLATFORM}"
        condition = f"{self.column} = ? AND {scope}" + (f" AND {self.where}" if self.where else "")
        if self.forget is Forget.DELETE_ROW:
            return f"DELETE FROM {self.table} WHERE {condition}"  # noqa: S608 - declared names
        return f"UPDATE {self.table} SET {self.column} = NULL WHERE {condition}"  # noqa: S608


async def forget_in(tx: Transaction, columns: Sequence[Personal], member: MemberRef) -> None:
    """Erase or clear every declared column that names ``member`` on their platform."""
    for column in columns:
        await tx.execute(column.statement(), (member.id, member.platform.value))
