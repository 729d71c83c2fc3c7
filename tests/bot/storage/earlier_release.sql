BEGIN TRANSACTION;
CREATE TABLE agreement_notes (
    proposal_id INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('outsider', 'closed', 'objection')),
    PRIMARY KEY (proposal_id, member_id, kind)
);
INSERT INTO "agreement_notes" VALUES(2,'frank','outsider');
INSERT INTO "agreement_notes" VALUES(2,'dan','outsider');
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
INSERT INTO "agreement_proposals" VALUES(1,1,'adopt',NULL,NULL,NULL,'We start and end on time, and any of us can step out early without explaining.',1,'bob','consent',50,67,86400,'2026-03-02T17:49:00.000000Z',172800,'2026-03-04T17:49:00.000000Z','2026-03-03T17:49:00.000000Z',0,0,'41','sandbox-room',NULL,'41',1,'2026-03-02T17:49:00.000000Z','adopted','{"consent": 3, "concern": 1, "object": 0}',4,4);
INSERT INTO "agreement_proposals" VALUES(2,1,'adopt',NULL,NULL,NULL,'We keep what is shared here within the circle.',1,'carol','consent',60,67,86400,'2026-03-04T17:49:00.000000Z',259200,'2026-03-07T17:49:00.000000Z','2026-03-06T17:49:00.000000Z',0,0,'62','sandbox-room',NULL,'62',1,NULL,NULL,NULL,NULL,NULL);
CREATE TABLE agreement_reactions (
    id          INTEGER PRIMARY KEY,             -- arrival order
    proposal_id INTEGER NOT NULL REFERENCES agreement_proposals (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL,
    choice      TEXT NOT NULL,
    UNIQUE (proposal_id, member_id, choice)
);
INSERT INTO "agreement_reactions" VALUES(1,2,'bob','consent');
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
INSERT INTO "agreement_settings" VALUES(1,NULL,60,NULL,NULL,NULL,'sandbox-room',NULL,'43');
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
INSERT INTO "agreements" VALUES(1,1,NULL,'We start and end on time, and any of us can step out early without explaining.',1,NULL,'bob','2026-03-02T17:49:00.000000Z','2026-03-02T17:49:00.000000Z',1,NULL,'2026-05-31T17:49:00.000000Z',NULL);
CREATE TABLE circle_facilitators (
    circle_id INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    position  INTEGER NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
INSERT INTO "circle_facilitators" VALUES(1,'alice',0);
INSERT INTO "circle_facilitators" VALUES(1,'bob',1);
INSERT INTO "circle_facilitators" VALUES(2,'alice',0);
INSERT INTO "circle_facilitators" VALUES(3,'alice',0);
CREATE TABLE circle_members (
    circle_id  INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id  TEXT NOT NULL,
    joined_at  TEXT NOT NULL,
    seq        INTEGER NOT NULL,             -- join order, for rounds and listings
    preference TEXT CHECK (preference IN ('listening', 'ideas')),
    PRIMARY KEY (circle_id, member_id)
);
INSERT INTO "circle_members" VALUES(1,'alice','2026-03-02T17:00:00.000000Z',1,NULL);
INSERT INTO "circle_members" VALUES(1,'bob','2026-03-02T17:00:00.000000Z',2,'listening');
INSERT INTO "circle_members" VALUES(1,'carol','2026-03-02T17:00:00.000000Z',3,'ideas');
INSERT INTO "circle_members" VALUES(1,'erin','2026-03-02T17:04:00.000000Z',4,NULL);
INSERT INTO "circle_members" VALUES(2,'alice','2026-03-04T17:49:00.000000Z',1,NULL);
INSERT INTO "circle_members" VALUES(3,'alice','2026-03-04T17:49:00.000000Z',1,NULL);
INSERT INTO "circle_members" VALUES(3,'gina','2026-03-04T17:49:00.000000Z',2,NULL);
CREATE TABLE circle_requests (
    circle_id    INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id    TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
INSERT INTO "circle_requests" VALUES(2,'frank','2026-03-04T17:49:00.000000Z');
CREATE TABLE circle_waitlist (
    circle_id INTEGER NOT NULL REFERENCES circles (id) ON DELETE CASCADE,
    member_id TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (circle_id, member_id)
);
INSERT INTO "circle_waitlist" VALUES(3,'hal','2026-03-04T17:49:00.000000Z',1);
INSERT INTO "circle_waitlist" VALUES(3,'ivy','2026-03-04T17:49:00.000000Z',2);
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
INSERT INTO "circles" VALUES(1,'local','sandbox','sandbox-room',NULL,'Mondays','mondays','A small circle for Monday evenings.',4,1,'Europe/Berlin','bob','alice','2026-03-02T17:00:00.000000Z',NULL);
INSERT INTO "circles" VALUES(2,'local','sandbox','sandbox-room','17','Evening','evening','A closed circle.',2,0,'UTC','alice','alice','2026-03-04T17:49:00.000000Z',NULL);
INSERT INTO "circles" VALUES(3,'local','sandbox','sandbox-room','41','Thursday','thursday','',2,1,'UTC','alice','alice','2026-03-04T17:49:00.000000Z',NULL);
CREATE TABLE matrix_direct_rooms (
    member_id  TEXT PRIMARY KEY,
    room_id    TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO "matrix_direct_rooms" VALUES('@bob:x','!dm:x','2026-03-02T17:00:00.000000Z');
CREATE TABLE matrix_handled_events (
    event_id   TEXT PRIMARY KEY,
    handled_at TEXT NOT NULL
);
CREATE TABLE matrix_reactions (
    event_id   TEXT PRIMARY KEY,             -- the m.reaction event itself
    room_id    TEXT NOT NULL,
    target_id  TEXT NOT NULL,                -- the message reacted to
    thread_id  TEXT,                         -- the target's thread root, when known
    member_id  TEXT NOT NULL,
    key        TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO "matrix_reactions" VALUES('$r1','!room:x','$t1',NULL,'@bob:x','✅','2026-03-02T17:00:00.000000Z');
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
INSERT INTO "nudge_log" VALUES(1,1,'carol','local:sandbox-room','2026-03-04T17:49:00.000000Z','listening','private',1,'["modal"]');
CREATE TABLE nudge_optouts (
    platform  TEXT NOT NULL,
    member_id TEXT NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (platform, member_id)
);
INSERT INTO "nudge_optouts" VALUES('local','erin','2026-03-04T17:49:00.000000Z');
CREATE TABLE nudge_settings (
    circle_id   INTEGER PRIMARY KEY REFERENCES circles (id) ON DELETE CASCADE,
    mode        TEXT NOT NULL CHECK (mode IN ('off', 'private', 'group')),
    sensitivity TEXT NOT NULL CHECK (sensitivity IN ('gentle', 'normal', 'attentive'))
);
CREATE TABLE platform_state (
    platform   TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, key)
);
INSERT INTO "platform_state" VALUES('local','room_ids_shown_up_to','101','2026-03-02T17:00:00.000000Z');
INSERT INTO "platform_state" VALUES('matrix','next_batch','s123','2026-03-02T17:00:00.000000Z');
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
INSERT INTO "reflection_runs" VALUES(1,1,1,'prompt','2026-03-02T18:30:00.000000Z','posted','ips','connection-02','2026-03-02T18:30:00.000000Z','2026-03-02T18:30:00.000000Z','45','45');
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
, tag TEXT, without_tags TEXT);
INSERT INTO "reflection_schedules" VALUES(1,1,'prompt','mondays 19:30','30 19 * * 1',NULL,'ips','connection',NULL,'2026-03-09T18:30:00.000000Z',NULL,'alice','2026-03-02T17:04:00.000000Z',NULL,NULL);
INSERT INTO "reflection_schedules" VALUES(2,1,'meeting','tuesdays 19:00','0 19 * * 2',NULL,NULL,NULL,3600,'2026-03-10T18:00:00.000000Z',NULL,'alice','2026-03-04T17:49:00.000000Z',NULL,NULL);
INSERT INTO "reflection_schedules" VALUES(3,1,'rota','mondays 09:00','0 9 * * 1',NULL,NULL,NULL,NULL,'2026-03-09T08:00:00.000000Z',NULL,'alice','2026-03-04T17:49:00.000000Z',NULL,NULL);
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
INSERT INTO "reflection_suggestions" VALUES(1,1,'bob','What helps you feel at home in a group?','what helps you feel at home in a group',NULL,NULL,'pending','2026-03-04T17:49:00.000000Z',NULL,NULL);
INSERT INTO "reflection_suggestions" VALUES(2,1,'carol','When did someone really listen to you?','when did someone really listen to you','Being heard',NULL,'approved','2026-03-04T17:49:00.000000Z','alice','2026-03-04T17:49:00.000000Z');
CREATE TABLE round_turns (
    round_id  INTEGER NOT NULL REFERENCES rounds (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    member_id TEXT NOT NULL,
    outcome   TEXT CHECK (outcome IN ('shared', 'passed', 'moved_on', 'left')),
    PRIMARY KEY (round_id, position)
);
INSERT INTO "round_turns" VALUES(2,0,'bob',NULL);
INSERT INTO "round_turns" VALUES(2,1,'alice',NULL);
INSERT INTO "round_turns" VALUES(2,2,'carol',NULL);
INSERT INTO "round_turns" VALUES(2,3,'erin',NULL);
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
INSERT INTO "rounds" VALUES(1,1,'alice','2026-03-02T17:00:00.000000Z','sandbox-room','17','17',180,4,'2026-03-02T17:04:00.000000Z',0,'2026-03-02T17:04:00.000000Z',2,2);
INSERT INTO "rounds" VALUES(2,1,'alice','2026-03-04T17:49:00.000000Z','sandbox-room','65','65',NULL,0,'2026-03-04T17:49:00.000000Z',0,NULL,NULL,NULL);
CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
INSERT INTO "schema_version" VALUES(1,'core','2026-12-04T20:13:33.565Z');
INSERT INTO "schema_version" VALUES(2,'circles','2026-12-04T20:13:33.567Z');
INSERT INTO "schema_version" VALUES(3,'reflections','2026-12-04T20:13:33.569Z');
INSERT INTO "schema_version" VALUES(4,'agreements','2026-12-04T20:13:33.570Z');
INSERT INTO "schema_version" VALUES(5,'nudges','2026-12-04T20:13:33.571Z');
INSERT INTO "schema_version" VALUES(6,'matrix','2026-12-04T20:13:33.572Z');
INSERT INTO "schema_version" VALUES(8,'schedule_tags','2026-12-04T20:13:33.573Z');
CREATE UNIQUE INDEX circles_by_place ON circles (platform, room_id, COALESCE(thread_id, ''));
CREATE INDEX circle_members_by_member ON circle_members (member_id);
CREATE INDEX circle_facilitators_by_member ON circle_facilitators (member_id);
CREATE INDEX circle_requests_by_member ON circle_requests (member_id);
CREATE INDEX circle_waitlist_by_member ON circle_waitlist (member_id);
CREATE UNIQUE INDEX rounds_one_open ON rounds (circle_id) WHERE closed_at IS NULL;
CREATE INDEX rounds_by_thread ON rounds (thread_id) WHERE closed_at IS NULL;
CREATE INDEX round_turns_by_member ON round_turns (member_id);
CREATE INDEX reflection_schedules_by_circle ON reflection_schedules (circle_id);
CREATE INDEX reflection_schedules_by_creator ON reflection_schedules (created_by);
CREATE UNIQUE INDEX reflection_schedules_one_per_kind ON reflection_schedules (circle_id, kind)
    WHERE kind IN ('meeting', 'rota');
CREATE INDEX reflection_runs_by_deck ON reflection_runs (circle_id, deck_id);
CREATE INDEX reflection_runs_unconfirmed ON reflection_runs (outcome) WHERE outcome = 'claimed';
CREATE INDEX reflection_suggestions_by_circle ON reflection_suggestions (circle_id, status);
CREATE INDEX reflection_suggestions_by_member ON reflection_suggestions (member_id);
CREATE UNIQUE INDEX reflection_suggestions_no_repeat ON reflection_suggestions (circle_id, text_key);
CREATE INDEX agreement_proposals_open ON agreement_proposals (circle_id) WHERE closed_at IS NULL;
CREATE INDEX agreement_proposals_by_message ON agreement_proposals (message_id);
CREATE INDEX agreement_proposals_by_agreement ON agreement_proposals (agreement_id);
CREATE INDEX agreement_proposals_by_author ON agreement_proposals (proposed_by);
CREATE INDEX agreement_reactions_by_member ON agreement_reactions (member_id);
CREATE INDEX agreement_notes_by_member ON agreement_notes (member_id);
CREATE INDEX agreements_by_circle ON agreements (circle_id);
CREATE INDEX agreements_by_author ON agreements (proposed_by);
CREATE INDEX nudge_log_by_member ON nudge_log (member_id, at);
CREATE INDEX nudge_log_by_circle ON nudge_log (circle_id, at);
CREATE INDEX matrix_reactions_by_member ON matrix_reactions (member_id);
CREATE INDEX matrix_handled_events_by_time ON matrix_handled_events (handled_at);
CREATE INDEX matrix_direct_rooms_by_room ON matrix_direct_rooms (room_id);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('reflection_schedules',3);
INSERT INTO "sqlite_sequence" VALUES('reflection_suggestions',2);
COMMIT;
