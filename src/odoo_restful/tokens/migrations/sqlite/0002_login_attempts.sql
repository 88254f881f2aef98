-- Login attempts in flight or failed, per key (a hash of the client address or of the
-- login), so that the failed-login limit holds across the workers sharing this file.
-- A row is inserted before Odoo is asked and deleted when the login succeeds.
CREATE TABLE login_attempts (
    key_hash BLOB NOT NULL,  -- SHA-256 of 'client:<address>' or 'login:<login>'
    ticket   BLOB NOT NULL,  -- one per sign-in: what forgiving it deletes
    at       REAL NOT NULL   -- Unix time, seconds
);

CREATE INDEX login_attempts_key_at ON login_attempts (key_hash, at);
CREATE INDEX login_attempts_ticket ON login_attempts (ticket);
CREATE INDEX login_attempts_at ON login_attempts (at);
