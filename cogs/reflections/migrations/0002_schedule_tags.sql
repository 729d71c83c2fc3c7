-- Prompt schedules can choose by tag too: only prompts with one tag, and none with the tags a
-- circle would rather not meet on a timer (for example `deep`).

ALTER TABLE reflection_schedules ADD COLUMN tag TEXT;           -- prompts: only those with this tag
ALTER TABLE reflection_schedules ADD COLUMN without_tags TEXT;  -- prompts: none with these tags (space-separated)
