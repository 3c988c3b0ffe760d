-- Every session each bridge client took part in, with the session's span: where a sample
-- goes when its client's current route has no running session for it (a late sample after
-- the finish, a backlog from an earlier ride). Written in the same transaction as the
-- session's Started / TransportSwitched (insert) and Finished / Discarded (ended_at) events.
CREATE TABLE IF NOT EXISTS client_sessions (
    client_id   text NOT NULL,
    session_id  uuid NOT NULL,
    owner_id    uuid NOT NULL,
    athlete_id  uuid NOT NULL,
    started_at  timestamptz NOT NULL,
    ended_at    timestamptz,
    status      text NOT NULL DEFAULT 'running',
    PRIMARY KEY (client_id, session_id)
);
CREATE INDEX IF NOT EXISTS client_sessions_by_time ON client_sessions (client_id, started_at);
CREATE INDEX IF NOT EXISTS client_sessions_session ON client_sessions (session_id);

-- The sessions running at this migration are the only ones known without reading the log.
INSERT INTO client_sessions (client_id, session_id, owner_id, athlete_id, started_at)
SELECT client_id, session_id, owner_id, athlete_id, routed_at FROM bridge_routes
ON CONFLICT DO NOTHING;
