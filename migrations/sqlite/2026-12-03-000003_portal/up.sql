-- A portal session names its parent, so that changing the parent's Portal
-- number can end every session they have.
ALTER TABLE sessions ADD COLUMN constituent_id BIGINT REFERENCES constituents (id) ON DELETE CASCADE;
CREATE INDEX sessions_by_constituent ON sessions (constituent_id);

-- One-time sign-in codes. The code itself is never stored, only a keyed hash.
CREATE TABLE portal_codes (
    id TEXT PRIMARY KEY NOT NULL,
    constituent_id BIGINT NOT NULL REFERENCES constituents (id) ON DELETE CASCADE,
    e164 TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    wrong_tries INTEGER NOT NULL DEFAULT 0,
    used_at TIMESTAMP,
    send_failed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX portal_codes_by_number ON portal_codes (e164, created_at);

-- Wrong codes in a row for one number, across codes; a success clears them.
CREATE TABLE portal_failures (
    e164 TEXT PRIMARY KEY NOT NULL,
    consecutive INTEGER NOT NULL,
    paused_until TIMESTAMP
);
