"""Every column that names a person is declared by the repository that owns it (a module's
``PERSONAL``), so that forgetting someone (``privacy forget``) reaches it. A new feature's
table that keeps a member id fails here until its repository says what forgetting does."""

from __future__ import annotations

import importlib
import pkgutil
import re

import cogs
from bot.storage.database import Database
from bot.storage.migrations import CORE
from cogs.circles import Personal


def declared() -> set[tuple[str, str]]:
    """(table, column) of every ``PERSONAL`` declaration in any module of ``cogs``."""
    found = set()
    for info in pkgutil.walk_packages(cogs.__path__, "cogs."):
        module = importlib.import_module(info.name)
        for column in getattr(module, "PERSONAL", ()):
            if isinstance(column, Personal):
                found.add((column.table, column.column))
    return found


# Membership itself: leaving the circle takes these rows away (the circles cog does it, with
# what leaving means: a place passed on, a new holder announced).
BY_LEAVING = {
    ("circle_members", "member_id"),
    ("circle_waitlist", "member_id"),
    ("circle_requests", "member_id"),
    ("circle_facilitators", "member_id"),
    ("circles", "holder_id"),
    ("round_turns", "member_id"),
}
PERSON = ("member_id", "holder_id", "created_by", "started_by", "proposed_by", "decided_by")


def engine_tables() -> set[str]:
    """The tables of the engine's own migrations (the Matrix adapter's, the dashboard's):
    their data care is the engine's, through the cogs those parts bring."""
    return {
        name for step in CORE.migrations() for name in re.findall(r"CREATE TABLE (\w+)", step.sql)
    }


async def test_every_column_naming_a_person_is_declared(db: Database) -> None:
    """In the kernel's and the features' tables, every column named like a person is
    declared for forgetting, or goes when the person leaves."""
    engine = engine_tables()
    assert {"platform_state", "matrix_reactions", "web_sessions"} <= engine
    tables = [
        name
        for name in await db.tables()
        if name not in engine and not name.startswith("sqlite_") and name != "schema_version"
    ]
    found = set()
    for table in tables:
        for name, kind in await db.columns(table):
            if name in PERSON and kind == "TEXT":  # ids of people are text
                found.add((table, name))
    known = declared()
    assert len(known) >= 10  # the reader finds the repositories' declarations
    assert found - known - BY_LEAVING == set()
    assert known - found == set()  # nothing declared that the schema doesn't have
