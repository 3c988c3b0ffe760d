-- Issue 14: retention must never erase the rollups. Databases migrated before this had
-- refresh policies reaching back to the beginning of time (start_offset NULL), which
-- recompute the buckets of chunks that retention dropped. 0201_rm_samples.sql now creates
-- them with a 7-day window and the explicit-refresh table; this brings older databases
-- there (on a new database it replaces the policies with the same ones).
-- Written from the TimescaleDB documentation: remove_continuous_aggregate_policy,
-- add_continuous_aggregate_policy, "Data retention with continuous aggregates".
CREATE TABLE IF NOT EXISTS rollup_refresh_requests (
    id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    lo  timestamptz NOT NULL,
    hi  timestamptz NOT NULL
);

SELECT remove_continuous_aggregate_policy('minute_rollups', if_exists => TRUE);
SELECT add_continuous_aggregate_policy('minute_rollups',
    start_offset => INTERVAL '7 days',
    end_offset => INTERVAL '1 minute',
    schedule_interval => INTERVAL '1 minute');

SELECT remove_continuous_aggregate_policy('daily_session_rollups', if_exists => TRUE);
SELECT add_continuous_aggregate_policy('daily_session_rollups',
    start_offset => INTERVAL '7 days',
    end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '5 minutes');
