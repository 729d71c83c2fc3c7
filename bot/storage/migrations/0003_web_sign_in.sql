-- The dashboard's sign-ins (bot/web). A sign-in link is signed and says who it is for; the
-- store only keeps that a link was used, so it works once. A session is a random token in a
-- cookie; only its SHA-256 is kept here, so reading the database gives no way in.

CREATE TABLE web_used_links (
    nonce      TEXT PRIMARY KEY,   -- the link's random id (nothing about the person)
    used_at    TEXT NOT NULL,
    expires_at TEXT NOT NULL       -- after this the signature refuses the link anyway; the row may go
);
CREATE INDEX web_used_links_by_expiry ON web_used_links (expires_at);

CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,   -- SHA-256 of the cookie's token, hex
    platform   TEXT NOT NULL,
    member_id  TEXT NOT NULL,      -- who signed in
    space_id   TEXT NOT NULL,      -- the community the dashboard shows
    room_id    TEXT NOT NULL,      -- where they asked for the link (roles are checked there)
    csrf       TEXT NOT NULL,      -- the token every form of this session carries
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX web_sessions_by_member ON web_sessions (platform, member_id);
CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
