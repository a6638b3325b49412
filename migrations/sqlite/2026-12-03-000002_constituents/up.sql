CREATE TABLE constituents (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    -- Lower-cased names, searched by prefix through the indexes below.
    first_key TEXT NOT NULL,
    last_key TEXT NOT NULL,
    email TEXT,
    is_parent BOOLEAN NOT NULL,
    is_student BOOLEAN NOT NULL,
    is_staff BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX constituents_by_name ON constituents (last_key, first_key, id);
CREATE INDEX constituents_by_first_name ON constituents (first_key);

-- Slot 0 holds the Portal Access/SMS Number; slots 1 to 4 the general numbers.
CREATE TABLE phone_numbers (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    constituent_id BIGINT NOT NULL REFERENCES constituents (id) ON DELETE CASCADE,
    slot INTEGER NOT NULL CHECK (slot BETWEEN 0 AND 4),
    e164 TEXT NOT NULL,
    extension TEXT,
    label TEXT NOT NULL CHECK (label IN ('home', 'mobile', 'work', 'other')),
    kind TEXT NOT NULL,
    last_four TEXT NOT NULL,
    UNIQUE (constituent_id, slot)
);
-- One holder per Portal number, across the whole school.
CREATE UNIQUE INDEX portal_numbers_are_unique ON phone_numbers (e164) WHERE slot = 0;
CREATE INDEX phone_numbers_by_e164 ON phone_numbers (e164);
CREATE INDEX phone_numbers_by_last_four ON phone_numbers (last_four);
