-- Every change to a Portal number and every staff-account event. Names are
-- copied in, so the record outlives the profile or account it speaks of.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id BIGINT,
    actor_username TEXT NOT NULL,
    action TEXT NOT NULL,
    constituent_id BIGINT,
    constituent_name TEXT,
    staff_id BIGINT,
    staff_username TEXT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_events_by_time ON audit_events (occurred_at, id);
CREATE INDEX audit_events_by_constituent ON audit_events (constituent_id, occurred_at);
CREATE INDEX audit_events_by_actor ON audit_events (actor_id, occurred_at);

-- Failed staff sign-ins, for the per-username and per-address limits.
CREATE TABLE sign_in_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_by_username ON sign_in_failures (username, failed_at);
CREATE INDEX sign_in_failures_by_address ON sign_in_failures (address, failed_at);
CREATE INDEX sign_in_failures_by_time ON sign_in_failures (failed_at);
