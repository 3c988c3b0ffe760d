-- Read models of the "summaries" projection (both flavours). Unqualified names on purpose:
-- `wattlog project --rebuild summaries` runs this file again in a fresh schema.

-- One row per session: created at Started, filled in when the session finishes (or an
-- imported ride arrives), its metrics cleared if the session is discarded.
CREATE TABLE IF NOT EXISTS session_summaries (
    session_id          uuid PRIMARY KEY,
    athlete_id          uuid NOT NULL,
    owner_id            uuid NOT NULL,
    transport           text NOT NULL,
    status              text NOT NULL,
    ftp_w               integer NOT NULL,
    started_at          timestamptz NOT NULL,
    ended_at            timestamptz,
    first_sample_at     timestamptz,
    ride_day            date NOT NULL,
    duration_s          integer,
    moving_time_s       integer,
    distance_m          double precision,
    avg_power_w         double precision,
    max_power_w         double precision,
    normalized_power_w  double precision,
    intensity_factor    double precision,
    tss                 double precision,
    variability_index   double precision,
    work_kj             double precision,
    avg_hr_bpm          double precision,
    max_hr_bpm          double precision,
    avg_cadence_rpm     double precision,
    max_cadence_rpm     double precision,
    threshold_hr_bpm    double precision,
    time_in_power_zones jsonb,
    time_in_hr_zones    jsonb,
    power_curve_w       jsonb,
    curve_w             real[],
    eftp_w              double precision,
    decoupling_pct      double precision,
    rmssd_ms            double precision,
    wbal_min_j          double precision
);
CREATE INDEX IF NOT EXISTS session_summaries_athlete_day ON session_summaries (athlete_id, ride_day);

-- CTL/ATL/TSB per athlete per day, from the first to the last day with a finished ride
-- (queries extend it to any later day by decay).
CREATE TABLE IF NOT EXISTS athlete_fitness (
    athlete_id  uuid NOT NULL,
    day         date NOT NULL,
    tss         double precision NOT NULL,
    ctl         double precision NOT NULL,
    atl         double precision NOT NULL,
    tsb         double precision NOT NULL,
    PRIMARY KEY (athlete_id, day)
);

-- Heart-rate thresholds from the Athlete aggregate (for heart-rate zones).
CREATE TABLE IF NOT EXISTS athlete_thresholds (
    athlete_id        uuid PRIMARY KEY,
    threshold_hr_bpm  double precision,
    max_hr_bpm        double precision
);
