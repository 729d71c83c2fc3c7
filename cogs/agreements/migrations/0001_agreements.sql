-- Group agreements: proposals voted with reactions, and the registry of what a circle adopted.

-- A circle's own choices; NULL means the default from the config's [agreements] section.
-- The registry message is the one pinned post per circle that is edited in place.
CREATE TABLE agreement_settings (
    circle_id           INTEGER PRIMARY KEY REFERENCES circles (id) ON DELETE CASCADE,
    process             TEXT CHECK (process IN ('consent', 'proposal')),
    quorum_percent      INTEGER,
    threshold_percent   INTEGER,
    reminder_seconds    INTEGER,
    review_days         INTEGER,
    registry_room_id    TEXT,
    registry_thread_id  TEXT,
    registry_message_id TEXT
);

-- A proposal: to adopt a new agreement, to keep one at its review, to adopt a new wording of
-- one (an amended review), or to retire one. Its rules are copied from the circle's settings
-- when it opens, so changing the settings never changes a vote under way.
CREATE TABLE agreement_proposals (
    id                      INTEGER PRIMARY KEY,
    circle_id               INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    kind                    TEXT NOT NULL CHECK (kind IN ('adopt', 'review', 'revise', 'retire')),
    agreement_id            INTEGER,             -- the agreement a review/revise/retire is about
    starter_id              TEXT,                -- the starter-set id, when it came from there
    title                   TEXT,
    text                    TEXT NOT NULL,
    version                 INTEGER NOT NULL DEFAULT 1,
    proposed_by             TEXT,                -- NULL: opened by the bot (a review), or forgotten
    process                 TEXT NOT NULL CHECK (process IN ('consent', 'proposal')),
    quorum_percent          INTEGER NOT NULL,
    threshold_percent       INTEGER NOT NULL,
    reminder_seconds        INTEGER NOT NULL,
    opened_at               TEXT NOT NULL,
    duration_seconds        INTEGER NOT NULL,
    closes_at               TEXT NOT NULL,
    remind_at               TEXT NOT NULL,
    reminded_version        INTEGER NOT NULL DEFAULT 0,  -- the version whose reminder went out
    objection_noted_version INTEGER NOT NULL DEFAULT 0,  -- the version whose thread heard the note
    thread_id               TEXT,                -- where the proposal is talked over
    message_room_id         TEXT,                -- the post people react to (its current version)
    message_thread_id       TEXT,
    message_id              TEXT,
    posted_version          INTEGER NOT NULL DEFAULT 0,  -- the version that post shows
    closed_at               TEXT,
    result                  TEXT,
    counts                  TEXT,                -- JSON {option: votes} when it closed
    voters                  INTEGER,
    members                 INTEGER
);
CREATE INDEX agreement_proposals_open ON agreement_proposals (circle_id) WHERE closed_at IS NULL;
CREATE INDEX agreement_proposals_by_message ON agreement_proposals (message_id);
CREATE INDEX agreement_proposals_by_agreement ON agreement_proposals (agreement_id);
CREATE INDEX agreement_proposals_by_author ON agreement_proposals (proposed_by);

-- The reactions members hold on an open proposal's post. The newest one a member holds is
-- their vote (see cogs/agreements/ballots.py). Deleted when the proposal closes: from then
-- on only the counts are kept, never who chose what.
CREATE TABLE agreement_reactions (
    id          INTEGER PRIMARY KEY,             -- arrival order
    proposal_id INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    choice      TEXT NOT NULL,
    UNIQUE (proposal_id, member_id, choice)
);
CREATE INDEX agreement_reactions_by_member ON agreement_reactions (member_id);

-- Private notes already sent about a proposal, so that none is sent twice.
CREATE TABLE agreement_notes (
    proposal_id INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('outsider', 'closed', 'objection')),
    PRIMARY KEY (proposal_id, member_id, kind)
);
CREATE INDEX agreement_notes_by_member ON agreement_notes (member_id);

-- The registry: agreements a circle adopted. An agreement's number is the number of the
-- proposal that first adopted it.
CREATE TABLE agreements (
    id          INTEGER PRIMARY KEY,
    circle_id   INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    title       TEXT,
    text        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    starter_id  TEXT,
    proposed_by TEXT,                            -- who proposed the current wording
    adopted_at  TEXT NOT NULL,
    changed_at  TEXT NOT NULL,                   -- when the current version was adopted
    decided_by  INTEGER NOT NULL,                -- the proposal whose vote made this version
    reviewed_at TEXT,
    review_at   TEXT,                            -- NULL while a proposal about it is open
    retired_at  TEXT
);
CREATE INDEX agreements_by_circle ON agreements (circle_id);
CREATE INDEX agreements_by_author ON agreements (proposed_by);
