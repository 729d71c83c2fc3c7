-- Circles: a group bound to one room (or one thread of a room).
CREATE TABLE circles (
    id             INTEGER PRIMARY KEY,
    platform       TEXT NOT NULL,
    space_id       TEXT NOT NULL,
    room_id        TEXT NOT NULL,
    thread_id      TEXT,
    name           TEXT NOT NULL,
    name_key       TEXT NOT NULL,            -- casefolded NFKC: what makes two names the same
    description    TEXT NOT NULL DEFAULT '',
    capacity       INTEGER NOT NULL CHECK (capacity >= 2),
    is_open        INTEGER NOT NULL DEFAULT 1 CHECK (is_open IN (0, 1)),
    time_zone      TEXT NOT NULL,
    holder_id      TEXT,                     -- whose turn it is to facilitate
    created_by     TEXT,
    created_at     TEXT NOT NULL,
    archived_at    TEXT,
    UNIQUE (platform, space_id, name_key)
);
CREATE UNIQUE INDEX circles_by_place ON circles (platform, room_id, COALESCE(thread_id, ''));

CREATE TABLE circle_members (
    circle_id  INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    seq        INTEGER NOT NULL,             -- join order, for rounds and listings
    preference TEXT CHECK (preference IN ('listening', 'ideas')),
    PRIMARY KEY (circle_id, member_id)
);
CREATE INDEX circle_members_by_member ON circle_members (member_id);

-- The facilitation rota, in order. Everyone on it may facilitate; holder_id says who does now.
CREATE TABLE circle_facilitators (
    circle_id INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
CREATE INDEX circle_facilitators_by_member ON circle_facilitators (member_id);

-- A request to join a closed circle, waiting for a facilitator.
CREATE TABLE circle_requests (
    circle_id    INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id    TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
CREATE INDEX circle_requests_by_member ON circle_requests (member_id);

-- People waiting for a place in a full circle, first come first served.
CREATE TABLE circle_waitlist (
    circle_id INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
CREATE INDEX circle_waitlist_by_member ON circle_waitlist (member_id);

-- Check-in rounds. Only who holds the talking piece and who shared or passed is kept, never
-- what anyone said; the turns are deleted when the round closes.
CREATE TABLE rounds (
    id              INTEGER PRIMARY KEY,
    circle_id       INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    started_by      TEXT,
    started_at      TEXT NOT NULL,
    room_id         TEXT NOT NULL,
    thread_id       TEXT,                    -- the round's own thread, where there is one
    message_id      TEXT,                    -- the opening post
    turn_seconds    INTEGER,                 -- the optional time box per turn
    current         INTEGER NOT NULL DEFAULT 0,
    turn_started_at TEXT,
    reminded        INTEGER NOT NULL DEFAULT 0,
    closed_at       TEXT,
    shared_count    INTEGER,
    passed_count    INTEGER
);
CREATE UNIQUE INDEX rounds_one_open ON rounds (circle_id) WHERE closed_at IS NULL;
CREATE INDEX rounds_by_thread ON rounds (thread_id) WHERE closed_at IS NULL;

CREATE TABLE round_turns (
    round_id  INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    outcome   TEXT CHECK (outcome IN ('shared', 'passed', 'moved_on', 'left')),
    PRIMARY KEY (round_id, position)
);
CREATE INDEX round_turns_by_member ON round_turns (member_id);
