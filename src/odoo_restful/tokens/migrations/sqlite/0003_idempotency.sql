-- Answers to POSTs sent with an Idempotency-Key, so that a retry gets the first answer
-- instead of a second create. A row is claimed (status NULL) before Odoo is called and
-- filled in with the answer afterwards; it lives for 24 hours.
CREATE TABLE idempotency (
    key_hash     BLOB    NOT NULL PRIMARY KEY,  -- SHA-256 of database, uid and the key
    request_hash BLOB    NOT NULL,              -- SHA-256 of method, path, query and body
    owner        BLOB    NOT NULL,              -- the claim: only its holder fills it in
    status       INTEGER,                       -- NULL while the first request runs
    body         BLOB,
    created_at   REAL    NOT NULL,
    expires_at   REAL    NOT NULL
);

CREATE INDEX idempotency_expires_at ON idempotency (expires_at);
