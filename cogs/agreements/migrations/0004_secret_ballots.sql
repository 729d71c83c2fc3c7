-- Secret ballots. A proposal's ballot is copied from the circle's setting when it opens (or
-- chosen by its proposer): 'open' (reactions on its post, as before), 'secret' (each member
-- votes privately; the thread shows only how many have voted; the close gives counts), or
-- 'named-at-close' (secret while open; the close names who chose what, once, in the thread).
ALTER TABLE agreement_proposals ADD COLUMN ballot TEXT NOT NULL DEFAULT 'open';
ALTER TABLE agreement_settings ADD COLUMN ballot TEXT;

-- The votes cast privately on open secret ballots, one per member. Who voted is what the
-- turnout and the reminders need; how each voted is needed only for the count. When the
-- proposal closes, every row goes: from then on only the counts are kept, never who chose what.
CREATE TABLE agreement_ballots (
    proposal_id INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    choice      TEXT NOT NULL,
    cast_at     TEXT NOT NULL,
    PRIMARY KEY (proposal_id, member_id)
);
CREATE INDEX agreement_ballots_by_member ON agreement_ballots (member_id);
