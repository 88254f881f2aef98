-- Access tokens. The token itself is never stored: token_hash is HMAC-SHA256 of it
-- under the server secret named by key_id; secret_enc is the Odoo secret sealed
-- with a key derived from the token (see odoo_restful/tokens/crypto.py).
CREATE TABLE tokens (
    token_hash   BLOB    NOT NULL PRIMARY KEY,
    prefix       TEXT    NOT NULL,
    db           TEXT    NOT NULL,
    uid          INTEGER NOT NULL,
    login        TEXT    NOT NULL,
    secret_enc   BLOB    NOT NULL,
    secret_kind  TEXT    NOT NULL CHECK (secret_kind IN ('password', 'api_key', 'session')),
    scopes       TEXT    NOT NULL,  -- JSON
    user_info    TEXT    NOT NULL,  -- JSON
    created_at   REAL    NOT NULL,  -- Unix time, seconds
    expires_at   REAL    NOT NULL,
    last_used_at REAL,
    revoked      INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
    key_id       TEXT    NOT NULL
) WITHOUT ROWID;

CREATE INDEX tokens_db_uid ON tokens (db, uid);
CREATE INDEX tokens_expires_at ON tokens (expires_at);
CREATE INDEX tokens_prefix ON tokens (prefix);
