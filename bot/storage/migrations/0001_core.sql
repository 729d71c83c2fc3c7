-- The engine's own table. (The version table, schema_version, is made by the migration runner
-- itself: it holds every owner's versions, so it exists before any owner's first step.)

-- Small per-platform positions that must survive a restart (Matrix next_batch, ...).
CREATE TABLE platform_state (
    platform   TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (platform, key)
);
