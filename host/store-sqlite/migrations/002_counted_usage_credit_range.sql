-- 2: settled usage is counted per key, day, platform and outcome, not kept
-- one row per request; balances are kept within 0..=10^12 as integers.
CREATE TABLE usage_daily (
    key_id INTEGER NOT NULL,
    day INTEGER NOT NULL,
    platform TEXT NOT NULL,
    outcome TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    charged INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (key_id, day, platform, outcome)
) WITHOUT ROWID;
INSERT INTO usage_daily (key_id, day, platform, outcome, requests, charged)
    SELECT key_id, at / 86400, platform, outcome, COUNT(*), SUM(charged)
    FROM usage WHERE pending = 0 GROUP BY 1, 2, 3, 4;
DELETE FROM usage WHERE pending = 0;
-- A balance an overflow turned into a REAL becomes the largest allowed.
UPDATE keys SET credits = MIN(MAX(CAST(credits AS INTEGER), 0), 1000000000000)
    WHERE credits IS NOT NULL
      AND (typeof(credits) <> 'integer' OR credits < 0 OR credits > 1000000000000);
CREATE TRIGGER keys_credits_insert BEFORE INSERT ON keys
    WHEN NEW.credits IS NOT NULL AND (typeof(NEW.credits) <> 'integer'
        OR NEW.credits < 0 OR NEW.credits > 1000000000000)
    BEGIN SELECT RAISE(ABORT, 'credits out of range'); END;
CREATE TRIGGER keys_credits_update BEFORE UPDATE OF credits ON keys
    WHEN NEW.credits IS NOT NULL AND (typeof(NEW.credits) <> 'integer'
        OR NEW.credits < 0 OR NEW.credits > 1000000000000)
    BEGIN SELECT RAISE(ABORT, 'credits out of range'); END;
