-- Webhook subscriptions: a token's user asks to hear about a model's changes at a URL.
-- The signing secret is stored encrypted under a key derived from the server secret
-- (key_id says which), as the Odoo secrets of the tokens table are.
CREATE TABLE webhook_subscriptions (
    id         TEXT    PRIMARY KEY,  -- 'wh_' + random, shown to the user
    db         TEXT    NOT NULL,
    uid        INTEGER NOT NULL,
    model      TEXT    NOT NULL,
    domain     TEXT    NOT NULL,     -- JSON
    fields     TEXT,                 -- JSON list, or NULL for the default fields
    events     TEXT    NOT NULL,     -- JSON list of created/updated/deleted
    url        TEXT    NOT NULL,
    secret_enc BLOB    NOT NULL,
    key_id     TEXT    NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at REAL    NOT NULL
);

CREATE INDEX webhook_subscriptions_user ON webhook_subscriptions (db, uid);
