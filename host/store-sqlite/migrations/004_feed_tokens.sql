-- 4: feed tokens, each a key's separate credential for feed URLs.
CREATE TABLE feed_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id INTEGER NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
);
CREATE INDEX feed_tokens_by_key ON feed_tokens (key_id);
-- A deleted key's feed tokens go with it.
CREATE TRIGGER feed_tokens_of_deleted_keys AFTER DELETE ON keys
BEGIN
    DELETE FROM feed_tokens WHERE key_id = OLD.id;
END;
