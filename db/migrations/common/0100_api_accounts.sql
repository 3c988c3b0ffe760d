-- Accounts of the API: users, their refresh tokens, login throttling and WebSocket tickets.
-- Secrets are never stored: refresh tokens and tickets as SHA-256, passwords as argon2id.

CREATE TABLE IF NOT EXISTS users (
    id             uuid PRIMARY KEY,
    email          text NOT NULL UNIQUE,  -- normalised: trimmed, lower case
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per device (a login): its current token hash changes on every refresh.
CREATE TABLE IF NOT EXISTS refresh_tokens (
    id             uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device         text NOT NULL,
    token_hash     bytea NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoke_reason  text
);
CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens (user_id);

-- Every token a device has rotated away from: presenting one again is reuse (theft).
CREATE TABLE IF NOT EXISTS rotated_refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    device_id   uuid NOT NULL REFERENCES refresh_tokens (id) ON DELETE CASCADE,
    rotated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS rotated_refresh_tokens_device ON rotated_refresh_tokens (device_id);

-- Login attempts per account ('account:<email>') and per client address ('ip:<address>').
CREATE TABLE IF NOT EXISTS login_throttle (
    key              text PRIMARY KEY,
    attempts         integer NOT NULL,
    next_attempt_at  timestamptz NOT NULL,
    last_attempt_at  timestamptz NOT NULL
);

-- Single-use, short-lived tickets that authenticate a WebSocket (never a token in a URL).
CREATE TABLE IF NOT EXISTS ws_tickets (
    ticket_hash  bytea PRIMARY KEY,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS ws_tickets_expiry ON ws_tickets (expires_at);
