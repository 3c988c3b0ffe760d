-- Read models of the "samples" projection, TimescaleDB flavour (same names and columns as
-- db/migrations/plain/0201_rm_samples.sql, so that queries do not care which one is there:
-- the columns and the working tables are written once, in db/migrations/shared/).
-- Names are unqualified on purpose: `wattlog project --rebuild samples` runs this file again
-- with search_path set to a fresh schema and swaps the relations in at the end.
-- Written from the TimescaleDB 2.x documentation: create_hypertable, ALTER TABLE ... SET
-- (timescaledb.compress ...), add_compression_policy, CREATE MATERIALIZED VIEW ... WITH
-- (timescaledb.continuous) ... WITH NO DATA (allowed inside a transaction block, which the
-- migration runner uses), add_continuous_aggregate_policy.

CREATE TABLE IF NOT EXISTS samples (
\ir ../shared/samples_columns.sql
);
-- A week per chunk: a few hundred riders' week of rides is a comfortable chunk size.
SELECT create_hypertable('samples', 'ts', chunk_time_interval => INTERVAL '7 days',
                         if_not_exists => TRUE);
CREATE INDEX IF NOT EXISTS samples_athlete_ts ON samples (athlete_id, ts);

-- Compression: a session's seconds are read together, in time order.
ALTER TABLE samples SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'session_id',
    timescaledb.compress_orderby = 'ts'
);
SELECT add_compression_policy('samples', compress_after => INTERVAL '7 days',
                              if_not_exists => TRUE);
-- Retention is optional (WATTLOG_SAMPLES_RETENTION_DAYS): the projector adds or removes
-- the retention policy at start-up.

-- Ranges of samples written outside the refresh policies' window, to refresh explicitly
-- (written in the projector's transaction, refreshed and deleted after the commit).
CREATE TABLE IF NOT EXISTS rollup_refresh_requests (
    id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lo  timestamptz NOT NULL,
    hi  timestamptz NOT NULL
);

-- The projector's working tables (sample_bins, samples_sessions).
\ir ../shared/samples_working_tables.sql

-- Real-time aggregation (materialized_only = false): rows not yet materialized by the
-- refresh policy are aggregated on the fly, so a live ride shows up at once.
CREATE MATERIALIZED VIEW IF NOT EXISTS minute_rollups
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
    session_id,
    time_bucket(INTERVAL '1 minute', ts) AS bucket,
    athlete_id,
    max(ftp_w) AS ftp_w,
    count(*)::integer AS seconds,
    count(power_w)::integer AS power_seconds,
    sum(power_w)::double precision / 1000.0 AS work_kj,
    avg(power_w)::double precision AS avg_power_w,
    max(power_w)::double precision AS max_power_w,
    sum(power_30s_w::double precision ^ 4) AS np4_sum,
    sqrt(count(power_w) * sum(power_30s_w::double precision ^ 4))
        / (36.0 * max(ftp_w)::double precision ^ 2) AS tss,
    count(heart_rate_bpm)::integer AS hr_seconds,
    avg(heart_rate_bpm)::double precision AS avg_hr_bpm,
    max(heart_rate_bpm)::double precision AS max_hr_bpm,
    avg(cadence_rpm)::double precision AS avg_cadence_rpm,
    avg(speed_kmh)::double precision AS avg_speed_kmh,
    min(distance_m) AS min_distance_m,
    max(distance_m) AS max_distance_m
FROM samples
GROUP BY session_id, time_bucket(INTERVAL '1 minute', ts), athlete_id
WITH NO DATA;

-- The policies reach back 7 days, never further: retention (at least 14 days) drops old
-- chunks, TimescaleDB invalidates their region, and a refresh over it would erase the
-- rollups. Older changes (imported rides, late samples) are refreshed explicitly for their
-- own range by the projector (rollup_refresh_requests below; projections/samples/refresh.py).
-- The 7 days are POLICY_WINDOW there.
SELECT add_continuous_aggregate_policy('minute_rollups',
    start_offset => INTERVAL '7 days',
    end_offset => INTERVAL '1 minute',
    schedule_interval => INTERVAL '1 minute',
    if_not_exists => TRUE);

-- Per UTC day per athlete and session: TSS is not additive across sessions (it depends on
-- each session's NP), so the per-day view below sums per-session values.
CREATE MATERIALIZED VIEW IF NOT EXISTS daily_session_rollups
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT
    athlete_id,
    session_id,
    time_bucket(INTERVAL '1 day', ts) AS bucket,
    max(ftp_w) AS ftp_w,
    count(*)::integer AS seconds,
    count(power_w)::integer AS power_seconds,
    sum(power_w)::double precision / 1000.0 AS work_kj,
    max(power_w)::double precision AS max_power_w,
    sum(power_30s_w::double precision ^ 4) AS np4_sum,
    count(heart_rate_bpm)::integer AS hr_seconds,
    sum(heart_rate_bpm)::double precision AS hr_sum,
    max(heart_rate_bpm)::double precision AS max_hr_bpm,
    max(distance_m) - min(distance_m) AS distance_m
FROM samples
GROUP BY athlete_id, session_id, time_bucket(INTERVAL '1 day', ts)
WITH NO DATA;

SELECT add_continuous_aggregate_policy('daily_session_rollups',
    start_offset => INTERVAL '7 days',
    end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '5 minutes',
    if_not_exists => TRUE);

CREATE OR REPLACE VIEW daily_rollups AS
SELECT
    athlete_id,
    (bucket AT TIME ZONE 'UTC')::date AS day,
    count(*)::integer AS sessions,
    sum(seconds)::integer AS seconds,
    sum(power_seconds)::integer AS power_seconds,
    sum(work_kj) AS work_kj,
    sum(work_kj) * 1000.0 / nullif(sum(power_seconds), 0) AS avg_power_w,
    max(max_power_w) AS max_power_w,
    sum(sqrt(power_seconds * np4_sum) / (36.0 * ftp_w::double precision ^ 2)) AS tss,
    sum(hr_seconds)::integer AS hr_seconds,
    sum(hr_sum) / nullif(sum(hr_seconds), 0) AS avg_hr_bpm,
    max(max_hr_bpm) AS max_hr_bpm,
    sum(distance_m) AS distance_m
FROM daily_session_rollups
GROUP BY athlete_id, bucket;
