-- Login attempts in flight or failed, per key (a hash of the client address or of the
-- login), so that the failed-login limit holds across replicas sharing this database.
-- A row is inserted before Odoo is asked and deleted when the login succeeds; a
-- transaction-scoped advisory lock per key makes count-then-insert atomic.
CREATE TABLE login_attempts (
    key_hash bytea            NOT NULL,  -- SHA-256 of 'client:<address>' or 'login:<login>'
    ticket   bytea            NOT NULL,  -- one per sign-in: what forgiving it deletes
    at       double precision NOT NULL   -- Unix time, seconds
);

CREATE INDEX login_attempts_key_at ON login_attempts (key_hash, at);
CREATE INDEX login_attempts_ticket ON login_attempts (ticket);
CREATE INDEX login_attempts_at ON login_attempts (at);
