-- Webhook deliveries (issue #18): the queue the sender works through, the watcher's
-- position per subscription, and the lease that elects one watcher among processes.
-- A subscription keeps the Odoo credential it watches with, sealed under the server
-- secret (a background watcher has no client token to unlock the token's copy).
ALTER TABLE webhook_subscriptions ADD COLUMN cred_enc bytea;
ALTER TABLE webhook_subscriptions ADD COLUMN cred_kind text NOT NULL DEFAULT '';
ALTER TABLE webhook_subscriptions ADD COLUMN login text NOT NULL DEFAULT '';
-- why the watcher stopped or holds this subscription ('' when all is well)
ALTER TABLE webhook_subscriptions ADD COLUMN note text NOT NULL DEFAULT '';

CREATE TABLE webhook_deliveries (
    seq             bigserial PRIMARY KEY,              -- queue order
    id              text    NOT NULL UNIQUE,            -- 'msg_...': the webhook-id
    subscription_id text    NOT NULL,
    record_id       integer NOT NULL,
    event           text    NOT NULL,                   -- created / updated / deleted
    payload         text    NOT NULL,                   -- the JSON body sent
    status          text    NOT NULL DEFAULT 'pending', -- pending / delivered / failed
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at double precision NOT NULL,
    retry_from      double precision NOT NULL, -- retries end a day after this
    last_status     integer,                            -- HTTP status of the last attempt
    last_error      text,
    created_at      double precision NOT NULL,
    delivered_at    double precision
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_record ON webhook_deliveries (subscription_id, record_id, status);
CREATE INDEX webhook_deliveries_recent ON webhook_deliveries (subscription_id, seq);

CREATE TABLE webhook_watch (
    subscription_id text PRIMARY KEY,
    state           text NOT NULL  -- JSON: feed position, ids tracked for deletions
);

CREATE TABLE webhook_leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at double precision NOT NULL
);
