-- The samples projector's working tables, the same in both flavours; included by
-- db/migrations/plain/0201_rm_samples.sql and timescale/0201_rm_samples.sql.

-- Working state: the readings of each second of a session that is still running, so that
-- late and out-of-order readings can be merged exactly. Emptied when the session ends.
CREATE TABLE IF NOT EXISTS sample_bins (
    session_id  uuid NOT NULL,
    second      bigint NOT NULL,
    readings    jsonb NOT NULL,
    PRIMARY KEY (session_id, second)
);

-- What the projector knows about each session (from Started and the samples so far).
CREATE TABLE IF NOT EXISTS samples_sessions (
    session_id    uuid PRIMARY KEY,
    athlete_id    uuid NOT NULL,
    ftp_w         smallint NOT NULL,
    status        text NOT NULL,
    has_power     boolean NOT NULL DEFAULT false,
    imported      boolean NOT NULL DEFAULT false,
    first_second  bigint,
    last_second   bigint
);
