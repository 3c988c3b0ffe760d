-- Which running session each bridge client's samples belong to. Written in the same
-- transaction as the session's Started / Finished / Discarded / TransportSwitched events.
CREATE TABLE IF NOT EXISTS bridge_routes (
    client_id   text PRIMARY KEY,
    session_id  uuid NOT NULL,
    owner_id    uuid NOT NULL,
    athlete_id  uuid NOT NULL,
    routed_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS bridge_routes_session ON bridge_routes (session_id);

-- How far the relay has published the notification log (recorded after the broker's confirm).
CREATE TABLE IF NOT EXISTS relay_positions (
    name             text PRIMARY KEY,
    notification_id  bigint NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
