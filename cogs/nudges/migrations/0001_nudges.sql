-- Nudges. Nothing here ever holds what anyone wrote: only settings, opt-outs, and a log of
-- nudges given (who, when, where, what kind of wording was noticed, as fixed labels).

CREATE TABLE nudge_settings (
    circle_id   INTEGER PRIMARY KEY REFERENCES circles (id) ON DELETE CASCADE,
    mode        TEXT NOT NULL CHECK (mode IN ('off', 'private', 'group')),
    sensitivity TEXT NOT NULL CHECK (sensitivity IN ('gentle', 'normal', 'attentive'))
);

CREATE TABLE nudge_optouts (
    platform  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (platform, member_id)
);

CREATE TABLE nudge_log (
    id           INTEGER PRIMARY KEY,
    circle_id    INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id    TEXT,                 -- whose message tipped the thread; NULL once forgotten
    conversation TEXT NOT NULL,        -- the room or thread id, for the per-thread limit
    at           TEXT NOT NULL,
    situation    TEXT NOT NULL,        -- drift, listening, suggestion, labelling
    mode         TEXT NOT NULL,        -- private or group
    delivered    INTEGER NOT NULL,     -- 0 when the private note could not be delivered
    kinds        TEXT NOT NULL         -- JSON list of cue families, e.g. ["modal"]
);
CREATE INDEX nudge_log_by_member ON nudge_log (member_id, at);
CREATE INDEX nudge_log_by_circle ON nudge_log (circle_id, at);
