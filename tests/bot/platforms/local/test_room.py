"""The sandbox room's file: everything in the room comes back, and no id is ever handed out twice."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.platforms.local.room import ROOM_ID, Room, RoomFileError


def test_everything_in_the_room_comes_back_from_its_file(tmp_path: Path) -> None:
    """Messages, threads, reactions (in order), edits, pins, private messages, closed DMs and
    the clock's lead are all read back as they were."""
    path = tmp_path / "sandbox.db"
    room = Room.open(path)
    hello = room.post("alice", "hello", None)
    start = room.post("circlekeeper", "Proposal 1", None, thread_title="Proposal 1 · on time")
    room.post("bob", "in the thread", start.id)
    room.react("bob", start.id, "✅", add=True)
    room.react("alice", start.id, "✋", add=True)
    room.react("carol", start.id, "✅", add=True)
    room.react("alice", hello.id, "❤", add=True)
    room.react("alice", hello.id, "❤", add=False)
    room.edit(hello.id, "hello again")
    room.pin(start.id)
    room.send_private("bob", "a note for bob")
    room.set_dms_open("erin", open_=False)
    room.keep_clock_offset(timedelta(days=3, minutes=5))
    room.close()

    again = Room.open(path)
    assert not again.fresh
    assert [(m.id, m.author, m.text, m.thread_id) for m in again.messages.values()] == [
        ("1", "alice", "hello again", None),
        ("2", "circlekeeper", "Proposal 1", None),
        ("3", "bob", "in the thread", "2"),
    ]
    assert again.threads == {"2": "Proposal 1 · on time"}
    assert again.messages["2"].reactions == {"✅": ["bob", "carol"], "✋": ["alice"]}
    assert again.messages["1"].reactions == {}
    assert again.messages["2"].pinned
    assert again.private == [("bob", "a note for bob")]
    assert again.closed_dms == {"erin"}
    assert again.clock_offset == timedelta(days=3, minutes=5)
    again.close()


def test_ids_are_never_handed_out_twice(tmp_path: Path) -> None:
    """After a reopen the next message gets the next number, never one that was used."""
    path = tmp_path / "sandbox.db"
    room = Room.open(path)
    first = [room.post("alice", f"message {n}", None).id for n in range(3)]
    room.close()
    room = Room.open(path)
    later = room.post("bob", "after the restart", None).id
    room.close()
    assert first == ["1", "2", "3"]
    assert later == "4"


def test_a_room_standing_in_for_a_lost_one_has_its_own_id_and_higher_ids(tmp_path: Path) -> None:
    """A new room that replaces a lost one takes a room id of its own and hands out only ids
    above the mark it is given, also after it is read back."""
    path = tmp_path / "sandbox.db"
    room = Room.open(path)
    assert room.id == ROOM_ID
    room.replace_lost_room(ids_above=250)
    assert room.replaced_lost_room
    assert room.id != ROOM_ID
    assert room.id.startswith(ROOM_ID)
    assert room.post("alice", "hello", None).id == "251"
    room.close()
    again = Room.open(path)
    assert again.id == room.id
    assert again.post("bob", "hi", None).id == "252"
    assert again.highest_id == 252
    again.close()


def test_only_an_empty_room_can_stand_in_for_a_lost_one(tmp_path: Path) -> None:
    """A room with messages keeps its id and its numbering."""
    room = Room.open(tmp_path / "sandbox.db")
    room.post("alice", "hello", None)
    with pytest.raises(RuntimeError):
        room.replace_lost_room(ids_above=10)
    assert room.id == ROOM_ID
    room.close()


def test_a_room_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    """A room file written by a newer Circlekeeper is not guessed at, and is left as it was."""
    path = tmp_path / "sandbox.db"
    Room.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    with pytest.raises(RoomFileError, match="newer Circlekeeper"):
        Room.open(path)
    assert path.read_bytes() == before


def test_a_file_that_is_not_a_room_is_refused_kindly(tmp_path: Path) -> None:
    """Something else at the room's path gets a sentence naming the file, and is not changed."""
    path = tmp_path / "sandbox.db"
    path.write_text("these are my notes, not a database\n", encoding="utf-8")
    with pytest.raises(RoomFileError, match="can't be read as a sandbox room"):
        Room.open(path)
    assert path.read_text(encoding="utf-8") == "these are my notes, not a database\n"


def test_a_room_in_memory_counts_on_its_own() -> None:
    """Without a file (the demo), ids still count up and nothing is written anywhere."""
    room = Room.in_memory()
    assert [room.post("alice", "hi", None).id for _ in range(2)] == ["1", "2"]
    assert room.send_private("bob", "hello") == "1"
    assert not room.kept
