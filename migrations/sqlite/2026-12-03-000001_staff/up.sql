CREATE TABLE app_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE staff_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'office')),
    disabled_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff_accounts (id) ON DELETE CASCADE,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_by_staff ON sessions (staff_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
