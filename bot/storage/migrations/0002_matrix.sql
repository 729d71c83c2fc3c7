-- Matrix: what the adapter must remember across a restart.

-- Taking a reaction back arrives as a redaction that names only the reaction's own event, so
-- each reaction we pass on is kept until it is redacted. Keys are normalised.
CREATE TABLE matrix_reactions (
    event_id   TEXT PRIMARY KEY,             -- the m.reaction event itself
    room_id    TEXT NOT NULL,
    target_id  TEXT NOT NULL,                -- the message reacted to
    thread_id  TEXT,                         -- the target's thread root, when known
    member_id  TEXT NOT NULL,
    key        TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX matrix_reactions_by_member ON matrix_reactions (member_id);

-- Events already acted on, so that a sync batch replayed after a crash is not acted on twice.
-- Ids only; rows older than a week are pruned at start.
CREATE TABLE matrix_handled_events (
    event_id   TEXT PRIMARY KEY,
    handled_at TEXT NOT NULL
);
CREATE INDEX matrix_handled_events_by_time ON matrix_handled_events (handled_at);

-- The direct room the bot shares with each person, for private messages.
CREATE TABLE matrix_direct_rooms (
    member_id  TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX matrix_direct_rooms_by_room ON matrix_direct_rooms (room_id);
