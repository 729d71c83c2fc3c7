"""The sandbox's one room: its messages, threads, reactions, private messages and clock.

The room stands in for a platform's servers, so it outlives the bot: it is kept in its own
SQLite file (``data/sandbox.db``), apart from the bot's database, just as Discord keeps its
messages apart from ours. Every change is written before the call returns, one statement
each, so a kill at any moment leaves the room as it was after the last finished line.

Message ids come from SQLite's AUTOINCREMENT and are never handed out twice, not even after a
restart. If the room's file is lost while the bot's database is kept, the new room takes a
room id of its own and starts its ids above every id the bot was ever shown (the adapter
keeps that mark in the bot's database), so nothing the bot remembers can point into it.

The writes are synchronous on purpose: they are a handful of microseconds on a local file,
they make each line durable before the next one is read, and they let tests change the room
from plain code while the bot is away (``chat.toggle_reaction(...)``).
"""

from __future__ import annotations

import itertools
import secrets
import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOM_ID = "sandbox-room"
FORMAT = 1  # PRAGMA user_version of a room file this code can read

SCHEMA = (
    "CREATE TABLE room (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE messages (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        author       TEXT NOT NULL,
        text         TEXT NOT NULL,
        thread_id    INTEGER REFERENCES messages (id),
        thread_title TEXT,                -- set on the first post of a thread
        pinned       INTEGER NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE reactions (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id INTEGER NOT NULL REFERENCES messages (id),
        member     TEXT NOT NULL,
        key        TEXT NOT NULL,
        UNIQUE (message_id, member, key)
    )""",
    """CREATE TABLE private_messages (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        member TEXT NOT NULL,
        text   TEXT NOT NULL
    )""",
    "CREATE TABLE closed_dms (member TEXT PRIMARY KEY)",
)


class RoomFileError(Exception):
    """The room file can't be used (written by a newer Circlekeeper, or not a room file)."""


@dataclass(slots=True)
class LocalMessage:
    id: str
    author: str
    text: str
    thread_id: str | None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    pinned: bool = False


class Room:
    """What is in the room right now, in memory, written through to its file (if it has one)."""

    def __init__(
        self,
        conn: sqlite3.Connection | None,
        room_id: str = ROOM_ID,
        *,
        path: Path | None = None,
        fresh: bool = True,
    ) -> None:
        self._conn = conn
        self.path = path
        self.id = room_id
        self.fresh = fresh  # made just now, rather than read back
        self.replaced_lost_room = False  # made where the bot remembers an earlier, lost room
        self.messages: dict[str, LocalMessage] = {}
        self.threads: dict[str, str] = {}  # thread id (its first post's id) -> title
        self.private: list[tuple[str, str]] = []  # (member id, text)
        self.closed_dms: set[str] = set()
        self.clock_offset = timedelta()
        self._ids = itertools.count(1)  # only without a file
        self._private_ids = itertools.count(1)

    # --- opening -------------------------------------------------------------------------------

    @classmethod
    def in_memory(cls) -> Room:
        """A room that lasts as long as the process (the demo, benchmarks)."""
        return cls(None)

    @classmethod
    def open(cls, path: Path) -> Room:
        """Read the room kept at ``path``, or make it there."""
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists() and path.stat().st_size > 0
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable across a kill
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if existed and version > FORMAT:
                raise RoomFileError(
                    f"{path} was written by a newer Circlekeeper (room format {version}); "
                    "please run that version, or move the file away to start a new room"
                )
            if not existed or version == 0:
                conn.execute("BEGIN IMMEDIATE")
                for statement in SCHEMA:
                    conn.execute(statement)
                conn.execute("INSERT INTO room (key, value) VALUES ('id', ?)", (ROOM_ID,))
                conn.execute(f"PRAGMA user_version = {FORMAT}")
                conn.execute("COMMIT")
                return cls(conn, ROOM_ID, path=path, fresh=True)
            room = cls(conn, _meta(conn, "id") or ROOM_ID, path=path, fresh=False)
            room._load()
            return room
        except sqlite3.DatabaseError as error:
            conn.close()
            raise RoomFileError(f"{path} can't be read as a sandbox room: {error}") from None
        except BaseException:
            conn.close()
            raise

    def _load(self) -> None:
        conn = self._require()
        self.messages.clear()
        self.threads.clear()
        for mid, author, text, thread_id, title, pinned in conn.execute(
            "SELECT id, author, text, thread_id, thread_title, pinned FROM messages ORDER BY id"
        ):
            message = LocalMessage(
                str(mid), author, text, None if thread_id is None else str(thread_id)
            )
            message.pinned = bool(pinned)
            self.messages[message.id] = message
            if title is not None:
                self.threads[message.id] = title
        for mid, member, key in conn.execute(
            "SELECT message_id, member, key FROM reactions ORDER BY seq"
        ):
            self.messages[str(mid)].reactions.setdefault(key, []).append(member)
        self.private = list(conn.execute("SELECT member, text FROM private_messages ORDER BY id"))
        self.closed_dms = {row[0] for row in conn.execute("SELECT member FROM closed_dms")}
        seconds = _meta(conn, "clock_offset_seconds")
        self.clock_offset = timedelta(seconds=float(seconds)) if seconds else timedelta()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def kept(self) -> bool:
        """Whether the room lives in a file (and so outlives the process)."""
        return self._conn is not None

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("this room has no file")
        return self._conn

    @property
    def highest_id(self) -> int:
        """The highest message id this room has handed out (0 for none)."""
        if self._conn is None:
            return max((int(m) for m in self.messages), default=0)
        row = self._conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'messages'"
        ).fetchone()
        return 0 if row is None else int(row[0])

    def replace_lost_room(self, ids_above: int) -> None:
        """This new room stands in for one whose file was lost: take a room id of its own, and
        hand out only ids above ``ids_above``, the highest the bot may remember."""
        if self.messages:
            raise RuntimeError("only an empty room can stand in for a lost one")
        self.id = f"{ROOM_ID}-{secrets.token_hex(4)}"
        if self._conn is not None:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("UPDATE room SET value = ? WHERE key = 'id'", (self.id,))
            self._conn.execute("DELETE FROM sqlite_sequence WHERE name = 'messages'")
            self._conn.execute(
                "INSERT INTO sqlite_sequence (name, seq) VALUES ('messages', ?)", (ids_above,)
            )
            self._conn.execute("COMMIT")
        self._ids = itertools.count(ids_above + 1)
        self.replaced_lost_room = True

    # --- changes -------------------------------------------------------------------------------

    def post(
        self, author: str, text: str, thread_id: str | None, *, thread_title: str | None = None
    ) -> LocalMessage:
        """A new message; with ``thread_title`` it starts a thread of its own (in one write)."""
        if self._conn is None:
            mid = str(next(self._ids))
        else:
            cursor = self._conn.execute(
                "INSERT INTO messages (author, text, thread_id, thread_title) VALUES (?, ?, ?, ?)",
                (author, text, None if thread_id is None else int(thread_id), thread_title),
            )
            mid = str(cursor.lastrowid)
        message = LocalMessage(mid, author, text, thread_id)
        self.messages[mid] = message
        if thread_title is not None:
            self.threads[mid] = thread_title
        return message

    def react(self, member: str, message_id: str, key: str, *, add: bool) -> bool:
        """Add or take back one reaction; False when there was nothing to change."""
        message = self.messages[message_id]
        holders = message.reactions.get(key, [])
        if add == (member in holders):
            return False
        if self._conn is not None:
            if add:
                self._conn.execute(
                    "INSERT INTO reactions (message_id, member, key) VALUES (?, ?, ?)",
                    (int(message_id), member, key),
                )
            else:
                self._conn.execute(
                    "DELETE FROM reactions WHERE message_id = ? AND member = ? AND key = ?",
                    (int(message_id), member, key),
                )
        if add:
            message.reactions.setdefault(key, []).append(member)
        else:
            holders.remove(member)
            if not holders:
                del message.reactions[key]
        return True

    def edit(self, message_id: str, text: str) -> None:
        if self._conn is not None:
            self._conn.execute("UPDATE messages SET text = ? WHERE id = ?", (text, int(message_id)))
        self.messages[message_id].text = text

    def pin(self, message_id: str) -> None:
        if self._conn is not None:
            self._conn.execute("UPDATE messages SET pinned = 1 WHERE id = ?", (int(message_id),))
        self.messages[message_id].pinned = True

    def send_private(self, member: str, text: str) -> str:
        """Keep a private message; returns its id."""
        if self._conn is None:
            pid = str(next(self._private_ids))
        else:
            cursor = self._conn.execute(
                "INSERT INTO private_messages (member, text) VALUES (?, ?)", (member, text)
            )
            pid = str(cursor.lastrowid)
        self.private.append((member, text))
        return pid

    def set_dms_open(self, member: str, *, open_: bool) -> None:
        if self._conn is not None:
            if open_:
                self._conn.execute("DELETE FROM closed_dms WHERE member = ?", (member,))
            else:
                self._conn.execute(
                    "INSERT OR IGNORE INTO closed_dms (member) VALUES (?)", (member,)
                )
        if open_:
            self.closed_dms.discard(member)
        else:
            self.closed_dms.add(member)

    def keep_clock_offset(self, offset: timedelta) -> None:
        """Remember how far the sandbox clock runs ahead of the real one."""
        if self._conn is not None:
            self._conn.execute(
                "INSERT INTO room (key, value) VALUES ('clock_offset_seconds', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (repr(offset.total_seconds()),),
            )
        self.clock_offset = offset


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM room WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])
