-- Platform accounts: the secret (cookies, user agent, proxy) is sealed
-- above the store; this table holds only its opaque bytes.
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    platform   TEXT    NOT NULL,
    label      TEXT    NOT NULL DEFAULT '',
    enabled    INTEGER NOT NULL DEFAULT 1,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX accounts_platform ON accounts (platform, id);
