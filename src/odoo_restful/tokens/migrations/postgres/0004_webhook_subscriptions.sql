-- Webhook subscriptions: a token's user asks to hear about a model's changes at a URL.
-- The signing secret is stored encrypted under a key derived from the server secret
-- (key_id says which), as the Odoo secrets of the tokens table are.
CREATE TABLE webhook_subscriptions (
    id         text    PRIMARY KEY,  -- 'wh_' + random, shown to the user
    db         text    NOT NULL,
    uid        integer NOT NULL,
    model      text    NOT NULL,
    domain     text    NOT NULL,     -- JSON
    fields     text,                 -- JSON list, or NULL for the default fields
    events     text    NOT NULL,     -- JSON list of created/updated/deleted
    url        text    NOT NULL,
    secret_enc bytea   NOT NULL,
    key_id     text    NOT NULL,
    active     boolean NOT NULL DEFAULT true,
    created_at double precision NOT NULL
);

CREATE INDEX webhook_subscriptions_user ON webhook_subscriptions (db, uid);
