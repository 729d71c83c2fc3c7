-- The schema's own version, kept inside the database (see bot/storage/migrations).
CREATE TABLE schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

-- Small per-platform positions that must survive a restart (Matrix next_batch, ...).
CREATE TABLE platform_state (
    platform   TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, key)
);
