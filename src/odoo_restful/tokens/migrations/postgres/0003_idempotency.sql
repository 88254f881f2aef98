-- Answers to POSTs sent with an Idempotency-Key, so that a retry on any replica gets
-- the first answer instead of a second create. A row is claimed (status NULL) before
-- Odoo is called and filled in with the answer afterwards; it lives for 24 hours.
CREATE TABLE idempotency (
    key_hash     bytea            NOT NULL PRIMARY KEY,  -- SHA-256 of database, uid, key
    request_hash bytea            NOT NULL,  -- SHA-256 of method, path, query and body
    owner        bytea            NOT NULL,  -- the claim: only its holder fills it in
    status       integer,                    -- NULL while the first request runs
    body         bytea,
    created_at   double precision NOT NULL,
    expires_at   double precision NOT NULL
);

CREATE INDEX idempotency_expires_at ON idempotency (expires_at);
