-- Every wording a proposal has had. When a new version replaces one, the version before is
-- kept here in full: its words, who proposed it, when it was up, its post, and how its vote
-- stood when it was replaced (counts only, never who chose what). The current version stays
-- in agreement_proposals.
CREATE TABLE agreement_versions (
    proposal_id       INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('adopt', 'review', 'revise', 'retire')),
    text              TEXT NOT NULL,
    proposed_by       TEXT,                      -- NULL: a review nobody owned, or forgotten
    started_at        TEXT NOT NULL,             -- when this version went up
    ended_at          TEXT NOT NULL,             -- when the next version replaced it
    counts            TEXT NOT NULL,             -- JSON {option: votes} when it was replaced
    voters            INTEGER NOT NULL,
    members           INTEGER NOT NULL,
    message_room_id   TEXT,                      -- the post that showed it
    message_thread_id TEXT,
    message_id        TEXT,
    PRIMARY KEY (proposal_id, version)
);
CREATE INDEX agreement_versions_by_author ON agreement_versions (proposed_by);
