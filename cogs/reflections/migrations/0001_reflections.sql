-- Reflection prompts: schedules (prompts, meeting reminders, facilitation hand-overs), the
-- posting log that makes each run happen at most once, and members' suggested prompts.

CREATE TABLE reflection_schedules (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,  -- people type these ids; never reused
    circle_id      INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('prompt', 'meeting', 'rota')),
    form           TEXT NOT NULL,            -- as the facilitator typed it, for listings
    rule           TEXT NOT NULL,            -- the canonical rule (cogs/reflections/timing.py)
    time_zone      TEXT,                     -- NULL: follow the circle's time zone
    deck_id        TEXT,                     -- prompts: which deck
    theme          TEXT,                     -- prompts: an optional theme filter
    remind_seconds INTEGER,                  -- meetings: how long before to remind
    next_due       TEXT,                     -- the next run (UTC); NULL when it never comes again
    paused_until   TEXT,                     -- a local date (YYYY-MM-DD) the schedule rests until
    created_by     TEXT,                     -- NULL once that person asked to be forgotten
    created_at     TEXT NOT NULL
);
CREATE INDEX reflection_schedules_by_circle ON reflection_schedules (circle_id);
CREATE INDEX reflection_schedules_by_creator ON reflection_schedules (created_by);
-- One meeting time and one automatic rota per circle.
CREATE UNIQUE INDEX reflection_schedules_one_per_kind ON reflection_schedules (circle_id, kind)
    WHERE kind IN ('meeting', 'rota');

-- The posting log, which is also the history of prompts a circle has had. A run is claimed by
-- inserting its row (schedule, fire time) in the same transaction that moves the schedule on;
-- the unique key means two instances can never both claim it. `prompt now` rows have no
-- schedule and no fire time.
CREATE TABLE reflection_runs (
    id          INTEGER PRIMARY KEY,
    circle_id   INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    schedule_id INTEGER REFERENCES reflection_schedules (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('prompt', 'meeting', 'rota')),
    fire_time   TEXT,                        -- the run's scheduled time (UTC)
    outcome     TEXT NOT NULL CHECK (outcome IN ('claimed', 'posted', 'failed', 'skipped', 'missed')),
    deck_id     TEXT,
    prompt_id   TEXT,
    claimed_at  TEXT NOT NULL,
    posted_at   TEXT,
    thread_id   TEXT,
    message_id  TEXT,
    UNIQUE (schedule_id, fire_time)
);
CREATE INDEX reflection_runs_by_deck ON reflection_runs (circle_id, deck_id);
CREATE INDEX reflection_runs_unconfirmed ON reflection_runs (outcome) WHERE outcome = 'claimed';

-- Prompts members suggest for their circle, in their own words. Pending until a facilitator
-- decides; declined ones are deleted; approved ones form the circle's own deck.
CREATE TABLE reflection_suggestions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    circle_id    INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id    TEXT,                       -- who suggested it; NULL once forgotten
    text         TEXT NOT NULL,
    text_key     TEXT NOT NULL,              -- case and punctuation folded, to spot repeats
    title        TEXT,                       -- given on approval
    theme        TEXT,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved')),
    suggested_at TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT
);
CREATE INDEX reflection_suggestions_by_circle ON reflection_suggestions (circle_id, status);
CREATE INDEX reflection_suggestions_by_member ON reflection_suggestions (member_id);
CREATE UNIQUE INDEX reflection_suggestions_no_repeat ON reflection_suggestions (circle_id, text_key);
