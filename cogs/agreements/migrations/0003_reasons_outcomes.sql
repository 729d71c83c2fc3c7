-- Reasons members give with an objection or a block, shown in the proposal's thread with
-- their name or without it, as each chose. member_id says whose words they are (for their
-- copy, and to forget them); it is cleared when a secret ballot closes, so that nothing kept
-- says who objected.
CREATE TABLE agreement_reasons (
    id                INTEGER PRIMARY KEY,
    proposal_id       INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    member_id         TEXT,
    choice            TEXT NOT NULL,             -- the objection or block it went with
    text              TEXT NOT NULL,
    named             INTEGER NOT NULL DEFAULT 0 CHECK (named IN (0, 1)),
    given_at          TEXT NOT NULL,
    message_room_id   TEXT,                      -- its post in the thread; NULL until posted
    message_thread_id TEXT,
    message_id        TEXT,
    UNIQUE (proposal_id, version, member_id)
);
CREATE INDEX agreement_reasons_by_member ON agreement_reasons (member_id);

-- The outcome in the circle's own words, written by the proposer or a facilitator once the
-- proposal has closed; the registry shows it next to the agreement.
ALTER TABLE agreement_proposals ADD COLUMN outcome TEXT;
ALTER TABLE agreement_proposals ADD COLUMN outcome_at TEXT;
