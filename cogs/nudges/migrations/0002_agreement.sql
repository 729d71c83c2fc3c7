-- Nudges can point to one of the circle's own agreements (by its number; never its text),
-- chosen by a facilitator with `nudges settings agreement=N`.

ALTER TABLE nudge_settings ADD COLUMN agreement INTEGER CHECK (agreement IS NULL OR agreement > 0);
