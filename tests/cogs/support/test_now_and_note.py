"""`support now` and the member's own note, in the sandbox: private, the emergency line
first, the note kept only as written by its owner, refused kindly when it can't be kept."""

from __future__ import annotations

import sqlite3

import pytest

from tests.sandbox import Sandbox, make_circle

EMERGENCY = "If you are in danger right now, please call your local emergency number."


async def test_support_now_is_private_and_starts_plainly(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    before = len(sb.chat_or_fail().messages)
    await sb.say("bob: /support now")
    answer = sb.private_to("bob")[-1]
    assert answer.splitlines()[0] == EMERGENCY
    assert "findahelpline.com" in answer
    assert "`/support call` asks the people facilitating it, privately" in answer
    assert "`/support note write …`" in answer  # no note yet: how to write one
    assert len(sb.chat_or_fail().messages) == before + 1  # only the command line itself
    for question in ("are you safe", "how are you", "on a scale", "?"):
        assert question not in answer.lower()


async def test_support_now_works_for_anyone_and_through_closed_messages(sb: Sandbox) -> None:
    await sb.say(":dms zed closed")
    sb.mark()
    await sb.say("zed: /support now")  # not in any circle, private messages closed
    assert f"only zed sees: {EMERGENCY}" in sb.since_mark
    assert "When you're part of a circle" in sb.since_mark


async def test_the_note_is_written_shown_and_cleared_by_its_owner(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("bob: /support note show")
    assert "You haven't written a note yet" in sb.private_to("bob")[-1]
    await sb.say("bob: /support note write Quiet company helps. Advice doesn't. Dan, if he can.")
    assert "I've kept your note. Only you see it" in sb.private_to("bob")[-1]
    await sb.say("bob: /support note show")
    assert "> Quiet company helps. Advice doesn't. Dan, if he can." in sb.private_to("bob")[-1]
    await sb.say("bob: /support now")
    assert "Your own note, as you wrote it:\n> Quiet company helps." in sb.private_to("bob")[-1]
    await sb.say("alice: /support note show")
    assert "Quiet company" not in sb.private_to("alice")[-1]
    await sb.say("bob: /support note clear")
    assert sb.private_to("bob")[-1] == "Your note is erased."
    await sb.say("bob: /support note clear")
    assert sb.private_to("bob")[-1] == "There was no note to erase; nothing changed."
    assert sb.rows_naming("bob", ("support_notes",)) == 0


@pytest.mark.parametrize(
    ("note", "sentence"),
    [
        pytest.param("a" * 10_000, "longer than I can keep (1500 characters at most)", id="10k"),
        pytest.param("fine\u202eenif", "direction-changing characters", id="bidi"),
        pytest.param("fine\x07bell", "control characters", id="control"),
        pytest.param("fine\u200bthen", None, id="zero-width"),
    ],
)
async def test_a_note_that_cant_be_kept_is_refused_and_nothing_is_stored(
    sb: Sandbox, note: str, sentence: str | None
) -> None:
    await sb.say("bob: /support note write My first note.")
    out = await sb.say(f"bob: /support note write {note}")
    if sentence is None:  # invisible spacing is quietly dropped, as phones insert it
        await sb.say("bob: /support note show")
        assert "> finethen" in sb.private_to("bob")[-1]
        return
    assert sentence in out
    assert "could you" in out.lower()
    await sb.say("bob: /support note show")
    assert "> My first note." in sb.private_to("bob")[-1]
    assert sb.app is not None
    with sqlite3.connect(sb.app.db.path) as conn:
        assert conn.execute("SELECT note FROM support_notes").fetchall() == [("My first note.",)]


async def test_privacy_show_export_and_forget_cover_support(sb: Sandbox) -> None:
    await make_circle(sb, "bob")
    await sb.say("alice: /circle rota add @bob")
    out = await sb.say("carol: /privacy show")
    assert "**Support in hard moments**" in out
    assert "moderators see counts only" in out
    await sb.say("bob: /support note write A walk helps.", "bob: /support call hello there")
    await sb.say("bob: /privacy export")
    export = sb.private_to("bob")[-1]
    assert '"text": "A walk helps."' in export
    assert '"status": "open"' in export
    assert '"at": "2026-03-02T17:00' in export
    assert "hello there" not in export  # the line is for whoever takes it, not a record
    await sb.say("bob: /privacy forget", "bob: /privacy forget confirm")
    assert sb.rows_naming("bob") == 0
    await sb.say("bob: /privacy export")
    assert "A walk helps." not in sb.private_to("bob")[-1]
