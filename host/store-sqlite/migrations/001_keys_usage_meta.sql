-- 1: API keys, their usage records, and small named values.
CREATE TABLE keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    platforms TEXT,
    credits INTEGER,
    enabled INTEGER NOT NULL DEFAULT 1,
    last_used_at INTEGER,
    rate_per_sec INTEGER,
    rate_burst INTEGER
);
CREATE TABLE usage (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    platform TEXT NOT NULL,
    outcome TEXT NOT NULL,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    charged INTEGER NOT NULL DEFAULT 0,
    pending INTEGER NOT NULL DEFAULT 0,
    reserved INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX usage_key_at ON usage(key_id, at);
CREATE INDEX usage_pending ON usage(pending) WHERE pending = 1;
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
