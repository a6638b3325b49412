-- Covers first-name searches with everything the directory sorts by, so a
-- page of ids is chosen from the index alone.
DROP INDEX constituents_by_first_name;
CREATE INDEX constituents_by_first_name ON constituents (first_key, last_key, id);
