-- The audit log (bot/audit.py): who changed which setting of a circle, when, and whether from
-- chat or the web dashboard. The router writes a row for every command declared as changing
-- a setting (CommandSpec.changes) once it has done its work. No message text is kept: the
-- command's name and the options it was given, clipped, with people left out.

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    circle_id INTEGER NOT NULL,    -- the circle the change was about (kept after it rests)
    space_id  TEXT NOT NULL,
    platform  TEXT NOT NULL,
    member_id TEXT,                -- who changed it; NULL once they asked to be forgotten
    command   TEXT NOT NULL,       -- the command's words, like "schedule edit"
    detail    TEXT NOT NULL,       -- its options, like "id=3 when=daily 09:30"
    via       TEXT NOT NULL,       -- chat or web
    at        TEXT NOT NULL
);
CREATE INDEX audit_log_by_circle ON audit_log (circle_id, id);
CREATE INDEX audit_log_by_member ON audit_log (platform, member_id);
