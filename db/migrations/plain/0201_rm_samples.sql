-- Read models of the "samples" projection, plain PostgreSQL flavour.
-- Names are unqualified on purpose: `wattlog project --rebuild samples` runs this file again
-- with search_path set to a fresh schema, builds there, and swaps the tables in at the end.

-- One row per recorded second per session, resampled to 1 Hz (docs/metrics.md, gap policy).
-- Natively partitioned by month of `ts`; the projector creates the monthly partitions ahead
-- and on demand (samples_pYYYY_MM); the default partition only catches the unexpected.
CREATE TABLE IF NOT EXISTS samples (
\ir ../shared/samples_columns.sql
) PARTITION BY RANGE (ts);
CREATE TABLE IF NOT EXISTS samples_default PARTITION OF samples DEFAULT;
CREATE INDEX IF NOT EXISTS samples_athlete_ts ON samples (athlete_id, ts);

-- The projector's working tables (sample_bins, samples_sessions).
\ir ../shared/samples_working_tables.sql

-- Per minute per session, maintained by the projector in the same transaction as the samples.
-- np4_sum is the sum of (30 s rolling power)^4: NP and TSS of any set of minutes of one
-- session follow exactly (TSS = sqrt(power_seconds * np4_sum) / (36 * ftp^2)).
CREATE TABLE IF NOT EXISTS minute_rollups (
    session_id      uuid NOT NULL,
    bucket          timestamptz NOT NULL,
    athlete_id      uuid NOT NULL,
    ftp_w           smallint,
    seconds         integer NOT NULL,
    power_seconds   integer NOT NULL,
    work_kj         double precision,
    avg_power_w     double precision,
    max_power_w     double precision,
    np4_sum         double precision,
    tss             double precision,
    hr_seconds      integer NOT NULL,
    avg_hr_bpm      double precision,
    max_hr_bpm      double precision,
    avg_cadence_rpm double precision,
    avg_speed_kmh   double precision,
    min_distance_m  double precision,
    max_distance_m  double precision,
    PRIMARY KEY (session_id, bucket)
);
CREATE INDEX IF NOT EXISTS minute_rollups_athlete_bucket ON minute_rollups (athlete_id, bucket);

-- Per UTC day per athlete, from the minute rollups, in the same transaction.
CREATE TABLE IF NOT EXISTS daily_rollups (
    athlete_id     uuid NOT NULL,
    day            date NOT NULL,
    sessions       integer NOT NULL,
    seconds        integer NOT NULL,
    power_seconds  integer NOT NULL,
    work_kj        double precision,
    avg_power_w    double precision,
    max_power_w    double precision,
    tss            double precision,
    hr_seconds     integer NOT NULL,
    avg_hr_bpm     double precision,
    max_hr_bpm     double precision,
    distance_m     double precision,
    PRIMARY KEY (athlete_id, day)
);
