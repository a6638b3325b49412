DROP INDEX constituents_by_first_name;
CREATE INDEX constituents_by_first_name ON constituents (first_key);
