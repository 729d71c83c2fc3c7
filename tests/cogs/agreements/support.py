"""Helpers for the agreements conversations: reading the database and finding posts."""

from __future__ import annotations

import sqlite3

from tests.sandbox import Sandbox

TABLES = (
    "agreement_settings",
    "agreement_proposals",
    "agreement_reactions",
    "agreement_notes",
    "agreements",
    "circle_members",
)
CONSENT = "\N{WHITE HEAVY CHECK MARK}"
CONCERN = "\N{THINKING FACE}"
OBJECT = "\N{RAISED HAND}"
AGREE = "\N{THUMBS UP SIGN}"
ABSTAIN = "\N{SHRUG}"
DISAGREE = "\N{THUMBS DOWN SIGN}"
BLOCK = "\N{OCTAGONAL SIGN}"


def table(sb: Sandbox, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        return conn.execute(sql, params).fetchall()


def snapshot(sb: Sandbox) -> dict[str, list[tuple[object, ...]]]:
    """Every agreements table (and membership), to prove that a refusal changed nothing."""
    return {name: table(sb, f"SELECT * FROM {name} ORDER BY 1, 2") for name in TABLES}  # noqa: S608


def post_of(sb: Sandbox, proposal: int) -> str:
    """The sandbox id of the post people react to for this proposal (its current version)."""
    rows = table(sb, "SELECT message_id FROM agreement_proposals WHERE id = ?", (proposal,))
    assert rows
    assert rows[0][0] is not None
    return str(rows[0][0])


def held(sb: Sandbox, proposal: int) -> dict[str, list[str]]:
    """The reactions each member holds on a proposal, oldest first (the last is the vote)."""
    out: dict[str, list[str]] = {}
    for member, choice in table(
        sb,
        "SELECT member_id, choice FROM agreement_reactions WHERE proposal_id = ? ORDER BY id",
        (proposal,),
    ):
        out.setdefault(str(member), []).append(str(choice))
    return out


def votes(sb: Sandbox, proposal: int) -> dict[str, str]:
    return {member: choices[-1] for member, choices in held(sb, proposal).items()}


def result(sb: Sandbox, proposal: int) -> object:
    return table(sb, "SELECT result FROM agreement_proposals WHERE id = ?", (proposal,))[0][0]


def registry_id(sb: Sandbox) -> str | None:
    rows = table(sb, "SELECT registry_message_id FROM agreement_settings")
    return str(rows[0][0]) if rows and rows[0][0] else None


def message_text(sb: Sandbox, message_id: str) -> str:
    assert sb.chat is not None
    return sb.chat.messages[message_id].text


PROPOSAL_TEXT = "We start and end on time, and anyone can leave early without explaining."
