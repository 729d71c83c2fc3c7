-- Support in hard moments. The only words kept are the ones a member hands over on purpose:
-- their own note (until they clear it) and the line of an open call (gone once it closes).

-- Each member's own settings, kept per platform.
CREATE TABLE support_members (
    platform   TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    region     TEXT,                      -- their own region for resources; NULL: the circle's
    offers_off INTEGER NOT NULL DEFAULT 0,  -- 1: no private offers after their own words
    away       INTEGER NOT NULL DEFAULT 0,  -- 1: a facilitator who is not asked for calls now
    PRIMARY KEY (platform, member_id)
);

-- Each member's own note: what helps, what doesn't, whom they'd like to hear from.
CREATE TABLE support_notes (
    platform   TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    note       TEXT NOT NULL,
    written_at TEXT NOT NULL,
    PRIMARY KEY (platform, member_id)
);

-- A circle's region for resources, and whether it agreed to the private offers.
CREATE TABLE support_circles (
    circle_id INTEGER PRIMARY KEY REFERENCES circles (id) ON DELETE CASCADE,
    region    TEXT,
    offers_on INTEGER NOT NULL DEFAULT 0
);

-- A space's own region, whether its moderators took the resource list in hand (then
-- support_resources is its list, else the shipped file), a room to ask its moderators in,
-- and when they were last reminded of entries to check.
CREATE TABLE support_spaces (
    platform    TEXT NOT NULL,
    space_id    TEXT NOT NULL,
    room_id     TEXT NOT NULL,
    region      TEXT,
    edited      INTEGER NOT NULL DEFAULT 0,
    reminded_at TEXT,
    PRIMARY KEY (platform, space_id)
);

CREATE TABLE support_resources (
    id          INTEGER PRIMARY KEY,
    platform    TEXT NOT NULL,
    space_id    TEXT NOT NULL,
    region      TEXT NOT NULL,
    name        TEXT NOT NULL,
    reach       TEXT NOT NULL,
    hours       TEXT NOT NULL,
    verified_on TEXT NOT NULL            -- YYYY-MM-DD
);
CREATE INDEX support_resources_by_space ON support_resources (platform, space_id);

-- A call for someone to reach out. member_id is NULL once the caller is forgotten, so the
-- weekly counts stay without anyone's name; line is NULL once the call is no longer open.
CREATE TABLE support_calls (
    id         INTEGER PRIMARY KEY,
    circle_id  INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id  TEXT,
    share_note INTEGER NOT NULL,
    line       TEXT,
    status     TEXT NOT NULL CHECK (status IN ('open', 'taken', 'unanswered', 'withdrawn')),
    stage      INTEGER NOT NULL DEFAULT 0,   -- how many tiers have been asked
    created_at TEXT NOT NULL,
    next_at    TEXT,                         -- when the open call moves on (its timer)
    closed_at  TEXT
);
CREATE INDEX support_calls_open ON support_calls (status, next_at);
CREATE INDEX support_calls_by_member ON support_calls (member_id, created_at);

-- Who was asked to take a call, in order; each message is claimed here before it is sent,
-- so a restart never sends it twice.
CREATE TABLE support_asks (
    call_id   INTEGER NOT NULL REFERENCES support_calls (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    tier      INTEGER NOT NULL,       -- 0 the holder, 1 the other facilitators, 2 moderators
    position  INTEGER NOT NULL,
    asked_at  TEXT,                   -- the ask was sent (or tried)
    reached   INTEGER,                -- 1 delivered, 0 their private messages are closed
    took_at   TEXT,                   -- they took the call
    told_at   TEXT,                   -- they were told it is taken or withdrawn
    PRIMARY KEY (call_id, member_id)
);

-- The private offers after a member's own words: only when and in which circle, for the
-- daily limit. Never the words.
CREATE TABLE support_offers (
    id        INTEGER PRIMARY KEY,
    circle_id INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    at        TEXT NOT NULL
);
CREATE INDEX support_offers_by_member ON support_offers (member_id, at);
