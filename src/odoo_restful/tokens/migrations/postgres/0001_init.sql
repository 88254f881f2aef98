-- Access tokens. The token itself is never stored: token_hash is HMAC-SHA256 of it
-- under the server secret named by key_id; secret_enc is the Odoo secret sealed
-- with a key derived from the token (see odoo_restful/tokens/crypto.py).
CREATE TABLE tokens (
    token_hash   bytea            NOT NULL PRIMARY KEY,
    prefix       text             NOT NULL,
    db           text             NOT NULL,
    uid          integer          NOT NULL,
    login        text             NOT NULL,
    secret_enc   bytea            NOT NULL,
    secret_kind  text             NOT NULL CHECK (secret_kind IN ('password', 'api_key', 'session')),
    scopes       jsonb            NOT NULL,
    user_info    jsonb            NOT NULL,
    created_at   double precision NOT NULL,  -- Unix time, seconds
    expires_at   double precision NOT NULL,
    last_used_at double precision,
    revoked      boolean          NOT NULL DEFAULT false,
    key_id       text             NOT NULL
);

CREATE INDEX tokens_db_uid ON tokens (db, uid);
CREATE INDEX tokens_expires_at ON tokens (expires_at);
CREATE INDEX tokens_prefix ON tokens (prefix);
