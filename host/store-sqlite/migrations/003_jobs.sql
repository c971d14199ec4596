-- 3: batch jobs, their items (the durable queue) and their event logs.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    key_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished_at INTEGER,
    cancelled INTEGER NOT NULL DEFAULT 0,
    webhook_url TEXT,
    webhook_secret TEXT,
    webhook_per_item INTEGER NOT NULL DEFAULT 0,
    webhook_log TEXT NOT NULL DEFAULT '[]',
    last_event INTEGER NOT NULL DEFAULT 0,
    -- Items by state, kept with every change (progress is not a scan).
    n_queued INTEGER NOT NULL DEFAULT 0,
    n_running INTEGER NOT NULL DEFAULT 0,
    n_done INTEGER NOT NULL DEFAULT 0,
    n_failed INTEGER NOT NULL DEFAULT 0,
    n_cancelled INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX jobs_by_key ON jobs(key_id, created_at);
CREATE INDEX jobs_finished ON jobs(finished_at) WHERE finished_at IS NOT NULL;
CREATE TABLE job_items (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    item_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    platform TEXT NOT NULL,
    meta TEXT,
    urgent INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    reserved INTEGER NOT NULL DEFAULT 0,
    UNIQUE (job_id, item_id)
);
CREATE INDEX job_items_queue ON job_items(urgent DESC, seq) WHERE state = 'queued';
CREATE INDEX job_items_state ON job_items(job_id, state);
CREATE TABLE job_events (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (job_id, id)
) WITHOUT ROWID;
