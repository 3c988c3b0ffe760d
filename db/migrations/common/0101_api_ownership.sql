-- Which athletes, bridges and sessions each user owns: lookup rows written by the API's
-- store in the same transaction as the events they mirror (adapters/api/ownership_index.py).

CREATE TABLE IF NOT EXISTS user_athletes (
    athlete_id  uuid PRIMARY KEY,
    owner_id    uuid NOT NULL,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS user_athletes_owner ON user_athletes (owner_id, created_at);

CREATE TABLE IF NOT EXISTS user_bridges (
    bridge_id      uuid PRIMARY KEY,
    owner_id       uuid NOT NULL,
    name           text NOT NULL,
    kind           text NOT NULL,
    registered_at  timestamptz NOT NULL,
    revoked_at     timestamptz
);
CREATE INDEX IF NOT EXISTS user_bridges_owner ON user_bridges (owner_id, registered_at);

CREATE TABLE IF NOT EXISTS user_sessions (
    session_id  uuid PRIMARY KEY,
    owner_id    uuid NOT NULL,
    athlete_id  uuid NOT NULL,
    client_id   text NOT NULL,  -- the client currently driving the ride
    transport   text NOT NULL,
    status      text NOT NULL,  -- running, paused, finished, discarded
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz
);
CREATE INDEX IF NOT EXISTS user_sessions_owner ON user_sessions (owner_id, started_at DESC);
CREATE INDEX IF NOT EXISTS user_sessions_active ON user_sessions (status)
    WHERE status IN ('running', 'paused');
-- One active session per driving client: a second start for a busy bridge fails atomically.
CREATE UNIQUE INDEX IF NOT EXISTS user_sessions_one_active_per_client ON user_sessions (client_id)
    WHERE status IN ('running', 'paused');
