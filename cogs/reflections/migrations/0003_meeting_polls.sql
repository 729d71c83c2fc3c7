-- Finding a meeting time: a facilitator offers a few slots, members answer yes, if need be or
-- no for each, the poll closes at its time, and the slot a facilitator picks becomes the
-- circle's meeting schedule. Members may keep a time zone of their own, to read slots in.

CREATE TABLE meeting_polls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,  -- people type these ids; never reused
    circle_id    INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    secret       INTEGER NOT NULL CHECK (secret IN (0, 1)),  -- 1: answers private, counts only
    stated_zone  TEXT NOT NULL,              -- the zone the slots were offered in
    closes_at    TEXT NOT NULL,              -- UTC; answers are taken until then
    created_by   TEXT,                       -- NULL once that person asked to be forgotten
    created_at   TEXT NOT NULL,
    closed_at    TEXT,                       -- set once, by whoever closes it first
    answered     INTEGER,                    -- how many members answered, written at the close
    picked       INTEGER,                    -- the chosen slot's number
    decided_by   TEXT,                       -- who picked it; NULL once forgotten
    decided_at   TEXT
);
CREATE INDEX meeting_polls_by_creator ON meeting_polls (created_by);
-- One open poll per circle: answers need no poll number in the circle's own room.
CREATE UNIQUE INDEX meeting_polls_one_open ON meeting_polls (circle_id) WHERE closed_at IS NULL;

-- The slots, numbered from 1 as people see them. The counts are written at the close, so a
-- secret poll can forget who answered what and keep only how many.
CREATE TABLE meeting_poll_slots (
    poll_id          INTEGER NOT NULL REFERENCES meeting_polls (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL CHECK (position BETWEEN 1 AND 8),
    starts_at        TEXT NOT NULL,          -- UTC
    yes_count        INTEGER,                -- NULL until the close
    if_need_be_count INTEGER,
    no_count         INTEGER,
    PRIMARY KEY (poll_id, position)
);

-- Each member's answer per slot, changed in place until the close. A secret poll's rows are
-- deleted when it closes.
CREATE TABLE meeting_poll_answers (
    poll_id     INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    member_id   TEXT NOT NULL,
    answer      TEXT NOT NULL CHECK (answer IN ('yes', 'if_need_be', 'no')),
    answered_at TEXT NOT NULL,
    PRIMARY KEY (poll_id, position, member_id),
    FOREIGN KEY (poll_id, position) REFERENCES meeting_poll_slots (poll_id, position) ON DELETE CASCADE
);
CREATE INDEX meeting_poll_answers_by_member ON meeting_poll_answers (member_id);

-- A member's own time zone, to read poll slots in (one per person on a platform).
CREATE TABLE meeting_member_zones (
    platform  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    set_at    TEXT NOT NULL,
    PRIMARY KEY (platform, member_id)
);
