-- Webhook deliveries (issue #18): the queue the sender works through, the watcher's
-- position per subscription, and the lease that elects one watcher among processes.
-- A subscription keeps the Odoo credential it watches with, sealed under the server
-- secret (a background watcher has no client token to unlock the token's copy).
ALTER TABLE webhook_subscriptions ADD COLUMN cred_enc BLOB;
ALTER TABLE webhook_subscriptions ADD COLUMN cred_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_subscriptions ADD COLUMN login TEXT NOT NULL DEFAULT '';
-- why the watcher stopped or holds this subscription ('' when all is well)
ALTER TABLE webhook_subscriptions ADD COLUMN note TEXT NOT NULL DEFAULT '';

CREATE TABLE webhook_deliveries (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- queue order
    id              TEXT    NOT NULL UNIQUE,            -- 'msg_...': the webhook-id
    subscription_id TEXT    NOT NULL,
    record_id       INTEGER NOT NULL,
    event           TEXT    NOT NULL,                   -- created / updated / deleted
    payload         TEXT    NOT NULL,                   -- the JSON body sent
    status          TEXT    NOT NULL DEFAULT 'pending', -- pending / delivered / failed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL    NOT NULL,
    retry_from      REAL    NOT NULL,                   -- retries end a day after this
    last_status     INTEGER,                            -- HTTP status of the last attempt
    last_error      TEXT,
    created_at      REAL    NOT NULL,
    delivered_at    REAL
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_record ON webhook_deliveries (subscription_id, record_id, status);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (subscription_id, seq);

CREATE TABLE webhook_watch (
    subscription_id TEXT PRIMARY KEY,
    state           TEXT NOT NULL  -- JSON: feed position, ids tracked for deletions
);

CREATE TABLE webhook_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at REAL NOT NULL
);
