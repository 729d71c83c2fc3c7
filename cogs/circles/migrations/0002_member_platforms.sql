-- Members are kept with their platform. A member id is a person only on one platform, and
-- until now every per-person question (export, forget) had to ask the circles table which
-- one. Each membership table now says it itself, copied from the circle, and the foreign key
-- on (circle_id, platform) keeps the two from ever disagreeing.
CREATE UNIQUE INDEX circles_id_platform ON circles (id, platform);

CREATE TABLE circle_members_new (
    circle_id  INTEGER NOT NULL,
    platform   TEXT NOT NULL,
    member_id  TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    seq        INTEGER NOT NULL,             -- join order, for rounds and listings
    preference TEXT CHECK (preference IN ('listening', 'ideas')),
    PRIMARY KEY (circle_id, member_id),
    FOREIGN KEY (circle_id, platform) REFERENCES circles (id, platform) ON DELETE CASCADE
);
INSERT INTO circle_members_new (circle_id, platform, member_id, joined_at, seq, preference)
    SELECT m.circle_id, c.platform, m.member_id, m.joined_at, m.seq, m.preference
    FROM circle_members m JOIN circles c ON c.id = m.circle_id;
DROP TABLE circle_members;
ALTER TABLE circle_members_new RENAME TO circle_members;
CREATE INDEX circle_members_by_member ON circle_members (platform, member_id);

-- The facilitation rota, in order. Everyone on it may facilitate; holder_id says who does now.
CREATE TABLE circle_facilitators_new (
    circle_id INTEGER NOT NULL,
    platform  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (circle_id, member_id),
    FOREIGN KEY (circle_id, platform) REFERENCES circles (id, platform) ON DELETE CASCADE
);
INSERT INTO circle_facilitators_new (circle_id, platform, member_id, position)
    SELECT f.circle_id, c.platform, f.member_id, f.position
    FROM circle_facilitators f JOIN circles c ON c.id = f.circle_id;
DROP TABLE circle_facilitators;
ALTER TABLE circle_facilitators_new RENAME TO circle_facilitators;
CREATE INDEX circle_facilitators_by_member ON circle_facilitators (platform, member_id);

-- A request to join a closed circle, waiting for a facilitator.
CREATE TABLE circle_requests_new (
    circle_id    INTEGER NOT NULL,
    platform     TEXT NOT NULL,
    member_id    TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, member_id),
    FOREIGN KEY (circle_id, platform) REFERENCES circles (id, platform) ON DELETE CASCADE
);
INSERT INTO circle_requests_new (circle_id, platform, member_id, requested_at)
    SELECT r.circle_id, c.platform, r.member_id, r.requested_at
    FROM circle_requests r JOIN circles c ON c.id = r.circle_id;
DROP TABLE circle_requests;
ALTER TABLE circle_requests_new RENAME TO circle_requests;
CREATE INDEX circle_requests_by_member ON circle_requests (platform, member_id);

-- People waiting for a place in a full circle, first come first served.
CREATE TABLE circle_waitlist_new (
    circle_id INTEGER NOT NULL,
    platform  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (circle_id, member_id),
    FOREIGN KEY (circle_id, platform) REFERENCES circles (id, platform) ON DELETE CASCADE
);
INSERT INTO circle_waitlist_new (circle_id, platform, member_id, added_at, seq)
    SELECT w.circle_id, c.platform, w.member_id, w.added_at, w.seq
    FROM circle_waitlist w JOIN circles c ON c.id = w.circle_id;
DROP TABLE circle_waitlist;
ALTER TABLE circle_waitlist_new RENAME TO circle_waitlist;
CREATE INDEX circle_waitlist_by_member ON circle_waitlist (platform, member_id);

-- The rooms the bot's circles live in, for parts that must not know circles (the Discord
-- doctor checks the permissions of exactly these channels): resting circles left out.
CREATE VIEW bound_rooms AS
    SELECT platform, space_id, room_id, thread_id FROM circles WHERE archived_at IS NULL;
