"""Every column that names a person is declared by the repository that owns it, so that
forgetting someone (``privacy forget``) reaches it. A new feature's table that keeps a member
id fails here until its repository says what forgetting does to it."""

from __future__ import annotations

from bot.storage.database import Database
from cogs.agreements import repo as agreements_repo
from cogs.agreements import votes_repo
from cogs.circles import repo as circles_repo
from cogs.circles import rounds_repo
from cogs.nudges import repo as nudges_repo
from cogs.reflections import repo as reflections_repo

DECLARED = {
    (p.table, p.column)
    for module in (
        agreements_repo,
        votes_repo,
        circles_repo,
        rounds_repo,
        nudges_repo,
        reflections_repo,
    )
    for p in module.PERSONAL
}
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


async def test_every_column_naming_a_person_is_declared(db: Database) -> None:
    """Outside the platforms' own tables (their data care is the adapters'), every column
    named like a person is declared for forgetting, or goes when the person leaves."""
    tables = [
        r[0]
        for r in await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not r[0].startswith(("matrix_", "sqlite_"))
    ]
    found = set()
    for table in tables:
        for column in await db.fetchall(f"PRAGMA table_info({table})"):
            if column["name"] in PERSON and column["type"] == "TEXT":  # ids of people are text
                found.add((table, column["name"]))
    assert found - DECLARED - BY_LEAVING == set()
    assert DECLARED - found == set()  # nothing declared that the schema doesn't have
